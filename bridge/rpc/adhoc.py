"""RPC handler for New-SamAccessToken's New-PartnerAccessToken-compatible sets: no profile, no store.

The caller brings the refresh token (and a service principal's secret) in the request's secrets,
as `New-PartnerAccessToken -RefreshToken ... -Credential ... -ServicePrincipal` takes them; the
tokens come from `bridge._api.adhoc_token` (an ephemeral profile, nothing stored). The rotated
refresh token is returned only when the caller asks for it, and is then theirs to keep.
"""
from __future__ import annotations

import warnings
from typing import Any, Mapping

from .._core import validate as v
from .._core.errors import InvalidInputError
from .registry import command
from .core import arg, string_list

MODES = ("refresh_token", "client_credentials")


def _app_id(args: Mapping[str, Any]) -> str:
    """-ApplicationId, else the user name of -Credential (a service principal's PSCredential)."""
    app_id = arg(args, "app_id", str)
    user = arg(args, "credential_user", str)
    if app_id and user and v.guid(app_id) != v.guid(user, "credential user name (the application id)"):
        raise InvalidInputError(
            f"the credential's user name {user!r} is not the application id {app_id!r}: a service principal's "
            "credential has the application id as its user name and the client secret as its password."
        )
    chosen = app_id or user
    if not chosen:
        raise InvalidInputError(
            "no application id: give -ApplicationId, or a -Credential whose user name is the application id."
        )
    return v.guid(chosen)


@command("token.adhoc")
def _adhoc(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import adhoc_token
    from .._core.scrub import remember

    mode = arg(args, "mode", str, "refresh_token")
    if mode not in MODES:
        raise InvalidInputError(f"mode {mode!r} is not one of {', '.join(MODES)}.")
    secret = arg(secrets, "client_secret", str)
    if secret is not None:
        secret = secret.strip()
        if not secret:
            raise InvalidInputError("the credential's password (the client secret) is empty.")
        remember(secret)
    if arg(args, "service_principal", bool, False) and secret is None:
        raise InvalidInputError(
            "-ServicePrincipal needs -Credential: the application id as user name, the client secret as password."
        )
    scopes = string_list(args, "scopes")
    if not scopes:
        raise InvalidInputError(
            "no scopes: give -Scopes, e.g. https://api.partnercenter.microsoft.com/user_impersonation."
        )
    wanted = v.scopes(tuple(scopes))
    tenant = arg(args, "tenant", str)
    if mode == "client_credentials" and not tenant:
        raise InvalidInputError("an app-only token needs -Tenant: the tenant id or domain to get it in.")
    tenant = v.tenant(tenant, "tenant", allow_alias=True) if tenant else "organizations"
    app_id = _app_id(args)

    if mode == "client_credentials":
        token, _ = adhoc_token(app_id, wanted, tenant, client_secret=secret)
        return {**token.to_dict(), "refresh_token": None}

    refresh_token = arg(secrets, "refresh_token", str, required=True).strip()
    if not refresh_token:
        raise InvalidInputError("the refresh token is empty.")
    remember(refresh_token)
    token, rotated = adhoc_token(app_id, wanted, tenant, client_secret=secret, refresh_token=refresh_token)
    result = {**token.to_dict(), "refresh_token": None}
    if arg(args, "include_refresh_token", bool, False):
        if rotated:
            result["refresh_token"] = rotated
        else:
            warnings.warn(
                "Entra returned no new refresh token; the one you gave stays the one to keep.", v.SamBridgeWarning, 2
            )
    return result
