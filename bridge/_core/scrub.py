"""One place that decides what is secret and how it is masked (logs, errors, reprs, request logs)."""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from typing import Any

# Field names whose values are secret wherever they appear (token responses, form bodies, JSON).
SECRET_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "client_assertion",
        "assertion",
        "code",
        "device_code",
        "code_verifier",
        "password",
        "passphrase",
        "private_key",
        "secret",
        "otp",
        "totp_secret",
        "value",
    }
)

MASK = "***"

# Generic names that are secret only when they carry a token-sized value ("code" is also an error code).
_GENERIC_FIELDS = frozenset({"code", "value"})

# Bearer tokens and JWTs that slip into free text are masked by shape as well as by value.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
_FORM_SECRET = re.compile(
    r"(?P<key>(?:%s)=)[^&\s\"']+" % "|".join(sorted(SECRET_FIELDS - _GENERIC_FIELDS))
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")

# The most recent secrets this process has seen, newest last. Bounded, because a long-lived host
# (the PowerShell module's in-process engine, a batch over thousands of tenants) remembers every
# access token it is given; the oldest are forgotten first (an access token, a JWT, is still masked
# by its shape). `_known_by_length` is the masking order, rebuilt by the first scrub after a change
# (a batch remembers a token per tenant and scrubs rarely).
MAX_REMEMBERED = 4096
_known_lock = threading.Lock()
_known_secrets: "OrderedDict[str, None]" = OrderedDict()
_known_by_length: list[str] | None = []


def fingerprint(secret: str) -> str:
    """A short, stable, non-reversible name for a secret (used in logs and the emulator's request log)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]


def remember(secret: str | None) -> None:
    """Mask this exact value from now on in everything this process logs or raises."""
    global _known_by_length
    if secret and len(secret) >= 6:
        with _known_lock:
            if secret in _known_secrets:
                _known_secrets.move_to_end(secret)
                return
            _known_secrets[secret] = None
            while len(_known_secrets) > MAX_REMEMBERED:
                _known_secrets.popitem(last=False)
            _known_by_length = None


def scrub_text(text: str) -> str:
    """Mask known secrets, JWTs, bearer tokens and secret form fields in free text."""
    if not text:
        return text
    global _known_by_length
    known = _known_by_length
    if known is None:
        with _known_lock:
            known = _known_by_length = sorted(_known_secrets, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    text = _JWT.sub(MASK, text)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _FORM_SECRET.sub(lambda m: m.group("key") + MASK, text)


def scrub(obj: Any) -> Any:
    """A copy of a JSON-like value with every secret field masked and free text scrubbed."""
    if isinstance(obj, dict):
        return {k: (MASK if _is_secret_field(k, v) else scrub(v)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(scrub(v) for v in obj)
    if isinstance(obj, str):
        return scrub_text(obj)
    return obj


def _is_secret_field(key: str, value: Any) -> bool:
    if key not in SECRET_FIELDS or not value:
        return False
    return key not in _GENERIC_FIELDS or (isinstance(value, str) and len(value) > 16)


class ScrubbingFilter(logging.Filter):
    """Logging filter that renders the message once and masks secrets in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break logging
            message = str(record.msg)
        record.msg = scrub_text(message)
        record.args = None
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        return True
