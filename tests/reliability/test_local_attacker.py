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


# ---------------------------------------------------------------------------------------------------
# 5. The RPC reader bounds nesting and size
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, request_text", [
    ("unclosed-nesting", "[" * 100000),
    ("closed-nesting", "[" * 100000 + "]" * 100000),
    ("nested-args", '{"command": "status", "args": {"a": ' + "[" * 40 + "]" * 40 + "}}"),
    ("oversized", '{"command": "status", "args": {"a": "' + "x" * (9 * 1024 * 1024) + '"}}'),
], ids=lambda value: value if len(value) < 40 else "")
def test_the_rpc_reader_answers_hostile_requests_with_a_protocol_error(name: str, request_text: str,
                                                                       isolated_env: dict[str, str], figures: Any) -> None:
    import json
    import subprocess
    import sys

    from tests.fixtures.profiles import REPO_ROOT

    done = subprocess.run([sys.executable, "-m", "bridge", "rpc"], input=request_text + "\n", capture_output=True,
                          text=True, env=isolated_env, cwd=str(REPO_ROOT), timeout=120)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout[:500]
    response = json.loads(lines[0])
    assert response["ok"] is False and response["error"]["error_id"] == "SamBridge.ProtocolError", response
    assert done.returncode == 2
    figures.add("local attacker", "rpc protocol error")


# ---------------------------------------------------------------------------------------------------
# 6. Paths no file system takes are refused with exit 2, never the internal-error path
# ---------------------------------------------------------------------------------------------------


def test_unusable_paths_on_the_command_line(isolated_env: dict[str, str], tmp_path: Path, figures: Any) -> None:
    app, tenant = "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c", "contoso.onmicrosoft.com"
    add = ("profile", "add", "x", "--app-id", app, "--tenant", tenant)
    cases = [
        (add + ("--store", "file:" + "a" * 100000), r"file store path .* is longer than 4096 bytes"),
        (add + ("--store", f"file:{tmp_path}/" + "n" * 300 + ".json"), r"file store path .* name longer than 255 bytes"),
        (add + ("--store", f"file:{tmp_path}/x\udcffy.json"), r"file store path .* not valid text \(undecodable bytes\)"),
        (("--config", "c" * 100000, "profile", "list"), r"config file path .* is longer than 4096 bytes"),
        (("--config", f"{tmp_path}/c\udcff.toml") + add + ("--store", "memory"), r"config file path .* not valid text"),
    ]
    for args, message in cases:
        result = run_cli(*args)
        assert_refused(result, 2, message)
        figures.add("local attacker", "unusable path")
    assert not Path(isolated_env["SAM_BRIDGE_CONFIG"]).exists()
