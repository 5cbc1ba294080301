"""Client authentication (secret, certificate assertion, public) and client-credentials errors."""
from __future__ import annotations

import base64
import hashlib
import time
import uuid

import jwt
import pytest

from ._helpers import GRAPH, aadsts, certificate, post_token, verify_token

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _assertion(emulator, *, aud=None, alg="RS256", header=None, exp_in=600, iss=None):
    cert = certificate()
    now = int(time.time())
    claims = {
        "aud": aud or emulator.token_url(),
        "iss": iss or emulator.ids.cert_app,
        "sub": iss or emulator.ids.cert_app,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + exp_in,
    }
    der_sha1 = bytes.fromhex(cert["thumbprint"])
    headers = header if header is not None else {"x5t": base64.urlsafe_b64encode(der_sha1).decode().rstrip("=")}
    return jwt.encode(claims, cert["private_key"], algorithm=alg, headers=headers)


def _client_credentials(emulator, assertion, tenant=None):
    return post_token(
        emulator,
        {"grant_type": "client_credentials", "client_id": emulator.ids.cert_app, "scope": GRAPH,
         "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion},
        tenant=tenant,
    )


@pytest.fixture
def registered(emulator):
    return emulator.add_certificate(emulator.ids.cert_app, certificate()["certificate"])


def test_wrong_secret_is_7000215(emulator):
    result = emulator.secret_app(secret="not-the-secret").acquire_token_for_client([GRAPH])
    assert result["error"] == "invalid_client" and aadsts(result) == 7000215
    assert result["error_description"].startswith(
        "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client "
        f"secret value, not the client secret ID, for a secret added to app '{emulator.ids.secret_app}'."
    )
    raw = post_token(emulator, {"grant_type": "client_credentials", "client_id": emulator.ids.secret_app,
                                "client_secret": "wrong", "scope": GRAPH})
    assert raw.status_code == 401


def test_secret_in_basic_auth_header(emulator):
    raw = post_token(
        emulator, {"grant_type": "client_credentials", "scope": GRAPH}, auth=(emulator.ids.secret_app, emulator.ids.client_secret)
    )
    assert raw.status_code == 200 and verify_token(emulator, raw.json()["access_token"])["appidacr"] == "1"


def test_confidential_client_without_credential_is_7000218(emulator):
    # A refresh token of the secret app redeemed by a client that sends no secret.
    rt = emulator.device_code_login(emulator.secret_app(), [GRAPH])["refresh_token"]
    result = emulator.public_app(client_id=emulator.ids.secret_app).acquire_token_by_refresh_token(rt, [GRAPH])
    assert result["error"] == "invalid_client" and aadsts(result) == 7000218
    assert result["error_description"].startswith(
        "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
    )


def test_public_client_with_a_secret_is_700025(emulator):
    import msal

    app = msal.ConfidentialClientApplication(
        emulator.ids.public_app, client_credential="anything", authority=emulator.authority(),
        http_client=emulator.http(), instance_discovery=False,
    )
    result = app.acquire_token_for_client([GRAPH])
    assert result["error"] == "invalid_client" and aadsts(result) == 700025
    assert "Client is public so neither 'client_assertion' nor 'client_secret' should be presented." in (
        result["error_description"]
    )


def test_unregistered_certificate_is_700027(emulator):
    cert = certificate()  # not registered with the app
    app = emulator.cert_app({"private_key": cert["private_key"], "thumbprint": cert["thumbprint"]})
    result = app.acquire_token_for_client([GRAPH])
    assert result["error"] == "invalid_client" and aadsts(result) == 700027
    assert result["error_description"].startswith("AADSTS700027: Client assertion failed signature validation.")


def test_assertion_checks(emulator, registered):
    ok = _client_credentials(emulator, _assertion(emulator))  # unpadded x5t
    assert ok.status_code == 200 and verify_token(emulator, ok.json()["access_token"])["appidacr"] == "2"
    s256 = base64.urlsafe_b64encode(
        hashlib.sha256(base64.b64decode("".join(certificate()["certificate"].splitlines()[1:-1]))).digest()
    ).decode()
    ps256 = _client_credentials(emulator, _assertion(emulator, alg="PS256", header={"x5t#S256": s256}))
    assert ps256.status_code == 200  # the format Microsoft recommends (and msal >= 1.29 sends for .pfx)
    for bad in (
        _assertion(emulator, aud="https://127.0.0.1/other/oauth2/v2.0/token"),
        _assertion(emulator, iss=emulator.ids.secret_app),
        _assertion(emulator, exp_in=-3600),
        _assertion(emulator, header={}),
        "not.a.jwt",
    ):
        refused = _client_credentials(emulator, bad)
        assert refused.status_code == 401 and refused.json()["error_codes"] == [700027], refused.text


def test_unknown_client_is_700016(emulator):
    raw = post_token(emulator, {"grant_type": "client_credentials", "client_id": str(uuid.uuid4()),
                                "client_secret": "x", "scope": GRAPH})
    assert raw.status_code == 400 and raw.json()["error"] == "unauthorized_client"
    assert raw.json()["error_codes"] == [700016]


def test_unknown_tenant_at_token_endpoint_is_90002(emulator):
    raw = post_token(
        emulator, {"grant_type": "client_credentials", "client_id": emulator.ids.secret_app,
                   "client_secret": emulator.ids.client_secret, "scope": GRAPH},
        tenant="00000000-0000-0000-0000-000000000001",
    )
    assert raw.status_code == 400 and raw.json()["error"] == "invalid_request"
    assert raw.json()["error_description"].startswith(
        "AADSTS90002: Tenant '00000000-0000-0000-0000-000000000001' not found."
    )
    # The realistic way: the tenant disappears after msal read its discovery document.
    app = emulator.secret_app(emulator.ids.northwind)
    directory = emulator.get_directory()
    directory["tenants"] = [t for t in directory["tenants"] if t["id"] != emulator.ids.northwind]
    directory["gdap"] = [g for g in directory["gdap"] if g["customer"] != emulator.ids.northwind]
    directory["consents"] = [c for c in directory["consents"] if c["tenant"] != emulator.ids.northwind]
    emulator.put_directory(directory)
    assert aadsts(app.acquire_token_for_client([GRAPH])) == 90002


def test_unknown_tenant_at_discovery_is_90002(emulator):
    with pytest.raises(ValueError, match="Unable to get authority configuration"):
        emulator.public_app("nosuchtenant.onmicrosoft.com")
    raw = emulator.no_retry_http().get(f"{emulator.authority_host}/nosuchtenant.onmicrosoft.com/v2.0/.well-known/openid-configuration")
    assert raw.status_code == 400 and raw.json()["error"] == "invalid_tenant"
    assert raw.json()["error_codes"] == [90002]


def test_client_credentials_scope_errors(emulator):
    def attempt(*scopes, tenant=None):
        return emulator.secret_app(tenant).acquire_token_for_client(list(scopes))

    two = attempt(GRAPH, "https://management.azure.com/.default")
    assert two["error"] == "invalid_scope" and aadsts(two) == 70011
    assert aadsts(attempt("https://graph.microsoft.com/User.Read")) == 70011  # app tokens need .default
    assert aadsts(attempt("https://api.contoso.example/.default")) == 500011
    assert aadsts(attempt(GRAPH, tenant=emulator.ids.tailspin)) == 700016  # no service principal there
    with pytest.warns(DeprecationWarning):  # msal itself warns about app tokens from /organizations
        assert aadsts(attempt(GRAPH, tenant="organizations")) == 900023


def test_request_validation(emulator):
    missing = post_token(emulator, {"client_id": emulator.ids.public_app})
    assert missing.json()["error_codes"] == [900144] and "'grant_type'" in missing.json()["error_description"]
    unsupported = post_token(emulator, {"client_id": emulator.ids.public_app, "grant_type": "password"})
    assert unsupported.json()["error"] == "unsupported_grant_type"
    get = emulator.no_retry_http().get(emulator.token_url())
    assert get.status_code == 400 and get.json()["error_codes"] == [900561]
    correlated = post_token(emulator, {"client_id": emulator.ids.public_app}, headers={"client-request-id": "abc-123"})
    assert correlated.json()["correlation_id"] == "abc-123"
    assert "\r\nCorrelation ID: abc-123\r\nTimestamp: " in correlated.json()["error_description"]
