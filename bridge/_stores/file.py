"""`file:PATH` store: a plaintext JSON file, written atomically with mode 0600.

For containers and CI runners where the platform already protects the file. It is plaintext:
anyone who can read the file can use the refresh token, so sam-bridge warns when it is used.
"""
from __future__ import annotations

import json
import os
import stat
import warnings
from pathlib import Path
from typing import Any, Mapping

from .._errors import StoreError, StoreUnavailableError
from .._validate import SamBridgeWarning
from ._base import MetadataValue, Secret, SecretStore

_FORMAT_VERSION = 1
_warned: set[str] = set()


class FileStore(SecretStore):
    def __init__(self, path: str) -> None:
        self.path = Path(path).expanduser().absolute()
        self.uri = f"file:{self.path}"

    # One read-modify-write at a time across processes: a second lock name, not the entry locks.
    def _file_lock(self):  # type: ignore[no-untyped-def]
        from filelock import FileLock

        return FileLock(str(self.path) + ".lock", timeout=60)

    def _read(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(f"cannot read the store file {self.path}: {exc.strerror}") from None
        try:
            data = json.loads(raw.decode("utf-8"))
            entries = data["entries"]
            if not isinstance(entries, dict) or data.get("version") != _FORMAT_VERSION:
                raise ValueError
            for entry in entries.values():
                if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
                    raise ValueError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise StoreError(
                f"the store file {self.path} is corrupt or not a sam-bridge store; it was left untouched. "
                "Restore it from a backup, or move it away and import the refresh token again."
            ) from None
        return entries

    def _write(self, entries: dict[str, Any]) -> None:
        from .._config import atomic_write

        payload = json.dumps({"version": _FORMAT_VERSION, "entries": entries}, indent=1, sort_keys=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            atomic_write(self.path, payload.encode("utf-8"), mode=0o600)
        except OSError as exc:
            raise StoreError(f"cannot write the store file {self.path}: {exc.strerror}") from None

    def get(self, name: str) -> Secret | None:
        entry = self._read().get(name)
        if entry is None:
            return None
        return Secret(entry["value"], entry.get("metadata") or {})

    def put(self, name: str, value: str, metadata: Mapping[str, MetadataValue] | None = None) -> None:
        with self._file_lock():
            entries = self._read()
            entries[name] = {"value": value, "metadata": dict(metadata or {})}
            self._write(entries)

    def delete(self, name: str) -> bool:
        with self._file_lock():
            entries = self._read()
            if name not in entries:
                return False
            del entries[name]
            self._write(entries)
            return True

    def list(self) -> list[str]:
        return sorted(self._read())

    def check(self) -> None:
        # Checked when a profile is created or consents, not on every run of a scheduled job.
        if self.uri not in _warned:
            _warned.add(self.uri)
            warnings.warn(
                f"the file store {self.path} keeps secrets in plaintext; use it only where the platform "
                "protects the file (a container secret volume, a CI runner's temp dir)",
                SamBridgeWarning,
                2,
            )
        parent = self.path.parent
        if self.path.exists():
            mode = stat.S_IMODE(self.path.stat().st_mode)
            if os.name == "posix" and mode & 0o077:
                raise StoreUnavailableError(
                    f"the store file {self.path} is readable by other users (mode {mode:o}); "
                    f"run `chmod 600 {self.path}`."
                )
            self._read()
        elif parent.exists() and not os.access(parent, os.W_OK):
            raise StoreUnavailableError(f"the store file's directory {parent} is not writable.")
