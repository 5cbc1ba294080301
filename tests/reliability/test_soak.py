"""Soak: several processes exchanging one profile's refresh token at once (and one running batches
across tenants) against the emulator, under a rate limit and a stream of injected faults (429
bursts, 503s, connection resets, slow answers, 500s, cut-off bodies).

Bounded: a fixed number of exchanges, a two-minute hard limit. It ends with the promises that
matter at 3 a.m.: every failure was one of sam-bridge's typed errors (no crash), the store file is
intact, the stored refresh token is the newest one the emulator issued to a successful writer (its
request log says which), its generation counts exactly the successful writes, and it still
redeems. The figures go to the session summary.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any

import pytest

from bridge._core.scrub import fingerprint
from tests.fixtures.emulator import REPO_ROOT
from tests.fixtures.profiles import ProfileHandle
from tests.reliability._helpers import GRAPH, acted_on, faulted, last_seq

PROCESSES, EXCHANGES, BATCHES = 4, 7, 3
HARD_LIMIT = 120.0
# (kind, count, retry_after, delay): mostly answers the client retries (429, 503, slow), some that
# fail one exchange with a clear error (a reset, a 500, a cut-off body: the server may have acted).
FAULTS = [("429", 2, 1, None), ("503", 1, None, None), ("503", 2, None, None), ("delay", 2, None, 0.3),
          ("503", 1, 1, None), ("delay", 1, None, 0.5), ("503", 2, None, None), ("429", 1, 1, None),
          ("reset", 1, None, None), ("500", 1, None, None), ("truncated", 1, None, None)]


def _worker(handle: ProfileHandle, mode: str, count: int, *extra: str) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "tests.reliability._soak_worker", "--config", str(handle.config_path),
            "--profile", handle.profile.name, "--scope", GRAPH, "--mode", mode, "--count", str(count), *extra]
    # A 20 s retry budget bounds the worst case (the default is 60 s); the logic is the same.
    env = dict(handle.env, SAM_BRIDGE_HTTP_RETRY_BUDGET="20")
    return subprocess.Popen(args, cwd=str(REPO_ROOT), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_soak_concurrent_exchanges_under_faults(consented_profile: ProfileHandle, figures: Any) -> None:
    handle, emulator = consented_profile, consented_profile.emulator
    generation_before = int(handle.metadata()["generation"])
    emulator.update_settings(rate_limit={"per_second": 5, "burst": 3, "retry_after": 1}, token_latency_ms=20)
    since = last_seq(emulator)
    started = time.monotonic()
    workers = [_worker(handle, "exchange", EXCHANGES, "--pause", "0.05") for _ in range(PROCESSES)]
    workers.append(_worker(handle, "batch", BATCHES, "--tenant", emulator.ids.partner, "--tenant", emulator.ids.fabrikam,
                           "--tenant", emulator.ids.northwind, "--pause", "0.3"))

    # A seeded stream of faults while the workers run, the same sequence on every run: the next one
    # is queued once the previous one has been consumed, so faults stay a fraction of the traffic.
    rng, injected, stop = random.Random(8), Counter(), threading.Event()

    def inject() -> None:
        while not stop.wait(0.8):
            if emulator.faults():
                continue
            kind, count, retry_after, delay = rng.choice(FAULTS)
            emulator.add_fault(kind, "token", count, retry_after=retry_after, delay_seconds=delay)
            injected[kind] += count

    injector = threading.Thread(target=inject, daemon=True)
    injector.start()
    reports = []
    try:
        for process in workers:
            remaining = max(1.0, HARD_LIMIT - (time.monotonic() - started))
            try:
                out, err = process.communicate(timeout=remaining)
            except subprocess.TimeoutExpired:
                for p in workers:
                    p.kill()
                pytest.fail(f"the soak did not finish within {HARD_LIMIT:.0f} s")
            assert process.returncode == 0 and "Traceback" not in err, err[-3000:]  # failures are typed, never crashes
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        stop.set()
        injector.join(5)
    emulator.clear_faults()
    emulator.update_settings(rate_limit=None, token_latency_ms=0)
    duration = time.monotonic() - started

    attempted = sum(r["attempted"] for r in reports)
    succeeded = sum(r["succeeded"] for r in reports)
    failed: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    for report in reports:
        failed.update(report["failed"])
        messages.update(report.get("messages", {}))
    assert attempted == PROCESSES * EXCHANGES + BATCHES
    assert succeeded >= attempted * 0.5, (succeeded, attempted, dict(failed))  # most exchanges ride the faults out
    allowed = {"ServiceError", "ThrottledError"}
    assert {k.split(":")[-1] for k in failed if k != "batch:all-tenants-failed"} <= allowed, (dict(failed), messages)

    log = emulator.requests(since)
    tokens = [e for e in log if e.get("endpoint") == "token" and e.get("grant_type") == "refresh_token"]
    redeemed = [e for e in acted_on(tokens) if e["status"] == 200]
    # The store is intact, and holds the newest refresh token a successful writer received: the one
    # issued to a redemption of the last token presented (a batch redeems one token for each tenant
    # and keeps the newest answer).
    stored = handle.store.get("contoso/refresh-token")
    assert stored is not None and stored.metadata["fingerprint"] == fingerprint(stored.value)
    last_presented = redeemed[-1]["presented_rt"]
    last_generation = {e["issued_rt"] for e in redeemed if e["presented_rt"] == last_presented}
    assert fingerprint(stored.value) in last_generation
    # No stored token was ever replaced by an older one: every redemption presented a token that an
    # earlier redemption issued (or the consented one), and none was presented after its successor.
    issued_order = [e["issued_rt"] for e in redeemed]
    previous = -1  # the consented token, issued before the soak
    for position, entry in enumerate(redeemed):
        presented = entry["presented_rt"]
        index = issued_order.index(presented) if presented in issued_order else -1
        assert index < position and index >= previous, f"redemption {position} presented an older token"
        previous = index
    # Each successful exchange (and each batch that got a token) wrote once; nothing else did.
    writes = sum(r["succeeded"] for r in reports if r["mode"] == "exchange") + sum(r["stored_batches"] for r in reports)
    assert int(stored.metadata["generation"]) == generation_before + writes
    for name in handle.store.list():
        assert handle.store.get(name) is not None
    # It still redeems.
    check_since = last_seq(emulator)
    done = handle.cli("token", "--force-refresh", "--json")
    assert done.returncode == 0, done.stderr
    again = [e for e in emulator.requests(check_since) if e.get("grant_type") == "refresh_token"]
    assert [(e["status"], e["presented_rt"]) for e in again] == [(200, fingerprint(stored.value))]

    faults_seen = faulted(e for e in log if e.get("endpoint") == "token")
    rate_limited = [e for e in log if e.get("endpoint") == "token" and e["status"] == 429 and not e.get("fault")]
    figures.set("soak", "processes", PROCESSES + 1)
    figures.set("soak", "attempted", attempted)
    figures.set("soak", "succeeded", succeeded)
    figures.set("soak", "failed", attempted - succeeded)
    figures.set("soak", "failed by kind", ", ".join(f"{k} {n}" for k, n in sorted(failed.items())) or "none")
    figures.set("soak", "faults injected", len(faults_seen))
    figures.set("soak", "faults by kind", dict(Counter(e["fault"] for e in faults_seen)))
    figures.set("soak", "rate-limit 429s", len(rate_limited))
    figures.set("soak", "redemptions", len(redeemed))
    figures.set("soak", "duration seconds", round(duration, 1))
    figures.set("soak", "final token ok", True)
    figures.set("soak", "failure messages", dict(messages))
    assert duration < HARD_LIMIT
