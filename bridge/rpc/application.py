"""RPC handlers for the SAM application lifecycle (New-SamApplication, Grant-SamCustomerConsent,
Get-SamApplicationCredential, Update-SamApplicationCredential). They translate; `_api` decides.

Sign-ins show their device code through `say`, as the consent handler does.
"""
from __future__ import annotations

from typing import Any, Mapping

from .._core.constants import BATCH_CONCURRENCY, DEFAULT_SECRET_DAYS
from .core import arg, string_list
from .registry import command, say

_PROFILE_VALUES = ("tenant", "authority_host", "ca_bundle", "store", "graph_url", "partner_center_url", "bootstrap_client_id")


@command("app.create")
def _app_create(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import app_create

    result = app_create(
        arg(args, "name", str, required=True),
        config=config,
        values={**{key: arg(args, key, str) for key in _PROFILE_VALUES},
                "custom_authority": True if arg(args, "custom_authority", bool, False) else None},
        app_id=arg(args, "app_id", str),
        targets=string_list(args, "targets"),
        display_name=arg(args, "display_name", str),
        what_if=bool(arg(args, "what_if", bool, False)),
        secret_days=arg(args, "secret_days", int, DEFAULT_SECRET_DAYS),
        credential=arg(args, "credential", str, "secret"),
        sign_in=arg(args, "sign_in", str, "device-code"),
        consent_app=bool(arg(args, "consent", bool, True)),
        prompt=say,
    )
    return result.to_dict()


@command("app.consent")
def _app_consent(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import app_consent

    results = app_consent(
        arg(args, "profile", str),
        string_list(args, "tenants"),
        all_customers=bool(arg(args, "all_customers", bool, False)),
        check=bool(arg(args, "check", bool, False)),
        concurrency=arg(args, "concurrency", int, BATCH_CONCURRENCY),
        config=config,
    )
    return [r.to_dict() for r in results]


@command("app.credentials")
def _app_credentials(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import app_credentials

    listed = app_credentials(arg(args, "profile", str), warn_days=arg(args, "warn_days", (int, float)), config=config)
    return [c.to_dict() for c in listed]


@command("app.rotate")
def _app_rotate(args: Mapping[str, Any], secrets: Mapping[str, Any], config: str | None) -> Any:
    from .._api import app_rotate

    result = app_rotate(
        arg(args, "profile", str),
        keep_old=bool(arg(args, "keep_old", bool, False)),
        secret_days=arg(args, "secret_days", int),
        sign_in=arg(args, "sign_in", str),
        prompt=say,
        config=config,
    )
    return result.to_dict()
