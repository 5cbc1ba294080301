"""The batch RPC commands (bridge.rpc.batch) against the emulator: one streamed outcome per tenant
before a summary, the single commands' shapes, errors per tenant or per request, and one discovery
request per batch."""
from __future__ import annotations

import io
import json
from typing import Any

import pytest

import bridge
from bridge.rpc import protocol as _rpc
from bridge._auth.http import clear_discovery_cache

GRAPH = "https://graph.microsoft.com/.default"


def _request(command: str, **args: Any) -> str:
    return json.dumps({"v": 1, "command": command, "args": args, "secrets": {}, "config": None})


def _over_stdio(request: str) -> tuple[int, list[dict[str, Any]]]:
    """What `sam-bridge rpc` writes for a request: the events, then the response, one JSON line each."""
    out = io.StringIO()
    code = _rpc.serve_stdio(io.StringIO(request + "\n"), out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def test_token_batch_streams_one_outcome_per_tenant_then_a_summary(consented_profile):
    ids = consented_profile.emulator.ids
    tenants = [ids.fabrikam, "Northwind.onmicrosoft.com", ids.tailspin, "not a tenant!"]
    code, lines = _over_stdio(_request("token.batch", profile="contoso", scopes=[GRAPH], tenants=tenants, concurrency=2))
    assert code == 0
    assert lines[0] == {"event": "batch", "total": 4}
    results = [line for line in lines if line.get("event") == "result"]
    response = lines[-1]
    assert len(lines) == 6 and len(results) == 4
    assert sorted(r["done"] for r in results) == [1, 2, 3, 4] and {r["total"] for r in results} == {4}
    by_input = {r["input"]: r for r in results}
    assert set(by_input) == set(tenants)  # each outcome names the tenant as the caller spelled it
    assert by_input[ids.fabrikam]["ok"] and by_input[ids.fabrikam]["result"]["tenant_id"] == ids.fabrikam
    assert by_input["Northwind.onmicrosoft.com"]["tenant"] == "northwind.onmicrosoft.com"
    assert by_input["Northwind.onmicrosoft.com"]["result"]["tenant_id"] == ids.northwind
    assert by_input[ids.tailspin]["error"]["error_id"] == "SamBridge.TenantAccess"
    assert by_input[ids.tailspin]["error"]["codes"] == [50020]
    assert by_input["not a tenant!"]["error"]["error_id"] == "SamBridge.InvalidInput"
    assert response == {"ok": True, "result": {"total": 4, "succeeded": 2, "failed": 2}, "warnings": []}
    # one tenant of a batch has the single command's result, key for key
    single = _rpc.dispatch(_request("token", profile="contoso", scopes=[GRAPH], tenant=ids.fabrikam))
    assert set(single["result"]) == set(by_input[ids.fabrikam]["result"])


def test_without_a_channel_the_outcomes_come_in_the_response(consented_profile):
    ids = consented_profile.emulator.ids
    response = _rpc.dispatch(_request("token.batch", profile="contoso", scopes=[GRAPH], tenants=[ids.fabrikam, ids.northwind]))
    assert response["ok"] and response["result"]["succeeded"] == 2
    assert sorted(r["tenant"] for r in response["result"]["results"]) == sorted([ids.fabrikam, ids.northwind])


def test_a_batch_that_cannot_open_reports_each_tenant(emulator_profile):
    ids = emulator_profile.emulator.ids  # a profile without a refresh token
    response = _rpc.dispatch(_request("token.batch", profile="contoso", tenants=[ids.fabrikam, ids.northwind]))
    assert response["ok"] and response["result"]["failed"] == 2
    assert [r["error"]["error_id"] for r in response["result"]["results"]] == ["SamBridge.NoRefreshToken"] * 2
    assert [r["tenant"] for r in response["result"]["results"]] == [ids.fabrikam, ids.northwind]


@pytest.mark.parametrize("args, message", [
    ({"profile": "nope", "tenants": ["fabrikam.onmicrosoft.com"]}, "profile 'nope' is not in"),
    ({"profile": "contoso", "tenants": ["fabrikam.onmicrosoft.com"], "concurrency": 0}, "concurrency must be"),
    ({"profile": "contoso", "tenants": []}, "the batch has no tenants"),
])
def test_errors_about_the_request_fail_the_request(consented_profile, args, message):
    response = _rpc.dispatch(_request("token.batch", **args))
    assert not response["ok"] and message in response["error"]["message"]


def test_connect_params_batch_gives_each_tenant_its_parameters_and_warns_once(consented_profile):
    ids = consented_profile.emulator.ids
    code, lines = _over_stdio(_request("connect.params.batch", profile="contoso", target="AzureAD",
                                       tenants=[ids.fabrikam, ids.northwind]))
    assert code == 0
    results = {line["tenant"]: line for line in lines if line.get("event") == "result"}
    for tenant, outcome in results.items():
        assert outcome["ok"] and outcome["result"]["tenant_id"] == tenant
        assert outcome["result"]["parameters"]["TenantId"] == tenant
        assert outcome["result"]["qualified_cmdlet"] == "AzureAD\\Connect-AzureAD"
    warnings = lines[-1]["warnings"]
    assert len([w for w in warnings if w.startswith("The AzureAD module is deprecated")]) == 1


def test_a_batch_asks_for_one_discovery_document_not_one_per_tenant(consented_profile):
    emulator = consented_profile.emulator
    directory_ids = [emulator.ids.fabrikam, emulator.ids.northwind]
    clear_discovery_cache()
    mark = emulator.requests()[-1]["seq"]
    response = _rpc.dispatch(_request("token.batch", profile="contoso", scopes=[GRAPH], tenants=directory_ids, force_refresh=True))
    assert response["ok"] and response["result"]["succeeded"] == 2
    log = emulator.requests(mark)
    assert len([r for r in log if r["endpoint"] == "discovery"]) == 1  # the partner's, fetched before the workers start
    assert len([r for r in log if r["endpoint"] == "token"]) == 2


def test_outside_a_batch_every_tenant_fetches_its_own_discovery_document(consented_profile):
    """The derived documents are a batch's alone: a single exchange (and doctor) still asks Entra."""
    emulator = consented_profile.emulator
    clear_discovery_cache()
    mark = emulator.requests()[-1]["seq"]
    for tenant in (emulator.ids.fabrikam, emulator.ids.northwind):
        bridge.get_token(consented_profile.profile, [GRAPH], tenant, force_refresh=True)
    assert len([r for r in emulator.requests(mark) if r["endpoint"] == "discovery"]) == 2


def test_a_tenant_id_that_does_not_exist_fails_in_a_batch_as_it_would_alone(consented_profile):
    """Its derived document sends the request to its token endpoint, where Entra answers AADSTS90002."""
    missing = "0badc0de-0000-4000-8000-000000000000"
    alone = _rpc.dispatch(_request("token", profile="contoso", scopes=[GRAPH], tenant=missing))
    batch = _rpc.dispatch(_request("token.batch", profile="contoso", scopes=[GRAPH],
                                   tenants=[consented_profile.emulator.ids.fabrikam, missing]))
    outcome = next(r for r in batch["result"]["results"] if r["tenant"] == missing)
    assert not alone["ok"] and not outcome["ok"]
    assert 90002 in alone["error"]["codes"] and 90002 in outcome["error"]["codes"]
    assert outcome["error"]["error_id"] == alone["error"]["error_id"]
