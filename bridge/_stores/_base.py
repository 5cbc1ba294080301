"""The secret-store contract every backend implements."""
from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from .._constants import APP_NAME, ENV_CACHE_DIR
from .._errors import StoreError

# Metadata values are kept flat so every backend (Key Vault tags included) can hold them.
MetadataValue = Any


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
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


class SecretStore(ABC):
    """Where a profile's refresh token, client credential and token cache live.

    Backends implement get/put/delete/list and `check()`; `lock()` serialises writers of one entry
    across processes on this machine.
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
        """Hold an exclusive, cross-process lock on one entry."""
        from filelock import FileLock, Timeout

        digest = hashlib.sha256(f"{self.uri}\0{name}".encode()).hexdigest()[:24]
        lock_dir = state_dir() / "locks"
        lock_dir.mkdir(exist_ok=True, mode=0o700)
        lock = FileLock(str(lock_dir / f"{digest}.lock"), timeout=timeout)
        try:
            with _thread_lock(digest), lock:
                yield
        except Timeout:
            raise StoreError(
                f"another sam-bridge process has held the lock on {name!r} for over {timeout:.0f} s; "
                "if no other run is active, remove stale files under " + str(lock_dir)
            ) from None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.uri!r})"


# filelock's FileLock is re-entrant per object, not per path: threads of one process must also
# queue on a plain lock, or two threads could both enter with separate FileLock objects.
_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


def _thread_lock(key: str) -> threading.Lock:
    with _thread_locks_guard:
        return _thread_locks.setdefault(key, threading.Lock())
