"""Planning a call (which tokens and parameters, for which module version) and SharePoint URLs."""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

from .._core.errors import InvalidInputError
from .model import ModuleVersion, Parameter, Target, TokenParameter, Variant
from .table import get_target


# --------------------------------------------------------------------------------------------
# Planning: what a call needs, decided without touching the network
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The parameters one target needs for one module version and set of options."""

    target: Target
    variant: Variant
    module_version: ModuleVersion | None
    parameters: tuple[Parameter, ...]
    warnings: tuple[str, ...]

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    @property
    def tokens(self) -> tuple[TokenParameter, ...]:
        return tuple(p for p in self.parameters if isinstance(p, TokenParameter))

    @property
    def secure_parameters(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.tokens if p.secure)


def normalise_include(target: Target, include: Iterable[str] | str | None) -> tuple[str, ...]:
    """Options such as ('graph', 'keyvault') from a list or 'graph,keyvault', checked against the target."""
    if include is None:
        return ()
    items = [include] if isinstance(include, str) else list(include)
    wanted: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise InvalidInputError(f"options must be text, not {type(item).__name__}.")
        for part in item.split(","):
            name = part.strip().lower()
            if name and name not in wanted:
                wanted.append(name)
    unknown = [w for w in wanted if w not in target.options]
    if unknown:
        accepted = ", ".join(target.options) if target.options else "none"
        raise InvalidInputError(
            f"{target.name} has no option {', '.join(repr(u) for u in unknown)}; its options: {accepted}."
        )
    return tuple(wanted)


def plan(
    target: str | Target, module_version: str | None = None, include: Iterable[str] | str | None = ()
) -> Plan:
    """Resolve the target, its shape for `module_version` and the optional tokens asked for."""
    t = get_target(target)
    version = ModuleVersion.parse(module_version) if module_version else None
    variant = t.variant_for(version)
    options = normalise_include(t, include)
    chosen: list[Parameter] = []
    for p in variant.parameters:
        if isinstance(p, TokenParameter) and p.option is not None:
            if p.option not in options:
                continue
            if p.since and version is not None and version < ModuleVersion.parse(p.since):
                raise InvalidInputError(
                    f"-{p.name} (option {p.option!r}) exists in {t.module} from {p.since}; you have {version}. "
                    f"Drop the option or update: Install-Module {t.module} -MinimumVersion {p.since}."
                )
        chosen.append(p)
    notes: list[str] = []
    if t.status_warning:
        notes.append(t.status_warning)
    notes.extend(p.audience_note for p in chosen if isinstance(p, TokenParameter) and p.audience_note)
    return Plan(t, variant, version, tuple(chosen), tuple(notes))


# --------------------------------------------------------------------------------------------
# SharePoint URL
# --------------------------------------------------------------------------------------------

_ONMICROSOFT = re.compile(r"^(?P<name>[a-z0-9][a-z0-9-]*)\.onmicrosoft\.com$")


def sharepoint_url(value: object) -> str:
    """An https SharePoint URL (site or root), without query or fragment."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError("the SharePoint URL is empty; give one such as https://contoso.sharepoint.com.")
    text = value.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password or parts.query or parts.fragment:
        raise InvalidInputError(
            f"SharePoint URL {value!r} is not an https URL such as https://contoso.sharepoint.com "
            "or https://contoso.sharepoint.com/sites/hr."
        )
    return f"https://{parts.netloc.lower()}{parts.path}"


def sharepoint_url_for(domain: str | None) -> str | None:
    """https://NAME.sharepoint.com for a NAME.onmicrosoft.com domain; None for anything else."""
    if not domain:
        return None
    m = _ONMICROSOFT.match(domain.strip().lower())
    return f"https://{m.group('name')}.sharepoint.com" if m else None
