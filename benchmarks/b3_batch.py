"""B3's client: one batch of token exchanges across many customer tenants, in its own process.

Run by benchmarks/run.py (never timed by CI). It reads the job from a JSON file, runs
`bridge._services.batch.tokens` - the same batch `sam-bridge token --tenant ...` and
`New-SamAccessToken -Tenant $list` run - and prints one JSON object: wall time of the batch itself
(from the call to the last result, so interpreter start-up and imports are not counted), failures,
this process's peak memory and CPU time. Its own process, so that the peak memory and CPU are the
client's alone (the emulator runs in another).

    python benchmarks/b3_batch.py JOB.json
"""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def main(job_path: str) -> int:
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    import bridge  # noqa: F401  (imports outside the timed part, as a long-running host has them)
    from bridge._services import batch as _batch
    from bridge._api import load_profile, store_for

    profile = load_profile(job["profile"], config=job["config"])
    store = store_for(profile)
    tenants = job["tenants"]
    profiler = None
    if job.get("profile_to"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu_before = time.process_time()
    started = time.perf_counter()
    results = list(_batch.tokens(profile, store, job["scopes"], tenants, concurrency=job["concurrency"],
                                 force_refresh=True))
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(job["profile_to"])
    failed = [r for r in results if not r.ok]
    wrong = [r for r in results if r.ok and r.value.tenant_id != r.tenant]
    print(json.dumps({
        "tenants": len(tenants),
        "results": len(results),
        "failed": len(failed),
        "wrong_tenant": len(wrong),
        "first_error": failed[0].error.message if failed else None,  # type: ignore[union-attr]
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
