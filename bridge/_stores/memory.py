"""`memory` store: entries live in this process only (tests, the demo, the in-process bridge)."""
from __future__ import annotations

import copy
import threading
from typing import Mapping

from ._base import MetadataValue, Secret, SecretStore, check_entry_name, check_value, normalize_metadata

_namespaces: dict[str, dict[str, Secret]] = {}
_guard = threading.Lock()


class MemoryStore(SecretStore):
    """A dict per namespace (`memory:NAME`); nothing survives the process."""

    persistent = False

    def __init__(self, namespace: str = "") -> None:
        self.uri = f"memory:{namespace}" if namespace else "memory"
        with _guard:
            self._entries = _namespaces.setdefault(self.uri, {})

    def get(self, name: str) -> Secret | None:
        check_entry_name(name)
        with _guard:
            found = self._entries.get(name)
        # A copy, so a caller editing the metadata it got back cannot change what is stored.
        return None if found is None else Secret(found.value, copy.deepcopy(dict(found.metadata)))

    def put(self, name: str, value: str, metadata: Mapping[str, MetadataValue] | None = None) -> None:
        check_entry_name(name)
        record = Secret(check_value(value), copy.deepcopy(normalize_metadata(metadata)))
        with _guard:
            self._entries[name] = record

    def delete(self, name: str) -> bool:
        check_entry_name(name)
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


__all__ = ["MemoryStore", "clear_all"]
