"""doctor's customer-tenant checks: one real exchange per tenant, permitted or refused with Entra's code
and a fix that names the missing relationship or consent."""
from __future__ import annotations

from tests.doctor.conftest import cli_json, diagnose


def test_customer_tenants_permitted_and_refused(consented_profile):
    emulator = consented_profile.emulator
    tenants = [emulator.ids.fabrikam, emulator.ids.tailspin, emulator.ids.woodgrove]
    # Named on the command line (--tenant, repeatable), replacing the profile's own customer list.
    code, data, _ = cli_json(consented_profile.env, "--profile", "contoso",
                             *[arg for t in tenants for arg in ("--tenant", t)])
    assert code == 1
    by_check = {d["check"]: d for d in data}
    assert [d["check"] for d in data if d["check"].startswith("customer:")] == [f"customer:{t}" for t in tenants]

    fabrikam = by_check[f"customer:{emulator.ids.fabrikam}"]
    assert fabrikam["status"] == "ok" and f"in tenant {emulator.ids.fabrikam}" in fabrikam["detail"]

    # No GDAP relationship between the partner and Tailspin: the partner's user does not exist there.
    tailspin = by_check[f"customer:{emulator.ids.tailspin}"]
    assert tailspin["status"] == "fail" and "AADSTS50020" in tailspin["detail"]
    assert "granular delegated admin (GDAP) relationship" in tailspin["fix"]

    # A GDAP relationship, but the app was never consented in Woodgrove.
    woodgrove = by_check[f"customer:{emulator.ids.woodgrove}"]
    assert woodgrove["status"] == "fail" and "AADSTS65001" in woodgrove["detail"]
    assert f"Application {consented_profile.profile.app_id} has not been consented in tenant" in woodgrove["fix"]
    assert "Partner Center" in woodgrove["fix"]


def test_a_customer_named_by_domain(consented_profile):
    findings = diagnose(consented_profile, tenants=["fabrikam.onmicrosoft.com"])
    finding = findings["customer:fabrikam.onmicrosoft.com"]
    # The token's tenant is the GUID the domain resolves to: the exchange really went to Fabrikam.
    assert finding.status == "ok" and consented_profile.emulator.ids.fabrikam in finding.detail


def test_no_customer_tenants_configured(consented_profile):
    handle = consented_profile.with_profile(customers=())
    findings = diagnose(handle)
    assert findings["customer_tenants"].status == "skip"
    assert "--tenant" in findings["customer_tenants"].fix


def test_a_customer_check_asks_entra_not_the_access_token_cache(consented_profile):
    """A valid access token for Fabrikam is cached; then the GDAP relationship ends. The check must
    report Entra's refusal (AADSTS50020), not the cached token's yes."""
    emulator = consented_profile.emulator
    cached = consented_profile.cli("token", "--profile", "contoso", "--tenant", emulator.ids.fabrikam)
    assert cached.returncode == 0, cached.stderr
    directory = emulator.get_directory()
    directory["gdap"] = [g for g in directory["gdap"] if g["customer"] != emulator.ids.fabrikam]
    emulator.put_directory(directory)
    again = consented_profile.cli("token", "--profile", "contoso", "--tenant", emulator.ids.fabrikam)
    assert again.returncode == 0  # a job would still be served from the cache...
    finding = diagnose(consented_profile, tenants=[emulator.ids.fabrikam])[f"customer:{emulator.ids.fabrikam}"]
    assert finding.status == "fail" and "AADSTS50020" in finding.detail  # ...but doctor asks Entra
