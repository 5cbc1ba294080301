"""GDAP on the Graph stand-in: delegated admin relationships, their access assignments, and
`me/checkMemberGroups` (sam-lifecycle fact sheet 3.1-3.2).

`GET /tenantRelationships/delegatedAdminRelationships` (`$top` up to 300, `$filter` on `status` or
`customer/tenantId`, `@odata.nextLink` with a `$skiptoken`), `.../{id}` and `.../{id}/accessAssignments`
list the token tenant's relationships as a partner; they need DelegatedAdminRelationship.Read.All or
.ReadWrite.All (delegated or application). `POST /me/checkMemberGroups` answers which of up to 20 group
ids the signed-in user is in, nested groups included. Status and end dates are computed at the
emulator clock, so moving the clock expires a relationship that does not auto-extend.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from typing import Any, Mapping

from ._directory import (
    ASSIGNMENT_STATUSES,
    DAY,
    GDAP_STATUSES,
    AccessAssignment,
    Directory,
    Gdap,
    SeedError,
    Tenant,
    duration_seconds,
    iso_instant,
    parse_assignment,
)
from ._graph import GraphError, _bad, _denied, _not_found
from ._state import ControlError

_GDAP_READ = {"DelegatedAdminRelationship.Read.All", "DelegatedAdminRelationship.ReadWrite.All"}
# checkMemberGroups for the signed-in user: GroupMember.Read.All is the least privileged.
_MEMBERSHIP_READ = {"GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All",
                    "Directory.ReadWrite.All", "Directory.AccessAsUser.All"}
MAX_TOP = 300
DEFAULT_TOP = 100  # smaller than Graph's, so paging is exercised by ordinary seeds
MAX_GROUP_IDS = 20
_FILTER = re.compile(r"^\s*(status|customer/tenantId)\s+eq\s+'([^']*)'\s*$", re.IGNORECASE)


def _etag(*parts: Any) -> str:
    return 'W/"' + base64.b64encode(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:12]).decode() + '"'


def _granted(claims: Mapping[str, Any]) -> set[str]:
    return set(str(claims.get("scp", "")).split()) | set(claims.get("roles") or [])


class GdapGraph:
    """The GDAP routes of GraphApi (registered as one of its extensions)."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def route(self, method: str, lowered: list[str], segments: list[str], query: Mapping[str, str], payload: Any,
              claims: Mapping[str, Any], tenant: Tenant, base: str) -> tuple[int, Any] | None:
        directory = self.state.directory
        if lowered == ["me", "checkmembergroups"] and method == "POST":
            return 200, self._check_member_groups(directory, tenant, claims, payload, base)
        if lowered[:2] != ["tenantrelationships", "delegatedadminrelationships"]:
            return None
        if method != "GET":
            raise GraphError(405, "Request_BadRequest", f"{method} is not supported by this emulator on delegatedAdminRelationships.")
        if not _granted(claims) & _GDAP_READ:
            raise _denied()
        context = f"{base}/graph/v1.0/tenantRelationships/$metadata"
        now = self.state.now()
        mine = [g for g in directory.gdap if g.partner == tenant.id]
        if len(lowered) == 2:
            items = _filtered(mine, query, now)
            page, next_link = _page(items, query, f"{base}/graph/v1.0/tenantRelationships/delegatedAdminRelationships")
            return 200, _collection(f"{context}#delegatedAdminRelationships",
                                    [self._relationship(directory, g, now) for g in page], next_link)
        relationship = next((g for g in mine if g.id == lowered[2]), None)
        if relationship is None:
            raise _not_found(segments[2])
        if len(lowered) == 3:
            return 200, {"@odata.context": f"{context}#delegatedAdminRelationships/$entity",
                         **self._relationship(directory, relationship, now)}
        if lowered[3:] == ["accessassignments"]:
            assignments = relationship.access_assignments()
            if query.get("$filter"):
                m = re.match(r"^\s*status\s+eq\s+'([^']*)'\s*$", query["$filter"], re.IGNORECASE)
                if not m:
                    raise _bad(f"Invalid filter clause: {query['$filter']}")
                assignments = [a for a in assignments if a.status.lower() == m.group(1).lower()]
            url = f"{base}/graph/v1.0/tenantRelationships/delegatedAdminRelationships/{relationship.id}/accessAssignments"
            page, next_link = _page(assignments, query, url)
            return 200, _collection(f"{context}#delegatedAdminRelationships('{relationship.id}')/accessAssignments",
                                    [_assignment(a, relationship) for a in page], next_link)
        if len(lowered) == 5 and lowered[3] == "accessassignments":
            found = next((a for a in relationship.access_assignments() if a.id == lowered[4]), None)
            if found is None:
                raise _not_found(segments[4])
            return 200, _assignment(found, relationship)
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segments[-1]}'.")

    def _relationship(self, directory: Directory, relationship: Gdap, now: float) -> dict[str, Any]:
        status, end = relationship.state_at(now)
        customer = directory.tenant(relationship.customer)
        return {
            "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
            "@odata.etag": _etag(relationship.id, status, end),
            "id": relationship.id,
            "displayName": relationship.name or f"{customer.name if customer else relationship.customer} relationship",
            "duration": relationship.duration,
            "customer": {"tenantId": relationship.customer, "displayName": customer.name if customer else None},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in relationship.roles]},
            "status": status,
            "autoExtendDuration": relationship.auto_extend,
            "createdDateTime": iso_instant(relationship.created),
            "lastModifiedDateTime": iso_instant(relationship.activated or relationship.created),
            "activatedDateTime": iso_instant(relationship.activated),
            "endDateTime": iso_instant(end),
        }

    def _check_member_groups(self, directory: Directory, tenant: Tenant, claims: Mapping[str, Any], payload: Any,
                             base: str) -> dict[str, Any]:
        if claims.get("idtyp") == "app" or not claims.get("upn"):
            raise _bad("/me request is only valid with delegated authentication flow.")
        if not _granted(claims) & _MEMBERSHIP_READ:
            raise _denied()
        group_ids = payload.get("groupIds") if isinstance(payload, Mapping) else None
        if not isinstance(group_ids, list) or not group_ids:
            raise _bad("Property 'groupIds' is required: a list of group ids.")
        if len(group_ids) > MAX_GROUP_IDS:
            raise _bad(f"groupIds can hold at most {MAX_GROUP_IDS} ids.")
        wanted = []
        for value in group_ids:
            try:
                wanted.append(str(uuid.UUID(str(value))))
            except ValueError:
                raise _bad(f"Invalid object identifier '{value}'.") from None
        user = directory.user(str(claims.get("upn")))
        if user is None or user.oid != claims.get("oid"):
            raise _not_found(str(claims.get("oid")))
        groups = directory.member_groups(user)
        return {"@odata.context": f"{base}/graph/v1.0/$metadata#Collection(Edm.String)",
                "value": [g for g in wanted if g in groups]}


def _assignment(assignment: AccessAssignment, relationship: Gdap) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.delegatedAdminAccessAssignment",
        "@odata.etag": _etag(assignment.id, assignment.status, *assignment.roles),
        "id": assignment.id,
        "status": assignment.status,
        "createdDateTime": iso_instant(assignment.created),
        "lastModifiedDateTime": iso_instant(assignment.created),
        "accessContainer": {"accessContainerId": assignment.group, "accessContainerType": "securityGroup"},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in assignment.roles]},
    }


def _filtered(items: list[Gdap], query: Mapping[str, str], now: float) -> list[Gdap]:
    text = query.get("$filter")
    if not text:
        return items
    m = _FILTER.match(text)
    if not m:
        raise _bad(f"Invalid filter clause: {text}")
    wanted = m.group(2).lower()
    if m.group(1).lower() == "status":
        return [g for g in items if g.state_at(now)[0].lower() == wanted]
    return [g for g in items if g.customer == wanted]


def _page(items: list[Any], query: Mapping[str, str], url: str) -> tuple[list[Any], str | None]:
    """One page and the next page's link. The skip token is opaque to clients (an offset here)."""
    top = query.get("$top")
    try:
        size = int(top) if top is not None else DEFAULT_TOP
    except ValueError:
        raise _bad(f"Invalid value '{top}' for $top.") from None
    if not 1 <= size <= MAX_TOP:
        raise _bad(f"$top must be between 1 and {MAX_TOP}.")
    offset = 0
    token = query.get("$skiptoken") or query.get("$skipToken")
    if token:
        try:
            offset = int(json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["offset"])
        except (ValueError, KeyError, TypeError):
            raise _bad("The $skiptoken is not valid.") from None
    page = items[offset:offset + size]
    if offset + size >= len(items):
        return page, None
    next_token = base64.urlsafe_b64encode(json.dumps({"offset": offset + size}).encode()).decode().rstrip("=")
    params = [f"$top={size}", f"$skiptoken={next_token}"]
    if query.get("$filter"):
        from urllib.parse import quote

        params.insert(0, f"$filter={quote(query['$filter'])}")
    return page, f"{url}?{'&'.join(params)}"


def _collection(context: str, value: list[Any], next_link: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"@odata.context": context, "value": value}
    if next_link:
        body["@odata.nextLink"] = next_link
    return body


class GdapControl:
    """Control-API additions: /_emulator/customers, /gdap[...], /groups[...] (docs/EMULATOR.md)."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def control(self, method: str, parts: list[str], query: Mapping[str, str], payload: Any) -> tuple[int, Any] | None:
        if parts[:1] not in (["customers"], ["gdap"], ["groups"]):
            return None
        body = payload if isinstance(payload, Mapping) else {}
        state = self.state
        with state.lock:
            directory: Directory = state.directory
            partner = directory.partner_tenant
            if parts == ["customers"] and method == "POST":
                tenant = directory.add_tenant({**body, "kind": "customer"})
                return 201, tenant.to_seed()
            if parts == ["gdap"] and method == "GET":
                return 200, [g.to_seed() for g in directory.gdap]
            if parts == ["gdap"] and method == "POST":
                entry = dict(body)
                if partner is not None:
                    entry.setdefault("partner", partner.id)
                return 201, directory.new_gdap(entry, state.now()).to_seed()
            if parts[:1] == ["gdap"] and len(parts) >= 2:
                return self._relationship(method, parts, body, directory)
            if parts == ["groups"] and method == "POST":
                entry = dict(body)
                if partner is not None:
                    entry.setdefault("tenant", partner.id)
                entry.setdefault("id", str(uuid.uuid4()))
                return 201, directory.add_group(entry).to_seed()
            if parts[:1] == ["groups"] and len(parts) >= 3 and parts[2] == "members":
                return self._members(method, parts, body, directory)
        return None

    def _relationship(self, method: str, parts: list[str], body: Mapping[str, Any], directory: Directory) -> tuple[int, Any]:
        relationship = directory.relationship(parts[1])
        if relationship is None:
            raise ControlError(f"no GDAP relationship {parts[1]!r}", status=404, reason="not_found")
        now = self.state.now()
        if method == "POST" and parts[2:] in (["expire"], ["terminate"]):
            # Ended now: Graph shows the status and the end date; the token endpoint refuses (AADSTS50020).
            relationship.status = "expired" if parts[2] == "expire" else "terminated"
            relationship.end = now
            return 200, relationship.to_seed()
        if method == "PATCH" and len(parts) == 2:
            unknown = set(body) - {"status", "ends_in_days", "auto_extend_duration", "name"}
            if unknown:
                raise ControlError(f"cannot change {sorted(unknown)} (status, ends_in_days, auto_extend_duration, name)")
            if "status" in body and body["status"] not in GDAP_STATUSES:
                raise ControlError(f"status must be one of {sorted(GDAP_STATUSES)}")
            if "auto_extend_duration" in body and duration_seconds(str(body["auto_extend_duration"])) not in (0, 180 * DAY):
                raise SeedError("auto_extend_duration must be PT0S, P0D or P180D")
            if "ends_in_days" in body:
                days = body["ends_in_days"]
                if not isinstance(days, (int, float)) or isinstance(days, bool):
                    raise ControlError("ends_in_days must be a number")
                relationship.end = now + days * DAY
            relationship.status = body.get("status", relationship.status)
            relationship.auto_extend = str(body.get("auto_extend_duration", relationship.auto_extend))
            relationship.name = str(body.get("name", relationship.name))
            return 200, relationship.to_seed()
        if parts[2:3] == ["assignments"]:
            assignments = relationship.access_assignments()
            if method == "POST" and len(parts) == 3:
                assignment = parse_assignment(body, "assignment", relationship.partner, directory.groups,
                                              relationship.id, len(assignments), now)
                missing = [r for r in assignment.roles if r not in relationship.roles]
                if missing:
                    raise ControlError(f"the relationship does not grant {missing}: add roles to the relationship first")
                if any(a.id == assignment.id for a in assignments):
                    raise ControlError(f"assignment {assignment.id} already exists")
                relationship.assignments = [*assignments, assignment]
                return 201, assignment.to_seed()
            if len(parts) == 4 and method in ("DELETE", "PATCH"):
                found = next((a for a in assignments if a.id == parts[3].lower()), None)
                if found is None:
                    raise ControlError(f"no access assignment {parts[3]!r}", status=404, reason="not_found")
                if method == "DELETE":
                    relationship.assignments = [a for a in assignments if a is not found]
                    return 200, {"removed": found.id}
                if body.get("status") not in ASSIGNMENT_STATUSES:
                    raise ControlError(f"status must be one of {sorted(ASSIGNMENT_STATUSES)}")
                found.status = str(body["status"])
                relationship.assignments = assignments
                return 200, found.to_seed()
        raise ControlError(f"no control endpoint {method} /_emulator/{'/'.join(parts)}", status=404, reason="not_found")

    def _members(self, method: str, parts: list[str], body: Mapping[str, Any], directory: Directory) -> tuple[int, Any]:
        group = directory.groups.get(parts[1].lower())
        if group is None:
            raise ControlError(f"no group {parts[1]!r}", status=404, reason="not_found")
        if method == "POST" and len(parts) == 3:
            if body.get("group"):
                nested = directory.groups.get(str(body["group"]).lower())
                if nested is None or nested.tenant != group.tenant or nested.id == group.id:
                    raise ControlError(f"{body['group']!r} is not another group of tenant {group.tenant}")
                if nested.id not in group.groups:
                    group.groups.append(nested.id)
                return 200, group.to_seed()
            user = _user(directory, str(body.get("member", "")))
            if user is None or user.tenant != group.tenant:
                raise ControlError(f"'member' must be a user (upn or oid) of tenant {group.tenant}")
            if user.oid not in group.members:
                group.members.append(user.oid)
            return 200, group.to_seed()
        if method == "DELETE" and len(parts) == 4:
            key = parts[3].lower()
            user = _user(directory, key)
            before = (list(group.members), list(group.groups))
            group.members = [m for m in group.members if m != (user.oid if user else key)]
            group.groups = [g for g in group.groups if g != key]
            if (group.members, group.groups) == before:
                raise ControlError(f"{parts[3]!r} is not a member of group {group.id}", status=404, reason="not_found")
            return 200, group.to_seed()
        raise ControlError(f"no control endpoint {method} /_emulator/{'/'.join(parts)}", status=404, reason="not_found")


def _user(directory: Directory, key: str) -> Any:
    return directory.user(key) or next((u for u in directory.users.values() if u.oid == key.lower()), None)
