"""Which customers a job can reach, and why not: GDAP and consent, per target, before any job runs.

For each customer: its GDAP relationships (Graph, partner tenant), the roles they grant, the roles
the consenting user holds through the security groups of their access assignments
(checkMemberGroups), and whether the app is consented there: Entra's own answer to one token
request in that tenant, made only for a customer whose GDAP could work (a missing consent is
AADSTS65001). That token is cached, so the batch that follows reuses it instead of asking again.
Each target's verdict is `ready`, or the first reason it would fail with what to do about it; the
roles each target needs are `roles.py`'s table.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import chain
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping

from .._config import Profile
from .._core import validate as v
from .._core.constants import BATCH_CONCURRENCY, DEFAULT_GDAP_WARN_DAYS
from .._core.errors import ConsentRequiredError, CustomerNotReadyError, InvalidInputError, SamBridgeError
from .._core.tokens import utcnow
from .._stores import SecretStore
from .model import GRAPH_SCOPE
from .plan import plan
from .roles import Requirement, requirement, requirements, role_name
from .table import get_target

if TYPE_CHECKING:  # the services load lazily, inside the functions
    from .._services.batch import TenantResult
    from .._services.gdap import Relationship


@dataclass(frozen=True)
class Verdict:
    """One target's verdict for one customer."""

    target: str
    ready: bool
    reason: str | None = None
    remediation: str | None = None
    limited: bool = False  # ready, but the roles held allow only some of the target's tasks

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "ready": self.ready, "reason": self.reason,
                "remediation": self.remediation, "limited": self.limited}


@dataclass(frozen=True)
class CustomerReadiness:
    """A customer as GDAP, group membership and consent make it reachable (or not)."""

    tenant: str  # as given (normalized), or the tenant id for a listed customer
    tenant_id: str
    name: str
    user: str
    relationships: tuple[Relationship, ...]
    granted_roles: tuple[str, ...]  # by relationships in force
    held_roles: tuple[str, ...]  # of those, the ones the user holds through a group
    consent: bool | None  # None: not asked (no target could work), or Entra gave another answer
    consent_note: str | None
    verdicts: Mapping[str, Verdict]
    warnings: tuple[str, ...] = field(default=())

    @property
    def status(self) -> str:
        """The status of the relationship that matters most: one in force, else the latest."""
        best = _best(self.relationships)
        return best.status if best else "none"

    @property
    def end(self) -> datetime | None:
        best = _best(self.relationships)
        return best.end if best else None

    @property
    def auto_extends(self) -> bool | None:
        best = _best(self.relationships)
        return best.auto_extends if best else None

    def to_dict(self) -> dict[str, Any]:
        end = self.end
        return {
            "tenant": self.tenant, "tenant_id": self.tenant_id, "name": self.name,
            "relationship_status": self.status,
            "end": end.strftime("%Y-%m-%dT%H:%M:%SZ") if end else None,
            "auto_extend": self.auto_extends,
            "roles_granted": [role_name(r) for r in self.granted_roles],
            "roles_held": [role_name(r) for r in self.held_roles],
            "consent": self.consent, "consent_note": self.consent_note,
            "ready_for": [name for name, verdict in self.verdicts.items() if verdict.ready],
            "verdicts": {name: verdict.to_dict() for name, verdict in self.verdicts.items()},
            "warnings": list(self.warnings),
            "relationships": [r.to_dict() for r in self.relationships],
        }


def _best(relationships: Iterable[Relationship]) -> Relationship | None:
    items = list(relationships)
    if not items:
        return None
    in_force = [r for r in items if r.in_force]
    pool = in_force or items
    return max(pool, key=lambda r: (r.end or datetime.min.replace(tzinfo=timezone.utc)))


def _describe(req: Requirement) -> str:
    if req.any_role:
        return "a GDAP role (any)"
    return " or ".join(req.names())


def _first_role(req: Requirement) -> str:
    return req.names()[0] if not req.any_role else "the roles the job needs"


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "an unknown date"


# --------------------------------------------------------------------------------------------
# Verdicts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    """What Graph said about one customer, before the verdicts."""

    tenant: str
    tenant_id: str
    relationships: tuple[Relationship, ...]
    groups_held: frozenset[str]
    user: str
    profile: str

    @property
    def in_force(self) -> tuple[Relationship, ...]:
        return tuple(r for r in self.relationships if r.in_force)

    def granted(self) -> set[str]:
        return {role for r in self.in_force for role in r.roles}

    def assigned(self) -> dict[str, set[str]]:
        """Role -> the groups an active access assignment gives it to."""
        found: dict[str, set[str]] = {}
        for r in self.in_force:
            for a in r.assignments:
                if a.status == "active":
                    for role in a.roles:
                        found.setdefault(role, set()).add(a.group_id)
        return found

    def held(self) -> set[str]:
        return {role for role, groups in self.assigned().items() if groups & self.groups_held}


def _gdap_verdict(req: Requirement, facts: _Facts) -> Verdict | None:
    """The GDAP reason `req` cannot work for this customer, or None when GDAP is no obstacle."""
    target, needed = req.target, _describe(req)
    if not req.gdap:
        return None
    if not facts.relationships:
        return Verdict(target, False, "no GDAP relationship with this customer",
                       f"Request a GDAP relationship in Partner Center (Customers > the customer > Admin relationships) "
                       f"granting {_first_role(req)}, and have the customer's Global Administrator approve it.")
    if not facts.in_force:
        latest = _best(facts.relationships)
        assert latest is not None
        if latest.status in ("created", "approvalPending", "approved", "activating"):
            return Verdict(target, False, f"the GDAP relationship '{latest.name or latest.id}' is not active yet (status {latest.status})",
                           "The customer's Global Administrator must approve it with the link Partner Center gives; "
                           "it becomes active a few minutes after approval.")
        return Verdict(target, False, f"the GDAP relationship '{latest.name or latest.id}' is {latest.status} "
                       f"(ended {_when(latest.end)})",
                       f"Request a new GDAP relationship granting {_first_role(req)} (relationships last at most two "
                       "years; auto-extend keeps one going, except with Global Administrator).")
    if req.satisfied_by(facts.granted()) is None:
        granted = ", ".join(role_name(r) for r in sorted(facts.granted())) or "no roles"
        return Verdict(target, False, f"no active GDAP relationship grants {needed} (granted: {granted})",
                       f"The roles of an approved relationship cannot be changed: request a new GDAP relationship "
                       f"granting {_first_role(req)}, then assign it to a security group you are in.")
    assigned = facts.assigned()
    if req.satisfied_by(set(assigned)) is None:
        return Verdict(target, False, f"the GDAP relationship grants {needed}, but no access assignment gives it to a security group",
                       "In Partner Center, assign the role to a security group of the partner tenant "
                       "(Customers > the customer > Admin relationships > the relationship > Assign roles), "
                       f"and add {facts.user or 'the consenting user'} to that group.")
    level = req.satisfied_by(facts.held())
    if level is None:
        groups = sorted({g for role, gs in assigned.items()
                         if req.satisfied_by({role}) is not None for g in gs})
        return Verdict(target, False, f"{facts.user or 'the consenting user'} is not in the security group "
                       f"{' or '.join(groups)} that holds {needed}",
                       f"Add {facts.user or 'the consenting user'} to group {groups[0]} in the partner tenant "
                       "(GDAP roles reach users only through these groups); the change counts at the next token.")
    return None


def _consent_verdict(req: Requirement, facts: _Facts, consent: bool | None, note: str | None) -> Verdict:
    target = req.target
    if req.gdap and consent is False:
        return Verdict(target, False, f"the app is not consented in this tenant ({note})",
                       f"Consent it: `sam-bridge app consent --profile {facts.profile} --tenant {facts.tenant}`.")
    if req.gdap and consent is None and note:
        return Verdict(target, False, note, "See the reason; `sam-bridge doctor --tenant` tells more.")
    limited = req.satisfied_by(facts.held()) == "limited"
    return Verdict(target, True, "limited: the roles held allow only some of its tasks" if limited else None,
                   f"For every task: {_describe(req)}." if limited else None, limited=limited)


# --------------------------------------------------------------------------------------------
# Gathering
# --------------------------------------------------------------------------------------------


def _probe_scopes(target: str | None) -> tuple[str, ...]:
    """The tokens whose exchange tells whether the app is consented: the target's own (then cached
    for its batch), else Microsoft Graph's."""
    if target is None:
        return (GRAPH_SCOPE,)
    scopes = [s for p in plan(target).tokens for s in p.scopes if "{" not in s]
    return tuple(dict.fromkeys(scopes)) or (GRAPH_SCOPE,)


def _warnings(facts: _Facts, name: str, warn_days: float, now: datetime) -> list[str]:
    out = []
    for r in facts.in_force:
        if r.end is None or r.auto_extends:
            continue
        left = (r.end - now).total_seconds() / 86400
        if left < warn_days:
            out.append(f"the GDAP relationship '{r.name or r.id}' with {name or facts.tenant} ends on {_when(r.end)} "
                       f"(in {max(left, 0):.0f} days) and does not auto-extend: request a new one before then.")
    return out


def assess(profile: Profile, store: SecretStore, *, tenants: Iterable[str] | None = None, target: str | None = None,
           warn_days: float = DEFAULT_GDAP_WARN_DAYS, concurrency: int = BATCH_CONCURRENCY,
           now: datetime | None = None) -> list[CustomerReadiness]:
    """Readiness of `tenants` (default: every customer Partner Center lists and every customer of a
    GDAP relationship), for `target` (default: every target)."""
    from .._services import gdap
    from .._services.app import tenant_id_of
    from .._services.batch import run
    from .._services.partner_center import partner_center_customers
    from .._services.exchange import obtain_token, read_refresh_token
    from .._services.graph import GraphClient

    if isinstance(warn_days, bool) or not isinstance(warn_days, (int, float)) or not 0 <= warn_days <= 730:
        raise InvalidInputError(f"warn days must be a number from 0 to 730, not {warn_days!r}.")
    # Without a target: every current one (the retired modules only when asked for by name).
    chosen = [requirement(target)] if target else [r for r in requirements() if get_target(r.target).status != "retired"]
    record = read_refresh_token(profile, store).metadata  # no token: fail before anything is asked
    user = str(record.get("user") or "")
    graph = GraphClient(profile, lambda: obtain_token(profile, store, [GRAPH_SCOPE]).token)
    found = gdap.relationships(graph, concurrency=concurrency)
    by_customer: dict[str, list[Relationship]] = {}
    for r in found:
        by_customer.setdefault(r.customer_id, []).append(r)
    names = {r.customer_id: r.customer_name for r in found if r.customer_name}
    if tenants is None:
        listed = [t.lower() for t in partner_center_customers(profile, store)]
        wanted = list(dict.fromkeys([*listed, *by_customer]))
        ids = {t: t for t in wanted}
    else:
        wanted = list(dict.fromkeys(v.tenant(t, "tenant") for t in tenants))
        if not wanted:
            raise InvalidInputError("no customers to check.")
        ids = {t: tenant_id_of(profile, t) for t in wanted}
    groups = {a.group_id for r in found if r.in_force for a in r.assignments}
    held = frozenset(gdap.member_groups(graph, groups)) if groups else frozenset()
    facts = {t: _Facts(t, ids[t], tuple(by_customer.get(ids[t], ())), held, user, profile.name) for t in wanted}
    gdap_verdicts = {t: {req.target: _gdap_verdict(req, f) for req in chosen} for t, f in facts.items()}

    # Consent: asked of Entra only where some chosen target's GDAP could work.
    probe = [t for t in wanted if any(gdap_verdicts[t][req.target] is None and req.gdap for req in chosen)]
    consent: dict[str, tuple[bool | None, str | None]] = {}
    if probe:
        scopes = _probe_scopes(target)

        def work(session: Any, tenant: str) -> bool:
            for scope in scopes:
                session.exchange((scope,), tenant)
            return True

        for result in run(profile, store, probe, work, concurrency=concurrency):
            if result.ok:
                consent[result.tenant] = (True, None)
            elif isinstance(result.error, ConsentRequiredError):
                consent[result.tenant] = (False, f"AADSTS{result.error.code}" if result.error.code else "consent required")
            else:
                consent[result.tenant] = (None, f"Entra refused a token for this tenant: {result.error.message}")
    moment = now or utcnow()
    out = []
    for t in wanted:
        f = facts[t]
        given, note = consent.get(t, (None, None))
        verdicts = {req.target: gdap_verdicts[t][req.target] or _consent_verdict(req, f, given, note) for req in chosen}
        out.append(CustomerReadiness(
            tenant=t, tenant_id=f.tenant_id, name=names.get(f.tenant_id, ""), user=user, relationships=f.relationships,
            granted_roles=tuple(sorted(f.granted())), held_roles=tuple(sorted(f.held())), consent=given,
            consent_note=note, verdicts=verdicts, warnings=tuple(_warnings(f, names.get(f.tenant_id, ""), warn_days, moment)),
        ))
    return out


# --------------------------------------------------------------------------------------------
# Batches: the unready customers first, then the batch over the ready ones
# --------------------------------------------------------------------------------------------


def not_ready_error(c: CustomerReadiness, target: str) -> CustomerNotReadyError:
    verdict = c.verdicts[target]
    return CustomerNotReadyError(
        f"tenant {c.tenant} ({c.name or c.tenant_id}) is not ready for {target}: {verdict.reason}; not exchanged "
        "(--no-preflight tries anyway).",
        remediation=verdict.remediation, tenant=c.tenant, target=target)


def split(profile: Profile, store: SecretStore, tenants: Iterable[str], target: str, *,
          warn_days: float = DEFAULT_GDAP_WARN_DAYS) -> tuple[list[str], list[TenantResult]]:
    """The tenants ready for `target`, and one result (a CustomerNotReadyError with the reason and
    remediation) for each that is not. Relationships ending within `warn_days` are SamBridgeWarnings."""
    from .._services.batch import TenantResult, warn_duplicates

    name = get_target(target).name
    given = [v.tenant(t, "tenant") for t in tenants]
    warn_duplicates(given)
    from .._services.graph import GraphError

    try:
        checked = assess(profile, store, tenants=given, target=name, warn_days=warn_days)
    except GraphError as exc:
        if exc.status != 403:
            raise
        # An app made before the check existed lacks DelegatedAdminRelationship.Read.All: its jobs
        # keep running, unchecked, and are told how to get the check.
        warnings.warn(f"the customers were not checked for {name} before the exchanges: {exc.message}. Add the "
                      f"delegated Graph permission DelegatedAdminRelationship.Read.All to the app (`sam-bridge app create "
                      f"{profile.name} --tenant {profile.tenant} --app-id {profile.app_id}` reconciles it); or pass --no-preflight.",
                      v.SamBridgeWarning, 2)
        return list(dict.fromkeys(given)), []
    except SamBridgeError as exc:  # the check itself failed: say how to go on without it
        exc.remediation = " ".join(filter(None, [exc.remediation, "To exchange without this check: --no-preflight."]))
        raise
    for c in checked:
        for text in c.warnings:
            warnings.warn(text, v.SamBridgeWarning, 2)
    unready = [TenantResult(c.tenant, error=not_ready_error(c, name)) for c in checked if not c.verdicts[name].ready]
    return [c.tenant for c in checked if c.verdicts[name].ready], unready


def preflight(profile: Profile, store: SecretStore, tenants: Iterable[str], target: str,
              run_batch: Callable[[list[str]], Iterator[TenantResult]], *,
              warn_days: float = DEFAULT_GDAP_WARN_DAYS) -> Iterator[TenantResult]:
    """Check every tenant for `target` now; the iterator gives each unready one's result first,
    then `run_batch` over the ready ones (nothing is exchanged for the others)."""
    ready, unready = split(profile, store, tenants, target, warn_days=warn_days)
    return chain(unready, _lazy(run_batch, ready))


def _lazy(run_batch: Callable[[list[str]], Iterator[TenantResult]], tenants: list[str]) -> Iterator[TenantResult]:
    if tenants:
        yield from run_batch(tenants)

