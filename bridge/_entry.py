"""The `sam-bridge` console script and `python -m bridge`.

Two commands are answered before the command-line framework (typer, click) is imported, which
would several times their start-up: `--version`, and `rpc [--verbose]`, the PowerShell module's
child-process transport. Everything else goes to bridge.cli.app.
"""
from __future__ import annotations

import sys

_VERBOSE = ("--verbose", "-v")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        from ._version import __version__

        print(f"sam-bridge {__version__}")
        return 0
    if [a for a in args if a not in _VERBOSE] == ["rpc"]:
        from .rpc.protocol import main as rpc_main

        code = rpc_main(args)
        if argv is None:
            _end_process(code)
        return code
    from .cli import main as cli_main

    return cli_main(args)


def _end_process(code: int) -> None:
    """End a `sam-bridge rpc` process as soon as its response is out. The request has finished
    everything (stores written, locks released, pools joined) and nothing is registered to run at
    exit; the interpreter's teardown of msal, requests and cryptography would add tens of
    milliseconds to every child-process cmdlet call, while the module waits for the exit."""
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
