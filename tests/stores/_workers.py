"""Child processes for the store suite: `python -m tests.stores._workers COMMAND ...`.

Each prints one JSON line on success. They inherit the test's environment (DBUS address, Azure
credential variables, SAM_BRIDGE_CACHE_DIR for the shared locks).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import Any

APP_ID = "d08dc19e-ba2a-454d-8b27-fe0fdf4a176c"
TENANT = "4dadf9ec-d547-4ad3-b14e-bdf2cd3d746c"
ENTRY = "contoso/refresh-token"


def issued_at(base: float, worker: int, workers: int, iteration: int) -> str:
    """A distinct instant per (worker, iteration): later iterations are always newer, across workers too."""
    from bridge._core.tokens import iso

    moment = datetime.fromtimestamp(base, timezone.utc) + timedelta(seconds=iteration * workers + worker)
    return iso(moment)


def token_for(worker: int, iteration: int) -> str:
    return f"0.AX-rt-w{worker}-i{iteration}-" + "R" * 900


def write_rt(args: argparse.Namespace) -> dict[str, Any]:
    """N rotations through write_refresh_token, each issued later than this worker's previous one."""
    from bridge._config import Profile
    from bridge._services.exchange import write_refresh_token
    from bridge._stores import open_store

    store = open_store(args.uri, **json.loads(args.context))
    profile = Profile("contoso", APP_ID, TENANT, store=args.uri)
    written = 0
    for i in range(args.count):
        meta = {
            "profile": "contoso",
            "issued_at": issued_at(args.base, args.worker, args.workers, i),
            "last_redeemed_at": "",
            "scopes": ["https://graph.microsoft.com/.default"],
            "amr": ["pwd", "mfa"],
            "mfa": True,
            "source": "exchange",
            "worker": args.worker,
            "iteration": i,
        }
        written += bool(write_refresh_token(profile, store, token_for(args.worker, i), meta))
    return {"worker": args.worker, "attempts": args.count, "written": written}


def put_loop(args: argparse.Namespace) -> dict[str, Any]:
    """Write large values to a file store until killed (the crash-safety test kills it)."""
    from bridge._stores.file import FileStore

    store = FileStore(args.path)
    i = 0
    sys.stdout.write("started\n")
    sys.stdout.flush()
    while True:
        store.put(ENTRY, f"value-{i}-" + "V" * 200_000, {"issued_at": f"{i}", "generation": i})
        i += 1


def exchange_loop(args: argparse.Namespace) -> dict[str, Any]:
    """N forced exchanges of one profile (each one a network redemption and a rotation)."""
    from bridge._api import load_profile, store_for
    from bridge._services.exchange import obtain_token

    profile = load_profile(args.profile, config=args.config)
    store = store_for(profile)
    started = time.monotonic()
    for _ in range(args.count):
        token = obtain_token(profile, store, [args.scope], force_refresh=True)
        assert not token.from_cache
    return {"exchanges": args.count, "seconds": round(time.monotonic() - started, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.stores._workers")
    commands = parser.add_subparsers(dest="command", required=True)
    w = commands.add_parser("write-rt")
    w.add_argument("--uri", required=True)
    w.add_argument("--context", default="{}")
    w.add_argument("--worker", type=int, required=True)
    w.add_argument("--workers", type=int, required=True)
    w.add_argument("--count", type=int, required=True)
    w.add_argument("--base", type=float, required=True)
    p = commands.add_parser("put-loop")
    p.add_argument("--path", required=True)
    e = commands.add_parser("exchange")
    e.add_argument("--config", required=True)
    e.add_argument("--profile", required=True)
    e.add_argument("--scope", required=True)
    e.add_argument("--count", type=int, required=True)
    args = parser.parse_args(argv)
    run = {"write-rt": write_rt, "put-loop": put_loop, "exchange": exchange_loop}[args.command]
    print(json.dumps(run(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
