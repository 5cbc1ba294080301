"""The Microsoft first-party resources every emulated tenant has, and how a scope string names one.

Resources are built in (not part of the seed) because in Entra they exist in every tenant. A scope
names a resource as `{identifier URI}/{permission}`, `{app id}/{permission}`, a bare Microsoft Graph
permission (`User.Read`), or `{...}/.default`. The access token's `aud` is the resource identifier
exactly as the client spelled it, which is what Entra does and what resource servers compare.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable

from . import _errors

DEFAULT = ".default"
OIDC_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})


@dataclass(frozen=True)
class Resource:
    """A resource application (an API) with its delegated permissions and application roles."""

    app_id: str
    name: str
    identifier_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    roles: tuple[str, ...] = ()
    requires_mfa: bool = False  # Partner Center refuses every token without MFA

    def scope_named(self, name: str) -> str | None:
        """The canonical spelling of a delegated permission, matched case-insensitively."""
        return self._scopes_by_lower.get(name.lower())

    @cached_property
    def _scopes_by_lower(self) -> dict[str, str]:
        # Built once per resource: a `.default` token request looks up every granted permission,
        # and scanning the list for each was a few hundred lower() calls per request.
        found: dict[str, str] = {}
        for scope in self.scopes:
            found.setdefault(scope.lower(), scope)  # the first spelling wins, as the scan's did
        return found

    @property
    def all_permissions(self) -> list[str]:
        return list(dict.fromkeys(self.scopes + self.roles))


ARM = Resource(
    "797f4846-ba00-4fd7-ba43-dac1f8f63013",
    "Windows Azure Service Management API",
    ("https://management.azure.com/", "https://management.core.windows.net/"),
    ("user_impersonation",),
)
GRAPH = Resource(
    "00000003-0000-0000-c000-000000000000",
    "Microsoft Graph",
    ("https://graph.microsoft.com",),
    (
        "User.Read", "User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All",
        "Directory.AccessAsUser.All", "Directory.Read.All", "Directory.ReadWrite.All",
        "DelegatedAdminRelationship.Read.All", "DelegatedAdminRelationship.ReadWrite.All",
        "Application.Read.All", "Application.ReadWrite.All", "Organization.Read.All",
        "Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "Policy.Read.All", "RoleManagement.Read.Directory",
        "AuditLog.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "AppRoleAssignment.ReadWrite.All",
    ),
    (
        "Directory.Read.All", "Directory.ReadWrite.All", "User.Read.All", "Application.Read.All",
        "Organization.Read.All", "Group.Read.All", "DelegatedAdminRelationship.Read.All",
        "Policy.Read.All", "AuditLog.Read.All",
    ),
)
AAD_GRAPH = Resource(
    "00000002-0000-0000-c000-000000000000",
    "Windows Azure Active Directory",
    ("https://graph.windows.net",),
    ("user_impersonation", "Directory.AccessAsUser.All", "User.Read"),
    ("Directory.Read.All",),
)
PARTNER_CENTER = Resource(
    "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd",
    "Microsoft Partner Center",
    ("https://api.partnercenter.microsoft.com",),
    ("user_impersonation",),
    requires_mfa=True,
)
# Security & Compliance PowerShell (`ps.compliance.protection.outlook.com`) is an identifier of the
# Exchange Online service principal in Entra, so it is one here too.
EXCHANGE = Resource(
    "00000002-0000-0ff1-ce00-000000000000",
    "Office 365 Exchange Online",
    (
        "https://outlook.office365.com",
        "https://outlook.office.com",
        "https://ps.compliance.protection.outlook.com",
    ),
    ("Exchange.Manage", "EWS.AccessAsUser.All", "user_impersonation"),
    ("full_access_as_app", "Exchange.ManageAsApp"),
)
TEAMS = Resource(
    "48ac35b8-9aa8-4d74-927d-1f4a14a0b239",
    "Skype and Teams Tenant Admin API",
    ("48ac35b8-9aa8-4d74-927d-1f4a14a0b239",),
    ("user_impersonation",),
)
KEY_VAULT = Resource(
    "cfa8b339-82a2-471a-a3c9-0fc0be7a4093",
    "Azure Key Vault",
    ("https://vault.azure.net",),
    ("user_impersonation",),
)
SHAREPOINT = Resource(
    "00000003-0000-0ff1-ce00-000000000000",
    "Office 365 SharePoint Online",
    (),  # one pair of identifiers per tenant, added by ResourceCatalog
    ("AllSites.FullControl", "AllSites.Read", "AllSites.Write", "MyFiles.Read"),
    ("Sites.FullControl.All", "Sites.Read.All"),
)

BUILTIN_RESOURCES: tuple[Resource, ...] = (
    ARM, GRAPH, AAD_GRAPH, PARTNER_CENTER, EXCHANGE, TEAMS, KEY_VAULT, SHAREPOINT,
)


@dataclass(frozen=True)
class ScopeRef:
    """One requested scope, resolved: the resource, the `aud` to issue, the permission asked for."""

    scope: str  # as the client sent it
    resource: Resource
    audience: str
    permission: str  # canonical spelling, or ".default"


@dataclass
class ResourceCatalog:
    """Looks up resources by identifier URI or app id; SharePoint URIs come from the tenants' domains."""

    sharepoint_names: Iterable[str] = ()
    _by_key: dict[str, Resource] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for resource in BUILTIN_RESOURCES:
            self._by_key[resource.app_id.lower()] = resource
            for uri in resource.identifier_uris:
                self._by_key[uri.lower()] = resource
        for name in self.sharepoint_names:
            self._by_key[f"https://{name}.sharepoint.com".lower()] = SHAREPOINT
            self._by_key[f"https://{name}-admin.sharepoint.com".lower()] = SHAREPOINT

    def by_app_id(self, app_id: str) -> Resource | None:
        resource = self._by_key.get(app_id.lower())
        return resource if resource and resource.app_id == app_id.lower() else None

    def lookup(self, identifier: str) -> Resource | None:
        """The resource a URI or app id names, tolerating a trailing slash either way."""
        key = identifier.lower()
        found = self._by_key.get(key)
        if found is None and key.endswith("/"):
            found = self._by_key.get(key.rstrip("/"))
        elif found is None:
            found = self._by_key.get(key + "/")
        return found

    def resolve(self, scope: str, tenant_name: str) -> ScopeRef:
        """Resolve one non-OIDC scope; raises AADSTS70011 (bad permission) or 500011 (no such resource)."""
        if "/" not in scope:
            # A bare permission (`User.Read`) means Microsoft Graph, and the token's aud is Graph's app id.
            permission = GRAPH.scope_named(scope) if scope != DEFAULT else DEFAULT
            if permission is None:
                raise _errors.invalid_scope(scope)
            return ScopeRef(scope, GRAPH, GRAPH.app_id, permission)
        identifier, _, permission = scope.rpartition("/")
        if not permission or identifier.endswith(":/") or identifier.endswith(":"):
            raise _errors.invalid_scope(scope)
        resource = self.lookup(identifier)
        if resource is None:
            raise _errors.resource_not_found(identifier, tenant_name)
        if permission.lower() == DEFAULT:
            return ScopeRef(scope, resource, identifier, DEFAULT)
        canonical = resource.scope_named(permission)
        if canonical is None:
            raise _errors.invalid_scope(scope)
        return ScopeRef(scope, resource, identifier, canonical)


def split_scopes(scope: str | None) -> tuple[list[str], list[str]]:
    """(resource scopes, OIDC scopes) of a space-separated scope parameter, order kept."""
    resource_scopes: list[str] = []
    oidc: list[str] = []
    for item in (scope or "").split():
        (oidc if item.lower() in OIDC_SCOPES else resource_scopes).append(item)
    return resource_scopes, oidc
