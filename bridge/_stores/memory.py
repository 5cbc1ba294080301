"""`memory` store: entries live in this process only (tests, the demo, the in-process bridge)."""
from __future__ import annotations

import copy
import threading
from typing import Mapping

from .._errors import StoreUnavailableError
from ._base import MetadataValue, Secret, SecretStore

_namespaces: dict[str, dict[str, Secret]] = {}
_guard = threading.Lock()


class MemoryStore(SecretStore):
    persistent = False

    def __init__(self, namespace: str = "") -> None:
        self.uri = f"memory:{namespace}" if namespace else "memory"
        with _guard:
            self._entries = _namespaces.setdefault(self.uri, {})

    def get(self, name: str) -> Secret | None:
        with _guard:
            return self._entries.get(name)

    def put(self, name: str, value: str, metadata: Mapping[str, MetadataValue] | None = None) -> None:
        if not isinstance(value, str):
            raise TypeError("secret values are text")
        with _guard:
            self._entries[name] = Secret(value, copy.deepcopy(dict(metadata or {})))

    def delete(self, name: str) -> bool:
        with _guard:
            return self._entries.pop(name, None) is not None

    def list(self) -> list[str]:
        with _guard:
            return sorted(self._entries)

    def check(self) -> None:
        return None


def clear_all() -> None:
    """Forget every memory namespace (tests)."""
    with _guard:
        for entries in _namespaces.values():
            entries.clear()


__all__ = ["MemoryStore", "clear_all", "StoreUnavailableError"]
