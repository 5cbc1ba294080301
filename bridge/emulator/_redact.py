"""What the emulator's request log and its stderr never show: secrets, masked by field name and by
shape. The emulator imports nothing of the product (docs/ARCHITECTURE.md), so these are its own
rules, written for what its endpoints receive."""
from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

MASK = "***"
_SECRET_KEYS = frozenset({
    "access_token", "refresh_token", "id_token", "client_secret", "client_assertion", "assertion",
    "password", "passphrase", "private_key", "secret", "device_code", "code_verifier", "otp", "totp_secret",
})
# "code" names an authorization code in a form and an error code in a log entry: only a value of
# an authorization code's length is masked.
_CODE_KEYS = frozenset({"code", "value"})
_TOKEN_SHAPES = re.compile(
    r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"  # a JWT
    r"|(?i:bearer\s+)[A-Za-z0-9._~+/=-]{8,}"  # an Authorization header's credential
)
_FORM_FIELD = re.compile(r"\b(%s)=[^&\s\"']+" % "|".join(sorted(_SECRET_KEYS)))  # a secret in a query or form


def fingerprint(secret: str) -> str:
    """Twelve hex digits of SHA-256: the name sam-bridge's own logs give a secret, so a test can
    match the emulator's log against what the product stored without either showing the value."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]


def redact(value: Any) -> Any:
    """A copy of a JSON-like value with secret fields and token-shaped text masked."""
    if isinstance(value, dict):
        return {key: MASK if _secret(key, item) else redact(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(item) for item in value)
    if isinstance(value, str):
        return _FORM_FIELD.sub(lambda m: m.group(1) + "=" + MASK, _TOKEN_SHAPES.sub(MASK, value))
    return value


def _secret(key: str, value: Any) -> bool:
    if not value:
        return False
    if key in _CODE_KEYS:
        return isinstance(value, str) and len(value) > 16
    return key in _SECRET_KEYS


class RedactingFilter(logging.Filter):
    """Renders a log record's message once, with token-shaped text masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break logging
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
