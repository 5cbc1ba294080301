"""`make bench`: benchmarks B1-B6 (issues 7 and 20), measured in one run on this machine, printed as one table.

They are benchmarks, not tests: they print, and nothing in CI times them. Every figure is a median
of repeated runs, and every ratio is against a baseline measured in the same run, against the same
emulator, on the same machine. The emulator runs as its own process (`python -m bridge.emulator
serve`), so its CPU is not the client's; on a small machine it competes with the client for the
same cores, which the table reports (B3's CPU per tenant, both sides).

    B1  Get-SamConnectParameter -Target PartnerCenter with a valid cached token, in-process vs child process
    B2  one refresh-token exchange: New-SamAccessToken in-process vs MSAL.NET's AcquireTokenByRefreshToken
    B3  tokens for 1,000 customer tenants, 50 ms added to each token request, concurrency 16, a burst of 429s
    B4  start-up: `import bridge` and `sam-bridge --version` against a bare `python -c pass`
    B5  a cold runbook: a fresh pwsh that imports SamBridge and gets one token from the stored refresh token,
        against a fresh pwsh that loads MSAL.NET and does the same
    B6  B3's batch (no 429s) at 1,000 and 10,000 tenants: time per tenant and peak memory as it grows, and
        the client's CPU per token against bare `requests.post` calls of the same token request

    .venv/bin/python benchmarks/run.py [--quick] [--only B5,B6] [--markdown] [--readme]

--quick takes fewer samples (a smoke run); --markdown prints the table as Markdown; --readme also
writes that Markdown into benchmarks/README.md, between its figures markers.
"""
from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup  # noqa: E402  (puts the repository on sys.path)

REPO = _setup.REPO
GRAPH = "https://graph.microsoft.com/.default"
PARTNER_CENTER = "https://api.partnercenter.microsoft.com/user_impersonation"

# B3's job, as the issue states it.
B3_TENANTS = 1000
B3_LATENCY_MS = 50
B3_CONCURRENCY = 16
B3_BURST = 5  # 429 answers in a row on the token endpoint when the batch starts...
B3_RETRY_AFTER = 1  # ...each with Retry-After: 1 s. Honouring them costs 5 s of worker time, 0.31 s of wall at 16 wide.
B3_SEQUENTIAL_SAMPLE = 100  # the one-at-a-time baseline is measured on this many tenants, then scaled
# B6: B3's batch at two sizes, to show that the cost per tenant and the memory do not grow with it.
B6_SIZES = (1000, 10000)
BENCHMARKS = ("B1", "B2", "B3", "B4", "B5", "B6")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples: a smoke run, not figures to quote")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--readme", action="store_true", help="also record the table in benchmarks/README.md")
    parser.add_argument("--only", default="", help="a comma-separated subset to run, e.g. B5,B6 (not with --readme)")
    options = parser.parse_args()
    chosen = {part.strip().upper() for part in options.only.split(",") if part.strip()} or set(BENCHMARKS)
    if chosen - set(BENCHMARKS) or (options.readme and chosen != set(BENCHMARKS)):
        parser.error(f"--only takes some of {', '.join(BENCHMARKS)}, and --readme records every one")
    samples = _Samples(options.quick)
    machine = _machine()
    rows: list[tuple[str, str, str, str, str]] = []

    print(f"sam-bridge benchmarks: {machine['summary']}", file=sys.stderr)
    if "B4" in chosen:
        print("B4 ...", file=sys.stderr)
        rows += b4(samples)
    bench = _setup.start(customers=max(B6_SIZES) if chosen & {"B3", "B6"} else 0)
    try:
        if chosen & {"B1", "B2"}:
            print("B1, B2 ...", file=sys.stderr)
            rows += b1_b2(bench, samples)
        if "B5" in chosen:
            print("B5 ...", file=sys.stderr)
            rows += b5(bench, samples)
        if chosen & {"B3", "B6"}:
            print("B3, B6 ...", file=sys.stderr)
            rows += b3_b6(bench, samples, chosen)
    finally:
        bench.stop()
    _print_table(rows, machine, samples, options.markdown)
    if options.readme:
        _record(rows, machine, samples)
    return 0


class _Samples:
    """How many times each thing is measured."""

    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.b1_inprocess = 60 if quick else 300
        self.b1_child = 5 if quick else 15
        self.b2_rounds = 3 if quick else 10
        self.b2_per_round = 5 if quick else 10
        self.b2_profile = 5 if quick else 20
        self.b3_runs = 1 if quick else 3
        self.b3_sequential = 20 if quick else B3_SEQUENTIAL_SAMPLE
        self.b4_runs = 5 if quick else 20
        self.b5_pairs = 2 if quick else 7
        self.b6_runs = 1 if quick else 2


# -- B4 ---------------------------------------------------------------------------------------------


def b4(samples: _Samples) -> list[tuple[str, str, str, str, str]]:
    """Start-up of a fresh interpreter: bare, importing bridge, and the CLI's --version. Interleaved,
    so that a change in the machine's load hits all three alike; run outside the repository (so the
    editable install, not the working directory, provides `bridge`)."""
    python = _setup.PYTHON
    cli = str(REPO / ".venv" / "bin" / "sam-bridge")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    commands = {
        "pass": [python, "-c", "pass"],
        "import": [python, "-c", "import bridge"],
        "version": [cli, "--version"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as cwd:
        for _ in range(2):  # warm the page cache
            for command in commands.values():
                subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=True)
        for _ in range(samples.b4_runs):
            for name, command in commands.items():
                started = time.perf_counter()
                subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=True)
                times[name].append((time.perf_counter() - started) * 1000)
    bare, imported, version = (statistics.median(times[n]) for n in ("pass", "import", "version"))
    added = imported - bare
    return [
        ("B4", "`python -c pass` (baseline)", f"{bare:.0f} ms", "", ""),
        ("B4", "`python -c \"import bridge\"`", f"{imported:.0f} ms", "", ""),
        ("B4", "importing bridge adds", f"{added:.0f} ms", "<= 30 ms", _verdict(added <= 30, added, 30)),
        ("B4", "`sam-bridge --version`", f"{version:.0f} ms", "", ""),
    ]


# -- B1 and B2 --------------------------------------------------------------------------------------


def b1_b2(bench: _setup.Bench, samples: _Samples) -> list[tuple[str, str, str, str, str]]:
    """Both in one pwsh (benchmarks/pwsh_bench.ps1), against a profile of their own (a small store, as
    a script's own profile has)."""
    handle = _setup.consented_profile(bench, "b1")
    info, ids = bench.info, bench.emulator.ids
    job = {
        "env": {
            "SAM_BRIDGE_CONFIG": bench.env["SAM_BRIDGE_CONFIG"],
            "SAM_BRIDGE_CACHE_DIR": bench.env["SAM_BRIDGE_CACHE_DIR"],
            "SAM_BRIDGE_PYTHON": _setup.PYTHON,
            "SAM_BRIDGE_PYTHONNET_DLL": str(_setup.PYTHONNET_DLL),
            # New-SamAccessToken -RefreshToken has no profile: the authority comes from these.
            "SAM_BRIDGE_AUTHORITY_HOST": info["authority_host"],
            "SAM_BRIDGE_CA_BUNDLE": info["ca_bundle"],
            "SAM_BRIDGE_ALLOW_CUSTOM_AUTHORITY": "1",
        },
        "profile": "b1",
        "b1_warmup": 20,
        "b1_inprocess_runs": samples.b1_inprocess,
        "b1_child_runs": samples.b1_child,
        "refresh_token": handle.refresh_token(),
        "app_id": ids.public_app,
        "tenant": ids.partner,
        "scopes": [PARTNER_CENTER],
        "authority": f"{info['authority_host']}/{ids.partner}",
        "ca_bundle": info["ca_bundle"],
        "msal_dll": str(_setup.MSAL_DLL),
        "abstractions_dlls": _abstractions_candidates(),
        "b2_warmup": 5,
        "b2_rounds": samples.b2_rounds,
        "b2_per_round": samples.b2_per_round,
        "b2_profile_runs": samples.b2_profile,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, dir=bench.home) as fh:
        json.dump(job, fh)
    finished = subprocess.run(
        [_setup.PWSH, "-NoLogo", "-NoProfile", "-NonInteractive", "-File", str(REPO / "benchmarks" / "pwsh_bench.ps1"),
         "-JobPath", fh.name],
        capture_output=True, text=True, cwd=str(REPO), timeout=1800,
    )
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if finished.returncode != 0 or not lines:
        raise SystemExit(f"pwsh_bench.ps1 failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}")
    result = json.loads(lines[-1])

    inprocess = statistics.median(result["b1_inprocess_ms"])
    child = statistics.median(result["b1_child_ms"])
    speedup = child / inprocess
    rows = [
        ("B1", "Get-SamConnectParameter -Target PartnerCenter, cached token, in-process", f"{inprocess:.1f} ms",
         "<= 5 ms", _verdict(inprocess <= 5, inprocess, 5)),
        ("B1", "the same over the child process (baseline)", f"{child:.0f} ms", "", ""),
        ("B1", "child process / in-process", f"{speedup:.0f}x", ">= 20x", _verdict(speedup >= 20, 20, speedup)),
        ("B1", "MSAL.NET loaded into the session by the module", "no" if not result["msal_loaded_by_module"] else "YES",
         "no", _verdict(not result["msal_loaded_by_module"])),
        ("B1", "first in-process call (engine start, one exchange)", f"{result['engine_start_ms']:.0f} ms", "", ""),
    ]
    if result.get("b2_error"):
        rows.append(("B2", f"not measured: {result['b2_error']}", "", "<= 1.25", "n/a"))
        return rows
    sam = statistics.median(result["b2_sam_ms"])
    msal = statistics.median(result["b2_msal_ms"])
    ratio = sam / msal
    rows += [
        ("B2", "New-SamAccessToken -RefreshToken (in-process), one exchange", f"{sam:.1f} ms", "", ""),
        ("B2", "MSAL.NET AcquireTokenByRefreshToken, same pwsh (baseline)", f"{msal:.1f} ms", "", ""),
        ("B2", "New-SamAccessToken / MSAL.NET", f"{ratio:.2f}", "<= 1.25", _verdict(ratio <= 1.25, ratio, 1.25)),
        ("B2", "New-SamAccessToken -Profile -Force (store read, rotation, write)",
         f"{statistics.median(result['b2_sam_profile_ms']):.1f} ms", "", ""),
        ("B2", "  what bounds it: the core's exchange, in-process entry called directly (no PowerShell layer)",
         f"{statistics.median(result['b2_core_ms']):.1f} ms", "", ""),
        ("B2", "  what bounds it: a bare requests.post of the same token request, same Python, same pwsh",
         f"{statistics.median(result['b2_bare_ms']):.1f} ms", "", ""),
    ]
    return rows


def _abstractions_candidates() -> list[str]:
    """Microsoft.IdentityModel.Abstractions.dll (>= 8.14, which MSAL.NET 4.92 needs), as restored by
    scripts/setup-ps.sh (pwsh_bench.ps1 checks the version)."""
    return sorted(glob.glob(str(REPO / ".tools" / "nuget" / "microsoft.identitymodel.abstractions" / "*" / "lib" / "net8.0"
                                / "Microsoft.IdentityModel.Abstractions.dll")), reverse=True)


# -- B5 ---------------------------------------------------------------------------------------------


def b5(bench: _setup.Bench, samples: _Samples) -> list[tuple[str, str, str, str, str]]:
    """Whole processes, from the spawn of `pwsh -NoProfile` to its exit, in alternating rounds (the
    three variants, in turn, each round), so a change in the machine's load hits all of them:
    benchmarks/b5_sam.ps1 over each transport, and benchmarks/b5_msal.ps1 (MSAL.NET, with its
    helper compiled into a DLL here, outside the timing, as a module ships its compiled code).
    Each has a refresh token of its own, consented the same way."""
    info, ids = bench.info, bench.emulator.ids
    handle = _setup.consented_profile(bench, "b5")
    msal_handle = _setup.consented_profile(bench, "b5msal")
    helper = bench.home / "SamBridgeBench.MsalRefresh.dll"
    abstractions = next(iter(_abstractions_candidates()), None)
    if abstractions is None:
        return [("B5", "not measured: Microsoft.IdentityModel.Abstractions.dll was not restored", "", "<= 1.0x", "n/a")]
    references = ", ".join(f"'{r}'" for r in (str(_setup.MSAL_DLL), "System.Net.Http", "System.Net.Security",
                                              "System.Net.Primitives", "System.Security.Cryptography", "System.Runtime",
                                              "System.Collections", "System.Collections.NonGeneric", "System.Memory"))
    compiled = subprocess.run(
        [_setup.PWSH, "-NoLogo", "-NoProfile", "-NonInteractive", "-Command",
         f"$null = [Reflection.Assembly]::LoadFrom('{abstractions}'); "
         f"Add-Type -LiteralPath '{REPO / 'benchmarks' / 'MsalRefresh.cs'}' -ReferencedAssemblies {references} "
         f"-OutputAssembly '{helper}' -OutputType Library -IgnoreWarnings 3>$null"],
        capture_output=True, text=True, timeout=600)
    if compiled.returncode != 0 or not helper.exists():
        raise SystemExit(f"compiling MsalRefresh.cs failed:\n{compiled.stdout}\n{compiled.stderr}")
    token_file = bench.home / "b5msal-refresh-token.txt"
    token_file.write_text(msal_handle.refresh_token(), encoding="utf-8")
    os.chmod(token_file, 0o600)
    sam_job = bench.home / "b5-sam.json"
    sam_job.write_text(json.dumps({"module": str(REPO / "psmodule" / "SamBridge"), "profile": "b5",
                                   "scopes": [PARTNER_CENTER]}), encoding="utf-8")
    msal_job = bench.home / "b5-msal.json"
    msal_job.write_text(json.dumps({
        "abstractions_dll": abstractions, "msal_dll": str(_setup.MSAL_DLL), "helper_dll": str(helper),
        "app_id": ids.public_app, "authority": f"{info['authority_host']}/{ids.partner}", "ca_bundle": info["ca_bundle"],
        "scopes": [PARTNER_CENTER], "refresh_token_path": str(token_file), "cache_path": str(bench.home / "b5msal-cache.bin"),
    }), encoding="utf-8")
    env = dict(bench.env, SAM_BRIDGE_PYTHON=_setup.PYTHON, SAM_BRIDGE_PYTHONNET_DLL=str(_setup.PYTHONNET_DLL))
    sam = [str(REPO / "benchmarks" / "b5_sam.ps1"), "-JobPath", str(sam_job)]
    variants = {
        "Auto": (sam, env),  # no SAM_BRIDGE_TRANSPORT: what a runbook gets
        "InProcess": (sam, dict(env, SAM_BRIDGE_TRANSPORT="InProcess")),
        "ChildProcess": (sam, dict(env, SAM_BRIDGE_TRANSPORT="ChildProcess")),
        "msal": ([str(REPO / "benchmarks" / "b5_msal.ps1"), "-JobPath", str(msal_job)], env),
        # What bounds B5: the same fresh pwsh doing nothing, and doing nothing but the import.
        "pwsh": (["-Command", "exit 0"], env),
        "import": (["-Command", f"Import-Module -Name '{REPO / 'psmodule' / 'SamBridge'}'"], env),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(samples.b5_pairs + 1):  # the first round warms the file cache, and is not counted
        for name, (arguments, variant_env) in variants.items():
            started = time.perf_counter()
            command = arguments if arguments[0] == "-Command" else ["-File", *arguments]
            finished = subprocess.run([_setup.PWSH, "-NoLogo", "-NoProfile", "-NonInteractive", *command],
                                      capture_output=True, text=True, env=variant_env, cwd=str(bench.home), timeout=300)
            elapsed = time.perf_counter() - started
            if finished.returncode != 0:
                raise SystemExit(f"B5 {name} failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}")
            if round_:
                times[name].append(elapsed)
    del handle, msal_handle
    msal = statistics.median(times["msal"])
    rows = []
    for name, label in (("Auto", "Transport Auto (the default)"), ("InProcess", "in-process transport (forced)"),
                        ("ChildProcess", "child-process transport (forced)")):
        figure = statistics.median(times[name])
        ratio = figure / msal
        rows += [
            ("B5", f"cold runbook: fresh pwsh, Import-Module SamBridge, one token from the store, {label}",
             f"{figure:.2f} s", "", ""),
            ("B5", f"  / MSAL.NET ({name})", f"{ratio:.2f}x", "<= 1.0x" if name == "Auto" else "",
             _verdict(ratio <= 1.0, ratio, 1.0) if name == "Auto" else ""),
        ]
    rows.insert(0, ("B5", "cold runbook: fresh pwsh loads MSAL.NET, redeems the stored refresh token, keeps its cache (baseline)",
                    f"{msal:.2f} s", "", ""))
    rows += [
        ("B5", "  what bounds it: a fresh pwsh -NoProfile that only exits", f"{statistics.median(times['pwsh']):.2f} s", "", ""),
        ("B5", "  what bounds it: a fresh pwsh that only imports SamBridge", f"{statistics.median(times['import']):.2f} s", "", ""),
    ]
    return rows


# -- B3 ---------------------------------------------------------------------------------------------


def b3_b6(bench: _setup.Bench, samples: _Samples, chosen: set[str]) -> list[tuple[str, str, str, str, str]]:
    """The batch client (benchmarks/b3_batch.py) in its own process, its CPU and the emulator's measured
    apart (/proc). B3: the 429 burst injected before each run. B6: the same batch without the burst
    (a fixed cost would flatter the larger size) at B6_SIZES, alternating, and B6's baseline, bare
    `requests.post` calls of the same token request from as many threads."""
    emulator = bench.emulator
    handle = _setup.consented_profile(bench, "b3")
    tenants = bench.customers
    job_path = bench.home / "b3-job.json"

    def run(chosen_tenants: list[str], concurrency: int, burst: int, **extra: Any) -> dict[str, Any]:
        job_path.write_text(json.dumps({"profile": "b3", "config": bench.env["SAM_BRIDGE_CONFIG"], "tenants": chosen_tenants,
                                        "scopes": [GRAPH], "concurrency": concurrency, **extra}), encoding="utf-8")
        emulator.clear_faults()
        if burst:
            emulator.add_fault("429", "token", count=burst, retry_after=B3_RETRY_AFTER)
        before = _cpu_seconds(bench.info["pid"])
        finished = subprocess.run([_setup.PYTHON, str(REPO / "benchmarks" / "b3_batch.py"), str(job_path)],
                                  capture_output=True, text=True, env=bench.env, timeout=1800)
        emulator_cpu = _cpu_seconds(bench.info["pid"]) - before
        if finished.returncode != 0:
            raise SystemExit(f"b3_batch.py failed:\n{finished.stdout}\n{finished.stderr}")
        result = json.loads(finished.stdout.strip().splitlines()[-1])
        result["emulator_cpu_s"] = emulator_cpu
        result["faults_left"] = len(emulator.faults())
        return result

    rows: list[tuple[str, str, str, str, str]] = []
    emulator.update_settings(token_latency_ms=B3_LATENCY_MS)
    try:
        if "B3" in chosen:
            runs = [run(tenants[:B3_TENANTS], B3_CONCURRENCY, B3_BURST) for _ in range(samples.b3_runs)]
            sequential = run(tenants[: samples.b3_sequential], 1, 0)
            rows += _b3_rows(runs, sequential)
        if "B6" in chosen:
            scale: dict[int, list[dict[str, Any]]] = {n: [] for n in B6_SIZES}
            bare: list[dict[str, Any]] = []
            for _ in range(samples.b6_runs):
                for n in B6_SIZES:
                    scale[n].append(run(tenants[:n], B3_CONCURRENCY, 0))
                bare.append(run(tenants[:B6_SIZES[0]], B3_CONCURRENCY, 0, bare=True, app_id=emulator.ids.public_app,
                                refresh_token=handle.refresh_token(), authority_host=bench.info["authority_host"],
                                ca_bundle=bench.info["ca_bundle"]))
            rows += _b6_rows(scale, bare)
    finally:
        emulator.update_settings(token_latency_ms=0)
        emulator.clear_faults()
    del handle
    return rows


def _b3_rows(runs: list[dict[str, Any]], sequential: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    ideal = B3_TENANTS * B3_LATENCY_MS / 1000 / B3_CONCURRENCY
    goal = 1.15 * ideal
    wall = statistics.median(r["wall_s"] for r in runs)
    failed = max(_failures(r) for r in runs)
    burst_served = all(r["faults_left"] == 0 for r in runs)
    peak = max(r["peak_rss_mb"] for r in runs)
    client_cpu = statistics.median(r["cpu_s"] for r in runs) / B3_TENANTS * 1000
    emulator_cpu = statistics.median(r["emulator_cpu_s"] for r in runs) / B3_TENANTS * 1000
    one_at_a_time = sequential["wall_s"] / sequential["tenants"] * B3_TENANTS
    bound = (B3_TENANTS * B3_LATENCY_MS / 1000 + B3_BURST * B3_RETRY_AFTER) / B3_CONCURRENCY
    return [
        ("B3", f"{B3_TENANTS:,} tenants, +{B3_LATENCY_MS} ms per token request, concurrency {B3_CONCURRENCY}, "
               f"{B3_BURST} x 429 (Retry-After {B3_RETRY_AFTER} s)", f"{wall:.2f} s",
         f"<= {goal:.2f} s (1.15 x {ideal:.3f} s)", _verdict(wall <= goal, wall, goal)),
        ("B3", "  the ideal with the burst's Retry-After waits counted", f"{bound:.3f} s", "", ""),
        ("B3", "failed tenants (every result checked against its tenant)", f"{failed}", "0",
         _verdict(failed == 0 and burst_served)),
        ("B3", "peak memory of the batch process", f"{peak:.0f} MB", "< 150 MB", _verdict(peak < 150, peak, 150)),
        ("B3", f"one at a time ({sequential['tenants']} tenants measured, scaled to {B3_TENANTS:,})",
         f"{one_at_a_time:.1f} s", "", ""),
        ("B3", "speed-up over one at a time", f"{one_at_a_time / wall:.1f}x", "", ""),
        ("B3", "CPU per tenant: client / emulator", f"{client_cpu:.2f} / {emulator_cpu:.2f} ms", "", ""),
    ]


def _failures(result: dict[str, Any]) -> int:
    return result["failed"] + result["wrong_tenant"] + (result["tenants"] - result["results"])


def _b6_rows(scale: dict[int, list[dict[str, Any]]], bare: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    small, large = B6_SIZES
    per_tenant = {n: statistics.median(r["wall_s"] / n for r in runs) * 1000 for n, runs in scale.items()}
    peak = {n: max(r["peak_rss_mb"] for r in runs) for n, runs in scale.items()}
    growth, grew = per_tenant[large] / per_tenant[small], peak[large] - peak[small]
    failed = max(_failures(r) for runs in scale.values() for r in runs)
    client_cpu = statistics.median(r["cpu_s"] / small for r in scale[small]) * 1000
    bare_cpu = statistics.median(r["cpu_s"] / small for r in bare) * 1000
    bare_failed = max(_failures(r) for r in bare)
    cpu_ratio = client_cpu / bare_cpu
    where = f"+{B3_LATENCY_MS} ms per token request, concurrency {B3_CONCURRENCY}, no 429s"
    return [
        ("B6", f"{small:,} tenants, {where}: time per tenant", f"{per_tenant[small]:.2f} ms", "", ""),
        ("B6", f"{large:,} tenants: time per tenant", f"{per_tenant[large]:.2f} ms", "", ""),
        ("B6", f"  {large:,} / {small:,}", f"{growth:.2f}x", "<= 1.10x", _verdict(growth <= 1.10, growth, 1.10)),
        ("B6", f"peak memory of the batch process: {small:,} / {large:,} tenants", f"{peak[small]:.0f} / {peak[large]:.0f} MB", "", ""),
        ("B6", "  growth", f"{grew:+.0f} MB", "<= +30 MB", _verdict(grew <= 30, grew, 30)),
        ("B6", "failed tenants (every result checked against its tenant)", f"{failed}", "0", _verdict(failed == 0)),
        ("B6", f"client CPU per token ({small:,} tenants)", f"{client_cpu:.2f} ms", "", ""),
        ("B6", "bare requests.post of the same token request, as many threads (baseline)",
         f"{bare_cpu:.2f} ms" + (f" ({bare_failed} failed)" if bare_failed else ""), "", ""),
        ("B6", "  client / bare", f"{cpu_ratio:.2f}x", "<= 1.5x", _verdict(cpu_ratio <= 1.5 and not bare_failed, cpu_ratio, 1.5)),
    ]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc; the emulator's own, not this process's)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the table --------------------------------------------------------------------------------------


def _verdict(ok: bool, figure: float | None = None, goal: float | None = None) -> str:
    """pass, or miss with how far (figure over a maximum, or a minimum over figure)."""
    if ok:
        return "pass"
    if figure is not None and goal:
        return f"miss (+{(figure / goal - 1) * 100:.0f}%)"
    return "miss"


def _machine() -> dict[str, str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    pwsh = subprocess.run([_setup.PWSH, "-NoLogo", "-NoProfile", "-Command", "$PSVersionTable.PSVersion.ToString()"],
                          capture_output=True, text=True).stdout.strip()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    summary = (f"{date}; {os.cpu_count()} CPUs ({cpu}); {system}; Python {platform.python_version()}; "
               f"PowerShell {pwsh}; load average at start {load}")
    return {"summary": summary}


_HEADER = ("", "measure", "figure", "goal", "result")
_README = Path(__file__).resolve().parent / "README.md"
_FIGURES_START, _FIGURES_END = "<!-- figures:start -->", "<!-- figures:end -->"


def _note(samples: _Samples) -> str:
    return ("medians of repeated runs; ratios against baselines measured in this run"
            + ("; QUICK RUN (few samples): not figures to quote" if samples.quick else ""))


def _markdown(rows: list[tuple[str, str, str, str, str]], machine: dict[str, str], samples: _Samples) -> str:
    lines = [f"Measured {machine['summary']}; {_note(samples)}.", "",
             "| " + " | ".join(_HEADER) + " |", "|" + "|".join(["---"] * len(_HEADER)) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _record(rows: list[tuple[str, str, str, str, str]], machine: dict[str, str], samples: _Samples) -> None:
    """Replace the figures between the README's markers with this run's table."""
    text = _README.read_text(encoding="utf-8")
    before, start, rest = text.partition(_FIGURES_START)
    _, end, after = rest.partition(_FIGURES_END)
    if not start or not end:
        raise SystemExit(f"{_README} has no {_FIGURES_START} ... {_FIGURES_END} section to write the figures into")
    _README.write_text(f"{before}{start}\n{_markdown(rows, machine, samples)}\n{end}{after}", encoding="utf-8")
    print(f"(recorded in {_README})", file=sys.stderr)


def _print_table(rows: list[tuple[str, str, str, str, str]], machine: dict[str, str], samples: _Samples,
                 markdown: bool) -> None:
    header = _HEADER
    note = _note(samples)
    if markdown:
        print(_markdown(rows, machine, samples))
        return
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"sam-bridge benchmarks: {machine['summary']}")
    print(f"({note})")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
