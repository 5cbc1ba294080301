"""`file:PATH` store: a plaintext JSON file, written atomically with mode 0600.

For containers and CI runners where the platform already protects the file. It is plaintext:
anyone who can read the file can use the refresh token, so sam-bridge warns when it is used.

Crash safety: every write goes to a temp file in the same directory, is fsynced, and is renamed
over the store (then the directory is fsynced), so a writer killed at any instant leaves either
the old or the new file, never a torn one. Writers queue on `PATH.lock`; a temp file found while
holding that lock can only be a dead writer's, and is removed (it holds plaintext secrets).
"""
from __future__ import annotations

import json
import os
import stat
import warnings
from pathlib import Path
from typing import Any, Mapping

from .._core.errors import StoreError, StoreUnavailableError
from .._core.validate import SamBridgeWarning
from ._base import MetadataValue, Secret, SecretStore, check_entry_name, check_value, normalize_metadata

_FORMAT_VERSION = 1
_warned: set[str] = set()


class FileStore(SecretStore):
    """Entries in one JSON document {"version": 1, "entries": {name: {"value", "metadata"}}}."""

    def __init__(self, path: str) -> None:
        self.path = Path(path).expanduser().absolute()
        self.uri = f"file:{self.path}"

    # One read-modify-write at a time across processes: a second lock name, not the entry locks.
    # The lock file sits beside the store, so the directory must exist before the lock is taken.
    def _file_lock(self):  # type: ignore[no-untyped-def]
        from .._core.files import make_private_dirs, private_file_lock

        try:
            make_private_dirs(self.path.parent)
        except OSError as exc:
            raise StoreError(f"cannot create the store directory {self.path.parent}: {exc.strerror or exc}") from None
        return private_file_lock(str(self.path) + ".lock", 60)

    def _read(self) -> dict[str, Any]:
        from .._core.files import read_private_file

        try:
            # Every open checks owner and mode: a file another user planted or can write is refused.
            raw = read_private_file(self.path, "store file", StoreUnavailableError)
        except IsADirectoryError:
            raise StoreUnavailableError(f"the store path {self.path} exists but is not a file.") from None
        except OSError as exc:
            raise StoreError(f"cannot read the store file {self.path}: {exc.strerror}") from None
        if raw is None:
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
            entries = data["entries"]
            if not isinstance(entries, dict) or data.get("version") != _FORMAT_VERSION:
                raise ValueError
            for entry in entries.values():
                if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
                    raise ValueError
                if not isinstance(entry.get("metadata", {}), dict):
                    raise ValueError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
            raise StoreError(
                f"the store file {self.path} is corrupt or not a sam-bridge store; it was left untouched. "
                "Restore it from a backup, or move it away and import the refresh token again."
            ) from None
        return entries

    def _remove_orphans(self) -> None:
        """Delete temp files of writers that died mid-write (called with the file lock held)."""
        prefix = "." + self.path.name + "."
        try:
            names = os.listdir(self.path.parent)
        except OSError:
            return
        for name in names:
            # mkstemp's part is 8 characters without dots: ".store.json.x.tmp" files of a store
            # named "store.json.x" next to this one are not ours.
            middle = name[len(prefix) : -len(".tmp")]
            if name.startswith(prefix) and name.endswith(".tmp") and len(middle) == 8 and "." not in middle:
                try:
                    os.unlink(self.path.parent / name)
                except OSError:
                    pass

    def _write(self, entries: dict[str, Any]) -> None:
        from .._core.files import atomic_write

        payload = json.dumps({"version": _FORMAT_VERSION, "entries": entries}, indent=1, sort_keys=True)
        try:
            self._remove_orphans()
            atomic_write(self.path, payload.encode("utf-8"), mode=0o600)
            _fsync_dir(self.path.parent)
        except OSError as exc:
            raise StoreError(f"cannot write the store file {self.path}: {exc.strerror or exc}") from None

    def get(self, name: str) -> Secret | None:
        check_entry_name(name)
        entry = self._read().get(name)
        if entry is None:
            return None
        return Secret(entry["value"], entry.get("metadata") or {})

    def put(self, name: str, value: str, metadata: Mapping[str, MetadataValue] | None = None) -> None:
        check_entry_name(name)
        record = {"value": check_value(value), "metadata": normalize_metadata(metadata)}
        with self._file_lock():
            entries = self._read()
            entries[name] = record
            self._write(entries)

    def delete(self, name: str) -> bool:
        check_entry_name(name)
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
            if not self.path.is_file():
                raise StoreUnavailableError(f"the store path {self.path} exists but is not a file.")
            mode = stat.S_IMODE(self.path.stat().st_mode)
            if os.name == "posix" and mode & 0o077:
                raise StoreUnavailableError(
                    f"the store file {self.path} is readable by other users (mode {mode:o}); "
                    f"run `chmod 600 {self.path}`."
                )
            self._read()
        else:
            existing = parent
            while not existing.exists() and existing != existing.parent:
                existing = existing.parent
            if not existing.is_dir() or not os.access(existing, os.W_OK):
                raise StoreUnavailableError(
                    f"the store file {self.path} cannot be created: {existing} is not a writable directory."
                )


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
