"""User flows after sign-in: silent refresh, cross-tenant (GDAP) silent tokens, redeeming a refresh
token, and the authorization-code flow with PKCE through the sign-in pages (password, then TOTP)."""
from __future__ import annotations

import pytest

from tests.emulator._helpers import ARM, GRAPH, verify_token

from ._drivers import LIBRARIES, run

MSAL_LIBRARIES = ("msal", "msal-node")  # the two that offer redeem-by-refresh-token and interactive PKCE
AZURE_IDENTITY = ("azure-identity-dotnet", "azure-identity-node", "azure-identity-python")


def _refreshes(emulator):
    return [r for r in emulator.requests() if r["endpoint"] == "token" and r["grant_type"] == "refresh_token"]


@pytest.mark.parametrize("library", [lib for lib in LIBRARIES if lib != "azure-identity-node"])
def test_silent_refresh_and_gdap_tenant(emulator, library):
    """Sign in once at organizations; then another resource and a customer tenant come silently."""
    steps = [{"scopes": [ARM]}, {"scopes": [GRAPH], "tenant": emulator.ids.fabrikam}]
    result = run(emulator, library, {"flow": "device_code", "tenant": "organizations",
                                     "client_id": emulator.ids.public_app, "scopes": [GRAPH], "then": steps})
    assert not result.errors, result.errors
    login, arm, customer = (verify_token(emulator, t["access_token"]) for t in result.tokens)
    assert login["aud"] == "https://graph.microsoft.com" and login["tid"] == emulator.ids.partner
    assert arm["aud"] == "https://management.azure.com" and arm["upn"] == emulator.ids.admin
    assert customer["tid"] == emulator.ids.fabrikam and customer["upn"] == emulator.ids.admin
    assert customer["idp"] == f"https://sts.windows.net/{emulator.ids.partner}/"
    refreshes = _refreshes(emulator)
    assert len(refreshes) == 2 and refreshes[1]["tenant"] == emulator.ids.fabrikam, refreshes


def test_azure_identity_node_answers_another_tenant_from_its_cache(emulator):
    """@azure/identity 4.13 (msal-node 3) looks the cache up by the account's home tenant first, so a
    getToken for a customer tenant returns the home tenant's cached token without asking Entra: a library
    limitation, the emulator never sees the request. A new scope goes to the token endpoint as it should."""
    steps = [{"scopes": [ARM]}, {"scopes": [GRAPH], "tenant": emulator.ids.fabrikam}]
    result = run(emulator, "azure-identity-node", {"flow": "device_code", "tenant": "organizations",
                                                   "client_id": emulator.ids.public_app, "scopes": [GRAPH], "then": steps})
    assert not result.errors, result.errors
    login, arm, customer = (verify_token(emulator, t["access_token"]) for t in result.tokens)
    assert arm["aud"] == "https://management.azure.com" and customer["tid"] == emulator.ids.partner
    assert customer["uti"] == login["uti"] and len(_refreshes(emulator)) == 1


@pytest.mark.parametrize("library", MSAL_LIBRARIES)
def test_forced_silent_refresh(emulator, library):
    result = run(emulator, library, {"flow": "device_code", "tenant": "organizations", "client_id": emulator.ids.public_app,
                                     "scopes": [GRAPH], "then": [{"scopes": [GRAPH], "force_refresh": True}]})
    assert not result.errors, result.errors
    first, again = (verify_token(emulator, t["access_token"]) for t in result.tokens)
    assert first["uti"] != again["uti"] and len(_refreshes(emulator)) == 1


@pytest.mark.parametrize("library", MSAL_LIBRARIES)
def test_redeem_refresh_token(emulator, library):
    """A refresh token kept elsewhere (the Secure Application Model's), redeemed for a customer tenant."""
    rt = emulator.device_code_login(emulator.public_app(), [GRAPH])["refresh_token"]
    result = run(emulator, library, {"flow": "refresh_token", "tenant": emulator.ids.fabrikam,
                                     "client_id": emulator.ids.public_app, "refresh_token": rt, "scopes": [GRAPH]})
    assert not result.errors, result.errors
    claims = verify_token(emulator, result.tokens[0]["access_token"])
    assert claims["tid"] == emulator.ids.fabrikam and claims["upn"] == emulator.ids.admin


@pytest.mark.parametrize("library", MSAL_LIBRARIES)
def test_auth_code_with_pkce(emulator, library):
    """The library builds the authorize URL (with its PKCE challenge: the public app requires one) and
    redeems the code with its verifier; the test is the browser."""
    result = run(emulator, library, {"flow": "auth_code", "tenant": "organizations", "client_id": emulator.ids.public_app,
                                     "scopes": [GRAPH], "then": [{"scopes": [GRAPH], "tenant": emulator.ids.fabrikam}]})
    assert not result.errors, result.errors
    [auth] = [e for e in result.events if e["event"] == "auth_url"]
    assert "code_challenge_method=S256" in auth["url"]
    login, customer = (verify_token(emulator, t["access_token"]) for t in result.tokens)
    assert login["amr"] == ["pwd", "mfa"] and customer["tid"] == emulator.ids.fabrikam


@pytest.mark.parametrize("library", ["azure-identity-dotnet", "azure-identity-node"])
def test_authorization_code_credential(emulator, library):
    """Azure.Identity's AuthorizationCodeCredential (confidential: it takes no PKCE verifier) redeems a
    code from the sign-in pages, then refreshes silently for a customer tenant."""
    scenario = _code_scenario(emulator, library)
    if library == "azure-identity-node":  # its cross-tenant getToken answers from cache (see above)
        scenario["then"] = [{"scopes": [ARM]}]
    result = run(emulator, library, scenario)
    assert not result.errors, result.errors
    login, later = (verify_token(emulator, t["access_token"]) for t in result.tokens)
    assert login["appidacr"] == "1" and login["amr"] == ["pwd", "mfa"]
    assert later["tid"] == emulator.ids.fabrikam or later["aud"] == "https://management.azure.com"
    assert len(_refreshes(emulator)) == 1


def test_authorization_code_credential_python_sends_no_secret(emulator):
    """Debian's azure-identity 1.13.0b2 drops the credential's client_secret when redeeming the code
    (a library bug): Entra refuses that with AADSTS7000218, and so does the emulator."""
    result = run(emulator, "azure-identity-python", _code_scenario(emulator, "azure-identity-python"))
    [error] = result.errors
    assert error["type"] == "azure.core.exceptions.ClientAuthenticationError" and error["status"] == 401
    assert "AADSTS7000218" in error["message"]
    [redemption] = [r for r in emulator.requests() if r["grant_type"] == "authorization_code"]
    assert redemption["error_codes"] == [7000218]


def _code_scenario(emulator, library):
    # System.Uri writes http://localhost as "http://localhost/"; the authorize request uses the same string
    # the credential will send, as an app would.
    redirect = "http://localhost/" if library.endswith("dotnet") else "http://localhost"
    return {"flow": "auth_code", "tenant": emulator.ids.partner, "client_id": emulator.ids.secret_app,
            "client_secret": emulator.ids.client_secret, "scopes": [GRAPH], "redirect_uri": redirect,
            "then": [{"scopes": [GRAPH], "tenant": emulator.ids.fabrikam}]}


@pytest.mark.parametrize("library", AZURE_IDENTITY)
def test_interactive_browser_with_pkce(emulator, library):
    """InteractiveBrowserCredential launches the system browser (tests/interop/browser/xdg-open), listens on
    loopback and redeems the code with its PKCE verifier; then a new resource comes silently."""
    steps = [{"scopes": [ARM]}]
    if library != "azure-identity-node":  # its cross-tenant getToken answers from cache (see above)
        steps.append({"scopes": [GRAPH], "tenant": emulator.ids.fabrikam})
    result = run(emulator, library, {"flow": "browser", "tenant": "organizations", "client_id": emulator.ids.public_app,
                                     "scopes": [GRAPH], "then": steps})
    assert not result.errors, result.errors
    [launched] = [e for e in result.events if e.get("system_browser")]
    assert "code_challenge_method=S256" in launched["url"] and "redirect_uri=http%3A%2F%2Flocalhost%3A" in launched["url"]
    tokens = [verify_token(emulator, t["access_token"]) for t in result.tokens]
    assert tokens[0]["amr"] == ["pwd", "mfa"] and tokens[1]["aud"] == "https://management.azure.com"
    if len(tokens) > 2:
        assert tokens[2]["tid"] == emulator.ids.fabrikam
