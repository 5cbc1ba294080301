"""The facade: profile names (or loaded profiles) in, tokens and records out.

The public API (bridge/__init__.py) and every edge (the CLI, the RPC handlers behind PowerShell)
call these and nothing below them; docs/ARCHITECTURE.md. Service modules load lazily, inside the
functions, so that `import bridge` stays cheap."""
from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterable, Mapping

from ._config import Config, Profile  # Config: the edges list and find profiles with it
from ._core.constants import BATCH_CONCURRENCY, DEFAULT_GDAP_WARN_DAYS, DEFAULT_WARN_DAYS, JOB_RECONNECT_MARGIN_SECONDS
from ._core.errors import InvalidInputError
from ._core.tokens import AccessToken
from ._services.profiles import load_profile, store_client_certificate, store_client_secret, store_for


def get_token(
    profile: Profile | str | None = None,
    scopes: Iterable[str] | str | None = None,
    tenant: str | None = None,
    *,
    config: str | os.PathLike[str] | None = None,
    force_refresh: bool = False,
) -> AccessToken:
    """An access token for one resource, for the partner tenant or a customer tenant.

    A cached token with more than 5 minutes left is reused; otherwise the stored refresh token is
    redeemed and its rotated successor stored.

    >>> token = get_token("contoso", ["https://graph.microsoft.com/.default"], tenant="fabrikam.onmicrosoft.com")  # doctest: +SKIP
    """
    from ._services.exchange import obtain_token

    p = load_profile(profile, config=config)
    if isinstance(scopes, str):
        scopes = scopes.split()
    return obtain_token(p, store_for(p), scopes, tenant, force_refresh=force_refresh)


exchange = get_token


def consent(
    profile: Profile | str | None = None,
    method: str | None = "device-code",
    *,
    config: str | os.PathLike[str] | None = None,
    prompt: Callable[[str], None] | None = None,
    read_redirect: Callable[[], str] | None = None,
    open_browser: Callable[[str], bool] | None = None,
    timeout: float | None = None,
):  # type: ignore[no-untyped-def]
    """Run the interactive consent (device-code, browser or print-url) and store the refresh token.

    `method` None: the profile's default (a device code for a public client, else the browser)."""
    from ._services.consent import DEFAULT_TIMEOUT, consent as run, default_method

    p = load_profile(profile, config=config)
    kwargs: dict[str, Any] = {"read_redirect": read_redirect, "open_browser": open_browser,
                              "timeout": timeout or DEFAULT_TIMEOUT}
    if prompt is not None:
        kwargs["prompt"] = prompt
    return run(p, store_for(p), method or default_method(p), **kwargs)


def status(profile: Profile | str | None = None, *, config: str | os.PathLike[str] | None = None, warn_days: float = DEFAULT_WARN_DAYS):  # type: ignore[no-untyped-def]
    """Where the profile's refresh token stands against the 90-day inactivity deadline."""
    from ._services.exchange import status as run

    p = load_profile(profile, config=config)
    return run(p, store_for(p), warn_days=warn_days)


def keepalive(profile: Profile | str | None = None, *, config: str | os.PathLike[str] | None = None):  # type: ignore[no-untyped-def]
    """Redeem the refresh token once so its 90-day inactivity clock restarts."""
    from ._services.exchange import keepalive as run

    p = load_profile(profile, config=config)
    return run(p, store_for(p))


def close_sessions() -> None:
    """Close the pooled HTTPS sessions, as a command line does before it exits (their sockets left
    to the interpreter's shutdown are reported as a ResourceWarning). Nothing to do, and nothing
    imported, when no connection was made."""
    client = sys.modules.get("bridge._auth.client")
    if client is not None:
        client.close_sessions()


def import_refresh_token(token: str, profile: Profile | str | None = None, *, config: str | os.PathLike[str] | None = None,
                         verify: bool = True) -> dict[str, Any]:
    """Store a refresh token obtained elsewhere (e.g. from New-PartnerAccessToken or a Key Vault secret).

    With `verify` (the default) it is redeemed once first; the record it replaces stays recoverable
    (`restore_refresh_token`)."""
    from ._services.exchange import import_refresh_token as run

    p = load_profile(profile, config=config)
    return run(p, store_for(p), token, verify=verify)


def restore_refresh_token(profile: Profile | str | None = None, *, config: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Put back the refresh-token record the last import replaced."""
    from ._services.exchange import restore_refresh_token as run

    p = load_profile(profile, config=config)
    return run(p, store_for(p))


def connect_parameters(
    profile: Profile | str | None,
    target: str,
    tenant: str | None = None,
    *,
    module_version: str | None = None,
    include: Iterable[str] | str | None = (),
    url: str | None = None,
    config: str | os.PathLike[str] | None = None,
    min_lifetime: float | None = None,
):  # type: ignore[no-untyped-def]
    """Ready parameters for a `Connect-*` cmdlet (tokens exchanged for exactly the audiences it needs;
    cached ones only with more than `min_lifetime` seconds left, when given).

    >>> params = connect_parameters("contoso", "AzAccount", tenant="fabrikam.onmicrosoft.com")  # doctest: +SKIP
    >>> params.to_dict()["parameters"]["AccountId"]  # doctest: +SKIP
    """
    from ._targets import connect_parameters as run

    p = load_profile(profile, config=config)
    if min_lifetime is not None:
        from ._targets.jobs import check_margin

        min_lifetime = check_margin(min_lifetime)
    return run(p, store_for(p), target, tenant, module_version, include, url, min_lifetime=min_lifetime)


def add_profile(
    name: str,
    values: Mapping[str, Any],
    *,
    client_secret: str | None = None,
    certificate: bytes | None = None,
    certificate_password: bytes | None = None,
    make_default: bool = False,
    config: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Create or replace a profile; its client secret or certificate goes to the profile's store."""
    from ._config import Config

    cfg = Config.load(config)
    profile = Config.build_profile(name, {}, **{k: v for k, v in values.items() if v is not None})
    from ._core.validate import check_authority_host

    check_authority_host(profile.authority_host, profile.custom_authority)
    store_for(profile).check()  # before anything is written: a profile whose store cannot work is refused
    details: dict[str, Any] = {}
    if profile.credential == "secret":
        if client_secret is None:
            raise InvalidInputError("a confidential profile with credential 'secret' needs the client secret.")
        store_client_secret(profile, client_secret)
    elif profile.credential == "certificate":
        if certificate is None:
            raise InvalidInputError("a confidential profile with credential 'certificate' needs the certificate.")
        details = store_client_certificate(profile, certificate, certificate_password)
    cfg.set_profile(profile, make_default=make_default)
    cfg.save()
    return {"name": profile.name, "config": str(cfg.path), **profile.to_file_dict(), **details}


def remove_profile(name: str, *, keep_secrets: bool = False, config: str | os.PathLike[str] | None = None) -> Profile:
    """Remove a profile from the config file and, unless `keep_secrets`, its entries from its store."""
    from ._config import Config

    cfg = Config.load(config)
    profile = cfg.profile(name)
    if not keep_secrets:
        store = store_for(profile)
        for entry_name in store.list():
            if entry_name.startswith(profile.name + "/"):
                store.delete(entry_name)
    cfg.remove_profile(profile.name)
    cfg.save()
    return profile


def remove_refresh_token(profile: Profile | str | None = None, *, config: str | os.PathLike[str] | None = None) -> bool:
    """Delete the profile's refresh token and cached access tokens; False when there was no token."""
    from ._services.exchange import forget_refresh_token

    p = load_profile(profile, config=config)
    return forget_refresh_token(p, store_for(p))


def refresh_token_fingerprint(profile: Profile | str | None = None, *, config: str | os.PathLike[str] | None = None) -> str | None:
    """A short fingerprint of the stored refresh token (never the token), or None without one."""
    from ._services.exchange import stored_refresh_token_fingerprint

    p = load_profile(profile, config=config)
    return stored_refresh_token_fingerprint(p, store_for(p))


def adhoc_token(
    app_id: str,
    scopes: tuple[str, ...],
    tenant: str,
    *,
    client_secret: str | None = None,
    refresh_token: str | None = None,
) -> tuple[AccessToken, str | None]:
    """A token for an app the caller names, with nothing stored (New-PartnerAccessToken's sets).

    With `refresh_token`, that token is redeemed once and its rotated successor returned beside
    the access token; without it, an app-only token (client credentials, needs `client_secret`).
    """
    from ._services.adhoc import app_only_token, ephemeral_profile, redeem_given

    profile = ephemeral_profile(app_id, tenant, confidential=client_secret is not None)
    if refresh_token is None:
        return app_only_token(profile, client_secret, scopes, tenant), None
    redemption = redeem_given(profile, client_secret, refresh_token, scopes, tenant)
    return redemption.access_token, redemption.refresh_token


def customer_tenants(profile: Profile | str | None = None, *, config: str | os.PathLike[str] | None = None) -> list[str]:
    """The profile's customers list, else every customer the Partner Center API lists."""
    from ._services.partner_center import partner_center_customers

    p = load_profile(profile, config=config)
    return list(p.customers) or partner_center_customers(p, store_for(p))


def read_tenants_file(path: str) -> list[str]:
    """Tenant ids or domains from a file, one per line (# comments)."""
    from ._services.batch import read_tenants_file as read

    return read(path)


def warn_duplicate_tenants(tenants: list[str]) -> None:
    """Warn (SamBridgeWarning) which of the normalized `tenants` were given more than once."""
    from ._services.batch import warn_duplicates

    warn_duplicates(tenants)


def batch_tokens(profile: Profile | str | None, scopes: Iterable[str] | None, tenants: Iterable[str], *,
                 force_refresh: bool = False, config: str | os.PathLike[str] | None = None,
                 preflight: str | None = None, warn_days: float = DEFAULT_GDAP_WARN_DAYS, **options: Any):  # type: ignore[no-untyped-def]
    """Access tokens for `scopes` in every tenant, yielded as each tenant completes (TenantResult).

    `preflight` (a target name): the customers not ready for that target are checked now and
    reported first (CustomerNotReadyError), and only the ready ones are exchanged."""
    from ._services.batch import tokens

    p = load_profile(profile, config=config)
    store = store_for(p)
    run = lambda chosen: tokens(p, store, scopes, chosen, force_refresh=force_refresh, **options)  # noqa: E731
    if preflight:
        from ._targets.readiness import preflight as check

        return check(p, store, tenants, preflight, run, warn_days=warn_days)
    return run(tenants)


def batch_connect_parameters(profile: Profile | str | None, target: str, tenants: Iterable[str], *,
                             config: str | os.PathLike[str] | None = None, preflight: bool = False,
                             warn_days: float = DEFAULT_GDAP_WARN_DAYS, **options: Any):  # type: ignore[no-untyped-def]
    """Connect-* parameters for `target` in every tenant, yielded as each tenant completes;
    `preflight`: the customers not ready for `target` first, and exchanges for the ready ones only."""
    from ._targets import connect_parameters_batch

    p = load_profile(profile, config=config)
    store = store_for(p)
    run = lambda chosen: connect_parameters_batch(p, store, target, chosen, **options)  # noqa: E731
    if preflight:
        from ._targets.plan import plan
        from ._targets.readiness import preflight as check

        plan(target, options.get("module_version"), options.get("include"))  # a bad target fails before any check
        return check(p, store, tenants, target, run, warn_days=warn_days)
    return run(tenants)


# --- customers: readiness and jobs that outlive a token ------------------------------------------------


def customers(profile: Profile | str | None = None, *, tenants: Iterable[str] | None = None, target: str | None = None,
              warn_days: float = DEFAULT_GDAP_WARN_DAYS, config: str | os.PathLike[str] | None = None):  # type: ignore[no-untyped-def]
    """Every customer (or `tenants`) with its GDAP relationship, roles, consent and a verdict per
    target (`target`: that one only): CustomerReadiness objects."""
    from ._targets.readiness import assess

    p = load_profile(profile, config=config)
    return assess(p, store_for(p), tenants=list(tenants) if tenants else None, target=target, warn_days=warn_days)


def customer_connections(profile: Profile | str | None, target: str, tenants: Iterable[str] | None = None, *,
                         all_customers: bool = False, margin: float = JOB_RECONNECT_MARGIN_SECONDS,
                         preflight: bool = True, warn_days: float = DEFAULT_GDAP_WARN_DAYS,
                         module_version: str | None = None, include: Iterable[str] | str | None = (),
                         url: str | None = None, config: str | os.PathLike[str] | None = None):  # type: ignore[no-untyped-def]
    """An iterator of CustomerConnection, one per customer: `parameters()` gives its Connect-*
    parameters for `target`, renewed when they have `margin` seconds or less left.

    >>> for customer in customer_connections("contoso", "MgGraph", all_customers=True):  # doctest: +SKIP
    ...     params = customer.parameters() if customer.ok else None
    """
    from ._targets.jobs import customer_connections as run

    p = load_profile(profile, config=config)
    chosen = list(tenants or []) + (customer_tenants(p) if all_customers else [])
    return run(p, store_for(p), target, chosen, margin=margin, preflight=preflight, warn_days=warn_days,
               module_version=module_version, include=include, url=url)


def customer_split(profile: Profile | str | None, target: str, tenants: Iterable[str], *, preflight: bool = True,
                   warn_days: float = DEFAULT_GDAP_WARN_DAYS, config: str | os.PathLike[str] | None = None):  # type: ignore[no-untyped-def]
    """(ready tenants, a TenantResult for each unready one) for `target`; without `preflight`, all ready."""
    from ._targets.readiness import split

    p = load_profile(profile, config=config)
    if not preflight:
        return list(tenants), []
    return split(p, store_for(p), tenants, target, warn_days=warn_days)


def diagnose(profile: str | None = None, *, config: str | os.PathLike[str] | None = None,
             tenants: Iterable[str] | None = None, offline: bool = False):  # type: ignore[no-untyped-def]
    """`sam-bridge doctor`: every check of a profile, as findings; `offline` sends nothing to Entra."""
    from ._services.doctor import diagnose as run

    return run(profile, config=config, tenants=tenants, offline=offline)


def render_findings(findings, echo: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    """The findings as the CLI prints them, one line each."""
    from ._services.doctor import render

    render(findings, echo)


def import_cipp(vault: str, profile: str, **options: Any):  # type: ignore[no-untyped-def]
    """Read CIPP's secrets from its vault into a profile (docs/STORES.md)."""
    from ._services.cipp import import_cipp as run

    return run(vault, profile, **options)


def targets():  # type: ignore[no-untyped-def]
    """Every Connect-* target by name (the registry of bridge._targets)."""
    from ._targets import TARGETS

    return TARGETS


def runtime_snippet(*args: Any, **kwargs: Any) -> str:
    """bridge.runtime_snippet: a snippet that fetches its tokens when it runs."""
    from ._targets.snippets import runtime_snippet as make

    return make(*args, **kwargs)


def embedded_snippet(*args: Any, **kwargs: Any) -> str:
    """bridge.embedded_snippet: a snippet holding live tokens."""
    from ._targets.snippets import embedded_snippet as make

    return make(*args, **kwargs)


def module_snippet(*args: Any, **kwargs: Any) -> str:
    """bridge.module_snippet: a snippet that connects through the SamBridge module."""
    from ._targets.snippets import module_snippet as make

    return make(*args, **kwargs)


# --- the SAM application itself (create, consent into customers, credentials, rotate) ----------------


def app_create(name: str, *, targets: Iterable[str] | str | None = None, config: str | os.PathLike[str] | None = None,
               **options: Any):  # type: ignore[no-untyped-def]
    """Create or reconcile the profile's multi-tenant app (see bridge._services.app.create) with the
    permissions the `targets` need (default: every current target; an existing app keeps its own)."""
    from ._services.app import create
    from ._targets.permissions import parse_targets, target_permissions

    chosen = parse_targets(targets)  # unknown targets are refused before anything is asked or sent
    return create(name, config=config, permissions=target_permissions(chosen), keep_permissions=chosen is None, **options)


def app_consent(profile: Profile | str | None = None, tenants: Iterable[str] | None = None, *, all_customers: bool = False,
                check: bool = False, concurrency: int = BATCH_CONCURRENCY, config: str | os.PathLike[str] | None = None,
                on_done: Callable[[Any, int, int], None] | None = None):  # type: ignore[no-untyped-def]
    """Consent the app into customer tenants through Partner Center (`check`: report drift only)."""
    from ._services.app import consent_customers

    p = load_profile(profile, config=config)
    chosen = list(tenants or []) + (customer_tenants(p) if all_customers else [])
    return consent_customers(p, store_for(p), chosen, check=check, concurrency=concurrency, on_done=on_done)


def app_credentials(profile: Profile | str | None = None, *, warn_days: float | None = None,
                    config: str | os.PathLike[str] | None = None):  # type: ignore[no-untyped-def]
    """Every secret and certificate of the profile's app, with its expiry."""
    from ._core.constants import DEFAULT_CREDENTIAL_WARN_DAYS
    from ._services.app import credentials

    p = load_profile(profile, config=config)
    return credentials(p, store_for(p), warn_days=DEFAULT_CREDENTIAL_WARN_DAYS if warn_days is None else warn_days)


def app_credential_status(profile: Profile | str | None = None, *, warn_days: float | None = None,
                          config: str | os.PathLike[str] | None = None):  # type: ignore[no-untyped-def]
    """The stored client credential against its end date (no network)."""
    from ._core.constants import DEFAULT_CREDENTIAL_WARN_DAYS
    from ._services.app import credential_status

    p = load_profile(profile, config=config)
    return credential_status(p, store_for(p), warn_days=DEFAULT_CREDENTIAL_WARN_DAYS if warn_days is None else warn_days)


def app_rotate(profile: Profile | str | None = None, *, keep_old: bool = False, secret_days: int | None = None,
               sign_in: str | None = None, prompt: Callable[[str], None] | None = None,
               config: str | os.PathLike[str] | None = None, on_step: Callable[[str], None] | None = None):  # type: ignore[no-untyped-def]
    """Rotate the app's client secret; `sign_in` (a consent method) when the old secret cannot be used."""
    from ._core.constants import DEFAULT_SECRET_DAYS
    from ._services.app import bootstrap_token, rotate

    p = load_profile(profile, config=config)
    token = None
    if sign_in:
        token = bootstrap_token(p, method=sign_in, **({"prompt": prompt} if prompt else {}))
    return rotate(p, store_for(p), keep_old=keep_old, secret_days=secret_days or DEFAULT_SECRET_DAYS,
                  on_step=on_step, token=token)
