"""The command line: the typer app (app.py) and one module per command group that registers on it.
Every command calls bridge._api and translates (options in, text or JSON out); docs/ARCHITECTURE.md."""
from __future__ import annotations

import logging
import sys
import warnings
from typing import Any


def main(argv: list[str] | None = None) -> int:
    """The full command line (bridge._entry answers `--version` and `rpc` before importing this)."""
    args = list(sys.argv[1:] if argv is None else argv)
    import typer.main

    from . import application, customers, profiles, psmodule, stores, targets, tokens  # noqa: F401 - their commands register on `app` when imported
    from .app import _show_warning, app

    warnings.showwarning = _show_warning
    command = typer.main.get_command(app)
    try:
        return _main(command, args)
    finally:
        if "bridge._api" in sys.modules:  # only a command that reached the core can have made connections
            from .._api import close_sessions

            close_sessions()


def _main(command: Any, args: list[str]) -> int:
    """One run of the command line: its exit code, every error printed once (never a traceback)."""
    import click

    from .._core.errors import SamBridgeError
    from .._core.scrub import scrub_text

    try:
        result = command.main(args=args, prog_name="sam-bridge", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        print("Aborted.", file=sys.stderr)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except SamBridgeError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.remediation:
            print(exc.remediation, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so plainly, without a traceback or locals
        logging.getLogger("bridge").debug("unexpected error", exc_info=False)
        print(f"error: unexpected {type(exc).__name__}: {scrub_text(str(exc))}", file=sys.stderr)
        print("This is a bug in sam-bridge; please report it with the output of --verbose.", file=sys.stderr)
        return 70
