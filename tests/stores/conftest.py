"""Fixtures for the store suite: every backend as a real thing.

* `keyvault`: the Key Vault emulator (bridge/emulator/keyvault.py) over HTTPS, trusting tokens the
  Entra emulator issues. If the emulator's ready line names a `keyvault_url` (the vault served as
  a second listener of `sam-bridge emulator serve`), that one is used; otherwise a KeyVaultServer
  is started in this process with the Entra emulator's CA and checks tokens against its JWKS.
  The `keyvault` fixture empties it per test (and resets the Entra emulator through `emulator`);
  DefaultAzureCredential gets the confidential app's client credentials from the environment.
* `store_case`: one backend per parameter (memory, file, keyring on a real Secret Service, Key
  Vault through the SDK), with the URI and open_store context a child process needs.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest

from tests.fixtures.emulator import REPO_ROOT, EmulatorProcess

BACKENDS = ("memory", "file", "keyring", "keyvault")
SECRET_APP = "fdfc3a80-858a-4d5a-bf36-e3e72b287785"
SECRET_APP_SECRET = "emulator-client-secret-value"


@dataclass
class KeyVaultEndpoint:
    """A running emulated vault: its URL, the CA to trust, the Entra authority, and its control API."""

    url: str
    ca_bundle: str
    authority_host: str
    tenant: str
    server: Any = None  # the in-process KeyVaultServer, when this suite started one

    def __post_init__(self) -> None:
        from bridge._auth.http import build_session

        self._session = build_session(self.ca_bundle)

    def control(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = self._session.request(method, f"{self.url}/_emulator/{path}", json=body, params=params or None)
        assert response.status_code < 400, (response.status_code, response.text)
        return response.json()

    def reset(self) -> None:
        self.control("POST", "reset")

    def add_fault(self, kind: str, count: int = 1, **extra: Any) -> dict[str, Any]:
        return self.control("POST", "faults", {"target": "keyvault", "kind": kind, "count": count, **extra})

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        return self.control("GET", "requests", since=since)

    def secrets(self) -> list[dict[str, Any]]:
        return self.control("GET", "secrets")

    def set_access(self, principals: Mapping[str, list[str]] | None) -> None:
        self.control("PUT", "access", {"principals": principals})

    def credential_env(self) -> dict[str, str]:
        """What DefaultAzureCredential's EnvironmentCredential reads, for the emulator's secret app."""
        return {
            "AZURE_CLIENT_ID": SECRET_APP,
            "AZURE_CLIENT_SECRET": SECRET_APP_SECRET,
            "AZURE_TENANT_ID": self.tenant,
            "AZURE_AUTHORITY_HOST": self.authority_host,
        }


def _emulator_clock(info: Mapping[str, Any]) -> Any:
    """The Entra emulator's clock (it can be advanced), read through its control API at most every 0.5 s."""
    from bridge.emulator.client import EmulatorClient

    client = EmulatorClient.from_ready_line(info)
    cache = {"at": 0.0, "offset": 0.0}
    lock = threading.Lock()

    def now() -> float:
        with lock:
            if time.monotonic() - cache["at"] > 0.5:
                cache["offset"] = float(client.clock()["now"]) - time.time()
                cache["at"] = time.monotonic()
            return time.time() + cache["offset"]

    return now


@pytest.fixture(scope="session")
def keyvault_server(emulator_server: EmulatorProcess) -> Iterator[KeyVaultEndpoint]:
    """The session's emulated vault (see the module docstring for which one)."""
    info = emulator_server.info
    tenant, authority_host, ca_bundle = info["partner_tenant"], info["authority_host"], info["ca_bundle"]
    if info.get("keyvault_url"):
        yield KeyVaultEndpoint(info["keyvault_url"], ca_bundle, authority_host, tenant)
        return
    from bridge.emulator._pki import Pki
    from bridge.emulator.keyvault import jwks_validator, start_keyvault_in_thread

    # The emulator keeps its CA (and key) beside ca.pem; reusing it means one CA bundle trusts both
    # listeners, as it will when the vault runs inside the emulator process.
    pki = Pki.load_or_create(Path(ca_bundle).parent)
    clock = _emulator_clock(info)
    server = start_keyvault_in_thread(
        jwks_validator(authority_host, ca_bundle, clock, tenant=tenant),
        f"{authority_host}/{tenant}",
        pki.server_context,
        clock=clock,
    )
    try:
        yield KeyVaultEndpoint(server.url, ca_bundle, authority_host, tenant, server)
    finally:
        server.stop()


@pytest.fixture
def keyvault(keyvault_server: KeyVaultEndpoint, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> KeyVaultEndpoint:
    """The emulated vault, emptied, with DefaultAzureCredential configured through the environment."""
    keyvault_server.reset()
    for key, value in keyvault_server.credential_env().items():
        monkeypatch.setenv(key, value)
    from azure.keyvault.secrets._shared import http_challenge_cache

    http_challenge_cache.clear()  # the SDK caches challenges per host, process-wide
    return keyvault_server


@pytest.fixture(autouse=True)
def private_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Locks and caches of this test (and its child processes) in its own directory."""
    directory = tmp_path / "state"
    directory.mkdir()
    monkeypatch.setenv("SAM_BRIDGE_CACHE_DIR", str(directory))
    return directory


@dataclass
class StoreCase:
    """One backend under test: the store, and how a child process opens the same one."""

    kind: str
    uri: str
    context: dict[str, Any] = field(default_factory=dict)
    keyvault: KeyVaultEndpoint | None = None
    path: Path | None = None

    def open(self) -> Any:
        from bridge._stores import open_store

        return open_store(self.uri, **self.context)


def make_case(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> StoreCase:
    import uuid

    if kind == "memory":
        return StoreCase(kind, f"memory:t{uuid.uuid4().hex[:12]}")
    if kind == "file":
        path = tmp_path / "secrets" / "store.json"
        return StoreCase(kind, f"file:{path}", path=path)
    if kind == "keyring":
        request.getfixturevalue("secret_service")
        return StoreCase(kind, f"keyring:sam-bridge-test-{uuid.uuid4().hex[:12]}")
    if kind == "keyvault":
        vault: KeyVaultEndpoint = request.getfixturevalue("keyvault")
        return StoreCase(kind, f"keyvault:{vault.url}", {"ca_bundle": vault.ca_bundle}, keyvault=vault)
    raise ValueError(kind)


@pytest.fixture(params=BACKENDS)
def store_case(request: pytest.FixtureRequest, tmp_path: Path) -> StoreCase:
    """Each backend in turn; the keyring and Key Vault cases start their real services.

    Keyring cases use a fresh service name per test inside the session's throw-away keyring.
    """
    return make_case(request.param, request, tmp_path)


def run_worker(*args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """Start `python -m tests.stores._workers ARGS` with this process's environment."""
    environment = dict(os.environ if env is None else env)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), environment.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.stores._workers", *args],
        cwd=str(REPO_ROOT), env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 120.0) -> dict[str, Any]:
    """Wait for a worker and return the JSON it printed (failing the test with its stderr otherwise)."""
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"worker still running after {timeout:.0f} s (killed):\n{err[-4000:]}")
    if process.returncode != 0:
        pytest.fail(f"worker exited with {process.returncode}:\n{err[-4000:]}")
    return json.loads(out.strip().splitlines()[-1])
