"""GDAP as Microsoft Graph reports it to the partner: relationships, their access assignments, and
which of the assigned security groups the consenting user is in.

Everything here is read with the profile's own delegated Graph token in the partner tenant
(DelegatedAdminRelationship.Read.All), on the one GraphClient; nothing is cached or inferred: the
readiness verdicts (`bridge._targets.readiness`) are built on what Graph answered.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Iterable, Mapping

from .._core.constants import BATCH_CONCURRENCY
from .._core.tokens import parse_iso
from .graph import GraphClient

RELATIONSHIPS = "/tenantRelationships/delegatedAdminRelationships"
PAGE_SIZE = "300"  # Graph's most per page for relationships
CHECK_MEMBER_GROUPS_LIMIT = 20  # groupIds per checkMemberGroups call
# Statuses in which a relationship's roles are in force ("expiring": active, but not for long).
IN_FORCE = frozenset({"active", "expiring"})
PENDING = frozenset({"created", "approvalPending", "approved", "activating"})
NO_AUTO_EXTEND = frozenset({"", "P0D", "PT0S"})


@dataclass(frozen=True)
class AccessAssignment:
    id: str
    status: str
    group_id: str  # a security group in the partner tenant
    roles: tuple[str, ...]  # role template ids

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "group_id": self.group_id, "roles": list(self.roles)}


@dataclass(frozen=True)
class Relationship:
    id: str
    name: str
    customer_id: str
    customer_name: str
    status: str
    end: datetime | None
    auto_extend: str  # ISO 8601 duration; P0D / PT0S: none
    roles: tuple[str, ...]
    assignments: tuple[AccessAssignment, ...] = ()

    @property
    def in_force(self) -> bool:
        return self.status in IN_FORCE

    @property
    def auto_extends(self) -> bool:
        return self.auto_extend not in NO_AUTO_EXTEND

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "status": self.status,
            "end": self.end.strftime("%Y-%m-%dT%H:%M:%SZ") if self.end else None,
            "auto_extend": self.auto_extend or None, "roles": list(self.roles),
            "assignments": [a.to_dict() for a in self.assignments],
        }


def _roles(item: Mapping[str, Any]) -> tuple[str, ...]:
    details = item.get("accessDetails")
    roles = details.get("unifiedRoles") if isinstance(details, Mapping) else None
    if not isinstance(roles, list):
        return ()
    return tuple(str(r["roleDefinitionId"]).lower() for r in roles
                 if isinstance(r, Mapping) and isinstance(r.get("roleDefinitionId"), str))


def _relationship(item: Mapping[str, Any]) -> Relationship | None:
    customer = item.get("customer") if isinstance(item.get("customer"), Mapping) else {}
    tenant = customer.get("tenantId")
    if not isinstance(item.get("id"), str) or not isinstance(tenant, str):
        return None  # not a relationship sam-bridge can place (no id or customer): skipped, not guessed
    return Relationship(
        id=item["id"], name=str(item.get("displayName") or ""), customer_id=tenant.lower(),
        customer_name=str(customer.get("displayName") or ""), status=str(item.get("status") or "unknown"),
        end=parse_iso(item.get("endDateTime")), auto_extend=str(item.get("autoExtendDuration") or ""),
        roles=_roles(item),
    )


def _assignment(item: Mapping[str, Any]) -> AccessAssignment | None:
    container = item.get("accessContainer") if isinstance(item.get("accessContainer"), Mapping) else {}
    group = container.get("accessContainerId")
    if not isinstance(group, str) or container.get("accessContainerType", "securityGroup") != "securityGroup":
        return None
    return AccessAssignment(str(item.get("id") or ""), str(item.get("status") or "unknown"), group.lower(), _roles(item))


def relationships(graph: GraphClient, *, concurrency: int = BATCH_CONCURRENCY) -> list[Relationship]:
    """Every GDAP relationship of the partner; those in force with their access assignments."""
    found = [r for r in (_relationship(i) for i in graph.list(
        RELATIONSHIPS, params={"$top": PAGE_SIZE}, doing="list the GDAP relationships")) if r is not None]

    def with_assignments(relationship: Relationship) -> Relationship:
        if not relationship.in_force:
            return relationship
        items = graph.list(f"{RELATIONSHIPS}/{relationship.id}/accessAssignments",
                           doing=f"list the access assignments of GDAP relationship {relationship.id}")
        assignments = tuple(a for a in (_assignment(i) for i in items) if a is not None)
        return replace(relationship, assignments=assignments)

    with ThreadPoolExecutor(max(1, min(concurrency, len(found)))) as pool:
        return list(pool.map(with_assignments, found))


def member_groups(graph: GraphClient, group_ids: Iterable[str]) -> set[str]:
    """The groups among `group_ids` the signed-in user is a member of, transitively (checkMemberGroups)."""
    wanted = sorted({g.lower() for g in group_ids})
    held: set[str] = set()
    for start in range(0, len(wanted), CHECK_MEMBER_GROUPS_LIMIT):
        chunk = wanted[start:start + CHECK_MEMBER_GROUPS_LIMIT]
        answer = graph.post("/me/checkMemberGroups", {"groupIds": chunk},
                            doing="check the consenting user's membership of the GDAP security groups")
        value = answer.get("value") if isinstance(answer, dict) else None
        held.update(str(g).lower() for g in value or [] if isinstance(g, str))
    return held
