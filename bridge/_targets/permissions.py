"""The delegated permissions an app needs for the targets' tokens (what `app create` registers).

Each token scope in the table names a resource; this maps the resource to the API (its
application id) and the delegated permissions that token needs (sam-lifecycle 1.8 and 5).
"""
from __future__ import annotations

from typing import Iterable

from .._core import validate as v
from .._core.constants import GRAPH_APP_ID, PARTNER_CENTER_APP_ID
from .._core.errors import InvalidInputError
from .model import TokenParameter
from .table import TARGETS, get_target

Permissions = dict[str, tuple[str, ...]]  # resource app id -> delegated permission names, sorted

# The key is the resource of a token scope in the targets table.
_RESOURCE_PERMISSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "https://management.azure.com": ("797f4846-ba00-4fd7-ba43-dac1f8f63013", ("user_impersonation",)),
    "https://graph.windows.net": ("00000002-0000-0000-c000-000000000000", ("Directory.AccessAsUser.All",)),
    "https://graph.microsoft.com": (GRAPH_APP_ID, ("Directory.AccessAsUser.All", "Directory.Read.All")),
    "https://vault.azure.net": ("cfa8b339-82a2-471a-a3c9-0fc0be7a4093", ("user_impersonation",)),
    "https://outlook.office365.com": ("00000002-0000-0ff1-ce00-000000000000", ("Exchange.Manage",)),
    "https://ps.compliance.protection.outlook.com": ("00000002-0000-0ff1-ce00-000000000000", ("Exchange.Manage",)),
    "48ac35b8-9aa8-4d74-927d-1f4a14a0b239": ("48ac35b8-9aa8-4d74-927d-1f4a14a0b239", ("user_impersonation",)),
    "https://{sharepoint_host}": ("00000003-0000-0ff1-ce00-000000000000", ("AllSites.FullControl",)),
    "https://api.partnercenter.microsoft.com": (PARTNER_CENTER_APP_ID, ("user_impersonation",)),
}


def default_targets() -> tuple[str, ...]:
    """Every target that is not retired: what `app create` provides for without --targets."""
    return tuple(name for name, t in TARGETS.items() if t.status != "retired")


def parse_targets(value: Iterable[str] | str | None) -> tuple[str, ...] | None:
    """--targets A,B (repeatable) as canonical target names; unknown ones are refused."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    names: list[str] = []
    for item in items:
        for part in str(item).split(","):
            if part.strip():
                name = get_target(part.strip()).name
                if name not in names:
                    names.append(name)
    if not names:
        raise InvalidInputError("--targets names no target.")
    return tuple(names)


def target_permissions(targets: Iterable[str] | None = None) -> Permissions:
    """The delegated permissions the targets' tokens need (default: every current target)."""
    wanted: dict[str, set[str]] = {}
    for target in (get_target(t) for t in (default_targets() if targets is None else targets)):
        for variant in target.variants:
            for parameter in variant.parameters:
                if isinstance(parameter, TokenParameter):
                    for scope in parameter.scopes:
                        resource, names = _RESOURCE_PERMISSIONS[v.resource_of(scope)]
                        wanted.setdefault(resource, set()).update(names)
    return {r: tuple(sorted(n, key=str.lower)) for r, n in sorted(wanted.items()) if n}
