"""Client credentials with a secret and with a certificate (thumbprint kinds, with and without x5c)."""
from __future__ import annotations

import pytest

from tests.emulator._helpers import GRAPH, verify_token

from ._drivers import LIBRARIES, run


def _app_token(emulator, result):
    assert not result.errors, result.errors
    claims = verify_token(emulator, result.tokens[0]["access_token"], audience="https://graph.microsoft.com")
    assert claims["tid"] == emulator.ids.fabrikam and claims["idtyp"] == "app"
    return claims


@pytest.mark.parametrize("library", LIBRARIES)
def test_client_secret(emulator, library):
    result = run(emulator, library, {"flow": "client_credentials", "tenant": emulator.ids.fabrikam,
                                     "client_id": emulator.ids.secret_app, "client_secret": emulator.ids.client_secret,
                                     "scopes": [GRAPH]})
    claims = _app_token(emulator, result)
    assert claims["appid"] == emulator.ids.secret_app and claims["appidacr"] == "1"
    assert _sent(emulator) == "secret"


# The assertion header each library sends by default (MSAL.NET and @azure/identity: SHA-256 only;
# msal-node with `thumbprint` and Python's msal with a PEM key: SHA-1).
DEFAULT_HEADER = {"msal": "PS256 x5t#S256", "azure-identity-dotnet": "PS256 x5t#S256", "msal-node": "RS256 x5t",
                  "azure-identity-node": "PS256 x5t#S256", "azure-identity-python": "RS256 x5t"}


def _sent(emulator):
    [request] = [r for r in emulator.requests() if r["endpoint"] == "token"]
    return request["client_auth"]


@pytest.mark.parametrize("x5c", [False, True], ids=["no-x5c", "x5c"])
@pytest.mark.parametrize("library", LIBRARIES)
def test_client_certificate(emulator, client_certificate, library, x5c):
    """Each library's own certificate credential, with the thumbprint kind it sends by default."""
    result = run(emulator, library, {"flow": "client_credentials", "tenant": emulator.ids.fabrikam,
                                     "client_id": emulator.ids.cert_app, "send_x5c": x5c, **client_certificate,
                                     "thumbprint_sha256": None, "scopes": [GRAPH]})
    claims = _app_token(emulator, result)
    assert claims["appid"] == emulator.ids.cert_app and claims["appidacr"] == "2"
    assert _sent(emulator) == f"assertion {DEFAULT_HEADER[library]}" + (" x5c" if x5c else "")


@pytest.mark.parametrize("x5c", [False, True], ids=["no-x5c", "x5c"])
def test_msal_node_sha256_thumbprint(emulator, client_certificate, x5c):
    """msal-node lets the app choose: thumbprintSha256 gives PS256 with x5t#S256."""
    result = run(emulator, "msal-node", {"flow": "client_credentials", "tenant": emulator.ids.fabrikam,
                                         "client_id": emulator.ids.cert_app, "send_x5c": x5c, **client_certificate,
                                         "scopes": [GRAPH]})
    assert _app_token(emulator, result)["appidacr"] == "2"
    assert _sent(emulator) == "assertion PS256 x5t#S256" + (" x5c" if x5c else "")
