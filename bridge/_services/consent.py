"""Consent: the one interactive, MFA-backed sign-in that yields the refresh token.

Three routes share one ending (`_finish`): device code (msal polls, honouring slow_down), a browser
on this machine with a loopback redirect, and a headless route that prints the sign-in URL and
takes the redirected URL pasted back. Browser and headless use msal's auth-code flow (PKCE, state,
nonce). The token goes straight to the profile's store; msal's cache is never relied on.
"""
from __future__ import annotations

import errno
import html
import logging
import socket
import sys
import threading
import webbrowser
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Mapping
from urllib.parse import parse_qs, urlsplit

from .._auth import aadsts
from .._core import errors as _errors
from .._auth.client import build_app, call, client_credential
from .._config import Profile
from .._core.constants import CONSENT_METHODS, CONSENT_TIMEOUT
from .._core.errors import ConsentFlowError, InvalidInputError
from .exchange import AccessTokenCache, consent_metadata, write_refresh_token
from .._stores import SecretStore

log = logging.getLogger("bridge.consent")

METHODS = CONSENT_METHODS
DEFAULT_TIMEOUT = CONSENT_TIMEOUT


@dataclass(frozen=True)
class ConsentResult:
    profile: str
    user: str
    tenant_id: str
    scopes: tuple[str, ...]
    mfa: bool
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "user": self.user,
            "tenant_id": self.tenant_id,
            "scopes": list(self.scopes),
            "mfa": self.mfa,
            "method": self.method,
        }


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def default_method(profile: Profile) -> str:
    """The consent method when none is chosen: a device code for a public client; the browser for
    a confidential one (the device-code flow cannot send its credential)."""
    return "device-code" if profile.is_public_client else "browser"


def consent(
    profile: Profile,
    store: SecretStore,
    method: str = "device-code",
    *,
    prompt: Callable[[str], None] = _say,
    read_redirect: Callable[[], str] | None = None,
    open_browser: Callable[[str], bool] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    public_flow: bool = False,
) -> ConsentResult:
    """Run one consent and store its refresh token. `prompt` shows text to the user.

    `public_flow`: the app allows public client flows (isFallbackPublicClient, as `app create` makes
    it), so a confidential profile may sign in with a device code; later redemptions use its credential.
    """
    if method not in METHODS:
        raise InvalidInputError(f"consent method {method!r} is not one of {', '.join(METHODS)}.")
    store.check()  # fail before the user signs in, not after
    credential = client_credential(profile, store)
    public_flow = public_flow and method == "device-code"
    app = build_app(profile, None if public_flow else credential)
    facts = {"tenant": profile.tenant, "app_id": profile.app_id, "profile": profile.name}
    where = profile.authority()
    scopes = list(profile.scopes)
    if method == "device-code":
        if credential is not None and not public_flow:
            raise InvalidInputError(
                f"profile {profile.name!r} is a confidential client; the device-code flow is for public "
                "clients. Use --browser or --print-url, which redeem the code with the client credential."
            )
        flow = call(app.initiate_device_flow, scopes, doing="start the device-code flow", where=where,
                    facts=facts, expect_access_token=False)
        if "user_code" not in flow:
            if flow.get("error"):
                raise aadsts.from_response(flow, **facts)
            # Not a refusal from Entra: an answer without the fields of a device-code response.
            raise _errors.ServiceError(
                f"{where} sent a device-code response without a user code while trying to start the "
                "device-code flow; nothing was stored. Try again later."
            )
        prompt(flow["message"])
        result = call(app.acquire_token_by_device_flow, flow, doing="complete the device-code sign-in",
                      where=where, facts=facts)
    else:
        result = _auth_code(app, profile, scopes, method, prompt, read_redirect, open_browser, timeout, facts, where)
    return _finish(profile, store, result, method)


def _finish(profile: Profile, store: SecretStore, result: Mapping[str, Any], method: str) -> ConsentResult:
    token = result.get("refresh_token")
    if not isinstance(token, str) or not token:
        raise ConsentFlowError(
            "the sign-in succeeded but Entra returned no refresh token.",
            remediation="Make sure the app registration allows offline_access (it is requested automatically).",
        )
    meta = consent_metadata(profile, result, method)
    write_refresh_token(profile, store, token, meta)
    AccessTokenCache(profile, store).clear()  # tokens of an earlier consent must not outlive it
    if not meta["mfa"]:
        log.warning(
            "the consent of %s did not include MFA: Partner Center and MFA-protected resources will refuse "
            "its tokens (AADSTS50076)", meta["user"] or profile.name,
        )
    return ConsentResult(profile.name, meta["user"], meta["home_tenant_id"], tuple(meta["scopes"]), meta["mfa"], method)


# --------------------------------------------------------------------------------------------
# Auth-code flow (browser and print-url)
# --------------------------------------------------------------------------------------------


def _auth_code(app, profile, scopes, method, prompt, read_redirect, open_browser, timeout, facts, where):  # type: ignore[no-untyped-def]
    receiver = _LoopbackReceiver(profile.redirect_port) if method == "browser" else None
    port = receiver.port if receiver else (profile.redirect_port or _free_port())
    redirect_uri = f"http://localhost:{port}"
    try:
        flow = call(app.initiate_auth_code_flow, scopes, redirect_uri=redirect_uri, prompt="select_account",
                    doing="start the sign-in", where=where, facts=facts, expect_access_token=False)
        url = flow["auth_uri"]
        if receiver is not None:
            receiver.expect_state(flow["state"])
            opened = (open_browser or webbrowser.open)(url)
            prompt(
                "A browser window was opened to sign in. If it did not open, visit:\n" + url
                if opened else "Open this URL in a browser on this machine to sign in:\n" + url
            )
            params = receiver.wait(timeout)
        else:
            prompt(
                "Open this URL in a browser on any machine and sign in:\n" + url + "\n\n"
                "The browser then goes to a page at http://localhost that will not load: copy that page's "
                "full URL from the address bar and paste it here."
            )
            pasted = (read_redirect or _read_line)()
            params = parse_redirect(pasted, redirect_uri)
    finally:
        if receiver is not None:
            receiver.close()
    check_redirect(params, flow["state"], facts)
    return call(app.acquire_token_by_auth_code_flow, flow, params, scopes=scopes,
                doing="redeem the authorization code", where=where, facts=facts)


def _read_line() -> str:
    sys.stderr.write("Redirected URL: ")
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise InvalidInputError("no redirected URL was pasted (stdin closed).")
    return line


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse_redirect(pasted: str, redirect_uri: str) -> dict[str, str]:
    """The query of a pasted redirect URL, or a clear error for anything else."""
    text = (pasted or "").strip().strip("'\"")
    parts = urlsplit(text)
    expected = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInputError(
            f"that is not the redirected URL: expected something like {redirect_uri}/?code=...&state=..."
        )
    if parts.hostname not in ("localhost", "127.0.0.1") or (parts.port or 80) != (expected.port or 80):
        raise InvalidInputError(
            f"that URL goes to {parts.netloc}, not {expected.netloc}: paste the URL of the page the browser "
            "was sent to after signing in."
        )
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if "code" not in params and "error" not in params:
        raise InvalidInputError("that URL carries neither an authorization code nor an error; copy the whole URL.")
    return params


def check_redirect(params: Mapping[str, str], state: str, facts: Mapping[str, str] | None = None) -> None:
    """Refuse error redirects and redirects from another attempt, with a message a person can act on.

    `facts` (tenant, app_id, profile) fill the remediation, as for token-endpoint errors.
    """
    if params.get("state") != state:
        raise ConsentFlowError(
            "the redirected URL belongs to another sign-in attempt (its state does not match this one).",
            error="state_mismatch",
            remediation="Use the URL printed by this run, sign in again and paste the new redirected URL.",
        )
    if "error" in params:
        raise aadsts.from_response(
            {"error": params["error"], "error_description": params.get("error_description", "")}, **(facts or {})
        )


class _LoopbackServer(ThreadingHTTPServer):
    """One address family's listener: a thread per connection, none of them waited for on close."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, family: int, address: tuple[str, int], handler: Any) -> None:
        self.address_family = family
        super().__init__(address, handler)

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6:
            # [::1] only: the IPv4 loopback has its own listener on the same port.
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


# A connection that sends nothing (or dribbles) is dropped after this long; it never delays the others.
_CONNECTION_TIMEOUT = 10.0
_BIND_ATTEMPTS = 20


class LoopbackUnavailable(InvalidInputError):
    """No listener can hold both addresses of localhost on the port; `reason` says which and why."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def listen_on_localhost(port: int, handler: Any = BaseHTTPRequestHandler) -> list[_LoopbackServer]:
    """Listeners on 127.0.0.1 and [::1] with one port (any free one for 0), or LoopbackUnavailable.

    Browser consent listens with them; doctor's loopback_port check binds them and lets go.
    """
    for _ in range(_BIND_ATTEMPTS if port == 0 else 1):
        try:
            v4 = _LoopbackServer(socket.AF_INET, ("127.0.0.1", port), handler)
        except OSError as exc:
            raise LoopbackUnavailable(
                f"cannot listen on 127.0.0.1 port {port} for the sign-in redirect ({exc.strerror}); "
                "choose another with the profile's redirect_port, or 0 for any free port.",
                f"127.0.0.1: {exc.strerror}",
            ) from None
        chosen = int(v4.server_address[1])
        try:
            v6 = _LoopbackServer(socket.AF_INET6, ("::1", chosen), handler)
        except OSError as exc:
            if exc.errno in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL):
                return [v4]  # no IPv6 loopback here: localhost can only mean 127.0.0.1
            v4.server_close()
            if port == 0 and exc.errno == errno.EADDRINUSE:
                continue  # another process has [::1] on that port: try another port
            raise LoopbackUnavailable(
                f"cannot listen on [::1] port {chosen} for the sign-in redirect ({exc.strerror}): another "
                "process holds that port and would receive the sign-in redirect the browser sends to "
                "localhost. Stop it, or choose another port with the profile's redirect_port (0 for any free port).",
                f"[::1]: {exc.strerror}",
            ) from None
        return [v4, v6]
    raise LoopbackUnavailable("found no port free on both 127.0.0.1 and [::1] for the sign-in redirect; try again.",
                              "no port free on both addresses")


class _LoopbackReceiver:
    """HTTP listeners on every address `localhost` names (127.0.0.1 and [::1], one port) that wait
    for the authorization redirect.

    Entra registers the loopback redirect as http://localhost:PORT (its portal refuses 127.0.0.1),
    and a browser may resolve localhost to either address: a listener on only one of them would
    leave the other to any local process, which would receive the code. Each connection is served
    on its own thread with a socket timeout, so an idle client delays nobody; a redirect whose
    state is not this attempt's is answered 400 and the listener keeps waiting.
    """

    def __init__(self, port: int = 0) -> None:
        receiver = self
        self._state: str | None = None
        self._params: dict[str, str] | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            timeout = _CONNECTION_TIMEOUT  # per connection (StreamRequestHandler sets it on the socket)

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                if "code" not in params and "error" not in params:
                    self._reply(404, "Not the sign-in redirect.")
                    return
                with receiver._lock:
                    accepted = receiver._state is not None and params.get("state") == receiver._state and not receiver._done.is_set()
                    if accepted:
                        receiver._params = params
                if not accepted:
                    log.warning("refused a redirect to the loopback listener whose state is not this sign-in's")
                    self._reply(400, "State mismatch: this redirect belongs to another sign-in attempt.")
                    return
                if "error" in params:
                    self._reply(200, "Sign-in failed: " + params.get("error_description", params["error"]))
                else:
                    self._reply(200, "Sign-in complete. You can close this window and return to sam-bridge.")
                receiver._done.set()

            def _reply(self, status: int, text: str) -> None:
                body = (
                    "<!doctype html><html><head><meta charset='utf-8'><title>sam-bridge</title></head>"
                    "<body style='font-family:sans-serif;margin:4em auto;max-width:36em;padding:0 1em;color:#1b1b1b'>"
                    f"<h1 id='result' style='font-size:1.4em;font-weight:600;line-height:1.4'>{html.escape(text)}</h1>"
                    "</body></html>"
                ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:  # the query carries the code: never log it
                return

        self._servers = listen_on_localhost(port, Handler)
        self.port = int(self._servers[0].server_address[1])
        self._threads = []
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, name="sam-bridge-loopback", daemon=True)
            thread.start()
            self._threads.append(thread)

    def expect_state(self, state: str) -> None:
        self._state = state

    def wait(self, timeout: float) -> dict[str, str]:
        if not self._done.wait(timeout):
            raise ConsentFlowError(
                f"no sign-in redirect arrived within {timeout:.0f} s.",
                error="timeout",
                remediation="Run consent again; on a machine without a browser use --print-url or --device-code.",
            )
        assert self._params is not None
        return self._params

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()  # returns at once: connections are served on their own threads
            server.server_close()
