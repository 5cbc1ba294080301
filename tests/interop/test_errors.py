"""The errors each library parses, and what it shows its user: exception class, error code list,
suberror, correlation id. One scenario per AADSTS code, run with every library that can meet it."""
from __future__ import annotations

import re
import uuid

import pytest

from tests.emulator._helpers import ARM, GRAPH, PARTNER_CENTER

from ._drivers import LIBRARIES, run

DAY = 86400
UNKNOWN_APP = "00000000-1111-2222-3333-444444444444"


def _signed_in(emulator, step, **extra):
    return {"flow": "device_code", "tenant": "organizations", "client_id": emulator.ids.public_app,
            "scopes": [GRAPH], "then": [step], **extra}


def _scenario(emulator, code):
    """(scenario, run options) that make Entra answer AADSTS`code`."""
    ids = emulator.ids
    if code == 700082:  # the refresh token idles past 90 days; the next silent call needs a refresh
        moved = []

        def idle(event):
            if not moved:
                moved.append(emulator.advance_clock(91 * DAY))

        return _signed_in(emulator, {"scopes": [ARM]}), {"on_step": idle}
    if code == 50020:
        return _signed_in(emulator, {"scopes": [GRAPH], "tenant": ids.tailspin}), {}
    if code == 65001:
        return _signed_in(emulator, {"scopes": [GRAPH], "tenant": ids.woodgrove}), {}
    if code == 50076:  # the helpdesk user has no second factor; Partner Center requires MFA
        return _signed_in(emulator, {"scopes": [PARTNER_CENTER]}), {"approve_as": ids.helpdesk}
    if code == 7000215:
        return {"flow": "client_credentials", "tenant": ids.fabrikam, "client_id": ids.secret_app,
                "client_secret": "not-the-secret", "scopes": [GRAPH]}, {}
    if code == 700016:
        return {"flow": "client_credentials", "tenant": ids.fabrikam, "client_id": UNKNOWN_APP,
                "client_secret": "anything", "scopes": [GRAPH]}, {}
    raise ValueError(code)


CODES = (700082, 50020, 65001, 50076, 7000215, 700016)


def _cells():
    for code in CODES:
        for library in LIBRARIES:
            if library == "azure-identity-node" and code in (50020, 65001):
                continue  # its cross-tenant getToken never reaches Entra (test_user_flows)
            yield pytest.param(library, code, id=f"{library}-{code}")


# The exception class each library raises for each answer (what its user catches).
CLASSES = {
    700082: ("MsalUiRequiredException", "AuthenticationRequiredException", "InteractionRequiredAuthError",
             "AuthenticationRequiredError", "AuthenticationRequiredError"),
    50020: ("MsalUiRequiredException", "AuthenticationRequiredException", "ServerError", None,
            "AuthenticationRequiredError"),
    65001: ("MsalUiRequiredException", "AuthenticationRequiredException", "InteractionRequiredAuthError", None,
            "AuthenticationRequiredError"),
    50076: ("MsalClaimsChallengeException", "AuthenticationRequiredException", "InteractionRequiredAuthError",
            "AuthenticationRequiredError", "AuthenticationRequiredError"),
    7000215: ("MsalServiceException", "AuthenticationFailedException", "ServerError", "AuthenticationRequiredError",
              "ClientAuthenticationError"),
    700016: ("MsalServiceException", "AuthenticationFailedException", "ServerError", "AuthenticationRequiredError",
             "ClientAuthenticationError"),
}
# The emulator's error, suberror, and MSAL.NET's classification of that suberror.
ANSWERS = {
    700082: ("invalid_grant", "bad_token", "None"),
    50020: ("invalid_grant", None, "None"),
    65001: ("invalid_grant", "consent_required", "ConsentRequired"),
    50076: ("invalid_grant", "basic_action", "BasicAction"),
    7000215: ("invalid_client", None, None),
    700016: ("unauthorized_client", None, None),
}


def _codes(text):
    return sorted({int(c) for c in re.findall(r"AADSTS(\d+)", text or "")})


def _described_correlation(text):
    found = re.search(r"Correlation ID: ([0-9a-f-]{36})", text or "")
    return found.group(1) if found else None


@pytest.mark.parametrize("library,code", list(_cells()))
def test_error_reaches_the_user(emulator, library, code):
    scenario, options = _scenario(emulator, code)
    result = run(emulator, library, scenario, **options)
    [error] = result.errors
    answered = [r for r in emulator.requests() if r["endpoint"] == "token" and r["error_codes"]][-1]
    assert answered["error_codes"] == [code]  # the library met the real answer
    error_name, suberror, classification = ANSWERS[code]
    assert error["type"].rsplit(".", 1)[-1] == CLASSES[code][LIBRARIES.index(library)], error
    if library in ("msal", "azure-identity-dotnet"):
        # MSAL.NET: ErrorCode, the AADSTS text, the suberror as Classification, the id it sent echoed back.
        assert error["error_code"] == error_name and _codes(error["msal_message"]) == [code]
        assert error.get("classification") == classification
        assert _described_correlation(error["msal_message"]) == error["correlation_id"]
        if library == "msal" or code in (7000215, 700016):
            assert "AADSTS%d" % code in error["message"] or "AADSTS%d" % code in error["msal_message"]
    elif library == "msal-node":
        assert error["error_code"] == error_name and error["error_no"] == code
        assert (error["suberror"] or None) == suberror
        assert _described_correlation(error["message"]) == error["correlation_id"]
    elif library == "azure-identity-node":
        # @azure/identity shows the AADSTS text for app credentials; for a user whose silent renewal
        # failed it says only that authentication is required (automatic authentication is off).
        if code in (7000215, 700016):
            assert _codes(error["message"]) == [code] and f"Error(s): {code}" in error["message"]
        else:
            assert "authentication() method" in error["message"]
    else:  # azure-identity-python: the message for app credentials, the response for users
        shown = error["message"] if code in (7000215, 700016) else error["response_body"]
        assert _codes(shown) == [code], error
        if code in (7000215, 700016):
            assert error["message"].startswith(f"Authentication failed: AADSTS{code}:")
        else:
            assert error["status"] == 400 and "authenticate" in error["message"]
