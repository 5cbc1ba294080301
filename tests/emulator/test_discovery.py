"""OpenID discovery, JWKS and instance discovery, as msal reads them."""
from __future__ import annotations

from ._helpers import GRAPH


def test_discovery_for_a_domain_uses_the_tenant_guid(emulator):
    http = emulator.no_retry_http()
    response = http.get(f"{emulator.authority_host}/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=86400, private"
    doc = response.json()
    base = f"{emulator.authority_host}/{emulator.ids.fabrikam}"
    assert doc["token_endpoint"] == f"{base}/oauth2/v2.0/token"
    assert doc["authorization_endpoint"] == f"{base}/oauth2/v2.0/authorize"
    assert doc["device_authorization_endpoint"] == f"{base}/oauth2/v2.0/devicecode"
    assert doc["jwks_uri"] == f"{base}/discovery/v2.0/keys"
    assert doc["issuer"] == f"{base}/v2.0"
    # msal files tokens under the realm taken from token_endpoint: the GUID, not the domain.
    app = emulator.public_app("fabrikam.onmicrosoft.com")
    assert app.authority.tenant == emulator.ids.fabrikam


def test_discovery_for_aliases_keeps_the_alias(emulator):
    doc = emulator.no_retry_http().get(
        f"{emulator.authority_host}/organizations/v2.0/.well-known/openid-configuration"
    ).json()
    assert doc["token_endpoint"] == f"{emulator.authority_host}/organizations/oauth2/v2.0/token"
    assert doc["issuer"] == f"{emulator.authority_host}/{{tenantid}}/v2.0"


def test_double_slashes_are_tolerated(emulator):
    # msal builds /tenant//v2.0/... from an authority with a trailing slash.
    app = emulator.public_app(f"{emulator.ids.partner}/")
    assert "user_code" in app.initiate_device_flow(scopes=[GRAPH])
    response = emulator.no_retry_http().get(
        f"{emulator.authority_host}//{emulator.ids.partner}//v2.0/.well-known/openid-configuration"
    )
    assert response.status_code == 200


def test_jwks(emulator):
    http = emulator.no_retry_http()
    keys = http.get(f"{emulator.authority_host}/common/discovery/v2.0/keys").json()["keys"]
    [key] = keys
    assert key["kty"] == "RSA" and key["use"] == "sig" and key["kid"] and key["n"] and key["e"] == "AQAB"
    assert key["x5c"] and key["x5t"] == key["kid"]
    assert http.get(f"{emulator.authority()}/discovery/v2.0/keys").json()["keys"] == keys
    assert http.get(f"{emulator.authority_host}/nope.example/discovery/v2.0/keys").status_code == 400


def test_instance_discovery_and_unknown_paths(emulator):
    http = emulator.no_retry_http()
    instance = http.get(
        f"{emulator.authority_host}/common/discovery/instance",
        params={"api-version": "1.1", "authorization_endpoint": f"{emulator.authority()}/oauth2/v2.0/authorize"},
    ).json()
    assert instance["tenant_discovery_endpoint"] == f"{emulator.authority()}/v2.0/.well-known/openid-configuration"
    assert http.get(f"{emulator.authority_host}/no/such/path").status_code == 404
