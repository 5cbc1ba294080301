"""Tokens for an app and a refresh token the caller brings (New-PartnerAccessToken's sets): an
ephemeral profile (memory store, never saved), nothing stored, the rotated refresh token handed back."""
from __future__ import annotations

import functools
from datetime import timedelta

from .._auth.client import build_app, call
from .._config import Config, Profile, environment_settings
from .._core import validate as v
from .._core.errors import InvalidInputError
from .._core.tokens import AccessToken, claims_of, utcnow
from .exchange import Redemption, redeem

# Remediations name the profile to consent again; an ad-hoc call has none, so they say NAME.
ADHOC_PROFILE = "NAME"


def ephemeral_profile(app_id: str, tenant: str, *, confidential: bool) -> Profile:
    """Built through `Config.build_profile`, so the authority host and CA bundle follow the usual
    precedence (SAM_BRIDGE_AUTHORITY_HOST, SAM_BRIDGE_CA_BUNDLE, else the defaults).

    Remembered for the same arguments and settings: validating a Profile is a third of the client's
    CPU of an ad-hoc exchange, which the PowerShell module's long-lived host repeats per call."""
    return _ephemeral(app_id, tenant, confidential, environment_settings())


@functools.lru_cache(maxsize=32)
def _ephemeral(app_id: str, tenant: str, confidential: bool, settings: tuple[tuple[str, str | None], ...]) -> Profile:
    return Config.build_profile(
        ADHOC_PROFILE, {}, app_id=app_id, tenant=tenant,
        credential="secret" if confidential else "none", store="memory",
    )


def redeem_given(profile: Profile, secret: str | None, refresh_token: str, scopes: tuple[str, ...], tenant: str) -> Redemption:
    """Redeem the caller's refresh token once; nothing is stored."""
    return redeem(profile, secret, refresh_token, scopes, tenant)


def app_only_token(profile: Profile, secret: str | None, scopes: tuple[str, ...], tenant: str) -> AccessToken:
    """An app-only token (New-PartnerAccessToken's ServicePrincipal set without -RefreshToken)."""
    if secret is None:
        raise InvalidInputError("an app-only token needs -Credential (the application id and client secret).")
    app = build_app(profile, secret, tenant)
    facts = {"tenant": tenant, "app_id": profile.app_id, "profile": profile.name, "resource": v.resource_of(scopes[0])}
    result = call(app.acquire_token_for_client, list(scopes), doing="get an app-only token",
                  where=profile.authority(tenant), facts=facts)
    received = utcnow()
    claims = claims_of(result["access_token"])
    return AccessToken(
        token=result["access_token"],
        expires_on=received + timedelta(seconds=int(result["expires_in"])),
        scopes=scopes,
        tenant_id=str(claims.get("tid") or tenant),
        token_type=str(result.get("token_type") or "Bearer"),
    )
