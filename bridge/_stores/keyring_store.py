"""`keyring` store: the OS keychain through the `keyring` library.

Windows Credential Manager, macOS Keychain, or the Secret Service on Linux (GNOME Keyring,
KWallet). Each entry is one keychain item (service "sam-bridge", account = entry name) holding
JSON {"value", "metadata"}; keychains cannot enumerate, so an index item lists the names.
"""
from __future__ import annotations

import json
import sys
from typing import Any, Mapping

from .._errors import StoreError, StoreUnavailableError
from ._base import MetadataValue, Secret, SecretStore

DEFAULT_SERVICE = "sam-bridge"
_INDEX = "__index__"
# Windows Credential Manager caps a blob at 2,560 bytes (UTF-16), smaller than a long refresh token
# with its metadata, so large values are split there.
_WINDOWS_CHUNK_CHARS = 1200

_ALTERNATIVES = (
    "Alternatives: run inside a desktop session (GNOME Keyring/KWallet), install and unlock "
    "gnome-keyring with dbus, use Azure Key Vault (--store keyvault:https://NAME.vault.azure.net), "
    "or a protected plaintext file (--store file:/path/to/store.json)."
)


def _keyring():  # type: ignore[no-untyped-def]
    try:
        import keyring
        import keyring.errors
    except ImportError:  # pragma: no cover - keyring is a hard dependency
        raise StoreUnavailableError("the keyring library is not installed: pip install keyring. " + _ALTERNATIVES)
    return keyring


class KeyringStore(SecretStore):
    def __init__(self, service: str = DEFAULT_SERVICE, *, chunk_chars: int | None = None) -> None:
        self.service = service
        self.uri = "keyring" if service == DEFAULT_SERVICE else f"keyring:{service}"
        self.chunk_chars = chunk_chars or (_WINDOWS_CHUNK_CHARS if sys.platform == "win32" else None)

    # -- raw access with errors translated ------------------------------------------------------
    def _call(self, what: str, fn, *args):  # type: ignore[no-untyped-def]
        keyring = _keyring()
        try:
            return fn(*args)
        except keyring.errors.KeyringLocked:
            raise StoreUnavailableError(
                "the OS keyring is locked; unlock it (log in to the desktop session, or "
                "`gnome-keyring-daemon --unlock` on a server) and retry. " + _ALTERNATIVES
            ) from None
        except keyring.errors.NoKeyringError:
            raise StoreUnavailableError("no OS keyring backend is available on this machine. " + _ALTERNATIVES) from None
        except keyring.errors.PasswordDeleteError:
            return None
        except keyring.errors.KeyringError as exc:
            raise StoreError(f"the OS keyring refused to {what}: {type(exc).__name__}: {exc}") from None
        except Exception as exc:  # D-Bus and backend-specific failures
            raise StoreUnavailableError(
                f"the OS keyring failed to {what} ({type(exc).__name__}: {exc}). " + _ALTERNATIVES
            ) from None

    def _get_raw(self, name: str) -> str | None:
        keyring = _keyring()
        raw = self._call("read", keyring.get_password, self.service, name)
        if raw is None or not raw.startswith("chunks:"):
            return raw
        count = int(raw.split(":", 1)[1])
        parts = [self._call("read", keyring.get_password, self.service, f"{name}#{i}") for i in range(count)]
        if any(p is None for p in parts):
            raise StoreError(f"the keyring entry {name!r} is incomplete (a chunk is missing); import it again.")
        return "".join(parts)  # type: ignore[arg-type]

    def _set_raw(self, name: str, raw: str) -> None:
        keyring = _keyring()
        size = self.chunk_chars
        if size and len(raw) > size:
            chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
            for i, chunk in enumerate(chunks):
                self._call("write", keyring.set_password, self.service, f"{name}#{i}", chunk)
            self._call("write", keyring.set_password, self.service, name, f"chunks:{len(chunks)}")
        else:
            self._call("write", keyring.set_password, self.service, name, raw)

    def _delete_raw(self, name: str) -> bool:
        keyring = _keyring()
        raw = self._call("read", keyring.get_password, self.service, name)
        if raw is None:
            return False
        if raw.startswith("chunks:"):
            for i in range(int(raw.split(":", 1)[1])):
                self._call("delete", keyring.delete_password, self.service, f"{name}#{i}")
        self._call("delete", keyring.delete_password, self.service, name)
        return True

    def _index(self) -> list[str]:
        raw = self._get_raw(_INDEX)
        if not raw:
            return []
        try:
            names = json.loads(raw)
        except ValueError:
            raise StoreError("the keyring index of sam-bridge entries is corrupt; remove the item "
                             f"'{_INDEX}' of service {self.service!r} and import again.") from None
        return [n for n in names if isinstance(n, str)]

    def _update_index(self, add: str | None = None, remove: str | None = None) -> None:
        with self.lock(_INDEX, timeout=30):
            names = set(self._index())
            if add:
                names.add(add)
            if remove:
                names.discard(remove)
            self._set_raw(_INDEX, json.dumps(sorted(names)))

    # -- contract ------------------------------------------------------------------------------
    def get(self, name: str) -> Secret | None:
        raw = self._get_raw(name)
        if raw is None:
            return None
        try:
            data: Any = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("value"), str):
                raise ValueError
        except ValueError:
            raise StoreError(
                f"the keyring entry {name!r} (service {self.service!r}) is not a sam-bridge entry; "
                "it was left untouched."
            ) from None
        return Secret(data["value"], data.get("metadata") or {})

    def put(self, name: str, value: str, metadata: Mapping[str, MetadataValue] | None = None) -> None:
        self._set_raw(name, json.dumps({"value": value, "metadata": dict(metadata or {})}))
        if name not in self._index():
            self._update_index(add=name)

    def delete(self, name: str) -> bool:
        removed = self._delete_raw(name)
        self._update_index(remove=name)
        return removed

    def list(self) -> list[str]:
        return sorted(self._index())

    def check(self) -> None:
        keyring = _keyring()
        backend = keyring.get_keyring()
        names = {type(backend).__module__ + "." + type(backend).__name__}
        if hasattr(backend, "backends"):  # a chainer: usable only if it chains something real
            names = {type(b).__module__ + "." + type(b).__name__ for b in backend.backends}
        if not names or all(n.startswith("keyring.backends.fail") for n in names):
            raise StoreUnavailableError("no OS keyring backend is available on this machine. " + _ALTERNATIVES)
        self._call("read", keyring.get_password, self.service, _INDEX)
