"""`sam-bridge customers`: which customers a job can reach and why not (translation only; the
verdicts come from bridge._api.customers)."""
from __future__ import annotations

from typing import Any, List, Optional

import typer

from .._core.constants import DEFAULT_GDAP_WARN_DAYS
from .app import JSON_OPTION, PROFILE_OPTION, _emit, _load, app

TARGET_OPTION = typer.Option(None, "--target", help="Only the verdict for this Connect-* target (e.g. ExchangeOnline).")
WARN_DAYS_OPTION = typer.Option(DEFAULT_GDAP_WARN_DAYS, "--warn-days",
                                help="Warn about GDAP relationships ending within this many days (and not auto-extending).")


def _cell(value: Any) -> str:
    return "-" if value in (None, "", []) else str(value)


def _rows(found: list[Any], target: Optional[str]) -> list[list[str]]:
    rows = []
    for c in found:
        data = c.to_dict()
        end = data["end"][:10] if data["end"] else None
        if end and data["auto_extend"]:
            end += " (auto)"
        consent = {True: "yes", False: "no", None: "?"}[c.consent]
        if target:
            verdict = next(iter(c.verdicts.values()))
            outcome = ("ready" + (" (limited)" if verdict.limited else "")) if verdict.ready else f"NOT READY: {verdict.reason}"
        else:
            ready = [name for name, verdict in c.verdicts.items() if verdict.ready]
            outcome = "every target" if len(ready) == len(c.verdicts) else ", ".join(ready) if ready else "nothing"
        rows.append([c.name or c.tenant, c.tenant_id, c.status, _cell(end), _cell(", ".join(data["roles_held"])),
                     consent, outcome])
    return rows


@app.command("customers")
def customers_command(
    ctx: typer.Context,
    profile: Optional[str] = PROFILE_OPTION,
    target: Optional[str] = TARGET_OPTION,
    tenant: Optional[List[str]] = typer.Option(None, "--tenant", "-t", help="Only these customers (default: every customer Partner Center and GDAP know)."),
    warn_days: float = WARN_DAYS_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Every customer with its GDAP relationship (status, end, auto-extend), the roles granted and
    held through your groups, app consent, and per target `ready` or why not and what to do.
    Exit 1 when --target is given and a customer is not ready for it."""
    from .._api import customers

    p = _load(ctx, profile)
    found = customers(p, tenants=tenant or None, target=target, warn_days=warn_days)
    for c in found:
        for text in c.warnings:
            typer.echo(f"warning: {text}", err=True)
    not_ready = [c for c in found if target and not next(iter(c.verdicts.values())).ready]
    if json_out:
        _emit([c.to_dict() for c in found])
    else:
        heading = ["CUSTOMER", "TENANT ID", "GDAP", "ENDS", "ROLES HELD", "CONSENT",
                   f"{next(iter(found[0].verdicts)) if target and found else 'READY FOR'}"]
        rows = _rows(found, target)
        widths = [max(len(r[i]) for r in [heading, *rows]) for i in range(len(heading) - 1)]
        for row in [heading, *rows]:
            typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
        if not found:
            typer.echo("No customers: Partner Center lists none and no GDAP relationship names one.")
        for c in not_ready:
            verdict = next(iter(c.verdicts.values()))
            if verdict.remediation:
                typer.echo(f"{c.name or c.tenant}: {verdict.remediation}", err=True)
    if not_ready:
        raise typer.Exit(1)
