"""The emulated directory: tenants, applications, users, security groups, GDAP relationships and consents.

It is loaded from a seed (JSON, format in docs/EMULATOR.md), validated up front so a typo in a
seed fails at start-up with a clear message, and written back in the same format by `to_seed()`.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

from ._resources import BUILTIN_RESOURCES, ResourceCatalog

log = logging.getLogger("bridge.emulator")

ALIASES = frozenset({"common", "organizations"})
# delegatedAdminRelationship.status and delegatedAdminAccessAssignment.status (sam-lifecycle 3.1, 3.2)
GDAP_STATUSES = frozenset({"activating", "active", "approvalPending", "approved", "created", "expired", "expiring",
                           "terminated", "terminating", "terminationRequested"})
ASSIGNMENT_STATUSES = frozenset({"pending", "active", "deleting", "deleted", "error"})
DAY = 86400.0
# Entra built-in role template ids (sam-lifecycle 3.3): seeds may name a role or give its id.
ROLE_TEMPLATES: dict[str, str] = {
    "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
    "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
    "Exchange Recipient Administrator": "31392ffb-586c-42d1-9346-e59415a2cc4e",
    "SharePoint Administrator": "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
    "Teams Administrator": "69091246-20e8-4a56-aa4d-066075b2a7a8",
    "Security Administrator": "194ae4cb-b126-40b2-bd5b-6091b380977d",
    "Compliance Administrator": "17315797-102d-40b4-93e0-432062caca18",
    "Privileged Authentication Administrator": "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    "Cloud Application Administrator": "158c047a-c907-4556-b7ef-446551a6b5f7",
    "Application Administrator": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "Helpdesk Administrator": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "License Administrator": "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
    "Directory Readers": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    "Directory Writers": "9360feb5-f418-4baa-8175-e2a00bac4301",
    "Security Reader": "5d6b6bb7-de71-4623-b4af-96380a352509",
    "Intune Administrator": "3a2c62db-5318-420d-8d74-23affee5d9d5",
    "Authentication Policy Administrator": "0526716b-113d-4c15-b2c8-68e3c22b9f80",
}
_ROLE_BY_LOWER = {name.lower(): rid for name, rid in ROLE_TEMPLATES.items()}
ROLE_NAMES = {rid: name for name, rid in ROLE_TEMPLATES.items()}
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)D)?$|^PT(\d+)S$")
TENANT_KINDS = frozenset({"partner", "customer"})
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1"})
_KNOWN_SEED_KEYS = frozenset({"tenants", "apps", "users", "groups", "gdap", "consents", "settings"})


class SeedError(ValueError):
    """The seed (or a directory sent to the control API) is not valid."""


def _guid(value: Any, where: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise SeedError(f"{where}: {value!r} is not a GUID") from None


def _text(entry: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = entry.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value:
        raise SeedError(f"{where}: '{key}' must be a non-empty string")
    return value


def _string_list(entry: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SeedError(f"{where}: '{key}' must be a list of strings")
    return list(value)


def _warn_unknown(entry: Mapping[str, Any], known: Iterable[str], where: str) -> None:
    for key in sorted(set(entry) - set(known)):
        log.warning("seed %s: unknown key %r ignored", where, key)


def _thumbprint(value: str) -> str:
    """Normalise a base64url thumbprint (x5t), padded or not."""
    return value.rstrip("=")


@dataclass
class Tenant:
    id: str
    domain: str
    name: str
    kind: str = "customer"
    require_mfa: frozenset[str] = frozenset()  # resource app ids a Conditional Access policy guards
    # MFA done outside Entra (a third-party provider, a trusted-IP bypass): Entra asks its users for no
    # second factor, not even for Partner Center, and their tokens carry no `mfa` in `amr`.
    external_mfa: bool = False

    def to_seed(self) -> dict[str, Any]:
        seed: dict[str, Any] = {"id": self.id, "domain": self.domain, "name": self.name, "kind": self.kind}
        access: dict[str, Any] = {}
        if self.require_mfa:
            access["require_mfa"] = sorted(self.require_mfa)
        if self.external_mfa:
            access["external_mfa"] = True
        if access:
            seed["conditional_access"] = access
        return seed


@dataclass
class CertificateCredential:
    pem: str
    public_key: Any
    x5t: str  # base64url SHA-1 of the DER certificate, unpadded
    x5t_s256: str


@dataclass
class App:
    app_id: str
    name: str
    tenant: str
    multi_tenant: bool = False
    public_client: bool = False
    redirect_uris: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    certificates: list[CertificateCredential] = field(default_factory=list)
    # secret value -> endDateTime (emulator clock) for secrets added through Graph; seeded ones never expire
    secret_expiry: dict[str, float] = field(default_factory=dict, repr=False)
    allow_public_flows: bool = False  # Graph's isFallbackPublicClient: device code without a credential

    def add_certificate(self, pem: str) -> CertificateCredential:
        """Register a public certificate for client assertions (the app registration's 'Certificates')."""
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        try:
            cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise SeedError(f"app {self.app_id}: certificate is not a PEM X.509 certificate ({exc})") from None
        der = cert.public_bytes(Encoding.DER)
        credential = CertificateCredential(
            pem=pem,
            public_key=cert.public_key(),
            x5t=base64.urlsafe_b64encode(hashlib.sha1(der).digest()).decode().rstrip("="),
            x5t_s256=base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode().rstrip("="),
        )
        self.certificates = [c for c in self.certificates if c.x5t != credential.x5t] + [credential]
        return credential

    def find_certificate(self, *, x5t: str | None = None, x5t_s256: str | None = None) -> CertificateCredential | None:
        for credential in self.certificates:
            if x5t and credential.x5t == _thumbprint(x5t):
                return credential
            if x5t_s256 and credential.x5t_s256 == _thumbprint(x5t_s256):
                return credential
        return None

    def redirect_uri_allowed(self, uri: str) -> bool:
        """Entra's rule: exact match, except that a loopback http URI matches whatever its port."""
        return any(_redirect_matches(registered, uri) for registered in self.redirect_uris)

    def to_seed(self) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "name": self.name,
            "tenant": self.tenant,
            "multi_tenant": self.multi_tenant,
            "public_client": self.public_client,
            "redirect_uris": list(self.redirect_uris),
            "secrets": list(self.secrets),
            "certificates": [c.pem for c in self.certificates],
        }


def _redirect_matches(registered: str, sent: str) -> bool:
    reg, got = urlsplit(registered), urlsplit(sent)
    if reg.scheme.lower() != got.scheme.lower() or reg.query != got.query:
        return False
    if reg.scheme.lower() == "http" and (reg.hostname or "") in _LOOPBACK_HOSTS:
        # The port of a loopback redirect URI is ignored (D-reply); an empty path equals "/".
        return reg.hostname == got.hostname and (reg.path or "/") == (got.path or "/")
    return (reg.netloc.lower(), reg.path or "/") == (got.netloc.lower(), got.path or "/")


@dataclass
class User:
    upn: str
    oid: str
    tenant: str
    name: str
    password: str
    totp_secret: str | None = None

    @property
    def mfa(self) -> bool:
        return bool(self.totp_secret)

    def to_seed(self) -> dict[str, Any]:
        seed: dict[str, Any] = {
            "upn": self.upn, "oid": self.oid, "tenant": self.tenant, "name": self.name,
            "password": self.password,
        }
        if self.totp_secret:
            seed["totp_secret"] = self.totp_secret
        return seed


def role_id(value: str, where: str) -> str:
    """A role template id from a role's display name or its id."""
    found = _ROLE_BY_LOWER.get(value.strip().lower())
    if found:
        return found
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise SeedError(f"{where}: {value!r} is neither an Entra role name (see docs/EMULATOR.md) nor a role id") from None


def duration_seconds(value: str, where: str = "duration") -> float:
    """An ISO 8601 duration of the forms GDAP uses (P730D, P2Y, P180D, P0D, PT0S) in seconds."""
    m = _DURATION.match(value) if isinstance(value, str) and value not in ("P", "PT") else None
    if not m:
        raise SeedError(f"{where}: {value!r} is not an ISO 8601 duration such as P730D, P2Y or PT0S")
    years, days, seconds = (int(g) if g else 0 for g in m.groups())
    return years * 365 * DAY + days * DAY + seconds


def _instant(value: Any, where: str) -> float | None:
    if value is None:
        return None
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise SeedError(f"{where}: {value!r} is not an ISO 8601 date-time") from None


def iso_instant(value: float | None) -> str | None:
    if value is None:
        return None
    from datetime import datetime, timezone

    return datetime.fromtimestamp(value, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "emulator:" + "|".join(parts)))


def all_users_group(partner: str) -> str:
    """The group a relationship seeded without access_assignments is assigned to: every partner user."""
    return stable_id("all-users", partner)


@dataclass
class Group:
    """A security group (of a partner tenant: what GDAP access assignments name)."""

    id: str
    tenant: str
    name: str
    members: list[str] = field(default_factory=list)  # user object ids
    groups: list[str] = field(default_factory=list)  # nested group ids

    def to_seed(self) -> dict[str, Any]:
        return {"id": self.id, "tenant": self.tenant, "name": self.name, "members": list(self.members),
                "groups": list(self.groups)}


@dataclass
class AccessAssignment:
    """delegatedAdminAccessAssignment: roles of a relationship given to one partner security group."""

    id: str
    group: str
    roles: list[str]  # role template ids
    status: str = "active"
    created: float = 0.0

    def to_seed(self) -> dict[str, Any]:
        return {"id": self.id, "group": self.group, "roles": list(self.roles), "status": self.status}


@dataclass
class Gdap:
    """delegatedAdminRelationship. `assignments` None: seeded without access_assignments, which this
    emulator reads as "every user of the partner tenant holds every role" (the older seed format)."""

    partner: str
    customer: str
    status: str
    roles: list[str] = field(default_factory=list)  # role template ids (unifiedRoles)
    name: str = ""
    id: str = ""
    duration: str = "P730D"
    auto_extend: str = "PT0S"
    created: float = 0.0
    activated: float | None = None
    end: float | None = None
    assignments: list[AccessAssignment] | None = None

    def state_at(self, now: float) -> tuple[str, float | None]:
        """(status, endDateTime) at emulator time `now`: an active relationship past its end is expired,
        unless it auto-extends (by autoExtendDuration, as many times as needed)."""
        if self.status != "active" or self.end is None or self.end > now:
            return self.status, self.end
        step = duration_seconds(self.auto_extend)
        if step <= 0:
            return "expired", self.end
        periods = int((now - self.end) // step) + 1
        return "active", self.end + periods * step

    def active_at(self, now: float) -> bool:
        return self.state_at(now)[0] == "active"

    def access_assignments(self) -> list[AccessAssignment]:
        if self.assignments is not None:
            return self.assignments
        return [AccessAssignment(stable_id("assignment", self.id), all_users_group(self.partner), list(self.roles),
                                 "active", self.created)]

    def to_seed(self) -> dict[str, Any]:
        seed: dict[str, Any] = {
            "id": self.id, "partner": self.partner, "customer": self.customer, "status": self.status,
            "roles": list(self.roles), "duration": self.duration, "auto_extend_duration": self.auto_extend,
            "created": iso_instant(self.created), "activated": iso_instant(self.activated), "end": iso_instant(self.end),
        }
        if self.name:
            seed["name"] = self.name
        if self.assignments is not None:
            seed["access_assignments"] = [a.to_seed() for a in self.assignments]
        return seed


@dataclass
class Consent:
    """Admin consent of one app in one tenant (its service principal exists there because of it)."""

    tenant: str
    app_id: str
    grants: dict[str, list[str]] = field(default_factory=dict)  # resource app id -> permissions

    def granted(self, resource_app_id: str) -> list[str]:
        return self.grants.get(resource_app_id, [])

    def grant(self, resource_app_id: str, permissions: Iterable[str]) -> None:
        current = self.grants.setdefault(resource_app_id, [])
        for permission in permissions:
            if permission.lower() not in {p.lower() for p in current}:
                current.append(permission)

    def to_seed(self) -> dict[str, Any]:
        return {"tenant": self.tenant, "app_id": self.app_id, "grants": {k: list(v) for k, v in self.grants.items()}}


class Directory:
    """All directory objects, indexed for O(1) lookups on the request path."""

    def __init__(
        self,
        tenants: list[Tenant],
        apps: list[App],
        users: list[User],
        gdap: list[Gdap],
        consents: list[Consent],
        groups: list[Group] | None = None,
    ) -> None:
        self.tenants = tenants
        self.apps = {a.app_id: a for a in apps}
        self.users = {u.upn.lower(): u for u in users}
        self.groups = {g.id: g for g in groups or []}
        self.gdap: list[Gdap] = []
        self._gdap_by_pair: dict[tuple[str, str], list[Gdap]] = {}
        for relationship in gdap:
            self.add_gdap(relationship)
        self.consents = {(c.tenant, c.app_id): c for c in consents}
        self._index_tenants()

    def _index_tenants(self) -> None:
        self._tenant_keys: dict[str, Tenant] = {}
        for tenant in self.tenants:
            self._tenant_keys[tenant.id] = tenant
            self._tenant_keys[tenant.domain.lower()] = tenant
        self.resources = ResourceCatalog(
            [t.domain.lower()[: -len(".onmicrosoft.com")] for t in self.tenants if t.domain.lower().endswith(".onmicrosoft.com")]
        )

    @staticmethod
    def parse_tenant_entry(entry: Mapping[str, Any]) -> Tenant:
        """Validate one tenant in seed format."""
        return _parse_tenant(entry, 0)

    def add_tenant(self, entry: Mapping[str, Any]) -> Tenant:
        """A tenant added at run time (seed format); its id and domain must be new."""
        tenant = _parse_tenant(entry, len(self.tenants))
        if tenant.id in self._tenant_keys or tenant.domain.lower() in self._tenant_keys:
            raise SeedError(f"a tenant with id {tenant.id} or domain {tenant.domain} already exists")
        self.tenants.append(tenant)
        self._index_tenants()
        return tenant

    def add_group(self, entry: Mapping[str, Any]) -> Group:
        group = _parse_group(entry, len(self.groups), {t.id for t in self.tenants}, list(self.users.values()))
        if group.id in self.groups:
            raise SeedError(f"a group with id {group.id} already exists")
        _check_nesting([*self.groups.values(), group])
        self.groups[group.id] = group
        return group

    def add_consent(self, entry: Mapping[str, Any]) -> Consent:
        consent = _parse_consent(entry, len(self.consents), {t.id for t in self.tenants}, set(self.apps))
        self.consents[(consent.tenant, consent.app_id)] = consent
        return consent

    def new_gdap(self, entry: Mapping[str, Any], now: float) -> Gdap:
        relationship = parse_gdap(entry, "gdap", {t.id for t in self.tenants}, self.groups, now)
        if self.relationship(relationship.id) is not None:
            raise SeedError(f"a relationship with id {relationship.id} already exists")
        self.add_gdap(relationship)
        return relationship

    # -- lookups ----------------------------------------------------------------------------------

    def tenant(self, segment: str) -> Tenant | None:
        """A tenant by GUID or verified domain (not an alias)."""
        key = segment.lower()
        try:
            key = str(uuid.UUID(key))
        except ValueError:
            pass
        return self._tenant_keys.get(key)

    def app(self, app_id: str) -> App | None:
        return self.apps.get(app_id.lower()) or self.apps.get(app_id)

    def user(self, upn: str) -> User | None:
        return self.users.get(upn.lower())

    def consent(self, tenant_id: str, app_id: str) -> Consent | None:
        return self.consents.get((tenant_id, app_id))

    def relationships(self, partner: str, customer: str) -> list[Gdap]:
        return self._gdap_by_pair.get((partner, customer), [])

    def add_gdap(self, relationship: Gdap) -> None:
        self.gdap.append(relationship)
        self._gdap_by_pair.setdefault((relationship.partner, relationship.customer), []).append(relationship)

    def relationship(self, relationship_id: str) -> Gdap | None:
        return next((g for g in self.gdap if g.id == relationship_id.lower()), None)

    def member_groups(self, user: User) -> set[str]:
        """Ids of every group the user is in, directly or through nested groups (checkMemberGroups)."""
        found = {g.id for g in self.groups.values() if user.oid in g.members}
        found.add(all_users_group(user.tenant))
        while True:
            more = {g.id for g in self.groups.values() if g.id not in found and found & set(g.groups)}
            if not more:
                return found
            found |= more

    def gdap_roles(self, user: User, customer: str, now: float | None = None) -> set[str]:
        """Role template ids a partner user holds in a customer tenant: active access assignments of
        active relationships to a group the user is in (transitively)."""
        now = time.time() if now is None else now
        groups = self.member_groups(user)
        return {
            role
            for relationship in self.relationships(user.tenant, customer) if relationship.active_at(now)
            for assignment in relationship.access_assignments() if assignment.status == "active" and assignment.group in groups
            for role in assignment.roles
        }

    def user_can_access(self, user: User, tenant: Tenant, now: float | None = None) -> bool:
        """A member of the tenant, or a partner user holding a role there through GDAP."""
        return user.tenant == tenant.id or bool(self.gdap_roles(user, tenant.id, now))

    def app_visible_in(self, app: App, tenant: Tenant | None) -> bool:
        """False where Entra answers AADSTS700016: a single-tenant app outside its home tenant."""
        return tenant is None or app.multi_tenant or app.tenant == tenant.id

    @property
    def partner_tenant(self) -> Tenant | None:
        return next((t for t in self.tenants if t.kind == "partner"), None)

    def partner_customers(self, partner_id: str) -> list[Tenant]:
        """The partner's customers as Partner Center lists them: every tenant with a GDAP relationship
        of any status (an expired relationship ends GDAP, not the customer relationship)."""
        seen: list[Tenant] = []
        for relationship in self.gdap:
            if relationship.partner == partner_id:
                tenant = self._tenant_keys.get(relationship.customer)
                if tenant is not None and tenant not in seen:
                    seen.append(tenant)
        return seen

    def consent_for(self, tenant_id: str, app_id: str) -> Consent:
        """The consent record, created empty if missing (for user consent on the consent page)."""
        consent = self.consents.get((tenant_id, app_id))
        if consent is None:
            consent = self.consents[(tenant_id, app_id)] = Consent(tenant_id, app_id)
        return consent

    # -- seed format --------------------------------------------------------------------------------

    def to_seed(self) -> dict[str, Any]:
        return {
            "tenants": [t.to_seed() for t in self.tenants],
            "apps": [a.to_seed() for a in self.apps.values()],
            "users": [u.to_seed() for u in self.users.values()],
            "groups": [g.to_seed() for g in self.groups.values()],
            "gdap": [g.to_seed() for g in self.gdap],
            "consents": [c.to_seed() for c in self.consents.values()],
        }

    @classmethod
    def from_seed(cls, seed: Mapping[str, Any], now: float | None = None) -> "Directory":
        """Build and validate a directory from seed JSON (the `settings` key is handled elsewhere).
        `now` (emulator time) places relationships seeded without dates."""
        now = time.time() if now is None else now
        if not isinstance(seed, Mapping):
            raise SeedError("the seed must be a JSON object")
        _warn_unknown(seed, _KNOWN_SEED_KEYS, "(top level)")
        tenants = [_parse_tenant(t, i) for i, t in enumerate(_entries(seed, "tenants"))]
        tenant_ids = _unique([t.id for t in tenants], "tenant id")
        _unique([t.domain.lower() for t in tenants], "tenant domain")
        apps = [_parse_app(a, i, tenant_ids) for i, a in enumerate(_entries(seed, "apps"))]
        _unique([a.app_id for a in apps], "app_id")
        users = [_parse_user(u, i, tenant_ids) for i, u in enumerate(_entries(seed, "users"))]
        _unique([u.upn.lower() for u in users], "user upn")
        _unique([u.oid for u in users], "user oid")
        groups = [_parse_group(g, i, tenant_ids, users) for i, g in enumerate(_entries(seed, "groups"))]
        _unique([g.id for g in groups], "group id")
        _check_nesting(groups)
        gdap = [_parse_gdap(g, i, tenant_ids, {g.id: g for g in groups}, now) for i, g in enumerate(_entries(seed, "gdap"))]
        _unique([g.id for g in gdap], "gdap id")
        app_ids = {a.app_id for a in apps}
        consents = [_parse_consent(c, i, tenant_ids, app_ids) for i, c in enumerate(_entries(seed, "consents"))]
        _unique([f"{c.tenant}/{c.app_id}" for c in consents], "consent (tenant, app_id)")
        return cls(tenants, apps, users, gdap, consents, groups)


def _entries(seed: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = seed.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise SeedError(f"'{key}' must be a list of objects")
    return value


def _unique(values: list[str], what: str) -> set[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise SeedError(f"duplicate {what}: {value}")
        seen.add(value)
    return seen


def _parse_tenant(entry: Mapping[str, Any], index: int) -> Tenant:
    where = f"tenants[{index}]"
    _warn_unknown(entry, {"id", "domain", "name", "kind", "conditional_access"}, where)
    kind = entry.get("kind", "customer")
    if kind not in TENANT_KINDS:
        raise SeedError(f"{where}: kind must be one of {sorted(TENANT_KINDS)}")
    domain = _text(entry, "domain", where)
    if not re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", domain):
        raise SeedError(f"{where}: domain {domain!r} is not a DNS name")
    access = entry.get("conditional_access") or {}
    if not isinstance(access, Mapping):
        raise SeedError(f"{where}: conditional_access must be an object")
    _warn_unknown(access, {"require_mfa", "external_mfa"}, f"{where}.conditional_access")
    require_mfa = frozenset(_guid(r, f"{where}.conditional_access.require_mfa") for r in _string_list(access, "require_mfa", where))
    external_mfa = access.get("external_mfa", False)
    if not isinstance(external_mfa, bool):
        raise SeedError(f"{where}: conditional_access.external_mfa must be true or false")
    return Tenant(_guid(entry.get("id"), f"{where}.id"), domain, _text(entry, "name", where), kind, require_mfa,
                  external_mfa)


def _parse_app(entry: Mapping[str, Any], index: int, tenant_ids: set[str]) -> App:
    where = f"apps[{index}]"
    _warn_unknown(
        entry,
        {"app_id", "name", "tenant", "multi_tenant", "public_client", "redirect_uris", "secrets", "certificates"},
        where,
    )
    tenant = _guid(entry.get("tenant"), f"{where}.tenant")
    if tenant not in tenant_ids:
        raise SeedError(f"{where}: home tenant {tenant} is not in 'tenants'")
    for flag in ("multi_tenant", "public_client"):
        if not isinstance(entry.get(flag, False), bool):
            raise SeedError(f"{where}: '{flag}' must be true or false")
    app = App(
        app_id=_guid(entry.get("app_id"), f"{where}.app_id"),
        name=_text(entry, "name", where),
        tenant=tenant,
        multi_tenant=entry.get("multi_tenant", False),
        public_client=entry.get("public_client", False),
        redirect_uris=_string_list(entry, "redirect_uris", where),
        secrets=_string_list(entry, "secrets", where),
    )
    if app.public_client and app.secrets:
        raise SeedError(f"{where}: a public client cannot have secrets")
    for pem in _string_list(entry, "certificates", where):
        app.add_certificate(pem)
    return app


def _parse_user(entry: Mapping[str, Any], index: int, tenant_ids: set[str]) -> User:
    where = f"users[{index}]"
    _warn_unknown(entry, {"upn", "oid", "tenant", "name", "password", "totp_secret"}, where)
    tenant = _guid(entry.get("tenant"), f"{where}.tenant")
    if tenant not in tenant_ids:
        raise SeedError(f"{where}: tenant {tenant} is not in 'tenants'")
    totp = entry.get("totp_secret") or None
    if totp is not None:
        try:
            base64.b32decode(str(totp).upper() + "=" * (-len(str(totp)) % 8))
        except (binascii.Error, ValueError):
            raise SeedError(f"{where}: totp_secret is not base32") from None
    upn = _text(entry, "upn", where)
    if "@" not in upn:
        raise SeedError(f"{where}: upn {upn!r} is not user@domain")
    return User(
        upn=upn,
        oid=_guid(entry.get("oid"), f"{where}.oid"),
        tenant=tenant,
        name=_text(entry, "name", where, required=False) or upn.split("@")[0],
        password=_text(entry, "password", where),
        totp_secret=totp,
    )


def _parse_group(entry: Mapping[str, Any], index: int, tenant_ids: set[str], users: list[User]) -> Group:
    where = f"groups[{index}]"
    _warn_unknown(entry, {"id", "tenant", "name", "members", "groups"}, where)
    tenant = _guid(entry.get("tenant"), f"{where}.tenant")
    if tenant not in tenant_ids:
        raise SeedError(f"{where}: tenant {tenant} is not in 'tenants'")
    by_key = {u.upn.lower(): u for u in users} | {u.oid: u for u in users}
    members = []
    for member in _string_list(entry, "members", where):
        user = by_key.get(member.lower())
        if user is None:  # as Entra drops a deleted user from its groups (a PUT /directory may remove users)
            log.warning("seed %s: member %r is not a user; dropped", where, member)
            continue
        if user.tenant != tenant:
            raise SeedError(f"{where}: member {member!r} is not a user of tenant {tenant}")
        members.append(user.oid)
    return Group(_guid(entry.get("id"), f"{where}.id"), tenant, _text(entry, "name", where), members,
                 [_guid(g, f"{where}.groups") for g in _string_list(entry, "groups", where)])


def _check_nesting(groups: list[Group]) -> None:
    by_id = {g.id: g for g in groups}
    for group in groups:
        for nested in group.groups:
            if nested not in by_id or by_id[nested].tenant != group.tenant:
                raise SeedError(f"group {group.id}: nested group {nested} is not a group of the same tenant")


def parse_assignment(entry: Mapping[str, Any], where: str, partner: str, groups: Mapping[str, Group],
                     relationship_id: str, index: int, now: float) -> AccessAssignment:
    if not isinstance(entry, Mapping):
        raise SeedError(f"{where}: an access assignment must be an object")
    _warn_unknown(entry, {"id", "group", "roles", "status"}, where)
    group = _guid(entry.get("group"), f"{where}.group")
    if group not in groups or groups[group].tenant != partner:
        raise SeedError(f"{where}: group {group} is not a security group of the partner tenant {partner}")
    status = entry.get("status", "active")
    if status not in ASSIGNMENT_STATUSES:
        raise SeedError(f"{where}: status must be one of {sorted(ASSIGNMENT_STATUSES)}")
    roles = [role_id(r, f"{where}.roles") for r in _string_list(entry, "roles", where)]
    if not roles:
        raise SeedError(f"{where}: 'roles' must name at least one role")
    assignment_id = _guid(entry["id"], f"{where}.id") if entry.get("id") else stable_id("assignment", relationship_id, str(index))
    return AccessAssignment(assignment_id, group, roles, status, now)


def parse_gdap(entry: Mapping[str, Any], where: str, tenant_ids: set[str], groups: Mapping[str, Group],
               now: float) -> Gdap:
    """One relationship in seed format (also what the control API's POST /gdap takes)."""
    if not isinstance(entry, Mapping):
        raise SeedError(f"{where}: a relationship must be an object")
    _warn_unknown(entry, {"id", "partner", "customer", "status", "roles", "name", "duration", "auto_extend_duration",
                          "created", "activated", "end", "ends_in_days", "access_assignments"}, where)
    partner = _guid(entry.get("partner"), f"{where}.partner")
    customer = _guid(entry.get("customer"), f"{where}.customer")
    for tenant in (partner, customer):
        if tenant not in tenant_ids:
            raise SeedError(f"{where}: tenant {tenant} is not in 'tenants'")
    status = entry.get("status", "active")
    if status not in GDAP_STATUSES:
        raise SeedError(f"{where}: status must be one of {sorted(GDAP_STATUSES)}")
    name = str(entry.get("name", ""))
    relationship_id = str(entry.get("id") or f"{stable_id('gdap', partner, customer, name)}-{customer}").lower()
    if not re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", relationship_id):
        raise SeedError(f"{where}: id {relationship_id!r} is not <guid>-<guid>")
    duration = str(entry.get("duration", "P730D"))
    length = duration_seconds(duration, f"{where}.duration")
    if not DAY <= length <= 730 * DAY:
        raise SeedError(f"{where}: duration must be between P1D and P2Y")
    auto_extend = str(entry.get("auto_extend_duration", "PT0S"))
    if duration_seconds(auto_extend, f"{where}.auto_extend_duration") not in (0, 180 * DAY):
        raise SeedError(f"{where}: auto_extend_duration must be PT0S, P0D or P180D")
    pending = status in ("approvalPending", "created", "approved", "activating")
    activated = _instant(entry.get("activated"), f"{where}.activated")
    end = _instant(entry.get("end"), f"{where}.end")
    if "ends_in_days" in entry:
        days = entry["ends_in_days"]
        if not isinstance(days, (int, float)) or isinstance(days, bool):
            raise SeedError(f"{where}: ends_in_days must be a number")
        end = now + days * DAY
    if not pending:
        if activated is None:
            activated = (end - length) if end is not None else now - 30 * DAY
        if end is None:
            end = activated + length
    created = _instant(entry.get("created"), f"{where}.created") or (activated - DAY if activated else now)
    roles = [role_id(r, f"{where}.roles") for r in _string_list(entry, "roles", where)]
    assignments = None
    if "access_assignments" in entry:
        raw = entry["access_assignments"]
        if not isinstance(raw, list):
            raise SeedError(f"{where}: access_assignments must be a list")
        assignments = [parse_assignment(a, f"{where}.access_assignments[{i}]", partner, groups, relationship_id, i, created)
                       for i, a in enumerate(raw)]
        for assignment in assignments:
            missing = [r for r in assignment.roles if r not in roles]
            if missing:
                raise SeedError(f"{where}: access assignment {assignment.id} gives roles the relationship does not "
                                f"grant: {', '.join(ROLE_NAMES.get(r, r) for r in missing)}")
    return Gdap(partner, customer, status, roles, name, relationship_id, duration, auto_extend, created, activated,
                end, assignments)


def _parse_gdap(entry: Mapping[str, Any], index: int, tenant_ids: set[str], groups: Mapping[str, Group],
                now: float) -> Gdap:
    return parse_gdap(entry, f"gdap[{index}]", tenant_ids, groups, now)


def _parse_consent(entry: Mapping[str, Any], index: int, tenant_ids: set[str], app_ids: set[str]) -> Consent:
    where = f"consents[{index}]"
    _warn_unknown(entry, {"tenant", "app_id", "grants"}, where)
    tenant = _guid(entry.get("tenant"), f"{where}.tenant")
    app_id = _guid(entry.get("app_id"), f"{where}.app_id")
    if tenant not in tenant_ids:
        raise SeedError(f"{where}: tenant {tenant} is not in 'tenants'")
    if app_id not in app_ids:
        raise SeedError(f"{where}: app {app_id} is not in 'apps'")
    grants = entry.get("grants", {})
    if not isinstance(grants, Mapping):
        raise SeedError(f"{where}: grants must be an object of resource app id -> permissions")
    known = {r.app_id: r for r in BUILTIN_RESOURCES}
    parsed: dict[str, list[str]] = {}
    for resource_id, permissions in grants.items():
        rid = _guid(resource_id, f"{where}.grants")
        if rid not in known:
            raise SeedError(f"{where}: {rid} is not a built-in resource (see docs/EMULATOR.md)")
        if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
            raise SeedError(f"{where}: grants[{rid}] must be a list of permission names")
        if permissions == ["*"]:  # shorthand: every permission of the resource
            parsed[rid] = known[rid].all_permissions
            continue
        valid = {p.lower(): p for p in known[rid].all_permissions}
        for permission in permissions:
            if permission.lower() not in valid:
                raise SeedError(f"{where}: {permission!r} is not a permission of {known[rid].name}")
        parsed[rid] = [valid[p.lower()] for p in permissions]
    return Consent(tenant, app_id, parsed)
