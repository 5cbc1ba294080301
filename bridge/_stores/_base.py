"""The secret-store contract every backend implements."""
from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, List, Mapping, Union

from .._core.constants import APP_NAME, ENV_CACHE_DIR
from .._core.errors import InvalidInputError, StoreError
from .._core.files import make_private_dirs, private_file_lock

# Metadata values are kept flat so every backend (Key Vault tags included) can hold them:
# JSON scalars and lists of strings (scopes, amr).
MetadataValue = Union[None, bool, int, float, str, List[str]]

# Entry names are "{profile}/{kind}": segments of letters, digits, '.', '_' and '-', joined by '/'.
# Backends rely on this: the keyring store reserves '#' and '__' names, Key Vault encodes the rest.
_ENTRY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
MAX_ENTRY_NAME = 100
_MAX_METADATA_KEY = 64
# filelock polls; its default 50 ms caps a queue of waiting processes at ~20 hand-overs a second.
_LOCK_POLL_SECONDS = 0.01


def check_entry_name(name: object) -> str:
    """Refuse entry names a backend could not hold or would confuse with its own bookkeeping."""
    if not isinstance(name, str) or not _ENTRY_NAME.match(name) or len(name) > MAX_ENTRY_NAME:
        raise InvalidInputError(
            f"store entry name {name!r} is not valid: use segments of letters, digits, '.', '_' and '-' "
            f"joined by '/', at most {MAX_ENTRY_NAME} characters (e.g. contoso/refresh-token)."
        )
    return name


def check_value(value: object) -> str:
    """The value, if it is text (every backend stores text)."""
    if not isinstance(value, str):
        raise InvalidInputError(f"a stored secret must be text, not {type(value).__name__}.")
    return value


def normalize_metadata(metadata: Mapping[str, Any] | None) -> dict[str, MetadataValue]:
    """A plain copy of `metadata` that every backend can round-trip exactly, or InvalidInputError."""
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise InvalidInputError(f"metadata must be a mapping, not {type(metadata).__name__}.")
    out: dict[str, MetadataValue] = {}
    for key, value in metadata.items():
        if not isinstance(key, str) or not key or len(key) > _MAX_METADATA_KEY:
            raise InvalidInputError(f"metadata key {key!r} must be text of 1-{_MAX_METADATA_KEY} characters.")
        if value is None or isinstance(value, (bool, int, str)):
            out[key] = value
        elif isinstance(value, float):
            if not math.isfinite(value):  # JSON has no NaN or infinity
                raise InvalidInputError(f"metadata {key!r} must be a finite number.")
            out[key] = value
        elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            out[key] = list(value)
        else:
            raise InvalidInputError(
                f"metadata {key!r} has a value of type {type(value).__name__}; use text, a number, "
                "true/false, null or a list of text."
            )
    return out


@dataclass(frozen=True)
class Secret:
    """A stored secret and its metadata; the value never appears in repr or str."""

    value: str = field(repr=False)
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Secret(value=***, metadata={dict(self.metadata)!r})"

    __str__ = __repr__


def state_dir() -> Path:
    """Per-user directory for locks and caches (SAM_BRIDGE_CACHE_DIR overrides)."""
    explicit = os.environ.get(ENV_CACHE_DIR)
    if explicit:
        path = Path(explicit).expanduser()
    else:
        from platformdirs import user_cache_dir

        path = Path(user_cache_dir(APP_NAME, appauthor=False))
    make_private_dirs(path)
    return path


class SecretStore(ABC):
    """Where a profile's refresh token, client credential and token cache live.

    Backends implement get/put/delete/list and `check()`; `lock()` serialises writers of one entry
    across processes on this machine. Every backend round-trips the value and the metadata exactly
    (see `normalize_metadata`), and the shared contract suite in tests/stores checks it.
    """

    #: The store URI this backend was opened with (e.g. "keyring", "file:/path/store.json").
    uri: str
    #: Whether entries survive this process (the memory store does not).
    persistent: bool = True
    #: Whether access tokens may be cached in this store (not for remote stores billed per call).
    caches_access_tokens: bool = True

    @abstractmethod
    def get(self, name: str) -> Secret | None:
        """The entry, or None when it does not exist."""

    @abstractmethod
    def put(self, name: str, value: str, metadata: Mapping[str, MetadataValue] | None = None) -> None:
        """Create or replace the entry."""

    @abstractmethod
    def delete(self, name: str) -> bool:
        """Remove the entry; True when something was removed."""

    @abstractmethod
    def list(self) -> list[str]:
        """Names of all entries in this store."""

    @abstractmethod
    def check(self) -> None:
        """Raise StoreUnavailableError (saying what to install or configure) if the store cannot work here."""

    @contextlib.contextmanager
    def lock(self, name: str, timeout: float = 120.0) -> Iterator[None]:
        """Hold an exclusive, cross-process lock on one entry (a lock file under `state_dir()`)."""
        from filelock import Timeout

        digest = hashlib.sha256(f"{self.uri}\0{name}".encode()).hexdigest()[:24]
        lock_dir = state_dir() / "locks"
        make_private_dirs(lock_dir)
        lock = private_file_lock(lock_dir / f"{digest}.lock", timeout)
        with _thread_lock(digest):
            try:
                lock.acquire(poll_interval=_LOCK_POLL_SECONDS)
            except Timeout:
                raise StoreError(
                    f"another sam-bridge process has held the lock on {name!r} for over {timeout:.0f} s; "
                    "if no other run is active, remove stale files under " + str(lock_dir)
                ) from None
            try:
                yield  # errors of the caller's block pass through untouched
            finally:
                lock.release()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.uri!r})"


# filelock's FileLock is re-entrant per object, not per path: threads of one process must also
# queue on a plain lock, or two threads could both enter with separate FileLock objects.
_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


def _thread_lock(key: str) -> threading.Lock:
    with _thread_locks_guard:
        return _thread_locks.setdefault(key, threading.Lock())
