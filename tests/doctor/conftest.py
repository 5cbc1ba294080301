"""Doctor-suite fixtures and helpers.

Most tests call `bridge._services.doctor.diagnose()` in this process (the same code `sam-bridge doctor` runs,
against the real emulator over HTTPS, at a fraction of a subprocess's cost); the CLI contract itself
(text lines, `--json`, exit codes, `--tenant`) is tested through `python -m bridge doctor`.

`skewed_authority` is a small HTTPS reverse proxy in front of the emulator that lies about the time
in its Date header, as a machine with a wrong clock sees a correct authority (the emulator's Date
header follows the real clock, and its clock control moves token times, not that header).
"""
from __future__ import annotations

import email.utils
import json
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.emulator.conftest import only_loopback_network  # noqa: F401  (autouse guard, re-used)

GRAPH_DEFAULT = "https://graph.microsoft.com/.default"
PARTNER_CENTER = "https://api.partnercenter.microsoft.com/user_impersonation"
REPO_ROOT = Path(__file__).resolve().parents[2]


def diagnose(handle: Any, **kwargs: Any) -> dict[str, Any]:
    """Findings of one doctor run by check name (the order is asserted where it matters)."""
    from bridge._services.doctor import diagnose as run

    findings = run(handle.profile.name, **kwargs)
    by_check = {f.check: f for f in findings}
    assert len(by_check) == len(findings), f"a check was reported twice: {findings}"
    for f in findings:
        # The contract of every finding: a known status, something seen, and a fix unless ok.
        assert f.status in ("ok", "warn", "fail", "skip"), f
        assert f.detail, f
        assert f.status == "ok" or f.fix, f"{f.check} is {f.status} without a fix"
    return by_check


def statuses(findings: dict[str, Any]) -> dict[str, str]:
    return {name: f.status for name, f in findings.items()}


def rewrite_refresh_token_metadata(handle: Any, **changes: Any) -> None:
    """Keep the stored refresh token but change its metadata (e.g. an issue time long ago)."""
    name = f"{handle.profile.name}/refresh-token"
    stored = handle.store.get(name)
    assert stored is not None
    handle.store.put(name, stored.value, {**stored.metadata, **changes})


def iso_days_ago(days: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SkewedAuthority:
    authority_host: str
    ca_bundle: str  # the proxy's CA and the emulator's: msal follows discovery to the emulator directly
    requests_seen: list[str]


class _Proxy(BaseHTTPRequestHandler):
    upstream: str = ""
    upstream_session: Any = None
    offset_seconds: float = 0.0
    seen: list[str] = []

    def date_time_string(self, timestamp: float | None = None) -> str:  # the header under test
        return email.utils.formatdate(time.time() + self.offset_seconds, usegmt=True)

    def _forward(self) -> None:
        self.seen.append(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
        upstream = self.upstream_session.request(self.command, self.upstream + self.path, data=body,
                                                 headers=headers, allow_redirects=False)
        payload = upstream.content
        self.send_response(upstream.status_code)  # adds Server and the skewed Date
        for key, value in upstream.headers.items():
            if key.lower() in ("content-type", "cache-control", "location", "retry-after"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _forward  # noqa: N815

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture(scope="session")
def _proxy_tls() -> tuple[ssl.SSLContext, str]:
    """The proxy's own throw-away CA and server certificate (made once: key generation is slow)."""
    import trustme

    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context, ca.cert_pem.bytes().decode("ascii")


@pytest.fixture
def skewed_authority(emulator: Any, tmp_path: Path, _proxy_tls: tuple[ssl.SSLContext, str]) -> Iterator[Any]:
    """A factory: skewed_authority(offset_seconds) -> SkewedAuthority in front of the emulator."""
    context, ca_pem = _proxy_tls
    servers: list[ThreadingHTTPServer] = []

    def start(offset_seconds: float) -> SkewedAuthority:
        seen: list[str] = []
        handler = type("SkewedProxy", (_Proxy,), {
            "upstream": emulator.authority_host, "upstream_session": emulator.no_retry_http(),
            "offset_seconds": offset_seconds, "seen": seen,
        })
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        bundle = tmp_path / f"proxy-and-emulator-{len(servers)}.pem"
        bundle.write_text(ca_pem + Path(emulator.ca_bundle).read_text(), encoding="utf-8")
        return SkewedAuthority(f"https://127.0.0.1:{server.server_address[1]}", str(bundle), seen)

    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def cli_json(env: dict[str, str], *args: str, extra_env: dict[str, str] | None = None) -> tuple[int, list[dict[str, Any]], str]:
    """`sam-bridge doctor ARGS --json` as a script runs it (env: a profile handle's): exit code,
    parsed findings, stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "bridge", "doctor", *args, "--json"],
        capture_output=True, text=True, env={**env, **(extra_env or {})}, cwd=str(REPO_ROOT), timeout=120,
    )
    try:
        data = json.loads(result.stdout)
    except ValueError:
        raise AssertionError(f"doctor --json printed no JSON (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, data, result.stderr
