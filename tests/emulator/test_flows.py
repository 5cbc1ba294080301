"""Every flow with each kind of client: public, confidential with a secret, confidential with a certificate."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from ._helpers import ARM, GRAPH, browser_sign_in, certificate, query_of, verify_token

APPIDACR = {"public": "0", "secret": "1", "certificate": "2"}


class AppFactory:
    def __init__(self, kind: str, client_id: str, make: Callable[[str | None], Any]) -> None:
        self.kind = kind
        self.client_id = client_id
        self.appidacr = APPIDACR[kind]
        self._make = make

    def __call__(self, tenant: str | None = None) -> Any:
        return self._make(tenant)


def _factory(kind: str, emulator: Any) -> AppFactory:
    ids = emulator.ids
    if kind == "public":
        return AppFactory(kind, ids.public_app, emulator.public_app)
    if kind == "secret":
        return AppFactory(kind, ids.secret_app, emulator.secret_app)
    cert = certificate()
    registered = emulator.add_certificate(ids.cert_app, cert["certificate"])
    assert registered["app_id"] == ids.cert_app
    credential = {"private_key": cert["private_key"], "thumbprint": cert["thumbprint"]}
    return AppFactory(kind, ids.cert_app, lambda tenant=None: emulator.cert_app(credential, tenant))


@pytest.fixture(params=["public", "secret", "certificate"])
def make_app(request: pytest.FixtureRequest, emulator: Any) -> AppFactory:
    return _factory(request.param, emulator)


@pytest.fixture(params=["secret", "certificate"])
def make_confidential_app(request: pytest.FixtureRequest, emulator: Any) -> AppFactory:
    return _factory(request.param, emulator)


def test_device_code(emulator, make_app):
    result = emulator.device_code_login(make_app(), [GRAPH])
    assert "access_token" in result, result
    claims = verify_token(emulator, result["access_token"], audience="https://graph.microsoft.com")
    assert claims["appid"] == make_app.client_id and claims["appidacr"] == make_app.appidacr
    assert claims["tid"] == emulator.ids.partner and claims["amr"] == ["pwd", "mfa"]
    assert "User.Read" in claims["scp"].split() and "DelegatedAdminRelationship.Read.All" in claims["scp"].split()
    assert result["scope"] == GRAPH
    assert result["client_info"] and result["refresh_token"]


def test_auth_code_with_pkce(emulator, make_app):
    app = make_app()
    flow = app.initiate_auth_code_flow(
        ["https://management.azure.com//user_impersonation"], redirect_uri="http://localhost:8400"
    )
    assert "code_challenge=" in flow["auth_uri"] and "code_challenge_method=S256" in flow["auth_uri"]
    location = browser_sign_in(emulator, flow["auth_uri"], emulator.ids.admin)
    assert location.startswith("http://localhost:8400/?")  # a trailing "/" is added to a path-less URI
    response = query_of(location)
    assert response["state"] == flow["state"] and response["session_state"] and response["client_info"]
    result = app.acquire_token_by_auth_code_flow(flow, response)
    assert "access_token" in result, result
    claims = verify_token(emulator, result["access_token"], audience="https://management.azure.com/")
    assert claims["scp"] == "user_impersonation" and claims["amr"] == ["pwd", "mfa"]
    assert claims["appidacr"] == make_app.appidacr
    # msal checked the id_token's nonce against the one it sent; the claim is there.
    assert result["id_token_claims"]["nonce"] and result["id_token_claims"]["aud"] == make_app.client_id
    assert result["scope"] == "https://management.azure.com//user_impersonation"


def test_refresh_token_rotation(emulator, make_app):
    first = emulator.device_code_login(make_app(), [GRAPH])
    old_rt = first["refresh_token"]

    second = make_app().acquire_token_by_refresh_token(old_rt, [ARM])
    assert "access_token" in second, second
    new_rt = second["refresh_token"]
    assert new_rt != old_rt  # a new refresh token on every redemption
    claims = verify_token(emulator, second["access_token"], audience="https://management.azure.com")
    assert claims["scp"] == "user_impersonation"
    assert claims["amr"] == ["pwd", "mfa"]  # carried forward from the original sign-in
    assert second["client_info"] == first["client_info"]

    # The old refresh token keeps working (Entra does not revoke it), and so does the new one.
    again = make_app().acquire_token_by_refresh_token(old_rt, [GRAPH])
    assert "access_token" in again and again["refresh_token"] not in (old_rt, new_rt)
    assert "access_token" in make_app().acquire_token_by_refresh_token(new_rt, [GRAPH])


def test_silent_calls_use_the_cache_then_the_refresh_token(emulator, make_app):
    app = make_app()
    emulator.device_code_login(app, [GRAPH])
    [account] = app.get_accounts()

    def token_calls() -> int:
        return sum(1 for r in emulator.requests() if r["endpoint"] == "token")

    before = token_calls()
    cached = app.acquire_token_silent([GRAPH], account)
    assert cached["access_token"] and token_calls() == before  # the echoed scope matched the cache entry
    refreshed = app.acquire_token_silent_with_error([ARM], account)  # another resource: redeem the RT
    assert "access_token" in refreshed, refreshed
    assert token_calls() == before + 1
    assert verify_token(emulator, refreshed["access_token"])["aud"] == "https://management.azure.com"


def test_client_credentials(emulator, make_confidential_app):
    result = make_confidential_app().acquire_token_for_client([GRAPH])
    assert "access_token" in result, result
    assert result["expires_in"] == 3600 and "refresh_token" not in result and "id_token" not in result
    claims = verify_token(emulator, result["access_token"], audience="https://graph.microsoft.com")
    assert claims["idtyp"] == "app" and claims["appid"] == make_confidential_app.client_id
    assert claims["appidacr"] == make_confidential_app.appidacr and claims["tid"] == emulator.ids.partner
    assert "Directory.Read.All" in claims["roles"] and "scp" not in claims and "upn" not in claims
    assert claims["oid"] == claims["sub"]


def test_client_credentials_in_customer_tenant(emulator, make_confidential_app):
    app = make_confidential_app(emulator.ids.fabrikam)
    result = app.acquire_token_for_client(["https://outlook.office365.com/.default"])
    claims = verify_token(emulator, result["access_token"], audience="https://outlook.office365.com")
    assert claims["tid"] == emulator.ids.fabrikam
    assert set(claims["roles"]) == {"full_access_as_app", "Exchange.ManageAsApp"}


def test_public_client_cannot_use_client_credentials(emulator):
    result = emulator.public_app().client.obtain_token_for_client(scope=[GRAPH])
    assert result["error"] == "invalid_client" and result["error_codes"] == [7000218]
