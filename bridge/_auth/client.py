"""The layer that talks to msal: builds applications for a profile and turns msal's results into
values or exceptions. Nothing above this module imports msal.
"""
from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Any, Callable, Mapping

import msal
import requests

from . import aadsts
from .._core import errors as _errors
from .._core.constants import ENTRY_CLIENT_CERTIFICATE, ENTRY_CLIENT_SECRET, ENV_CLIENT_SECRET
from .._core.errors import NotAvailableError, ServiceError, ThrottledError
from .http import (
    BridgeSession,
    RedirectRefused,
    ResponseNotJson,
    ResponseTooLarge,
    ResponseTruncated,
    build_session,
    policy_from_environment,
)
from .._core.scrub import remember
from .._core.validate import check_authority_host, http_loopback_allowed

if TYPE_CHECKING:  # annotations only: a profile and a store are passed in from the layers above
    from .._config import Profile
    from .._stores import SecretStore

log = logging.getLogger("bridge.client")

_sessions: dict[tuple[Any, ...], BridgeSession] = {}
_sessions_lock = threading.Lock()


def http_session(profile: Profile) -> BridgeSession:
    """One pooled session per trust configuration, shared by every app this process builds.

    It is a JSON-API session: msal only ever gets JSON from it (see bridge._auth.http), so a throttled,
    HTML or cut-off answer becomes one of the errors below instead of msal's logged traceback.
    """
    check_authority_host(profile.authority_host, profile.custom_authority)
    policy = policy_from_environment()
    key = (profile.ca_bundle, http_loopback_allowed(), policy)
    with _sessions_lock:
        session = _sessions.get(key)
        if session is None:
            session = _sessions[key] = build_session(
                profile.ca_bundle, allow_http_loopback=key[1], policy=policy, json_api=True
            )
        return session


def close_sessions() -> None:
    """Close the pooled sessions (their kept-alive sockets), as a command line does before it exits:
    sockets left to the interpreter's shutdown are reported as a ResourceWarning on stderr."""
    with _sessions_lock:
        pooled = list(_sessions.values())
        _sessions.clear()
    for session in pooled:
        session.close()


def entry(profile: Profile, name: str) -> str:
    return f"{profile.name}/{name}"


def client_credential(profile: Profile, store: SecretStore) -> Any:
    """What msal needs as `client_credential`: None, a secret, or a certificate dict."""
    if profile.credential == "none":
        return None
    if profile.credential == "secret":
        secret = os.environ.get(ENV_CLIENT_SECRET)
        if not secret:
            stored = store.get(entry(profile, ENTRY_CLIENT_SECRET))
            secret = stored.value if stored else None
        if not secret:
            raise NotAvailableError(
                f"profile {profile.name!r} is a confidential client but no client secret is stored. "
                f"Store it with `sam-bridge profile add {profile.name} ... --secret-stdin` "
                f"or set {ENV_CLIENT_SECRET}."
            )
        remember(secret)
        return secret
    from .certs import ClientCertificate

    stored = store.get(entry(profile, ENTRY_CLIENT_CERTIFICATE))
    if not stored:
        raise NotAvailableError(
            f"profile {profile.name!r} uses a certificate but none is stored. "
            f"Add it with `sam-bridge profile add {profile.name} ... --certificate PATH`."
        )
    cert = ClientCertificate.from_store_value(stored.value)
    remember(cert.private_key_pem)
    return cert.msal_credential()


class _DiscardingTokenCache(msal.TokenCache):
    """msal's token cache, minus the filing: every app sam-bridge builds is thrown away after one
    call, so nothing msal files is ever read. Skipping it also skips msal's add(), which renders the
    whole token event as indented JSON for a debug log line whether or not debug logging is on: the
    largest cost of an exchange on the client after the HTTP request itself."""

    def add(self, event: Any, now: Any = None) -> None:
        return None


def build_app(profile: Profile, credential: Any, tenant: str | None = None) -> msal.ClientApplication:
    """An msal application bound to one tenant's authority, with a token cache that keeps nothing.

    sam-bridge never relies on msal's cache: the refresh token is read from and written to the
    profile's store around every call.
    """
    kwargs: dict[str, Any] = dict(
        authority=profile.authority(tenant),
        http_client=http_session(profile),
        instance_discovery=False,
        token_cache=_DiscardingTokenCache(),
    )
    facts = {"tenant": tenant or profile.tenant, "app_id": profile.app_id, "profile": profile.name}
    try:
        if credential is None:
            return msal.PublicClientApplication(profile.app_id, **kwargs)
        return msal.ConfidentialClientApplication(profile.app_id, client_credential=credential, **kwargs)
    except ValueError as exc:
        if "authority configuration" in str(exc):
            raise _discovery_error(profile, tenant or profile.tenant) from None
        raise ServiceError(f"msal refused the authority {kwargs['authority']}: {exc}") from None
    except Exception as exc:
        raise _transport_error(exc, "discover the authority", profile.authority(tenant)) from None


def _discovery_error(profile: Profile, tenant: str) -> Exception:
    """msal hides the discovery error body; fetch it once to report Entra's own words (e.g. 90002)."""
    url = f"{profile.authority(tenant)}/v2.0/.well-known/openid-configuration"
    try:
        body = http_session(profile).get(url).json()
    except Exception:
        body = None
    if isinstance(body, dict) and body.get("error"):
        return aadsts.from_response(body, tenant=tenant, app_id=profile.app_id, profile=profile.name)
    return ServiceError(f"the authority {profile.authority(tenant)} did not return a usable OpenID configuration.")


def _transport_error(exc: BaseException, doing: str, where: str) -> _errors.SamBridgeError:
    """The sam-bridge error for what the transport (or msal parsing an answer) raised.

    Every message says what was being done and that nothing was stored; none quotes the answer's
    body, which may hold a token.
    """
    if isinstance(exc, _errors.SamBridgeError):
        return exc
    if isinstance(exc, RedirectRefused):
        return ServiceError(
            f"{where} answered with a redirect to {exc.target} while trying to {doing}; it was not followed, "
            "nothing was sent there and nothing was stored.",
            remediation="Entra never redirects a token request: check the profile's --authority-host and any "
            "proxy in front of it.",
        )
    if isinstance(exc, ResponseTooLarge):
        return ServiceError(f"{where} sent an oversized response while trying to {doing}; nothing was stored.")
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        status = exc.response.status_code
        retry_after = exc.response.headers.get("Retry-After")
        if status == 429 or (status == 503 and retry_after):
            wait = f", Retry-After: {retry_after} s" if retry_after else ""
            return ThrottledError(
                f"{where} kept throttling (HTTP {status}{wait}) while trying to {doing}; "
                "the retry budget is spent and nothing was stored.",
                retry_after=_seconds(retry_after) if retry_after else None,
                remediation=(f"Wait {retry_after} s and retry" if retry_after else "Wait a minute and retry")
                + ", or lower the batch concurrency. SAM_BRIDGE_HTTP_RETRY_BUDGET sets how long to keep retrying.",
            )
        return ServiceError(f"{where} answered HTTP {status} while trying to {doing}; nothing was stored. Try again later.")
    if isinstance(exc, ResponseNotJson):
        status = exc.response.status_code if exc.response is not None else 0
        if exc.is_html:
            return ServiceError(
                f"{where} answered with an HTML page (HTTP {status}) instead of JSON while trying to {doing}; "
                "nothing was stored.",
                remediation="A proxy, captive portal or firewall may be answering for the authority; "
                "check the network path and the profile's --authority-host.",
            )
        if status >= 500:
            return ServiceError(f"{where} answered HTTP {status} while trying to {doing}; nothing was stored. Try again later.")
        return ServiceError(f"{where} sent a response that is not valid JSON (HTTP {status}) while trying to {doing}; nothing was stored.")
    if isinstance(exc, requests.exceptions.SSLError):
        return ServiceError(
            f"TLS verification of {where} failed while trying to {doing}: the server's certificate is "
            "not trusted. For a private authority, point the profile's --ca-bundle at its CA certificate.",
        )
    if isinstance(exc, requests.ConnectTimeout):
        return ServiceError(f"could not connect to {where} in time to {doing}.")
    if isinstance(exc, requests.Timeout):
        return ServiceError(
            f"{where} did not answer in time while trying to {doing}; it was not asked again, and nothing was stored.",
            remediation="Retry later; SAM_BRIDGE_HTTP_TIMEOUT sets how many seconds to wait.",
        )
    if isinstance(exc, ResponseTruncated):
        return ServiceError(f"the response from {where} was cut off while trying to {doing}; nothing was stored.")
    if isinstance(exc, requests.ConnectionError):
        text = str(exc)
        if "reset" in text.lower() or "aborted" in text.lower() or "RemoteDisconnected" in text:
            return ServiceError(f"{where} closed the connection before answering while trying to {doing}; nothing was stored.")
        return ServiceError(f"could not connect to {where} to {doing}.")
    if isinstance(exc, requests.RequestException):
        return ServiceError(f"the request to {where} failed while trying to {doing} ({type(exc).__name__}); nothing was stored.")
    # msal parsing JSON whose fields have the wrong types or are missing (a hostile or broken server).
    return ServiceError(
        f"{where} sent a malformed response (fields missing or of the wrong type) while trying to {doing}; "
        "nothing was stored."
    )


def _seconds(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def call(
    fn: Callable[..., Any],
    *args: Any,
    doing: str,
    where: str,
    facts: Mapping[str, Any],
    expect_access_token: bool = True,
    **kwargs: Any,
) -> dict[str, Any]:
    """Run one msal call; return its result dict, or raise the matching sam-bridge error."""
    try:
        result = fn(*args, **kwargs)
    except Exception as exc:
        raise _transport_error(exc, doing, where) from None
    if not isinstance(result, dict):
        raise ServiceError(f"{where} gave no usable answer while trying to {doing}.")
    if "error" in result:
        raise aadsts.from_response(result, **facts)
    if expect_access_token:
        validate_token_response(result, where)
    for key in ("access_token", "refresh_token", "id_token"):
        if isinstance(result.get(key), str):
            remember(result[key])
    return result


def validate_token_response(result: Mapping[str, Any], where: str) -> None:
    """Refuse token responses with missing, wrongly typed or absurd fields before anything is stored."""
    # In printable ASCII the only whitespace is the space (tab, newline, CR, VT, FF are control
    # characters), so `" " in token` after isascii() and isprintable() is the whole whitespace test,
    # in C: a per-character loop in Python cost more than the rest of the exchange's own code.
    problems = []
    access_token = result.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        problems.append("no access_token")
    elif not access_token.isascii() or not access_token.isprintable() or " " in access_token:
        problems.append("access_token has spaces or control characters")  # it is printed to terminals
    if "refresh_token" in result:
        token = result["refresh_token"]
        if not (isinstance(token, str) and token):
            problems.append("refresh_token is not text")
        elif (len(token) > MAX_REFRESH_TOKEN_CHARS or not token.isascii() or not token.isprintable()
              or " " in token):
            # The rotated token replaces the stored one: a value no later request could carry must
            # never overwrite a good token (the old one stays valid at Entra).
            problems.append("refresh_token is not a token (too long, spaces or control characters)")
    expires_in = result.get("expires_in")
    try:
        if isinstance(expires_in, bool) or not 0 < int(expires_in) <= MAX_EXPIRES_IN:  # type: ignore[arg-type]
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        problems.append(f"expires_in is not a number of seconds from 1 to {MAX_EXPIRES_IN}")
    if "scope" in result and not isinstance(result["scope"], str):
        problems.append("scope is not text")
    if problems:
        raise ServiceError(f"{where} sent a malformed token response ({'; '.join(problems)}); nothing was stored.")


# Entra's access tokens live 60-90 minutes (up to a day with a token lifetime policy); a year is
# a generous bound that still keeps `now + expires_in` a valid date. Refresh tokens are a few KB.
MAX_EXPIRES_IN = 366 * 24 * 3600
MAX_REFRESH_TOKEN_CHARS = 16384
