"""`sam-bridge app ...`: the SAM application itself. Only translation; the logic is in `_services.app`."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .._core.constants import DEFAULT_CREDENTIAL_WARN_DAYS, DEFAULT_SECRET_DAYS
from .app import (
    ALL_CUSTOMERS_OPTION,
    CONCURRENCY_OPTION,
    JSON_OPTION,
    PROFILE_OPTION,
    TENANTS_FILE_OPTION,
    _emit,
    _state,
    app,
    stream_batch,
)

app_app = typer.Typer(help="The SAM application itself: create it, consent it into customers, watch and rotate its credential.",
                      no_args_is_help=True)
app.add_typer(app_app, name="app")

SIGN_IN_OPTION = typer.Option("device-code", "--sign-in-method", help="How the partner admin signs in: device-code, browser or print-url.")
SECRET_DAYS_OPTION = typer.Option(DEFAULT_SECRET_DAYS, "--secret-days", help="Lifetime of a new secret (at most 730 days, capped by the tenant's app management policy) or certificate (at most 365).")


@app_app.command("create")
def app_create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Profile to create or reconcile."),
    tenant: Optional[str] = typer.Option(None, "--tenant", help="Partner tenant id or domain (for a new profile)."),
    app_id: Optional[str] = typer.Option(None, "--app-id", help="Reconcile this existing application instead of creating one."),
    targets: Optional[List[str]] = typer.Option(None, "--targets", help="Connect-* targets whose permissions the app needs, e.g. PartnerCenter,MgGraph (default: all current targets)."),
    credential: str = typer.Option("secret", "--credential", help="The app's credential: secret or certificate (self-signed, kept in the store)."),
    display_name: Optional[str] = typer.Option(None, "--display-name", help="Name of a new application (default: sam-bridge NAME)."),
    what_if: bool = typer.Option(False, "--what-if", help="Show what would change and change nothing."),
    secret_days: int = SECRET_DAYS_OPTION,
    no_consent: bool = typer.Option(False, "--no-consent", help="Do not sign in with the new app to store its refresh token."),
    sign_in: str = SIGN_IN_OPTION,
    authority_host: Optional[str] = typer.Option(None, "--authority-host", help="Authority (e.g. the emulator)."),
    allow_custom_authority: bool = typer.Option(False, "--allow-custom-authority", help="Allow an --authority-host that is not Microsoft's (the emulator, a private test authority); the profile remembers it."),
    ca_bundle: Optional[Path] = typer.Option(None, "--ca-bundle", help="CA certificate(s) to trust for the authority and Graph."),
    store: Optional[str] = typer.Option(None, "--store", help="Where the secret and refresh token live (keyring, file:PATH, ...)."),
    graph_url: Optional[str] = typer.Option(None, "--graph-url", help="Microsoft Graph base URL (default https://graph.microsoft.com)."),
    partner_center_url: Optional[str] = typer.Option(None, "--partner-center-url", help="Partner Center API base URL."),
    bootstrap_client_id: Optional[str] = typer.Option(None, "--bootstrap-client-id", help="Public client to sign in with before the app exists (default: Microsoft Graph Command Line Tools)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Create the multi-tenant SAM app (or reconcile it), its secret, the profile and its refresh token."""
    from .._api import app_create as run

    values = {"tenant": tenant, "authority_host": authority_host, "ca_bundle": str(ca_bundle) if ca_bundle else None,
              "store": store, "graph_url": graph_url, "partner_center_url": partner_center_url,
              "bootstrap_client_id": bootstrap_client_id, "custom_authority": True if allow_custom_authority else None}
    result = run(name, config=_state(ctx).config, values=values, app_id=app_id, targets=targets or None, display_name=display_name,
                 what_if=what_if, secret_days=secret_days, credential=credential, sign_in=sign_in,
                 consent_app=not no_consent)
    if json_out:
        _emit(result.to_dict())
        return
    lines = result.changes.lines()
    verb = "would change" if what_if else "changed"
    if not lines:
        typer.echo(f"{name}: application {result.app_id} is up to date; nothing changed.")
    else:
        typer.echo(f"{name}: application {result.app_id or '(new)'} {verb}:")
        for line in lines:
            typer.echo(f"  {line}")
    if result.credential:
        typer.echo(f"  client {result.credential['type']} {result.credential['hint']}... stored, expires {result.credential['end_date_time']}")


@app_app.command("consent")
def app_consent(
    ctx: typer.Context,
    profile: Optional[str] = PROFILE_OPTION,
    tenant: Optional[List[str]] = typer.Option(None, "--tenant", "-t", help="Customer tenant id or domain (repeatable)."),
    all_customers: bool = ALL_CUSTOMERS_OPTION,
    tenants_file: Optional[Path] = TENANTS_FILE_OPTION,
    check: bool = typer.Option(False, "--check", help="Report each customer's missing permissions; change nothing."),
    concurrency: int = CONCURRENCY_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Consent the app into customer tenants through Partner Center (one line per tenant)."""
    from .._api import app_consent as run, read_tenants_file

    tenants = list(tenant or []) + (read_tenants_file(str(tenants_file)) if tenants_file else [])
    results = run(profile, tenants, all_customers=all_customers, check=check, concurrency=concurrency,
                  config=_state(ctx).config)

    def describe(outcome) -> str:  # type: ignore[no-untyped-def]
        missing = "; ".join(f"{r}: {', '.join(n)}" for r, n in outcome.missing.items())
        return outcome.status + (f" (missing {missing})" if missing else "")

    stream_batch(results, json_out, describe)


@app_app.command("credentials")
def app_credentials(
    ctx: typer.Context,
    profile: Optional[str] = PROFILE_OPTION,
    warn_days: float = typer.Option(DEFAULT_CREDENTIAL_WARN_DAYS, "--warn-days", help="Warn when fewer days than this are left."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Every secret and certificate of the app, with its expiry (the stored one marked *)."""
    from .._api import app_credentials as run

    listed = run(profile, warn_days=warn_days, config=_state(ctx).config)
    if json_out:
        _emit([c.to_dict() for c in listed])
        return
    for c in listed:
        data = c.to_dict()
        mark = "*" if c.stored else " "
        typer.echo(f"{mark} {c.kind:<11} {c.key_id}  expires {data['end_date_time']}  {c.state}  {c.display_name or ''}")


@app_app.command("rotate")
def app_rotate(
    ctx: typer.Context,
    profile: Optional[str] = PROFILE_OPTION,
    keep_old: bool = typer.Option(False, "--keep-old", help="Leave the old secret registered."),
    secret_days: int = SECRET_DAYS_OPTION,
    sign_in: bool = typer.Option(False, "--sign-in", help="Sign in as a partner admin (needed when the old secret has expired)."),
    sign_in_method: str = SIGN_IN_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Add a new client secret, store it, prove it, then remove the old one."""
    from .._api import app_rotate as run

    result = run(profile, keep_old=keep_old, secret_days=secret_days, sign_in=sign_in_method if sign_in else None,
                 config=_state(ctx).config)
    if json_out:
        _emit(result.to_dict())
    else:
        typer.echo(f"{result.profile}: new client {result.new['type']} {result.new['hint']}... stored and proven, expires "
                   f"{result.new['end_date_time']}; removed {len(result.removed)} old one(s).")
