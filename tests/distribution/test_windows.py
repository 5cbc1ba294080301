"""Windows by design, tested here (docs/DEPLOY.md, "Windows: what differs").

* Credential Manager, as keyring's Windows backend meets it: a blob of at most 2,560 bytes
  (CRED_MAX_CREDENTIAL_BLOB_SIZE; keyring writes UTF-16), and no listing of a service's items.
  The backend below is a real keyring backend with those two properties; the keyring store must
  keep a refresh token longer than that, with its metadata, and list it.
* The PSModulePath folders of each scope and edition, with spaces in them.
* The module reads every child process's output as UTF-8, never 5.1's OEM code page.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path, PureWindowsPath
from typing import Iterator

import keyring
import keyring.backend
import keyring.errors
import pytest

from bridge._stores.keyring_store import KeyringStore
from bridge.cli.psmodule import CORE_RECORD, install_module, manifest_version, module_roots, module_source

REPO = Path(__file__).resolve().parents[2]
CRED_MAX_CREDENTIAL_BLOB_SIZE = 5 * 512


class CredWriteError(Exception):
    """What pywin32's CredWrite raises for a blob over the limit: (1783, 'CredWrite', 'The stub received bad data.')."""


class WindowsLikeKeyring(keyring.backend.KeyringBackend):
    """Credential Manager's limits in a keyring backend: 2,560-byte UTF-16 blobs, no enumeration."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.refused = 0

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if len(password.encode("utf-16-le")) > CRED_MAX_CREDENTIAL_BLOB_SIZE:
            self.refused += 1
            raise CredWriteError(1783, "CredWrite", "The stub received bad data.")
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


@pytest.fixture
def windows_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[WindowsLikeKeyring]:
    monkeypatch.setenv("SAM_BRIDGE_CACHE_DIR", str(tmp_path / "cache"))
    previous = keyring.get_keyring()
    backend = WindowsLikeKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.mark.unit
def test_the_stand_in_refuses_what_credential_manager_refuses(windows_keyring: WindowsLikeKeyring) -> None:
    with pytest.raises(CredWriteError):
        windows_keyring.set_password("s", "u", "x" * 1281)  # 2,562 bytes in UTF-16
    windows_keyring.set_password("s", "u", "x" * 1280)


@pytest.mark.unit
def test_a_long_refresh_token_fits_the_windows_keyring_in_parts(windows_keyring: WindowsLikeKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as m:
        m.setattr(sys, "platform", "win32")  # the store sizes its parts by the platform it runs on
        store = KeyringStore("sam-bridge-windows")
    token = "0.AXoA" + "Ab-_9" * 900  # 4,506 characters: an Entra refresh token can run to several thousand
    metadata = {"user": "Zoë Admin <admin@contoso.onmicrosoft.com>", "source": "device-code", "mfa": True}
    store.put("contoso/refresh-token", token, metadata)
    read = store.get("contoso/refresh-token")
    assert read is not None and read.value == token
    assert read.metadata["user"] == metadata["user"]
    assert store.list() == ["contoso/refresh-token"]  # from the index item: the backend cannot enumerate
    assert windows_keyring.refused == 0
    assert len(windows_keyring.items) > 3  # header, parts, index
    assert max(len(v.encode("utf-16-le")) for v in windows_keyring.items.values()) <= CRED_MAX_CREDENTIAL_BLOB_SIZE
    # Rotated (a new token replaces the old): the old parts are gone, not left behind.
    store.put("contoso/refresh-token", token[::-1], metadata)
    assert store.get("contoso/refresh-token").value == token[::-1]  # type: ignore[union-attr]
    names = {u for (_s, u) in windows_keyring.items}
    assert len([n for n in names if n.startswith("contoso/refresh-token#")]) == len(names) - 2


@pytest.mark.unit
def test_without_parts_the_windows_keyring_refuses_the_token(windows_keyring: WindowsLikeKeyring) -> None:
    store = KeyringStore("sam-bridge-windows", chunk_chars=10**6)
    with pytest.raises(Exception) as raised:
        store.put("contoso/refresh-token", "x" * 4000)
    assert windows_keyring.refused == 1
    assert "x" * 100 not in str(raised.value)  # the value is not in the error


@pytest.mark.unit
def test_module_roots_on_windows() -> None:
    env = {"USERPROFILE": r"C:\Users\Zoë Admin", "ProgramFiles": r"C:\Program Files"}
    current = module_roots("CurrentUser", windows=True, env=env, home=Path("/unused"))
    assert [PureWindowsPath(p) for p in current] == [
        PureWindowsPath(r"C:\Users\Zoë Admin\Documents\PowerShell\Modules"),
        PureWindowsPath(r"C:\Users\Zoë Admin\Documents\WindowsPowerShell\Modules"),
    ]
    every = module_roots("AllUsers", windows=True, env=env, home=Path("/unused"))
    assert [PureWindowsPath(p) for p in every] == [
        PureWindowsPath(r"C:\Program Files\PowerShell\Modules"),
        PureWindowsPath(r"C:\Program Files\WindowsPowerShell\Modules"),
    ]


@pytest.mark.unit
def test_module_roots_elsewhere_and_a_bad_scope() -> None:
    assert module_roots("CurrentUser", windows=False, env={}, home=Path("/home/u")) == [Path("/home/u/.local/share/powershell/Modules")]
    assert module_roots("AllUsers", windows=False, env={}, home=Path("/home/u")) == [Path("/usr/local/share/powershell/Modules")]
    with pytest.raises(Exception, match="CurrentUser or AllUsers"):
        module_roots("Machine", windows=False, env={}, home=Path("/home/u"))


@pytest.mark.unit
def test_install_replaces_its_own_version_only_and_records_the_interpreter(tmp_path: Path) -> None:
    assert module_source() == REPO / "psmodule" / "SamBridge"  # the editable install: the checkout's, live
    root = tmp_path / "Program Files" / "Modules"
    other = root / "SamBridge" / "0.0.9"
    other.mkdir(parents=True)
    first = install_module(root)
    (first / "stale.ps1").write_text("# left by an older copy of the same version\n")
    again = install_module(root)
    assert again == first == root / "SamBridge" / manifest_version(module_source())
    assert not (again / "stale.ps1").exists()
    assert other.is_dir()
    record = json.loads((again / CORE_RECORD).read_text(encoding="utf-8"))
    assert record["python"] == sys.executable
    assert list(Path(record["site"]).glob("sam_bridge-*.dist-info")), record  # the editable install's


@pytest.mark.unit
def test_the_manifest_and_the_core_are_in_version_step() -> None:
    from bridge._version import __version__

    assert manifest_version(REPO / "psmodule" / "SamBridge") == __version__


@pytest.mark.unit
def test_every_child_process_of_the_module_is_read_as_utf8() -> None:
    """Windows PowerShell 5.1 decodes redirected output with the OEM code page unless told otherwise."""
    for script in sorted((REPO / "psmodule" / "SamBridge").rglob("*.ps1")):
        text = script.read_text(encoding="utf-8-sig")
        if re.search(r"RedirectStandardOutput\s*=\s*\$true", text):
            assert "StandardOutputEncoding" in text, script.name
            assert "PYTHONIOENCODING" in text, script.name
