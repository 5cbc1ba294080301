"""Device-code flow with each library: the user approves on /devicelogin (password, then TOTP)."""
from __future__ import annotations

import pytest

from tests.emulator._helpers import GRAPH, verify_token

from ._drivers import LIBRARIES, run


@pytest.mark.parametrize("library", LIBRARIES)
def test_device_code_sign_in(emulator, library):
    result = run(emulator, library, {"flow": "device_code", "tenant": "organizations",
                                     "client_id": emulator.ids.public_app, "scopes": [GRAPH]})
    assert not result.errors, result.errors
    [device] = [e for e in result.events if e["event"] == "device_code"]
    assert device["verification_url"].endswith("/devicelogin")
    claims = verify_token(emulator, result.tokens[0]["access_token"])
    assert claims["upn"] == emulator.ids.admin and claims["amr"] == ["pwd", "mfa"]
