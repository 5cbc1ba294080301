"""The `Connect-*` targets: which tokens each cmdlet takes, for which audience, and what goes with them.

This is the product layer above the exchange core: it knows cmdlets, parameter sets and module
versions, and asks `obtain_token()` for one token per audience (so rotation and caching stay the core's).
The facts are transcribed from the parameter sets read from each module's source and help
(`connect-cmdlets.json`, kept beside the project); the binding tests check them against stand-ins
generated from a copy of that file, so this table is the only copy inside the package.

    >>> plan("azaccount", include=["msgraph"]).parameter_names
    ('AccessToken', 'MicrosoftGraphAccessToken', 'AccountId', 'Tenant')
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Optional, Union
from urllib.parse import urlsplit

from .._core import validate as v
from .._config import Profile
from .._core.constants import PARTNER_CENTER_SCOPE
from .._core.errors import InvalidInputError
from .._stores import SecretStore
from .._core.tokens import AccessToken

if TYPE_CHECKING:
    from .._services.batch import TenantResult

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

    @property
    def qualified_cmdlet(self) -> str:
        """How snippets call it, so a same-named function elsewhere can never intercept the tokens."""
        return f"{self.module}\\{self.cmdlet}"

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


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------

_RETIRED_AZUREAD = (
    "The AzureAD module is deprecated (since 2024-03-30) and being retired: Microsoft guaranteed it only "
    "until 2025-03-30, so Connect-AzureAD may be refused at any time. Move to Microsoft Graph PowerShell "
    "(target MgGraph)."
)
_RETIRED_MSONLINE = (
    "The MSOnline module is retired (since 2025-05-30): the service refuses it ('MSOnline is retiring and "
    "access is disallowed'). Move to Microsoft Graph PowerShell (target MgGraph)."
)

_TARGETS: tuple[Target, ...] = (
    Target(
        name="AzAccount",
        cmdlet="Connect-AzAccount",
        module="Az.Accounts",
        summary="Azure PowerShell: an ARM token, plus Azure AD Graph, Microsoft Graph and Key Vault tokens where asked",
        variants=(
            Variant(
                since="1.0.0",
                parameter_set="AccessTokenWithSubscriptionId",
                label="Az.Accounts 1.0.0 and later (MicrosoftGraphAccessToken from 2.7.0)",
                parameters=(
                    TokenParameter("AccessToken", (ARM_SCOPE,)),
                    TokenParameter("GraphAccessToken", (AAD_GRAPH_SCOPE,), option="graph"),
                    TokenParameter("MicrosoftGraphAccessToken", (GRAPH_SCOPE,), option="msgraph", since="2.7.0"),
                    TokenParameter("KeyVaultAccessToken", (KEY_VAULT_SCOPE,), option="keyvault"),
                    ValueParameter("AccountId", ACCOUNT),
                    ValueParameter("Tenant", TENANT),
                ),
            ),
        ),
    ),
    Target(
        name="AzureAD",
        cmdlet="Connect-AzureAD",
        module="AzureAD",
        summary="Azure AD PowerShell: an Azure AD Graph token and a Microsoft Graph token",
        status="retired",
        status_warning=_RETIRED_AZUREAD,
        variants=(
            Variant(
                since="0",
                parameter_set="AccessToken",
                label="AzureAD 2.x",
                parameters=(
                    TokenParameter("AadAccessToken", (AAD_GRAPH_SCOPE,)),
                    TokenParameter("MsAccessToken", (GRAPH_SCOPE,)),
                    ValueParameter("AccountId", ACCOUNT),
                    ValueParameter("TenantId", TENANT),
                ),
            ),
        ),
    ),
    Target(
        name="MsolService",
        cmdlet="Connect-MsolService",
        module="MSOnline",
        summary="MS Online: an Azure AD Graph token and a Microsoft Graph token (no tenant parameter: the tokens decide)",
        status="retired",
        status_warning=_RETIRED_MSONLINE,
        variants=(
            Variant(
                since="0",
                parameter_set="AccessToken",
                label="MSOnline 1.1",
                parameters=(
                    TokenParameter("AdGraphAccessToken", (AAD_GRAPH_SCOPE,)),
                    TokenParameter("MsGraphAccessToken", (GRAPH_SCOPE,)),
                ),
            ),
        ),
    ),
    Target(
        name="PartnerCenter",
        cmdlet="Connect-PartnerCenter",
        module="PartnerCenter",
        summary="Partner Center PowerShell: a Partner Center token (-ApplicationId only before 2.0.1909.2)",
        status="community",
        minimum_note="The AccessToken parameter set of older releases (with -AccessTokenExpiresOn) is not supported.",
        variants=(
            Variant(
                since="1.5.1907.2",
                parameter_set="AccessToken",
                label="PartnerCenter 1.5.1907.2: -ApplicationId and -TenantId",
                parameters=(
                    TokenParameter("AccessToken", (PARTNER_CENTER_SCOPE,)),
                    ValueParameter("ApplicationId", APP_ID),
                    ValueParameter("TenantId", TENANT),
                ),
            ),
            Variant(
                since="2.0.1909.1",
                parameter_set="AccessToken",
                label="PartnerCenter 2.0.1909.1: -ApplicationId and -Tenant",
                parameters=(
                    TokenParameter("AccessToken", (PARTNER_CENTER_SCOPE,)),
                    ValueParameter("ApplicationId", APP_ID),
                    ValueParameter("Tenant", TENANT),
                ),
            ),
            Variant(
                # The 2019 doc sample still passes -ApplicationId: from here on no parameter set
                # takes it together with -AccessToken, so that call cannot bind.
                since="2.0.1909.2",
                parameter_set="AccessToken",
                label="PartnerCenter 2.0.1909.2 and 3.x: no -ApplicationId",
                parameters=(
                    TokenParameter("AccessToken", (PARTNER_CENTER_SCOPE,)),
                    ValueParameter("Tenant", TENANT),
                ),
            ),
        ),
    ),
    Target(
        name="MgGraph",
        cmdlet="Connect-MgGraph",
        module="Microsoft.Graph.Authentication",
        summary="Microsoft Graph PowerShell: a Microsoft Graph token (SecureString from 2.0.0)",
        variants=(
            Variant(
                since="0",
                parameter_set="AccessTokenParameterSet",
                label="Microsoft.Graph 1.x: -AccessToken is a String",
                parameters=(TokenParameter("AccessToken", (GRAPH_SCOPE,)),),
            ),
            Variant(
                since="2.0.0",
                parameter_set="AccessTokenParameterSet",
                label="Microsoft.Graph 2.x: -AccessToken is a SecureString",
                parameters=(TokenParameter("AccessToken", (GRAPH_SCOPE,), secure=True),),
            ),
        ),
    ),
    Target(
        name="ExchangeOnline",
        cmdlet="Connect-ExchangeOnline",
        module="ExchangeOnlineManagement",
        summary="Exchange Online PowerShell: an Exchange token; -DelegatedOrganization for a customer (GDAP)",
        variants=(
            Variant(
                since="3.1.0",
                # One parameter set for everything: PowerShell reports it as __AllParameterSets.
                parameter_set="__AllParameterSets",
                label="ExchangeOnlineManagement 3.1.0 and later",
                parameters=(
                    TokenParameter("AccessToken", (EXCHANGE_SCOPE,)),
                    # A delegated (user) token names its user in the partner tenant; for a customer
                    # the partner acts through GDAP, which is what -DelegatedOrganization is for.
                    ValueParameter("UserPrincipalName", ACCOUNT, when=PARTNER),
                    ValueParameter("DelegatedOrganization", TENANT, when=CUSTOMER),
                ),
            ),
        ),
    ),
    Target(
        name="IPPSSession",
        cmdlet="Connect-IPPSSession",
        module="ExchangeOnlineManagement",
        summary="Security & Compliance PowerShell: a compliance token; -DelegatedOrganization for a customer",
        variants=(
            Variant(
                since="3.8.0",
                parameter_set="__AllParameterSets",
                label="ExchangeOnlineManagement 3.8.0 and later",
                parameters=(
                    TokenParameter(
                        "AccessToken",
                        (COMPLIANCE_SCOPE,),
                        audience_note=(
                            "The audience Connect-IPPSSession expects is not documented; sam-bridge requests "
                            f"{COMPLIANCE_SCOPE}. If the connection is refused, report it."
                        ),
                    ),
                    ValueParameter("UserPrincipalName", ACCOUNT, when=PARTNER),
                    ValueParameter("DelegatedOrganization", TENANT, when=CUSTOMER),
                ),
            ),
        ),
    ),
    Target(
        name="MicrosoftTeams",
        cmdlet="Connect-MicrosoftTeams",
        module="MicrosoftTeams",
        summary="Teams PowerShell: Microsoft Graph and Teams admin tokens (-AccessTokens from 2.3.2-preview)",
        variants=(
            Variant(
                since="0",
                parameter_set="AccessToken",
                label="MicrosoftTeams before 2.3.2-preview: -AadAccessToken, -MsAccessToken, -AccountId",
                parameters=(
                    TokenParameter(
                        "AadAccessToken",
                        (AAD_GRAPH_SCOPE,),
                        audience_note=(
                            "The audience of -AadAccessToken in MicrosoftTeams before 2.3.2-preview is not "
                            "documented beyond 'Azure Active Directory Graph'; sam-bridge requests "
                            f"{AAD_GRAPH_SCOPE}. Prefer MicrosoftTeams 2.3.2 or later."
                        ),
                    ),
                    TokenParameter("MsAccessToken", (GRAPH_SCOPE,)),
                    ValueParameter("AccountId", ACCOUNT),
                    ValueParameter("TenantId", TENANT),
                ),
            ),
            Variant(
                since="2.3.2-preview",
                parameter_set="AccessTokens",
                label="MicrosoftTeams 2.3.2-preview and later: -AccessTokens (Graph first, Teams second)",
                parameters=(
                    # The module's examples all pass the Graph token first; keep that order.
                    TokenParameter("AccessTokens", (GRAPH_SCOPE, TEAMS_SCOPE)),
                    ValueParameter("TenantId", TENANT),
                ),
            ),
        ),
    ),
    Target(
        name="PnPOnline",
        cmdlet="Connect-PnPOnline",
        module="PnP.PowerShell",
        summary="PnP PowerShell: a SharePoint token for the tenant's SharePoint URL",
        status="community",
        variants=(
            Variant(
                since="0",
                parameter_set="Access Token",
                label="PnP.PowerShell 1.x and later",
                parameters=(
                    ValueParameter("Url", URL),
                    TokenParameter("AccessToken", (SHAREPOINT_SCOPE,)),
                ),
            ),
        ),
    ),
)

TARGETS: Mapping[str, Target] = {t.name: t for t in _TARGETS}
_BY_LOWER = {t.name.lower(): t for t in _TARGETS}


def target_names() -> tuple[str, ...]:
    return tuple(t.name for t in _TARGETS)


def get_target(name: str | Target) -> Target:
    """A target by name, case-insensitively (a leading 'Connect-' is accepted)."""
    if isinstance(name, Target):
        return name
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("no target given; valid targets: " + ", ".join(target_names()) + ".")
    key = name.strip().lower()
    if key.startswith("connect-"):
        key = key[len("connect-"):]
    found = _BY_LOWER.get(key)
    if found is None:
        raise InvalidInputError(
            f"unknown target {name!r}; valid targets: " + ", ".join(target_names()) + "."
        )
    return found


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


# --------------------------------------------------------------------------------------------
# Connect parameters
# --------------------------------------------------------------------------------------------


# (scopes of one resource, tenant or None for the partner) -> an access token
Exchanger = Callable[[tuple[str, ...], Optional[str]], AccessToken]


@dataclass(frozen=True)
class ConnectParameters:
    """Ready parameters for one `Connect-*` call; tokens never show in repr."""

    target: str
    cmdlet: str
    module: str
    parameters: Mapping[str, Any] = field(repr=False)
    secure_parameters: tuple[str, ...]
    expires_on: datetime
    warnings: tuple[str, ...]
    parameter_set: str
    module_version: str | None
    token_parameters: tuple[str, ...]
    tenant_id: str
    customer: bool

    @property
    def qualified_cmdlet(self) -> str:
        return f"{self.module}\\{self.cmdlet}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON `sam-bridge params --json` prints (and the PowerShell side splats)."""
        return {
            "target": self.target,
            "cmdlet": self.cmdlet,
            "module": self.module,
            "parameters": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.parameters.items()},
            "secure_parameters": list(self.secure_parameters),
            "expires_on": self.expires_on.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "warnings": list(self.warnings),
        }


def _user_of(record_meta: Mapping[str, Any], tokens: Iterable[AccessToken]) -> str | None:
    """The consenting user's UPN: from the refresh-token record, else from a token's claims (imports lack it)."""
    user = record_meta.get("user")
    if isinstance(user, str) and user.strip():
        return user.strip()
    for token in tokens:
        claims = token.claims
        for claim in ("upn", "preferred_username", "unique_name"):
            value = claims.get(claim)
            if isinstance(value, str) and "@" in value:
                return value
    return None


def _derived_site(
    profile: Profile, tenant: str | None, partner_ids: set[str], record: Mapping[str, Any], target: Target
) -> str:
    """https://NAME.sharepoint.com from the tenant's NAME.onmicrosoft.com domain."""
    domain = tenant or profile.tenant
    site = sharepoint_url_for(domain)
    if site is None and (tenant is None or tenant in partner_ids):
        # The partner tenant named by its GUID: its initial domain is in the consenting user's UPN.
        user = record.get("user") if isinstance(record.get("user"), str) else ""
        site = sharepoint_url_for(user.rpartition("@")[2]) if "@" in user else None
    if site is None:
        raise InvalidInputError(
            f"{target.name} needs the tenant's SharePoint URL, which can be derived only from a "
            f"NAME.onmicrosoft.com tenant domain (got {domain!r}); give it with --url https://NAME.sharepoint.com."
        )
    return site


def connect_parameters(
    profile: Profile,
    store: SecretStore,
    target: str | Target,
    tenant: str | None = None,
    module_version: str | None = None,
    include: Iterable[str] | str | None = (),
    url: str | None = None,
    *,
    exchanger: Exchanger | None = None,
    record: Mapping[str, Any] | None = None,
) -> ConnectParameters:
    """Exchange the profile's refresh token for exactly the tokens `target` needs, in the partner
    tenant or customer `tenant`, and return the parameters that bind to its token parameter set.

    `exchanger` and `record` let a batch over many tenants share one read of the refresh token
    (see `_batch`); by default every token goes through `obtain_token()`.
    """
    from .._services.exchange import obtain_token, read_refresh_token

    p = plan(target, module_version, include)
    t = p.target
    wanted_tenant = v.tenant(tenant, "tenant") if tenant else None
    if url is not None and not t.needs_url:
        raise InvalidInputError(f"a URL applies only to targets that connect to one (PnPOnline), not {t.name}.")
    site = sharepoint_url(url) if url is not None else None

    if record is None:
        record = read_refresh_token(profile, store).metadata  # fails early, before any exchange, if missing
    if exchanger is None:
        def exchanger(scopes: tuple[str, ...], tenant_: str | None) -> AccessToken:
            return obtain_token(profile, store, scopes, tenant_)
    partner_ids = {profile.tenant.lower(), str(record.get("home_tenant_id") or "").lower()} - {""}
    if t.needs_url and site is None:
        site = _derived_site(profile, wanted_tenant, partner_ids, record, t)
    sharepoint_host = urlsplit(site).netloc if site else ""

    messages: list[str] = list(p.warnings)
    tokens: dict[str, AccessToken] = {}
    values: dict[str, Any] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for param in p.tokens:
            got = []
            for template in param.scopes:
                scope = template.format(sharepoint_host=sharepoint_host)
                if scope not in tokens:  # one exchange per audience, even if two parameters share it
                    tokens[scope] = exchanger((scope,), wanted_tenant)
                got.append(tokens[scope].token)
            values[param.name] = tuple(got) if param.is_array else got[0]
    for w in caught:
        if issubclass(w.category, v.SamBridgeWarning):
            text = str(w.message)
            if text not in messages:
                messages.append(text)
        else:  # not ours to collect: pass it on as it was raised
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)

    first = next(iter(tokens.values()))
    tenant_id = first.tenant_id.lower()
    customer = wanted_tenant is not None and wanted_tenant not in partner_ids and tenant_id not in partner_ids
    user = _user_of(record, tokens.values())

    parameters: dict[str, Any] = {}
    for param in p.parameters:
        if isinstance(param, TokenParameter):
            parameters[param.name] = values[param.name]
            continue
        if (param.when == PARTNER and customer) or (param.when == CUSTOMER and not customer):
            continue
        if param.source == ACCOUNT:
            if not user:
                raise InvalidInputError(
                    f"{t.cmdlet} needs -{param.name} (the consenting user's UPN), and neither the stored "
                    "refresh token's record nor the tokens name the user. Run `sam-bridge consent "
                    f"--profile {profile.name}` so the record knows who consented."
                )
            parameters[param.name] = user
        elif param.source == TENANT:
            parameters[param.name] = tenant_id
        elif param.source == APP_ID:
            parameters[param.name] = profile.app_id
        elif param.source == URL:
            parameters[param.name] = site
    return ConnectParameters(
        target=t.name,
        cmdlet=t.cmdlet,
        module=t.module,
        parameters=parameters,
        secure_parameters=p.secure_parameters,
        expires_on=min(tok.expires_on for tok in tokens.values()),
        warnings=tuple(messages),
        parameter_set=p.variant.parameter_set,
        module_version=str(p.module_version) if p.module_version else None,
        token_parameters=tuple(tp.name for tp in p.tokens),
        tenant_id=tenant_id,
        customer=customer,
    )


def connect_parameters_batch(profile: Profile, store: SecretStore, target: str, tenants: Iterable[str], *,
                             module_version: str | None = None, include: Iterable[str] | str | None = (),
                             url: str | None = None, **options: Any) -> Iterator[TenantResult]:
    """Connect-* parameters for `target` in every tenant (a batch of `_services.batch`)."""
    from .._services.batch import BatchSession, run

    plan(target, module_version, include)  # refuse a bad target or version before taking the lock

    def work(session: BatchSession, tenant: str) -> Any:
        return connect_parameters(profile, store, target, tenant, module_version, include, url,
                                  exchanger=session.exchange, record=session.record)

    return run(profile, store, tenants, work, **options)
