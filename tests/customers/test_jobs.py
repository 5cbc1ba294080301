"""Jobs that outlive a token, in Python: bridge.customer_connections gives one CustomerConnection per
customer whose parameters are renewed ahead of expiry; Teams' token pair stays within 5,400 s."""
from __future__ import annotations

import time

import pytest

import bridge
from bridge._core.tokens import claims_of
from tests.customers.conftest import last_sequence, token_requests

GRAPH = "https://graph.microsoft.com"
TEAMS = "48ac35b8-9aa8-4d74-927d-1f4a14a0b239"


def test_connections_come_unready_first_then_ready_with_parameters(world):
    found = list(bridge.customer_connections("contoso", "ExchangeOnline", all_customers=True))
    assert [c.tenant for c in found if not c.ok] == [c.tenant for c in found[:5]]  # the unready first
    unready = {c.tenant: c for c in found if not c.ok}
    assert world.ids["expired"] in unready
    with pytest.raises(bridge.CustomerNotReadyError, match="is expired"):
        unready[world.ids["expired"]].parameters()
    ready = [c for c in found if c.ok]
    assert {c.tenant for c in ready} == {world.ids["ready"], world.ids["nested"]}
    params = ready[0].parameters()
    assert params.parameters["DelegatedOrganization"] == ready[0].tenant
    assert "token" not in repr(ready[0]).lower().replace("tenant", "")


def test_parameters_are_renewed_when_less_than_the_margin_is_left(world):
    world.emulator.set_token_lifetime(120, GRAPH)  # two-minute Graph tokens (emulator control)
    customer = next(iter(bridge.customer_connections("contoso", "MgGraph", [world.ids["ready"]], margin=108)))
    first = customer.parameters()
    assert 100 < customer.seconds_left() <= 120 and not customer.due
    since = last_sequence(world.emulator)
    assert customer.parameters() is first  # 12 s of margin to spare: the same parameters, nothing asked
    assert token_requests(world.emulator, since) == []
    time.sleep(13)
    assert customer.due
    second = customer.parameters()
    assert second is not first and customer.connections == 2
    assert second.parameters["AccessToken"] != first.parameters["AccessToken"]
    assert second.expires_on > first.expires_on
    assert claims_of(second.parameters["AccessToken"])["tid"] == world.ids["ready"]
    requests = token_requests(world.emulator, since)
    assert [r["status"] for r in requests] == [200]  # a new token, not the cached one with 107 s left


def test_a_margin_longer_than_the_tokens_warns(world):
    world.emulator.set_token_lifetime(120, GRAPH)
    customer = next(iter(bridge.customer_connections("contoso", "MgGraph", [world.ids["ready"]], margin=300, preflight=False)))
    with pytest.warns(bridge.SamBridgeWarning, match="not more than the reconnect margin"):
        customer.parameters()


@pytest.mark.parametrize("margin", [-1, 3601, "600", True])
def test_a_bad_margin_is_refused(world, margin):
    with pytest.raises(bridge.InvalidInputError, match="reconnect margin"):
        list(bridge.customer_connections("contoso", "MgGraph", [world.ids["ready"]], margin=margin))


def _spread(params) -> float:
    graph, teams = (claims_of(t)["exp"] for t in params.parameters["AccessTokens"])
    return abs(graph - teams)


def test_the_teams_pair_is_minted_together_when_a_cached_token_is_far_apart(world):
    e, tenant = world.emulator, world.ids["ready"]
    e.set_token_lifetime(86000, GRAPH)
    bridge.get_token("contoso", [f"{GRAPH}/.default"], tenant=tenant)  # a cached Graph token of ~24 h
    e.set_token_lifetime(None, GRAPH)
    e.set_token_lifetime(3600)
    since = last_sequence(e)
    params = bridge.connect_parameters("contoso", "MicrosoftTeams", tenant)
    assert _spread(params) < 5400
    scopes = [r["scope"].split()[0] for r in token_requests(e, since)]
    # The Teams token, then both again together (the cached Graph token was 82,400 s from it).
    assert scopes == [f"{TEAMS}/.default", f"{GRAPH}/.default", f"{TEAMS}/.default"]


def test_a_teams_pair_entra_issues_too_far_apart_is_refused(world):
    e, tenant = world.emulator, world.ids["ready"]
    e.set_token_lifetime(86000, GRAPH)
    e.set_token_lifetime(3600, TEAMS)
    with pytest.raises(bridge.ServiceError, match="less than 5400 s"):
        bridge.connect_parameters("contoso", "MicrosoftTeams", tenant)
