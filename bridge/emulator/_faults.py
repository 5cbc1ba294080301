"""Injected faults: what a matching request gets instead of (or before) its normal answer.

Every kind except `delay` replaces the answer and the emulator does not act on the request (no code
is redeemed, no token issued), so a client may retry safely. `reset` and `truncated` work on the raw
TLS socket: the first makes the kernel send a TCP RST (SO_LINGER 0, then close), the second sends a
Content-Length larger than the body and closes.
"""
from __future__ import annotations

import json
import socket
import struct
import time
from typing import Any

from werkzeug.wrappers import Response

from . import _errors
from ._state import Fault

ABORT_KEY = "bridge.emulator.abort"  # environ flag read by the request handler after the app returns
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


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, headers=headers or {}, content_type="application/json; charset=utf-8"
    )


def apply(fault: Fault, target: str, environ: dict[str, Any], now: float) -> Response | None:
    """Carry out a fault; None means 'go on with the normal answer' (after a delay)."""
    kind = fault.kind
    if kind == "delay":
        time.sleep(fault.delay_seconds or 0)
        return None
    if kind == "429":
        retry = str(fault.retry_after if fault.retry_after is not None else 1)
        return Response("Too Many Requests", status=429, headers={"Retry-After": retry}, content_type="text/plain")
    if kind == "503":
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        return Response("Service Unavailable", status=503, headers=headers, content_type="text/plain")
    if kind == "500":
        return _json(500, _errors.server_error().body(now=now, correlation_id=environ.get("HTTP_CLIENT_REQUEST_ID")))
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
        return _json(200, {"token_type": "Bearer", "expires_in": 3599, "padding": padding})
    if kind == "wrong_types":
        return _json(200, _WRONG_TYPES.get(target, _WRONG_TYPES["partnercenter"]))
    if kind == "missing_fields":
        return _json(200, _MISSING_FIELDS.get(target, {}))
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
        sock = environ["werkzeug.socket"]
        # Linger on, timeout 0: close() then discards the connection with a RST instead of a FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        environ[ABORT_KEY] = "reset"
        raise ConnectionAbortedError("fault: connection reset")
    raise ValueError(f"unknown fault kind {kind!r}")
