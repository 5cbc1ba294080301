"""B3's and B6's client: one batch of token exchanges across many customer tenants, in its own process.

Run by benchmarks/run.py (never timed by CI). It reads the job from a JSON file, runs
`bridge._services.batch.tokens` - the same batch `sam-bridge token --tenant ...` and
`New-SamAccessToken -Tenant $list` run - and prints one JSON object: wall time of the batch itself
(from the call to the last result, so interpreter start-up and imports are not counted), failures,
this process's peak memory and CPU time. Its own process, so that the peak memory and CPU are the
client's alone (the emulator runs in another). Results are checked and dropped as they stream out,
as a pipeline consumes them: the peak memory is the batch's, not a list of 10,000 tokens.

With `"bare": true` in the job (B6's baseline) the same token requests go out as bare
`requests.post` calls from as many threads, one session each: the refresh-token grant, the response
parsed and its `tid` checked, and nothing else (no msal, no store, no cache, no retries).

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

    tenants = job["tenants"]
    if job.get("bare"):
        return _bare(job, tenants)
    profile = load_profile(job["profile"], config=job["config"])
    store = store_for(profile)
    profiler = None
    if job.get("profile_to"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu_before = time.process_time()
    started = time.perf_counter()
    count = failed = wrong = 0
    first_error = None
    for result in _batch.tokens(profile, store, job["scopes"], tenants, concurrency=job["concurrency"], force_refresh=True):
        count += 1
        if not result.ok:
            failed += 1
            first_error = first_error or result.error.message  # type: ignore[union-attr]
        elif result.value.tenant_id != result.tenant:
            wrong += 1
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(job["profile_to"])
    return _report(tenants, count, failed, wrong, first_error, wall, cpu)


def _report(tenants: list[str], count: int, failed: int, wrong: int, first_error: str | None, wall: float,
            cpu: float) -> int:
    print(json.dumps({
        "tenants": len(tenants),
        "results": count,
        "failed": failed,
        "wrong_tenant": wrong,
        "first_error": first_error,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
    return 0


def _bare(job: dict, tenants: list[str]) -> int:
    import base64
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    local = threading.local()
    form = {"client_id": job["app_id"], "grant_type": "refresh_token", "refresh_token": job["refresh_token"],
            "scope": " ".join(job["scopes"]) + " offline_access openid profile", "client_info": "1"}

    def one(tenant: str) -> str:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.verify = job["ca_bundle"]
        answer = session.post(f"{job['authority_host']}/{tenant}/oauth2/v2.0/token", data=form, timeout=60)
        answer.raise_for_status()
        payload = answer.json()["access_token"].split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["tid"]

    count = failed = wrong = 0
    first_error = None
    cpu_before = time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(job["concurrency"]) as pool:
        for tenant, future in zip(tenants, [pool.submit(one, t) for t in tenants]):
            count += 1
            try:
                wrong += future.result() != tenant
            except Exception as exc:  # noqa: BLE001 - counted and reported
                failed += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"
    return _report(tenants, count, failed, wrong, first_error, time.perf_counter() - started, time.process_time() - cpu_before)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
