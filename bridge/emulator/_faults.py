"""Injected faults: what a matching request gets instead of (or before) its normal answer.

Every kind except `delay` replaces the answer and the emulator does not act on the request (no code
is redeemed, no token issued), so a client may retry safely. `reset` and `truncated` work on the raw
TLS socket: the first makes the kernel send a TCP RST (SO_LINGER 0, then close), the second sends a
Content-Length larger than the body and closes.

One machinery for both emulated services: a `FaultQueue` of `Fault`s (the Entra state's, and the
Key Vault app's own when it runs alone), consumed one use at a time, and `delay` / `reset` carried
out here for both; Key Vault writes its own error bodies for the HTTP status kinds.
"""
from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any, Callable, Mapping

from werkzeug.wrappers import Response

from . import _errors
from ._wsgi import ABORT_KEY, json_response

TARGETS = frozenset({"token", "devicecode", "discovery", "authorize", "partnercenter", "graph", "keyvault", "any"})
KINDS = frozenset(
    {"429", "503", "500", "delay", "malformed", "truncated", "reset", "oversized", "wrong_types",
     "missing_fields", "html"}
)
OVERSIZED_BYTES = 2 * 1024 * 1024 + 512 * 1024

_TARGET_OF_ENDPOINT = {
    "discovery": "discovery",
    "instance_discovery": "discovery",
    "jwks": "discovery",
    "authorize": "authorize",
    "devicelogin": "authorize",
    "logout": "authorize",
    "token": "token",
    "devicecode": "devicecode",
    "partnercenter": "partnercenter",
    "graph": "graph",
    "keyvault": "keyvault",
}

_WRONG_TYPES: dict[str, dict[str, Any]] = {
    "token": {"token_type": "Bearer", "scope": ["https://graph.microsoft.com/.default"], "expires_in": [3599],
              "ext_expires_in": "one hour", "access_token": ["not", "a", "string"]},
    "devicecode": {"user_code": 123456789, "device_code": ["x"], "verification_uri": 42,
                   "expires_in": "fifteen minutes", "interval": [1], "message": None},
    "discovery": {"token_endpoint": 42, "authorization_endpoint": ["x"], "device_authorization_endpoint": None,
                  "issuer": {}, "keys": "none"},
    "partnercenter": {"totalCount": "many", "items": {"id": 1}, "attributes": []},
}
_MISSING_FIELDS: dict[str, dict[str, Any]] = {
    "token": {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599},
    "devicecode": {"expires_in": 900, "interval": 1},
    "discovery": {"issuer": "https://127.0.0.1/{tenantid}/v2.0"},
    "partnercenter": {"attributes": {"objectType": "Collection"}},
}


def target_of(endpoint: str) -> str | None:
    """The fault target an endpoint belongs to (None: faults never apply, e.g. the control API)."""
    return _TARGET_OF_ENDPOINT.get(endpoint)


@dataclass
class Fault:
    id: int
    target: str
    kind: str
    remaining: int
    retry_after: int | None = None
    delay_seconds: float | None = None

    def public(self) -> dict[str, Any]:
        return asdict(self)


class FaultQueue:
    """Faults queued by a control API, each for its next `count` matching requests, first in first out.

    `error` is the exception a bad fault spec raises (the control API turns it into a 400)."""

    def __init__(self, targets: frozenset[str] = TARGETS, kinds: frozenset[str] = KINDS, *,
                 default_target: str = "token", error: Callable[[str], Exception] = ValueError) -> None:
        self.targets, self.kinds, self.default_target, self._error = targets, kinds, default_target, error
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = 0

    def add(self, spec: Mapping[str, Any]) -> Fault:
        """Validate a fault spec ({target, kind, count, retry_after, delay_seconds}) and queue it."""
        error = self._error
        if not isinstance(spec, Mapping):
            raise error("a fault must be a JSON object")
        unknown = set(spec) - {"target", "kind", "count", "retry_after", "delay_seconds"}
        if unknown:
            raise error(f"unknown fault keys {sorted(unknown)}")
        target, kind = spec.get("target", self.default_target), str(spec.get("kind", ""))
        if target not in self.targets:
            raise error(f"target must be one of {sorted(self.targets)}")
        if kind not in self.kinds:
            raise error(f"kind must be one of {sorted(self.kinds)}")
        count = spec.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise error("count must be an integer >= 1")
        retry_after = spec.get("retry_after")
        if retry_after is not None and (not isinstance(retry_after, int) or isinstance(retry_after, bool) or retry_after < 0):
            raise error("retry_after must be an integer >= 0")
        delay = spec.get("delay_seconds")
        if delay is not None and (not isinstance(delay, (int, float)) or isinstance(delay, bool) or not 0 <= delay <= 600):
            raise error("delay_seconds must be a number between 0 and 600")
        if kind == "delay" and delay is None:
            raise error("a delay fault needs delay_seconds")
        with self._lock:
            self._ids += 1
            fault = Fault(self._ids, target, kind, count, retry_after, delay)
            self._faults.append(fault)
        return fault

    def take(self, target: str) -> Fault | None:
        """Consume one use of the first fault matching this request's target (or "any")."""
        if not self._faults:  # unlocked fast path: the list is only replaced or mutated under the lock
            return None
        with self._lock:
            for fault in self._faults:
                if fault.target in (target, "any"):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self, *, restart_ids: bool = False) -> int:
        with self._lock:
            count, self._faults = len(self._faults), []
            if restart_ids:
                self._ids = 0
            return count


def delay(fault: Fault) -> None:
    """A `delay` fault: the normal answer follows, late."""
    time.sleep(fault.delay_seconds or 0)


def reset_connection(environ: dict[str, Any]) -> None:
    """A `reset` fault: the request handler's close sends a TCP RST instead of an answer."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        # Linger on, timeout 0: close() then discards the connection with a RST instead of a FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        environ[ABORT_KEY] = "reset"
    raise ConnectionAbortedError("fault: connection reset")


def apply(fault: Fault, target: str, environ: dict[str, Any], now: float) -> Response | None:
    """Carry out a fault; None means 'go on with the normal answer' (after a delay)."""
    kind = fault.kind
    if kind == "delay":
        delay(fault)
        return None
    if kind == "429":
        retry = str(fault.retry_after if fault.retry_after is not None else 1)
        return Response("Too Many Requests", status=429, headers={"Retry-After": retry}, content_type="text/plain")
    if kind == "503":
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        return Response("Service Unavailable", status=503, headers=headers, content_type="text/plain")
    if kind == "500":
        return json_response(500, _errors.server_error().body(now=now, correlation_id=environ.get("HTTP_CLIENT_REQUEST_ID")))
    if kind == "html":
        page = (
            "<!DOCTYPE html><html><head><title>Service unavailable</title></head><body>"
            "<h1>We're sorry</h1><p>The service is temporarily unavailable. Please try again later.</p>"
            "</body></html>"
        )
        return Response(page, status=200, content_type="text/html; charset=utf-8")
    if kind == "malformed":
        return Response(
            '{"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOi',
            status=200,
            content_type="application/json; charset=utf-8",
        )
    if kind == "oversized":
        padding = "A" * OVERSIZED_BYTES
        return json_response(200, {"token_type": "Bearer", "expires_in": 3599, "padding": padding})
    if kind == "wrong_types":
        return json_response(200, _WRONG_TYPES.get(target, _WRONG_TYPES["partnercenter"]))
    if kind == "missing_fields":
        return json_response(200, _MISSING_FIELDS.get(target, {}))
    if kind == "truncated":
        body = b'{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_tok'
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body) + 4096}\r\nConnection: close\r\n\r\n"
        ).encode("ascii")
        sock = environ["werkzeug.socket"]
        sock.sendall(head + body)
        environ[ABORT_KEY] = "close"
        raise ConnectionAbortedError("fault: truncated response")
    if kind == "reset":
        reset_connection(environ)
    raise ValueError(f"unknown fault kind {kind!r}")
