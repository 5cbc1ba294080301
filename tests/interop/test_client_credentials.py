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


@pytest.mark.parametrize("x5c", [False, True], ids=["no-x5c", "x5c"])
@pytest.mark.parametrize("library", LIBRARIES)
def test_client_certificate(emulator, client_certificate, library, x5c):
    """Each library's own certificate credential, with the thumbprint kind it sends by default."""
    seen = []
    result = run(emulator, library, {"flow": "client_credentials", "tenant": emulator.ids.fabrikam,
                                     "client_id": emulator.ids.cert_app, "send_x5c": x5c, **client_certificate,
                                     "thumbprint_sha256": None, "scopes": [GRAPH]})
    claims = _app_token(emulator, result)
    assert claims["appid"] == emulator.ids.cert_app and claims["appidacr"] == "2"


@pytest.mark.parametrize("x5c", [False, True], ids=["no-x5c", "x5c"])
def test_msal_node_sha256_thumbprint(emulator, client_certificate, x5c):
    """msal-node lets the app choose: thumbprintSha256 gives PS256 with x5t#S256."""
    result = run(emulator, "msal-node", {"flow": "client_credentials", "tenant": emulator.ids.fabrikam,
                                         "client_id": emulator.ids.cert_app, "send_x5c": x5c, **client_certificate,
                                         "scopes": [GRAPH]})
    assert _app_token(emulator, result)["appidacr"] == "2"
