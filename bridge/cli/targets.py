"""`sam-bridge params` and `sam-bridge snippet`: Connect-* parameters and PowerShell snippets.

Only translation happens here; the targets and snippets live in the core (`_targets`, `_snippets`).
Tokens reach stdout only with `params --json` or `snippet --embed-tokens`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional

import typer

from .app import (
    ALL_CUSTOMERS_OPTION,
    CONCURRENCY_OPTION,
    GDAP_WARN_DAYS_OPTION,
    NO_PREFLIGHT_OPTION,
    PROFILE_OPTION,
    TENANTS_FILE_OPTION,
    TENANTS_OPTION,
    _emit,
    _load,
    _state,
    app,
    batch_tenants,
    stream_batch,
)

TARGET_ARGUMENT = typer.Argument(
    ...,
    help="AzAccount, AzureAD, MsolService, PartnerCenter, MgGraph, ExchangeOnline, IPPSSession, "
    "MicrosoftTeams or PnPOnline (any case).",
)
TENANT_OPTION = typer.Option(
    None, "--tenant", "-t", help="Customer tenant id or domain (default: the partner tenant)."
)
VERSION_OPTION = typer.Option(
    None, "--module-version", help="Version of the cmdlet's module, e.g. 3.0.10 (default: the newest known shape)."
)
WITH_OPTION = typer.Option(
    None, "--with", help="Optional tokens, comma-separated or repeated: for AzAccount graph, msgraph, keyvault."
)
URL_OPTION = typer.Option(
    None, "--url", help="SharePoint URL for PnPOnline (default: derived from a NAME.onmicrosoft.com tenant)."
)


def _describe_value(name: str, value: Any, tokens: tuple[str, ...]) -> str:
    """A parameter value for people: tokens are replaced by their audience and length."""
    from .._core.tokens import claims_of

    if name not in tokens:
        return str(value)
    items = value if isinstance(value, (list, tuple)) else [value]
    shown = []
    for token in items:
        aud = claims_of(token).get("aud") or "unknown audience"
        shown.append(f"<token for {aud}, {len(token)} chars>")
    return ", ".join(shown)


@app.command("params")
def params_command(
    ctx: typer.Context,
    target: str = TARGET_ARGUMENT,
    profile: Optional[str] = PROFILE_OPTION,
    tenant: Optional[List[str]] = TENANTS_OPTION,
    all_customers: bool = ALL_CUSTOMERS_OPTION,
    tenants_file: Optional[Path] = TENANTS_FILE_OPTION,
    concurrency: int = CONCURRENCY_OPTION,
    module_version: Optional[str] = VERSION_OPTION,
    with_: Optional[List[str]] = WITH_OPTION,
    url: Optional[str] = URL_OPTION,
    no_preflight: bool = NO_PREFLIGHT_OPTION,
    warn_days: float = GDAP_WARN_DAYS_OPTION,
    json_out: bool = typer.Option(False, "--json", help="Print the parameters, tokens included, as JSON."),
) -> None:
    """Exchange tokens for a Connect-* cmdlet and print parameters that bind to it (tokens only with --json).

    Several tenants (--tenant repeated, --tenants-file, --all-customers) make a batch: one JSON line
    per tenant with --json. With --all-customers, the customers GDAP or consent rule out for the
    target are reported first, with the reason, and not exchanged (--no-preflight: try them anyway)."""
    from .._api import batch_connect_parameters, connect_parameters

    p = _load(ctx, profile)
    tenants = batch_tenants(p, tenant, all_customers, tenants_file)
    if tenants is not None:
        results = batch_connect_parameters(p, target, tenants, module_version=module_version, include=with_ or (),
                                           url=url, concurrency=concurrency, preflight=all_customers and not no_preflight,
                                           warn_days=warn_days)
        stream_batch(results, json_out, lambda r: f"{r.cmdlet} parameters for tenant {r.tenant_id} until {r.to_dict()['expires_on']}")
        return
    result = connect_parameters(p, target, tenant[0] if tenant else None, module_version=module_version,
                                include=with_ or (), url=url)
    if json_out:
        _emit(result.to_dict())
        return
    data = result.to_dict()
    version = f"{result.module} {result.module_version}" if result.module_version else f"newest {result.module}"
    typer.echo(f"{result.cmdlet} ({version}), parameter set {result.parameter_set}")
    typer.echo(f"tenant {result.tenant_id} ({'customer' if result.customer else 'partner'})")
    width = max(len(name) for name in result.parameters) + 2
    for name, value in result.parameters.items():
        typer.echo(f"  -{name:<{width}}{_describe_value(name, value, result.token_parameters)}")
    secure = ", ".join(result.secure_parameters) or "none"
    typer.echo(f"SecureString parameters: {secure}")
    typer.echo(f"tokens expire: {data['expires_on']}")
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(
        f"Tokens are masked here: `--json` prints them; `sam-bridge snippet {result.target}` writes a "
        "PowerShell snippet that connects."
    )


@app.command("snippet")
def snippet_command(
    ctx: typer.Context,
    target: str = TARGET_ARGUMENT,
    profile: Optional[str] = PROFILE_OPTION,
    tenant: Optional[str] = TENANT_OPTION,
    module_version: Optional[str] = VERSION_OPTION,
    with_: Optional[List[str]] = WITH_OPTION,
    url: Optional[str] = URL_OPTION,
    embed_tokens: bool = typer.Option(
        False,
        "--embed-tokens",
        help="Write live tokens into the snippet (default: it fetches them with `sam-bridge params` when it runs).",
    ),
) -> None:
    """Print a PowerShell snippet (5.1 and 7) that connects the target's Connect-* cmdlet."""
    from .._api import embedded_snippet, runtime_snippet

    p = _load(ctx, profile)  # an unknown profile fails now, not when the snippet runs
    if not embed_tokens:
        config = _state(ctx).config
        typer.echo(runtime_snippet(target, p.name, tenant, module_version, with_ or (), url, config), nl=False)
        return
    from .._api import connect_parameters

    result = connect_parameters(p, target, tenant, module_version=module_version, include=with_ or (), url=url)
    typer.echo(
        f"warning: this snippet contains live access tokens valid until {result.to_dict()['expires_on']}; "
        "do not save or share it.",
        err=True,
    )
    typer.echo(embedded_snippet(result, p.name), nl=False)
