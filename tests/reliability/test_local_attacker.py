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
    from bridge._core.constants import ENV_ALLOW_AUTHORITY_CHANGE

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


# ---------------------------------------------------------------------------------------------------
# 2. The loopback listener of browser consent: nobody else gets the redirect, nobody can hang it
# ---------------------------------------------------------------------------------------------------


def _free_port_on_both() -> int:
    import socket

    for _ in range(50):
        with socket.socket() as v4:
            v4.bind(("127.0.0.1", 0))
            port = int(v4.getsockname()[1])
            with socket.socket(socket.AF_INET6) as v6:
                try:
                    v6.bind(("::1", port))
                except OSError:
                    continue
                return port
    raise AssertionError("no port free on both loopback addresses")


def _start_browser_consent(handle: ProfileHandle, port: int, timeout: float) -> Any:
    """`consent --browser` in a real process, with a browser command that opens nothing."""
    import subprocess
    import sys
    import time

    from tests.fixtures.profiles import REPO_ROOT

    handle.with_profile(redirect_port=port)
    process = subprocess.Popen(
        [sys.executable, "-m", "bridge", "consent", "--profile", "contoso", "--browser", "--timeout", str(timeout)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**handle.env, "BROWSER": "true"}, cwd=str(REPO_ROOT),
    )
    deadline = time.monotonic() + 60
    import socket

    while time.monotonic() < deadline:  # until the listener answers on both addresses
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            socket.create_connection(("::1", port), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise AssertionError(f"consent ended early: {process.communicate()}") from None
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the loopback listener never came up")


def _get(host: str, port: int, path: str) -> int:
    import http.client

    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": f"localhost:{port}"})
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_loopback_listener_holds_both_addresses_of_localhost(emulator_profile: ProfileHandle, figures: Any) -> None:
    """No other process can bind [::1]:PORT while consent waits, and a wrong state is refused, not fatal."""
    import errno
    import socket

    port = _free_port_on_both()
    process = _start_browser_consent(emulator_profile, port, 20)
    try:
        for family, host in ((socket.AF_INET6, "::1"), (socket.AF_INET, "127.0.0.1")):
            with socket.socket(family) as squatter:
                with pytest.raises(OSError) as refused:
                    squatter.bind((host, port))
                assert refused.value.errno == errno.EADDRINUSE
            figures.add("local attacker", "loopback address held")
        # Both addresses answer, an idle connection delays nobody, and a redirect of another attempt is
        # refused while the wait goes on.
        idle = socket.create_connection(("::1", port))
        idle.sendall(b"GET /?code=")  # and never finishes its request line
        assert _get("::1", port, "/?code=stolen&state=another-attempt") == 400
        assert _get("127.0.0.1", port, "/?code=stolen&state=another-attempt") == 400
        assert process.poll() is None, "a wrong state must not end the consent"
        idle.close()
        figures.add("local attacker", "wrong state refused", 2)
    finally:
        process.kill()
        process.communicate()


def test_consent_refuses_a_port_another_process_holds_on_the_ipv6_loopback(emulator_profile: ProfileHandle,
                                                                            figures: Any) -> None:
    """A process that bound [::1]:PORT first would get the code: consent stops before any browser opens."""
    import socket

    from bridge._services.consent import consent
    from bridge._core.errors import InvalidInputError

    port = _free_port_on_both()
    handle = emulator_profile.with_profile(redirect_port=port)
    opened: list[str] = []
    with socket.socket(socket.AF_INET6) as squatter:
        squatter.bind(("::1", port))
        squatter.listen()
        with pytest.raises(InvalidInputError, match=rf"cannot listen on \[::1\] port {port} .*another process holds"):
            consent(handle.profile, handle.store, "browser", open_browser=lambda url: opened.append(url) or True,
                    prompt=lambda text: None, timeout=5)
    assert opened == [], "the browser must not be sent to a redirect another process receives"
    figures.add("local attacker", "squatted port refused")


def test_an_idle_connection_neither_blocks_the_listener_nor_outlives_the_timeout(emulator_profile: ProfileHandle,
                                                                                 figures: Any) -> None:
    import socket
    import subprocess
    import time

    port = _free_port_on_both()
    timeout = 6
    process = _start_browser_consent(emulator_profile, port, timeout)
    idle = socket.create_connection(("127.0.0.1", port))  # connects, then never sends a byte
    try:
        started = time.monotonic()
        try:
            out, err = process.communicate(timeout=timeout + 60)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            raise AssertionError(f"consent --timeout {timeout} was still running {timeout + 60} s later") from None
        figures.set("local attacker", "idle connection: consent --timeout 6 ended after (s)", round(time.monotonic() - started, 1))
        assert process.returncode == 4, err
        assert f"no sign-in redirect arrived within {timeout} s" in err
    finally:
        idle.close()
        if process.poll() is None:
            process.kill()
            process.communicate()


# ---------------------------------------------------------------------------------------------------
# 3. A stored refresh token goes only to the authority that issued it; other authorities are explicit
# ---------------------------------------------------------------------------------------------------


def test_a_stored_token_is_never_presented_to_another_authority(consented_profile: ProfileHandle,
                                                                figures: Any) -> None:
    from bridge._core.scrub import fingerprint

    emulator = consented_profile.emulator
    proxy = HostileProxy(emulator)  # an authority trusted through SAM_BRIDGE_CA_BUNDLE, but not the token's
    try:
        rt = consented_profile.refresh_token()
        before = file_bytes(consented_profile.store.path)
        elsewhere = {"SAM_BRIDGE_AUTHORITY_HOST": proxy.url, "SAM_BRIDGE_CA_BUNDLE": emulator.ca_bundle}
        for args in (("token", "--scope", GRAPH, "--force-refresh"), ("keepalive",),
                     ("token", "--scope", GRAPH, "--tenant", emulator.ids.fabrikam, "--tenant", emulator.ids.northwind)):
            result = consented_profile.cli(*args, env=elsewhere)
            assert_refused(result, 3, rf"was issued by {emulator.authority_host}/\S+, not by {proxy.url}/\S+; it was not sent there")
            assert "SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE=1" in result.stderr
            figures.add("local attacker", "other authority refused")
        # Another partner tenant on the same host is another authority too.
        moved = consented_profile.with_profile(tenant=emulator.ids.fabrikam)
        assert_refused(moved.cli("token", "--scope", GRAPH, "--force-refresh"), 3, r"was issued by .*, not by")
        figures.add("local attacker", "other authority refused")
        consented_profile.with_profile()  # back to the partner tenant
        assert proxy.token_requests == [], "the refresh token reached the other authority"
        assert file_bytes(consented_profile.store.path) == before
        # The explicit override presents it, says so, and the record then names the new authority.
        result = consented_profile.cli("token", "--scope", GRAPH, "--force-refresh",
                                       env={**elsewhere, "SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE": "1"})
        assert result.returncode == 0, result.stderr
        assert f"to {proxy.url}/" in result.stderr and "allowed by SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE" in result.stderr
        assert rt not in result.stderr
        assert len(proxy.token_requests) == 1 and fingerprint(rt) not in result.stderr
        assert consented_profile.metadata()["authority_host"] == proxy.url
    finally:
        proxy.close()


def test_an_authority_that_is_not_microsofts_needs_an_explicit_flag(isolated_env: dict[str, str], figures: Any) -> None:
    app, tenant = "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c", "contoso.onmicrosoft.com"
    plain = {"SAM_BRIDGE_ALLOW_CUSTOM_AUTHORITY": ""}
    add = ("profile", "add", "x", "--app-id", app, "--tenant", tenant, "--store", "memory:custom-authority")
    for host in ("https://login.evil-example.com", "https://login.microsoftonline.com.evil-example.com",
                 "https://127.0.0.1:8443", "https://login.microsoftonline.com:8443"):
        result = run_cli(*add, "--authority-host", host, env=plain)
        assert_refused(result, 2, r"is not a Microsoft Entra authority .* --allow-custom-authority")
        figures.add("local attacker", "custom authority refused")
    assert not Path(isolated_env["SAM_BRIDGE_CONFIG"]).exists()
    for host in ("https://login.microsoftonline.us", "https://login.partner.microsoftonline.cn"):
        assert run_cli(*add, "--authority-host", host, env=plain).returncode == 0
    ok = run_cli(*add, "--authority-host", "https://login.evil-example.com", "--allow-custom-authority", env=plain)
    assert ok.returncode == 0, ok.stderr
    assert "custom_authority = true" in Path(isolated_env["SAM_BRIDGE_CONFIG"]).read_text()


# ---------------------------------------------------------------------------------------------------
# 4. Private directories and files whatever the umask; a planted or writable store or config is refused
# ---------------------------------------------------------------------------------------------------


def test_everything_created_is_private_under_umask_000(emulator_profile: ProfileHandle, tmp_path: Path,
                                                       figures: Any) -> None:
    import os
    import stat
    import subprocess
    import sys

    from tests.fixtures.profiles import REPO_ROOT

    home = tmp_path / "umask000"
    home.mkdir(mode=0o700)
    env = {**emulator_profile.env, "SAM_BRIDGE_CONFIG": str(home / "cfg" / "deeper" / "config.toml"),
           "SAM_BRIDGE_CACHE_DIR": str(home / "cache" / "deeper")}
    emulator = emulator_profile.emulator
    for args, stdin in ((("profile", "add", "umask", "--app-id", emulator.ids.secret_app, "--tenant", emulator.ids.partner,
                          "--secret-stdin", "--authority-host", emulator.authority_host, "--ca-bundle", emulator.ca_bundle,
                          "--store", f"file:{home / 'store' / 'deeper' / 'store.json'}"), "a-client-secret-value"),
                        (("token", "--profile", "umask", "--scope", GRAPH), "")):
        done = subprocess.run([sys.executable, "-m", "bridge", *args], input=stdin, capture_output=True, text=True,
                              env=env, cwd=str(REPO_ROOT), timeout=120, preexec_fn=lambda: os.umask(0))
        assert "Traceback" not in done.stderr, done.stderr
    made = sorted(p for p in home.rglob("*"))
    assert any(p.name == "store.json" for p in made) and any(p.name == "config.toml" for p in made)
    assert any(p.parent.name == "locks" for p in made), made
    wrong = [(str(p.relative_to(home)), oct(stat.S_IMODE(p.stat().st_mode))) for p in made
             if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)]
    assert wrong == [], f"not private under umask 000: {wrong}"
    figures.set("local attacker", "paths created under umask 000, all 0700/0600", len(made))


def _assert_refused_everywhere(handle: ProfileHandle, pattern: str, figures: Any, key: str) -> None:
    from tests.reliability._helpers import last_seq, requests_to

    since = last_seq(handle.emulator)
    for args in (("token", "--scope", GRAPH, "--force-refresh"), ("status",), ("keepalive",)):
        assert_refused(handle.cli(*args), 3, pattern)
        figures.add("local attacker", key)
    assert requests_to(handle.emulator, since, "token") == [], "a refused file must stop before Entra"


def test_a_store_or_config_another_user_planted_or_can_write_is_refused(consented_profile: ProfileHandle,
                                                                        figures: Any) -> None:
    import json
    import os

    store, config = consented_profile.store.path, consented_profile.config_path
    genuine = store.read_bytes()
    planted = json.loads(genuine)
    planted["entries"]["contoso/refresh-token"]["value"] = "1.planted-by-another-user-" + "P" * 80
    if os.getuid() == 0:  # root can play the other user: the file is theirs, world-readable as they left it
        store.write_text(json.dumps(planted))
        os.chown(store, 65534, 65534)
        os.chmod(store, 0o644)
        _assert_refused_everywhere(consented_profile, r"the store file .* is owned by another user \(uid 65534", figures,
                                   "planted store refused")
        store.unlink()
        store.write_bytes(genuine)
        os.chmod(store, 0o600)
        os.chown(config, 65534, 65534)
        _assert_refused_everywhere(consented_profile, r"the config file .* is owned by another user", figures,
                                   "planted config refused")
        os.chown(config, 0, 0)
    # A file of ours that others can write, and a directory above it that others can write.
    os.chmod(store, 0o622)
    _assert_refused_everywhere(consented_profile, r"the store file .* is writable by other users \(mode 622\)", figures,
                               "writable store refused")
    os.chmod(store, 0o600)
    os.chmod(config, 0o666)
    _assert_refused_everywhere(consented_profile, r"the config file .* is writable by other users \(mode 666\)", figures,
                               "writable config refused")
    os.chmod(config, 0o600)
    os.chmod(store.parent, 0o777)
    try:
        _assert_refused_everywhere(consented_profile, rf"the directory {store.parent} above the config file .* "
                                   r"writable by other users \(mode 777\)", figures, "writable directory refused")
    finally:
        os.chmod(store.parent, 0o700)
    assert consented_profile.cli("token", "--scope", GRAPH, "--force-refresh").returncode == 0


# ---------------------------------------------------------------------------------------------------
# 7. refresh-token import: the shape of a token, a redemption before replacing, and a way back
# ---------------------------------------------------------------------------------------------------


def test_refresh_token_import_never_loses_a_working_token(consented_profile: ProfileHandle, figures: Any) -> None:
    from tests.fixtures.profiles import device_code_consent
    from tests.reliability._helpers import last_seq, requests_to

    handle, emulator = consented_profile, consented_profile.emulator
    good = handle.refresh_token()
    before = file_bytes(handle.store.path)
    since = last_seq(emulator)
    for value in ("-", "'", "$(id)", "0.AXkA-$(id)-and-more-text", "`whoami`-0.AXkA0123456789", "0.AX"):
        assert_refused(handle.cli("refresh-token", "import", input=value), 2, r"that is not a refresh token")
        figures.add("local attacker", "import: not a token")
    assert requests_to(emulator, since, "token") == [] and file_bytes(handle.store.path) == before
    # The right shape, but no token Entra issued: the redemption before replacing refuses it.
    assert_refused(handle.cli("refresh-token", "import", input="0.AXkA" + "Q" * 64), 4, r"AADSTS70000|not valid")
    assert file_bytes(handle.store.path) == before
    figures.add("local attacker", "import: refused by the redemption")
    # A working token replaces the stored one; the replaced record stays and comes back with --restore.
    other = handle.with_profile()
    other_store = other.store
    device_code_consent(other)
    newer = other.refresh_token()
    other_store.put("contoso/refresh-token", good, handle.metadata())  # (the consent wrote to the same store)
    done = handle.cli("refresh-token", "import", input=newer)
    assert done.returncode == 0 and "--restore" in done.stdout, done.stderr
    assert handle.refresh_token() == newer
    assert handle.store.get("contoso/refresh-token-previous").value == good
    # --no-verify stores what it is given (a machine without the authority): still recoverable.
    assert handle.cli("refresh-token", "import", "--no-verify", input="0.AXkA" + "Z" * 64).returncode == 0
    assert_refused(handle.cli("token", "--scope", GRAPH, "--force-refresh"), 4, r"AADSTS70000|not valid")
    restored = handle.cli("refresh-token", "import", "--restore")
    assert restored.returncode == 0, restored.stderr
    assert handle.refresh_token() == newer
    assert handle.cli("token", "--scope", GRAPH, "--force-refresh").returncode == 0
    figures.add("local attacker", "import: restored")


def test_doctor_reports_a_port_another_process_holds_on_the_ipv6_loopback(emulator_profile: ProfileHandle,
                                                                          figures: Any) -> None:
    import socket

    from bridge._services.doctor import diagnose

    port = _free_port_on_both()
    handle = emulator_profile.with_profile(redirect_port=port)
    with socket.socket(socket.AF_INET6) as squatter:
        squatter.bind(("::1", port))
        squatter.listen()
        finding = next(f for f in diagnose(handle.profile.name) if f.check == "loopback_port")
    assert finding.status == "fail" and f"localhost port {port} cannot receive" in finding.detail and "[::1]" in finding.detail
    figures.add("local attacker", "squatted port reported by doctor")
