"""The HTTP transport every network path uses: pinned CA trust, timeouts, bounded retries, size caps.

msal, the Key Vault client and the emulator client all get a session from `build_session`, so the
rules below hold everywhere:

* A custom CA bundle is trusted whatever REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE say (requests lets those
  variables override `Session.verify`; this session does not).
* Loopback traffic never goes through a proxy from the environment.
* Retries use urllib3's own `Retry`, with capped, jittered backoff, Retry-After honoured on 429/503,
  and a total time budget. A POST is retried only when the server said it did not process it
  (429/503) or the connection was never made: a token request is never replayed after the server
  may have acted on it.
* Responses are capped in size, so a hostile endpoint cannot exhaust memory.
* No redirect is ever followed: a token request carries a refresh token or a client credential,
  and Entra never redirects one (requests' own redirect handling would re-send the body elsewhere,
  over plain http too). A JSON API session raises `RedirectRefused` for a 3xx answer, naming where
  it pointed; any other session hands the 3xx answer to its caller as it is.
* A session for a JSON API (`json_api=True`: the authority and Partner Center) hands its caller
  only JSON: a final 429/503 raises `Throttled` (carrying Retry-After), any other body that is not
  JSON raises `ResponseNotJson`. msal therefore never sees (nor logs, with a traceback) a body it
  cannot parse, which could hold the start of a token.
"""
from __future__ import annotations

import contextlib
import logging
import random
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.sessions import merge_setting
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import MaxRetryError, ResponseError, SSLError
from urllib3.util.retry import Retry

from .._core.errors import InvalidInputError
from .._core.validate import is_loopback

log = logging.getLogger("bridge.http")

MAX_RESPONSE_BYTES = 1024 * 1024
_DISCOVERY_TTL = 3600.0


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, backoff, the total time budget, and socket timeouts."""

    attempts: int = 4
    backoff_factor: float = 0.5
    backoff_max: float = 8.0
    budget_seconds: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


DEFAULT_POLICY = RetryPolicy()


class _BudgetRetry(Retry):
    """urllib3 Retry with jitter, a wall-clock budget, and POST retried only when it is safe."""

    _SAFE_POST_STATUSES = frozenset({429, 503})

    def __init__(self, *args: Any, deadline: float | None = None, backoff_cap: float = 8.0, **kw: Any):
        super().__init__(*args, **kw)
        self.deadline = deadline
        self.backoff_cap = backoff_cap

    def new(self, **kw: Any) -> "_BudgetRetry":
        kw.setdefault("deadline", self.deadline)
        kw.setdefault("backoff_cap", self.backoff_cap)
        return super().new(**kw)

    def _remaining(self) -> float:
        return float("inf") if self.deadline is None else self.deadline - time.monotonic()

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST":
            retryable = status_code in self._SAFE_POST_STATUSES
        else:
            retryable = super().is_retry(method, status_code, has_retry_after)
        return bool(retryable) and self._remaining() > 0

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        if value is None:
            return None
        # Never sleep past the budget; the next is_retry sees the budget spent and stops.
        return max(0.0, min(value, self._remaining()))

    def get_backoff_time(self) -> float:
        base = super().get_backoff_time()
        if base <= 0:
            base = self.backoff_factor if self.history else 0.0
        jittered = min(self.backoff_cap, base) * random.uniform(0.5, 1.0)
        return max(0.0, min(jittered, self._remaining()))

    def increment(self, method: Any = None, url: Any = None, response: Any = None, error: Any = None,
                  _pool: Any = None, _stacktrace: Any = None) -> "_BudgetRetry":
        # A certificate the client does not trust stays untrusted: retrying only delays the answer.
        if error is not None and isinstance(error, SSLError):
            raise error
        # A POST whose connection was made may have been acted on (a refresh token redeemed): only a
        # failure to connect is retried. urllib3 would otherwise retry "other" errors for any method.
        if error is not None and str(method).upper() == "POST" and not self._is_connection_error(error):
            raise error
        # A Retry-After beyond what is left of the budget cannot be honoured: answer now (the caller
        # raises Throttled naming it) instead of sleeping the budget away and failing anyway.
        if response is not None and error is None:
            wait = super().get_retry_after(response)
            if wait is not None and wait > self._remaining():
                raise MaxRetryError(_pool, url, ResponseError(f"Retry-After {wait:.0f} s exceeds the retry budget"))
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def is_exhausted(self) -> bool:
        return super().is_exhausted() or self._remaining() <= 0


class _Adapter(HTTPAdapter):
    """Adapter that gives each request a fresh retry budget."""

    def __init__(self, policy: RetryPolicy, pool_size: int) -> None:
        self.policy = policy
        super().__init__(pool_connections=4, pool_maxsize=pool_size, max_retries=self._retry())

    def _retry(self) -> _BudgetRetry:
        p = self.policy
        return _BudgetRetry(
            total=p.attempts,
            connect=p.attempts,
            read=p.attempts,
            status=p.attempts,
            other=p.attempts,
            redirect=0,
            allowed_methods=frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}),
            status_forcelist=frozenset({429, 500, 502, 503, 504}),
            backoff_factor=p.backoff_factor,
            backoff_cap=p.backoff_max,
            raise_on_status=False,
            raise_on_redirect=False,
            respect_retry_after_header=True,
            deadline=time.monotonic() + p.budget_seconds,
        )

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.max_retries = self._retry()
        return super().send(request, **kwargs)


class ResponseTooLarge(requests.RequestException):
    """The server sent more than MAX_RESPONSE_BYTES."""


class ResponseTruncated(requests.ConnectionError):
    """The connection closed before the whole response arrived."""


class Throttled(requests.HTTPError):
    """A JSON API still answered 429 or 503 when the retries and their budget were spent."""

    @property
    def retry_after(self) -> str | None:
        return self.response.headers.get("Retry-After") if self.response is not None else None


class RedirectRefused(requests.RequestException):
    """The server answered with a redirect, which is never followed (see the module docstring)."""

    def __init__(self, message: str, *, target: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.target = target


class ResponseNotJson(requests.RequestException):
    """A JSON API answered with something else (an HTML page, plain text, cut-off JSON).

    The message names the status, content type and size, never the body: it may hold a token.
    """

    @property
    def is_html(self) -> bool:
        kind = (self.response.headers.get("Content-Type") or "") if self.response is not None else ""
        body = (self.response.content or b"")[:64].lstrip().lower() if self.response is not None else b""
        return "html" in kind.lower() or body.startswith((b"<!doctype html", b"<html"))


def _json_or_none(body: bytes) -> Any:
    import json

    try:
        return json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: hostile nesting
        return _NOT_JSON


_NOT_JSON = object()


class BridgeSession(requests.Session):
    """A requests session with pinned trust, default timeouts, size caps and request-flow logging."""

    def __init__(
        self,
        *,
        ca_bundle: str | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        allow_http_loopback: bool = False,
        pool_size: int = 32,
        json_api: bool = False,
    ) -> None:
        super().__init__()
        self.policy = policy
        self.allow_http_loopback = allow_http_loopback
        self.json_api = json_api
        self._pinned_verify = ca_bundle
        if ca_bundle:
            self.verify = ca_bundle
        adapter = _Adapter(policy, pool_size)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def merge_environment_settings(self, url, proxies, stream, verify, cert):  # type: ignore[override]
        if is_loopback(urlsplit(url).hostname):
            # Loopback never goes through an environment proxy; skipping requests' per-request scan
            # of the proxy variables saves milliseconds a call in batches against a local authority.
            return {"proxies": {}, "stream": stream, "verify": self._pinned_verify or verify or self.verify, "cert": cert or self.cert}
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if self._pinned_verify:
            settings["verify"] = self._pinned_verify
        return settings

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        parts = urlsplit(url)
        if parts.scheme != "https" and not (
            parts.scheme == "http" and self.allow_http_loopback and is_loopback(parts.hostname)
        ):
            raise InvalidInputError(
                f"Refusing to send a request to {parts.scheme}://{parts.netloc}: only https is allowed "
                "(plain http only to a loopback address in explicit test mode)."
            )
        cached = _discovery_cache_get(method, url, kwargs.get("params"))
        if cached is None and getattr(_siblings, "on", False) and method.upper() == "GET" and not kwargs.get("params"):
            cached = _sibling_document(url)
        if cached is not None:
            return cached
        kwargs.setdefault("timeout", (self.policy.connect_timeout, self.policy.read_timeout))
        kwargs["stream"] = True
        kwargs["allow_redirects"] = False  # never followed: see RedirectRefused
        started = time.monotonic()
        try:
            if self.json_api and not args and self._LEAN_ARGUMENTS.issuperset(kwargs):
                response = self._send_lean(method, url, kwargs)
            else:
                response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as exc:
            log.debug("%s %s%s failed after %.0f ms: %s", method, parts.netloc, parts.path,
                      (time.monotonic() - started) * 1000, type(exc).__name__)
            raise
        try:
            body = response.raw.read(MAX_RESPONSE_BYTES + 1, decode_content=True)
            # urllib3 1.x returns a short body silently when the connection drops mid-response.
            short = bool(getattr(response.raw, "length_remaining", None)) and len(body) <= MAX_RESPONSE_BYTES
        except Exception as exc:  # reset mid-body
            raise ResponseTruncated(f"the response from {parts.netloc} was cut off ({type(exc).__name__})") from exc
        finally:
            response.close()
        if short:
            raise ResponseTruncated(f"the response from {parts.netloc} was cut off before its Content-Length")
        if len(body) > MAX_RESPONSE_BYTES:
            raise ResponseTooLarge(f"response from {parts.netloc}{parts.path} exceeds {MAX_RESPONSE_BYTES} bytes")
        response._content = body  # type: ignore[attr-defined]
        response._content_consumed = True  # type: ignore[attr-defined]
        log.debug("%s %s%s -> %s (%.0f ms)", method, parts.netloc, parts.path, response.status_code,
                  (time.monotonic() - started) * 1000)
        if response.is_redirect and self.json_api:
            target = urlsplit(response.headers.get("Location") or "")
            where_to = f"{target.scheme}://{target.netloc}" if target.netloc else "a relative location"
            log.debug("%s %s%s answered HTTP %s redirecting to %s: not followed", method, parts.netloc, parts.path,
                        response.status_code, where_to)
            raise RedirectRefused(
                f"{parts.netloc} answered HTTP {response.status_code} redirecting to {where_to}; "
                "the redirect was not followed", target=where_to, response=response,
            )
        if self.json_api:
            self._check_json_api(response, parts.netloc)
        _discovery_cache_put(method, url, kwargs.get("params"), response)
        return response

    # A JSON API session (the authority, Partner Center) sends through its adapter directly: the same
    # urllib3 pool, the same Retry (_BudgetRetry) and the same translation of urllib3's exceptions
    # into requests' as requests' own Session.request, without what that adds to every request and
    # a JSON API never uses: merging the session's cookies and (with trust_env) ~/.netrc credentials
    # into the request, and filing the response's cookies. msal authenticates with its own
    # credential, and Entra's cookies serve browsers (MSAL.NET keeps none either). That is a third of
    # the client's CPU per token request, which is what bounds a batch across 1,000 tenants.
    # Anything else (files, auth, cookies,
    # proxies arguments) takes requests' full path. Redirects are never followed (`request` refuses them).
    _LEAN_ARGUMENTS = frozenset({"params", "data", "json", "headers", "timeout", "stream", "allow_redirects", "verify", "cert"})

    def _send_lean(self, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        prepared = requests.PreparedRequest()
        prepared.prepare_method(method)
        prepared.prepare_url(url, kwargs.get("params"))
        prepared.prepare_headers(merge_setting(kwargs.get("headers"), self.headers, dict_class=CaseInsensitiveDict))
        prepared.prepare_body(kwargs.get("data"), None, kwargs.get("json"))
        prepared.prepare_hooks(None)
        settings = self.merge_environment_settings(prepared.url, {}, True, kwargs.get("verify"), kwargs.get("cert"))
        return self.get_adapter(prepared.url).send(prepared, timeout=kwargs["timeout"], **settings)

    @staticmethod
    def _check_json_api(response: requests.Response, where: str) -> None:
        status = response.status_code
        if status in (429, 503):  # the retry layer already waited as long as the budget allows
            raise Throttled(f"{where} answered HTTP {status} after the retries", response=response)
        if status >= 500:  # a failure of the service, whatever its body says (msal raises for these too)
            raise requests.HTTPError(f"{where} answered HTTP {status}", response=response)
        if _json_or_none(response.content) is _NOT_JSON:
            kind = (response.headers.get("Content-Type") or "no content type").split(";")[0]
            raise ResponseNotJson(
                f"{where} answered HTTP {status} with {len(response.content)} bytes of {kind}, not JSON",
                response=response,
            )


# OpenID discovery documents are fetched once per process per authority: a batch over 1,000
# customer tenants must not pay a discovery round trip for every msal application it builds.
_discovery_lock = threading.Lock()
_discovery: dict[tuple[str, str], tuple[float, requests.Response]] = {}


def _discovery_key(method: str, url: str, params: Any) -> tuple[str, str] | None:
    if method.upper() != "GET" or "/.well-known/openid-configuration" not in url:
        return None
    return (url, repr(sorted(params.items())) if isinstance(params, dict) else repr(params))


def _discovery_cache_get(method: str, url: str, params: Any) -> requests.Response | None:
    key = _discovery_key(method, url, params)
    if key is None:
        return None
    with _discovery_lock:
        hit = _discovery.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    return None


def _discovery_cache_put(method: str, url: str, params: Any, response: requests.Response) -> None:
    key = _discovery_key(method, url, params)
    if key is None or response.status_code != 200:
        return
    # Only a usable document is kept: a cut-off or hostile answer cached for an hour would break
    # every later exchange of a long-running process (a batch, the PowerShell module's host).
    document = _json_or_none(response.content or b"")
    if isinstance(document, dict) and isinstance(document.get("token_endpoint"), str):
        with _discovery_lock:
            _discovery[key] = (time.monotonic() + _DISCOVERY_TTL, response)


def clear_discovery_cache() -> None:
    with _discovery_lock:
        _discovery.clear()


# A batch over 1,000 customer tenants asks for 1,000 discovery documents that differ only in the
# tenant id: one round trip per tenant, a third of the batch's requests. Inside a batch
# (`sibling_discovery`), the document of a tenant *id* is therefore derived from a cached document
# of another tenant id of the same authority, with the id replaced - what MSAL.NET does for every
# Entra authority, where it builds the endpoints from the authority URL and never fetches them. Only
# a document of Entra's shape is copied (its token endpoint and issuer name its own tenant id), only
# for tenant ids (a domain name maps to an id only Entra knows), and the copies are never put into
# the cache everything else reads: a tenant that does not exist then fails at the token endpoint
# with the same AADSTS90002, while doctor and single exchanges still fetch what they check.
_siblings = threading.local()
_GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_TENANT_DISCOVERY = re.compile(rf"^(?P<origin>https://[^/]+)/(?P<tenant>{_GUID})/v2\.0/\.well-known/openid-configuration$")
_ENTRA_TOKEN_ENDPOINT = re.compile(rf"^(?P<origin>https://[^/]+)/(?P<tenant>{_GUID})/oauth2/v2\.0/token$")


@contextlib.contextmanager
def sibling_discovery() -> Iterator[None]:
    """In this thread, within the block, derive tenant-id discovery documents from cached siblings."""
    previous = getattr(_siblings, "on", False)
    _siblings.on = True
    try:
        yield
    finally:
        _siblings.on = previous


def _sibling_document(url: str) -> requests.Response | None:
    wanted = _TENANT_DISCOVERY.match(url)
    if wanted is None:
        return None
    origin, tenant = wanted.group("origin"), wanted.group("tenant")
    now = time.monotonic()
    with _discovery_lock:
        cached = [entry[1] for key, entry in _discovery.items() if entry[0] > now and key[0].startswith(origin + "/")]
    for response in cached:
        other = _sibling_tenant(response, origin)
        if other is None:
            continue
        copy = requests.Response()
        copy.status_code, copy.reason, copy.url, copy.encoding = 200, "OK", url, "utf-8"
        copy.headers = CaseInsensitiveDict(response.headers)
        copy._content = response.content.replace(other.encode("ascii"), tenant.encode("ascii"))  # type: ignore[attr-defined]
        copy._content_consumed = True  # type: ignore[attr-defined]
        return copy
    return None


_sibling_tenants: dict[int, tuple[requests.Response, str | None]] = {}


def _sibling_tenant(response: requests.Response, origin: str) -> str | None:
    """The tenant id a cached document of Entra's shape names in its endpoints, else None (judged once)."""
    known = _sibling_tenants.get(id(response))
    if known is not None and known[0] is response:
        return known[1]
    document = _json_or_none(response.content or b"")
    found = _ENTRA_TOKEN_ENDPOINT.match(str(document.get("token_endpoint"))) if isinstance(document, dict) else None
    # The sibling may have been asked for by domain: Entra answers with its id, which is what is replaced.
    tenant = None
    if found is not None and found.group("origin") == origin and document.get("issuer") == f"{origin}/{found.group('tenant')}/v2.0":
        tenant = found.group("tenant")
    with _discovery_lock:
        if len(_sibling_tenants) > 256:
            _sibling_tenants.clear()
        _sibling_tenants[id(response)] = (response, tenant)
    return tenant


def policy_from_environment(base: RetryPolicy = DEFAULT_POLICY) -> RetryPolicy:
    """The retry policy with SAM_BRIDGE_HTTP_TIMEOUT / SAM_BRIDGE_HTTP_RETRY_BUDGET applied."""
    import os
    from dataclasses import replace

    from .._core.constants import ENV_HTTP_RETRY_BUDGET, ENV_HTTP_TIMEOUT

    changes = {}
    for env, field in ((ENV_HTTP_TIMEOUT, "read_timeout"), (ENV_HTTP_RETRY_BUDGET, "budget_seconds")):
        raw = os.environ.get(env)
        if raw:
            try:
                value = float(raw)
                if not 0 < value <= 3600:
                    raise ValueError
            except ValueError:
                raise InvalidInputError(f"{env}={raw!r} is not a number of seconds between 0 and 3600.") from None
            changes[field] = value
    return replace(base, **changes) if changes else base


def build_session(
    ca_bundle: str | None = None,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    allow_http_loopback: bool = False,
    pool_size: int = 32,
    json_api: bool = False,
) -> BridgeSession:
    """A session for talking to an authority or a vault (see the module docstring for its rules)."""
    return BridgeSession(
        ca_bundle=ca_bundle, policy=policy, allow_http_loopback=allow_http_loopback, pool_size=pool_size,
        json_api=json_api,
    )
