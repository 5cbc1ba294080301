"""Token value types and time helpers."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, microseconds kept (they order rotations within one second)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str | None) -> datetime | None:
    if not text or not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a JWT without verifying it (we are the client, not the resource); {} if opaque."""
    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        data = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (IndexError, ValueError, UnicodeError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def lacks_mfa(claims: dict[str, Any]) -> bool:
    """True for a user's token whose `amr` (a list, in Entra's v1 tokens) has no MFA method; False for
    an app-only token, or when the token does not say (no `amr`)."""
    amr = claims.get("amr")
    if claims.get("idtyp") == "app" or not isinstance(amr, list):
        return False
    return not {"mfa", "ngcmfa"} & {str(m).lower() for m in amr}


@dataclass(frozen=True)
class AccessToken:
    """An access token for one resource in one tenant. The token itself never shows in repr."""

    token: str = field(repr=False)
    expires_on: datetime
    scopes: tuple[str, ...]
    tenant_id: str
    token_type: str = "Bearer"
    from_cache: bool = field(default=False, compare=False)

    @property
    def claims(self) -> dict[str, Any]:
        return claims_of(self.token)

    @property
    def audience(self) -> str | None:
        aud = self.claims.get("aud")
        return aud if isinstance(aud, str) else None

    def seconds_left(self, now: datetime | None = None) -> float:
        return (self.expires_on - (now or utcnow())).total_seconds()

    def to_dict(self, *, include_token: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "token_type": self.token_type,
            "expires_on": self.expires_on.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "scopes": list(self.scopes),
            "tenant_id": self.tenant_id,
        }
        if include_token:
            data = {"access_token": self.token, **data}
        return data
