"""Attacks by another process on the same machine (issue 14), each reproduced for real.

A redirecting authority, a process racing the loopback listener for the consent redirect, an
authority that is not the one that issued the stored token, store and config files another user
can write, and hostile input to the RPC reader and the command line. docs/RELIABILITY.md
("Local attacker") quotes the figures this module records.
"""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.profiles import ProfileHandle
from tests.reliability._helpers import GRAPH, assert_refused, file_bytes, run_cli
from tests.reliability.test_bad_input import HostileProxy


class PlainListener:
    """A plain-http listener on 127.0.0.1 that records every request it receives (the attacker)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, bytes]] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                listener.received.append((self.command, self.path, self.rfile.read(length) if length else b""))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = _record

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def thief() -> Any:
    listener = PlainListener()
    try:
        yield listener
    finally:
        listener.close()


# ---------------------------------------------------------------------------------------------------
# 1. A token request is never redirected
# ---------------------------------------------------------------------------------------------------


def test_a_token_request_is_never_redirected(consented_profile: ProfileHandle, thief: PlainListener,
                                             monkeypatch: pytest.MonkeyPatch, figures: Any) -> None:
    proxy = HostileProxy(consented_profile.emulator)  # trusted: its certificate is from the profile's CA bundle
    try:
        handle = consented_profile.with_profile(authority_host=proxy.url)
        _rebind_allowed(monkeypatch)
        proxy.redirect = thief.url + "/steal"
        rt = handle.refresh_token()
        before = file_bytes(handle.store.path)
        for args in (("--verbose", "token", "--profile", "contoso", "--scope", GRAPH, "--force-refresh"),
                     ("token", "--profile", "contoso", "--scope", GRAPH, "--force-refresh", "--tenant",
                      handle.emulator.ids.fabrikam, "--tenant", handle.emulator.ids.northwind)):
            result = run_cli(*args)
            assert thief.received == [], f"the plain-http listener received {thief.received!r}"
            assert result.returncode != 0, result.stdout
            assert f"redirect to {thief.url}" in result.stderr and "not followed" in result.stderr, result.stderr
            assert rt not in result.stderr + result.stdout
        assert file_bytes(handle.store.path) == before  # nothing stored
        figures.add("local attacker", "redirect refused", 2)
    finally:
        proxy.close()


def _rebind_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The proxy is a different authority from the emulator that issued the token: say it is meant."""
    from bridge._constants import ENV_ALLOW_AUTHORITY_CHANGE

    monkeypatch.setenv(ENV_ALLOW_AUTHORITY_CHANGE, "1")
