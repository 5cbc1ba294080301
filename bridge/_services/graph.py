"""One Microsoft Graph client: JSON over the pinned session, Graph's errors as sam-bridge errors.

The caller supplies the token (delegated, from a profile's refresh token or a bootstrap sign-in) and
the base URL (`profile.graph_url`, the emulator's `/graph` in tests). Paging follows
`@odata.nextLink`. Nothing here knows what the calls are for; the app lifecycle and, later, the
GDAP readiness checks build on it.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urlsplit

from .._config import Profile
from .._core.errors import SamBridgeError, ServiceError

log = logging.getLogger("bridge.graph")

_MAX_PAGES = 1000
_sessions: dict[tuple[Any, ...], Any] = {}
_sessions_lock = threading.Lock()


class GraphError(SamBridgeError):
    """Microsoft Graph refused a request; carries the HTTP status and Graph's error code."""

    exit_code = 4
    error_id = "SamBridge.Graph"
    category = "InvalidOperation"

    def __init__(self, message: str, *, status: int, code: str | None, remediation: str | None = None) -> None:
        self.status = status
        self.code = code
        if status in (401, 403):
            self.category = "PermissionDenied"
        elif status == 404:
            self.category = "ObjectNotFound"
        elif status == 409:
            self.category = "ResourceExists"
        super().__init__(message, remediation=remediation)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "status": self.status, "code": self.code}


def _session(profile: Profile) -> Any:
    """A plain (not JSON-only) pinned session: Graph answers 204 with no body."""
    from .._auth.http import build_session, policy_from_environment
    from .._core.validate import http_loopback_allowed

    policy = policy_from_environment()
    key = (profile.ca_bundle, http_loopback_allowed(), policy)
    with _sessions_lock:
        if key not in _sessions:
            _sessions[key] = build_session(profile.ca_bundle, allow_http_loopback=key[1], policy=policy)
        return _sessions[key]


class GraphClient:
    """`GraphClient(profile, token)`: token is a string or a callable returning one (refreshed per call)."""

    def __init__(self, profile: Profile, token: str | Callable[[], str], *, session: Any = None) -> None:
        self.base = profile.graph_url.rstrip("/") + "/v1.0"
        self.where = urlsplit(profile.graph_url).netloc or profile.graph_url
        self._token = token
        self._http = session or _session(profile)

    def _bearer(self) -> str:
        return self._token() if callable(self._token) else self._token

    def request(self, method: str, path: str, body: Any = None, *, params: Mapping[str, str] | None = None,
                doing: str = "call Microsoft Graph") -> Any:
        """The decoded JSON answer (None for 204); GraphError for a refusal, ServiceError for a failure."""
        from .._auth.client import _transport_error

        url = path if path.startswith("https://") else self.base + path
        headers = {"Authorization": f"Bearer {self._bearer()}", "Accept": "application/json"}
        try:
            response = self._http.request(method, url, json=body, params=dict(params) if params else None,
                                          headers=headers)
        except Exception as exc:
            raise _transport_error(exc, doing, self.where) from None
        status = response.status_code
        if status == 204 or (200 <= status < 300 and not response.content):
            return None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if 200 <= status < 300:
            if payload is None:
                raise ServiceError(f"{self.where} sent a response that is not JSON (HTTP {status}) while trying to {doing}.")
            return payload
        if status in (429, 503) or status >= 500:
            retry = response.headers.get("Retry-After")
            raise ServiceError(
                f"{self.where} answered HTTP {status} while trying to {doing}"
                + (f" (Retry-After: {retry} s)" if retry else "") + "; the retries are spent.",
                remediation="Try again later.",
            )
        error = payload.get("error") if isinstance(payload, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        raise GraphError(
            f"Microsoft Graph refused to {doing}: HTTP {status} {code or ''}: {message or 'no details'}".replace("  ", " "),
            status=status, code=code if isinstance(code, str) else None,
            remediation=_REMEDIATION.get(status),
        )

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, body if body is not None else {}, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)

    def list(self, path: str, *, params: Mapping[str, str] | None = None, doing: str = "list objects") -> Iterator[dict[str, Any]]:
        """Every item of a collection, following @odata.nextLink."""
        url, query = path, params
        for _ in range(_MAX_PAGES):
            page = self.get(url, params=query, doing=doing)
            items = page.get("value") if isinstance(page, dict) else None
            if not isinstance(items, list):
                raise ServiceError(f"{self.where} sent a collection sam-bridge cannot read while trying to {doing}.")
            yield from (i for i in items if isinstance(i, dict))
            following = page.get("@odata.nextLink")
            if not isinstance(following, str) or not following:
                return
            url, query = following, None
        raise ServiceError(f"{self.where} kept paging past {_MAX_PAGES} pages while trying to {doing}.")


_REMEDIATION = {
    401: "The Microsoft Graph token was refused; sign in again.",
    403: "The signed-in account or the app lacks the Graph permission this needs (see `sam-bridge app create --what-if`).",
}
