"""The `sam-bridge` command line. It only translates: every decision lives in the core.

Secrets are read from stdin, a prompt, the store or an environment variable, never from argv.
Errors print one message and a remediation, and exit non-zero; never a traceback.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional

from .._version import __version__


def _show_warning(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
    from .._core.scrub import scrub_text

    print(f"warning: {scrub_text(str(message))}", file=sys.stderr)


import typer  # noqa: E402

from .._core.constants import BATCH_CONCURRENCY, CONSENT_TIMEOUT, DEFAULT_GDAP_WARN_DAYS, DEFAULT_WARN_DAYS  # noqa: E402

app = typer.Typer(
    name="sam-bridge",
    help="Secure Application Model for Microsoft Entra ID: consent once with MFA, then exchange the "
    "stored refresh token for access tokens and ready Connect-* parameters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
profile_app = typer.Typer(help="Create, list, show and remove profiles.", no_args_is_help=True)
token_app = typer.Typer(help="Import or remove a profile's refresh token.", no_args_is_help=True)
emulator_app = typer.Typer(help="The offline Entra ID emulator.", no_args_is_help=True)
app.add_typer(profile_app, name="profile")
app.add_typer(token_app, name="refresh-token")
app.add_typer(emulator_app, name="emulator")


@dataclass
class _State:
    config: Optional[Path] = None
    verbose: bool = False


def _state(ctx: typer.Context) -> _State:
    return ctx.find_object(_State) or _State()


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"sam-bridge {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config: Optional[Path] = typer.Option(None, "--config", help="Config file (default: SAM_BRIDGE_CONFIG or the platform config dir)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the request flow on stderr (secrets masked)."),
    version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True, help="Print the version and exit."),
) -> None:
    ctx.obj = _State(config=config, verbose=verbose)
    _configure_logging(verbose)


def _configure_logging(verbose: bool) -> None:
    from .._core.log import configure_logging

    configure_logging(verbose)


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=False))


def _read_stdin_secret(what: str) -> str:
    if sys.stdin is None or sys.stdin.closed:
        from .._core.errors import InvalidInputError

        raise InvalidInputError(f"{what} must be given on stdin, and stdin is closed.")
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"{what}: ")
    return sys.stdin.read().strip()


def _load(ctx: typer.Context, name: Optional[str]):  # type: ignore[no-untyped-def]
    from .._api import load_profile

    return load_profile(name, config=_state(ctx).config)


PROFILE_OPTION = typer.Option(None, "--profile", "-p", help="Profile name (default: SAM_BRIDGE_PROFILE or the config's default).")
JSON_OPTION = typer.Option(False, "--json", help="Print JSON for scripts.")


# --- consent, token, status, keepalive -------------------------------------------------------------


@app.command("consent")
def consent_command(
    ctx: typer.Context,
    profile: Optional[str] = PROFILE_OPTION,
    device_code: bool = typer.Option(False, "--device-code", help="Sign in on any device with a code (default for public clients)."),
    browser: bool = typer.Option(False, "--browser", help="Sign in with a browser on this machine (loopback redirect)."),
    print_url: bool = typer.Option(False, "--print-url", help="Print the sign-in URL and read the redirected URL from stdin."),
    timeout: float = typer.Option(CONSENT_TIMEOUT, "--timeout", help="Seconds to wait for the browser redirect."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Sign in once, with MFA, and store the refresh token."""
    from .._api import consent
    from .._core.errors import InvalidInputError

    chosen = [m for m, on in (("device-code", device_code), ("browser", browser), ("print-url", print_url)) if on]
    if len(chosen) > 1:
        raise InvalidInputError("choose one of --device-code, --browser and --print-url.")
    p = _load(ctx, profile)
    # None chosen: the profile's default (a device code for a public client, else the browser)
    result = consent(p, chosen[0] if chosen else None, timeout=timeout)
    if json_out:
        _emit(result.to_dict())
    else:
        mfa = "with MFA" if result.mfa else "WITHOUT MFA"
        typer.echo(f"Consent stored for profile {p.name!r}: {result.user} ({mfa}), scopes {' '.join(result.scopes)}.")


TENANTS_OPTION = typer.Option(None, "--tenant", "-t", help="Customer tenant id or domain (default: the partner tenant); repeat for a batch.")
ALL_CUSTOMERS_OPTION = typer.Option(False, "--all-customers", help="Every customer: the profile's customers list, else the Partner Center API.")
TENANTS_FILE_OPTION = typer.Option(None, "--tenants-file", help="A file of tenant ids or domains, one per line (# comments).")
CONCURRENCY_OPTION = typer.Option(BATCH_CONCURRENCY, "--concurrency", help="Exchanges running at once in a batch (1-64).")
NO_PREFLIGHT_OPTION = typer.Option(False, "--no-preflight", help="With --all-customers: exchange for every customer, even those GDAP or consent rule out.")
GDAP_WARN_DAYS_OPTION = typer.Option(DEFAULT_GDAP_WARN_DAYS, "--warn-days", help="With --all-customers: warn about GDAP relationships ending within this many days.")


def batch_tenants(profile, tenants, all_customers: bool, tenants_file: Optional[Path]):  # type: ignore[no-untyped-def]
    """The tenants of a batch, or None when the command names at most one tenant."""
    from .._api import customer_tenants, read_tenants_file

    if not all_customers and tenants_file is None and len(tenants or []) <= 1:
        return None
    chosen = list(tenants or [])
    if tenants_file is not None:
        chosen += read_tenants_file(str(tenants_file))
    if all_customers:
        chosen += customer_tenants(profile)
    return chosen


def stream_batch(results, json_out: bool, describe) -> None:  # type: ignore[no-untyped-def]
    """Print one line per tenant as results arrive (JSON lines with --json); exit 1 if any failed."""
    failed = 0
    with _progress() as advance:
        for result in results:
            advance(result)
            if not result.ok:
                failed += 1
            if json_out:
                typer.echo(json.dumps(result.to_dict()))
            elif result.ok:
                typer.echo(f"{result.tenant}: {describe(result.value)}")
            else:
                typer.echo(f"{result.tenant}: error: {result.error.message}", err=True)
                if result.error.remediation:
                    typer.echo(f"{result.tenant}: {result.error.remediation}", err=True)
    if failed:
        raise typer.Exit(1)


def _progress():  # type: ignore[no-untyped-def]
    """A rich progress bar on an interactive stderr; nothing otherwise (logs and pipes stay clean)."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext(lambda result: None)

    @contextlib.contextmanager
    def bar():  # type: ignore[no-untyped-def]
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn("tenants"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("batch", total=None, failed=0)
            failed = [0]

            def advance(result) -> None:  # type: ignore[no-untyped-def]
                failed[0] += 0 if result.ok else 1
                progress.update(task, advance=1, failed=failed[0])

            yield advance

    return bar()


@app.command("token")
def token_command(
    ctx: typer.Context,
    profile: Optional[str] = PROFILE_OPTION,
    scope: Optional[List[str]] = typer.Option(None, "--scope", "-s", help="Scope(s) of one resource (default: the profile's)."),
    tenant: Optional[List[str]] = TENANTS_OPTION,
    all_customers: bool = ALL_CUSTOMERS_OPTION,
    tenants_file: Optional[Path] = TENANTS_FILE_OPTION,
    concurrency: int = CONCURRENCY_OPTION,
    target: Optional[str] = typer.Option(None, "--target", help="With --all-customers: the Connect-* target the tokens are for; the customers not ready for it are reported first and not exchanged."),
    no_preflight: bool = NO_PREFLIGHT_OPTION,
    warn_days: float = GDAP_WARN_DAYS_OPTION,
    force_refresh: bool = typer.Option(False, "--force-refresh", help="Ignore cached access tokens."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Exchange the stored refresh token for an access token (printed to stdout); several tenants make a batch."""
    from .._api import batch_tokens, get_token

    p = _load(ctx, profile)
    tenants = batch_tenants(p, tenant, all_customers, tenants_file)
    if tenants is not None:
        preflight = target if all_customers and not no_preflight else None
        results = batch_tokens(p, scope or None, tenants, concurrency=concurrency, preflight=preflight, warn_days=warn_days)
        stream_batch(results, json_out, lambda t: f"token for {t.audience or t.scopes[0]} until {t.to_dict()['expires_on']}")
        return
    token = get_token(p, scope or None, tenant[0] if tenant else None, force_refresh=force_refresh)
    if json_out:
        _emit(token.to_dict())
    else:
        typer.echo(token.token)


@app.command("status")
def status_command(
    ctx: typer.Context,
    profile: Optional[str] = PROFILE_OPTION,
    warn_days: float = typer.Option(DEFAULT_WARN_DAYS, "--warn-days", help="Warn when fewer days than this are left."),
    json_out: bool = JSON_OPTION,
) -> None:
    """When the refresh token was issued and last redeemed, when it expires from inactivity, and
    Entra's last refusal (state `refused`). Exit 1 when refused or expired. The app's own client
    credential is checked against its end date too, and warned about before it expires."""
    from .._api import app_credential_status, status

    p = _load(ctx, profile)
    st = status(p, warn_days=warn_days)
    failed = st.state in ("refused", "expired")
    credential = app_credential_status(p)
    if credential.warning():
        typer.echo(f"WARNING: {credential.warning()}", err=True)
    if json_out:
        _emit({**st.to_dict(), "credential": credential.to_dict()})
        if failed:
            raise typer.Exit(1)
        return
    if not st.present:
        typer.echo(f"{p.name}: no refresh token in {st.store}. Run `sam-bridge consent --profile {p.name}`.")
        return
    data = st.to_dict()
    for key in ("profile", "store", "user", "consented_at", "issued_at", "last_redeemed_at", "expires_at", "days_left", "mfa"):
        typer.echo(f"{key:>17}: {data[key] if data[key] not in (None, '') else '-'}")
    if st.state == "refused":
        for key in ("refused_at", "refusal_code", "refusal_tenant"):
            typer.echo(f"{key:>17}: {data[key] or '-'}")
        typer.echo(f"REFUSED: Entra refused the last exchange ({data['refusal_code']}): {data['refusal_message']}", err=True)
        if data["refusal_remediation"]:
            typer.echo(data["refusal_remediation"], err=True)
    elif st.state == "expired":
        typer.echo(f"EXPIRED: the refresh token passed 90 days of inactivity. Run `sam-bridge consent --profile {p.name}`.", err=True)
    elif st.state == "warning":
        typer.echo(f"WARNING: {st.days_left:.1f} days left; run `sam-bridge keepalive --profile {p.name}` (schedule it).", err=True)
    if failed:
        raise typer.Exit(1)


@app.command("keepalive")
def keepalive_command(ctx: typer.Context, profile: Optional[str] = PROFILE_OPTION, json_out: bool = JSON_OPTION) -> None:
    """Redeem the refresh token once so its 90-day inactivity clock restarts (for a scheduler)."""
    from .._api import keepalive

    p = _load(ctx, profile)
    st = keepalive(p)
    if json_out:
        _emit(st.to_dict())
    else:
        typer.echo(f"{p.name}: refresh token rotated; it now expires from inactivity on {st.to_dict()['expires_at']}.")


@app.command("doctor")
def doctor_command(
    ctx: typer.Context,
    profile: Optional[str] = PROFILE_OPTION,
    tenant: Optional[List[str]] = typer.Option(None, "--tenant", "-t", help="Customer tenant(s) to check (default: the profile's customers)."),
    offline: bool = typer.Option(False, "--offline", help="Send nothing: check config, store, port and the token's local record only."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Check a profile end to end, asking Entra: config, store, authority, clock, app kind, port, a
    redemption of the refresh token (rotated), MFA (amr), and a fresh exchange per customer. Exit 1 on a failure."""
    from .._api import diagnose, render_findings as render

    config = _state(ctx).config
    findings = diagnose(profile, config=str(config) if config else None, tenants=tenant or None, offline=offline)
    if json_out:
        _emit([f.to_dict() for f in findings])
    else:
        render(findings, typer.echo)
    if any(f.status == "fail" for f in findings):
        raise typer.Exit(1)


@app.command("demo")
def demo_command() -> None:
    """Run the whole job offline against the embedded Entra ID emulator (nothing on this machine is touched)."""
    from .demo import run

    raise typer.Exit(run(typer.echo))


@app.command("rpc", hidden=True)
def rpc_command() -> None:
    """One JSON request on stdin; interaction events, then one JSON response, on stdout (the PowerShell transport)."""
    from ..rpc.protocol import serve_stdio

    code = serve_stdio(sys.stdin, sys.stdout)
    if code:
        raise typer.Exit(code)


# --- emulator ----------------------------------------------------------------------------------------


@emulator_app.command("serve")
def emulator_serve(
    port: int = typer.Option(0, "--port", help="Port on 127.0.0.1 (0 = any free port)."),
    seed: Optional[Path] = typer.Option(None, "--seed", help="Directory seed JSON (default: the built-in demo directory)."),
    state_dir: Optional[Path] = typer.Option(None, "--state-dir", help="Keep the CA and signing key here across runs."),
) -> None:
    """Run the offline Entra ID emulator in the foreground; prints one JSON line when ready."""
    from ..emulator import serve

    serve(port=port, seed=str(seed) if seed else None, state_dir=str(state_dir) if state_dir else None)
