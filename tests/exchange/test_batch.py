"""Batches across customer tenants against the emulator: concurrency, 429s, streaming, sources."""
from __future__ import annotations

import json

import pytest

import bridge
from bridge._services import batch as _batch
from bridge._services.partner_center import partner_center_customers
from bridge._core.scrub import fingerprint
from tests.fixtures.directory import with_customers

GRAPH = "https://graph.microsoft.com/.default"


@pytest.fixture
def fifty(consented_profile):
    emulator = consented_profile.emulator
    directory, ids = with_customers(emulator.get_directory(), 50, partner=emulator.ids.partner,
                                    apps=[emulator.ids.public_app])
    emulator.put_directory(directory)
    return consented_profile, ids


def test_fifty_tenants_with_injected_429s_all_succeed(fifty):
    handle, ids = fifty
    emulator = handle.emulator
    mark = emulator.requests()[-1]["seq"]
    emulator.add_fault("429", "token", count=12, retry_after=1)
    done = []
    results = list(_batch.tokens(handle.profile, handle.store, [GRAPH], ids, concurrency=8,
                                 on_done=lambda r, n, total: done.append((n, total))))
    assert sorted(r.tenant for r in results) == sorted(ids)
    for result in results:
        assert result.ok, result.error
        assert result.value.tenant_id == result.tenant and result.value.claims["aud"] == "https://graph.microsoft.com"
    assert done[-1] == (50, 50)
    log = [r for r in emulator.requests(mark) if r["endpoint"] == "token"]
    assert sum(1 for r in log if r["status"] == 429) == 12  # every 429 was answered with a retry
    assert sum(1 for r in log if r["status"] == 200) == 50
    # the stored token is one the emulator issued in this batch, and it still redeems
    issued = {r["issued_rt"] for r in log if r["issued_rt"]}
    assert fingerprint(handle.refresh_token()) in issued
    assert bridge.get_token(handle.profile, [GRAPH], ids[0], force_refresh=True).tenant_id == ids[0]


def test_batch_results_stream_per_tenant_with_clear_errors(consented_profile):
    ids = consented_profile.emulator.ids
    results = {r.tenant: r for r in _batch.tokens(consented_profile.profile, consented_profile.store, [GRAPH],
                                                  [ids.fabrikam, ids.tailspin, ids.woodgrove, ids.northwind])}
    assert results[ids.fabrikam].ok and results[ids.northwind].ok
    assert results[ids.tailspin].error.codes == (50020,)
    assert results[ids.woodgrove].error.codes == (65001,)
    assert results[ids.tailspin].to_dict()["error"]["remediation"]


def test_a_profile_wide_error_stops_the_batch(fifty):
    handle, ids = fifty
    emulator = handle.emulator
    emulator.revoke_user(emulator.ids.admin)
    mark = emulator.requests()[-1]["seq"]
    results = list(_batch.tokens(handle.profile, handle.store, [GRAPH], ids, concurrency=4))
    assert len(results) == 50 and all(r.error and r.error.codes == (50173,) for r in results)
    assert len([r for r in emulator.requests(mark) if r["endpoint"] == "token"]) < 10


def test_cached_tokens_are_reused_by_a_batch(consented_profile):
    ids = consented_profile.emulator.ids
    list(_batch.tokens(consented_profile.profile, consented_profile.store, [GRAPH], [ids.fabrikam, ids.northwind]))
    mark = consented_profile.emulator.requests()[-1]["seq"]
    again = list(_batch.tokens(consented_profile.profile, consented_profile.store, [GRAPH], [ids.fabrikam, ids.northwind]))
    assert all(r.ok and r.value.from_cache for r in again)
    assert consented_profile.emulator.requests(mark) == []


def test_cli_token_batch_prints_json_lines(consented_profile):
    ids = consented_profile.emulator.ids
    result = consented_profile.cli("token", "--scope", GRAPH, "--tenant", ids.fabrikam, "--tenant", ids.tailspin, "--json")
    assert result.returncode == 1  # one tenant failed
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_tenant = {line["tenant"]: line for line in lines}
    assert by_tenant[ids.fabrikam]["ok"] and by_tenant[ids.fabrikam]["result"]["tenant_id"] == ids.fabrikam
    assert not by_tenant[ids.tailspin]["ok"] and by_tenant[ids.tailspin]["error"]["codes"] == [50020]


def test_cli_params_for_all_customers_of_the_profile(consented_profile):
    result = consented_profile.cli("params", "AzAccount", "--all-customers", "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    ids = consented_profile.emulator.ids
    assert sorted(line["tenant"] for line in lines) == sorted([ids.fabrikam, ids.northwind])
    for line in lines:
        assert line["result"]["parameters"]["Tenant"] == line["tenant"]


def test_all_customers_from_the_partner_center_api(consented_profile, tmp_path):
    emulator = consented_profile.emulator
    handle = consented_profile.with_profile(customers=(), partner_center_url=f"{emulator.authority_host}/partnercenter")
    listed = partner_center_customers(handle.profile, handle.store)
    ids = emulator.ids
    assert sorted(listed) == sorted([ids.fabrikam, ids.northwind, ids.woodgrove])  # active GDAP relationships
    result = handle.cli("token", "--scope", GRAPH, "--all-customers", "--json")
    outcome = {json.loads(line)["tenant"]: json.loads(line)["ok"] for line in result.stdout.splitlines()}
    assert outcome == {ids.fabrikam: True, ids.northwind: True, ids.woodgrove: False}


def test_tenants_file(consented_profile, tmp_path):
    ids = consented_profile.emulator.ids
    path = tmp_path / "tenants.txt"
    path.write_text(f"# customers\n{ids.fabrikam}\n\nnorthwind.onmicrosoft.com  # by domain\n")
    assert _batch.read_tenants_file(str(path)) == [ids.fabrikam, "northwind.onmicrosoft.com"]
    path.write_text("not a tenant!\n")
    with pytest.raises(bridge.InvalidInputError, match="line 1"):
        _batch.read_tenants_file(str(path))


@pytest.mark.parametrize("concurrency", [0, 65, "8", True])
def test_concurrency_is_bounded(consented_profile, concurrency):
    with pytest.raises(bridge.InvalidInputError, match="concurrency"):
        list(_batch.tokens(consented_profile.profile, consented_profile.store, [GRAPH], ["fabrikam.onmicrosoft.com"],
                           concurrency=concurrency))
