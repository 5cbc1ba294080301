"""Jobs that outlive a token: per-customer connect parameters, renewed ahead of their expiry.

The tokens handed to Connect-MgGraph, Connect-ExchangeOnline, Connect-MicrosoftTeams and
Connect-PnPOnline cannot be refreshed by those modules, so a job over many customers that runs
longer than a token (60-90 minutes) asks again before the tokens run out: `parameters()` gives the
current ones while they have more than `margin` seconds left, else mints new ones (a cached token
is reused only with more than `margin` left). The Teams pair is minted so that its expiries differ
by less than 5,400 s (connect.py checks every token set that has such a limit).

    >>> for customer in customer_connections(profile, store, "MgGraph", tenants):  # doctest: +SKIP
    ...     if customer.ok:
    ...         params = customer.parameters()   # again at each step: renewed when they run low
"""
from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any, Iterable, Iterator

from .._config import Profile
from .._core import validate as v
from .._core.constants import DEFAULT_GDAP_WARN_DAYS, JOB_RECONNECT_MARGIN_SECONDS
from .._core.errors import InvalidInputError, SamBridgeError
from .._core.tokens import utcnow
from .._stores import SecretStore
from .connect import ConnectParameters, connect_parameters
from .plan import plan
from .readiness import split

MAX_MARGIN_SECONDS = 3600


def check_margin(margin: Any) -> float:
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin <= MAX_MARGIN_SECONDS:
        raise InvalidInputError(f"the reconnect margin must be a number of seconds from 0 to {MAX_MARGIN_SECONDS}, not {margin!r}.")
    return float(margin)


class CustomerConnection:
    """One customer of a job: `error` when it is not ready, else `parameters()`, always current."""

    def __init__(self, profile: Profile, store: SecretStore, target: str, tenant: str, *, margin: float,
                 error: SamBridgeError | None = None, module_version: str | None = None,
                 include: Iterable[str] | str | None = (), url: str | None = None) -> None:
        self.profile, self.store, self.target, self.tenant = profile, store, target, tenant
        self.margin, self.error = margin, error
        self._options = {"module_version": module_version, "include": include, "url": url}
        self._current: ConnectParameters | None = None
        self.connections = 0  # how many sets of parameters were handed out: 1 + the renewals

    def __repr__(self) -> str:
        return f"CustomerConnection(tenant={self.tenant!r}, target={self.target!r}, ok={self.ok})"

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def expires_on(self) -> datetime | None:
        return self._current.expires_on if self._current else None

    def seconds_left(self, now: datetime | None = None) -> float:
        """Seconds until the current parameters' first token expires (0 before the first)."""
        return max(0.0, (self._current.expires_on - (now or utcnow())).total_seconds()) if self._current else 0.0

    @property
    def due(self) -> bool:
        """True when the next `parameters()` mints new tokens (none yet, or fewer than `margin` seconds left)."""
        return self._current is None or self.seconds_left() <= self.margin

    def parameters(self) -> ConnectParameters:
        """The current parameters, renewed first when they have `margin` seconds or less left."""
        if self.error is not None:
            raise self.error
        if self.due:
            self._current = connect_parameters(self.profile, self.store, self.target, self.tenant,
                                               min_lifetime=self.margin, **self._options)  # type: ignore[arg-type]
            self.connections += 1
            if self.seconds_left() <= self.margin:
                warnings.warn(f"the tokens for {self.tenant} live {self.seconds_left():.0f} s, not more than the reconnect "
                              f"margin of {self.margin:.0f} s: every step will reconnect; lower the margin.",
                              v.SamBridgeWarning, 2)
        return self._current


def customer_connections(profile: Profile, store: SecretStore, target: str, tenants: Iterable[str], *,
                         margin: float = JOB_RECONNECT_MARGIN_SECONDS, preflight: bool = True,
                         warn_days: float = DEFAULT_GDAP_WARN_DAYS, module_version: str | None = None,
                         include: Iterable[str] | str | None = (), url: str | None = None) -> Iterator[CustomerConnection]:
    """One CustomerConnection per tenant: with `preflight`, the unready ones first (their `error`
    says why and what to do), then the ready ones; without, every tenant as ready."""
    name = plan(target, module_version, include).target.name  # a bad target or version fails before anything is sent
    margin = check_margin(margin)
    chosen = list(dict.fromkeys(v.tenant(t, "tenant") for t in tenants))
    if not chosen:
        raise InvalidInputError("the job has no customers: give tenants, or all customers.")
    options = {"module_version": module_version, "include": include, "url": url}
    if preflight:
        ready, unready = split(profile, store, chosen, name, warn_days=warn_days)
    else:
        ready, unready = chosen, []
    for result in unready:
        yield CustomerConnection(profile, store, name, result.tenant, margin=margin, error=result.error, **options)
    for tenant in ready:
        yield CustomerConnection(profile, store, name, tenant, margin=margin, **options)
