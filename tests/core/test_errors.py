import pytest

from bridge._auth import aadsts
from bridge._core import errors as e

pytestmark = pytest.mark.unit

NBSP = "\u00a0"


def _resp(code, text, error="invalid_grant", **extra):
    return {"error": error, "error_description": f"AADSTS{code}: {text}\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: x",
            "error_codes": [code], "correlation_id": "corr-1", **extra}


def test_700082_names_the_issue_date_and_the_fix():
    err = aadsts.from_response(_resp(700082, f"The refresh token has expired due to inactivity.{NBSP}The token was issued on 2026-01-02T09:19:53.5422744Z and was inactive for 90.00:00:00."), profile="contoso")
    assert isinstance(err, e.RefreshTokenExpiredError)
    assert "2026-01-02T09:19:53.5422744Z" in err.remediation
    assert "sam-bridge consent --profile contoso" in err.remediation
    assert err.codes == (700082,) and err.correlation_id == "corr-1"


@pytest.mark.parametrize("code, cls, fragment", [
    (50173, e.RefreshTokenRevokedError, "revoked"),
    (50076, e.InteractionRequiredError, "Multi-factor"),
    (50078, e.InteractionRequiredError, "MFA"),
    (70043, e.InteractionRequiredError, "sign-in frequency"),
    (65001, e.ConsentRequiredError, "consented"),
    (700007, e.ClientCredentialError, "app registration"),
    (7000218, e.ClientCredentialError, "confidential client"),
    (700025, e.ClientCredentialError, "public client"),
    (7000215, e.ClientCredentialError, "Value (not its Secret ID)"),
    (700016, e.TenantAccessError, "not found in tenant"),
    (90002, e.TenantAccessError, "Tenant"),
    (50020, e.TenantAccessError, "GDAP"),
])
def test_each_mapped_code_has_its_cause(code, cls, fragment):
    err = aadsts.from_response(_resp(code, "whatever"), tenant="fabrikam.onmicrosoft.com", app_id="app")
    assert type(err) is cls
    assert fragment in err.remediation
    assert err.exit_code == 4 and err.to_dict()["codes"] == [code]


def test_codes_parsed_from_description_when_list_missing():
    assert aadsts.codes_of({"error_description": "AADSTS70002: x. AADSTS70008: y"}) == (70002, 70008)
    assert aadsts.codes_of({"error_codes": "nope", "error_description": 5}) == ()


def test_unknown_error_is_still_an_authentication_error():
    err = aadsts.from_response({"error": "weird"})
    assert type(err) is e.AuthenticationError and err.remediation is None


def test_secrets_are_scrubbed_from_messages():
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3gifQ.c2lnbmF0dXJlc2lnbmF0dXJl"
    err = aadsts.from_response({"error": "invalid_grant", "error_description": f"AADSTS70000: bad {jwt} refresh_token=0.AXsecret"})
    assert jwt not in str(err) and "0.AXsecret" not in str(err) and "0.AXsecret" not in repr(err.to_dict())
