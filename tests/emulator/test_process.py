"""The process: start/stop on signals, seeds and state dir, the in-thread API, and network isolation."""
from __future__ import annotations

import json
import shutil
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bridge.emulator import TokenValidationError, start_in_thread
from tests.fixtures.emulator import REPO_ROOT, load_default_seed, start_emulator_process

from ._helpers import GRAPH, verify_token


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CA and signing key made once for this module (RSA key generation is the slow part of a start)."""
    from bridge.emulator._pki import Pki

    directory = tmp_path_factory.mktemp("emulator-keys")
    Pki.load_or_create(directory)
    return directory


@pytest.fixture
def state_dir(keys: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(keys, tmp_path / "state"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_exits_0_on_signal(tmp_path, state_dir, sig):
    process = start_emulator_process(["--port", "0", "--state-dir", str(state_dir)], stderr_dir=tmp_path)
    info = process.info
    assert set(info) >= {"authority_host", "ca_bundle", "control_url", "partner_tenant", "port", "pid"}
    assert info["authority_host"] == f"https://127.0.0.1:{info['port']}" and info["pid"] == process.popen.pid
    assert info["ca_bundle"] == str(tmp_path / "state" / "ca.pem")
    assert process.stop(sig) == 0, process.stderr()
    assert "Entra ID emulator stopped" in process.stderr()


def test_state_dir_keeps_ca_and_signing_key(tmp_path):
    state = tmp_path / "fresh-state"  # empty: the first start creates the CA and the signing key
    kids = []
    for _ in range(2):
        process = start_emulator_process(["--state-dir", str(state)], stderr_dir=tmp_path)
        try:
            ca = process.info["ca_bundle"]
            from bridge._auth.http import build_session

            jwks = build_session(ca).get(f"{process.info['authority_host']}/common/discovery/v2.0/keys").json()
            kids.append((open(ca).read(), jwks["keys"][0]["kid"]))
        finally:
            assert process.stop() == 0
    assert kids[0] == kids[1]


def test_custom_seed_and_invalid_seed(tmp_path, state_dir):
    seed = load_default_seed()
    seed["tenants"][0]["name"] = "Renamed Partner"
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    handle = start_in_thread(seed=path, state_dir=state_dir)
    try:
        tenants = handle.client().get_directory()["tenants"]
        assert tenants[0]["name"] == "Renamed Partner"
    finally:
        handle.stop()
    seed["users"][0]["tenant"] = "11111111-1111-1111-1111-111111111111"
    path.write_text(json.dumps(seed))
    result = subprocess.run(
        [sys.executable, "-m", "bridge.emulator", "serve", "--seed", str(path)],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=60,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert "invalid seed: users[0]: tenant 11111111-1111-1111-1111-111111111111 is not in 'tenants'" in result.stderr


def test_start_in_thread_and_token_validation_for_resource_emulators():
    with start_in_thread() as handle:  # no state dir: a temporary one, removed by stop()
        client = handle.client()
        assert client.health()["status"] == "ok"
        state = handle.state
        from bridge._auth.http import build_session
        import msal

        app = msal.ConfidentialClientApplication(
            load_default_seed()["apps"][1]["app_id"],
            client_credential="emulator-client-secret-value",
            authority=f"{handle.authority_host}/{handle.partner_tenant}",
            http_client=build_session(handle.ca_bundle),
            instance_discovery=False,
        )
        token = app.acquire_token_for_client(["https://vault.azure.net/.default"])["access_token"]
        claims = state.validate_access_token(token, "https://vault.azure.net")
        assert claims["aud"] == "https://vault.azure.net"
        # The resource may be named by its app id too, and a trailing slash does not matter.
        state.validate_access_token(token, "cfa8b339-82a2-471a-a3c9-0fc0be7a4093")
        state.validate_access_token(token, "https://vault.azure.net/")
        with pytest.raises(TokenValidationError, match="audience"):
            state.validate_access_token(token, "https://graph.microsoft.com")
        with pytest.raises(TokenValidationError):
            state.validate_access_token(token[:-8] + "AAAAAAAA", "https://vault.azure.net")
        client.advance_clock(3601)
        with pytest.raises(TokenValidationError, match="expired"):
            state.validate_access_token(token, "https://vault.azure.net")
    with pytest.raises(ConnectionRefusedError):  # the port is released ...
        socket.create_connection(("127.0.0.1", handle.port), timeout=5)
    assert not os.path.exists(handle.ca_bundle)  # ... and the temporary CA removed


def test_hostile_environment_proxy_and_ca_bundle(emulator, monkeypatch, tmp_path):
    """A dead proxy and a bogus CA bundle in the environment change nothing: trust is pinned, loopback is direct."""
    bogus = tmp_path / "bogus-ca.pem"
    bogus.write_text("not a certificate\n")
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # discard port: nothing listens
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bogus))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(bogus))

    # A plain requests session would obey the environment and fail.
    naive = requests.Session()
    naive.verify = emulator.ca_bundle
    with pytest.raises(requests.RequestException):
        naive.get(f"{emulator.authority()}/v2.0/.well-known/openid-configuration", timeout=5)

    result = emulator.device_code_login(emulator.public_app(), [GRAPH])
    assert verify_token(emulator, result["access_token"])["aud"] == "https://graph.microsoft.com"
    refreshed = emulator.public_app(emulator.ids.fabrikam).acquire_token_by_refresh_token(result["refresh_token"], [GRAPH])
    assert "access_token" in refreshed


def test_importing_the_package_is_cheap():
    """`import bridge` start-up time is benchmarked: the server stack loads only when an emulator starts."""
    code = (
        "import sys, bridge.emulator as e; e.EmulatorClient; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('werkzeug', 'trustme', 'jwt', 'msal')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_keep_alive(emulator):
    """HTTP/1.1 connections are reused (werkzeug 2.2 would close each one)."""
    session = emulator.http()
    url = f"{emulator.authority()}/discovery/v2.0/keys"
    first = session.get(url)
    assert first.headers.get("Connection", "").lower() != "close"
    pool = session.adapters["https://"].poolmanager.connection_from_url(url)
    for _ in range(5):
        assert session.get(url).status_code == 200
    assert pool.num_connections == 1
