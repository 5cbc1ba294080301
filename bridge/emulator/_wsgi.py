"""The HTTP plumbing of both emulated services (Entra and Key Vault): a TLS listener with HTTP/1.1
keep-alive, threaded handshakes and real TCP resets, request bodies read whole, JSON answers."""
from __future__ import annotations

import io
import json
import logging
import socket
import ssl
from typing import Any, Mapping

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Response

log = logging.getLogger("bridge.emulator")

ABORT_KEY = "bridge.emulator.abort"  # environ flag read by the request handler after the app returns
MAX_REQUEST_BODY = 4 * 1024 * 1024


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False),
        status=status,
        headers=dict(headers or {}),
        content_type="application/json; charset=utf-8",
    )


def buffer_body(environ: dict[str, Any]) -> Response | None:
    """Read the whole request body now, so a kept-alive connection never holds unread bytes."""
    stream = environ.get("wsgi.input")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_REQUEST_BODY:
        environ[ABORT_KEY] = "close"
        return Response("Request Entity Too Large", status=413, headers={"Connection": "close"})
    if environ.get("wsgi.input_terminated") and stream is not None:  # chunked request body
        data = stream.read(MAX_REQUEST_BODY + 1)
    else:
        data = stream.read(length) if stream is not None and length else b""
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    environ["wsgi.input_terminated"] = False
    return None


class RequestHandler(WSGIRequestHandler):
    """werkzeug's handler with HTTP/1.1 keep-alive, a threaded TLS handshake and real resets."""

    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections (and stalled handshakes) are dropped after this

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every response on a kept-alive connection.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def handle(self) -> None:
        connection = self.connection
        if isinstance(connection, ssl.SSLSocket):
            try:
                connection.do_handshake()
            except (ssl.SSLError, OSError) as exc:
                log.debug("TLS handshake with %s failed: %s", self.client_address[0], exc)
                return
        super().handle()

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close" and not self._must_close():
            return  # werkzeug 2.2 sends this on every response; keep the connection instead
        super().send_header(keyword, value)

    def _must_close(self) -> bool:
        environ = getattr(self, "environ", None) or {}
        return bool(self.close_connection or environ.get(ABORT_KEY))

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        self.close_connection = True

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        environ = getattr(self, "environ", None) or {}
        if environ.get(ABORT_KEY) == "reset":
            # The last file object is closed, so this close() is the real one, and with SO_LINGER 0
            # the kernel sends a RST. socketserver's own shutdown/close afterwards are no-ops.
            try:
                self.connection.close()
            except OSError:
                pass

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        log.debug("%s %s -> %s", self.command, (self.path or "").split("?")[0], code)

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 (BaseHTTPRequestHandler's name)
        log.debug("http: " + format, *args)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("http: " + format, *args)


def tls_server(app: Any, ssl_context: Any, *, host: str = "127.0.0.1", port: int = 0) -> Any:
    """A threaded werkzeug server for `app` on host:port; accepted sockets handshake in their thread."""
    httpd = make_server(host, port, app, threaded=True, request_handler=RequestHandler, ssl_context=ssl_context)
    httpd.socket.do_handshake_on_connect = False
    return httpd
