"""Shared set-up of the benchmarks: the emulator as its own process, an isolated sam-bridge home,
and a profile consented the way a person does it (device code, MFA), reusing the test fixtures'
helpers instead of restating them.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.fixtures.emulator import Emulator, EmulatorProcess, start_emulator_process  # noqa: E402

PYTHON = str(REPO / ".venv" / "bin" / "python")
PWSH = str(REPO / ".tools" / "pwsh")
PYTHONNET_DLL = REPO / ".tools" / "nuget" / "pythonnet" / "3.2.1" / "lib" / "netstandard2.0" / "Python.Runtime.dll"
MSAL_DLL = REPO / ".tools" / "nuget" / "microsoft.identity.client" / "4.92.0" / "lib" / "net8.0" / "Microsoft.Identity.Client.dll"
_CLEARED = ("SAM_BRIDGE_", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


@dataclass
class Bench:
    """A running emulator process and a sam-bridge home that nothing else uses."""

    process: EmulatorProcess
    emulator: Emulator
    home: Path
    env: dict[str, str] = field(default_factory=dict)
    customers: list[str] = field(default_factory=list)

    @property
    def info(self) -> dict[str, Any]:
        return self.process.info

    def stop(self) -> None:
        self.emulator.close()
        self.process.stop()
        shutil.rmtree(self.home, ignore_errors=True)


def start(customers: int = 0) -> Bench:
    """The emulator (`python -m bridge.emulator serve`, its own process) and a fresh home; with
    `customers`, its directory has that many more customer tenants (`Bench.customers`), each with an
    active GDAP relationship and the apps consented, seeded from a file (a directory of 10,000 is
    larger than the control API takes in one request)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED)}
    # As an installed wheel has it: its bytecode compiled (pip does it at install), so no child
    # interpreter of a benchmark spends its start-up compiling the core.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(REPO / "bridge")], check=True, env=clean)
    home = Path(tempfile.mkdtemp(prefix="sam-bridge-bench-"))
    args = ["--port", "0"]
    extra: list[str] = []
    if customers:
        from tests.fixtures.directory import with_customers

        seed = json.loads((REPO / "bridge" / "emulator" / "default_seed.json").read_text(encoding="utf-8"))
        partner = next(t["id"] for t in seed["tenants"] if t.get("kind") == "partner")
        public_app = next(a["app_id"] for a in seed["apps"] if a["name"] == "sam-bridge (public)")
        seed, extra = with_customers(seed, customers, partner=partner, apps=[public_app])
        (home / "seed.json").write_text(json.dumps(seed), encoding="utf-8")
        args += ["--seed", str(home / "seed.json")]
    process = start_emulator_process(args, env=clean)
    emulator = Emulator(process.info)
    env = dict(clean)
    env.update(
        SAM_BRIDGE_CONFIG=str(home / "config.toml"),
        SAM_BRIDGE_CACHE_DIR=str(home / "cache"),
        SAM_BRIDGE_ALLOW_CUSTOM_AUTHORITY="1",  # the emulator is not a Microsoft authority host
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), clean.get("PYTHONPATH")])),
        PYTHONDONTWRITEBYTECODE="1",
    )
    # This process consents and prepares profiles through the core, so it uses the same home.
    for name in [n for n in os.environ if n.startswith(_CLEARED)]:
        del os.environ[name]
    os.environ.update(SAM_BRIDGE_CONFIG=env["SAM_BRIDGE_CONFIG"], SAM_BRIDGE_CACHE_DIR=env["SAM_BRIDGE_CACHE_DIR"],
                      SAM_BRIDGE_ALLOW_CUSTOM_AUTHORITY="1")
    return Bench(process, emulator, home, env, extra)


def consented_profile(bench: Bench, name: str, **values: Any) -> Any:
    """A public-client profile on the emulator's partner tenant (file store), consented with MFA."""
    import warnings

    from bridge import SamBridgeWarning
    from tests.fixtures.profiles import device_code_consent, make_profile

    values.setdefault("store", f"file:{bench.home / (name + '-store.json')}")
    handle = make_profile(bench.emulator, bench.env, name=name, **values)
    with warnings.catch_warnings():  # the plaintext file store is chosen on purpose (a throwaway home)
        warnings.simplefilter("ignore", SamBridgeWarning)
        device_code_consent(handle)
    return handle
