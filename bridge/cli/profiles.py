"""`sam-bridge profile ...`: create, list, show and remove profiles (translation; bridge._api does the work)."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .app import JSON_OPTION, _emit, _load, _read_stdin_secret, _state, profile_app


@profile_app.command("add")
def profile_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Profile name."),
    app_id: str = typer.Option(..., "--app-id", help="Application (client) id of the app registration."),
    tenant: str = typer.Option(..., "--tenant", help="Partner tenant id or domain."),
    public_client: bool = typer.Option(False, "--public-client", help="The app is a public client (no credential; the default)."),
    secret_stdin: bool = typer.Option(False, "--secret-stdin", help="Read the client secret from stdin."),
    certificate: Optional[Path] = typer.Option(None, "--certificate", help="PEM or PFX file with the client certificate and key (password on stdin or SAM_BRIDGE_CERTIFICATE_PASSWORD)."),
    authority_host: Optional[str] = typer.Option(None, "--authority-host", help="Authority, e.g. https://login.microsoftonline.us or the emulator."),
    ca_bundle: Optional[Path] = typer.Option(None, "--ca-bundle", help="CA certificate(s) to trust for the authority (e.g. the emulator's)."),
    store: Optional[str] = typer.Option(None, "--store", help="Where secrets live: keyring (default), file:PATH, memory, keyvault:https://NAME.vault.azure.net."),
    scope: Optional[List[str]] = typer.Option(None, "--scope", help="Default scope(s) for consent and token (default: Partner Center user_impersonation)."),
    customer: Optional[List[str]] = typer.Option(None, "--customer", help="A customer tenant this profile manages (repeatable)."),
    redirect_port: Optional[int] = typer.Option(None, "--redirect-port", help="Loopback port for browser consent (0 = any free port)."),
    partner_center_url: Optional[str] = typer.Option(None, "--partner-center-url", help="The Partner Center API that lists the customers for --all-customers (default: https://api.partnercenter.microsoft.com)."),
    graph_url: Optional[str] = typer.Option(None, "--graph-url", help="The Microsoft Graph API `customers` reads GDAP from (default: https://graph.microsoft.com)."),
    allow_custom_authority: bool = typer.Option(False, "--allow-custom-authority", help="Allow an --authority-host that is not Microsoft's (the emulator, a private test authority)."),
    make_default: bool = typer.Option(False, "--default", help="Make this the default profile."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Create or replace a profile; a secret or certificate goes to the profile's store."""
    from .._api import add_profile
    from .._core.constants import ENV_CERTIFICATE_PASSWORD
    from .._core.errors import InvalidInputError

    chosen = [flag for flag, on in (("--public-client", public_client), ("--secret-stdin", secret_stdin), ("--certificate", certificate is not None)) if on]
    if len(chosen) > 1:
        raise InvalidInputError("choose one of --public-client, --secret-stdin and --certificate.")
    values = {
        "app_id": app_id, "tenant": tenant, "credential": "secret" if secret_stdin else "certificate" if certificate else "none",
        "authority_host": authority_host, "ca_bundle": str(ca_bundle) if ca_bundle else None, "store": store,
        "scopes": list(scope) if scope else None, "customers": list(customer) if customer else None,
        "redirect_port": redirect_port, "partner_center_url": partner_center_url, "graph_url": graph_url,
        "custom_authority": True if allow_custom_authority else None,
    }
    secret = data = password = None
    if secret_stdin:
        secret = _read_stdin_secret("Client secret")
    elif certificate is not None:
        try:
            data = certificate.expanduser().read_bytes()
        except OSError as exc:
            raise InvalidInputError(f"cannot read the certificate file {certificate}: {exc.strerror}.") from None
        text = os.environ.get(ENV_CERTIFICATE_PASSWORD)
        if text is None and not sys.stdin.isatty():
            text = sys.stdin.read().rstrip("\r\n") or None
        password = text.encode() if text else None
    added = add_profile(name, values, client_secret=secret, certificate=data, certificate_password=password,
                        make_default=make_default, config=_state(ctx).config)
    if json_out:
        _emit({"profile": added["name"], **added})
    else:
        typer.echo(f"Profile {added['name']!r} saved to {added['config']} (secrets in {added['store']}).")


@profile_app.command("list")
def profile_list(ctx: typer.Context, json_out: bool = JSON_OPTION) -> None:
    """List the configured profiles."""
    from .._api import Config

    config = Config.load(_state(ctx).config)
    rows = [{"name": p.name, "default": p.name == config.default_profile, **p.to_file_dict()} for p in config.profiles()]
    if json_out:
        _emit(rows)
        return
    if not rows:
        typer.echo(f"No profiles in {config.path}.")
    for row in rows:
        mark = "*" if row["default"] else " "
        typer.echo(f"{mark} {row['name']:<20} app {row['app_id']}  tenant {row['tenant']}  store {row['store']}")


@profile_app.command("show")
def profile_show(ctx: typer.Context, name: Optional[str] = typer.Argument(None), json_out: bool = JSON_OPTION) -> None:
    """Show one profile's settings (never its secrets)."""
    profile = _load(ctx, name)
    data = {"name": profile.name, **profile.to_file_dict()}
    if json_out:
        _emit(data)
    else:
        for key, value in data.items():
            typer.echo(f"{key:>15}: {', '.join(value) if isinstance(value, list) else value}")


@profile_app.command("remove")
def profile_remove(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    keep_secrets: bool = typer.Option(False, "--keep-secrets", help="Leave the refresh token and credential in the store."),
) -> None:
    """Remove a profile and, unless --keep-secrets, its entries in the store."""
    from .._api import remove_profile

    profile = remove_profile(name, keep_secrets=keep_secrets, config=_state(ctx).config)
    typer.echo(f"Profile {profile.name!r} removed.")
