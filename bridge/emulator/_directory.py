"""The emulated directory: tenants, applications, users, GDAP relationships and consents.

It is loaded from a seed (JSON, format in docs/EMULATOR.md), validated up front so a typo in a
seed fails at start-up with a clear message, and written back in the same format by `to_seed()`.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

from ._resources import BUILTIN_RESOURCES, ResourceCatalog

log = logging.getLogger("bridge.emulator")

ALIASES = frozenset({"common", "organizations"})
GDAP_STATUSES = frozenset({"active", "expired", "terminated"})
TENANT_KINDS = frozenset({"partner", "customer"})
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1"})
_KNOWN_SEED_KEYS = frozenset({"tenants", "apps", "users", "gdap", "consents", "settings"})


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

    def to_seed(self) -> dict[str, Any]:
        seed: dict[str, Any] = {"id": self.id, "domain": self.domain, "name": self.name, "kind": self.kind}
        if self.require_mfa:
            seed["conditional_access"] = {"require_mfa": sorted(self.require_mfa)}
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


@dataclass
class Gdap:
    partner: str
    customer: str
    status: str
    roles: list[str] = field(default_factory=list)
    name: str = ""

    def to_seed(self) -> dict[str, Any]:
        seed: dict[str, Any] = {
            "partner": self.partner, "customer": self.customer, "status": self.status, "roles": list(self.roles),
        }
        if self.name:
            seed["name"] = self.name
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
    ) -> None:
        self.tenants = tenants
        self.apps = {a.app_id: a for a in apps}
        self.users = {u.upn.lower(): u for u in users}
        self.gdap = gdap
        self.consents = {(c.tenant, c.app_id): c for c in consents}
        self._tenant_keys: dict[str, Tenant] = {}
        for tenant in tenants:
            self._tenant_keys[tenant.id] = tenant
            self._tenant_keys[tenant.domain.lower()] = tenant
        self._gdap_active = {(g.partner, g.customer) for g in gdap if g.status == "active"}
        self.resources = ResourceCatalog(
            [t.domain.lower()[: -len(".onmicrosoft.com")] for t in tenants if t.domain.lower().endswith(".onmicrosoft.com")]
        )

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

    def gdap_active(self, partner: str, customer: str) -> bool:
        return (partner, customer) in self._gdap_active

    def user_can_access(self, user: User, tenant: Tenant) -> bool:
        """A member of the tenant, or a partner user with an active GDAP relationship to it."""
        return user.tenant == tenant.id or self.gdap_active(user.tenant, tenant.id)

    def app_visible_in(self, app: App, tenant: Tenant | None) -> bool:
        """False where Entra answers AADSTS700016: a single-tenant app outside its home tenant."""
        return tenant is None or app.multi_tenant or app.tenant == tenant.id

    @property
    def partner_tenant(self) -> Tenant | None:
        return next((t for t in self.tenants if t.kind == "partner"), None)

    def active_customers(self, partner_id: str) -> list[Tenant]:
        seen: list[Tenant] = []
        for relationship in self.gdap:
            if relationship.partner == partner_id and relationship.status == "active":
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
            "gdap": [g.to_seed() for g in self.gdap],
            "consents": [c.to_seed() for c in self.consents.values()],
        }

    @classmethod
    def from_seed(cls, seed: Mapping[str, Any]) -> "Directory":
        """Build and validate a directory from seed JSON (the `settings` key is handled elsewhere)."""
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
        gdap = [_parse_gdap(g, i, tenant_ids) for i, g in enumerate(_entries(seed, "gdap"))]
        app_ids = {a.app_id for a in apps}
        consents = [_parse_consent(c, i, tenant_ids, app_ids) for i, c in enumerate(_entries(seed, "consents"))]
        _unique([f"{c.tenant}/{c.app_id}" for c in consents], "consent (tenant, app_id)")
        return cls(tenants, apps, users, gdap, consents)


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
    _warn_unknown(access, {"require_mfa"}, f"{where}.conditional_access")
    require_mfa = frozenset(_guid(r, f"{where}.conditional_access.require_mfa") for r in _string_list(access, "require_mfa", where))
    return Tenant(_guid(entry.get("id"), f"{where}.id"), domain, _text(entry, "name", where), kind, require_mfa)


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


def _parse_gdap(entry: Mapping[str, Any], index: int, tenant_ids: set[str]) -> Gdap:
    where = f"gdap[{index}]"
    _warn_unknown(entry, {"partner", "customer", "status", "roles", "name"}, where)
    partner = _guid(entry.get("partner"), f"{where}.partner")
    customer = _guid(entry.get("customer"), f"{where}.customer")
    for tenant in (partner, customer):
        if tenant not in tenant_ids:
            raise SeedError(f"{where}: tenant {tenant} is not in 'tenants'")
    status = entry.get("status", "active")
    if status not in GDAP_STATUSES:
        raise SeedError(f"{where}: status must be one of {sorted(GDAP_STATUSES)}")
    return Gdap(partner, customer, status, _string_list(entry, "roles", where), str(entry.get("name", "")))


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
