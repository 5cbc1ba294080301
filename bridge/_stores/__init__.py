"""Secret stores: where refresh tokens, client credentials and cached access tokens live.

A store is named by a URI: `keyring` (the OS keychain, default), `keyring:SERVICE`, `memory`,
`memory:NAME`, `file:PATH`, `keyvault:https://NAME.vault.azure.net[?credential=default|profile]`.
docs/STORES.md says what each backend needs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._core.errors import InvalidInputError
from ._base import Secret, SecretStore, state_dir

__all__ = ["Secret", "SecretStore", "StoreSpec", "open_store", "parse_store_uri", "split_vault_options", "state_dir"]

_KINDS = ("keyring", "memory", "file", "keyvault")


@dataclass(frozen=True)
class StoreSpec:
    """A parsed store URI: its kind and what follows the colon (normalised)."""

    kind: str
    location: str

    @property
    def uri(self) -> str:
        return f"{self.kind}:{self.location}" if self.location else self.kind


def parse_store_uri(uri: object) -> StoreSpec:
    """Validate and normalise a store URI."""
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidInputError("store URI is empty; use keyring, file:PATH, memory or keyvault:https://NAME.vault.azure.net.")
    text = uri.strip()
    kind, _, location = text.partition(":")
    kind = kind.lower()
    if kind not in _KINDS:
        raise InvalidInputError(
            f"store URI {text!r} is not known; use keyring, keyring:SERVICE, file:PATH, memory or "
            "keyvault:https://NAME.vault.azure.net."
        )
    if kind == "file":
        if not location:
            raise InvalidInputError("file store needs a path: file:/path/to/store.json.")
        from .._core.validate import local_path

        location = local_path(location, "file store path")
    elif kind == "keyvault":
        if not location:
            raise InvalidInputError("Key Vault store needs the vault URL: keyvault:https://NAME.vault.azure.net.")
        base, options = split_vault_options(location)
        location = base + "".join(f"?{k}={v}" for k, v in sorted(options.items()))
    elif kind in ("keyring", "memory") and location and not location.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InvalidInputError(f"store name {location!r} may contain only letters, digits, '.', '_' and '-'.")
    return StoreSpec(kind, location)


KEYVAULT_CREDENTIALS = ("default", "profile")


def split_vault_options(text: str) -> tuple[str, dict[str, str]]:
    """The vault URL and its options: 'https://x.vault.azure.net?credential=profile'."""
    from urllib.parse import parse_qsl

    from .._core.validate import service_url

    base, sep, query = text.partition("?")
    try:
        options = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=True)) if sep else {}
    except ValueError:
        raise InvalidInputError(f"Key Vault store options {query!r} are not key=value pairs.") from None
    unknown = set(options) - {"credential"}
    if unknown:
        raise InvalidInputError(
            f"Key Vault store option(s) {', '.join(sorted(unknown))} are not known; use ?credential=default|profile."
        )
    if "credential" in options and options["credential"] not in KEYVAULT_CREDENTIALS:
        raise InvalidInputError(f"?credential={options['credential']} is not known; use default or profile.")
    return service_url(base, "Key Vault URL"), options


def open_store(uri: str, **context: Any) -> SecretStore:
    """Open the store a URI names. `context` carries what remote stores need (e.g. ca_bundle)."""
    spec = parse_store_uri(uri)
    if spec.kind == "memory":
        from .memory import MemoryStore

        return MemoryStore(spec.location)
    if spec.kind == "file":
        from .file import FileStore

        return FileStore(spec.location)
    if spec.kind == "keyring":
        from .keyring_store import DEFAULT_SERVICE, KeyringStore

        return KeyringStore(spec.location or DEFAULT_SERVICE)
    from .fail import FailStore

    try:
        from .keyvault import KeyVaultStore
    except ImportError as exc:
        return FailStore(
            spec.uri,
            f"the Key Vault store needs azure-keyvault-secrets and azure-identity ({exc.name} is missing): "
            "pip install 'sam-bridge[keyvault]' (Debian: apt install python3-azure).",
        )
    return KeyVaultStore(spec.location, **context)
