"""A consent without MFA: a warning on every Partner Center token handed out, doctor's findings for
every token it mints, and Partner Center's refusal (401 / 900421) turned into a remediation that names
the command to consent again with Entra MFA. Through the CLI, the Python API and doctor."""
from __future__ import annotations

import json
import warnings

import pytest

import bridge
from bridge import MfaClaimError
from bridge._services.partner_center import PartnerCenterClient, partner_center_customers
from tests.fixtures.profiles import device_code_consent

from .conftest import GRAPH, PARTNER_CENTER, warnings_of

CONSENT_AGAIN = "sam-bridge consent --profile contoso"


def diagnose(profile, **kwargs):
    from bridge._services.doctor import diagnose as run

    with warnings.catch_warnings():
        warnings.simplefilter("error", bridge.SamBridgeWarning)  # doctor reports in findings, not warnings
        return {f.check: f for f in run(profile, **kwargs)}


def test_the_next_partner_center_token_warns_naming_900421(no_mfa_profile):
    result = no_mfa_profile.cli("token", "--profile", "contoso", "--scope", PARTNER_CENTER, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["access_token"] not in result.stderr
    [warning] = [w for w in warnings_of(result.stderr) if "Partner Center access token" in w]
    assert "no 'mfa' in its amr claim (amr: pwd)" in warning and "error 900421" in warning
    assert f"Consent again with Entra MFA: run `{CONSENT_AGAIN}`" in warning
    # From the cache too: every Partner Center token handed out is checked.
    again = no_mfa_profile.cli("token", "--profile", "contoso", "--scope", PARTNER_CENTER)
    assert again.returncode == 0 and any("error 900421" in w for w in warnings_of(again.stderr)), again.stderr


def test_other_resources_and_mfa_consents_do_not_warn(no_mfa_profile, emulator_profile):
    graph = no_mfa_profile.cli("token", "--profile", "contoso", "--scope", GRAPH)
    assert graph.returncode == 0 and "900421" not in graph.stderr, graph.stderr
    device_code_consent(no_mfa_profile)  # the admin, with the authenticator code
    result = no_mfa_profile.cli("token", "--profile", "contoso", "--scope", PARTNER_CENTER)
    assert result.returncode == 0 and "900421" not in result.stderr, result.stderr


def test_the_python_api_warns_with_a_sambridgewarning(no_mfa_profile):
    with pytest.warns(bridge.SamBridgeWarning, match=r"Partner Center will refuse it. Consent again with Entra MFA") as caught:
        token = bridge.get_token("contoso", scopes=[PARTNER_CENTER])
    assert token.claims["amr"] == ["pwd"]
    assert all(token.token not in str(w.message) for w in caught)


def test_partner_center_refusing_the_customer_list_gives_the_remediation(no_mfa_profile):
    result = no_mfa_profile.cli("token", "--profile", "contoso", "--all-customers", "--scope", GRAPH)
    assert result.returncode == 4, (result.returncode, result.stderr)
    assert "error 900421" in result.stderr and "has no MFA claim" in result.stderr
    assert f"`{CONSENT_AGAIN}`" in result.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bridge.SamBridgeWarning)
        with pytest.raises(MfaClaimError) as refused:
            partner_center_customers(no_mfa_profile.profile, no_mfa_profile.store)
    assert refused.value.codes == (900421,) and refused.value.error_id == "SamBridge.MfaClaimRequired"
    assert CONSENT_AGAIN in refused.value.remediation
    # Nothing else was asked of Partner Center: one refused listing, no retries.
    listing = [r for r in no_mfa_profile.emulator.requests() if r["endpoint"] == "partnercenter"]
    assert [r["status"] for r in listing] == [401, 401]


def test_the_application_consent_call_maps_900421(no_mfa_profile):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bridge.SamBridgeWarning)
        token = bridge.get_token("contoso", scopes=[PARTNER_CENTER]).token
    client = PartnerCenterClient(no_mfa_profile.profile, token)
    with pytest.raises(MfaClaimError, match="refused to consent the app in") as refused:
        client.add_application_consent(no_mfa_profile.emulator.ids.fabrikam, {"applicationId": no_mfa_profile.profile.app_id})
    assert CONSENT_AGAIN in refused.value.remediation


def test_partner_center_pages_are_followed(no_mfa_profile):
    emulator = no_mfa_profile.emulator
    device_code_consent(no_mfa_profile)  # with MFA: Partner Center answers
    added = []
    for n in range(3):
        tenant = emulator.add_customer(f"paged{n}.onmicrosoft.com", f"Paged {n}")["id"]
        emulator.add_relationship(tenant, ["Global Reader"])
        added.append(tenant)
    with warnings.catch_warnings():
        warnings.simplefilter("error", bridge.SamBridgeWarning)  # an MFA token: no warning at all
        token = bridge.get_token("contoso", scopes=[PARTNER_CENTER]).token
    listed = [c["id"] for c in PartnerCenterClient(no_mfa_profile.profile, token).customers(page_size=2)]
    ids = emulator.ids
    assert listed == [ids.fabrikam, ids.northwind, ids.woodgrove, *added]
    pages = [r for r in emulator.requests() if r["endpoint"] == "partnercenter"]
    assert len(pages) == 3 and all(r["status"] == 200 for r in pages)


def test_doctor_checks_every_token_it_mints(no_mfa_profile):
    emulator = no_mfa_profile.emulator
    findings = diagnose("contoso", tenants=[emulator.ids.fabrikam])
    mfa = findings["mfa"]
    assert mfa.status == "fail" and "error 900421" in mfa.detail and "(amr: pwd)" in mfa.detail
    assert CONSENT_AGAIN in mfa.fix and "Entra MFA" in mfa.fix
    customer = findings[f"customer:{emulator.ids.fabrikam}"]
    assert customer.status == "warn" and "no MFA claim" in customer.detail and "900421" in customer.detail
    assert CONSENT_AGAIN in customer.fix
    offline = diagnose("contoso", offline=True)["mfa"]
    assert offline.status == "fail" and "error 900421" in offline.detail and CONSENT_AGAIN in offline.fix
    device_code_consent(no_mfa_profile)
    healthy = diagnose("contoso", tenants=[emulator.ids.fabrikam])
    assert healthy["mfa"].status == "ok" and healthy[f"customer:{emulator.ids.fabrikam}"].status == "ok"


def test_doctor_cli_reports_the_warning(no_mfa_profile):
    result = no_mfa_profile.cli("doctor", "--profile", "contoso", "--json", "--tenant", no_mfa_profile.emulator.ids.fabrikam)
    data = json.loads(result.stdout)
    by = {d["check"]: d for d in data}
    assert by["mfa"]["status"] == "fail" and "900421" in by["mfa"]["detail"]
    assert result.returncode != 0
