"""A partner with customers in every readiness state, on the emulator (GDAP, groups, consents).

| customer  | GDAP (partner user admin@)                                        | consent | ExchangeOnline |
|-----------|-------------------------------------------------------------------|---------|----------------|
| Fabrikam  | default seed: Exchange Administrator -> GDAP Administrators       | yes     | ready          |
| Northwind | default seed: Global Administrator -> AdminAgents (nests admin's) | yes     | ready          |
| Expired   | Exchange Administrator -> GDAP Administrators, then expired       | yes     | expired        |
| Missing   | Teams Administrator only -> GDAP Administrators                   | yes     | missing role   |
| Outsider  | Exchange Administrator -> "Exchange Ops" (helpdesk@ only)         | yes     | not in group   |
| Unsigned  | Exchange Administrator -> GDAP Administrators                     | no      | no consent     |
| Woodgrove | default seed: Global Reader -> AdminAgents (a limited role)       | no      | no consent     |
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import pytest

from tests.fixtures.profiles import ProfileHandle, device_code_consent, make_profile

GDAP_ADMINISTRATORS = "3c3f0b6e-9a51-4d0e-9a7e-1b2f5f0c6a01"
EXCHANGE_ADMIN = "Exchange Administrator"


@dataclass
class World:
    handle: ProfileHandle
    ids: dict[str, str]  # state -> tenant id
    relationships: dict[str, str]  # state -> relationship id

    @property
    def emulator(self) -> Any:
        return self.handle.emulator


def seed_world(emulator: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Add the customers of the table above; their tenant ids and relationship ids by state."""
    e = emulator
    ids = {"ready": e.ids.fabrikam, "nested": e.ids.northwind, "limited_no_consent": e.ids.woodgrove}
    relationships: dict[str, str] = {}
    outsiders = e.add_group("Exchange Ops", ["helpdesk@contosopartner.onmicrosoft.com"])
    plan = {
        "expired": ([EXCHANGE_ADMIN], GDAP_ADMINISTRATORS, True),
        "missing_role": (["Teams Administrator"], GDAP_ADMINISTRATORS, True),
        "not_in_group": ([EXCHANGE_ADMIN], outsiders["id"], True),
        "no_consent": ([EXCHANGE_ADMIN], GDAP_ADMINISTRATORS, False),
    }
    for state, (roles, group, consented) in plan.items():
        tenant = e.add_customer(f"{state.replace('_', '')}.onmicrosoft.com", f"Customer {state}")["id"]
        rel = e.add_relationship(tenant, roles, name=f"{state} relationship",
                                 access_assignments=[{"group": group, "roles": roles}])
        ids[state], relationships[state] = tenant, rel["id"]
        if consented:
            e.add_consent(tenant, e.ids.public_app)
    e.expire_relationship(relationships["expired"])
    return ids, relationships


def world_profile(emulator: Any, env: dict[str, str]) -> ProfileHandle:
    """A consented profile on the emulator's Graph and Partner Center, with no customers list of its
    own: --all-customers asks Partner Center."""
    handle = make_profile(emulator, env, customers=(), graph_url=emulator.info["graph_url"],
                          partner_center_url=emulator.info["partner_center_url"])
    device_code_consent(handle)
    return handle


@pytest.fixture
def world(emulator: Any, isolated_env: dict[str, str]) -> Iterator[World]:
    ids, relationships = seed_world(emulator)
    yield World(world_profile(emulator, isolated_env), ids, relationships)


def token_requests(emulator: Any, since: int) -> list[dict[str, Any]]:
    return [r for r in emulator.requests(since) if r.get("endpoint") == "token"]


def last_sequence(emulator: Any) -> int:
    log = emulator.requests(0)
    return max((int(r["seq"]) for r in log), default=0)
