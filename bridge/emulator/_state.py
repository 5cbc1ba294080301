"""Everything the emulator remembers, behind one lock: directory, clock, issued grants, faults, log.

The request path only does dictionary lookups here: codes, device codes and refresh tokens are kept
in insertion-ordered maps and pruned from the old end, so no request scans what was issued.
"""
from __future__ import annotations

import copy
import hashlib
import math
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import asdict, dataclass
from typing import Any, Callable, Mapping

from . import _errors, _faults
from ._faults import Fault
from ._redact import fingerprint, redact
from ._directory import App, Directory, SeedError, Tenant, User
from ._errors import AadError, Throttled
from ._tokens import Signer, TokenValidationError

DAY = 86400.0
RT_INACTIVITY = 90 * DAY
CODE_LIFETIME = 600.0  # authorization codes live about 10 minutes
TRANSACTION_LIFETIME = 3600.0
_RT_RETENTION = 365 * DAY  # how long an expired RT is remembered (to answer 700082, not 70000)
_MAX_REFRESH_TOKENS = 500_000
_REQUEST_LOG_SIZE = 5000

DEFAULT_SETTINGS: dict[str, Any] = {
    "device_code_interval": 1,
    "device_code_expires_in": 900,
    "access_token_lifetime": None,  # None: a random 3600-5399 s, as Entra does
    "access_token_lifetimes": {},  # resource app id or identifier URI -> seconds, over access_token_lifetime
    "token_latency_ms": 0,
    "rate_limit": None,
}

FAULT_TARGETS = _faults.TARGETS
FAULT_KINDS = _faults.KINDS


class ControlError(ValueError):
    """A control-API request that cannot be carried out (answered with HTTP 400 or 404)."""

    def __init__(self, message: str, *, status: int = 400, reason: str = "invalid_request") -> None:
        self.status = status
        self.reason = reason
        super().__init__(message)


class SignInError(Exception):
    """A sign-in step failed; carries the AADSTS error a page shows or the control API returns."""

    def __init__(self, reason: str, error: AadError) -> None:
        self.reason = reason
        self.error = error
        super().__init__(error.description)


# --- records -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """An authenticated user: carried by sessions, codes, device codes and refresh tokens."""

    upn: str
    oid: str
    home_tenant: str
    amr: tuple[str, ...]
    auth_time: float  # emulator clock
    auth_time_real: float


@dataclass
class AuthCode:
    client_id: str
    redirect_uri: str
    scope: str
    tenant_id: str
    signin: SignIn
    code_challenge: str | None
    nonce: str | None
    created: float
    redeemed: bool = False


@dataclass
class DeviceCode:
    device_code: str
    user_code: str
    client_id: str
    tenant_segment: str
    tenant_id: str | None  # None for common/organizations until a user signs in
    scope: str
    created: float
    expires_at: float
    interval: int
    status: str = "pending"  # pending | approved | declined
    signin: SignIn | None = None
    approved_tenant: str | None = None
    last_poll: float | None = None  # monotonic; for slow_down


@dataclass
class RefreshTokenRecord:
    client_id: str
    signin: SignIn
    scopes: tuple[str, ...]
    issued_at: float  # emulator clock; the 90-day inactivity window starts here


@dataclass
class Transaction:
    """One interactive sign-in in progress (authorize or device login), kept server-side."""

    id: str
    kind: str  # "authorize" | "device"
    client_id: str
    tenant_id: str | None
    tenant_segment: str
    created: float
    redirect_uri: str = ""
    scope: str = ""
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    response_mode: str = "query"  # or "form_post"
    user_code: str = ""
    pending_upn: str | None = None  # password checked, waiting for the second factor
    signin: SignIn | None = None


def validate_settings(partial: Mapping[str, Any]) -> dict[str, Any]:
    """Check a (partial) settings object; raises ControlError/SeedError-compatible messages."""
    if not isinstance(partial, Mapping):
        raise ControlError("settings must be a JSON object")
    clean: dict[str, Any] = {}
    for key, value in partial.items():
        if key not in DEFAULT_SETTINGS:
            raise ControlError(f"unknown setting {key!r} (known: {', '.join(sorted(DEFAULT_SETTINGS))})")
        if key in ("device_code_interval", "device_code_expires_in"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ControlError(f"{key} must be an integer >= 1")
        elif key == "access_token_lifetime":
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 60):
                raise ControlError("access_token_lifetime must be null or an integer >= 60")
        elif key == "access_token_lifetimes":
            if not isinstance(value, Mapping) or not all(
                    isinstance(k, str) and k and isinstance(n, int) and not isinstance(n, bool) and n >= 60
                    for k, n in value.items()):
                raise ControlError("access_token_lifetimes must map resource app ids or identifier URIs to integers >= 60")
            value = {k.rstrip("/").lower(): n for k, n in value.items()}
        elif key == "token_latency_ms":
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ControlError("token_latency_ms must be a number >= 0")
        elif key == "rate_limit" and value is not None:
            value = _validate_rate_limit(value)
        clean[key] = value
    return clean


def _validate_rate_limit(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ControlError("rate_limit must be null or {\"per_second\": N, \"burst\": M, \"retry_after\": S}")
    unknown = set(value) - {"per_second", "burst", "retry_after"}
    if unknown:
        raise ControlError(f"rate_limit: unknown keys {sorted(unknown)}")
    per_second = value.get("per_second")
    if not isinstance(per_second, (int, float)) or isinstance(per_second, bool) or per_second <= 0:
        raise ControlError("rate_limit.per_second must be a number > 0")
    burst = value.get("burst", max(1, math.ceil(per_second)))
    if not isinstance(burst, int) or isinstance(burst, bool) or burst < 1:
        raise ControlError("rate_limit.burst must be an integer >= 1")
    retry_after = value.get("retry_after")
    if retry_after is not None and (not isinstance(retry_after, int) or isinstance(retry_after, bool) or retry_after < 1):
        raise ControlError("rate_limit.retry_after must be null or an integer >= 1")
    return {"per_second": per_second, "burst": burst, "retry_after": retry_after}


def _random_token(prefix: str, nbytes: int) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


_USER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed


class EmulatorState:
    """The shared state of one emulator process (one Entra listener now, Key Vault later)."""

    def __init__(self, seed: Mapping[str, Any], signer: Signer, jwk: Mapping[str, Any]) -> None:
        self.lock = threading.RLock()
        self.signer = signer
        self.jwk = dict(jwk)  # the public signing key, published at /{tenant}/discovery/v2.0/keys
        self.base_url = ""  # https://127.0.0.1:PORT, set once the listener is bound
        self._seed = copy.deepcopy(dict(seed))
        self._seq = 0
        self.fault_queue = _faults.FaultQueue(error=ControlError)
        self.on_reset: list[Callable[[], None]] = []
        self._load_seed()

    # -- lifecycle ----------------------------------------------------------------------------------

    def _load_seed(self) -> None:
        directory = Directory.from_seed(self._seed, time.time())
        try:
            base_settings = dict(DEFAULT_SETTINGS, **validate_settings(self._seed.get("settings") or {}))
        except ControlError as exc:
            raise SeedError(f"settings: {exc}") from None
        with self.lock:
            self.directory = directory
            self._base_settings = base_settings
            self._setting_overrides: dict[str, Any] = {}
            self.clock_offset = 0.0
            self.codes: OrderedDict[str, AuthCode] = OrderedDict()
            self.device_codes: OrderedDict[str, DeviceCode] = OrderedDict()
            self.user_codes: dict[str, str] = {}
            self.refresh_tokens: OrderedDict[str, RefreshTokenRecord] = OrderedDict()
            self.transactions: OrderedDict[str, Transaction] = OrderedDict()
            self.sessions: dict[str, SignIn] = {}
            self.tokens_valid_from: dict[str, float] = {}
            self.fault_queue.clear()
            self.request_log: deque[dict[str, Any]] = deque(maxlen=_REQUEST_LOG_SIZE)
            self._buckets: dict[tuple[str, str], list[float]] = {}

    def reset(self) -> None:
        """Back to the start-up seed: tokens, clock, faults, settings overrides and the log are cleared."""
        self._load_seed()
        for hook in self.on_reset:  # listeners sharing this state (the Key Vault emulator)
            hook()

    def replace_directory(self, seed: Mapping[str, Any]) -> None:
        """Swap the directory (seed format); issued tokens, clock and log are kept."""
        directory = Directory.from_seed(seed, self.now())
        settings = validate_settings(seed.get("settings") or {})
        with self.lock:
            self.directory = directory
            self._setting_overrides.update(settings)
            self._buckets.clear()

    # -- clock --------------------------------------------------------------------------------------

    def now(self) -> float:
        """Emulator time: real time plus the offset the control API has added."""
        return time.time() + self.clock_offset

    def advance_clock(self, seconds: float) -> float:
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0 or not math.isfinite(seconds):
            raise ControlError("advance_seconds must be a number >= 0 (the emulator clock never goes back)")
        with self.lock:
            self.clock_offset += float(seconds)
            return self.clock_offset

    # -- settings -----------------------------------------------------------------------------------

    @property
    def settings(self) -> dict[str, Any]:
        return dict(self._base_settings, **self._setting_overrides)

    def update_settings(self, partial: Mapping[str, Any]) -> dict[str, Any]:
        clean = validate_settings(partial)
        with self.lock:
            self._setting_overrides.update(clean)
            if "rate_limit" in clean:
                self._buckets.clear()
            return self.settings

    def access_token_lifetime(self, resource: Any = None) -> int:
        """Seconds an access token for `resource` (a Resource) lives: its own setting, the global one,
        or Entra's random default."""
        settings = self.settings
        if resource is not None:
            per_resource = settings["access_token_lifetimes"] or {}
            for key in (resource.app_id, *resource.identifier_uris):
                if key.rstrip("/").lower() in per_resource:
                    return int(per_resource[key.rstrip("/").lower()])
        fixed = settings["access_token_lifetime"]
        # Entra's default lifetime is a random 60-90 minutes, which spreads refreshes out.
        return int(fixed) if fixed else 3600 + secrets.randbelow(1800)

    # -- rate limiting --------------------------------------------------------------------------------

    def check_rate_limit(self, client_id: str, tenant: str) -> None:
        """Token bucket per (client_id, tenant); raises Throttled when it is empty."""
        limit = self.settings["rate_limit"]
        if not limit:
            return
        rate, burst = float(limit["per_second"]), float(limit["burst"])
        now = time.monotonic()
        with self.lock:
            bucket = self._buckets.setdefault((client_id.lower(), tenant.lower()), [burst, now])
            bucket[0] = min(burst, bucket[0] + (now - bucket[1]) * rate)
            bucket[1] = now
            if bucket[0] >= 1.0:
                bucket[0] -= 1.0
                return
            wait = limit["retry_after"] or math.ceil((1.0 - bucket[0]) / rate)
        raise Throttled(wait)

    # -- users, sign-in and revocation ----------------------------------------------------------------

    def user(self, upn: str) -> User:
        user = self.directory.user(upn)
        if user is None:
            raise ControlError(f"no user {upn!r} in the directory", status=404, reason="not_found")
        return user

    def check_password(self, username: str, password: str, tenant: Tenant | None) -> User:
        user = self.directory.user(username.strip())
        if user is None:
            where = tenant.name if tenant else username.partition("@")[2] or "this"
            raise SignInError("user_not_found", _errors.user_not_found(username.strip(), where))
        if not secrets.compare_digest(user.password.encode(), password.encode()):
            raise SignInError("invalid_password", _errors.invalid_credentials())
        return user

    @staticmethod
    def check_otp(user: User, otp: str | None) -> bool:
        """TOTP against the REAL clock: the authenticator runs on the user's phone, not in the emulator."""
        if not user.totp_secret or not otp:
            return False
        import pyotp

        return bool(pyotp.TOTP(user.totp_secret).verify(otp.strip().replace(" ", ""), valid_window=1))

    def check_tenant_access(self, user: User, tenant: Tenant, app: App) -> None:
        if not self.directory.user_can_access(user, tenant, self.now()):
            raise SignInError(
                "user_not_in_tenant",
                _errors.user_not_in_tenant(user.upn, user.tenant, tenant.name, app.app_id, app.name),
            )

    def make_signin(self, user: User, mfa: bool) -> SignIn:
        return SignIn(
            upn=user.upn,
            oid=user.oid,
            home_tenant=user.tenant,
            amr=("pwd", "mfa") if mfa else ("pwd",),
            auth_time=self.now(),
            auth_time_real=time.time(),
        )

    def revoke(self, upn: str) -> float:
        """Revoke all sessions: every grant from a sign-in before now fails with AADSTS50173."""
        user = self.user(upn)
        with self.lock:
            valid_from = self.now()
            self.tokens_valid_from[user.upn.lower()] = valid_from
            for sid in [s for s, signin in self.sessions.items() if signin.upn.lower() == user.upn.lower()]:
                del self.sessions[sid]
            return valid_from

    def set_password(self, upn: str, password: str) -> float:
        if not isinstance(password, str) or not password:
            raise ControlError("password must be a non-empty string")
        user = self.user(upn)
        with self.lock:
            user.password = password
        return self.revoke(upn)

    def revoked_since(self, signin: SignIn) -> float | None:
        """TokensValidFrom if it is later than this sign-in, else None."""
        valid_from = self.tokens_valid_from.get(signin.upn.lower())
        return valid_from if valid_from is not None and signin.auth_time < valid_from else None

    # -- authorization codes ---------------------------------------------------------------------------

    def issue_code(self, record: AuthCode) -> str:
        code = _random_token("1.AQ", 96)
        with self.lock:
            self._prune(self.codes, lambda c: c.created + TRANSACTION_LIFETIME < record.created)
            self.codes[code] = record
        return code

    # -- device codes ------------------------------------------------------------------------------------

    def issue_device_code(self, client_id: str, tenant_segment: str, tenant_id: str | None, scope: str) -> DeviceCode:
        settings = self.settings
        now = self.now()
        with self.lock:
            self._prune(self.device_codes, lambda d: d.expires_at + TRANSACTION_LIFETIME < now, self._forget_user_code)
            while True:
                user_code = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(9))
                if user_code not in self.user_codes:
                    break
            record = DeviceCode(
                device_code=_random_token("DAQABIQEAAAB", 96),
                user_code=user_code,
                client_id=client_id,
                tenant_segment=tenant_segment,
                tenant_id=tenant_id,
                scope=scope,
                created=now,
                expires_at=now + settings["device_code_expires_in"],
                interval=settings["device_code_interval"],
            )
            self.device_codes[record.device_code] = record
            self.user_codes[user_code] = record.device_code
        return record

    def _forget_user_code(self, record: DeviceCode) -> None:
        self.user_codes.pop(record.user_code, None)

    def device_code_by_user_code(self, user_code: str) -> DeviceCode | None:
        key = "".join(ch for ch in user_code.upper() if ch.isalnum())
        with self.lock:
            device_code = self.user_codes.get(key)
            return self.device_codes.get(device_code) if device_code else None

    def pending_device_code(self, user_code: str) -> DeviceCode:
        """A device code a user may still approve, or ControlError (404 unknown, 400 expired/used)."""
        record = self.device_code_by_user_code(user_code or "")
        if record is None:
            raise ControlError(f"no device code with user code {user_code!r}", status=404, reason="not_found")
        if record.expires_at <= self.now():
            raise ControlError("this device code has expired", reason="expired")
        if record.status != "pending":
            raise ControlError(f"this device code is already {record.status}", reason=record.status)
        return record

    def approve_device_code(self, record: DeviceCode, signin: SignIn, tenant_id: str) -> None:
        with self.lock:
            record.status = "approved"
            record.signin = signin
            record.approved_tenant = tenant_id

    def decline_device_code(self, record: DeviceCode) -> None:
        with self.lock:
            record.status = "declined"

    def list_pending_device_codes(self) -> list[dict[str, Any]]:
        now = self.now()
        with self.lock:
            return [
                {
                    "user_code": d.user_code,
                    "client_id": d.client_id,
                    "tenant": d.tenant_id or d.tenant_segment,
                    "scope": d.scope,
                    "created": _errors.format_instant(d.created),
                    "expires": _errors.format_instant(d.expires_at),
                }
                for d in self.device_codes.values()
                if d.status == "pending" and d.expires_at > now
            ]

    # -- refresh tokens -----------------------------------------------------------------------------------

    def issue_refresh_token(self, client_id: str, signin: SignIn, scopes: tuple[str, ...]) -> str:
        token = _random_token("1.AXkA", 160)
        now = self.now()
        with self.lock:
            self._prune(self.refresh_tokens, lambda r: r.issued_at + RT_INACTIVITY + _RT_RETENTION < now)
            while len(self.refresh_tokens) >= _MAX_REFRESH_TOKENS:
                self.refresh_tokens.popitem(last=False)
            self.refresh_tokens[token] = RefreshTokenRecord(client_id, signin, scopes, now)
        return token

    # -- interactive transactions and browser sessions -------------------------------------------------

    def new_transaction(self, **fields: Any) -> Transaction:
        now = self.now()
        transaction = Transaction(id=secrets.token_urlsafe(24), created=now, **fields)
        with self.lock:
            self._prune(self.transactions, lambda t: t.created + TRANSACTION_LIFETIME < now)
            self.transactions[transaction.id] = transaction
        return transaction

    def transaction(self, tx_id: str | None) -> Transaction | None:
        with self.lock:
            transaction = self.transactions.get(tx_id or "")
        if transaction is None or transaction.created + TRANSACTION_LIFETIME < self.now():
            return None
        return transaction

    def end_transaction(self, tx_id: str) -> None:
        with self.lock:
            self.transactions.pop(tx_id, None)

    def new_session(self, signin: SignIn) -> str:
        sid = secrets.token_urlsafe(32)
        with self.lock:
            if len(self.sessions) > 10_000:
                self.sessions.pop(next(iter(self.sessions)))
            self.sessions[sid] = signin
        return sid

    def session(self, sid: str | None) -> SignIn | None:
        if not sid:
            return None
        with self.lock:
            signin = self.sessions.get(sid)
        if signin is None or self.revoked_since(signin) is not None:
            return None
        return signin

    # -- faults ---------------------------------------------------------------------------------------

    def add_fault(self, spec: Mapping[str, Any]) -> Fault:
        return self.fault_queue.add(spec)

    def take_fault(self, target: str) -> Fault | None:
        """Consume one use of the first fault matching this endpoint's target."""
        return self.fault_queue.take(target)

    def clear_faults(self) -> int:
        return self.fault_queue.clear()

    @property
    def faults(self) -> list[Fault]:
        return self.fault_queue.pending()

    # -- request log --------------------------------------------------------------------------------------

    def log_request(self, entry: dict[str, Any]) -> None:
        entry = redact(entry)  # belt and braces: nothing secret may reach the log
        with self.lock:
            self._seq += 1
            entry["seq"] = self._seq
            self.request_log.append(entry)

    def requests_since(self, since: int = 0) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(e) for e in self.request_log if e["seq"] > since]

    # -- access-token validation (for the resource stand-ins: Partner Center, Key Vault) --------------

    def validate_access_token(self, token: str, audience: str) -> dict[str, Any]:
        """Claims of a bearer token this emulator issued, if it is unexpired and meant for `audience`.

        `audience` may be an identifier URI or an app id; an `aud` naming the same resource either way
        (e.g. https://vault.azure.net or cfa8b339-...) is accepted, as the real services do.
        """
        claims = self.signer.verify(token)
        now = self.now()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, (int, float)) or exp <= now:
            raise TokenValidationError("the token is expired")
        if isinstance(nbf, (int, float)) and nbf > now + 300:
            raise TokenValidationError("the token is not valid yet")
        aud = str(claims.get("aud", ""))
        if aud.rstrip("/").lower() != audience.rstrip("/").lower():
            catalog = self.directory.resources
            wanted, presented = catalog.lookup(audience), catalog.lookup(aud)
            if wanted is None or presented is None or wanted.app_id != presented.app_id:
                raise TokenValidationError(f"the token's audience '{aud}' is not '{audience}'")
        return claims

    # -- helpers ------------------------------------------------------------------------------------------

    @staticmethod
    def _prune(
        items: "OrderedDict[str, Any]",
        expired: Callable[[Any], bool],
        on_remove: Callable[[Any], None] | None = None,
    ) -> None:
        """Drop expired entries from the old end; amortised O(1) because entries arrive in time order."""
        while items:
            key, value = next(iter(items.items()))
            if not expired(value):
                return
            items.popitem(last=False)
            if on_remove:
                on_remove(value)


def rt_fingerprint(token: str | None) -> str | None:
    return fingerprint(token) if token else None


def stable_guid(*parts: str) -> str:
    """A GUID derived from its inputs (policy ids in claims challenges and the like)."""
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
