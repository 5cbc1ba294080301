"""The SAM application itself: create it, consent it into customers, watch and rotate its credential.

* `create`: a multi-tenant app with the delegated permissions the chosen `Connect-*` targets need,
  its service principal and admin consent in the partner tenant, a client secret in the profile's
  store, the profile, and the refresh token (device code; the app allows public client flows, as
  CIPP's manifest does). Run again it reconciles, and `what_if` shows the difference only.
* `consent` / `consent_check`: Partner Center's application consent API per customer, and the
  Graph grants that follow when the app needs more than an earlier consent gave (sam-lifecycle 2).
* `credentials` / `rotate`: the app's secrets and certificates with their expiry; rotation adds a
  secret, stores it, proves it with one token request, then removes the old one.

Every call goes through `GraphClient`; tokens come from the profile's refresh token (`obtain_token`),
or, before the app exists, from a bootstrap sign-in with a Microsoft public client.
"""
from __future__ import annotations

import logging
import os
import secrets as _secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Iterator, Mapping

from .._auth.client import entry
from .._config import Config, Profile
from .._core import validate as v
from .._core.constants import (
    BATCH_CONCURRENCY,
    BOOTSTRAP_CLIENT_ID,
    DEFAULT_CREDENTIAL_WARN_DAYS,
    DEFAULT_SECRET_DAYS,
    ENTRY_CLIENT_SECRET,
    ENTRY_REFRESH_TOKEN,
    ENV_CLIENT_SECRET,
    GRAPH_APP_ID,
    PARTNER_CENTER_APP_ID,
)
from .._core.errors import InvalidInputError, NotAvailableError, SamBridgeError, ServiceError
from .._core.scrub import remember
from .._core.tokens import iso, parse_iso, utcnow
from .._stores import SecretStore
from .graph import GraphClient, GraphError
from .partner_center import PartnerCenterClient, partner_center_client

log = logging.getLogger("bridge.app")

def _when(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


GRAPH_DEFAULT = "https://graph.microsoft.com/.default"
SIGN_IN_AUDIENCE = "AzureADMultipleOrgs"
REDIRECT_URIS = ("http://localhost",)  # loopback: browser consent (any port) and the public-client flows
APP_TAG = "sam-bridge"
MAX_SECRET_DAYS = 730  # Graph's own default and cap for a password credential
MAX_CERTIFICATE_DAYS = 365

# What the lifecycle itself calls, whatever the targets: Partner Center (customers, consents) and
# Graph (its own credentials, the grants it checks and extends in customer tenants).
_LIFECYCLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    PARTNER_CENTER_APP_ID: ("user_impersonation",),
    # DelegatedAdminRelationship.Read.All: `customers` and the batches' preflight read GDAP with it.
    GRAPH_APP_ID: ("Application.ReadWrite.All", "DelegatedAdminRelationship.Read.All", "DelegatedPermissionGrant.ReadWrite.All",
                   "Directory.Read.All"),
}

Permissions = dict[str, tuple[str, ...]]  # resource app id -> delegated permission names, sorted


def _merge(*sets: Mapping[str, Iterable[str]]) -> Permissions:
    out: dict[str, set[str]] = {}
    for one in sets:
        for resource, names in one.items():
            out.setdefault(resource, set()).update(names)
    return {r: tuple(sorted(n, key=str.lower)) for r, n in sorted(out.items()) if n}


def required_permissions(target_permissions: Mapping[str, Iterable[str]]) -> Permissions:
    """The delegated permissions the targets' tokens need (bridge._targets.permissions), plus the lifecycle's own."""
    return _merge(target_permissions, _LIFECYCLE_PERMISSIONS)


# --------------------------------------------------------------------------------------------
# Permission names <-> ids, from the resources' service principals (as Entra publishes them)
# --------------------------------------------------------------------------------------------


class PermissionCatalog:
    """Delegated permission ids of resources, read once per run from their service principals."""

    def __init__(self, graph: GraphClient) -> None:
        self.graph = graph
        self._scopes: dict[str, dict[str, str]] = {}  # resource -> lower name -> (id)
        self._names: dict[str, dict[str, str]] = {}  # resource -> id -> name

    def _load(self, resource: str) -> None:
        if resource in self._scopes:
            return
        sp = self.graph.get(f"/servicePrincipals(appId='{resource}')", doing=f"read the permissions of {resource}")
        scopes = [s for s in sp.get("oauth2PermissionScopes") or [] if isinstance(s, dict)]
        self._scopes[resource] = {str(s.get("value", "")).lower(): str(s.get("id", "")).lower() for s in scopes}
        self._names[resource] = {str(s.get("id", "")).lower(): str(s.get("value", "")) for s in scopes}

    def sp_id(self, resource: str) -> str:
        sp = self.graph.get(f"/servicePrincipals(appId='{resource}')", doing=f"find the service principal of {resource}")
        return str(sp["id"])

    def ids(self, resource: str, names: Iterable[str]) -> list[dict[str, str]]:
        self._load(resource)
        out = []
        for name in names:
            pid = self._scopes[resource].get(name.lower())
            if pid is None:
                raise ServiceError(f"Microsoft Graph does not list a delegated permission {name!r} of {resource}.")
            out.append({"id": pid, "type": "Scope"})
        return out

    def names(self, access: Iterable[Mapping[str, Any]]) -> Permissions:
        """requiredResourceAccess as names (app roles are not sam-bridge's and are kept as they are)."""
        out: dict[str, set[str]] = {}
        for item in access:
            resource = str(item.get("resourceAppId", "")).lower()
            scopes = [a for a in item.get("resourceAccess") or [] if a.get("type") == "Scope"]
            if not scopes:
                continue
            self._load(resource)
            for a in scopes:
                out.setdefault(resource, set()).add(self._names[resource].get(str(a.get("id")).lower(), str(a.get("id"))))
        return _merge(out)


def _access_body(catalog: PermissionCatalog, wanted: Permissions, current: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """requiredResourceAccess for `wanted`, keeping app roles someone else configured."""
    roles = {str(i.get("resourceAppId", "")).lower(): [a for a in i.get("resourceAccess") or [] if a.get("type") == "Role"]
             for i in current}
    body = []
    for resource in sorted(set(wanted) | {r for r, a in roles.items() if a}):
        access = catalog.ids(resource, wanted.get(resource, ())) + roles.get(resource, [])
        body.append({"resourceAppId": resource, "resourceAccess": access})
    return body


# --------------------------------------------------------------------------------------------
# The plan: what create would change
# --------------------------------------------------------------------------------------------


@dataclass
class AppChanges:
    """The difference between the app registration and what sam-bridge needs."""

    create: bool = False
    added: Permissions = field(default_factory=dict)
    removed: Permissions = field(default_factory=dict)
    redirect_uris_added: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)  # property -> wanted value

    @property
    def empty(self) -> bool:
        return not (self.create or self.added or self.removed or self.redirect_uris_added or self.settings)

    def to_dict(self) -> dict[str, Any]:
        return {"create": self.create, "added_permissions": {k: list(v) for k, v in self.added.items()},
                "removed_permissions": {k: list(v) for k, v in self.removed.items()},
                "redirect_uris_added": list(self.redirect_uris_added), "settings": dict(self.settings)}

    def lines(self) -> list[str]:
        out = ["+ create the application (multi-tenant)"] if self.create else []
        out += [f"+ {resource}: {name}" for resource, names in self.added.items() for name in names]
        out += [f"- {resource}: {name}" for resource, names in self.removed.items() for name in names]
        out += [f"+ redirect URI {uri}" for uri in self.redirect_uris_added]
        out += [f"~ {key} -> {value}" for key, value in self.settings.items()]
        return out


def _diff(current: Mapping[str, Any] | None, have: Permissions, wanted: Permissions) -> AppChanges:
    if current is None:
        return AppChanges(create=True, added=dict(wanted), redirect_uris_added=REDIRECT_URIS)
    added = {r: tuple(n for n in names if n.lower() not in {h.lower() for h in have.get(r, ())}) for r, names in wanted.items()}
    removed = {r: tuple(n for n in names if n.lower() not in {w.lower() for w in wanted.get(r, ())}) for r, names in have.items()}
    uris = set((current.get("web") or {}).get("redirectUris") or []) & set((current.get("publicClient") or {}).get("redirectUris") or [])
    settings: dict[str, Any] = {}
    if current.get("signInAudience") != SIGN_IN_AUDIENCE:
        settings["signInAudience"] = SIGN_IN_AUDIENCE
    if current.get("isFallbackPublicClient") is not True:
        settings["isFallbackPublicClient"] = True
    return AppChanges(False, {r: n for r, n in added.items() if n}, {r: n for r, n in removed.items() if n},
                      tuple(u for u in REDIRECT_URIS if u not in uris), settings)


# --------------------------------------------------------------------------------------------
# create
# --------------------------------------------------------------------------------------------

Prompt = Callable[[str], None]


def _say(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)


def bootstrap_token(profile: Profile, *, prompt: Prompt = _say, method: str = "device-code") -> Callable[[], str]:
    """One delegated sign-in of a partner admin with the profile's bootstrap public client.

    The refresh token lives in a private memory store for this run only; nothing is written.
    """
    from .._stores.memory import MemoryStore
    from .consent import consent
    from .exchange import obtain_token

    bootstrap = profile.with_changes(app_id=profile.bootstrap_client_id, credential="none",
                                     store="memory:bootstrap" + _secrets.token_hex(8), scopes=(GRAPH_DEFAULT,))
    store = MemoryStore(bootstrap.store.partition(":")[2])
    prompt(f"Sign in as a partner admin (Global or Application Administrator) to create the app, with {method}:")
    consent(bootstrap, store, method, prompt=prompt)
    return lambda: obtain_token(bootstrap, store, [GRAPH_DEFAULT]).token


def _profile_token(profile: Profile, store: SecretStore) -> Callable[[], str]:
    from .exchange import obtain_token

    return lambda: obtain_token(profile, store, [GRAPH_DEFAULT]).token


def _has_refresh_token(profile: Profile, store: SecretStore) -> bool:
    stored = store.get(entry(profile, ENTRY_REFRESH_TOKEN))
    return stored is not None and bool(stored.value)


def _find_app(graph: GraphClient, app_id: str, tenant: str) -> dict[str, Any]:
    try:
        return graph.get(f"/applications(appId='{app_id}')", doing=f"read application {app_id}")
    except GraphError as exc:
        if exc.status == 404:
            raise InvalidInputError(
                f"application {app_id} is not registered in tenant {tenant}: it is not this partner's app, "
                "so sam-bridge changed nothing.",
                remediation="Check the --app-id, or leave it out to create a new application.",
            ) from None
        raise


@dataclass
class CreateResult:
    profile: str
    app_id: str
    object_id: str
    tenant_id: str
    changes: AppChanges
    what_if: bool
    credential: dict[str, Any] | None = None
    consent: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"profile": self.profile, "app_id": self.app_id, "object_id": self.object_id,
                "tenant_id": self.tenant_id, "what_if": self.what_if, "changed": not self.changes.empty,
                "changes": self.changes.to_dict(), "credential": self.credential, "consent": self.consent}


def create(
    name: str,
    *,
    config: str | os.PathLike[str] | None = None,
    values: Mapping[str, Any] | None = None,
    app_id: str | None = None,
    permissions: Mapping[str, Iterable[str]],
    keep_permissions: bool = False,
    display_name: str | None = None,
    what_if: bool = False,
    secret_days: int = DEFAULT_SECRET_DAYS,
    credential: str = "secret",
    sign_in: str = "device-code",
    consent_app: bool = True,
    prompt: Prompt = _say,
    token: Callable[[], str] | None = None,
) -> CreateResult:
    """Create (or reconcile) the profile's SAM application; `what_if` only reports the difference.

    `permissions`: what the chosen targets' tokens need (bridge._targets.permissions); with
    `keep_permissions` (no targets were chosen) an existing app keeps the ones it has.
    """
    from .._stores import open_store

    if credential not in ("secret", "certificate"):
        raise InvalidInputError(f"--credential must be secret or certificate, not {credential!r}.")
    days = _lifetime_days(secret_days, credential)
    cfg = Config.load(config)
    existing = cfg.profile(name) if name in cfg.profile_names else None
    overrides = {k: val for k, val in (values or {}).items() if val is not None}
    if existing is not None:
        base = existing.with_changes(**{k: val for k, val in overrides.items() if k != "tenant"}) if overrides else existing
    else:
        if "tenant" not in overrides:
            raise InvalidInputError(f"profile {name!r} does not exist yet: give the partner tenant (--tenant).")
        # The app id is not known yet: the bootstrap client's stands in until the app exists.
        placeholder = app_id or overrides.get("bootstrap_client_id") or BOOTSTRAP_CLIENT_ID
        base = Config.build_profile(name, {}, **{"app_id": placeholder, **overrides})
    # A host that is not Microsoft's is refused before anyone signs in (unless allowed, as profile add does).
    v.check_authority_host(base.authority_host, base.custom_authority)
    store = open_store(base.store, ca_bundle=base.ca_bundle, profile=base)
    store.check()
    target_app = v.guid(app_id, "application id") if app_id else (existing.app_id if existing else None)
    if token is None:
        usable = existing is not None and existing.app_id == target_app and _has_refresh_token(existing, store)
        token = _profile_token(existing, store) if usable and existing else bootstrap_token(base, prompt=prompt, method=sign_in)
    graph = GraphClient(base, token)
    org = next(graph.list("/organization", doing="read the partner tenant"), None)
    if org is None:
        raise ServiceError("Microsoft Graph returned no organization for the signed-in tenant.")
    tenant_id = str(org["id"]).lower()
    catalog = PermissionCatalog(graph)

    current = _find_app(graph, target_app, tenant_id) if target_app else None
    have = catalog.names(current.get("requiredResourceAccess") or []) if current else {}
    wanted = _merge(have if keep_permissions and current is not None else permissions, _LIFECYCLE_PERMISSIONS)
    changes = _diff(current, have, wanted)
    result = CreateResult(name, target_app or "", str(current["id"]) if current else "", tenant_id, changes, what_if)
    if what_if:
        return result

    body: dict[str, Any] = {
        "signInAudience": SIGN_IN_AUDIENCE,
        "isFallbackPublicClient": True,
        "web": {"redirectUris": _union((current or {}).get("web", {}).get("redirectUris"), REDIRECT_URIS)},
        "publicClient": {"redirectUris": _union((current or {}).get("publicClient", {}).get("redirectUris"), REDIRECT_URIS)},
        "requiredResourceAccess": _access_body(catalog, wanted, (current or {}).get("requiredResourceAccess") or []),
    }
    if current is None:
        created = graph.post("/applications", {"displayName": display_name or f"sam-bridge {name}", "tags": [APP_TAG], **body},
                             doing="create the application")
        current = created
        result.app_id, result.object_id = str(created["appId"]), str(created["id"])
    elif not changes.empty:
        graph.patch(f"/applications/{current['id']}", body, doing="update the application")
    app_object = str(current["id"])
    sp_id = _ensure_service_principal(graph, result.app_id)
    _ensure_grants(graph, catalog, sp_id, wanted)

    if existing is not None and existing.app_id == result.app_id and existing.credential != "none":
        credential = existing.credential  # a reconcile keeps the credential kind the profile has
    profile = base.with_changes(app_id=result.app_id, tenant=tenant_id, credential=credential)
    if existing is None or existing.app_id != result.app_id or store.get(_credential_entry(profile)) is None:
        result.credential = _add_and_store(graph, profile, store, app_object, days)
    cfg = Config.load(config)
    cfg.set_profile(profile)
    cfg.save()
    if consent_app and not _has_refresh_token(profile, store):
        from .consent import consent

        prompt(f"Sign in once more, with the new app {result.app_id}, so sam-bridge holds its refresh token:")
        # A device code works for the confidential app because it allows public client flows.
        done = consent(profile, store, sign_in, prompt=prompt, public_flow=sign_in == "device-code")
        result.consent = done.to_dict()
    return result


def _union(current: Any, wanted: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([u for u in (current or []) if isinstance(u, str)] + list(wanted)))


def _ensure_service_principal(graph: GraphClient, app_id: str) -> str:
    """The app's service principal in the token's tenant, created when missing (409: someone just did)."""
    for attempt in range(2):
        try:
            return str(graph.get(f"/servicePrincipals(appId='{app_id}')", doing="read the service principal")["id"])
        except GraphError as exc:
            if exc.status != 404 or attempt:
                raise
        try:
            return str(graph.post("/servicePrincipals", {"appId": app_id}, doing="create the service principal")["id"])
        except GraphError as exc:
            if exc.status != 409:
                raise
    raise ServiceError(f"the service principal of {app_id} could not be read or created.")


def _ensure_grants(graph: GraphClient, catalog: PermissionCatalog, client_sp: str, wanted: Permissions) -> dict[str, tuple[str, ...]]:
    """Admin consent (AllPrincipals grants) for `wanted` in the token's tenant; returns what was added."""
    grants = {str(g.get("resourceId")): g for g in graph.list(
        "/oauth2PermissionGrants", params={"$filter": f"clientId eq '{client_sp}'"}, doing="read the permission grants")}
    added: dict[str, tuple[str, ...]] = {}
    for resource, names in wanted.items():
        resource_sp = catalog.sp_id(resource)
        grant = grants.get(resource_sp)
        have = str(grant.get("scope", "")).split() if grant else []
        missing = [n for n in names if n.lower() not in {h.lower() for h in have}]
        if not missing:
            continue
        if grant is None:
            graph.post("/oauth2PermissionGrants", {"clientId": client_sp, "consentType": "AllPrincipals",
                                                   "resourceId": resource_sp, "scope": " ".join(names)},
                       doing=f"grant {resource} permissions")
        else:
            graph.patch(f"/oauth2PermissionGrants/{grant['id']}", {"scope": " ".join(have + missing)},
                        doing=f"extend the {resource} grant")
        added[resource] = tuple(missing)
    return added


# --------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------


def _lifetime_days(days: Any, kind: str = "secret") -> int:
    # Graph caps a password credential at two years and a certificate it takes by PATCH at one.
    top = MAX_SECRET_DAYS if kind == "secret" else MAX_CERTIFICATE_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= top:
        raise InvalidInputError(f"the {kind} lifetime must be a whole number of days from 1 to {top}, not {days!r}.")
    return days


def _policy_limit(graph: GraphClient) -> float | None:
    """The tenant's maximum password lifetime in seconds, when its policy says and we may read it."""
    try:
        policy = graph.get("/policies/defaultAppManagementPolicy", doing="read the app management policy")
    except GraphError:
        return None  # no Policy.Read.All: addPassword itself will say if the lifetime is refused
    if not isinstance(policy, dict) or not policy.get("isEnabled"):
        return None
    restrictions = (policy.get("applicationRestrictions") or {}).get("passwordCredentials") or []
    limits = [_duration(r.get("maxLifetime")) for r in restrictions
              if isinstance(r, dict) and r.get("restrictionType") == "passwordLifetime" and r.get("state") == "enabled"]
    limits = [x for x in limits if x]
    return min(limits) if limits else None


def _duration(text: Any) -> float | None:
    import re

    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text or "") if isinstance(text, str) else None
    if not m or text in ("P", "PT"):
        return None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    return float(((y * 365 + mo * 30 + d) * 24 + h) * 3600 + mi * 60 + s)


def _add_password(graph: GraphClient, profile: Profile, object_id: str, tenant: str, days: int) -> dict[str, Any]:
    start = utcnow().replace(microsecond=0)
    end = start + timedelta(days=days)
    limit = _policy_limit(graph)
    if limit is not None and (end - start).total_seconds() > limit:
        end = start + timedelta(seconds=limit) - timedelta(hours=1)  # under the cap, as CIPP derives it
        log.info("the tenant's app management policy caps secrets; this one ends %s", _when(end))
    body = {"passwordCredential": {"displayName": f"sam-bridge {profile.name} {start:%Y-%m-%d}",
                                   "endDateTime": _when(end)}}
    try:
        secret = graph.post(f"/applications/{object_id}/addPassword", body, doing="add a client secret")
    except GraphError as exc:
        if exc.code and "AsPerAppPolicy" in exc.code:
            raise InvalidInputError(
                f"the tenant's app management policy refused the secret: {exc.message}",
                remediation="Choose a shorter lifetime with --secret-days, or use --credential certificate.",
            ) from None
        raise
    text = secret.get("secretText") if isinstance(secret, dict) else None
    if not isinstance(text, str) or not text or not secret.get("keyId"):
        raise ServiceError("Microsoft Graph answered addPassword without the new secret; nothing was stored.")
    remember(text)
    return secret


def _store_secret(profile: Profile, store: SecretStore, secret: Mapping[str, Any], *, previous: str | None = None) -> None:
    meta: dict[str, Any] = {"profile": profile.name, "kind": "client-secret", "app_id": profile.app_id,
                            "key_id": str(secret["keyId"]), "hint": str(secret.get("hint") or ""),
                            "start_date_time": str(secret.get("startDateTime") or ""),
                            "end_date_time": str(secret.get("endDateTime") or "")}
    if previous:
        meta["previous_key_id"] = previous
    store.put(entry(profile, ENTRY_CLIENT_SECRET), str(secret["secretText"]), meta)


def _credential_entry(profile: Profile) -> str:
    from .._core.constants import ENTRY_CLIENT_CERTIFICATE

    return entry(profile, ENTRY_CLIENT_SECRET if profile.credential == "secret" else ENTRY_CLIENT_CERTIFICATE)


def _add_and_store(graph: GraphClient, profile: Profile, store: SecretStore, object_id: str, days: int,
                   *, previous: str | None = None, on_added: Callable[[], None] | None = None) -> dict[str, Any]:
    """Register a new credential of the profile's kind on the app, then store it; its public facts."""
    added = on_added or (lambda: None)
    if profile.credential == "secret":
        secret = _add_password(graph, profile, object_id, profile.tenant, days)
        added()
        _store_secret(profile, store, secret, previous=previous)
        return _public_secret(secret)
    cert, key_id = _add_certificate(graph, profile, object_id, days)
    added()
    meta: dict[str, Any] = {"profile": profile.name, "kind": "client-certificate", "app_id": profile.app_id,
                            "key_id": key_id, "thumbprint": cert.thumbprint,
                            "not_after": _when(cert.not_after), "end_date_time": _when(cert.not_after)}
    if previous:
        meta["previous_key_id"] = previous
    store.put(_credential_entry(profile), cert.to_store_value(), meta)
    return {"type": "certificate", "key_id": key_id, "thumbprint": cert.thumbprint, "hint": cert.thumbprint[:8],
            "end_date_time": _when(cert.not_after)}


def _key_credentials(graph: GraphClient, object_id: str) -> list[dict[str, Any]]:
    app = graph.get(f"/applications/{object_id}", params={"$select": "keyCredentials"}, doing="read the app's certificates")
    return [k for k in app.get("keyCredentials") or [] if isinstance(k, dict)]


def _resend(key: Mapping[str, Any]) -> dict[str, Any]:
    # PATCH replaces the collection, so every kept certificate is sent again as Graph listed it.
    fields = ("keyId", "type", "usage", "key", "displayName", "customKeyIdentifier")
    return {k: key.get(k) for k in fields if key.get(k) is not None}


def _add_certificate(graph: GraphClient, profile: Profile, object_id: str, days: int) -> tuple[Any, str]:
    """A new self-signed certificate added to the app's keyCredentials (by PATCH, which needs no proof)."""
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from .._auth.certs import generate_certificate

    cert = generate_certificate(f"sam-bridge {profile.name}", days)
    remember(cert.private_key_pem)
    der = x509.load_pem_x509_certificate(cert.certificate_pem.encode("ascii")).public_bytes(Encoding.DER)
    current = _key_credentials(graph, object_id)
    new = {"type": "AsymmetricX509Cert", "usage": "Verify", "key": base64.b64encode(der).decode("ascii"),
           "displayName": f"sam-bridge {profile.name} {utcnow():%Y-%m-%d}"}
    try:
        graph.patch(f"/applications/{object_id}", {"keyCredentials": [_resend(k) for k in current] + [new]},
                    doing="add a client certificate")
    except GraphError as exc:
        if exc.status == 400:
            raise InvalidInputError(f"Microsoft Graph refused the certificate: {exc.message}",
                                    remediation="Choose a lifetime of at most 365 days with --secret-days.") from None
        raise
    listed = _key_credentials(graph, object_id)
    found = next((k for k in listed if str(k.get("customKeyIdentifier") or "").upper() == cert.thumbprint.upper()), None)
    if found is None:
        raise ServiceError("Microsoft Graph does not list the certificate it just accepted; nothing was stored.")
    return cert, str(found["keyId"])


def _remove_credential(graph: GraphClient, profile: Profile, object_id: str, key_id: str) -> None:
    if profile.credential == "secret":
        _remove_password(graph, object_id, key_id)
        return
    current = _key_credentials(graph, object_id)
    if any(str(k.get("keyId")) == key_id for k in current):
        kept = [_resend(k) for k in current if str(k.get("keyId")) != key_id]
        graph.patch(f"/applications/{object_id}", {"keyCredentials": kept}, doing="remove the old client certificate")


def _public_secret(secret: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "secret", "key_id": secret.get("keyId"), "hint": secret.get("hint"),
            "end_date_time": secret.get("endDateTime")}


# --------------------------------------------------------------------------------------------
# credentials
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credential:
    kind: str  # secret | certificate
    key_id: str
    display_name: str | None
    start: datetime | None
    end: datetime | None
    stored: bool  # the one the profile uses
    state: str  # ok | warning | expired
    days_left: float | None
    hint: str | None = None
    thumbprint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "key_id": self.key_id, "display_name": self.display_name,
                "start_date_time": _when(self.start) if self.start else None,
                "end_date_time": _when(self.end) if self.end else None, "stored": self.stored, "state": self.state,
                "days_left": None if self.days_left is None else round(self.days_left, 2),
                "hint": self.hint, "thumbprint": self.thumbprint}


def _state_of(end: datetime | None, warn_days: float, now: datetime) -> tuple[str, float | None]:
    if end is None:
        return "warning", None
    left = (end - now).total_seconds() / 86400
    return ("expired" if left <= 0 else "warning" if left < warn_days else "ok"), left


def _check_warn_days(warn_days: Any) -> float:
    if isinstance(warn_days, bool) or not isinstance(warn_days, (int, float)) or not 0 <= warn_days <= 3650:
        raise InvalidInputError(f"warn days must be a number from 0 to 3650, not {warn_days!r}.")
    return float(warn_days)


def credentials(profile: Profile, store: SecretStore, *, warn_days: float = DEFAULT_CREDENTIAL_WARN_DAYS) -> list[Credential]:
    """Every secret and certificate of the profile's app, as Graph lists them, with their expiry."""
    warn = _check_warn_days(warn_days)
    graph = GraphClient(profile, _profile_token(profile, store))
    app = _find_app(graph, profile.app_id, profile.tenant)
    stored = store.get(_credential_entry(profile)) if profile.credential != "none" else None
    stored_key = str(stored.metadata.get("key_id") or "") if stored else ""
    now = utcnow()
    out = []
    for item in app.get("passwordCredentials") or []:
        end = parse_iso(item.get("endDateTime"))
        state, left = _state_of(end, warn, now)
        out.append(Credential("secret", str(item.get("keyId")), item.get("displayName"), parse_iso(item.get("startDateTime")),
                              end, str(item.get("keyId")) == stored_key, state, left, hint=item.get("hint")))
    for item in app.get("keyCredentials") or []:
        end = parse_iso(item.get("endDateTime"))
        state, left = _state_of(end, warn, now)
        out.append(Credential("certificate", str(item.get("keyId")), item.get("displayName"),
                              parse_iso(item.get("startDateTime")), end, str(item.get("keyId")) == stored_key, state, left,
                              thumbprint=item.get("customKeyIdentifier")))
    return out


@dataclass(frozen=True)
class CredentialStatus:
    """The expiry of the credential the profile stores (what addPassword answered when it was made)."""

    profile: str
    kind: str
    state: str  # ok | warning | expired | unknown | none
    end: datetime | None = None
    days_left: float | None = None
    key_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "state": self.state, "end_date_time": _when(self.end) if self.end else None,
                "days_left": None if self.days_left is None else round(self.days_left, 2), "key_id": self.key_id}

    def warning(self) -> str | None:
        fix = f"Run `sam-bridge app rotate --profile {self.profile}`."
        if self.state == "expired":
            return f"the app's client {self.kind} expired on {_when(self.end) if self.end else '?'} (AADSTS7000222 follows). {fix}"
        if self.state == "warning":
            return f"the app's client {self.kind} expires in {self.days_left:.1f} days ({_when(self.end) if self.end else '?'}). {fix}"
        return None


def credential_status(profile: Profile, store: SecretStore, *, warn_days: float = DEFAULT_CREDENTIAL_WARN_DAYS,
                      now: datetime | None = None) -> CredentialStatus:
    """Where the stored client credential stands against its endDateTime (no network)."""
    warn = _check_warn_days(warn_days)
    if profile.credential == "none":
        return CredentialStatus(profile.name, "none", "none")
    if profile.credential == "certificate":
        from .._core.constants import ENTRY_CLIENT_CERTIFICATE

        stored = store.get(entry(profile, ENTRY_CLIENT_CERTIFICATE))
        end = parse_iso(stored.metadata.get("not_after")) if stored else None
        kind = "certificate"
    else:
        stored = store.get(entry(profile, ENTRY_CLIENT_SECRET))
        end = parse_iso(stored.metadata.get("end_date_time")) if stored else None
        kind = "secret"
    if stored is None or end is None:
        return CredentialStatus(profile.name, kind, "unknown", key_id=str(stored.metadata.get("key_id") or "") or None if stored else None)
    state, left = _state_of(end, warn, now or utcnow())
    return CredentialStatus(profile.name, kind, state, end, left, str(stored.metadata.get("key_id") or "") or None)


def expiry_finding(profile: Profile, store: SecretStore, online: bool, refused: str | None = None,
                   warn_days: float = DEFAULT_CREDENTIAL_WARN_DAYS) -> tuple[str, str, str, str | None]:
    """doctor's `credential_expiry` check: (check, status, detail, fix), from what Entra and Graph say.

    `refused` is the authority's refusal of the credential (doctor's app_kind probe), if it refused.
    """
    check = "credential_expiry"
    local = credential_status(profile, store, warn_days=warn_days)
    rotate_fix = f"Run `sam-bridge app rotate --profile {profile.name}` (schedule it before the secret expires)."
    if refused and ("AADSTS7000222" in refused or "AADSTS7000215" in refused):
        what = "has expired" if "AADSTS7000222" in refused else "is refused (removed, or not this app's)"
        return (check, "fail", f"Entra says the stored client secret {what}",
                f"Run `sam-bridge app rotate --profile {profile.name} --sign-in`.")
    online = online and not refused
    if local.state == "unknown" and local.key_id is None:
        return (check, "ok", f"the client {local.kind} was stored by hand, so its expiry is not recorded; "
                f"`sam-bridge app credentials --profile {profile.name}` lists the app's credentials", None)
    source, status = "as recorded when it was added", local
    if online and local.key_id:
        try:
            listed = {c.key_id: c for c in credentials(profile, store, warn_days=warn_days)}
        except SamBridgeError as exc:
            source = f"as recorded when it was added; Microsoft Graph could not be asked ({exc.message})"
        else:
            found = listed.get(local.key_id)
            if found is None:
                return (check, "fail", f"the stored client {local.kind} ({local.key_id}) is no longer registered on "
                        f"application {profile.app_id} (Entra will refuse it)",
                        f"Run `sam-bridge app rotate --profile {profile.name} --sign-in`.")
            source = "as Microsoft Graph lists it"
            status = CredentialStatus(profile.name, local.kind, found.state, found.end, found.days_left, found.key_id)
    when = _when(status.end) if status.end else "unknown"
    if status.state == "expired":
        return (check, "fail", f"the client {status.kind} expired on {when} ({source})",
                f"Run `sam-bridge app rotate --profile {profile.name} --sign-in`.")
    if status.state in ("warning", "unknown"):
        left = f"{status.days_left:.1f} days left" if status.days_left is not None else "expiry unknown"
        return (check, "warn", f"the client {status.kind} expires {when}: {left} ({source})", rotate_fix)
    return (check, "ok", f"the client {status.kind} expires {when}, {status.days_left:.0f} days from now ({source})", None)


# --------------------------------------------------------------------------------------------
# rotate
# --------------------------------------------------------------------------------------------

ROTATION_STEPS = ("read", "added", "stored", "proved", "removed")


@dataclass
class RotateResult:
    profile: str
    app_id: str
    new: dict[str, Any]
    removed: list[str]
    kept: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"profile": self.profile, "app_id": self.app_id, "new": self.new, "removed": self.removed, "kept": self.kept}


def rotate(
    profile: Profile,
    store: SecretStore,
    *,
    keep_old: bool = False,
    secret_days: int = DEFAULT_SECRET_DAYS,
    on_step: Callable[[str], None] | None = None,
    token: Callable[[], str] | None = None,
) -> RotateResult:
    """Add a secret (or certificate), store it, prove it with one token request, then remove the old one.

    Crash-safe at every step: until the new credential is stored the old one is stored and valid;
    once stored, the new one is valid, and the old one is removed only after the proof. The whole
    rotation holds the store's lock on the credential, so two rotations on this machine queue, and
    a credential that is stored (by anyone) is never the one removed.
    """
    from .exchange import obtain_token

    if profile.credential == "none":
        raise InvalidInputError(f"profile {profile.name!r} is a public client: it has no credential to rotate.")
    days = _lifetime_days(secret_days, profile.credential)
    if profile.credential == "secret" and os.environ.get(ENV_CLIENT_SECRET):
        raise InvalidInputError(f"{ENV_CLIENT_SECRET} is set, so the stored secret is not the one in use; unset it to rotate.")
    step = on_step or (lambda name: None)
    name = _credential_entry(profile)
    with store.lock(name):
        current = store.get(name)
        if current is None:
            raise NotAvailableError(f"profile {profile.name!r} has no client {profile.credential} in {store.uri} to rotate.",
                                    remediation=f"Run `sam-bridge app create {profile.name}`.")
        old_key = str(current.metadata.get("key_id") or "") or None
        leftovers = [k for k in [str(current.metadata.get("previous_key_id") or "")] if k]
        # The profile's own token, or (its secret expired: AADSTS7000222) a bootstrap sign-in's.
        graph = GraphClient(profile, token or _profile_token(profile, store))
        app = _find_app(graph, profile.app_id, profile.tenant)
        object_id = str(app["id"])
        leftovers += _orphans(app, profile, current.metadata.get("pending_since"), old_key)
        step("read")
        # Marked first: a run killed after adding but before storing leaves a credential nobody holds,
        # which the next rotation recognises by this mark, its name and its start, and removes.
        store.put(name, current.value, {**current.metadata, "pending_since": _when(utcnow() - timedelta(minutes=5))})
        new = _add_and_store(graph, profile, store, object_id, days, previous=old_key, on_added=lambda: step("added"))
        step("stored")
        try:
            obtain_token(profile, store, [GRAPH_DEFAULT], force_refresh=True)  # one token request with the new credential
        except SamBridgeError:
            store.put(name, current.value, dict(current.metadata))  # the old one is still valid: keep using it
            _remove_credential(graph, profile, object_id, str(new["key_id"]))
            raise
        step("proved")
        removed: list[str] = []
        kept: list[str] = []
        for key in dict.fromkeys(([old_key] if old_key else []) + leftovers):
            if keep_old or key == str(new["key_id"]) or _stored_key(store, name) == key:
                kept.append(key)
                continue
            _remove_credential(graph, profile, object_id, key)
            removed.append(key)
        if not keep_old:
            stored = store.get(name)
            if stored is not None and stored.metadata.get("key_id") == new["key_id"]:
                store.put(name, stored.value, {k: val for k, val in stored.metadata.items() if k != "previous_key_id"})
        step("removed")
    return RotateResult(profile.name, profile.app_id, new, removed, kept)


def _orphans(app: Mapping[str, Any], profile: Profile, pending_since: Any, stored_key: str | None) -> list[str]:
    since = parse_iso(pending_since) if isinstance(pending_since, str) else None
    if since is None:
        return []
    prefix = f"sam-bridge {profile.name} "
    listed = app.get("passwordCredentials" if profile.credential == "secret" else "keyCredentials") or []
    return [str(p.get("keyId")) for p in listed
            if str(p.get("displayName") or "").startswith(prefix) and str(p.get("keyId")) != stored_key
            and (parse_iso(p.get("startDateTime")) or since) >= since]


def _stored_key(store: SecretStore, name: str) -> str | None:
    stored = store.get(name)
    return str(stored.metadata.get("key_id") or "") or None if stored else None


def _remove_password(graph: GraphClient, object_id: str, key_id: str) -> None:
    try:
        graph.post(f"/applications/{object_id}/removePassword", {"keyId": key_id}, doing="remove the old client secret")
    except GraphError as exc:
        if exc.status != 404:  # already gone: what we wanted
            raise


# --------------------------------------------------------------------------------------------
# consent into customers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentOutcome:
    tenant: str
    status: str  # consented | already-consented | updated | in-sync | drift | not-consented
    missing: Permissions = field(default_factory=dict)
    added: Permissions = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"tenant": self.tenant, "status": self.status,
                "missing": {k: list(v) for k, v in self.missing.items()},
                "added": {k: list(v) for k, v in self.added.items()}}


class ConsentRefused(SamBridgeError):
    exit_code = 4
    error_id = "SamBridge.CustomerConsentRefused"
    category = "PermissionDenied"


def app_permissions(profile: Profile, store: SecretStore) -> tuple[dict[str, Any], Permissions]:
    """The profile's app as Graph has it, and the delegated permissions it asks for."""
    graph = GraphClient(profile, _profile_token(profile, store))
    app = _find_app(graph, profile.app_id, profile.tenant)
    return app, PermissionCatalog(graph).names(app.get("requiredResourceAccess") or [])


def tenant_id_of(profile: Profile, tenant: str) -> str:
    """A tenant GUID for a GUID or a domain (Partner Center takes only ids): from the authority's discovery."""
    import re

    try:
        return str(uuid.UUID(tenant))
    except ValueError:
        pass
    from .._auth.client import _transport_error, http_session

    url = f"{profile.authority(tenant)}/v2.0/.well-known/openid-configuration"
    try:
        issuer = str(http_session(profile).get(url).json().get("issuer", ""))
    except Exception as exc:
        raise _transport_error(exc, f"find the tenant id of {tenant}", profile.authority_host) from None
    m = re.search(r"/([0-9a-fA-F-]{36})/", issuer)
    if not m:
        raise InvalidInputError(f"tenant {tenant!r} is not known to {profile.authority_host}.")
    return m.group(1).lower()


def _consent_one(profile: Profile, session: Any, tenant: str, app: Mapping[str, Any], needed: Permissions,
                 partner_center: PartnerCenterClient) -> ConsentOutcome:
    customer = tenant_id_of(profile, tenant)
    body = {"applicationId": profile.app_id, "displayName": app.get("displayName") or profile.app_id,
            "applicationGrants": [{"enterpriseApplicationId": r, "scope": ",".join(n)} for r, n in needed.items()]}
    status, payload = partner_center.add_application_consent(customer, body)
    description = str(payload.get("description") or "") if isinstance(payload, dict) else ""
    if status in (200, 201):
        return ConsentOutcome(tenant, "consented")
    if "Permission entry already exists" in description:
        # Consented before: extend the customer's grants if the app needs more now (CIPP's order).
        outcome = _check_one(profile, session, tenant, needed, fix=True)
        return outcome
    if status == 404:
        raise ConsentRefused(f"tenant {tenant}: Partner Center does not list it as a customer with an active GDAP "
                             f"relationship ({description or 'HTTP 404'}); nothing was changed.",
                             remediation="Approve a GDAP relationship with the customer first.")
    if status == 403:
        raise ConsentRefused(f"tenant {tenant}: Partner Center refused the consent ({description or 'HTTP 403'}); "
                             "nothing was changed.",
                             remediation="The GDAP relationship must grant Global Administrator, Privileged Role "
                             "Administrator or Cloud Application Administrator, and the signed-in user must be an "
                             "Admin Agent in a group assigned that role.")
    raise ConsentRefused(f"tenant {tenant}: Partner Center answered HTTP {status} to the consent: {description or 'no details'}.")


def _check_one(profile: Profile, session: Any, tenant: str, needed: Permissions, *, fix: bool = False) -> ConsentOutcome:
    from .._core.errors import ConsentRequiredError, TenantAccessError

    try:
        token = session.exchange((GRAPH_DEFAULT,), tenant)
    except (ConsentRequiredError, TenantAccessError) as exc:
        if isinstance(exc, TenantAccessError) and 50020 in exc.codes:
            raise ConsentRefused(f"tenant {tenant}: the partner user has no GDAP access to it ({exc.message}).") from None
        return ConsentOutcome(tenant, "not-consented", missing=dict(needed))
    graph = GraphClient(profile, token.token)
    try:
        sp = graph.get(f"/servicePrincipals(appId='{profile.app_id}')", doing=f"find the app in {tenant}")
    except GraphError as exc:
        if exc.status == 404:
            return ConsentOutcome(tenant, "not-consented", missing=dict(needed))
        raise
    catalog = PermissionCatalog(graph)
    have: dict[str, set[str]] = {}
    by_sp = {catalog.sp_id(r): r for r in needed}
    grants = list(graph.list("/oauth2PermissionGrants", params={"$filter": f"clientId eq '{sp['id']}'"},
                             doing=f"read the app's grants in {tenant}"))
    for grant in grants:
        resource = by_sp.get(str(grant.get("resourceId")))
        if resource:
            have.setdefault(resource, set()).update(str(grant.get("scope", "")).split())
    missing = {r: tuple(n for n in names if n.lower() not in {h.lower() for h in have.get(r, set())}) for r, names in needed.items()}
    missing = {r: n for r, n in missing.items() if n}
    if not missing:
        return ConsentOutcome(tenant, "already-consented" if fix else "in-sync")
    if not fix:
        return ConsentOutcome(tenant, "drift", missing=missing)
    added = _ensure_grants(graph, catalog, str(sp["id"]), needed)
    return ConsentOutcome(tenant, "updated", added=added)


def consent_customers(profile: Profile, store: SecretStore, tenants: Iterable[str], *, check: bool = False,
                      concurrency: int = BATCH_CONCURRENCY, on_done: Callable[[Any, int, int], None] | None = None) -> Iterator[Any]:
    """Consent the app into every tenant (or with `check`, report drift only): one TenantResult each."""
    from .batch import run

    app, needed = app_permissions(profile, store)
    if not needed:
        raise InvalidInputError(f"application {profile.app_id} asks for no delegated permissions; run `sam-bridge app create` first.")
    if check:
        work = lambda session, tenant: _check_one(profile, session, tenant, needed)  # noqa: E731
    else:
        partner_center = partner_center_client(profile, store)  # one Partner Center token for every tenant
        work = lambda session, tenant: _consent_one(profile, session, tenant, app, needed, partner_center)  # noqa: E731
    return run(profile, store, list(tenants), work, concurrency=concurrency, on_done=on_done)
