"""`keyring` store: the OS keychain through the `keyring` library.

Windows Credential Manager, macOS Keychain, or the Secret Service on Linux (GNOME Keyring,
KWallet). Each entry is one keychain item (service "sam-bridge", account = entry name) holding
JSON {"value", "metadata"}. The keyring API cannot enumerate, so an index item lists the names,
except on the Secret Service, which is searched by attribute instead.

On Linux, when no Secret Service answers, the keyring library falls back to its libsecret backend
(which reports every failure as "locked") where libsecret's introspection data is installed, and to
its `fail` backend where it is not (a bare machine). Either way, before blaming a lock or a missing
backend, this store asks the D-Bus session bus itself whether a Secret Service is there, and says so.
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import closing
from typing import Any, Mapping

from .._core.errors import StoreError, StoreUnavailableError
from ._base import MetadataValue, Secret, SecretStore, check_entry_name, check_value, normalize_metadata

DEFAULT_SERVICE = "sam-bridge"
_INDEX = "__index__"
# Windows Credential Manager caps a blob at 2,560 bytes (UTF-16), smaller than a long refresh token
# with its metadata, so large values are split there.
_WINDOWS_CHUNK_CHARS = 1200

_ALTERNATIVES = (
    "Alternatives: run inside a desktop session (GNOME Keyring/KWallet); on a server start one with "
    "`dbus-run-session -- sh -c 'printf %s \"$PW\" | gnome-keyring-daemon --unlock --components=secrets; sam-bridge ...'`; "
    "use Azure Key Vault (--store keyvault:https://NAME.vault.azure.net); "
    "or a protected plaintext file (--store file:/path/to/store.json)."
)
_SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
_LINUX_BACKENDS = (_SECRET_SERVICE, "keyring.backends.libsecret.Keyring")
_NO_BACKEND = ("keyring.backends.fail", "keyring.backends.null")


def _keyring():  # type: ignore[no-untyped-def]
    try:
        import keyring
        import keyring.errors
    except ImportError:  # pragma: no cover - keyring is a hard dependency
        raise StoreUnavailableError("the keyring library is not installed: pip install keyring. " + _ALTERNATIVES)
    return keyring


def _backend_names(backend: Any) -> list[str]:
    """Qualified class names of the backend keyring chose (every member of a chain, in order)."""
    try:
        members = getattr(backend, "backends", None)  # a chainer evaluates its members' priorities here
    except Exception:
        members = None
    chosen = list(members) if members is not None else [backend]
    return [type(b).__module__ + "." + type(b).__name__ for b in chosen]


def secret_service_problem() -> str | None:
    """Why no Secret Service can serve this Linux session, or None when one answers on D-Bus."""
    if not sys.platform.startswith("linux"):
        return None
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if not address:
        return (
            "no Secret Service is available: DBUS_SESSION_BUS_ADDRESS is not set, so there is no D-Bus "
            "session bus (a headless, SSH or container session)"
        )
    try:
        import secretstorage
    except ImportError:
        return None  # cannot tell from here; the backend's own error will have to do
    try:
        with closing(secretstorage.dbus_init()) as connection:
            if not secretstorage.check_service_availability(connection):
                return (
                    "no Secret Service is available: nothing provides org.freedesktop.secrets on the D-Bus "
                    "session bus (gnome-keyring-daemon or KWallet is not running)"
                )
    except Exception as exc:  # SecretServiceNotAvailableException, OSError, jeepney errors
        return f"no Secret Service is available: the D-Bus session bus at {address!r} cannot be reached ({exc})"
    return None


def _may_be_secret_service(names: list[str]) -> bool:
    """Whether the Secret Service is the keychain these backends stand for: one of its two Linux
    backends, or no backend at all (keyring chose `fail` because none was viable)."""
    return any(n in _LINUX_BACKENDS for n in names) or not names or all(n.startswith(_NO_BACKEND) for n in names)


class KeyringStore(SecretStore):
    """One keychain item per entry under one service name, plus an index item."""

    def __init__(self, service: str = DEFAULT_SERVICE, *, chunk_chars: int | None = None, index: bool | None = None) -> None:
        """`chunk_chars`: split values longer than this (default: only on Windows); `index`: keep the
        index item even where the keychain can be searched (default: only where it cannot)."""
        self.service = service
        self._force_index = index
        self.uri = "keyring" if service == DEFAULT_SERVICE else f"keyring:{service}"
        self.chunk_chars = chunk_chars or (_WINDOWS_CHUNK_CHARS if sys.platform == "win32" else None)

    # -- raw access with errors translated ------------------------------------------------------
    def _call(self, what: str, fn, *args):  # type: ignore[no-untyped-def]
        keyring = _keyring()
        try:
            return fn(*args)
        except keyring.errors.KeyringLocked:
            raise self._unavailable(
                "the OS keyring is locked; unlock it (log in to the desktop session, or on a server "
                "`printf %s \"$PW\" | gnome-keyring-daemon --replace --unlock --components=secrets`) and retry."
            ) from None
        except keyring.errors.NoKeyringError:
            raise self._unavailable("no OS keyring backend is available on this machine.") from None
        except keyring.errors.PasswordDeleteError:
            return None
        except keyring.errors.KeyringError as exc:
            raise StoreError(f"the OS keyring refused to {what}: {type(exc).__name__}: {exc}") from None
        except Exception as exc:  # D-Bus and backend-specific failures
            raise self._unavailable(f"the OS keyring failed to {what} ({type(exc).__name__}: {exc}).") from None

    def _unavailable(self, fallback: str) -> StoreUnavailableError:
        """The error to raise: a missing Secret Service is named as such, whatever backend keyring
        fell back to (libsecret, or none at all where libsecret's bindings are not installed)."""
        keyring = _keyring()
        if _may_be_secret_service(_backend_names(keyring.get_keyring())):
            problem = secret_service_problem()
            if problem:
                return StoreUnavailableError(f"the OS keyring cannot be used here: {problem}. " + _ALTERNATIVES)
        return StoreUnavailableError(fallback + " " + _ALTERNATIVES)

    # A value too large for one item (Windows) is split: the entry's own item holds a header
    # "chunks:COUNT:TAG" and the parts live in items "NAME#TAG.I". Each write uses a fresh TAG and
    # the header is written last, so a reader sees the old parts or the new ones, never a mix.
    @staticmethod
    def _chunk_names(name: str, header: str) -> list[str]:
        parts = header.split(":")
        try:
            count = int(parts[1])
        except (IndexError, ValueError):
            raise StoreError(f"the keyring entry {name!r} has a damaged chunk header; import it again.") from None
        if len(parts) > 2:
            return [f"{name}#{parts[2]}.{i}" for i in range(count)]
        return [f"{name}#{i}" for i in range(count)]  # the first layout, without a tag

    def _get_raw(self, name: str) -> str | None:
        keyring = _keyring()
        for _attempt in range(3):
            raw = self._call("read", keyring.get_password, self.service, name)
            if raw is None or not raw.startswith("chunks:"):
                return raw
            parts = [self._call("read", keyring.get_password, self.service, n) for n in self._chunk_names(name, raw)]
            if all(p is not None for p in parts):
                return "".join(parts)  # type: ignore[arg-type]
            # A writer replaced the value (and removed these parts) while we read: read the new header.
        raise StoreError(f"the keyring entry {name!r} is incomplete (a chunk is missing); import it again.")

    def _set_raw(self, name: str, raw: str) -> None:
        keyring = _keyring()
        size = self.chunk_chars
        previous = self._call("read", keyring.get_password, self.service, name) if size else None
        if size and len(raw) > size:
            import secrets

            chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
            header = f"chunks:{len(chunks)}:{secrets.token_hex(4)}"
            for part_name, chunk in zip(self._chunk_names(name, header), chunks):
                self._call("write", keyring.set_password, self.service, part_name, chunk)
            self._call("write", keyring.set_password, self.service, name, header)
        else:
            self._call("write", keyring.set_password, self.service, name, raw)
        if previous and previous.startswith("chunks:"):
            for part_name in self._chunk_names(name, previous):
                self._call("delete", keyring.delete_password, self.service, part_name)

    def _delete_raw(self, name: str) -> bool:
        keyring = _keyring()
        raw = self._call("read", keyring.get_password, self.service, name)
        if raw is None:
            return False
        self._call("delete", keyring.delete_password, self.service, name)
        if raw.startswith("chunks:"):
            for part_name in self._chunk_names(name, raw):
                self._call("delete", keyring.delete_password, self.service, part_name)
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

    # The Secret Service can enumerate items by attribute, so there the index is not kept (two
    # fewer keychain round trips per write, and a list that cannot drift from what is stored).
    def _searchable(self) -> bool:
        if self._force_index is not None:
            return not self._force_index
        return self.backend == _SECRET_SERVICE

    def _search(self) -> list[str]:
        def run() -> list[str]:
            import secretstorage

            with closing(secretstorage.dbus_init()) as connection:
                items = secretstorage.search_items(connection, {"service": self.service})
                return [item.get_attributes().get("username", "") for item in items]

        names = self._call("list", run)
        return sorted({n for n in names if n and "#" not in n and not n.startswith("__")})

    # -- contract ------------------------------------------------------------------------------
    def get(self, name: str) -> Secret | None:
        check_entry_name(name)
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
        check_entry_name(name)
        record = {"value": check_value(value), "metadata": normalize_metadata(metadata)}
        self._set_raw(name, json.dumps(record))
        if not self._searchable() and name not in self._index():
            self._update_index(add=name)

    def delete(self, name: str) -> bool:
        check_entry_name(name)
        removed = self._delete_raw(name)
        if not self._searchable():
            self._update_index(remove=name)
        return removed

    def list(self) -> list[str]:
        return self._search() if self._searchable() else sorted(self._index())

    @property
    def backend(self) -> str:
        """The keyring backend in use (the first of a chain), e.g. keyring.backends.SecretService.Keyring."""
        names = _backend_names(_keyring().get_keyring())
        return names[0] if names else "none"

    def check(self) -> None:
        keyring = _keyring()
        names = _backend_names(keyring.get_keyring())
        if not names or all(n.startswith(_NO_BACKEND) for n in names):
            raise self._unavailable("no OS keyring backend is available on this machine.")
        if _may_be_secret_service(names):
            problem = secret_service_problem()
            if problem:
                raise StoreUnavailableError(f"the OS keyring cannot be used here: {problem}. " + _ALTERNATIVES)
        self._call("read", keyring.get_password, self.service, _INDEX)
