"""doctor on the stored refresh token (missing, near the 90-day deadline, expired) and on whether the
consent behind it satisfied MFA.

Online, doctor redeems the token once and reports what Entra says (and the amr of the token it
got). `--offline` keeps the local check: `status` judges the deadline with this machine's clock
against the stored `issued_at`, so those tests store a record issued long ago.
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


def test_refresh_token_near_the_deadline_warns_offline_and_exits_0(consented_profile):
    rewrite_refresh_token_metadata(consented_profile, issued_at=iso_days_ago(80), last_redeemed_at=iso_days_ago(80))
    code, data, _ = cli_json(consented_profile.env, "--profile", "contoso", "--offline")
    finding = next(d for d in data if d["check"] == "refresh_token")
    assert finding["status"] == "warn"
    assert finding["detail"].startswith(("10.0 days left", "9.9 days left")), finding["detail"]
    assert "sam-bridge keepalive --profile contoso" in finding["fix"]
    assert code == 0  # a warning is not a failure: a scheduled `doctor` keeps passing
    others = {d["check"]: d["status"] for d in data if d["check"] != "refresh_token"}
    assert {c for c, st in others.items() if st != "ok"} == {"authority", "clock", "app_kind"} | {
        c for c in others if c.startswith("customer:")}  # the network checks, skipped offline
    assert {st for c, st in others.items() if st != "ok"} == {"skip"}


def test_online_doctor_redeems_the_token_and_restarts_its_90_days(consented_profile):
    rewrite_refresh_token_metadata(consented_profile, issued_at=iso_days_ago(80), last_redeemed_at=iso_days_ago(80))
    before = consented_profile.refresh_token()
    findings = diagnose(consented_profile)
    assert findings["refresh_token"].status == "ok" and "Entra redeemed it now" in findings["refresh_token"].detail
    assert consented_profile.refresh_token() != before  # the rotation was stored, as by every exchange


def test_refresh_token_expired(consented_profile):
    """91 days on the identity provider's clock: Entra's AADSTS700082, though the record looks fine."""
    consented_profile.emulator.advance_clock(91 * 86400)
    offline = diagnose(consented_profile, offline=True)
    assert offline["refresh_token"].status == "ok"  # what the local record alone says
    findings = diagnose(consented_profile)
    token = findings["refresh_token"]
    assert token.status == "fail" and "AADSTS700082" in token.detail, token
    assert "sam-bridge consent --profile contoso" in token.fix and "keepalive" in token.fix and "90 days" in token.fix
    # Every tenant would say the same about a dead refresh token: the customers are skipped.
    emulator = consented_profile.emulator
    for tenant in (emulator.ids.fabrikam, emulator.ids.northwind):
        skipped = findings[f"customer:{tenant}"]
        assert skipped.status == "skip" and skipped.detail == "the refresh token itself was refused"
    # The refusal is on record: status (and doctor --offline) now say refused.
    after = diagnose(consented_profile, offline=True)["refresh_token"]
    assert after.status == "fail" and "AADSTS700082" in after.detail and "90 days" in after.fix


def test_revoked_user(consented_profile):
    """The consenting user's sessions revoked: Entra's AADSTS50173, reported by doctor and the CLI."""
    emulator = consented_profile.emulator
    emulator.revoke_user(emulator.ids.admin)
    code, data, _ = cli_json(consented_profile.env, "--profile", "contoso")
    assert code == 1
    token = next(d for d in data if d["check"] == "refresh_token")
    assert token["status"] == "fail" and "AADSTS50173" in token["detail"]
    assert "revoked" in token["fix"] and "sam-bridge consent --profile contoso" in token["fix"]
    status = consented_profile.cli("status", "--profile", "contoso")
    assert status.returncode == 1 and "REFUSED" in status.stderr and "AADSTS50173" in status.stderr
    assert "refusal_code: AADSTS50173" in status.stdout


def test_doctor_offline_sends_nothing(consented_profile):
    emulator = consented_profile.emulator
    seen = emulator.requests()
    last = seen[-1]["seq"] if seen else 0
    code, data, _ = cli_json(consented_profile.env, "--profile", "contoso", "--offline")
    assert code == 0
    assert emulator.requests(since=last) == []
    by = {d["check"]: d for d in data}
    assert by["refresh_token"]["status"] == "ok" and by["authority"]["status"] == "skip"
    assert "offline" in by["authority"]["detail"]


def test_customer_mfa_refusal_is_a_failed_finding(consented_profile):
    """50076 at a customer tenant (Partner Center scopes, a consent without MFA) fails with its fix
    (65001 and 50020 are in test_customers.py)."""
    emulator = consented_profile.emulator
    handle = consented_profile.with_profile(scopes=(GRAPH_DEFAULT,))
    device_code_consent(handle, emulator.ids.helpdesk, mfa=False)
    findings = diagnose(handle, tenants=[emulator.ids.fabrikam], customer_scopes=(PARTNER_CENTER,))
    finding = findings[f"customer:{emulator.ids.fabrikam}"]
    assert finding.status == "fail" and "AADSTS50076" in finding.detail, finding
    assert "completes MFA" in finding.fix


def test_consent_without_mfa(emulator_profile):
    """The helpdesk account has no second factor: it can consent to Graph, and doctor must say that
    its tokens will not satisfy Partner Center."""
    emulator = emulator_profile.emulator
    handle = emulator_profile.with_profile(scopes=(GRAPH_DEFAULT,))
    device_code_consent(handle, emulator.ids.helpdesk, mfa=False)
    findings = diagnose(handle)
    mfa = findings["mfa"]
    assert mfa.status == "fail"
    assert f"issued now for {emulator.ids.helpdesk} does not satisfy MFA (amr: pwd)" in mfa.detail
    assert "AADSTS50076" in mfa.detail and "an account that completes MFA" in mfa.fix
    offline = diagnose(handle, offline=True)["mfa"]  # the local record agrees
    assert offline.status == "fail" and f"the consent of {emulator.ids.helpdesk} did not satisfy MFA" in offline.detail
    assert findings["refresh_token"].status == "ok"
    # What the finding predicts is what happens: Partner Center refuses this refresh token.
    refused = handle.cli("token", "--profile", "contoso", "--scope", PARTNER_CENTER)
    assert refused.returncode != 0 and "AADSTS50076" in refused.stderr, refused.stderr


def test_imported_refresh_token_has_unknown_mfa(consented_profile):
    """A token imported from New-PartnerAccessToken or a vault: its sign-in is not on record."""
    import_refresh_token(consented_profile.profile, consented_profile.store, consented_profile.refresh_token())
    findings = diagnose(consented_profile, offline=True)
    assert findings["mfa"].status == "warn" and "imported" in findings["mfa"].detail
    assert "sam-bridge consent --profile contoso" in findings["mfa"].fix
    assert findings["refresh_token"].status == "ok"
    # Online, the amr of the token Entra issues now answers what the record cannot.
    assert "amr: pwd, mfa" in diagnose(consented_profile)["mfa"].detail


@pytest.mark.parametrize("issued_at", ["", "last tuesday"], ids=["empty", "unparsable"])
def test_refresh_token_without_a_usable_issue_time(consented_profile, issued_at):
    """A record written by hand or by an old version: the deadline is unknown, and doctor says so
    instead of failing to format a missing number."""
    rewrite_refresh_token_metadata(consented_profile, issued_at=issued_at)
    findings = diagnose(consented_profile, offline=True)
    assert findings["refresh_token"].status == "warn" and "deadline is unknown" in findings["refresh_token"].detail
    assert "keepalive" in findings["refresh_token"].fix


@pytest.mark.parametrize("code, fix", [
    (700082, "90 days without use"), (50173, "revoked"), (50076, "completes MFA"), (50078, "MFA claim"),
    (70043, "sign-in frequency"), (65001, "has not been consented"), (50020, "GDAP"),
])
def test_each_refusal_is_a_failed_finding_with_its_remediation(code, fix):
    """The codes the emulator cannot produce (50078, 70043) as Entra words them, through the same path."""
    from bridge._config import Profile
    from bridge._services.doctor import refusal_finding
    from bridge._auth.aadsts import from_response

    profile = Profile("contoso", "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c", "contoso.onmicrosoft.com")
    exc = from_response({"error": "invalid_grant", "error_codes": [code],
                         "error_description": f"AADSTS{code}: refused."}, profile="contoso", tenant="contoso.onmicrosoft.com")
    finding = refusal_finding(profile, exc)
    assert finding.status == "fail" and f"AADSTS{code}" in finding.detail
    assert fix in finding.fix
