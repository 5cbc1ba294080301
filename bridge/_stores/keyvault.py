"""`keyvault:https://NAME.vault.azure.net` store: Azure Key Vault secrets via azure-keyvault-secrets.

* One entry is one secret. Its value is the entry's value as is (a refresh token stays usable by
  other tools that read the vault); its metadata lives in tags (see `_tags`); every `put` adds a
  new secret version, so the rotation history stays in the vault.
* Entry names map to secret names reversibly (`secret_name` / `entry_name`, documented in
  docs/STORES.md): `contoso/refresh-token` is the secret `contoso--refresh-token`.
* Access tokens are not cached here (`caches_access_tokens = False`): each would cost a billed
  vault write, and they live for an hour.
* Authentication: an azure-identity `DefaultAzureCredential` by default, or the profile's own
  confidential app (`?credential=profile`, `ProfileCredential`), or any TokenCredential passed in.
* Transport: the requests session of `bridge._auth.http.build_session`, so a `ca_bundle` is trusted
  whatever REQUESTS_CA_BUNDLE says, and one retry layer (ours, with its time budget) is used.

Key Vault has no conditional write, so rotation safety here is "compare before write" (the
caller reads the latest version's tags under the local lock and never replaces a newer record);
docs/STORES.md states what that guarantees across machines and what it cannot.
"""
from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import urlsplit

# Imported here so that a missing SDK sends open_store() down its FailStore route.
import azure.identity  # noqa: F401
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.keyvault.secrets import SecretClient

from .._core.errors import InvalidInputError, SamBridgeError, StoreError, StoreUnavailableError
from .._core.scrub import scrub_text
from . import KEYVAULT_CREDENTIALS as CREDENTIAL_CHOICES
from . import split_vault_options
from ._base import MetadataValue, Secret, SecretStore, check_entry_name, check_value, normalize_metadata

if TYPE_CHECKING:  # pragma: no cover
    from azure.core.credentials import AccessToken as AzureAccessToken

    from .._config import Profile
    from .._auth.http import RetryPolicy

log = logging.getLogger("bridge.stores.keyvault")

# -- secret names ------------------------------------------------------------------------------------

_SECRET_NAME = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_HEX = frozenset("0123456789abcdef")


def secret_name(entry: str) -> str:
    """The Key Vault secret name of an entry: reversible, lower-case (vault names ignore case).

    Lower-case letters and digits stay; '/' becomes '--'; '-' stays unless what follows would make
    it ambiguous; anything else ('.', '_', capitals, and such a '-') becomes '-x' + two hex digits.

    >>> secret_name("contoso/refresh-token")
    'contoso--refresh-token'
    >>> secret_name("Contoso.EU/client-secret")
    '-x43ontoso-x2e-x45-x55--client-secret'
    """
    check_entry_name(entry)
    out: list[str] = []
    for i, char in enumerate(entry):
        following = entry[i + 1] if i + 1 < len(entry) else ""
        if char in _PLAIN:
            out.append(char)
        elif char == "/":
            out.append("--")
        elif char == "-" and (following == "" or (following in _PLAIN and following != "x")):
            out.append("-")
        else:
            out.append(f"-x{ord(char):02x}")
    name = "".join(out)
    if len(name) > 127:
        raise InvalidInputError(
            f"store entry {entry!r} becomes the Key Vault secret name {name[:40]}... of {len(name)} characters; "
            "Key Vault allows 127. Use a shorter, lower-case profile name."
        )
    return name


def entry_name(name: str) -> str | None:
    """The entry a secret name encodes, or None if `secret_name` would never produce this name."""
    text = name.lower()
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in _PLAIN:
            out.append(char)
            i += 1
        elif char != "-":
            return None
        elif text[i + 1 : i + 2] == "-":
            out.append("/")
            i += 2
        elif text[i + 1 : i + 2] == "x" and len(text[i + 2 : i + 4]) == 2 and set(text[i + 2 : i + 4]) <= _HEX:
            out.append(chr(int(text[i + 2 : i + 4], 16)))
            i += 4
        else:
            out.append("-")
            i += 1
    entry = "".join(out)
    try:
        return entry if secret_name(entry) == text else None  # only canonical spellings decode
    except InvalidInputError:
        return None


# -- tags ----------------------------------------------------------------------------------------------

TAG_ENTRY = "sam-bridge-entry"  # the entry name: marks secrets sam-bridge wrote (list() uses it)
TAG_ISSUED_AT = "issued_at"  # copies for people reading the portal and for the rotation compare
TAG_GENERATION = "generation"
TAG_META = "sam-bridge-meta-"  # + index: the metadata as ASCII JSON, cut into tag-sized pieces
TAG_VALUE_MAX = 256  # Key Vault's limits: 15 tags, values of at most 256 characters
TAG_COUNT_MAX = 15
META_CHUNKS_MAX = TAG_COUNT_MAX - 3
META_CHARS_MAX = META_CHUNKS_MAX * TAG_VALUE_MAX


def _tags(entry: str, metadata: Mapping[str, MetadataValue]) -> dict[str, str]:
    """Tags that carry `metadata` exactly (JSON keeps types); the secret value never goes in a tag."""
    blob = json.dumps(metadata, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    if len(blob) > META_CHARS_MAX:
        raise InvalidInputError(
            f"the metadata of {entry!r} is {len(blob)} characters as JSON; Key Vault tags hold at most "
            f"{META_CHARS_MAX} (15 tags of 256 characters)."
        )
    tags = {TAG_ENTRY: entry}
    for i in range(0, len(blob), TAG_VALUE_MAX):
        tags[f"{TAG_META}{i // TAG_VALUE_MAX}"] = blob[i : i + TAG_VALUE_MAX]
    issued, generation = metadata.get("issued_at"), metadata.get("generation")
    if isinstance(issued, str) and len(issued) <= TAG_VALUE_MAX:
        tags[TAG_ISSUED_AT] = issued
    if isinstance(generation, int) and not isinstance(generation, bool):
        tags[TAG_GENERATION] = str(generation)
    return tags


def _metadata(entry: str, tags: Mapping[str, str] | None) -> dict[str, Any]:
    tags = tags or {}
    if TAG_ENTRY not in tags:
        return {}  # a secret put there by hand or by another tool: its value, no metadata
    pieces = []
    for i in range(TAG_COUNT_MAX):
        piece = tags.get(f"{TAG_META}{i}")
        if piece is None:
            break
        pieces.append(piece)
    try:
        data = json.loads("".join(pieces)) if pieces else {}
        if not isinstance(data, dict):
            raise ValueError
    except ValueError:
        raise StoreError(
            f"the Key Vault tags of {entry!r} do not hold valid sam-bridge metadata (edited by hand?); "
            "import the refresh token again to write a clean version."
        ) from None
    return data


# -- credentials -----------------------------------------------------------------------------------------

class ProfileCredential:
    """An azure-core TokenCredential for the profile's own confidential app (client credentials via msal).

    The client secret comes from SAM_BRIDGE_CLIENT_SECRET: it cannot come from the vault it unlocks.
    Tokens are requested from the profile's authority and trusted through its CA bundle, like every
    other call the profile makes.
    """

    def __init__(self, profile: Profile) -> None:
        self.profile = profile

    def get_token(self, *scopes: str, claims: str | None = None, tenant_id: str | None = None, **_: Any) -> AzureAccessToken:
        from azure.core.credentials import AccessToken as AzureAccessToken

        from .._auth.client import build_app, call
        from .._core.constants import ENV_CLIENT_SECRET

        profile = self.profile
        if profile.credential != "secret":
            raise StoreUnavailableError(
                f"profile {profile.name!r} has no client secret ({profile.credential} credential), so it cannot "
                "authenticate to Key Vault as its own app; drop ?credential=profile from the store URI to use "
                "DefaultAzureCredential (environment, managed identity, az login)."
            )
        secret = os.environ.get(ENV_CLIENT_SECRET)
        if not secret:
            raise StoreUnavailableError(
                f"the Key Vault store of profile {profile.name!r} authenticates as the profile's app, and its "
                f"client secret must be in {ENV_CLIENT_SECRET} (it cannot be read from the vault it unlocks)."
            )
        tenant = tenant_id or profile.tenant
        app = build_app(profile, secret, tenant)
        result = call(
            app.acquire_token_for_client,
            list(scopes),
            doing="get a Key Vault access token for the profile's app",
            where=profile.authority(tenant),
            facts={"tenant": tenant, "app_id": profile.app_id, "profile": profile.name},
        )
        return AzureAccessToken(result["access_token"], int(time.time()) + int(result["expires_in"]))


# -- the store -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawSecret:
    """A secret read by its Key Vault name; the value never appears in repr."""

    name: str
    value: str = field(repr=False)
    created_on: datetime | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


class KeyVaultStore(SecretStore):
    """Entries as Key Vault secrets; metadata in tags; each put a new version."""

    caches_access_tokens = False

    def __init__(
        self,
        vault_url: str,
        *,
        ca_bundle: str | None = None,
        profile: Profile | None = None,
        credential: Any = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        base, options = split_vault_options(vault_url)
        self.vault_url = base
        self.uri = "keyvault:" + base + (f"?credential={options['credential']}" if "credential" in options else "")
        self.ca_bundle = ca_bundle
        self.profile = profile
        self.retry_policy = retry_policy
        self._credential_arg = credential
        self._credential_choice = credential if isinstance(credential, str) else options.get("credential", "default")
        if self._credential_choice not in CREDENTIAL_CHOICES:
            raise InvalidInputError(f"credential {self._credential_choice!r} is not one of {', '.join(CREDENTIAL_CHOICES)}.")
        self._client: SecretClient | None = None
        self._client_lock = threading.Lock()

    # -- plumbing ------------------------------------------------------------------------------------
    @property
    def credential_kind(self) -> str:
        """Which identity this store authenticates with: 'default', 'profile' or 'custom'."""
        if self._credential_arg is not None and not isinstance(self._credential_arg, str):
            return "custom"
        return self._credential_choice

    def _build_credential(self) -> Any:
        if self.credential_kind == "custom":
            return self._credential_arg
        if self.credential_kind == "profile":
            if self.profile is None:
                raise StoreUnavailableError("?credential=profile needs the profile this store belongs to.")
            return ProfileCredential(self.profile)
        from azure.identity import DefaultAzureCredential

        kwargs: dict[str, Any] = {"instance_discovery": False}  # as bridge._auth.client: no discovery call
        if not os.environ.get("AZURE_AUTHORITY_HOST") and self.profile is not None:
            kwargs["authority"] = self.profile.authority_host  # a sovereign cloud's or the emulator's
        if self.ca_bundle:
            # A private CA (the emulator, a private cloud): the credential's calls trust it too.
            # Without one, azure-identity's own transport is kept, so managed identity's plain-http
            # endpoints keep working.
            kwargs["transport"] = self._transport()
        return DefaultAzureCredential(**kwargs)

    def _transport(self) -> Any:
        from azure.core.pipeline.transport import RequestsTransport

        from .._auth.http import build_session, policy_from_environment

        # SAM_BRIDGE_HTTP_TIMEOUT / _RETRY_BUDGET bound a vault outage as they bound the authority's.
        session = build_session(self.ca_bundle, policy=self.retry_policy or policy_from_environment())
        return RequestsTransport(session=session, session_owner=False)

    @property
    def client(self) -> SecretClient:
        with self._client_lock:
            if self._client is None:
                from .._auth.http import is_loopback

                self._client = SecretClient(
                    self.vault_url,
                    self._build_credential(),
                    transport=self._transport(),
                    # The challenge names https://vault.azure.net; only a loopback vault (the emulator)
                    # may answer for it. Real vaults keep the SDK's check.
                    verify_challenge_resource=not is_loopback(urlsplit(self.vault_url).hostname),
                    retry_total=0,  # bridge._auth.http retries, with a time budget; no second layer
                    connection_timeout=10,
                    read_timeout=30,
                )
            return self._client

    def _fail(self, exc: BaseException, doing: str) -> SamBridgeError:
        """A sam-bridge error saying what to configure, for anything the SDK raised."""
        return translate_error(exc, self.vault_url, doing)

    # -- contract ------------------------------------------------------------------------------------
    def get(self, name: str) -> Secret | None:
        kv_name = secret_name(name)
        try:
            found = self.client.get_secret(kv_name)
        except ResourceNotFoundError:
            return None
        except Exception as exc:
            raise self._fail(exc, f"read {kv_name}") from None
        tags = found.properties.tags or {}
        owner = tags.get(TAG_ENTRY)
        if owner is not None and owner != name:
            raise StoreError(
                f"the Key Vault secret {kv_name} belongs to entry {owner!r}, not {name!r}; it was left untouched."
            )
        return Secret(found.value or "", _metadata(name, tags))

    def put(self, name: str, value: str, metadata: Mapping[str, MetadataValue] | None = None) -> None:
        kv_name = secret_name(name)
        tags = _tags(name, normalize_metadata(metadata))
        value = check_value(value)
        if len(value.encode("utf-8")) > 25 * 1024:
            raise InvalidInputError(f"the value of {name!r} is larger than Key Vault's 25 KB secret limit.")
        try:
            try:
                self.client.set_secret(kv_name, value, tags=tags)
            except ResourceExistsError:
                # 409: the name is held by a soft-deleted secret. Recover it (its history comes back)
                # and add the new version on top, rather than asking for the purge permission.
                self.client.begin_recover_deleted_secret(kv_name).wait(timeout=60)
                self.client.set_secret(kv_name, value, tags=tags)
        except Exception as exc:
            raise self._fail(exc, f"write {kv_name}") from None

    def delete(self, name: str) -> bool:
        kv_name = secret_name(name)
        try:
            poller = self.client.begin_delete_secret(kv_name)
        except ResourceNotFoundError:
            return False
        except Exception as exc:
            raise self._fail(exc, f"delete {kv_name}") from None
        try:
            poller.wait(timeout=60)
            # Free the name at once where the identity may purge; otherwise it stays soft-deleted
            # (recoverable for the vault's retention period) and a later put recovers it.
            self.client.purge_deleted_secret(kv_name)
        except HttpResponseError as exc:
            log.info("Key Vault kept %s soft-deleted (%s)", kv_name, exc.status_code)
        except Exception as exc:
            log.info("Key Vault purge of %s did not complete: %s", kv_name, type(exc).__name__)
        return True

    def list(self) -> list[str]:
        names: list[str] = []
        try:
            for props in self.client.list_properties_of_secrets():
                owner = (props.tags or {}).get(TAG_ENTRY)
                if owner and props.name and entry_name(props.name) == owner:
                    names.append(owner)
        except Exception as exc:
            raise self._fail(exc, "list secrets") from None
        return sorted(names)

    def check(self) -> None:
        try:
            next(iter(self.client.list_properties_of_secrets(max_page_size=1).by_page()), None)
        except Exception as exc:
            raise self._fail(exc, "list secrets") from None

    # -- beyond the contract ---------------------------------------------------------------------------
    def get_raw(self, kv_name: str) -> RawSecret | None:
        """The latest version of a secret by its own Key Vault name (for other tools' vaults, e.g. CIPP's)."""
        if not _SECRET_NAME.match(kv_name):
            raise InvalidInputError(f"{kv_name!r} is not a Key Vault secret name (1-127 letters, digits and '-').")
        try:
            found = self.client.get_secret(kv_name)
        except ResourceNotFoundError:
            return None
        except Exception as exc:
            raise self._fail(exc, f"read {kv_name}") from None
        return RawSecret(kv_name, found.value or "", found.properties.created_on, dict(found.properties.tags or {}))

    def versions(self, name: str) -> list[dict[str, Any]]:
        """The versions of an entry's secret, oldest first: version id, created, issued_at and generation tags."""
        kv_name = secret_name(name)
        rows = []
        try:
            for props in self.client.list_properties_of_secret_versions(kv_name):
                tags = props.tags or {}
                rows.append(
                    {
                        "version": props.version,
                        "created_on": props.created_on,
                        "issued_at": tags.get(TAG_ISSUED_AT),
                        "generation": int(tags[TAG_GENERATION]) if tags.get(TAG_GENERATION, "").isdigit() else None,
                    }
                )
        except ResourceNotFoundError:
            return []
        except Exception as exc:
            raise self._fail(exc, f"list the versions of {kv_name}") from None
        return sorted(rows, key=lambda r: (r["created_on"] is None, r["created_on"], r["generation"] or 0))

    def close(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def translate_error(exc: BaseException, vault_url: str, doing: str) -> SamBridgeError:
    """Map what the SDK or the credential raised to a sam-bridge error with the fix in it."""
    if isinstance(exc, SamBridgeError):
        return exc
    detail = _short(exc)
    if isinstance(exc, ClientAuthenticationError) and getattr(exc, "response", None) is None:
        # Raised by the credential: nothing reached the vault.
        return StoreUnavailableError(
            f"no Azure credential could get a token for Key Vault {vault_url}: {detail}. Configure one: "
            "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH), a "
            "managed identity, or `az login`; or add ?credential=profile to the store URI and set "
            "SAM_BRIDGE_CLIENT_SECRET to use the profile's own app."
        )
    if isinstance(exc, HttpResponseError) and exc.status_code is not None:
        status = exc.status_code
        if status == 401:
            return StoreUnavailableError(
                f"Key Vault {vault_url} refused the access token while trying to {doing} (HTTP 401: {detail}). "
                "Check that the credential's tenant is the vault's tenant."
            )
        if status == 403 and "disabled" in detail.lower():
            return StoreError(
                f"the latest version of the secret is disabled in Key Vault {vault_url} ({detail}); enable it, "
                "or import the refresh token again to write a new version."
            )
        if status == 403:
            return StoreUnavailableError(
                f"the identity sam-bridge used may not {doing} in Key Vault {vault_url} (HTTP 403: {detail}). "
                "Grant it the 'Key Vault Secrets Officer' role (RBAC vaults) or the secret permissions "
                "get, list, set, delete, recover and purge (access-policy vaults)."
            )
        if status == 429 or status >= 500:
            return StoreUnavailableError(
                f"Key Vault {vault_url} is unavailable (HTTP {status}) and kept failing while trying to {doing}; "
                "nothing was changed. Try again later."
            )
        return StoreError(f"Key Vault {vault_url} refused to {doing} (HTTP {status}: {detail}).")
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        import requests

        inner = getattr(exc, "inner_exception", None) or exc.__cause__
        if isinstance(inner, requests.exceptions.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return StoreUnavailableError(
                f"TLS verification of Key Vault {vault_url} failed: its certificate is not trusted. For a "
                "private CA (the emulator), set the profile's --ca-bundle."
            )
        return StoreUnavailableError(
            f"cannot reach Key Vault {vault_url} to {doing} ({detail}); check the vault URL, DNS and network."
        )
    if isinstance(exc, (InvalidInputError, ValueError)):
        return StoreError(f"Key Vault {vault_url}: cannot {doing}: {detail}")
    return StoreError(f"Key Vault {vault_url}: cannot {doing}: {type(exc).__name__}: {detail}")


def _short(exc: BaseException, limit: int = 600) -> str:
    """One scrubbed line of an SDK error (DefaultAzureCredential's lists every credential it tried)."""
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    noise = ("To mitigate", "Visit https://", "Attempted credentials:", "Content:", "Code:", "Message:")
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    kept = [line for line in lines if not line.startswith(noise)] or lines[:1]
    joined = scrub_text("; ".join(kept))
    return joined if len(joined) <= limit else joined[: limit - 3] + "..."
