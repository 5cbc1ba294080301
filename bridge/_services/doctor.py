"""`sam-bridge doctor`: diagnose a profile before a job meets a cryptic AADSTS error.

Each check yields one Finding: a status (ok | warn | fail | skip), what was seen, and for anything
but ok, a fix a person can act on. The same checks appear in the same order on every run: one that
cannot run because an earlier one failed (no config, no store, authority unreachable...) is a skip
whose fix names what to repair first. Customer-tenant checks are one finding per tenant.

Doctor asks Entra rather than trusting what was last written down: it redeems the stored refresh
token once (storing the rotation, as every exchange does) and reports Entra's verdict, and each
customer check is a fresh exchange at that tenant, never a cached access token. `offline=True`
keeps to what this machine knows (config, store, port, the token's local record).

Order: config, store, authority, clock, app_kind, loopback_port, refresh_token, mfa, customer:<t>...
"""
from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Generator, Iterable, Iterator, Mapping

from .._config import Profile
from .._core.constants import (
    DEFAULT_WARN_DAYS,
    ENV_CLIENT_SECRET,
    GRAPH_RESOURCE,
    PARTNER_CENTER_MFA_CODE,
    REFRESH_TOKEN_INACTIVITY_DAYS,
)
from .._core.errors import (
    AuthenticationError,
    ClientCredentialError,
    InvalidRefreshTokenError,
    RefreshTokenExpiredError,
    RefreshTokenRevokedError,
    SamBridgeError,
    mfa_claim_remediation,
)
from .._auth.http import RetryPolicy
from .._core.tokens import lacks_mfa
from .._stores import SecretStore

# Entra accepts client assertions and token times within about 5 minutes of its own clock.
MAX_CLOCK_SKEW_SECONDS = 300
# A drift this large is harmless today but means the machine's time sync is not working.
WARN_CLOCK_SKEW_SECONDS = 60
# A refresh token no one issued: redeeming it shows how the authority judges our client
# credential without spending the real token (client authentication is checked first).
_PROBE_TOKEN = "sam-bridge-doctor-probe"
# What the authority answers about the probe token itself once it has accepted the client.
_PROBE_REFUSED_TOKEN = ("invalid_grant", "invalid_request")

# One retry, short budget: doctor reports what the authority does now (see _check_discovery).
_DOCTOR_POLICY = RetryPolicy(attempts=1, budget_seconds=20.0)

CHECKS = ("config", "store", "authority", "clock", "app_kind", "loopback_port", "refresh_token", "mfa")
STATUSES = ("ok", "warn", "fail", "skip")


@dataclass(frozen=True)
class Finding:
    check: str
    status: str  # ok | warn | fail | skip
    detail: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "status": self.status, "detail": self.detail, "fix": self.fix}


def diagnose(
    profile_name: str | None,
    *,
    config: str | None = None,
    tenants: Iterable[str] | None = None,
    customer_scopes: Iterable[str] = (f"{GRAPH_RESOURCE}/.default",),
    warn_days: float = DEFAULT_WARN_DAYS,
    offline: bool = False,
) -> list[Finding]:
    """Run every check on one profile; `tenants` replaces the profile's customer tenants;
    `offline` sends nothing (the network checks are skipped, the token judged by its record)."""
    return list(_run(profile_name, config, tenants, tuple(customer_scopes), warn_days, offline))


def _skip(checks: Iterable[str], why: str, fix: str) -> Iterator[Finding]:
    for check in checks:
        yield Finding(check, "skip", why, fix)


_OFFLINE = "not checked: offline (--offline)"
_ONLINE_FIX = "Run doctor without --offline to ask Entra."


def _run(profile_name: str | None, config: str | None, tenants: Iterable[str] | None,
         customer_scopes: tuple[str, ...], warn_days: float, offline: bool = False) -> Iterator[Finding]:
    from .profiles import load_profile, store_for

    try:
        profile = load_profile(profile_name, config=config)
    except SamBridgeError as exc:
        yield Finding("config", "fail", exc.message, exc.remediation or _config_fix(profile_name, config))
        yield from _skip(CHECKS[1:], "no usable profile", "Fix the config first.")
        return
    yield Finding("config", "ok", f"profile {profile.name!r}: app {profile.app_id}, tenant {profile.tenant}, "
                                  f"authority {profile.authority_host}")

    store: SecretStore | None
    try:
        store = store_for(profile)
        store.check()
        yield Finding("store", "ok", f"{store.uri} is usable")
    except SamBridgeError as exc:
        yield Finding("store", "fail", exc.message, exc.remediation or (
            f"Repair the store as the message says, or move the profile to a store that works here: "
            f"`sam-bridge profile add {profile.name} ... --store URI` (keyring, file:PATH, keyvault:URL)."))
        store = None

    if offline:
        discovery = list(_skip(("authority", "clock"), _OFFLINE, _ONLINE_FIX))
        app_kind = Finding("app_kind", "skip", _OFFLINE, _ONLINE_FIX)
    else:
        discovery = _check_discovery(profile)
        app_kind = _check_credential(profile, store, discovery[0].status == "ok")
    yield from discovery
    authority_ok = discovery[0].status == "ok"
    yield app_kind
    if profile.credential != "none" and store is not None:  # the app's own secret or certificate expires too
        from .app import expiry_finding

        yield Finding(*expiry_finding(profile, store, authority_ok, app_kind.detail if app_kind.status == "fail" else None))
    yield _check_loopback(profile)

    targets = list(tenants) if tenants is not None else list(profile.customers)
    if store is None:
        yield from _skip(("refresh_token", "mfa"), "the store is not usable", "Fix the store first.")
        yield from _skip_customers(profile, targets, "the store is not usable", "Fix the store first.")
        return
    if offline:
        has_token, refused = (yield from _check_refresh_token(profile, store, warn_days)), None
    elif authority_ok and app_kind.status != "fail":
        has_token, refused = yield from _ask_entra(profile, store, warn_days)
    else:
        why = "the authority is not usable" if not authority_ok else "the authority refuses the app's credential"
        has_token, refused = (yield from _check_refresh_token(profile, store, warn_days, unconfirmed=why)), None
    if not targets:
        yield from _skip_customers(profile, targets, "", "")
    elif offline:
        yield from _skip_customers(profile, targets, _OFFLINE, _ONLINE_FIX)
    elif isinstance(refused, _SAME_EVERYWHERE):
        what = "client credential" if isinstance(refused, ClientCredentialError) else "refresh token"
        yield from _skip_customers(profile, targets, f"the {what} itself was refused", f"Fix the {what} first.")
    elif not authority_ok:
        yield from _skip_customers(profile, targets, "the authority is not usable", "Fix the authority first.")
    elif not has_token:
        yield from _skip_customers(profile, targets, "no refresh token to exchange", "Consent first.")
    elif app_kind.status == "fail":  # every exchange would be refused for the same reason
        yield from _skip_customers(profile, targets, "the authority refuses the app's credential", "Fix app_kind first.")
    else:
        yield from _check_customers(profile, store, targets, customer_scopes)


def _config_fix(profile_name: str | None, config: str | None) -> str:
    """What to do about a profile that could not be loaded: create it, or repair the file."""
    from .._config import Config, config_path

    path = config_path(config)
    add = f"`sam-bridge profile add {profile_name or 'NAME'} --app-id ID --tenant TENANT`"
    if not path.exists():
        return f"Create the profile: {add} (it writes {path})."
    try:
        known = Config.load(path).profile_names
    except SamBridgeError:
        return f"Repair {path} by hand, or move it aside and re-create the profile: {add}."
    if profile_name and profile_name in known:
        return f"Correct the profile's settings in {path}, or re-create it: {add}."
    return f"Create the profile: {add}" + (f", or choose one of: {', '.join(known)}." if known else ".")


def _skip_customers(profile: Profile, targets: list[str], why: str, fix: str) -> Iterator[Finding]:
    """One skip per customer tenant, or one `customer_tenants` skip when none is configured."""
    if not targets:
        yield Finding("customer_tenants", "skip", "no customer tenants configured",
                      f"Add them to the profile (`--customer TENANT`) or name them: "
                      f"`sam-bridge doctor --profile {profile.name} --tenant TENANT`.")
        return
    yield from _skip((f"customer:{t}" for t in targets), why, fix)


# ------------------------------------------------------------------------------------------------
# authority and clock
# ------------------------------------------------------------------------------------------------


def _check_discovery(profile: Profile) -> list[Finding]:
    """The authority's OpenID configuration, and the clock skew read from the same response."""
    from .._auth.client import _transport_error
    from .._auth.http import build_session
    from .._core.validate import http_loopback_allowed

    url = f"{profile.authority()}/v2.0/.well-known/openid-configuration"
    unreachable = "Fix the authority first."
    # One retry, not the exchange path's four with backoff: doctor reports what the authority does
    # now, quickly (a TLS or DNS failure does not heal in the seconds retries would spend).
    session = build_session(profile.ca_bundle, policy=_DOCTOR_POLICY, allow_http_loopback=http_loopback_allowed())
    try:
        response = _fetch_fresh(session, url)
    except Exception as exc:
        err = _transport_error(exc, "read the discovery document", profile.authority())
    else:
        err = None
    finally:
        session.close()
    if err is not None:
        if "TLS verification" in err.message:
            fix = ("Point the profile at the CA that issued the authority's certificate: "
                   f"`sam-bridge profile add {profile.name} ... --ca-bundle PATH` (a proxy that inspects TLS "
                   "needs its CA there too).")
        else:
            fix = (f"Check the authority host {profile.authority_host} (the cloud's login endpoint, e.g. "
                   "https://login.microsoftonline.com), the network and any proxy (HTTPS_PROXY).")
        return [Finding("authority", "fail", err.message, fix),
                Finding("clock", "skip", "the authority did not answer", unreachable)]
    try:
        body = response.json()
    except ValueError:
        body = None
    clock = _check_clock(response.headers.get("Date"), profile)
    if response.status_code != 200 or not isinstance(body, dict) or body.get("error"):
        if isinstance(body, dict) and body.get("error"):
            from .._auth.aadsts import codes_of

            codes = codes_of(body)
            description = str(body.get("error_description") or body["error"]).splitlines()[0].strip()
            if 90002 in codes:
                return [Finding("authority", "fail",
                                f"tenant {profile.tenant!r} is not known to {profile.authority_host}: {description}",
                                f"Set the partner tenant's id or primary domain (e.g. contoso.onmicrosoft.com) with "
                                f"`sam-bridge profile add {profile.name} --tenant ...`, and check that "
                                f"{profile.authority_host} is the cloud the tenant lives in."), clock]
        else:
            description = f"HTTP {response.status_code}, {response.headers.get('Content-Type') or 'no content type'}"
        return [Finding("authority", "fail",
                        f"the discovery document of {profile.authority()} is not available: {description}",
                        f"Check the tenant and that {profile.authority_host} is an Entra ID authority host."), clock]
    missing = [k for k in ("authorization_endpoint", "token_endpoint", "device_authorization_endpoint")
               if not isinstance(body.get(k), str) or not body.get(k)]
    if missing:
        return [Finding("authority", "fail",
                        f"the discovery document of {profile.authority()} lacks {', '.join(missing)}",
                        f"{profile.authority_host} does not serve Entra ID v2.0 endpoints: set the profile's "
                        "--authority-host to the cloud's login endpoint (a proxy or captive portal may be "
                        "answering instead)."), clock]
    return [Finding("authority", "ok", f"discovery document of {profile.authority()} is valid"), clock]


def _fetch_fresh(session: Any, url: str) -> Any:
    """GET the discovery document from the authority itself, not from bridge._auth.http's process-wide
    discovery cache: doctor must see the authority as it answers now (reachable? its clock now?),
    not a document an earlier call in this process cached up to an hour ago. Clearing that cache
    costs later calls in this process one discovery round trip per authority, nothing else."""
    from .._auth.http import clear_discovery_cache

    clear_discovery_cache()
    return session.get(url)


def _check_clock(date_header: str | None, profile: Profile) -> Finding:
    try:
        server_time = email.utils.parsedate_to_datetime(date_header) if date_header else None
    except (TypeError, ValueError):
        server_time = None
    if server_time is None or server_time.tzinfo is None:
        return Finding("clock", "skip", "the authority sent no usable Date header",
                       "Compare this machine's clock with an NTP server by hand.")
    skew = (datetime.now(timezone.utc) - server_time).total_seconds()
    where = "ahead of" if skew > 0 else "behind"
    amount = f"{abs(skew):.0f} s" + (f" ({abs(skew) / 60:.0f} min)" if abs(skew) >= 90 else "")
    sync = "Synchronise this machine's clock (NTP: timedatectl set-ntp true, w32tm /resync)"
    if abs(skew) > MAX_CLOCK_SKEW_SECONDS:
        return Finding("clock", "fail",
                       f"this machine's clock is {amount} {where} {profile.authority_host}'s "
                       f"(more than the {MAX_CLOCK_SKEW_SECONDS} s Entra tolerates)",
                       f"{sync}: certificate assertions and token lifetimes are judged by the authority's clock.")
    if abs(skew) > WARN_CLOCK_SKEW_SECONDS:
        return Finding("clock", "warn", f"this machine's clock is {amount} {where} {profile.authority_host}'s",
                       f"{sync} before the drift reaches {MAX_CLOCK_SKEW_SECONDS} s.")
    return Finding("clock", "ok", f"clock skew {skew:+.0f} s against {profile.authority_host}")


# ------------------------------------------------------------------------------------------------
# app kind
# ------------------------------------------------------------------------------------------------


def _check_credential(profile: Profile, store: SecretStore | None, authority_ok: bool) -> Finding:
    import os

    from .._auth.client import build_app, client_credential

    kind = "public client (no credential)" if profile.is_public_client else f"confidential client ({profile.credential})"
    if not authority_ok:
        return Finding("app_kind", "skip", f"{kind}: the authority is not usable", "Fix the authority first.")
    env_secret = profile.credential == "secret" and bool(os.environ.get(ENV_CLIENT_SECRET))
    if store is None and not profile.is_public_client and not env_secret:
        return Finding("app_kind", "skip", f"{kind}: the store holding the credential is not usable", "Fix the store first.")
    try:
        # None for a public client; an environment secret is read before the store is touched.
        credential = client_credential(profile, store) if not profile.is_public_client else None  # type: ignore[arg-type]
    except SamBridgeError as exc:
        return Finding("app_kind", "fail", exc.message, exc.remediation or (
            f"Store the credential: `sam-bridge profile add {profile.name} ... --secret-stdin` or --certificate PATH."))
    try:
        app = build_app(profile, credential)
        result = app.acquire_token_by_refresh_token(_PROBE_TOKEN, [f"{GRAPH_RESOURCE}/.default"])
    except SamBridgeError as exc:
        return Finding("app_kind", "fail", exc.message, exc.remediation or "Check the authority and run doctor again.")
    except Exception as exc:  # transport failures after discovery worked
        return Finding("app_kind", "warn", f"probing the token endpoint failed ({type(exc).__name__})",
                       "Run doctor again; if it persists, check the network path to the token endpoint.")
    if not isinstance(result, dict):
        return Finding("app_kind", "warn", "the token endpoint gave no usable answer", "Run doctor again.")
    return _judge_probe(profile, kind, result)


def _judge_probe(profile: Profile, kind: str, result: Mapping[str, Any]) -> Finding:
    from .._auth.aadsts import codes_of

    codes = codes_of(result)
    error = str(result.get("error") or "")
    said = str(result.get("error_description") or error).splitlines()[0].strip()
    add = f"sam-bridge profile add {profile.name} --app-id {profile.app_id} --tenant {profile.tenant}"
    if 700025 in codes:
        return Finding("app_kind", "fail",
                       f"the profile sends a client {profile.credential}, but app {profile.app_id} is a public "
                       "client (AADSTS700025)",
                       f"Re-create the profile as a public client: `{add} --public-client` (and delete the "
                       "unused secret from the app registration).")
    if 7000218 in codes:
        return Finding("app_kind", "fail",
                       f"app {profile.app_id} is a confidential client, but the profile sends no credential "
                       "(AADSTS7000218)",
                       f"Give the profile the app's secret or certificate (`{add} --secret-stdin` or "
                       "`--certificate PATH`), or set 'Allow public client flows' to Yes on the app registration.")
    if 7000215 in codes:
        return Finding("app_kind", "fail", f"app {profile.app_id} refused the profile's client secret (AADSTS7000215)",
                       f"Store the secret's Value (not its Secret ID) and check it has not expired: "
                       f"`{add} --secret-stdin`.")
    if 700027 in codes or 50012 in codes:
        return Finding("app_kind", "fail",
                       f"app {profile.app_id} refused the profile's certificate (AADSTS{codes[0]})",
                       f"Upload the certificate's public part to the app registration, or store the one that is "
                       f"registered: `{add} --certificate PATH`.")
    if 700016 in codes:
        return Finding("app_kind", "fail",
                       f"application {profile.app_id} does not exist in tenant {profile.tenant} (AADSTS700016)",
                       "Copy the Application (client) ID from the app registration's overview into the profile, "
                       "and check the tenant.")
    if error == "invalid_client" or error == "unauthorized_client":
        return Finding("app_kind", "fail", f"the authority refused the client: {said}",
                       f"Check the app registration and the profile's credential (`{add} ...`).")
    if error in _PROBE_REFUSED_TOKEN or "access_token" in result:
        return Finding("app_kind", "ok", f"{kind} accepted by the authority")
    return Finding("app_kind", "warn", f"the probe got an unexpected answer: {said or 'nothing'}",
                   "Run doctor again; if it persists, run `sam-bridge --verbose token` to see the exchange.")


# ------------------------------------------------------------------------------------------------
# loopback port
# ------------------------------------------------------------------------------------------------


def _check_loopback(profile: Profile) -> Finding:
    from .consent import LoopbackUnavailable, listen_on_localhost

    port = profile.redirect_port
    try:  # both addresses localhost names, as consent binds them
        servers = listen_on_localhost(port)
    except LoopbackUnavailable as exc:
        return Finding("loopback_port", "fail",
                       f"localhost port {port} cannot receive the browser sign-in redirect ({exc.reason})",
                       f"Stop the program holding port {port}, or set another redirect_port in the profile "
                       f"(0 = any free port): `sam-bridge profile add {profile.name} ... --redirect-port 0`.")
    bound = servers[0].server_address[1]
    for server in servers:
        server.server_close()
    if port == 0:
        return Finding("loopback_port", "ok", f"the browser sign-in redirect can listen on localhost (any free port, e.g. {bound})")
    return Finding("loopback_port", "ok", f"the browser sign-in redirect can listen on localhost:{port}")


# ------------------------------------------------------------------------------------------------
# refresh token and MFA
# ------------------------------------------------------------------------------------------------

def _check_refresh_token(profile: Profile, store: SecretStore, warn_days: float,
                         unconfirmed: str | None = None) -> Generator[Finding, None, bool]:
    """The refresh_token and mfa findings from the token's local record (what `status` reads);
    returns whether a refresh token is stored at all. `unconfirmed`: why Entra was not asked."""
    from .exchange import status

    consent = f"Run `sam-bridge consent --profile {profile.name}`"
    try:
        st = status(profile, store, warn_days=warn_days)
    except SamBridgeError as exc:
        yield Finding("refresh_token", "fail", exc.message,
                      exc.remediation or f"Repair the store's entry, or run `sam-bridge consent --profile {profile.name}` to replace it.")
        yield Finding("mfa", "skip", "the refresh token could not be read", "Fix the refresh token first.")
        return False
    if not st.present:
        yield Finding("refresh_token", "fail", "no refresh token is stored",
                      f"{consent} (or import one: `sam-bridge refresh-token import --profile {profile.name}`).")
        yield Finding("mfa", "skip", "no refresh token", "Consent first.")
        return False
    data = st.to_dict()
    expires = data["expires_at"]
    unasked = f" (not confirmed with Entra: {unconfirmed})" if unconfirmed else ""
    if st.state == "refused":
        yield Finding("refresh_token", "fail",
                      f"Entra refused the last exchange ({data['refusal_code']}, {data['refused_at']}, tenant "
                      f"{data['refusal_tenant']}): {data['refusal_message']}",
                      data["refusal_remediation"] or f"{consent}.")
    elif st.days_left is None:
        yield Finding("refresh_token", "warn",
                      "the refresh token's issue time is not recorded, so its 90-day inactivity deadline is unknown",
                      f"Run `sam-bridge keepalive --profile {profile.name}` to redeem it once and record the time.")
    elif st.state == "expired":
        yield Finding("refresh_token", "fail",
                      f"the refresh token expired from inactivity on {expires} ({REFRESH_TOKEN_INACTIVITY_DAYS} days "
                      f"after it was last issued, {data['issued_at']})",
                      f"{consent}, then schedule `sam-bridge keepalive --profile {profile.name}` weekly.")
    elif st.state == "warning":
        yield Finding("refresh_token", "warn",
                      f"{st.days_left:.1f} days left: the refresh token expires from inactivity on {expires}",
                      f"Run `sam-bridge keepalive --profile {profile.name}` now, and schedule it weekly.")
    else:
        yield Finding("refresh_token", "warn" if unconfirmed else "ok",
                      f"{st.days_left:.1f} days left before {REFRESH_TOKEN_INACTIVITY_DAYS} days of inactivity "
                      f"(expires {expires} unless used){unasked}",
                      "Fix the check named above, then run doctor again." if unconfirmed else None)
    yield _mfa_from_record(profile, st)
    return True


def _mfa_from_record(profile: Profile, st: Any) -> Finding:
    """The mfa finding from what the consent recorded."""
    consent = f"Run `sam-bridge consent --profile {profile.name}`"
    who = st.user or "the consenting user"
    if st.mfa is True:
        return Finding("mfa", "ok", f"the consent of {who} satisfied MFA (amr includes mfa)")
    if st.mfa is False:
        return Finding("mfa", "fail",
                       f"the consent of {who} did not satisfy MFA; Partner Center will refuse its tokens (HTTP 401, "
                       f"error {PARTNER_CENTER_MFA_CODE}) and MFA-protected resources too (AADSTS50076)",
                       mfa_claim_remediation(profile.name))
    return Finding("mfa", "warn", "unknown: the refresh token was imported, so its sign-in is not recorded",
                   f"{consent} to record an MFA-backed consent.")


def refusal_finding(profile: Profile, exc: AuthenticationError) -> Finding:
    """The refresh_token finding for Entra's refusal to redeem it: its code, its words, its fix."""
    code = f"AADSTS{exc.code}" if exc.code else exc.error
    return Finding("refresh_token", "fail", f"Entra refused to redeem the refresh token ({code}): {exc.message}",
                   exc.remediation or f"Run `sam-bridge consent --profile {profile.name}`.")


def _ask_entra(profile: Profile, store: SecretStore, warn_days: float
               ) -> Generator[Finding, None, tuple[bool, SamBridgeError | None]]:
    """Redeem the stored refresh token once and report Entra's verdict (the rotation is stored, as
    by every exchange). Returns (a token is stored, the error Entra or the store gave, if any)."""
    from .exchange import obtain_token, read_refresh_token, status

    try:
        read_refresh_token(profile, store)
    except SamBridgeError:  # missing or unreadable: the local check says which, and how to fix it
        return (yield from _check_refresh_token(profile, store, warn_days)), None
    try:
        token = obtain_token(profile, store, profile.scopes, force_refresh=True, check_mfa=False)  # reported below
    except AuthenticationError as exc:
        yield refusal_finding(profile, exc)
        st = status(profile, store, warn_days=warn_days)
        yield _mfa_from_record(profile, st)
        return True, exc
    except SamBridgeError as exc:
        yield Finding("refresh_token", "fail", f"the refresh token could not be redeemed: {exc.message}",
                      exc.remediation or "Run doctor again; if it persists, check the network path to the authority.")
        yield Finding("mfa", "skip", "the refresh token could not be redeemed", "Fix the refresh token first.")
        return True, exc
    st = status(profile, store, warn_days=warn_days)
    yield Finding("refresh_token", "ok",
                  f"Entra redeemed it now ({token.audience or profile.scopes[0]}); the rotated token has "
                  f"{st.days_left or 0:.1f} days left before {REFRESH_TOKEN_INACTIVITY_DAYS} days of inactivity")
    amr = token.claims.get("amr")
    who = st.user or "the consenting user"
    if not isinstance(amr, list):
        yield _mfa_from_record(profile, st)
    elif not lacks_mfa(token.claims):
        yield Finding("mfa", "ok", f"the access token Entra issued now for {who} satisfies MFA (amr: {', '.join(map(str, amr))})")
    else:
        yield Finding("mfa", "fail",
                      f"the access token Entra issued now for {who} does not satisfy MFA "
                      f"(amr: {', '.join(map(str, amr)) or 'none'}); Partner Center will refuse it (HTTP 401, error "
                      f"{PARTNER_CENTER_MFA_CODE}) and MFA-protected resources too (AADSTS50076)",
                      mfa_claim_remediation(profile.name))
    return True, None


# ------------------------------------------------------------------------------------------------
# customer tenants
# ------------------------------------------------------------------------------------------------

# Errors about the refresh token or the client itself: every other tenant would answer the same.
_SAME_EVERYWHERE = (RefreshTokenExpiredError, RefreshTokenRevokedError, InvalidRefreshTokenError, ClientCredentialError)


def _check_customers(profile: Profile, store: SecretStore, targets: list[str],
                     scopes: tuple[str, ...]) -> Iterator[Finding]:
    """One real exchange per customer tenant (never a cached access token): permitted, or refused
    with Entra's code and a fix."""
    from .exchange import obtain_token

    for index, tenant in enumerate(targets):
        check = f"customer:{tenant}"
        try:
            token = obtain_token(profile, store, scopes, tenant, force_refresh=True, check_mfa=False)
        except AuthenticationError as exc:
            yield Finding(check, "fail", exc.message, exc.remediation or "See the message; then run doctor again.")
            if isinstance(exc, _SAME_EVERYWHERE):
                rest = (f"customer:{t}" for t in targets[index + 1:])
                what = "client credential" if isinstance(exc, ClientCredentialError) else "refresh token"
                yield from _skip(rest, f"the {what} itself was refused", f"Fix the {what} first.")
                return
        except SamBridgeError as exc:
            yield Finding(check, "fail", exc.message, exc.remediation or "See the message; then run doctor again.")
            if exc.exit_code == 3:  # nothing to exchange with: the rest would say the same
                rest = (f"customer:{t}" for t in targets[index + 1:])
                yield from _skip(rest, "nothing to exchange", "Fix the refresh token first.")
                return
        else:
            audience = token.audience or scopes[0]
            amr = token.claims.get("amr")
            said = f"; amr: {', '.join(map(str, amr)) or 'none'}" if isinstance(amr, list) else ""
            if lacks_mfa(token.claims):  # every token doctor mints is checked for the MFA claim
                yield Finding(check, "warn", f"exchange permitted ({audience} in tenant {token.tenant_id}{said}), but "
                              f"the token has no MFA claim: Partner Center refuses such tokens (HTTP 401, error "
                              f"{PARTNER_CENTER_MFA_CODE})", mfa_claim_remediation(profile.name))
            else:
                yield Finding(check, "ok", f"exchange permitted ({audience} in tenant {token.tenant_id}{said})")


def render(findings: Iterable[Finding], write: Callable[[str], None]) -> None:
    """One line per finding: its status, check, what was seen, and the fix for anything not ok."""
    marks = {"ok": "[ ok ]", "warn": "[warn]", "fail": "[FAIL]", "skip": "[skip]"}
    for f in findings:
        line = f"{marks[f.status]} {f.check}: {f.detail}"
        if f.fix and f.status != "ok":
            line += f" -- fix: {f.fix}"
        write(line)
