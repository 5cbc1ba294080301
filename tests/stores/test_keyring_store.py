"""The `keyring` store beyond the contract: what a box without a usable Secret Service is told.

Each scenario runs in a fresh process, because the keyring library picks its backend once per
process (as it does for a user running the CLI). The scenarios without a Secret Service run twice:
with the backend keyring chooses on this machine, and with the `fail` backend it falls back to on a
bare machine (no libsecret bindings), so a developer's extra packages cannot hide what a fresh
machine says.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from bridge._stores.keyring_store import KeyringStore
from tests.fixtures.emulator import REPO_ROOT
from tests.fixtures.secret_service import SecretServiceDaemon

ALTERNATIVES = ("keyvault:https://", "file:", "gnome-keyring-daemon --unlock")

_PROBE = """
import json
from bridge._core.errors import SamBridgeError
from bridge._stores.keyring_store import KeyringStore
store = KeyringStore("sam-bridge-probe")
out = {}
for name, call in (("check", store.check), ("get", lambda: store.get("contoso/refresh-token")),
                   ("put", lambda: store.put("contoso/refresh-token", "rt"))):
    try:
        call()
        out[name] = None
    except SamBridgeError as exc:
        out[name] = [type(exc).__name__, exc.message]
print(json.dumps(out))
"""


# None: the backend keyring chooses here; the fail backend: what a machine without libsecret's
# bindings (gir1.2-secret-1) gets when no Secret Service answers.
BACKENDS = pytest.mark.parametrize("backend", [None, "keyring.backends.fail.Keyring"], ids=["chosen", "bare-machine"])


def _probe(env_changes: dict[str, str | None], backend: str | None = None) -> dict[str, Any]:
    env = dict(os.environ)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env.pop("PYTHON_KEYRING_BACKEND", None)
    if backend:
        env["PYTHON_KEYRING_BACKEND"] = backend
    env["PYTHONPATH"] = str(REPO_ROOT)
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=60, cwd=str(REPO_ROOT))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _assert_unavailable(result: dict[str, Any], reason: str) -> None:
    for call in ("check", "get", "put"):
        assert result[call] is not None, f"{call} worked without a Secret Service"
        kind, message = result[call]
        assert kind == "StoreUnavailableError"
        assert reason in message, message
        assert "locked" not in message.split("Alternatives")[0], message  # not mistaken for a lock
        for alternative in ALTERNATIVES:
            assert alternative in message, message


@BACKENDS
def test_headless_box_without_a_session_bus(backend: str | None) -> None:
    _assert_unavailable(_probe({"DBUS_SESSION_BUS_ADDRESS": None}, backend), "DBUS_SESSION_BUS_ADDRESS is not set")


@BACKENDS
def test_session_bus_address_pointing_nowhere(tmp_path: Path, backend: str | None) -> None:
    _assert_unavailable(
        _probe({"DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-such-socket"}, backend), "cannot be reached"
    )


@BACKENDS
def test_session_bus_without_a_secret_service(tmp_path: Path, backend: str | None) -> None:
    with closing_daemon(SecretServiceDaemon(tmp_path).start(with_keyring=False)) as bus:
        _assert_unavailable(_probe({"DBUS_SESSION_BUS_ADDRESS": bus.address}, backend),
                            "nothing provides org.freedesktop.secrets")


@BACKENDS
def test_cli_names_the_alternatives_on_a_headless_box(tmp_path: Path, backend: str | None) -> None:
    env = dict(os.environ, SAM_BRIDGE_CONFIG=str(tmp_path / "config.toml"), PYTHONPATH=str(REPO_ROOT))
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    env.pop("PYTHON_KEYRING_BACKEND", None)
    if backend:
        env["PYTHON_KEYRING_BACKEND"] = backend
    cli = [sys.executable, "-m", "bridge"]
    add = subprocess.run(cli + ["profile", "add", "contoso", "--app-id", "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c",
                                "--tenant", "contoso.onmicrosoft.com", "--store", "keyring"],
                         env=env, capture_output=True, text=True, timeout=60, cwd=str(REPO_ROOT))
    assert add.returncode == 3, add.stderr
    assert "Traceback" not in add.stderr
    assert "no Secret Service is available" in add.stderr
    for alternative in ALTERNATIVES:
        assert alternative in add.stderr


def test_a_locked_collection_says_locked(tmp_path: Path) -> None:
    """A real gnome-keyring whose login collection is locked (and no unlock prompt can be shown)."""
    with closing_daemon(SecretServiceDaemon(tmp_path).start()) as daemon:
        unlocked = _probe({"DBUS_SESSION_BUS_ADDRESS": daemon.address})
        assert unlocked == {"check": None, "get": None, "put": None}  # works while unlocked
        daemon.lock_default_collection()
        locked = _probe({"DBUS_SESSION_BUS_ADDRESS": daemon.address})
    for call in ("check", "get", "put"):
        assert locked[call] is not None, f"{call} worked on a locked keyring"
        kind, message = locked[call]
        assert kind == "StoreUnavailableError"
        assert "the OS keyring is locked" in message and "gnome-keyring-daemon --replace --unlock" in message
        assert "no Secret Service" not in message


def test_the_suite_uses_the_secret_service_backend(secret_service: SecretServiceDaemon) -> None:
    store = KeyringStore("sam-bridge-backend")
    store.check()
    assert store.backend == "keyring.backends.SecretService.Keyring"


def test_items_are_visible_to_other_secret_service_clients(secret_service: SecretServiceDaemon) -> None:
    """The entry is an ordinary Secret Service item (service, username attributes), e.g. for secret-tool."""
    import secretstorage

    KeyringStore("sam-bridge-visible").put("contoso/refresh-token", "0.AXvisible", {"mfa": True})
    with closing(secret_service.connect()) as connection:
        items = list(secretstorage.search_items(connection, {"service": "sam-bridge-visible", "username": "contoso/refresh-token"}))
        assert len(items) == 1
        assert json.loads(items[0].get_secret()) == {"value": "0.AXvisible", "metadata": {"mfa": True}}


def test_split_values_leave_no_stale_parts(secret_service: SecretServiceDaemon) -> None:
    """Windows' small blobs are emulated with a tiny chunk size on the real Secret Service."""
    import secretstorage

    store = KeyringStore("sam-bridge-chunks", chunk_chars=100)
    store.put("contoso/client-certificate", "A" * 1000, {"kind": "client-certificate"})
    store.put("contoso/client-certificate", "B" * 450)
    got = store.get("contoso/client-certificate")
    assert got is not None and got.value == "B" * 450 and dict(got.metadata) == {}
    with closing(secret_service.connect()) as connection:
        names = sorted(i.get_attributes()["username"] for i in secretstorage.search_items(connection, {"service": "sam-bridge-chunks"}))
    parts = [n for n in names if n.startswith("contoso/client-certificate#")]
    assert len(parts) == 5  # 450 characters of JSON-wrapped value in 100-character parts, old ones removed
    assert store.list() == ["contoso/client-certificate"]  # the parts are not entries
    assert store.delete("contoso/client-certificate")
    with closing(secret_service.connect()) as connection:
        left = [i.get_attributes()["username"] for i in secretstorage.search_items(connection, {"service": "sam-bridge-chunks"})]
    assert left == [] and store.list() == []


def test_the_index_used_where_the_keychain_cannot_search(secret_service: SecretServiceDaemon) -> None:
    """Windows and macOS keychains cannot enumerate: the index item lists the entries there."""
    store = KeyringStore("sam-bridge-indexed", index=True)
    for name in ("contoso/refresh-token", "contoso/client-secret", "fabrikam/refresh-token"):
        store.put(name, "v")
    store.put("contoso/refresh-token", "v2")
    assert store.delete("contoso/client-secret")
    assert store.list() == ["contoso/refresh-token", "fabrikam/refresh-token"]
    assert KeyringStore("sam-bridge-indexed").list() == store.list()  # the search agrees with the index
    raw = KeyringStore("sam-bridge-indexed")._get_raw("__index__")
    assert raw is not None and json.loads(raw) == ["contoso/refresh-token", "fabrikam/refresh-token"]


class closing_daemon:
    """`with closing_daemon(daemon.start()) as d:` stops the daemon however the block ends."""

    def __init__(self, daemon: SecretServiceDaemon) -> None:
        self.daemon = daemon

    def __enter__(self) -> SecretServiceDaemon:
        return self.daemon

    def __exit__(self, *exc: object) -> None:
        self.daemon.stop()
