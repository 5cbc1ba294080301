"""HTTPS listener, routing, request log, and the process lifecycle (serve, start_in_thread).

One werkzeug threaded server on 127.0.0.1 with a trustme certificate. HTTP/1.1 keep-alive is on
(werkzeug 2.2 closes every connection; the handler below undoes that, which is safe because the app
always reads the whole request body). The TLS handshake runs in the connection's thread, not in the
accept loop, so a silent client cannot stall the listener.
"""
from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from werkzeug.wrappers import Request, Response

from . import _errors
from . import _faults
from ._consents import ApplicationConsents
from ._control import ControlApi
from ._directory import SeedError
from ._errors import AadError, Throttled
from ._gdap import GdapControl, GdapGraph
from ._graph import GraphApi
from ._interactive import Interactive, Page
from ._oauth import OAuthEndpoints, RequestInfo, parse_form
from ._partnercenter import PartnerCenter
from ._pki import Pki
from ._state import EmulatorState
from ._tokens import Signer
from ._wsgi import buffer_body, json_response, tls_server

log = logging.getLogger("bridge.emulator")

DEFAULT_SEED_PATH = Path(__file__).with_name("default_seed.json")
_SLASHES = re.compile(r"/{2,}")
_NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}
_DISCOVERY_CACHE = {"Cache-Control": "max-age=86400, private"}

Handler = Callable[[Request, RequestInfo, str, str], Response]


def load_seed(seed: str | os.PathLike[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """The seed as a dict: None means the default seed, a path is read as JSON."""
    if seed is None:
        seed = DEFAULT_SEED_PATH
    if isinstance(seed, Mapping):
        return json.loads(json.dumps(seed))  # a deep, JSON-clean copy
    try:
        data = json.loads(Path(seed).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"cannot read seed file {seed}: {exc.strerror}") from None
    except ValueError as exc:
        raise SeedError(f"seed file {seed} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SeedError(f"seed file {seed} must hold a JSON object")
    return data


class EmulatorApp:
    """The WSGI application: routes a request, applies faults, logs it."""

    def __init__(self, state: EmulatorState, describe: Callable[[], dict[str, Any]], port: Callable[[], int]) -> None:
        self.state = state
        self.oauth = OAuthEndpoints(state)
        self.interactive = Interactive(state)
        self.control = ControlApi(state, describe)
        self.partner_center = PartnerCenter(state)
        self.graph = GraphApi(state)
        self.graph.extensions.append(GdapGraph(state).route)
        self.consents = ApplicationConsents(state)
        self.control.extensions.append(self.graph.control)
        self.control.extensions.append(GdapControl(state).control)
        self._port = port

    # -- WSGI entry -------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.monotonic()
        too_large = buffer_body(environ)
        if too_large is not None:
            return too_large(environ, start_response)
        request = Request(environ)
        path = _SLASHES.sub("/", environ.get("PATH_INFO") or "/")  # msal sends /tenant//v2.0/...
        endpoint, segment, handler = self._route(path)
        if endpoint == "control":
            response = self._control(request, path)
            return response(environ, start_response)
        info = RequestInfo(endpoint=endpoint)
        base = self._base_url(request)
        try:
            response = self._answer(request, info, base, segment, handler, environ)
        except ConnectionAbortedError:
            self._log(request, path, info, None, started)
            raise
        self._log(request, path, info, response.status_code, started)
        return response(environ, start_response)

    def _answer(
        self, request: Request, info: RequestInfo, base: str, segment: str, handler: Handler, environ: dict[str, Any]
    ) -> Response:
        correlation_id = _client_request_id(request)
        try:
            target = _faults.target_of(info.endpoint)
            fault = self.state.take_fault(target) if target else None
            if fault is not None:
                info.fault = fault.kind
                faulted = _faults.apply(fault, target or "any", environ, self.state.now())
                if faulted is not None:
                    return faulted
            return handler(request, info, base, segment)
        except AadError as exc:
            info.error, info.error_codes = exc.error, exc.error_codes
            body = exc.body(now=self.state.now(), correlation_id=correlation_id)
            return json_response(exc.status, body, _NO_STORE)
        except Throttled as exc:
            info.error = "throttled"
            return Response(
                "Too Many Requests", status=429, headers={"Retry-After": str(exc.retry_after)}, content_type="text/plain"
            )
        except ConnectionAbortedError:
            raise
        except Exception:
            log.exception("unexpected error answering %s %s", request.method, request.path)
            error = _errors.server_error()
            info.error, info.error_codes = error.error, error.error_codes
            return json_response(500, error.body(now=self.state.now(), correlation_id=correlation_id), _NO_STORE)

    def _base_url(self, request: Request) -> str:
        """The origin to put in URLs: the one the client used if it is a loopback name of this port."""
        host = request.host.lower()
        port = self._port()
        if host in (f"127.0.0.1:{port}", f"localhost:{port}"):
            return f"https://{host}"
        return self.state.base_url

    def _log(self, request: Request, path: str, info: RequestInfo, status: int | None, started: float) -> None:
        self.state.log_request(
            {
                "time": _errors.format_instant(self.state.now()),
                "method": request.method,
                "path": path,
                "endpoint": info.endpoint,
                "tenant": info.tenant,
                "client_id": info.client_id,
                "grant_type": info.grant_type,
                "scope": info.scope,
                "status": status,
                "error": info.error,
                "error_codes": info.error_codes,
                "presented_rt": info.presented_rt,
                "issued_rt": info.issued_rt,
                "fault": info.fault,
                "client_auth": info.client_auth,
                "latency_ms": round((time.monotonic() - started) * 1000, 1),
            }
        )

    # -- routing ----------------------------------------------------------------------------------------

    def _route(self, path: str) -> tuple[str, str, Handler]:
        segments = [s for s in path.split("/") if s]
        lowered = [s.lower() for s in segments]
        if lowered[:1] == ["_emulator"]:
            return "control", "", self._not_found
        if lowered == ["devicelogin"]:
            return "devicelogin", "", self._devicelogin
        if lowered == ["partnercenter", "v1", "customers"]:
            return "partnercenter", "", self._partnercenter
        if lowered[:3] == ["partnercenter", "v1", "customers"] and lowered[4:5] == ["applicationconsents"]:
            return "partnercenter", "", self._applicationconsents
        if lowered[:2] == ["graph", "v1.0"]:
            return "graph", "", self._graph
        if len(segments) >= 2:
            segment, rest = segments[0], lowered[1:]
            routes: dict[tuple[str, ...], tuple[str, Handler]] = {
                ("v2.0", ".well-known", "openid-configuration"): ("discovery", self._discovery),
                ("discovery", "v2.0", "keys"): ("jwks", self._jwks),
                ("discovery", "keys"): ("jwks", self._jwks),
                ("discovery", "instance"): ("instance_discovery", self._instance_discovery),
                ("oauth2", "v2.0", "authorize"): ("authorize", self._authorize),
                ("oauth2", "v2.0", "token"): ("token", self._token),
                ("oauth2", "v2.0", "devicecode"): ("devicecode", self._devicecode),
                ("oauth2", "v2.0", "logout"): ("logout", self._logout),
                ("login",): ("authorize", self._login),
            }
            found = routes.get(tuple(rest))
            if found:
                return found[0], segment, found[1]
        return "other", "", self._not_found

    # -- handlers ---------------------------------------------------------------------------------------

    def _discovery(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        info.tenant = segment
        return json_response(200, self.oauth.discovery(base, segment), _DISCOVERY_CACHE)

    def _instance_discovery(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        return json_response(200, self.oauth.instance_discovery(base, request.args), _DISCOVERY_CACHE)

    def _jwks(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        info.tenant = segment
        return json_response(200, self.oauth.jwks(segment), _DISCOVERY_CACHE)

    def _token(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        _require_post(request)
        form = parse_form(request.get_data())
        body = self.oauth.token(info, base, segment, form, request.headers.get("Authorization"))
        return json_response(200, body, _NO_STORE)

    def _devicecode(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        _require_post(request)
        form = parse_form(request.get_data())
        return json_response(200, self.oauth.devicecode(info, base, segment, form), _NO_STORE)

    def _authorize(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        page = self.interactive.authorize(info, segment, request.args, request.cookies)
        return self._page(page, info)

    def _login(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        _require_post(request)
        return self._page(self.interactive.login_step(info, parse_form(request.get_data())), info)

    def _devicelogin(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        form = parse_form(request.get_data()) if request.method == "POST" else {}
        return self._page(self.interactive.device_login(info, request.method, form), info)

    def _logout(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        return self._page(self.interactive.logout(request.args, request.cookies), info)

    def _partnercenter(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        if request.method != "GET":
            return json_response(405, {"code": 405, "description": "Use GET."})
        status, body, headers = self.partner_center.customers(
            info, request.headers.get("Authorization"), request.args, request.headers)
        if status != 200:
            info.error = body.get("errorName") or str(body.get("code"))
        return json_response(status, body, headers)

    def _applicationconsents(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        segments = [s for s in _SLASHES.sub("/", request.path).split("/") if s]
        try:
            payload = json.loads(request.get_data() or b"null") if request.method == "POST" else None
        except ValueError:
            payload = None
        status, body, headers = self.consents.handle(
            request.method, segments[3], segments[5] if len(segments) > 5 else None,
            request.headers.get("Authorization"), payload, info)
        if status >= 400:
            info.error = body.get("errorName") or str(body.get("code"))
        if status == 204:
            return Response("", status=204)
        return json_response(status, body, headers)

    def _graph(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        segments = [s for s in _SLASHES.sub("/", request.path).split("/") if s][2:]
        status, body, headers = self.graph.handle(
            request.method, segments, request.args, request.headers.get("Authorization"), request.get_data(), base, info)
        if status == 204:
            return Response("", status=204, headers=headers)
        return json_response(status, body, headers)

    def _not_found(self, request: Request, info: RequestInfo, base: str, segment: str) -> Response:
        info.error = "not_found"
        return json_response(404, {"error": "not_found", "error_description": f"No emulator endpoint at {request.path}"})

    def _control(self, request: Request, path: str) -> Response:
        try:
            status, body = self.control.handle(request.method, path, request.args, request.get_data())
        except Exception:
            log.exception("control API failure on %s %s", request.method, path)
            status, body = 500, {"error": "server_error", "message": "see the emulator's log"}
        return json_response(status, body, _NO_STORE)

    @staticmethod
    def _page(page: Page, info: RequestInfo) -> Response:
        if page.error is not None:
            info.error, info.error_codes = page.error.error, page.error.error_codes
        if page.location:
            response = Response("", status=302, headers={"Location": page.location, **_NO_STORE})
        else:
            response = Response(page.html or "", status=page.status, content_type="text/html; charset=utf-8",
                                headers=_NO_STORE)
        for name, value in page.cookies.items():
            if value is None:
                response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="None")
            else:
                response.set_cookie(name, value, path="/", secure=True, httponly=True, samesite="None")
        return response


def _client_request_id(request: Request) -> str | None:
    """The correlation id the client chose, echoed in error bodies. MSAL.NET and Python's msal send
    the `client-request-id` header; msal-node sends it in the query string and the form body instead,
    and Entra echoes it from there too (msal-node reports the id it sent)."""
    found = request.headers.get("client-request-id") or request.args.get("client-request-id")
    if not found and request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        found = parse_form(request.get_data()).get("client-request-id")
    return found or None


def _require_post(request: Request) -> None:
    if request.method != "POST":
        raise AadError(
            "invalid_request", 900561, f"The endpoint only accepts POST requests. Received a {request.method} request."
        )


class EmulatorRuntime:
    """Key material, state and the bound listener of one emulator instance."""

    def __init__(
        self,
        port: int = 0,
        seed: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        state_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if state_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="entra-emulator-")
            state_path = Path(self._tmp.name)
        else:
            state_path = Path(state_dir)
        try:
            seed_data = load_seed(seed)
            self.pki = Pki.load_or_create(state_path)
            self.state = EmulatorState(seed_data, Signer(self.pki.signing_key, self.pki.kid), self.pki.jwk)
            self.app = EmulatorApp(self.state, self.describe, lambda: self.port)
            self.httpd = tls_server(self.app, self.pki.server_context, port=port)
        except BaseException:
            self._cleanup_tmp()
            raise
        self.port: int = self.httpd.server_port
        self.state.base_url = f"https://127.0.0.1:{self.port}"
        self._closed = False
        self.vault = self._start_vault()

    def _start_vault(self) -> Any:
        """The Key Vault emulator on its own port, sharing this emulator's tokens, clock, faults and log."""
        from .keyvault import start_keyvault_in_thread

        partner = self.state.directory.partner_tenant
        vault = start_keyvault_in_thread(
            self.state.validate_access_token,
            f"{self.authority_host}/{partner.id if partner else 'organizations'}",
            self.pki.server_context,
            clock=self.state.now,
            take_fault=self.state.take_fault,
            log_request=self.state.log_request,
        )
        self.state.on_reset.append(vault.app.reset)  # one reset empties the vault too
        return vault

    @property
    def authority_host(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def describe(self) -> dict[str, Any]:
        """The ready line: everything a client needs to use this emulator."""
        partner = self.state.directory.partner_tenant
        return {
            "authority_host": self.authority_host,
            "ca_bundle": str(self.pki.ca_bundle),
            "control_url": f"{self.authority_host}/_emulator",
            "partner_tenant": partner.id if partner else None,
            "partner_center_url": f"{self.authority_host}/partnercenter",
            "graph_url": f"{self.authority_host}/graph",
            "keyvault_url": self.vault.url,
            "port": self.port,
            "pid": os.getpid(),
        }

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        """Stop serve_forever (from another thread) and release the port and temporary files."""
        if self._closed:
            return
        self._closed = True
        self.httpd.shutdown()
        self.close()

    def close(self) -> None:
        self.vault.stop()
        self.httpd.server_close()
        self._cleanup_tmp()

    def _cleanup_tmp(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def print_ready_line(info: Mapping[str, Any]) -> None:
    """Write the ready line: one JSON object on one line of stdout, flushed."""
    sys.stdout.write(json.dumps(dict(info), sort_keys=True) + "\n")
    sys.stdout.flush()


def serve(
    port: int = 0,
    seed: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    state_dir: str | os.PathLike[str] | None = None,
    ready: Callable[[dict[str, Any]], None] | None = None,
) -> int:
    """Run the emulator in the foreground until SIGINT or SIGTERM; returns the exit code (0).

    `ready` gets the ready-line dict once the port accepts connections; by default the ready line is
    printed to stdout, as `python -m bridge.emulator serve` does.
    """
    ready = ready or print_ready_line
    runtime = EmulatorRuntime(port=port, seed=seed, state_dir=state_dir)
    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        # shutdown() waits for serve_forever to return, so it must run outside the serving thread.
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=runtime.httpd.shutdown, name="emulator-shutdown", daemon=True).start()

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, stop)
    try:
        ready(runtime.describe())
        log.info("Entra ID emulator listening on %s", runtime.authority_host)
        runtime.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        runtime.close()
        log.info("Entra ID emulator stopped")
    return 0


class EmulatorHandle:
    """A running emulator in a background thread (for demos and in-process tests)."""

    def __init__(self, runtime: EmulatorRuntime, thread: threading.Thread) -> None:
        self._runtime = runtime
        self._thread = thread
        info = runtime.describe()
        self.authority_host: str = info["authority_host"]
        self.ca_bundle: str = info["ca_bundle"]
        self.control_url: str = info["control_url"]
        self.partner_tenant: str | None = info["partner_tenant"]
        self.port: int = info["port"]
        self.info = info

    @property
    def state(self) -> EmulatorState:
        """The live state (for in-process extensions such as a Key Vault listener)."""
        return self._runtime.state

    def client(self) -> Any:
        from .client import EmulatorClient

        return EmulatorClient.from_ready_line(self.info)

    def stop(self) -> None:
        self._runtime.shutdown()
        self._thread.join(timeout=10)

    def __enter__(self) -> "EmulatorHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_in_thread(
    port: int = 0,
    seed: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    state_dir: str | os.PathLike[str] | None = None,
) -> EmulatorHandle:
    """Start the emulator on a daemon thread; returns once it accepts connections."""
    runtime = EmulatorRuntime(port=port, seed=seed, state_dir=state_dir)
    thread = threading.Thread(target=runtime.serve_forever, name="entra-emulator", daemon=True)
    thread.start()
    return EmulatorHandle(runtime, thread)
