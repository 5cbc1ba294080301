"""`sam-bridge doctor`: diagnose a profile before a job meets a cryptic AADSTS error.

Each check yields one Finding (status ok | warn | fail | skip, what was seen, how to fix it). Checks
run in order and later ones are skipped when what they need failed (no config, no store...).
"""
from __future__ import annotations

import email.utils
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator

from ._config import Profile
from ._constants import DEFAULT_WARN_DAYS, GRAPH_RESOURCE
from ._errors import AuthenticationError, SamBridgeError
from ._stores import SecretStore

MAX_CLOCK_SKEW_SECONDS = 300
# A refresh token no one issued: redeeming it shows how the authority judges our client
# credential without spending the real token (client authentication is checked first).
_PROBE_TOKEN = "sam-bridge-doctor-probe"


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
) -> list[Finding]:
    return list(_run(profile_name, config, tenants, tuple(customer_scopes), warn_days))


def _run(profile_name, config, tenants, customer_scopes, warn_days) -> Iterator[Finding]:  # type: ignore[no-untyped-def]
    from ._api import load_profile, store_for

    try:
        profile = load_profile(profile_name, config=config)
    except SamBridgeError as exc:
        yield Finding("config", "fail", exc.message, exc.remediation or "Fix the config file or create the profile with `sam-bridge profile add`.")
        return
    yield Finding("config", "ok", f"profile {profile.name!r}: app {profile.app_id}, tenant {profile.tenant}, authority {profile.authority_host}")

    store = store_for(profile)
    try:
        store.check()
        yield Finding("store", "ok", f"{store.uri} is usable")
    except SamBridgeError as exc:
        yield Finding("store", "fail", exc.message, "Use a store that works on this machine (--store).")
        store = None  # type: ignore[assignment]

    discovery = _check_discovery(profile)
    yield from discovery
    authority_ok = all(f.status != "fail" for f in discovery)

    yield _check_credential(profile, store, authority_ok)
    yield _check_loopback(profile)

    if store is None:
        for check in ("refresh_token", "mfa", "customer_tenants"):
            yield Finding(check, "skip", "the store is not usable")
        return
    yield from _check_refresh_token(profile, store, warn_days)
    yield from _check_customers(profile, store, tenants, customer_scopes, authority_ok)


def _check_discovery(profile: Profile) -> list[Finding]:
    from ._client import http_session

    url = f"{profile.authority()}/v2.0/.well-known/openid-configuration"
    try:
        response = http_session(profile).get(url)
    except Exception as exc:
        from ._client import _transport_error

        err = _transport_error(exc, "read the discovery document", profile.authority())
        return [Finding("authority", "fail", err.message, "Check the authority host, the network and --ca-bundle.")]
    findings = []
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        description = body.get("error_description", "").split("\r\n")[0] if isinstance(body, dict) else f"HTTP {response.status_code}"
        return [Finding("authority", "fail", f"the discovery document of {profile.authority()} is not available: {description}",
                        "Check the tenant id or domain and that the authority host is the right cloud.")]
    missing = [k for k in ("authorization_endpoint", "token_endpoint", "device_authorization_endpoint") if not body.get(k)]
    if missing:
        findings.append(Finding("authority", "fail", f"the discovery document lacks {', '.join(missing)}", "The authority is not an Entra ID v2.0 endpoint."))
    else:
        findings.append(Finding("authority", "ok", f"discovery document of {profile.authority()} is valid"))
    date = response.headers.get("Date")
    server_time = email.utils.parsedate_to_datetime(date) if date else None
    if server_time is None:
        findings.append(Finding("clock", "skip", "the authority sent no Date header"))
    else:
        skew = (datetime.now(timezone.utc) - server_time).total_seconds()
        if abs(skew) > MAX_CLOCK_SKEW_SECONDS:
            findings.append(Finding("clock", "fail", f"this machine's clock is {skew:+.0f} s off the authority's",
                                    "Synchronise the clock (NTP): certificate assertions and token expiry depend on it."))
        else:
            findings.append(Finding("clock", "ok", f"clock skew {skew:+.0f} s"))
    return findings


def _check_credential(profile: Profile, store: SecretStore | None, authority_ok: bool) -> Finding:
    from ._client import build_app, client_credential

    kind = "public client (no credential)" if profile.is_public_client else f"confidential client ({profile.credential})"
    if not authority_ok:
        return Finding("app_kind", "skip", f"{kind}: the authority is not reachable")
    try:
        credential = client_credential(profile, store) if store is not None else None
    except SamBridgeError as exc:
        return Finding("app_kind", "fail", exc.message, exc.remediation)
    try:
        app = build_app(profile, credential)
        result = app.acquire_token_by_refresh_token(_PROBE_TOKEN, [f"{GRAPH_RESOURCE}/.default"])
    except SamBridgeError as exc:
        return Finding("app_kind", "fail", exc.message, exc.remediation)
    except Exception as exc:
        return Finding("app_kind", "fail", f"probing the token endpoint failed ({type(exc).__name__})")
    codes = tuple(result.get("error_codes") or ()) if isinstance(result, dict) else ()
    if 700025 in codes:
        return Finding("app_kind", "fail", f"the profile sends a {profile.credential}, but the app is a public client",
                       f"Re-create the profile with --public-client: `sam-bridge profile add {profile.name} --app-id {profile.app_id} --tenant {profile.tenant} --public-client`.")
    if 7000218 in codes:
        return Finding("app_kind", "fail", "the app is a confidential client, but the profile has no credential",
                       "Add --secret-stdin or --certificate to the profile, or enable 'Allow public client flows' on the app registration.")
    if 7000215 in codes or 700027 in codes or 50012 in codes:
        return Finding("app_kind", "fail", f"the app refused the profile's {profile.credential}",
                       "Store the current secret value or register the certificate on the app registration.")
    if 700016 in codes:
        return Finding("app_kind", "fail", f"application {profile.app_id} does not exist in tenant {profile.tenant}",
                       "Check the application id and tenant of the profile.")
    return Finding("app_kind", "ok", f"{kind} accepted by the authority")


def _check_loopback(profile: Profile) -> Finding:
    port = profile.redirect_port
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as exc:
            return Finding("loopback_port", "fail", f"localhost port {port} cannot be used for the sign-in redirect ({exc.strerror})",
                           "Free the port or set the profile's redirect_port to another (0 = any free port).")
        bound = s.getsockname()[1]
    return Finding("loopback_port", "ok", f"the browser redirect can listen on localhost:{port or bound}" + (" (any free port)" if port == 0 else ""))


def _check_refresh_token(profile: Profile, store: SecretStore, warn_days: float) -> Iterator[Finding]:
    from ._exchange import status

    try:
        st = status(profile, store, warn_days=warn_days)
    except SamBridgeError as exc:
        yield Finding("refresh_token", "fail", exc.message, exc.remediation)
        yield Finding("mfa", "skip", "no readable refresh token")
        return
    consent = f"`sam-bridge consent --profile {profile.name}`"
    if not st.present:
        yield Finding("refresh_token", "fail", f"no refresh token in {store.uri}", f"Run {consent}.")
        yield Finding("mfa", "skip", "no refresh token")
        return
    expires = st.to_dict()["expires_at"]
    if st.state == "expired":
        yield Finding("refresh_token", "fail", f"the refresh token expired from inactivity on {expires}", f"Run {consent}.")
    elif st.state == "warning":
        yield Finding("refresh_token", "warn", f"{st.days_left:.1f} days left before 90 days of inactivity ({expires})",
                      f"Run `sam-bridge keepalive --profile {profile.name}` and schedule it weekly.")
    else:
        yield Finding("refresh_token", "ok", f"{st.days_left:.1f} days left before 90 days of inactivity ({expires})")
    if st.mfa is True:
        yield Finding("mfa", "ok", f"the consent of {st.user or 'the user'} satisfied MFA (amr includes mfa)")
    elif st.mfa is False:
        yield Finding("mfa", "fail", f"the consent of {st.user or 'the user'} did not satisfy MFA; Partner Center will refuse its tokens (AADSTS50076)",
                      f"Run {consent} with an account that completes MFA.")
    else:
        yield Finding("mfa", "warn", "unknown: the refresh token was imported, so its sign-in is not recorded",
                      f"Run {consent} to record an MFA-backed consent.")


def _check_customers(profile: Profile, store: SecretStore, tenants: Iterable[str] | None,
                     scopes: tuple[str, ...], authority_ok: bool) -> Iterator[Finding]:
    from ._exchange import exchange

    targets = list(tenants) if tenants is not None else list(profile.customers)
    if not targets:
        yield Finding("customer_tenants", "skip", "no customer tenants configured (profile customers or --tenant)")
        return
    if not authority_ok:
        yield Finding("customer_tenants", "skip", "the authority is not reachable")
        return
    for tenant in targets:
        check = f"customer:{tenant}"
        try:
            token = exchange(profile, store, scopes, tenant)
            yield Finding(check, "ok", f"exchange permitted ({token.audience or scopes[0]} in {token.tenant_id})")
        except AuthenticationError as exc:
            yield Finding(check, "fail", exc.message, exc.remediation)
        except SamBridgeError as exc:
            yield Finding(check, "fail", exc.message, exc.remediation)
            if exc.exit_code == 3:  # nothing to exchange with: the rest would say the same
                return


def render(findings: Iterable[Finding], write: Callable[[str], None]) -> None:
    marks = {"ok": "[ ok ]", "warn": "[warn]", "fail": "[FAIL]", "skip": "[skip]"}
    for f in findings:
        write(f"{marks[f.status]} {f.check}: {f.detail}")
        if f.fix and f.status in ("warn", "fail"):
            write(f"       fix: {f.fix}")
