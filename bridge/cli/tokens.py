"""`sam-bridge refresh-token ...`: import or remove a profile's refresh token (translation only)."""
from __future__ import annotations

import os
from typing import Optional

import typer

from .app import JSON_OPTION, PROFILE_OPTION, _emit, _load, _read_stdin_secret, token_app


@token_app.command("import")
def refresh_token_import(
    ctx: typer.Context,
    profile: Optional[str] = PROFILE_OPTION,
    verify: bool = typer.Option(True, "--verify/--no-verify", help="Redeem the token once before it replaces the stored one (default); --no-verify when the authority cannot be reached."),
    restore: bool = typer.Option(False, "--restore", help="Put back the record the last import replaced (reads no token)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Store an existing refresh token read from stdin (or SAM_BRIDGE_REFRESH_TOKEN); the replaced one stays recoverable."""
    from .._api import import_refresh_token, restore_refresh_token
    from .._core.constants import ENV_REFRESH_TOKEN

    p = _load(ctx, profile)
    if restore:
        meta = restore_refresh_token(p)
        if json_out:
            _emit({"profile": p.name, "store": p.store, "restored_issued_at": meta.get("issued_at")})
        else:
            typer.echo(f"Restored the previous refresh token of profile {p.name!r} in {p.store} (issued {meta.get('issued_at') or 'at an unknown time'}).")
        return
    token = os.environ.get(ENV_REFRESH_TOKEN) or _read_stdin_secret("Refresh token")
    meta = import_refresh_token(token, p, verify=verify)
    if json_out:
        _emit({"profile": p.name, "store": p.store, "imported_at": meta["issued_at"], "verified": verify})
    else:
        checked = "redeemed once to check it, " if verify else ""
        typer.echo(f"Refresh token stored for profile {p.name!r} in {p.store} ({checked}the replaced one is kept: "
                   f"`sam-bridge refresh-token import --restore --profile {p.name}` puts it back).")


@token_app.command("remove")
def refresh_token_remove(ctx: typer.Context, profile: Optional[str] = PROFILE_OPTION) -> None:
    """Delete the profile's refresh token and cached access tokens from its store."""
    from .._api import remove_refresh_token

    removed = remove_refresh_token(_load(ctx, profile))
    typer.echo("Refresh token removed." if removed else "There was no refresh token.")
