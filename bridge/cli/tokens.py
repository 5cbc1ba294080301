"""`sam-bridge refresh-token ...`: import or remove a profile's refresh token (translation only)."""
from __future__ import annotations

import os
from typing import Optional

import typer

from .app import JSON_OPTION, PROFILE_OPTION, _emit, _load, _read_stdin_secret, token_app


@token_app.command("import")
def refresh_token_import(ctx: typer.Context, profile: Optional[str] = PROFILE_OPTION, json_out: bool = JSON_OPTION) -> None:
    """Store an existing refresh token read from stdin (or SAM_BRIDGE_REFRESH_TOKEN)."""
    from .._api import import_refresh_token
    from .._core.constants import ENV_REFRESH_TOKEN

    p = _load(ctx, profile)
    token = os.environ.get(ENV_REFRESH_TOKEN) or _read_stdin_secret("Refresh token")
    meta = import_refresh_token(token, p)
    if json_out:
        _emit({"profile": p.name, "store": p.store, "imported_at": meta["issued_at"]})
    else:
        typer.echo(f"Refresh token stored for profile {p.name!r} in {p.store}.")


@token_app.command("remove")
def refresh_token_remove(ctx: typer.Context, profile: Optional[str] = PROFILE_OPTION) -> None:
    """Delete the profile's refresh token and cached access tokens from its store."""
    from .._api import remove_refresh_token

    removed = remove_refresh_token(_load(ctx, profile))
    typer.echo("Refresh token removed." if removed else "There was no refresh token.")
