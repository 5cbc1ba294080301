"""`sam-bridge store ...` and `sam-bridge keyvault ...`: checking stores and importing from CIPP vaults.

Only translation happens here; the logic lives in `bridge._stores` (`cipp.import_cipp`). Secrets
are read from the vault or the store, never from argv.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import typer

from .app import JSON_OPTION, PROFILE_OPTION, _emit, _load, _state, app

store_app = typer.Typer(help="Check the secret store a profile uses.", no_args_is_help=True)
keyvault_app = typer.Typer(help="Azure Key Vault: import from CIPP-style vaults.", no_args_is_help=True)
app.add_typer(store_app, name="store")
app.add_typer(keyvault_app, name="keyvault")

# azure-identity logs every failed credential of its chain as a warning; the store turns that into
# one error with the fix, so the CLI shows azure's own messages only when they are errors.
logging.getLogger("azure").setLevel(logging.ERROR)


@store_app.command("check")
def store_check(ctx: typer.Context, profile: Optional[str] = PROFILE_OPTION, json_out: bool = JSON_OPTION) -> None:
    """Check that the profile's store works here (exit 3 with what to install or configure if not)."""
    from .._api import store_for

    p = _load(ctx, profile)
    store = store_for(p)
    store.check()
    backend = getattr(store, "backend", None)
    if json_out:
        _emit({"profile": p.name, "store": store.uri, "ok": True, "backend": backend})
    else:
        typer.echo(f"{p.name}: {store.uri} works" + (f" ({backend})." if backend else "."))


@keyvault_app.command("import-cipp")
def keyvault_import_cipp(
    ctx: typer.Context,
    vault: str = typer.Option(..., "--vault", help="The CIPP vault, https://NAME.vault.azure.net."),
    profile: str = typer.Option(..., "--profile", "-p", help="The sam-bridge profile to create or update."),
    create: bool = typer.Option(False, "--create", help="Create the profile (or replace its app, tenant and credential)."),
    store: Optional[str] = typer.Option(None, "--store", help="Store for a new profile (default: SAM_BRIDGE_STORE, else the vault itself)."),
    authority_host: Optional[str] = typer.Option(None, "--authority-host", help="Authority for the profile (e.g. a sovereign cloud or the emulator)."),
    ca_bundle: Optional[Path] = typer.Option(None, "--ca-bundle", help="CA certificate(s) to trust for the vault and the authority."),
    direct_tenant: Optional[str] = typer.Option(None, "--direct-tenant", help="Import the refresh token CIPP keeps for this direct tenant (its id) instead of the partner's."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Read CIPP's ApplicationID, ApplicationSecret, TenantID and RefreshToken secrets into a profile."""
    from .._api import import_cipp

    result = import_cipp(
        vault.removeprefix("keyvault:"),
        profile,
        config=_state(ctx).config,
        create=create,
        store=store,
        authority_host=authority_host,
        ca_bundle=str(ca_bundle) if ca_bundle else None,
        direct_tenant=direct_tenant,
    )
    if json_out:
        _emit(result.to_dict())
    else:
        verb = "created" if result.created else "updated"
        typer.echo(
            f"Profile {result.profile!r} {verb} from {result.vault}: app {result.app_id}, tenant {result.tenant}; "
            f"client secret and refresh token ({result.refresh_token_secret}) stored in {result.store}."
        )
