"""Connect parameters: the tokens a plan needs, exchanged, and the values that go with them."""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping
from urllib.parse import urlsplit

from .._config import Profile
from .._core import validate as v
from .._core.errors import InvalidInputError, ServiceError
from .._core.tokens import AccessToken
from .._stores import SecretStore
from .model import ACCOUNT, APP_ID, CUSTOMER, PARTNER, TENANT, URL, Target, TokenParameter
from .plan import plan, sharepoint_url, sharepoint_url_for

if TYPE_CHECKING:
    from .._services.batch import TenantResult


# --------------------------------------------------------------------------------------------
# Connect parameters
# --------------------------------------------------------------------------------------------


# (scopes of one resource, tenant or None for the partner) -> an access token; called with
# force_refresh=True to mint a new one regardless of the cache.
Exchanger = Callable[..., AccessToken]


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
    min_lifetime: float | None = None,
) -> ConnectParameters:
    """Exchange the profile's refresh token for exactly the tokens `target` needs, in the partner
    tenant or customer `tenant`, and return the parameters that bind to its token parameter set.

    `exchanger` and `record` let a batch over many tenants share one read of the refresh token
    (see `_batch`); by default every token goes through `obtain_token()`, a cached one only with
    more than `min_lifetime` seconds left (a long job reconnecting ahead of expiry).
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
        def exchanger(scopes: tuple[str, ...], tenant_: str | None, *, force_refresh: bool = False) -> AccessToken:
            extra = {"min_lifetime": min_lifetime} if min_lifetime is not None else {}
            if force_refresh:
                extra["force_refresh"] = True
            return obtain_token(profile, store, scopes, tenant_, **extra)
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
            scopes = [template.format(sharepoint_host=sharepoint_host) for template in param.scopes]
            for scope in scopes:
                if scope not in tokens:  # one exchange per audience, even if two parameters share it
                    tokens[scope] = exchanger((scope,), wanted_tenant)
            if param.max_expiry_spread is not None and _spread(tokens, scopes) >= param.max_expiry_spread:
                # A cached token beside a new one: mint the set together, as the cmdlet requires.
                for scope in scopes:
                    tokens[scope] = exchanger((scope,), wanted_tenant, force_refresh=True)
                if _spread(tokens, scopes) >= param.max_expiry_spread:
                    raise ServiceError(
                        f"{t.cmdlet} -{param.name} needs tokens whose expiries differ by less than "
                        f"{param.max_expiry_spread} s, and Entra issued them {_spread(tokens, scopes):.0f} s apart "
                        "even when minted together.",
                        remediation="Entra gave one of them a much longer lifetime (continuous access evaluation or a "
                        "token lifetime policy); connect with the other parameter set or report it.")
            got = [tokens[scope].token for scope in scopes]
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


def _spread(tokens: Mapping[str, AccessToken], scopes: Iterable[str]) -> float:
    """Seconds between the earliest and the latest expiry of the tokens for `scopes`."""
    moments = [tokens[s].expires_on.timestamp() for s in scopes]
    return max(moments) - min(moments)


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
