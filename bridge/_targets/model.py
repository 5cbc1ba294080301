"""What a target is: the scopes of its audiences, its parameters and variants, and module versions."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Union

from .._core.errors import InvalidInputError


# One `.default` scope per resource (the permissions are the ones consented for the app).
ARM_SCOPE = "https://management.azure.com/.default"
AAD_GRAPH_SCOPE = "https://graph.windows.net/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
KEY_VAULT_SCOPE = "https://vault.azure.net/.default"
EXCHANGE_SCOPE = "https://outlook.office365.com/.default"
TEAMS_SCOPE = "48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default"  # Skype and Teams Tenant Admin API
COMPLIANCE_SCOPE = "https://ps.compliance.protection.outlook.com/.default"
SHAREPOINT_SCOPE = "https://{sharepoint_host}/.default"  # the tenant's own SharePoint host

# Where the value of a non-token parameter comes from.
ACCOUNT = "account"  # UPN of the consenting user
TENANT = "tenant"  # tenant id the tokens were issued for (their `tid`)
APP_ID = "app_id"  # the profile's application id
URL = "url"  # the SharePoint URL

# When a non-token parameter applies.
ALWAYS, PARTNER, CUSTOMER = "always", "partner", "customer"


# --------------------------------------------------------------------------------------------
# Module versions
# --------------------------------------------------------------------------------------------

_VERSION = re.compile(r"^v?(?P<nums>\d+(?:\.\d+){0,3})(?:-(?P<pre>[0-9A-Za-z][0-9A-Za-z.-]*))?$")


@dataclass(frozen=True, order=True)
class ModuleVersion:
    """A PowerShell module version such as 3.0.10, 1.5.1907.2 or 2.3.2-preview (prereleases sort first)."""

    key: tuple[Any, ...] = field(repr=False)
    text: str = field(compare=False)

    @classmethod
    def parse(cls, text: object) -> "ModuleVersion":
        if not isinstance(text, str) or not _VERSION.match(text.strip()):
            raise InvalidInputError(
                f"module version {text!r} is not a version such as 3.0.10, 1.5.1907.2 or 2.3.2-preview."
            )
        m = _VERSION.match(text.strip())
        assert m is not None
        nums = tuple(int(n) for n in m.group("nums").split("."))
        nums += (0,) * (4 - len(nums))
        pre = m.group("pre")
        # A release sorts after every prerelease of the same number (2.3.2-preview < 2.3.2).
        key = (*nums, 0, pre.lower()) if pre else (*nums, 1, "")
        return cls(key, text.strip().lstrip("v"))

    def __str__(self) -> str:
        return self.text


ANY_VERSION = ModuleVersion.parse("0")


# --------------------------------------------------------------------------------------------
# The registry's shape
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenParameter:
    """A parameter that takes access tokens: one scope per token (several for a string[] parameter)."""

    name: str
    scopes: tuple[str, ...]
    secure: bool = False  # the cmdlet declares it [SecureString]
    option: str | None = None  # requested only when asked for (`include` / `--with`)
    since: str | None = None  # first module version that has the parameter
    audience_note: str | None = None  # set where the audience is not verified: becomes a warning
    max_expiry_spread: int | None = None  # seconds the tokens' expiries may differ by (a string[] parameter)

    @property
    def is_array(self) -> bool:
        return len(self.scopes) > 1


@dataclass(frozen=True)
class ValueParameter:
    """A parameter whose value is a fact: the account, the tenant, the app id or the URL."""

    name: str
    source: str  # ACCOUNT | TENANT | APP_ID | URL
    when: str = ALWAYS  # ALWAYS | PARTNER | CUSTOMER


Parameter = Union[TokenParameter, ValueParameter]


@dataclass(frozen=True)
class Variant:
    """The parameter shape of a cmdlet's token parameter set from one module version on."""

    since: str
    parameter_set: str
    parameters: tuple[Parameter, ...]
    label: str

    @property
    def since_version(self) -> ModuleVersion:
        return ModuleVersion.parse(self.since)


@dataclass(frozen=True)
class Target:
    """One `Connect-*` cmdlet sam-bridge can produce parameters for."""

    name: str
    cmdlet: str
    module: str
    variants: tuple[Variant, ...]  # oldest first; the first one's `since` is the minimum version
    summary: str
    status: str = "current"  # current | retired | community
    status_warning: str | None = None
    minimum_note: str = ""  # said when a version below the first variant is refused
    disconnect: str | None = None  # the module's cmdlet that ends the connection (a customer job calls it)

    @property
    def qualified_cmdlet(self) -> str:
        """How snippets call it, so a same-named function elsewhere can never intercept the tokens."""
        return f"{self.module}\\{self.cmdlet}"

    @property
    def qualified_disconnect(self) -> str | None:
        return f"{self.module}\\{self.disconnect}" if self.disconnect else None

    @property
    def options(self) -> tuple[str, ...]:
        seen: list[str] = []
        for variant in self.variants:
            for p in variant.parameters:
                if isinstance(p, TokenParameter) and p.option and p.option not in seen:
                    seen.append(p.option)
        return tuple(seen)

    @property
    def needs_url(self) -> bool:
        return any(
            (isinstance(p, ValueParameter) and p.source == URL)
            or (isinstance(p, TokenParameter) and any("{sharepoint_host}" in s for s in p.scopes))
            for variant in self.variants
            for p in variant.parameters
        )

    def variant_for(self, version: ModuleVersion | None) -> Variant:
        """The newest shape that applies to `version` (the newest of all when no version is given)."""
        if version is None:
            return self.variants[-1]
        chosen = None
        for variant in self.variants:
            if variant.since_version <= version:
                chosen = variant
        if chosen is None:
            first = self.variants[0]
            raise InvalidInputError(
                f"{self.cmdlet} in {self.module} {version} cannot connect with an access token: "
                f"sam-bridge supports its token parameters from {self.module} {first.since}. {self.minimum_note}".strip()
                + f" Update the module: Install-Module {self.module} -MinimumVersion {first.since}."
            )
        return chosen
