"""Exchange: the stored refresh token becomes access tokens; every redemption rotates what is stored.

Rotation safety: an exchange holds the profile's refresh-token lock from reading the token to
writing its successor, so concurrent runs on one machine queue instead of racing, and the stored
token is always the newest one issued. Before writing, the stored record is compared again (for
remote stores that other machines also write): a record issued later than ours is never replaced.
"""
from __future__ import annotations

import json
import logging
import os
import re
import threading
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

from .._core import validate as v
from .._auth.client import build_app, call, client_credential, entry
from .._config import Profile
from .._core.constants import (
    ACCESS_TOKEN_CACHE_LIMIT,
    ACCESS_TOKEN_REUSE_MARGIN_SECONDS,
    DEFAULT_WARN_DAYS,
    ENV_ALLOW_AUTHORITY_CHANGE,
    ENTRY_ACCESS_TOKENS,
    ENTRY_PREVIOUS_REFRESH_TOKEN,
    ENTRY_REFRESH_TOKEN,
    PARTNER_CENTER_APP_ID,
    PARTNER_CENTER_URL,
    REFRESH_TOKEN_INACTIVITY_DAYS,
)
from .._core.errors import (
    AuthenticationError,
    AuthorityMismatchError,
    InvalidInputError,
    NoRefreshTokenError,
    SamBridgeError,
    StoreError,
    mfa_claim_remediation,
)
from .._core.scrub import fingerprint, remember
from .._stores import Secret, SecretStore
from .._core.tokens import AccessToken, claims_of, iso, lacks_mfa, parse_iso, utcnow

log = logging.getLogger("bridge.exchange")


# --------------------------------------------------------------------------------------------
# The refresh-token record
# --------------------------------------------------------------------------------------------


def read_refresh_token(profile: Profile, store: SecretStore) -> Secret:
    stored = store.get(entry(profile, ENTRY_REFRESH_TOKEN))
    if stored is None or not stored.value:
        raise NoRefreshTokenError(
            f"profile {profile.name!r} has no refresh token in {store.uri}.",
            remediation=f"Run `sam-bridge consent --profile {profile.name}` (or import one with "
            f"`sam-bridge refresh-token import --profile {profile.name}`).",
        )
    remember(stored.value)
    return stored


def issuer(profile: Profile) -> dict[str, str]:
    """The record fields that say which authority issued a token: what `check_issuer` compares."""
    return {"authority_host": profile.authority_host, "tenant": profile.tenant}


def check_issuer(profile: Profile, record: Mapping[str, Any]) -> None:
    """Refuse to present a stored refresh token to another authority than the one that issued it.

    The record names the authority host and the partner tenant of the consent (or import). A profile
    whose authority or tenant differs (edited config, SAM_BRIDGE_AUTHORITY_HOST, another profile's
    store) would send the token there; that needs SAM_BRIDGE_ALLOW_AUTHORITY_CHANGE=1, and is logged.
    Customer tenants are reached through the partner tenant's token, on the same host: not a change.
    """
    host, tenant = record.get("authority_host"), record.get("tenant")
    homes = {t.lower() for t in (tenant, record.get("home_tenant_id")) if isinstance(t, str) and t}
    wrong_host = isinstance(host, str) and bool(host) and host.lower() != profile.authority_host
    wrong_tenant = bool(homes) and profile.tenant not in homes
    if not (wrong_host or wrong_tenant):
        return
    issued_by = f"{host or profile.authority_host}/{tenant or '?'}"
    if os.environ.get(ENV_ALLOW_AUTHORITY_CHANGE, "").strip().lower() in {"1", "true", "yes"}:
        log.warning("presenting the refresh token of %s, issued by %s, to %s (allowed by %s)",
                    profile.name, issued_by, profile.authority(), ENV_ALLOW_AUTHORITY_CHANGE)
        return
    raise AuthorityMismatchError(
        f"the refresh token of profile {profile.name!r} was issued by {issued_by}, not by {profile.authority()}; "
        "it was not sent there.",
        remediation=f"If the profile's authority or tenant changed on purpose, consent again (`sam-bridge consent "
        f"--profile {profile.name}`), or set {ENV_ALLOW_AUTHORITY_CHANGE}=1 for one run to present it anyway. "
        "Otherwise check SAM_BRIDGE_AUTHORITY_HOST and the config file: something points the profile elsewhere.",
    )


def _is_newer(candidate: Mapping[str, Any], current: Mapping[str, Any] | None) -> bool:
    if current is None:
        return True
    ours, theirs = parse_iso(candidate.get("issued_at")), parse_iso(current.get("issued_at"))
    if ours is None or theirs is None:
        return True
    return ours >= theirs


def write_refresh_token(
    profile: Profile, store: SecretStore, token: str, metadata: Mapping[str, Any], *, locked: bool = False
) -> bool:
    """Store a refresh token unless the store already holds a newer one. True when written."""
    name = entry(profile, ENTRY_REFRESH_TOKEN)

    def compare_and_put() -> bool:
        current = store.get(name)
        if current is not None and current.value != token and not _is_newer(metadata, current.metadata):
            log.info("kept the stored refresh token: it was issued after this one")
            return False
        generation = int((current.metadata.get("generation") if current else 0) or 0) + 1
        store.put(name, token, {**metadata, "generation": generation, "fingerprint": fingerprint(token)})
        return True

    remember(token)
    if locked:
        return compare_and_put()
    with store.lock(name):
        return compare_and_put()


# Entra's last refusal to redeem a profile's refresh token is kept in the token's record, so that
# `status` read after a failed job says `refused` rather than counting days on a dead token. Flat
# keys: every store's metadata holds scalars only (Key Vault: in tags of 256 characters).
REFUSAL_KEYS = ("refused_at", "refusal_code", "refusal_tenant", "refusal_message", "refusal_remediation")


def refusal_fields(exc: AuthenticationError, tenant: str, at: datetime) -> dict[str, Any]:
    """The record's refusal fields for Entra's answer `exc` at `tenant`."""
    code = f"AADSTS{exc.code}" if exc.code else (exc.error or "unknown_error")
    return {
        "refused_at": iso(at),
        "refusal_code": code,
        "refusal_tenant": tenant,
        "refusal_message": exc.message[:400],
        "refusal_remediation": (exc.remediation or "")[:600],
    }


def record_refusal(profile: Profile, store: SecretStore, stored: Secret, fields: Mapping[str, Any]) -> None:
    """Write `fields` into the stored token's record (the caller holds its lock); the token stays.
    A store that refuses this write must not hide Entra's answer, so that failure is only logged."""
    meta = {k: v for k, v in stored.metadata.items() if k not in ("generation", "fingerprint")}
    meta.update(fields)
    try:
        write_refresh_token(profile, store, stored.value, meta, locked=True)
    except SamBridgeError as exc:
        log.warning("could not record Entra's refusal in %s: %s", store.uri, exc.message)


def consent_metadata(profile: Profile, result: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Metadata recorded with a refresh token obtained interactively or imported."""
    now = iso(utcnow())
    id_claims = result.get("id_token_claims") or {}
    at_claims = claims_of(result.get("access_token") or "")
    amr = at_claims.get("amr") if isinstance(at_claims.get("amr"), list) else []
    return {
        "profile": profile.name,
        "app_id": profile.app_id,
        **issuer(profile),
        "home_tenant_id": id_claims.get("tid") or at_claims.get("tid") or "",
        "user": id_claims.get("preferred_username") or at_claims.get("upn") or "",
        "user_oid": id_claims.get("oid") or at_claims.get("oid") or "",
        "scopes": sorted(str(result.get("scope", "")).split()) or list(profile.scopes),
        "amr": [str(a) for a in amr],
        "mfa": "mfa" in amr,
        "source": source,
        "consented_at": now,
        "issued_at": now,
        "last_redeemed_at": "",
    }


# --------------------------------------------------------------------------------------------
# Access-token cache: in the profile's store (encrypted at rest by the store), fronted by memory
# --------------------------------------------------------------------------------------------

_memo: dict[tuple[str, str], dict[str, Any]] = {}
_memo_lock = threading.Lock()


def _cache_key(profile: Profile, scopes: tuple[str, ...], tenant: str) -> str:
    return json.dumps([profile.authority_host, profile.app_id, tenant.lower(), sorted(scopes)])


def _bounded(items: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The usable entries, at most ACCESS_TOKEN_CACHE_LIMIT of them: those that expire last."""
    usable = {k: i for k, i in items.items() if _usable(i, now)}
    if len(usable) <= ACCESS_TOKEN_CACHE_LIMIT:
        return usable
    kept = sorted(usable, key=lambda k: float(usable[k]["expires_on"]), reverse=True)[:ACCESS_TOKEN_CACHE_LIMIT]
    return {k: usable[k] for k in kept}


def _usable(item: Mapping[str, Any] | None, now: datetime, margin: float | None = None) -> bool:
    if not item:
        return False
    try:
        return float(item["expires_on"]) - now.timestamp() > max(ACCESS_TOKEN_REUSE_MARGIN_SECONDS, margin or 0)
    except (KeyError, TypeError, ValueError):
        return False


def _to_token(item: Mapping[str, Any]) -> AccessToken:
    return AccessToken(
        token=item["access_token"],
        expires_on=datetime.fromtimestamp(float(item["expires_on"]), timezone.utc),
        scopes=tuple(item["scopes"]),
        tenant_id=item["tenant_id"],
        token_type=item.get("token_type", "Bearer"),
        from_cache=True,
    )


class AccessTokenCache:
    """Valid access tokens per (authority, app, tenant, scopes), shared by every process of a profile."""

    def __init__(self, profile: Profile, store: SecretStore) -> None:
        self.profile, self.store = profile, store
        self.name = entry(profile, ENTRY_ACCESS_TOKENS)
        self._memo_key = (store.uri, self.name)

    def load(self) -> dict[str, Any]:
        """Every cached entry (usable or not), as stored."""
        if not self.store.caches_access_tokens:
            return {}
        try:
            stored = self.store.get(self.name)
            data = json.loads(stored.value) if stored else {}
        except (ValueError, StoreError):
            log.warning("the access-token cache of %s is unreadable; it will be rebuilt", self.profile.name)
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, scopes: tuple[str, ...], tenant: str, *, preloaded: Mapping[str, Any] | None = None,
            min_lifetime: float | None = None) -> AccessToken | None:
        """A usable cached token (with more than `min_lifetime` seconds left, if given): from this
        process's memory, else `preloaded` or the store."""
        key, now = _cache_key(self.profile, scopes, tenant), utcnow()
        with _memo_lock:
            item = _memo.get(self._memo_key, {}).get(key)
        if not _usable(item, now, min_lifetime):
            data = preloaded if preloaded is not None else self.load()
            item = data.get(key)
            if _usable(item, now):
                with _memo_lock:
                    _memo.setdefault(self._memo_key, {})[key] = item
        if not _usable(item, now, min_lifetime):
            return None
        remember(item["access_token"])  # type: ignore[index]
        return _to_token(item)  # type: ignore[arg-type]

    def put(self, token: AccessToken, scopes: tuple[str, ...], tenant: str) -> None:
        self.put_many([(token, scopes, tenant)])

    def put_many(self, entries: Iterable[tuple[AccessToken, tuple[str, ...], str]]) -> None:
        """Cache tokens in one store write (a batch over many tenants writes once, not per tenant)."""
        now = utcnow()
        items = {
            _cache_key(self.profile, scopes, tenant): {
                "access_token": token.token,
                "expires_on": token.expires_on.timestamp(),
                "scopes": list(token.scopes),
                "tenant_id": token.tenant_id,
                "token_type": token.token_type,
            }
            for token, scopes, tenant in entries
        }
        with _memo_lock:
            memo = _memo.setdefault(self._memo_key, {})
            memo.update(items)
            _memo[self._memo_key] = _bounded(memo, now)
        if not self.store.caches_access_tokens or not items:
            return
        data = self.load()
        data.update(items)
        data = _bounded(data, now)
        try:
            self.store.put(self.name, json.dumps(data), {"profile": self.profile.name, "kind": "access-token-cache"})
        except StoreError as exc:  # a cache write must never fail an exchange
            log.warning("could not cache the access token: %s", exc.message)

    def clear(self) -> None:
        with _memo_lock:
            _memo.pop(self._memo_key, None)
        self.store.delete(self.name)


# --------------------------------------------------------------------------------------------
# Exchange
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Redemption:
    """One refresh-token redemption: the access token and the rotated refresh token, if any."""

    access_token: AccessToken
    refresh_token: str | None = field(repr=False)  # the rotated token: never in a repr or a log line
    received_at: datetime


def redeem(
    profile: Profile, credential: Any, refresh_token: str, scopes: tuple[str, ...], tenant: str
) -> Redemption:
    """Redeem a refresh token at `tenant`'s authority. No store I/O: callers decide what to keep."""
    app = build_app(profile, credential, tenant)
    facts = {"tenant": tenant, "app_id": profile.app_id, "profile": profile.name, "resource": v.resource_of(scopes[0])}
    result = call(
        app.acquire_token_by_refresh_token,
        refresh_token,
        list(scopes),
        doing="redeem the refresh token",
        where=profile.authority(tenant),
        facts=facts,
    )
    received = utcnow()
    at = result["access_token"]
    claims = claims_of(at)
    token = AccessToken(
        token=at,
        expires_on=received + timedelta(seconds=int(result["expires_in"])),
        scopes=tuple(scopes),
        tenant_id=str(claims.get("tid") or tenant),
        token_type=str(result.get("token_type") or "Bearer"),
    )
    return Redemption(token, result.get("refresh_token"), received)


def rotation_metadata(previous: Mapping[str, Any], redemption: Redemption, rotated: bool) -> dict[str, Any]:
    """The record after a redemption: a rotated token restarts the 90-day inactivity clock."""
    meta = dict(previous)
    meta.pop("generation", None)
    meta.pop("fingerprint", None)
    received = iso(redemption.received_at)
    meta["last_redeemed_at"] = received
    if rotated:  # (callers add `issuer(profile)`: the authority that issued the rotated token)
        meta["issued_at"] = received
        meta["source"] = "exchange"
    return meta


def obtain_token(
    profile: Profile,
    store: SecretStore,
    scopes: Iterable[str] | None = None,
    tenant: str | None = None,
    *,
    force_refresh: bool = False,
    min_lifetime: float | None = None,
    check_mfa: bool = True,
) -> AccessToken:
    """An access token for `scopes` (one resource) in the partner tenant or a customer tenant;
    a cached one only with more than `min_lifetime` seconds left (default: 5 minutes).

    The service behind bridge.get_token (also public as bridge.exchange), which takes a profile
    name: this one takes the loaded profile and its store, and is named apart from it. Every
    Partner Center token it hands out, cached or new, is checked for the MFA claim (`check_mfa`
    False: by a caller that reports it itself, as doctor does)."""
    wanted = v.scopes(tuple(scopes) if scopes is not None else profile.scopes)
    token = _obtain_token(profile, store, wanted, v.tenant(tenant, "tenant") if tenant else profile.tenant,
                          force_refresh, min_lifetime)
    if check_mfa:
        warn_without_mfa_claim(profile, wanted, token)
    return token


def warn_without_mfa_claim(profile: Profile, scopes: tuple[str, ...], token: AccessToken) -> None:
    """A SamBridgeWarning when a Partner Center token of a user has no `mfa` in `amr`: Partner Center
    will refuse it with 900421, which no retry or refresh cures."""
    resource = v.resource_of(scopes[0]).rstrip("/").lower()
    if resource not in (PARTNER_CENTER_URL.lower(), PARTNER_CENTER_APP_ID) or not lacks_mfa(token.claims):
        return
    amr = ", ".join(map(str, token.claims.get("amr") or [])) or "none"
    warnings.warn(f"the Partner Center access token of profile {profile.name!r} has no 'mfa' in its amr claim "
                  f"(amr: {amr}), so Partner Center will refuse it. {mfa_claim_remediation(profile.name)}",
                  v.SamBridgeWarning, 3)


def _obtain_token(profile: Profile, store: SecretStore, wanted: tuple[str, ...], target: str,
                  force_refresh: bool, min_lifetime: float | None = None) -> AccessToken:
    cache = AccessTokenCache(profile, store)
    if not force_refresh:
        cached = cache.get(wanted, target, min_lifetime=min_lifetime)
        if cached is not None:
            log.debug("reusing a cached access token for %s in %s", wanted[0], target)
            return cached
    credential = client_credential(profile, store)
    name = entry(profile, ENTRY_REFRESH_TOKEN)
    with store.lock(name):
        if not force_refresh:  # another process may have refreshed while we waited for the lock
            cached = cache.get(wanted, target, min_lifetime=min_lifetime)
            if cached is not None:
                return cached
        stored = read_refresh_token(profile, store)
        check_issuer(profile, stored.metadata)
        try:
            redemption = redeem(profile, credential, stored.value, wanted, target)
        except AuthenticationError as exc:
            record_refusal(profile, store, stored, refusal_fields(exc, target, utcnow()))
            raise
        rotated = bool(redemption.refresh_token) and redemption.refresh_token != stored.value
        meta = rotation_metadata(stored.metadata, redemption, rotated)
        if rotated:
            meta.update(issuer(profile))
        write_refresh_token(profile, store, redemption.refresh_token or stored.value, meta, locked=True)
        cache.put(redemption.access_token, wanted, target)
    return redemption.access_token


# Entra's refresh tokens (v2 "0.AX..."/"1.AX...", v1 "AQAB...") are base64url text joined by dots,
# hundreds to a few thousand characters. Anything else pasted by mistake ("-", a quote, "$(id)", a
# shell prompt) is refused before it can replace a working token.
_REFRESH_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9._~+/=*!-]{20,16384}$")


def check_refresh_token_shape(token: object) -> str:
    """The token, stripped, if it has the shape of an Entra refresh token; else InvalidInputError."""
    if not isinstance(token, str):
        raise InvalidInputError("the refresh token must be text.")
    token = token.strip()
    if not token:
        raise InvalidInputError("no refresh token was given on stdin.")
    if not _REFRESH_TOKEN_SHAPE.match(token):
        raise InvalidInputError(
            "that is not a refresh token: Entra's are 20 to 16384 characters of letters, digits and . _ - ~ + / = * ! "
            "(no spaces, quotes, control or non-ASCII characters); nothing was replaced."
        )
    return token


def import_refresh_token(
    profile: Profile, store: SecretStore, token: str, *, source: str = "import", issued_at: datetime | None = None,
    verify: bool = True,
) -> dict[str, Any]:
    """Store a refresh token obtained elsewhere (New-PartnerAccessToken, a Key Vault secret).

    `issued_at` is when the token was issued, if the source knows (a vault secret's version date);
    the 90-day inactivity clock of `status` counts from it. Default: now. With `verify`, the token is
    redeemed once at the profile's authority before it replaces anything, so a token that does not
    work never replaces one that does. The replaced record is kept as the previous one
    (`restore_refresh_token` puts it back).
    """
    token = check_refresh_token_shape(token)
    now = iso(issued_at or utcnow())
    meta = {
        "profile": profile.name,
        "app_id": profile.app_id,
        **issuer(profile),
        "source": source,
        "consented_at": "",
        "issued_at": now,
        "last_redeemed_at": "",
        "scopes": list(profile.scopes),
    }
    name = entry(profile, ENTRY_REFRESH_TOKEN)
    remember(token)
    with store.lock(name):
        current = store.get(name)  # read first: a store that cannot be read stops the import here
        if verify:
            redemption = redeem(profile, client_credential(profile, store), token, v.scopes(profile.scopes), profile.tenant)
            meta["last_redeemed_at"] = iso(redemption.received_at)
        # An import is the user's explicit choice: it replaces what is stored, which stays recoverable.
        if current is not None and current.value != token:
            store.put(entry(profile, ENTRY_PREVIOUS_REFRESH_TOKEN), current.value, dict(current.metadata))
        generation = int((current.metadata.get("generation") if current else 0) or 0) + 1
        store.put(name, token, {**meta, "generation": generation, "fingerprint": fingerprint(token)})
    AccessTokenCache(profile, store).clear()
    return meta


def restore_refresh_token(profile: Profile, store: SecretStore) -> dict[str, Any]:
    """Put back the record the last import replaced; the replacing one becomes the previous record."""
    name, previous_name = entry(profile, ENTRY_REFRESH_TOKEN), entry(profile, ENTRY_PREVIOUS_REFRESH_TOKEN)
    with store.lock(name):
        previous, current = store.get(previous_name), store.get(name)
        if previous is None:
            raise NoRefreshTokenError(
                f"profile {profile.name!r} has no previous refresh token in {store.uri} to restore "
                "(one is kept only when an import replaces a stored token)."
            )
        remember(previous.value)
        generation = int((current.metadata.get("generation") if current else 0) or 0) + 1
        meta = {**previous.metadata, "generation": generation}
        store.put(name, previous.value, meta)
        if current is not None:
            store.put(previous_name, current.value, dict(current.metadata))
        else:
            store.delete(previous_name)
    AccessTokenCache(profile, store).clear()
    return dict(meta)


# --------------------------------------------------------------------------------------------
# Lifecycle
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshTokenStatus:
    """Where a profile's refresh token stands against the 90-day inactivity deadline."""

    profile: str
    store: str
    present: bool
    state: str  # ok | warning | expired | refused | missing
    user: str | None = None
    consented_at: datetime | None = None
    issued_at: datetime | None = None
    last_redeemed_at: datetime | None = None
    expires_at: datetime | None = None
    days_left: float | None = None
    mfa: bool | None = None
    scopes: tuple[str, ...] = ()
    source: str | None = None
    # Entra's last refusal, when it came after the last successful redemption (state "refused").
    refusal: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        def when(d: datetime | None) -> str | None:
            return d.strftime("%Y-%m-%dT%H:%M:%SZ") if d else None

        return {
            "profile": self.profile,
            "store": self.store,
            "present": self.present,
            "state": self.state,
            "user": self.user,
            "consented_at": when(self.consented_at),
            "issued_at": when(self.issued_at),
            "last_redeemed_at": when(self.last_redeemed_at),
            "expires_at": when(self.expires_at),
            "days_left": None if self.days_left is None else round(self.days_left, 2),
            "mfa": self.mfa,
            "scopes": list(self.scopes),
            "source": self.source,
            **{k: (self.refusal or {}).get(k) for k in REFUSAL_KEYS},
        }


def status(profile: Profile, store: SecretStore, *, warn_days: float = DEFAULT_WARN_DAYS, now: datetime | None = None) -> RefreshTokenStatus:
    if isinstance(warn_days, bool) or not isinstance(warn_days, (int, float)) or not 0 <= warn_days <= REFRESH_TOKEN_INACTIVITY_DAYS:
        raise InvalidInputError(f"warn days must be a number from 0 to {REFRESH_TOKEN_INACTIVITY_DAYS}, not {warn_days!r}.")
    stored = store.get(entry(profile, ENTRY_REFRESH_TOKEN))
    if stored is None:
        return RefreshTokenStatus(profile.name, store.uri, False, "missing")
    meta = stored.metadata
    issued = parse_iso(meta.get("issued_at"))
    now = now or utcnow()
    try:
        expires = issued + timedelta(days=REFRESH_TOKEN_INACTIVITY_DAYS) if issued else None
    except OverflowError:  # a record edited by hand (year 9999): the deadline is unknown
        issued = expires = None
    days_left = (expires - now).total_seconds() / 86400 if expires else None
    if days_left is None:
        state = "warning"
    elif days_left <= 0:
        state = "expired"
    elif days_left < warn_days:
        state = "warning"
    else:
        state = "ok"
    refusal = _standing_refusal(meta, issued)
    if refusal is not None:
        state = "refused"
    mfa = meta.get("mfa")
    return RefreshTokenStatus(
        profile=profile.name,
        store=store.uri,
        present=True,
        state=state,
        user=meta.get("user") if isinstance(meta.get("user"), str) and meta.get("user") else None,
        consented_at=parse_iso(meta.get("consented_at")),
        issued_at=issued,
        last_redeemed_at=parse_iso(meta.get("last_redeemed_at")),
        expires_at=expires,
        days_left=days_left,
        mfa=mfa if isinstance(mfa, bool) else None,
        scopes=tuple(meta["scopes"]) if isinstance(meta.get("scopes"), list) else (),
        source=meta.get("source") if isinstance(meta.get("source"), str) else None,
        refusal=refusal,
    )


def _standing_refusal(meta: Mapping[str, Any], issued: datetime | None) -> dict[str, Any] | None:
    """The recorded refusal, unless a redemption (or a new token) succeeded after it."""
    refused = parse_iso(meta.get("refused_at"))
    if refused is None:
        return None
    since = [d for d in (parse_iso(meta.get("last_redeemed_at")), issued) if d is not None]
    if since and max(since) >= refused:
        return None
    return {**{k: meta.get(k) for k in REFUSAL_KEYS}, "refused_at": refused.strftime("%Y-%m-%dT%H:%M:%SZ")}


def keepalive(profile: Profile, store: SecretStore) -> RefreshTokenStatus:
    """Redeem once (bypassing the access-token cache) so the stored token restarts its 90 days."""
    obtain_token(profile, store, profile.scopes, force_refresh=True)
    return status(profile, store)


def forget_refresh_token(profile: Profile, store: SecretStore) -> bool:
    """Delete the refresh token (and the copy an import kept) and the cached access tokens; whether
    there was a refresh token."""
    removed = store.delete(entry(profile, ENTRY_REFRESH_TOKEN))
    store.delete(entry(profile, ENTRY_PREVIOUS_REFRESH_TOKEN))  # removing means removing, the kept copy too
    AccessTokenCache(profile, store).clear()
    return removed


def stored_refresh_token_fingerprint(profile: Profile, store: SecretStore) -> str | None:
    stored = store.get(entry(profile, ENTRY_REFRESH_TOKEN))
    return fingerprint(stored.value) if stored else None
