"""App registrations as Microsoft Graph shows them: object ids, credentials with dates, required
permissions, redirect URIs, and the tenants' app management policies.

The directory (`_directory.App`) is what the token endpoint reads; a `Registration` is the Graph
object around it. Both are changed together: a secret added here is in `App.secrets` (and its
`endDateTime` in `App.secret_expiry`), so the token endpoint honours what Graph changed.
"""
from __future__ import annotations

import re
import secrets
import string
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from ._directory import App, Directory
from ._resources import BUILTIN_RESOURCES, Resource

TWO_YEARS = 2 * 365 * 86400.0
ONE_YEAR = 365 * 86400.0

# Permission ids Microsoft publishes (sam-lifecycle fact sheet 1.8); other permissions of the
# built-in resources get a stable made-up id. (resource app id, "Scope"|"Role", name) -> id
_KNOWN_IDS: dict[tuple[str, str, str], str] = {
    ("00000003-0000-0000-c000-000000000000", "Scope", "Directory.Read.All"): "06da0dbc-49e2-44d2-8312-53f166ab848a",
    ("00000003-0000-0000-c000-000000000000", "Role", "Directory.Read.All"): "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    ("00000003-0000-0000-c000-000000000000", "Scope", "Directory.ReadWrite.All"): "c5366453-9fb0-48a5-a156-24f0c49a4b84",
    ("00000003-0000-0000-c000-000000000000", "Role", "Directory.ReadWrite.All"): "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
    ("00000003-0000-0000-c000-000000000000", "Scope", "Directory.AccessAsUser.All"): "0e263e50-5827-48a4-b97c-d940288653c7",
    ("00000003-0000-0000-c000-000000000000", "Scope", "Application.ReadWrite.All"): "bdfbf15f-ee85-4955-8675-146e8e5296b5",
    ("00000003-0000-0000-c000-000000000000", "Role", "Application.ReadWrite.All"): "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
    ("00000003-0000-0000-c000-000000000000", "Scope", "Application.Read.All"): "c79f8feb-a9db-4090-85f9-90d820caa0eb",
    ("00000003-0000-0000-c000-000000000000", "Role", "Application.Read.All"): "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    ("00000003-0000-0000-c000-000000000000", "Scope", "User.Read"): "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
    ("00000003-0000-0000-c000-000000000000", "Scope", "User.Read.All"): "a154be20-db9c-4678-8ab7-66f6cc099a59",
    ("00000003-0000-0000-c000-000000000000", "Role", "User.Read.All"): "df021288-bdef-4463-88db-98f22de89214",
    ("00000003-0000-0000-c000-000000000000", "Scope", "Group.ReadWrite.All"): "4e46008b-f24c-477d-8fff-7bb4ec7aafe0",
    ("00000003-0000-0000-c000-000000000000", "Scope", "User.ReadWrite.All"): "204e0828-b5ca-4ad8-b9f3-f32a958e7cc4",
    ("00000003-0000-0000-c000-000000000000", "Scope", "DelegatedPermissionGrant.ReadWrite.All"): "41ce6ca6-6826-4807-84f1-1c82854f7ee5",
    ("00000003-0000-0000-c000-000000000000", "Scope", "AppRoleAssignment.ReadWrite.All"): "84bccea3-f856-4a8a-967b-dbe0a3d53a64",
    ("00000003-0000-0000-c000-000000000000", "Scope", "DelegatedAdminRelationship.Read.All"): "0c0064ea-477b-4130-82a5-4c2cc4ff68aa",
    ("00000003-0000-0000-c000-000000000000", "Role", "DelegatedAdminRelationship.Read.All"): "f6e9e124-4586-492f-adc0-c6f96e4823fd",
    ("00000003-0000-0000-c000-000000000000", "Scope", "DelegatedAdminRelationship.ReadWrite.All"): "885f682f-a990-4bad-a642-36736a74b0c7",
    ("fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd", "Scope", "user_impersonation"): "1cebfa2a-fb4d-419e-b5f9-839b4383e05a",
    ("797f4846-ba00-4fd7-ba43-dac1f8f63013", "Scope", "user_impersonation"): "41094075-9dad-400e-a0bd-54e686782033",
    ("00000002-0000-0ff1-ce00-000000000000", "Scope", "Exchange.Manage"): "ab4f2b77-0b06-4fc1-a9de-02113fc2ab7c",
    ("00000002-0000-0ff1-ce00-000000000000", "Role", "Exchange.ManageAsApp"): "dc50a0fb-09a3-484d-be87-e023b12c6440",
    ("48ac35b8-9aa8-4d74-927d-1f4a14a0b239", "Scope", "user_impersonation"): "e60370c1-e451-437e-aa6e-d76df38e5f15",
    ("00000003-0000-0ff1-ce00-000000000000", "Scope", "AllSites.FullControl"): "56680e0d-d2a3-4ae1-80d8-3c4f2100e3d0",
    ("00000003-0000-0ff1-ce00-000000000000", "Role", "Sites.FullControl.All"): "678536fe-1083-478a-9c59-b99265e6b0d3",
    ("00000002-0000-0000-c000-000000000000", "Scope", "Directory.AccessAsUser.All"): "a42657d6-7f20-40e3-b6f0-cee03008a62a",
    ("00000002-0000-0000-c000-000000000000", "Scope", "User.Read"): "311a71cc-e848-46a1-bdf8-97ff7156d8e6",
}
_NAMESPACE = uuid.UUID("6b1f0e43-1a52-4f55-9d0e-7a0d5c1e2f11")
MULTI_TENANT_AUDIENCES = frozenset({"AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"})
SIGN_IN_AUDIENCES = frozenset({"AzureADMyOrg", "PersonalMicrosoftAccount"}) | MULTI_TENANT_AUDIENCES


def permission_id(resource: Resource, kind: str, name: str) -> str:
    return _KNOWN_IDS.get((resource.app_id, kind, name)) or str(uuid.uuid5(_NAMESPACE, f"{resource.app_id}|{kind}|{name}"))


def permission_by_id(resource: Resource, kind: str, permission: str) -> str | None:
    """The name of the resource's delegated scope (kind Scope) or app role (Role) with this id."""
    names = resource.scopes if kind == "Scope" else resource.roles
    return next((n for n in names if permission_id(resource, kind, n) == permission.lower()), None)


def resource_by_app_id(app_id: str) -> Resource | None:
    return next((r for r in BUILTIN_RESOURCES if r.app_id == str(app_id).lower()), None)


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: Any) -> float | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp()
    except ValueError:
        return None


_DURATION = re.compile(
    r"^P(?:(?P<y>\d+)Y)?(?:(?P<mo>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<mi>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


def duration_seconds(text: Any) -> float | None:
    """An ISO 8601 duration (P90D, P1Y, PT12H) in seconds; None if it is not one."""
    m = _DURATION.match(text) if isinstance(text, str) and text not in ("P", "PT") else None
    if not m:
        return None
    parts = {k: int(v) for k, v in m.groupdict().items() if v}
    return float(
        parts.get("y", 0) * 365 * 86400 + parts.get("mo", 0) * 30 * 86400 + parts.get("w", 0) * 7 * 86400
        + parts.get("d", 0) * 86400 + parts.get("h", 0) * 3600 + parts.get("mi", 0) * 60 + parts.get("s", 0)
    )


@dataclass
class PasswordCredential:
    key_id: str
    display_name: str | None
    start: float
    end: float
    value: str = field(repr=False)

    def to_graph(self, *, secret_text: bool = False) -> dict[str, Any]:
        return {
            "customKeyIdentifier": None,
            "displayName": self.display_name,
            "endDateTime": iso(self.end),
            "hint": self.value[:3],
            "keyId": self.key_id,
            "secretText": self.value if secret_text else None,
            "startDateTime": iso(self.start),
        }


@dataclass
class KeyCredential:
    key_id: str
    display_name: str | None
    start: float
    end: float
    thumbprint: str  # hex SHA-1, what Graph puts in customKeyIdentifier
    der_b64: str = field(repr=False)
    x5t: str = ""

    def to_graph(self, *, with_key: bool = False) -> dict[str, Any]:
        return {
            "customKeyIdentifier": self.thumbprint,
            "displayName": self.display_name,
            "endDateTime": iso(self.end),
            "key": self.der_b64 if with_key else None,
            "keyId": self.key_id,
            "startDateTime": iso(self.start),
            "type": "AsymmetricX509Cert",
            "usage": "Verify",
        }


@dataclass
class Registration:
    """The Graph `application` object of one app in the directory."""

    app_id: str
    object_id: str
    created: float
    sign_in_audience: str = "AzureADMyOrg"
    is_fallback_public_client: bool = False
    web_redirect_uris: list[str] = field(default_factory=list)
    public_redirect_uris: list[str] = field(default_factory=list)
    required_resource_access: list[dict[str, Any]] = field(default_factory=list)
    passwords: list[PasswordCredential] = field(default_factory=list)
    keys: list[KeyCredential] = field(default_factory=list)

    def to_graph(self, app: App, publisher_domain: str, *, with_keys: bool = False) -> dict[str, Any]:
        return {
            "id": self.object_id,
            "appId": self.app_id,
            "displayName": app.name,
            "createdDateTime": iso(self.created),
            "publisherDomain": publisher_domain,
            "signInAudience": self.sign_in_audience,
            "isFallbackPublicClient": self.is_fallback_public_client,
            "identifierUris": [],
            "api": {"oauth2PermissionScopes": []},
            "appRoles": [],
            "info": {},
            "parentalControlSettings": {"countriesBlockedForMinors": [], "legalAgeGroupRule": "Allow"},
            "tags": [],
            "web": {"redirectUris": list(self.web_redirect_uris), "implicitGrantSettings": {
                "enableAccessTokenIssuance": False, "enableIdTokenIssuance": False}},
            "publicClient": {"redirectUris": list(self.public_redirect_uris)},
            "spa": {"redirectUris": []},
            "requiredResourceAccess": [dict(r) for r in self.required_resource_access],
            "keyCredentials": [k.to_graph(with_key=with_keys) for k in self.keys],
            "passwordCredentials": [p.to_graph() for p in self.passwords],
        }

    def sync_directory(self, app: App) -> None:
        """What the token endpoint reads follows the registration."""
        app.multi_tenant = self.sign_in_audience in MULTI_TENANT_AUDIENCES
        app.allow_public_flows = self.is_fallback_public_client and not app.public_client
        app.redirect_uris = list(dict.fromkeys(self.web_redirect_uris + self.public_redirect_uris))
        app.secrets = [p.value for p in self.passwords]
        app.secret_expiry = {p.value: p.end for p in self.passwords}


def new_secret_text() -> str:
    """40 characters of the alphabet Entra's generated secrets use."""
    alphabet = string.ascii_letters + string.digits + "~._-"
    return "".join(secrets.choice(alphabet) for _ in range(40))


@dataclass
class AppManagementPolicy:
    """A tenant's default app management policy, as far as password credentials go."""

    tenant: str
    restriction: str  # passwordLifetime | passwordAddition
    max_lifetime: str | None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def max_seconds(self) -> float | None:
        return duration_seconds(self.max_lifetime) if self.max_lifetime else None

    def to_graph(self) -> dict[str, Any]:
        config: dict[str, Any] = {"restrictionType": self.restriction, "state": "enabled",
                                  "restrictForAppsCreatedAfterDateTime": "0001-01-01T00:00:00Z"}
        if self.max_lifetime:
            config["maxLifetime"] = self.max_lifetime
        return {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/defaultAppManagementPolicy/$entity",
            "id": self.id,
            "displayName": "Default app management tenant policy",
            "description": "Default tenant policy that enforces app management restrictions on applications and service principals.",
            "isEnabled": True,
            "applicationRestrictions": {"passwordCredentials": [config], "keyCredentials": []},
            "servicePrincipalRestrictions": {"passwordCredentials": [], "keyCredentials": []},
        }


class AppRegistry:
    """Registrations by app id and the tenants' policies; emptied with the emulator's state."""

    def __init__(self) -> None:
        self.registrations: dict[str, Registration] = {}
        self.policies: dict[str, AppManagementPolicy] = {}

    def reset(self) -> None:
        self.registrations.clear()
        self.policies.clear()

    def registration(self, app: App, now: float) -> Registration:
        """The app's Graph object; a seeded app gets one on first sight (its secrets never expire)."""
        found = self.registrations.get(app.app_id)
        if found is not None:
            return found
        tenant = uuid.UUID(app.tenant)
        reg = Registration(
            app_id=app.app_id,
            object_id=str(uuid.uuid5(tenant, f"application:{app.app_id}")),
            created=now,
            sign_in_audience="AzureADMultipleOrgs" if app.multi_tenant else "AzureADMyOrg",
            is_fallback_public_client=app.public_client,
            public_redirect_uris=list(app.redirect_uris),
        )
        for value in app.secrets:
            reg.passwords.append(PasswordCredential(
                str(uuid.uuid5(tenant, f"password:{app.app_id}:{value}")), None, now, now + 100 * 365 * 86400.0, value))
        self.registrations[app.app_id] = reg
        return reg

    def by_object_id(self, directory: Directory, tenant: str, object_id: str, now: float) -> tuple[App, Registration] | None:
        for app in directory.apps.values():
            if app.tenant == tenant:
                reg = self.registration(app, now)
                if reg.object_id == object_id.lower():
                    return app, reg
        return None


def check_lifetime(policy: AppManagementPolicy | None, start: float, end: float) -> str | None:
    """The refusal message when a password credential breaks the tenant's policy, else None."""
    if policy is None:
        return None
    if policy.restriction == "passwordAddition":
        return f"Password addition is blocked as per assigned policy '{policy.id}'."
    limit = policy.max_seconds
    if limit is not None and end - start > limit + 1:
        return f"Credential lifetime exceeds the max value allowed as per assigned policy '{policy.id}'."
    return None


def validate_required_access(value: Any) -> list[dict[str, Any]]:
    """requiredResourceAccess checked against the built-in resources; raises ValueError with Graph's words."""
    if not isinstance(value, list):
        raise ValueError("Invalid value specified for property 'requiredResourceAccess' of resource 'Application'.")
    out: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, Mapping) or not isinstance(item.get("resourceAccess"), list):
            raise ValueError("Invalid value specified for property 'requiredResourceAccess' of resource 'Application'.")
        resource = resource_by_app_id(str(item.get("resourceAppId", "")))
        if resource is None:
            raise ValueError(f"Resource '{item.get('resourceAppId')}' does not exist or one of its queried "
                             "reference-property objects are not present.")
        access = []
        for entry in item["resourceAccess"]:
            kind = entry.get("type") if isinstance(entry, Mapping) else None
            pid = str(entry.get("id", "")).lower() if isinstance(entry, Mapping) else ""
            if kind not in ("Scope", "Role") or permission_by_id(resource, kind, pid) is None:
                raise ValueError(f"Invalid value specified for property 'resourceAccess' of resource "
                                 f"'RequiredResourceAccess': {pid or entry!r} is not a {kind or 'permission'} of {resource.name}.")
            access.append({"id": pid, "type": kind})
        out.append({"resourceAppId": resource.app_id, "resourceAccess": access})
    if len(out) > 50:
        raise ValueError("No more than 50 resource services (APIs) can be configured.")
    return out
