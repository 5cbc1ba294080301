"""`sam-bridge customers`: against the emulator seeded with a customer in each state (conftest.py),
each gets the verdict Graph's GDAP, its groups and Entra's consent answer call for."""
from __future__ import annotations

import json

import pytest

from bridge._core.constants import GRAPH_APP_ID
from tests.customers.conftest import EXCHANGE_ADMIN, GDAP_ADMINISTRATORS, last_sequence, token_requests

REASONS = {
    "expired": "is expired",
    "missing_role": "no active GDAP relationship grants Exchange Administrator or Global Administrator",
    "not_in_group": "admin@contosopartner.onmicrosoft.com is not in the security group",
    "no_consent": "the app is not consented in this tenant (AADSTS65001)",
    "limited_no_consent": "the app is not consented in this tenant (AADSTS65001)",
}
REMEDIATIONS = {
    "expired": "Request a new GDAP relationship granting Exchange Administrator",
    "missing_role": "request a new GDAP relationship granting Exchange Administrator",
    "not_in_group": "Add admin@contosopartner.onmicrosoft.com to group",
    "no_consent": "`sam-bridge app consent --profile contoso --tenant",
}


def _by_tenant(stdout: str) -> dict[str, dict]:
    return {c["tenant_id"]: c for c in json.loads(stdout)}


def test_customers_target_exchange_online_gives_each_state_its_verdict(world):
    since = last_sequence(world.emulator)
    run = world.handle.cli("customers", "--profile", "contoso", "--target", "ExchangeOnline", "--json")
    assert run.returncode == 1, run.stderr  # some customers are not ready: a check failed
    found = _by_tenant(run.stdout)
    assert set(found) == set(world.ids.values())  # every customer Partner Center lists, no more
    for state, tenant in world.ids.items():
        verdict = found[tenant]["verdicts"]["ExchangeOnline"]
        if state in ("ready", "nested"):
            assert verdict["ready"] is True, (state, verdict)
            assert verdict["reason"] is None
        else:
            assert verdict["ready"] is False, (state, verdict)
            assert REASONS[state] in verdict["reason"], (state, verdict)
            if state in REMEDIATIONS:
                assert REMEDIATIONS[state] in verdict["remediation"], (state, verdict)
    assert found[world.ids["expired"]]["relationship_status"] == "expired"
    assert found[world.ids["ready"]]["auto_extend"] is True
    assert "Exchange Administrator" in found[world.ids["ready"]]["roles_held"]
    assert found[world.ids["nested"]]["roles_held"] == ["Global Administrator"]  # through the nested group
    assert found[world.ids["not_in_group"]]["roles_granted"] == [EXCHANGE_ADMIN] and not found[world.ids["not_in_group"]]["roles_held"]
    assert found[world.ids["no_consent"]]["consent"] is False and found[world.ids["ready"]]["consent"] is True
    # Consent is asked of Entra only where GDAP could work: no token request for the other three.
    asked = {r["tenant"] for r in token_requests(world.emulator, since)}
    for state in ("expired", "missing_role", "not_in_group"):
        assert world.ids[state] not in asked, state
    assert world.ids["no_consent"] in asked


def test_customers_prints_a_table_with_the_reasons_and_what_to_do(world):
    run = world.handle.cli("customers", "--profile", "contoso", "--target", "exchangeonline")
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert lines[0].split()[:3] == ["CUSTOMER", "TENANT", "ID"] and lines[0].rstrip().endswith("ExchangeOnline")
    row = next(line for line in lines if world.ids["expired"] in line)
    assert "expired" in row and "NOT READY" in row
    assert next(line for line in lines if line.startswith("Fabrikam")).rstrip().endswith("ready")
    assert f"--tenant {world.ids['no_consent']}" in run.stderr  # the remediation, on stderr


def test_customers_without_a_target_gives_every_current_target_a_verdict(world):
    run = world.handle.cli("customers", "--profile", "contoso", "--json")
    assert run.returncode == 0, run.stderr
    found = _by_tenant(run.stdout)
    missing = found[world.ids["missing_role"]]
    assert "MicrosoftTeams" in missing["ready_for"] and "ExchangeOnline" not in missing["ready_for"]
    assert "AzureAD" not in missing["verdicts"]  # retired modules only when asked for by name
    assert found[world.ids["expired"]]["ready_for"] == ["PartnerCenter"]  # called in the partner tenant


def test_a_customer_without_any_relationship_and_one_not_yet_approved(world):
    e = world.emulator
    pending = e.add_customer("pending.onmicrosoft.com", "Pending")["id"]
    e.add_relationship(pending, [EXCHANGE_ADMIN], status="approvalPending", name="asked")
    run = world.handle.cli("customers", "--profile", "contoso", "--target", "ExchangeOnline", "--json",
                           "--tenant", "tailspin.onmicrosoft.com", "--tenant", pending)
    found = {c["tenant"]: c for c in json.loads(run.stdout)}
    tailspin = found["tailspin.onmicrosoft.com"]
    assert tailspin["tenant_id"] == e.ids.tailspin  # a domain is resolved to its tenant id
    assert tailspin["verdicts"]["ExchangeOnline"]["reason"] == "no GDAP relationship with this customer"
    assert "not active yet (status approvalPending)" in found[pending]["verdicts"]["ExchangeOnline"]["reason"]


def test_a_role_granted_but_assigned_to_no_group(world):
    e = world.emulator
    tenant = e.add_customer("unassigned.onmicrosoft.com", "Unassigned")["id"]
    e.add_relationship(tenant, [EXCHANGE_ADMIN, "Teams Administrator"],
                       access_assignments=[{"group": GDAP_ADMINISTRATORS, "roles": ["Teams Administrator"]}])
    e.add_consent(tenant, e.ids.public_app)
    run = world.handle.cli("customers", "--profile", "contoso", "--target", "ExchangeOnline", "--json", "--tenant", tenant)
    verdict = json.loads(run.stdout)[0]["verdicts"]["ExchangeOnline"]
    assert "no access assignment gives it to a security group" in verdict["reason"]
    assert "Assign roles" in verdict["remediation"]


def test_relationships_ending_soon_without_auto_extend_warn(world):
    e = world.emulator
    tenant = e.add_customer("ending.onmicrosoft.com", "Ending")["id"]
    e.add_relationship(tenant, [EXCHANGE_ADMIN], name="short", ends_in_days=10, auto_extend_duration="PT0S",
                       access_assignments=[{"group": GDAP_ADMINISTRATORS, "roles": [EXCHANGE_ADMIN]}])
    e.add_consent(tenant, e.ids.public_app)
    warned = world.handle.cli("customers", "--profile", "contoso", "--target", "ExchangeOnline", "--tenant", tenant)
    assert warned.returncode == 0, warned.stderr  # it still works: a warning, not a failure
    assert "the GDAP relationship 'short' with Ending ends on" in warned.stderr
    assert "does not auto-extend" in warned.stderr
    quiet = world.handle.cli("customers", "--profile", "contoso", "--target", "ExchangeOnline", "--tenant", tenant,
                             "--warn-days", "5")
    assert "does not auto-extend" not in quiet.stderr
    # The seed's relationships auto-extend: no warning for them, whatever is left.
    assert "Fabrikam" not in world.handle.cli("customers", "--profile", "contoso", "--warn-days", "730").stderr


def test_relationships_and_customers_are_read_across_pages(world, monkeypatch):
    import bridge
    from bridge._services import gdap

    monkeypatch.setattr(gdap, "PAGE_SIZE", "2")  # seven relationships: four pages
    since = last_sequence(world.emulator)
    found = bridge.customers("contoso", target="MicrosoftTeams")
    assert {c.tenant_id for c in found} == set(world.ids.values())
    pages = [r for r in world.emulator.requests(since)
             if "delegatedAdminRelationships" in r.get("path", "") and "accessAssignments" not in r.get("path", "")]
    assert len(pages) == 4, [r.get("path") for r in pages]
    assert next(c for c in found if c.tenant_id == world.ids["missing_role"]).verdicts["MicrosoftTeams"].ready


def test_a_graph_token_without_the_gdap_permission_is_refused_with_what_to_do(world):
    e = world.emulator
    # Consent of the app in the partner tenant without DelegatedAdminRelationship.Read.All.
    e.add_consent(e.ids.partner, e.ids.public_app, grants={GRAPH_APP_ID: ["Directory.Read.All", "User.Read"]})
    run = world.handle.cli("customers", "--profile", "contoso", "--target", "MgGraph")
    assert run.returncode == 4, run.stderr
    assert "Microsoft Graph refused to list the GDAP relationships: HTTP 403" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("days", ["-1", "731", "soon"])
def test_warn_days_out_of_range_is_refused(world, days):
    run = world.handle.cli("customers", "--profile", "contoso", "--warn-days", days)
    assert run.returncode == 2
