"""Batches across customer tenants: many exchanges at once, within Entra's throttling.

A batch reads the profile's refresh token once, under its lock, and redeems that token for every
tenant concurrently (Entra does not revoke a refresh token when it is redeemed, so one token serves
all redemptions). The newest rotated token is written back when the batch ends, and the access
tokens go to the cache in one write. Each request's 429/503 answers are retried with their
Retry-After by the HTTP layer; results stream out one per tenant, as they complete.
"""
from __future__ import annotations

import logging
import threading
import warnings
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping

from .._core import validate as v
from .._auth.client import client_credential, entry, http_session
from .._config import Profile
from .._core.constants import BATCH_CONCURRENCY, BATCH_MAX_CONCURRENCY, ENTRY_REFRESH_TOKEN
from .._core.errors import (
    AuthenticationError,
    ClientCredentialError,
    InvalidInputError,
    InvalidRefreshTokenError,
    NotAvailableError,
    RefreshTokenExpiredError,
    RefreshTokenRevokedError,
    SamBridgeError,
    ServiceError,
)
from .exchange import (
    AccessTokenCache,
    Redemption,
    check_issuer,
    issuer,
    read_refresh_token,
    record_refusal,
    redeem,
    refusal_fields,
    rotation_metadata,
    write_refresh_token,
)
from .._auth.http import sibling_discovery
from .._stores import SecretStore
from .._core.tokens import AccessToken, utcnow

log = logging.getLogger("bridge.batch")

DEFAULT_CONCURRENCY = BATCH_CONCURRENCY
MAX_CONCURRENCY = BATCH_MAX_CONCURRENCY

# Errors about the profile itself, not one tenant: every other tenant would fail the same way.
_PROFILE_WIDE = (RefreshTokenExpiredError, RefreshTokenRevokedError, InvalidRefreshTokenError,
                 ClientCredentialError, NotAvailableError)


@dataclass(frozen=True)
class TenantResult:
    """The outcome for one tenant: a value (token or parameters) or the error that stopped it."""

    tenant: str
    value: Any = None
    error: SamBridgeError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {"tenant": self.tenant, "ok": False, "error": self.error.to_dict()}
        return {"tenant": self.tenant, "ok": True, "result": self.value.to_dict()}


class BatchSession:
    """Holds the profile's refresh-token lock for a batch and redeems the token for any tenant."""

    def __init__(self, profile: Profile, store: SecretStore) -> None:
        self.profile, self.store = profile, store
        self._name = entry(profile, ENTRY_REFRESH_TOKEN)
        self._guard = threading.Lock()
        self._newest: Redemption | None = None
        self._refusal: dict[str, Any] | None = None  # Entra's latest refusal in this batch
        self._tokens: list[tuple[AccessToken, tuple[str, ...], str]] = []
        self.cache = AccessTokenCache(profile, store)

    def __enter__(self) -> "BatchSession":
        self._lock = self.store.lock(self._name)
        self._lock.__enter__()
        try:
            self.credential = client_credential(self.profile, self.store)
            self.stored = read_refresh_token(self.profile, self.store)
            check_issuer(self.profile, self.stored.metadata)
            self._cached = self.cache.load()  # one read of the cache for the whole batch
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        self._prefetch_discovery()
        return self

    def _prefetch_discovery(self) -> None:
        """One discovery request before the workers start: every tenant id's document is then derived
        from it (bridge._auth.http.sibling_discovery) instead of each tenant costing a round trip. A failure
        here costs nothing: each tenant then fetches its own, and reports its own error."""
        try:
            http_session(self.profile).get(f"{self.profile.authority()}/v2.0/.well-known/openid-configuration")
        except Exception as exc:  # noqa: BLE001 - an optimisation must never fail the batch
            log.debug("discovery prefetch failed: %s", type(exc).__name__)

    @property
    def record(self) -> Mapping[str, Any]:
        return self.stored.metadata

    def exchange(self, scopes: tuple[str, ...], tenant: str | None, *, force_refresh: bool = False) -> AccessToken:
        """An access token for one tenant: from the cache (unless `force_refresh`), else one redemption
        of the shared token."""
        wanted = v.scopes(scopes)
        target = tenant or self.profile.tenant
        if not force_refresh:
            cached = self.cache.get(wanted, target, preloaded=self._cached)
            if cached is not None:
                return cached
        try:
            with sibling_discovery():
                redemption = redeem(self.profile, self.credential, self.stored.value, wanted, target)
        except AuthenticationError as exc:
            with self._guard:
                self._refusal = refusal_fields(exc, target, utcnow())
            raise
        with self._guard:
            if redemption.refresh_token and (self._newest is None or redemption.received_at >= self._newest.received_at):
                self._newest = redemption
            self._tokens.append((redemption.access_token, wanted, target))
        return redemption.access_token

    def __exit__(self, *exc: Any) -> None:
        try:
            newest, refusal = self._newest, self._refusal
            if newest is not None and newest.refresh_token and newest.refresh_token != self.stored.value:
                meta = {**rotation_metadata(self.stored.metadata, newest, rotated=True), **issuer(self.profile)}
                if refusal is not None and refusal["refused_at"] > meta["last_redeemed_at"]:
                    meta.update(refusal)  # the batch's last word was a refusal: status says so
                write_refresh_token(self.profile, self.store, newest.refresh_token, meta, locked=True)
            elif refusal is not None:
                record_refusal(self.profile, self.store, self.stored, refusal)
            if self._tokens:
                self.cache.put_many(self._tokens)
        finally:
            self._lock.__exit__(*exc)


def run(
    profile: Profile,
    store: SecretStore,
    tenants: Iterable[str],
    work: Callable[[BatchSession, str], Any],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_done: Callable[[TenantResult, int, int], None] | None = None,
) -> Iterator[TenantResult]:
    """Run `work(session, tenant)` for every tenant on a bounded pool; yield results as they complete."""
    targets = _unique_tenants(tenants)
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InvalidInputError(f"concurrency must be a whole number from 1 to {MAX_CONCURRENCY}, not {concurrency!r}.")
    total, done = len(targets), 0
    with BatchSession(profile, store) as session, ThreadPoolExecutor(min(concurrency, total or 1)) as pool:
        pending: dict[Future[Any], str] = {}
        queue = iter(targets)
        fatal: SamBridgeError | None = None

        def submit_next() -> None:
            for tenant in queue:
                pending[pool.submit(work, session, tenant)] = tenant
                return

        for _ in range(concurrency):
            submit_next()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                tenant = pending.pop(future)
                result = _result_of(future, tenant)
                done += 1
                if on_done:
                    on_done(result, done, total)
                yield result
                if result.error is not None and isinstance(result.error, _PROFILE_WIDE):
                    fatal = result.error
                if fatal is None:
                    submit_next()
        if fatal is not None:  # the rest would fail the same way: report it without asking Entra
            for tenant in queue:
                done += 1
                result = TenantResult(tenant, error=fatal)
                if on_done:
                    on_done(result, done, total)
                yield result


def _result_of(future: Future[Any], tenant: str) -> TenantResult:
    try:
        return TenantResult(tenant, value=future.result())
    except SamBridgeError as exc:
        return TenantResult(tenant, error=exc)
    except Exception as exc:  # a bug must not take the other tenants down with it
        return TenantResult(tenant, error=ServiceError(f"unexpected {type(exc).__name__} for tenant {tenant}"))


def warn_duplicates(tenants: list[str]) -> None:
    """Say which tenants were given more than once (each is exchanged once) instead of dropping
    them silently: "12 given" must not quietly become "4 of 4"."""
    from collections import Counter

    repeated = [(t, n) for t, n in Counter(tenants).items() if n > 1]
    if repeated:
        shown = ", ".join(f"{t} ({n} times)" for t, n in repeated[:5]) + (", ..." if len(repeated) > 5 else "")
        warnings.warn(f"{len(tenants)} tenants were given but only {len(set(tenants))} are distinct; each distinct "
                      f"tenant is exchanged once. Given more than once: {shown}.", v.SamBridgeWarning, 2)


def _unique_tenants(tenants: Iterable[str]) -> list[str]:
    normalized = [v.tenant(tenant, "tenant") for tenant in tenants]
    warn_duplicates(normalized)
    seen = list(dict.fromkeys(normalized))
    if not seen:
        raise InvalidInputError("the batch has no tenants: give --tenant, --tenants-file or --all-customers.")
    return seen


def tokens(profile: Profile, store: SecretStore, scopes: Iterable[str] | None, tenants: Iterable[str],
           *, force_refresh: bool = False, **options: Any) -> Iterator[TenantResult]:
    """Access tokens for `scopes` in every tenant (cached ones reused unless `force_refresh`)."""
    wanted = v.scopes(tuple(scopes) if scopes is not None else profile.scopes)
    return run(profile, store, tenants,
               lambda session, tenant: session.exchange(wanted, tenant, force_refresh=force_refresh), **options)


def read_tenants_file(path: str) -> list[str]:
    """Tenant ids or domains, one per line; blank lines and # comments are skipped."""
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise InvalidInputError(f"cannot read the tenants file {path}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"the tenants file {path} is not UTF-8 text.") from None
    tenants = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if text:
            tenants.append(v.tenant(text, f"tenant on line {number} of {path}"))
    return tenants
