"""Fixtures for the Connect-* target tests: a consented profile against the emulator, the generated
stand-in modules, and a runner that executes a batch of cases in one real pwsh process.

pwsh costs about a second to start, so each test module builds all its cases up front, runs them in
one pwsh process (module-scoped fixtures) and then asserts per case, one test id each. That is why
the consented profile here is module-scoped too: it is `consented_profile` (built with the same
helpers) on the session's emulator, reset at the start of the module.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest

from bridge._core.validate import SamBridgeWarning
from tests.fixtures.profiles import ProfileHandle, device_code_consent, make_profile

from .standins import StandIn, load_standins, write_modules

REPO = Path(__file__).resolve().parents[2]
PWSH = REPO / ".tools" / "pwsh"
HARNESS = Path(__file__).resolve().parent / "harness.ps1"
PROFILE_NAME = "contoso"
# How snippets and samples reach the CLI in tests: SAM_BRIDGE_CLI (documented in the snippets).
CLI_COMMAND = f"{sys.executable} -m bridge"
# What tests.fixtures.profiles clears for an isolated environment.
_CLEARED = ("SAM_BRIDGE_", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")


def known_tokens(handle: ProfileHandle) -> set[str]:
    """The stored refresh token and every access token handed out so far (for "no token here" checks)."""
    found = {handle.refresh_token()}
    cache = handle.store.get(f"{handle.profile.name}/access-tokens")
    if cache is not None:
        found.update(item["access_token"] for item in json.loads(cache.value).values())
    return {t for t in found if t}


@pytest.fixture(scope="module")
def consented(emulator_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProfileHandle]:
    """`consented_profile` for a whole module: the session's emulator reset to its seed, a profile
    saved in a config file of its own and consented by the MFA admin (tests.fixtures.profiles), and
    SAM_BRIDGE_CLI in its environment so snippets and samples reach this checkout's CLI."""
    from bridge._auth.http import clear_discovery_cache
    from tests.fixtures.emulator import Emulator

    emulator = Emulator(emulator_server.info)
    emulator.reset()
    clear_discovery_cache()
    home = tmp_path_factory.mktemp("targets")
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(_CLEARED):
                patch.delenv(name, raising=False)
        # The in-process API (connect_parameters) and the CLI subprocesses share config and cache.
        patch.setenv("SAM_BRIDGE_CONFIG", str(home / "config.toml"))
        patch.setenv("SAM_BRIDGE_CACHE_DIR", str(home / "cache"))
        patch.setenv("SAM_BRIDGE_ALLOW_CUSTOM_AUTHORITY", "1")  # the emulator is not a Microsoft authority host
        env = dict(os.environ)
        env.update(
            SAM_BRIDGE_CLI=CLI_COMMAND,
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
            PYTHONDONTWRITEBYTECODE="1",
        )
        handle = make_profile(emulator, env, name=PROFILE_NAME)
        with warnings.catch_warnings():  # the plaintext file store is the point here, not news
            warnings.simplefilter("ignore", SamBridgeWarning)
            device_code_consent(handle)
        try:
            yield handle
        finally:
            emulator.close()


@pytest.fixture(scope="session")
def pwsh() -> Path:
    if not os.access(PWSH, os.X_OK):
        pytest.fail(f"PowerShell 7 is not installed at {PWSH}: run `bash scripts/setup-ps.sh` (or `make test`).")
    return PWSH


@pytest.fixture(scope="session")
def standins() -> dict[str, StandIn]:
    return load_standins()


@pytest.fixture(scope="session")
def standin_modules(standins: dict[str, StandIn], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Stand-in id -> module manifest (root/NAME/VERSION/NAME.psd1)."""
    return write_modules(tmp_path_factory.mktemp("standin-modules"), standins.values())


def run_pwsh(pwsh: Path, cases: list[Mapping[str, Any]], workdir: Path, env: Mapping[str, str] | None = None,
             timeout: float = 600) -> dict[str, dict[str, Any]]:
    """Run cases through harness.ps1 in one pwsh process; results by case id."""
    workdir.mkdir(parents=True, exist_ok=True)
    cases_path, results_path = workdir / "cases.json", workdir / "results.json"
    cases_path.write_text(json.dumps(list(cases)), encoding="utf-8")
    completed = subprocess.run(
        [str(pwsh), "-NoLogo", "-NoProfile", "-NonInteractive", "-File", str(HARNESS),
         "-CasesPath", str(cases_path), "-ResultsPath", str(results_path)],
        env=dict(env if env is not None else os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(workdir),
    )
    if completed.returncode != 0 or not results_path.exists():
        raise AssertionError(f"the pwsh harness failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    results = json.loads(results_path.read_text(encoding="utf-8-sig"))
    if isinstance(results, dict):  # one case: ConvertTo-Json wrote the object, not a list
        results = [results]
    for result in results:  # what the CLI said goes to pwsh's stderr: keep it with the failures
        if result["error"] is not None:
            result["stderr"] = completed.stderr[-4000:]
    return {r["id"]: r for r in results}
