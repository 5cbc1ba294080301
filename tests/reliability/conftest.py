"""The reliability suite's figures: every test adds what it injected, tried or scanned; the session
ends with one summary block (docs/RELIABILITY.md quotes it) and test-artifacts/reliability-figures.json.

A figure is added only after the assertions that back it passed, so a printed figure is a claim
the suite checked, not a count of attempts.
"""
from __future__ import annotations

import json
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

# The Key Vault emulator fixtures of the store suite (a real vault over HTTPS, driven by the SDK).
from tests.stores.conftest import keyvault, keyvault_server  # noqa: F401  (pytest fixtures)

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = REPO_ROOT / "test-artifacts" / "reliability-figures.json"


class Figures:
    """Counters by section, safe to bump from test threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counters: dict[str, Counter[str]] = defaultdict(Counter)
        self.values: dict[str, dict[str, Any]] = defaultdict(dict)
        self.started = time.monotonic()

    def add(self, section: str, key: str, n: int = 1) -> None:
        with self._lock:
            self.counters[section][key] += n

    def set(self, section: str, key: str, value: Any) -> None:
        with self._lock:
            self.values[section][key] = value

    def total(self, section: str) -> int:
        with self._lock:
            return sum(self.counters[section].values())

    def empty(self) -> bool:
        return not any(self.counters.values()) and not any(self.values.values())

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            data: dict[str, Any] = {name: dict(sorted(c.items())) for name, c in self.counters.items() if c}
            for name, values in self.values.items():
                data.setdefault(name, {}).update(values)
            return data


FIGURES = Figures()


@pytest.fixture(scope="session")
def figures() -> Figures:
    return FIGURES


def _lines(data: dict[str, Any]) -> list[str]:
    lines = []
    faults = data.get("faults injected", {})
    if faults:
        lines.append(f"faults injected and survived: {sum(faults.values())} faulted requests in "
                     f"{data.get('fault cases', {}).get('passed', 0)} cases")
        by_target: Counter[str] = Counter()
        for key, n in faults.items():
            by_target[key.split("/")[0]] += n
        lines.append("  by target: " + ", ".join(f"{t} {n}" for t, n in sorted(by_target.items())))
        lines.append("  by kind:   " + ", ".join(f"{k} {n}" for k, n in sorted(faults.items())))
    redemptions = data.get("redemptions", {})
    if redemptions:
        lines.append(f"refresh-token redemptions per faulted exchange: at most {redemptions.get('max per exchange', 0)} "
                     f"(double redemptions: {redemptions.get('double', 0)})")
    bad = data.get("bad input", {})
    if bad:
        lines.append(f"bad inputs refused (specific message, non-zero exit, no traceback): {sum(bad.values())}")
        lines.append("  " + ", ".join(f"{k} {n}" for k, n in sorted(bad.items())))
    hyp = data.get("hypothesis examples", {})
    if hyp:
        lines.append(f"hypothesis examples run: {sum(hyp.values())}")
        lines.append("  " + ", ".join(f"{k} {n}" for k, n in sorted(hyp.items())))
    leaks = data.get("leak scan", {})
    if leaks:
        lines.append(
            "leak scan: {commands} commands run, {bytes} bytes scanned ({files} files, {cmdlines} process "
            "command lines sampled), {sentinels} sentinel secrets, leaks found: {leaks}".format(
                commands=leaks.get("commands", 0), bytes=leaks.get("bytes scanned", 0), files=leaks.get("files", 0),
                cmdlines=leaks.get("cmdlines sampled", 0), sentinels=leaks.get("sentinels", 0),
                leaks=leaks.get("leaks found", 0),
            )
        )
        if "cmdlets" in leaks:
            lines.append(f"  PowerShell cmdlets run with -Verbose: {leaks['cmdlets']}")
    attacker = data.get("local attacker", {})
    if attacker:
        attempts = sum(n for n in attacker.values() if isinstance(n, int) and not isinstance(n, bool))
        lines.append(f"local attacker (test_local_attacker, test_out_of_order): {attempts} attempts refused or survived")
        lines.append("  " + ", ".join(f"{k} {n}" for k, n in sorted(attacker.items())))
    soak = data.get("soak", {})
    if soak:
        lines.append(
            "soak: {processes} processes, {attempted} exchanges and batches attempted, {succeeded} succeeded, "
            "{failed} failed with a typed error ({by_kind}); {faults} faults injected and {limited} rate-limit 429s; "
            "{redemptions} redemptions in {duration:.1f} s; final refresh token is the newest and redeems: {final}".format(
                processes=soak.get("processes", 0), attempted=soak.get("attempted", 0), succeeded=soak.get("succeeded", 0),
                failed=soak.get("failed", 0), by_kind=soak.get("failed by kind", "none"),
                faults=soak.get("faults injected", 0), limited=soak.get("rate-limit 429s", 0),
                redemptions=soak.get("redemptions", 0), duration=float(soak.get("duration seconds", 0.0)),
                final="yes" if soak.get("final token ok") else "no",
            )
        )
    return lines


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if FIGURES.empty():
        return
    data = FIGURES.as_dict()
    data["run"] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "exit status": int(exitstatus),
        "seconds": round(time.monotonic() - FIGURES.started, 1),
    }
    terminalreporter.section("sam-bridge reliability figures")
    for line in _lines(data):
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"(written to {ARTIFACT.relative_to(REPO_ROOT)}; run {data['run']['date']})")
    try:
        ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
        ARTIFACT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:  # a read-only checkout must not fail the run
        terminalreporter.write_line(f"(could not write {ARTIFACT}: {exc})")
