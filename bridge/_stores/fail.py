"""A store that cannot work here; every call says what to install or configure."""
from __future__ import annotations

from typing import Mapping

from .._core.errors import StoreUnavailableError
from ._base import MetadataValue, Secret, SecretStore


class FailStore(SecretStore):
    persistent = False

    def __init__(self, uri: str, reason: str) -> None:
        self.uri = uri
        self.reason = reason

    def _fail(self) -> StoreUnavailableError:
        return StoreUnavailableError(self.reason)

    def get(self, name: str) -> Secret | None:
        raise self._fail()

    def put(self, name: str, value: str, metadata: Mapping[str, MetadataValue] | None = None) -> None:
        raise self._fail()

    def delete(self, name: str) -> bool:
        raise self._fail()

    def list(self) -> list[str]:
        raise self._fail()

    def check(self) -> None:
        raise self._fail()
