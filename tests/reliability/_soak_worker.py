"""A soak-test worker: `python -m tests.reliability._soak_worker --mode exchange|batch ...`.

It runs forced exchanges (or batches across tenants) of one profile, the way a scheduled job does,
and prints one JSON line: attempts, successes, failures by sam-bridge error class, and (batches) how
many runs stored a rotated token. A failure is expected under injected faults; a crash is not.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from typing import Any


def _short(message: str) -> str:
    import re

    return re.sub(r"https://127\.0\.0\.1:\d+/[0-9a-f-]+", "AUTHORITY", message)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability._soak_worker")
    parser.add_argument("--config", required=True)
    parser.add_argument("--profile", required=True)
    parser.add_argument("--scope", required=True)
    parser.add_argument("--mode", choices=("exchange", "batch"), required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--tenant", action="append", default=[])
    parser.add_argument("--pause", type=float, default=0.0)
    args = parser.parse_args(argv)

    from bridge._api import load_profile, store_for
    from bridge._core.errors import SamBridgeError

    profile = load_profile(args.profile, config=args.config)
    store = store_for(profile)
    failed: Counter[str] = Counter()
    messages: Counter[str] = Counter()  # each distinct failure message (the authority's port left out)
    report: dict[str, Any] = {"mode": args.mode, "attempted": 0, "succeeded": 0, "stored_batches": 0}
    for _ in range(args.count):
        report["attempted"] += 1
        try:
            if args.mode == "exchange":
                from bridge._services.exchange import obtain_token

                token = obtain_token(profile, store, [args.scope], force_refresh=True)
                assert not token.from_cache
                report["succeeded"] += 1
            else:
                from bridge._services.batch import tokens
                from bridge._services.exchange import AccessTokenCache

                # As a batch an hour later: the cached access tokens have expired, every tenant redeems.
                AccessTokenCache(profile, store).clear()
                results = list(tokens(profile, store, [args.scope], args.tenant, concurrency=len(args.tenant)))
                ok = [r for r in results if r.ok]
                for r in results:
                    if not r.ok:
                        failed[f"tenant:{type(r.error).__name__}"] += 1
                        messages[_short(r.error.message)] += 1
                if ok:
                    report["succeeded"] += 1
                    # A batch writes the newest rotated token once, if any tenant redeemed (not cached).
                    report["stored_batches"] += any(not r.value.from_cache for r in ok)
                else:
                    failed["batch:all-tenants-failed"] += 1
        except SamBridgeError as exc:  # a clear, typed failure: counted by kind
            failed[type(exc).__name__] += 1
            messages[_short(exc.message)] += 1
        time.sleep(args.pause)
    report["failed"] = dict(failed)
    report["messages"] = dict(messages)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
