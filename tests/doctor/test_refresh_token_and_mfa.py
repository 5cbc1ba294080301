"""doctor on the stored refresh token (missing, near the 90-day deadline, expired) and on whether the
consent behind it satisfied MFA.

`status` (and so doctor) judges the deadline with this machine's clock against the stored
`issued_at`, so these tests store a record issued long ago. For the expired case the emulator's
clock is moved on as well, so the authority agrees when doctor tries an exchange.
"""
from __future__ import annotations

import pytest

from bridge._services.exchange import import_refresh_token
from tests.doctor.conftest import GRAPH_DEFAULT, PARTNER_CENTER, cli_json, diagnose, iso_days_ago, rewrite_refresh_token_metadata
from tests.fixtures.profiles import device_code_consent


def test_no_refresh_token(emulator_profile):
    findings = diagnose(emulator_profile)
    assert findings["refresh_token"].status == "fail"
    assert findings["refresh_token"].detail == "no refresh token is stored"
    assert "`sam-bridge consent --profile contoso`" in findings["refresh_token"].fix
    assert findings["mfa"].status == "skip"
    # Customer checks would only repeat "no refresh token" once per tenant: skipped instead.
    customers = [f for name, f in findings.items() if name.startswith("customer:")]
    assert len(customers) == 2 and {f.status for f in customers} == {"skip"}


def test_refresh_token_near_the_deadline_warns_and_exits_0(consented_profile):
    rewrite_refresh_token_metadata(consented_profile, issued_at=iso_days_ago(80), last_redeemed_at=iso_days_ago(80))
    code, data, _ = cli_json(consented_profile.env, "--profile", "contoso")
    finding = next(d for d in data if d["check"] == "refresh_token")
    assert finding["status"] == "warn"
    assert finding["detail"].startswith(("10.0 days left", "9.9 days left")), finding["detail"]
    assert "sam-bridge keepalive --profile contoso" in finding["fix"]
    assert code == 0  # a warning is not a failure: a scheduled `doctor` keeps passing
    assert [d["status"] for d in data if d["check"] != "refresh_token"] == ["ok"] * (len(data) - 1)


def test_refresh_token_expired(consented_profile):
    issued = iso_days_ago(95)
    rewrite_refresh_token_metadata(consented_profile, issued_at=issued, last_redeemed_at=issued)
    consented_profile.emulator.advance_clock(91 * 86400)  # the authority's view matches the record
    findings = diagnose(consented_profile)
    token = findings["refresh_token"]
    assert token.status == "fail" and "expired from inactivity on" in token.detail and issued in token.detail
    assert "sam-bridge consent --profile contoso" in token.fix and "keepalive" in token.fix
    # The first customer exchange gets Entra's own verdict (AADSTS700082); the others are skipped
    # because every tenant would say the same about a dead refresh token.
    emulator = consented_profile.emulator
    first, second = findings[f"customer:{emulator.ids.fabrikam}"], findings[f"customer:{emulator.ids.northwind}"]
    assert first.status == "fail" and "AADSTS700082" in first.detail and "90 days" in first.fix
    assert second.status == "skip" and second.detail == "the refresh token itself was refused"


def test_consent_without_mfa(emulator_profile):
    """The helpdesk account has no second factor: it can consent to Graph, and doctor must say that
    its tokens will not satisfy Partner Center."""
    emulator = emulator_profile.emulator
    handle = emulator_profile.with_profile(scopes=(GRAPH_DEFAULT,))
    device_code_consent(handle, emulator.ids.helpdesk, mfa=False)
    findings = diagnose(handle)
    mfa = findings["mfa"]
    assert mfa.status == "fail"
    assert f"the consent of {emulator.ids.helpdesk} did not satisfy MFA" in mfa.detail and "AADSTS50076" in mfa.detail
    assert "an account that completes MFA" in mfa.fix
    assert findings["refresh_token"].status == "ok"
    # What the finding predicts is what happens: Partner Center refuses this refresh token.
    refused = handle.cli("token", "--profile", "contoso", "--scope", PARTNER_CENTER)
    assert refused.returncode != 0 and "AADSTS50076" in refused.stderr, refused.stderr


def test_imported_refresh_token_has_unknown_mfa(consented_profile):
    """A token imported from New-PartnerAccessToken or a vault: its sign-in is not on record."""
    import_refresh_token(consented_profile.profile, consented_profile.store, consented_profile.refresh_token())
    findings = diagnose(consented_profile)
    assert findings["mfa"].status == "warn" and "imported" in findings["mfa"].detail
    assert "sam-bridge consent --profile contoso" in findings["mfa"].fix
    assert findings["refresh_token"].status == "ok"


@pytest.mark.parametrize("issued_at", ["", "last tuesday"], ids=["empty", "unparsable"])
def test_refresh_token_without_a_usable_issue_time(consented_profile, issued_at):
    """A record written by hand or by an old version: the deadline is unknown, and doctor says so
    instead of failing to format a missing number."""
    rewrite_refresh_token_metadata(consented_profile, issued_at=issued_at)
    findings = diagnose(consented_profile)
    assert findings["refresh_token"].status == "warn" and "deadline is unknown" in findings["refresh_token"].detail
    assert "keepalive" in findings["refresh_token"].fix
