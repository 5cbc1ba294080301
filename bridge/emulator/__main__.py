"""`python -m bridge.emulator serve [--port N] [--seed FILE] [--state-dir DIR]`.

Runs in the foreground, prints one JSON line to stdout when ready, logs to stderr, and exits 0 on
SIGINT or SIGTERM.
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bridge.emulator", description="Offline Entra ID emulator.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the emulator in the foreground")
    run.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free port; default 0)")
    run.add_argument("--seed", help="directory seed JSON (default: the built-in seed)")
    run.add_argument("--state-dir", help="keep the CA and signing key here across runs (default: a temp dir)")
    run.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    args = parser.parse_args(argv)

    from ._redact import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=args.log_level, handlers=[handler])

    from ._directory import SeedError
    from ._server import print_ready_line, serve

    try:
        return serve(port=args.port, seed=args.seed, state_dir=args.state_dir, ready=print_ready_line)
    except SeedError as exc:
        print(f"error: invalid seed: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot start the emulator: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
