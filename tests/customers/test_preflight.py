"""Batches over all customers check them first: the unready ones are reported up front, with the
reason, and only the ready ones are exchanged (the emulator's request log counts the token
requests per tenant)."""
from __future__ import annotations

import json
from collections import Counter

from tests.customers.conftest import last_sequence, token_requests

EXCHANGE = "https://outlook.office365.com"
READY = ("ready", "nested")
UNREADY_BY_GDAP = ("expired", "missing_role", "not_in_group")
UNREADY_BY_CONSENT = ("no_consent", "limited_no_consent")


def _lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def _exchange_requests(world, since: int) -> tuple[Counter, Counter]:
    """Per tenant: Exchange token requests answered 200, and those refused."""
    ok, refused = Counter(), Counter()
    for r in token_requests(world.emulator, since):
        if EXCHANGE in (r.get("scope") or ""):
            (ok if r["status"] == 200 else refused)[r["tenant"]] += 1
    return ok, refused


def test_a_batch_over_all_customers_reports_the_unready_first_and_exchanges_only_for_the_ready(world):
    since = last_sequence(world.emulator)
    run = world.handle.cli("params", "ExchangeOnline", "--profile", "contoso", "--all-customers", "--json")
    assert run.returncode == 1, run.stderr  # some tenants failed
    lines = _lines(run.stdout)
    assert len(lines) == len(world.ids)
    first_ok = next(i for i, line in enumerate(lines) if line["ok"])
    assert all(line["ok"] for line in lines[first_ok:]), "every unready customer came before the first result"
    unready = {line["tenant"]: line["error"] for line in lines[:first_ok]}
    assert set(unready) == {world.ids[s] for s in UNREADY_BY_GDAP + UNREADY_BY_CONSENT}
    for tenant, error in unready.items():
        assert error["error_id"] == "SamBridge.CustomerNotReady"
        assert error["for_target"] == "ExchangeOnline"
        assert "is not ready for ExchangeOnline" in error["message"] and error["remediation"]
    assert "is expired" in unready[world.ids["expired"]]["message"]
    ready = {line["tenant"]: line["result"] for line in lines[first_ok:]}
    assert set(ready) == {world.ids[s] for s in READY}
    assert all(r["parameters"]["DelegatedOrganization"] == t for t, r in ready.items())

    ok, refused = _exchange_requests(world, since)
    for state in READY:  # the check's token is the batch's: one request, not two
        assert ok[world.ids[state]] == 1, (state, ok)
    for state in UNREADY_BY_GDAP:  # ruled out by Graph: Entra never asked
        assert ok[world.ids[state]] == refused[world.ids[state]] == 0, state
    for state in UNREADY_BY_CONSENT:  # Entra's answer (65001) is the check, and nothing more is asked
        assert ok[world.ids[state]] == 0 and refused[world.ids[state]] == 1, state


def test_no_preflight_tries_every_customer(world):
    since = last_sequence(world.emulator)
    run = world.handle.cli("params", "ExchangeOnline", "--profile", "contoso", "--all-customers", "--json", "--no-preflight")
    lines = {line["tenant"]: line for line in _lines(run.stdout)}
    assert lines[world.ids["expired"]]["error"]["error_id"] == "SamBridge.TenantAccess"  # Entra's 50020, at exchange
    ok, refused = _exchange_requests(world, since)
    assert refused[world.ids["expired"]] >= 1 and refused[world.ids["not_in_group"]] >= 1


def test_a_token_batch_checks_for_the_target_it_names(world):
    since = last_sequence(world.emulator)
    run = world.handle.cli("token", "--profile", "contoso", "--all-customers", "--scope", f"{EXCHANGE}/.default",
                           "--target", "ExchangeOnline")
    assert run.returncode == 1
    for state in UNREADY_BY_GDAP:
        assert f"{world.ids[state]}: error: tenant {world.ids[state]}" in run.stderr
    assert "not ready for ExchangeOnline" in run.stderr
    ok, _ = _exchange_requests(world, since)
    assert set(ok) == {world.ids[s] for s in READY}


def test_a_relationship_ending_soon_warns_in_a_batch(world):
    e = world.emulator
    e.update_relationship(world.relationships["no_consent"], ends_in_days=3, auto_extend_duration="PT0S")
    run = world.handle.cli("params", "MgGraph", "--profile", "contoso", "--all-customers", "--json", "--warn-days", "7")
    assert "warning: the GDAP relationship 'no_consent relationship'" in run.stderr
    assert "(in 3 days) and does not auto-extend" in run.stderr


def test_an_app_without_the_gdap_permission_still_runs_its_batch_unchecked_and_is_told(world):
    from bridge._core.constants import GRAPH_APP_ID, PARTNER_CENTER_APP_ID

    e = world.emulator
    e.add_consent(e.ids.partner, e.ids.public_app, grants={GRAPH_APP_ID: ["Directory.Read.All", "User.Read"],
                                                           PARTNER_CENTER_APP_ID: ["user_impersonation"]})
    run = world.handle.cli("params", "MgGraph", "--profile", "contoso", "--all-customers", "--json")
    assert "the customers were not checked for MgGraph before the exchanges" in run.stderr
    assert "DelegatedAdminRelationship.Read.All" in run.stderr
    lines = {line["tenant"]: line for line in _lines(run.stdout)}
    assert len(lines) == len(world.ids)  # every customer tried, as before the check existed
    assert lines[world.ids["expired"]]["error"]["error_id"] == "SamBridge.TenantAccess"


def test_a_failed_check_says_how_to_go_on_without_it(world):
    world.emulator.add_fault("500", target="graph", count=20)
    run = world.handle.cli("params", "MgGraph", "--profile", "contoso", "--all-customers", "--json")
    assert run.returncode != 0
    assert "--no-preflight" in run.stderr, run.stderr
