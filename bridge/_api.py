"""The Python API: profile names in, tokens and records out. The CLI and the PowerShell bridge call these."""
from __future__ import annotations

import os
import threading
import warnings
from collections import OrderedDict
from typing import Any, Callable, Iterable, Mapping

from ._config import Config, Profile, config_path
from ._core.constants import DEFAULT_WARN_DAYS, ENTRY_CLIENT_CERTIFICATE, ENTRY_CLIENT_SECRET
from ._core.errors import InvalidInputError
from ._stores import SecretStore, open_store
from ._core.tokens import AccessToken

def load_profile(profile: Profile | str | None = None, *, config: str | os.PathLike[str] | None = None, **overrides: Any) -> Profile:
    """A Profile by name from the config file (or the default profile), with explicit overrides applied."""
    if isinstance(profile, Profile):
        return profile.with_changes(**overrides) if overrides else profile
    if overrides:
        return Config.load(config).profile(profile, **overrides)
    return _remembered_profile(profile, config)


# A long-lived host (the PowerShell module's in-process transport) loads the same profile for every
# request, and parsing the TOML file and validating the profile are most of the work of a request
# answered from the access-token cache. So the result is remembered under a key holding everything
# it depends on: the config file's path and its exact bytes (read every time: a few microseconds,
# and no edit can go unseen, whatever the file system's timestamp granularity), the profile asked
# for, every SAM_BRIDGE_* variable (the environment overrides, SAM_BRIDGE_PROFILE), and the working
# directory (a relative CA bundle path). A remembered profile whose CA bundle has gone is loaded
# again (and then fails as it would have). Errors are never remembered; the warnings a load gave
# are given again on every use, as a fresh load would.
_PROFILE_MEMO_SIZE = 32
_profile_memo: "OrderedDict[tuple[Any, ...], tuple[Profile, list[warnings.WarningMessage]]]" = OrderedDict()
_profile_memo_lock = threading.Lock()


def _config_bytes(path: os.PathLike[str] | str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def _remembered_profile(name: str | None, config: str | os.PathLike[str] | None) -> Profile:
    path = config_path(config)
    raw = _config_bytes(path)
    if raw is None:  # no file (or unreadable): nothing worth remembering, and Config.load says why
        return Config.load(path).profile(name)
    environment = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("SAM_BRIDGE_")))
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = ""
    key = (str(path), raw, name, cwd, environment)
    with _profile_memo_lock:
        hit = _profile_memo.get(key)
        if hit is not None:
            _profile_memo.move_to_end(key)
    if hit is not None and (hit[0].ca_bundle is None or os.path.isfile(hit[0].ca_bundle)):
        for caught in hit[1]:
            warnings.warn_explicit(caught.message, caught.category, caught.filename, caught.lineno, source=caught.source)
        return hit[0]
    with warnings.catch_warnings(record=True) as given:
        warnings.simplefilter("always")
        loaded = Config.load(path).profile(name)
    for caught in given:
        warnings.warn_explicit(caught.message, caught.category, caught.filename, caught.lineno, source=caught.source)
    if _config_bytes(path) == raw:  # not changed while it was being loaded: the key is the truth
        with _profile_memo_lock:
            _profile_memo[key] = (loaded, list(given))
            while len(_profile_memo) > _PROFILE_MEMO_SIZE:
                _profile_memo.popitem(last=False)
    return loaded


def store_for(profile: Profile) -> SecretStore:
    """The secret store a profile names."""
    return open_store(profile.store, ca_bundle=profile.ca_bundle, profile=profile)


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
    from ._services.exchange import exchange

    p = load_profile(profile, config=config)
    if isinstance(scopes, str):
        scopes = scopes.split()
    return exchange(p, store_for(p), scopes, tenant, force_refresh=force_refresh)


exchange = get_token


def consent(
    profile: Profile | str | None = None,
    method: str = "device-code",
    *,
    config: str | os.PathLike[str] | None = None,
    prompt: Callable[[str], None] | None = None,
    read_redirect: Callable[[], str] | None = None,
    open_browser: Callable[[str], bool] | None = None,
    timeout: float | None = None,
):  # type: ignore[no-untyped-def]
    """Run the interactive consent (device-code, browser or print-url) and store the refresh token."""
    from ._services.consent import DEFAULT_TIMEOUT, consent as run

    p = load_profile(profile, config=config)
    kwargs: dict[str, Any] = {"read_redirect": read_redirect, "open_browser": open_browser,
                              "timeout": timeout or DEFAULT_TIMEOUT}
    if prompt is not None:
        kwargs["prompt"] = prompt
    return run(p, store_for(p), method, **kwargs)


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


def import_refresh_token(token: str, profile: Profile | str | None = None, *, config: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Store a refresh token obtained elsewhere (e.g. from New-PartnerAccessToken or a Key Vault secret)."""
    from ._services.exchange import import_refresh_token as run

    p = load_profile(profile, config=config)
    return run(p, store_for(p), token)


def store_client_secret(profile: Profile, secret: str) -> None:
    """Keep a confidential client's secret in the profile's store (never in the config file)."""
    from ._auth.client import entry

    secret = (secret or "").strip()
    if not secret:
        raise InvalidInputError("no client secret was given on stdin.")
    store_for(profile).put(entry(profile, ENTRY_CLIENT_SECRET), secret, {"profile": profile.name, "kind": "client-secret"})


def store_client_certificate(profile: Profile, data: bytes, password: bytes | None) -> dict[str, Any]:
    """Load a PEM or PFX certificate, refuse unusable ones, and keep it in the profile's store."""
    from ._auth.certs import load_certificate
    from ._auth.client import entry

    cert = load_certificate(data, password)
    store_for(profile).put(
        entry(profile, ENTRY_CLIENT_CERTIFICATE),
        cert.to_store_value(),
        {"profile": profile.name, "kind": "client-certificate", "thumbprint": cert.thumbprint,
         "not_after": cert.not_after.strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
    return {"thumbprint": cert.thumbprint, "not_after": cert.not_after.strftime("%Y-%m-%dT%H:%M:%SZ")}


def connect_parameters(
    profile: Profile | str | None,
    target: str,
    tenant: str | None = None,
    *,
    module_version: str | None = None,
    include: Iterable[str] | str | None = (),
    url: str | None = None,
    config: str | os.PathLike[str] | None = None,
):  # type: ignore[no-untyped-def]
    """Ready parameters for a `Connect-*` cmdlet (tokens exchanged for exactly the audiences it needs).

    >>> params = connect_parameters("contoso", "AzAccount", tenant="fabrikam.onmicrosoft.com")  # doctest: +SKIP
    >>> params.to_dict()["parameters"]["AccountId"]  # doctest: +SKIP
    """
    from ._targets import connect_parameters as run

    p = load_profile(profile, config=config)
    return run(p, store_for(p), target, tenant, module_version, include, url)


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


# --- the SAM application itself (create, consent into customers, credentials, rotate) ----------------


def app_create(name: str, *, config: str | os.PathLike[str] | None = None, **options: Any):  # type: ignore[no-untyped-def]
    """Create or reconcile the profile's multi-tenant app (see bridge._services.app.create)."""
    from ._services.app import create

    return create(name, config=config, **options)


def customer_tenants(profile: Profile, store: SecretStore, tenants: Iterable[str] | None = None, *,
                     all_customers: bool = False) -> list[str]:
    """The tenants named, then (with all_customers) the profile's customers, else Partner Center's list."""
    from ._services.batch import partner_center_customers

    chosen = list(tenants or [])
    if all_customers:
        chosen += list(profile.customers) or partner_center_customers(profile, store)
    return chosen


def app_consent(profile: Profile | str | None = None, tenants: Iterable[str] | None = None, *, all_customers: bool = False,
                check: bool = False, concurrency: int = 8, config: str | os.PathLike[str] | None = None,
                on_done: Callable[[Any, int, int], None] | None = None):  # type: ignore[no-untyped-def]
    """Consent the app into customer tenants through Partner Center (`check`: report drift only)."""
    from ._services.app import consent_customers

    p = load_profile(profile, config=config)
    store = store_for(p)
    chosen = customer_tenants(p, store, tenants, all_customers=all_customers)
    return consent_customers(p, store, chosen, check=check, concurrency=concurrency, on_done=on_done)


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
    from ._services.app import DEFAULT_SECRET_DAYS, bootstrap_token, rotate

    p = load_profile(profile, config=config)
    token = None
    if sign_in:
        token = bootstrap_token(p, method=sign_in, **({"prompt": prompt} if prompt else {}))
    return rotate(p, store_for(p), keep_old=keep_old, secret_days=secret_days or DEFAULT_SECRET_DAYS,
                  on_step=on_step, token=token)
