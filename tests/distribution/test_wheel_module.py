"""Acceptance of issue 19: from the built wheel alone to a working PowerShell module.

A clean venv gets only the wheel; `sam-bridge psmodule install --path DIR` copies the module;
a fresh pwsh with DIR on PSModulePath and no sam-bridge setting imports it, registers a profile,
consents (the emulator approves the device code as a person would on another device) and gets
Connect-* parameters: over the child-process transport (Auto, with pythonnet absent: the fallback
said once), then in-process with Python.Runtime.dll found in the venv's pythonnet package.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from .conftest import clean_environment, python_runtime_dll, run_pwsh

pytestmark = pytest.mark.slow


def approve_next_device_code(emulator: Any, stop: threading.Event) -> threading.Thread:
    """Approve the next device code to appear, with MFA, as the admin would on a phone."""
    from tests.fixtures.emulator import Emulator

    info, ids = emulator.info, emulator.ids

    def run() -> None:
        client = Emulator(info)  # its own session: requests sessions are not thread-safe
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not stop.is_set():
                pending = client.device_codes()
                if pending:
                    client.approve_device_code(pending[0]["user_code"], ids.admin, ids.password, client.totp())
                    return
                time.sleep(0.2)
        finally:
            client.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


SCRIPT = r"""
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$in = [System.IO.File]::ReadAllText($env:TEST_INPUT) | ConvertFrom-Json
$warnings = @()
Import-Module SamBridge -WarningVariable +warnings
$registered = Register-SamProfile -Name $in.name -ApplicationId $in.app -Tenant $in.tenant -AuthorityHost $in.authority -AllowCustomAuthority -CaBundle $in.ca -Store $in.store -Customers @($in.customer) -WarningVariable +warnings -WarningAction SilentlyContinue
$null = Get-SamProfile -Name $in.name -WarningVariable +warnings -WarningAction SilentlyContinue
$consent = Invoke-SamConsent -Profile $in.name -WarningAction SilentlyContinue 6>$null
$params = Get-SamConnectParameter -Target PartnerCenter -Profile $in.name -WarningVariable +warnings -WarningAction SilentlyContinue
$option = Get-SamBridgeOption
[pscustomobject]@{
    module    = (Get-Module SamBridge).ModuleBase
    profile   = $registered.Name
    user      = $consent.User
    mfa       = $consent.Mfa
    keys      = @($params.Keys | Sort-Object)
    transport = $option.EffectiveTransport
    core      = $option.CoreCommand
    source    = $option.CoreSource
    runtime   = $option.PythonRuntimePath
    warnings  = @($warnings | ForEach-Object { [string]$_ })
} | ConvertTo-Json -Depth 4
"""


def run_module(emulator: Any, modules: Path, home: Path, name: str, **env: str) -> dict[str, Any]:
    ids, info = emulator.ids, emulator.info
    request = home / f"{name}.json"
    request.write_text(json.dumps({
        "name": name, "app": ids.public_app, "tenant": ids.partner, "customer": ids.fabrikam,
        "authority": info["authority_host"], "ca": info["ca_bundle"], "store": f"file:{home / 'secrets store.json'}",
    }))
    stop = threading.Event()
    approver = approve_next_device_code(emulator, stop)
    try:
        result = run_pwsh(SCRIPT, clean_environment(home, PSModulePath=str(modules), TEST_INPUT=str(request), **env), cwd=home)
    finally:
        stop.set()
        approver.join(10)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_wheel_carries_the_module(built_wheel: Path) -> None:
    repo_module = Path(__file__).resolve().parents[2] / "psmodule" / "SamBridge"
    expected = {p.relative_to(repo_module).as_posix() for p in repo_module.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    prefix = "sam_bridge-" + built_wheel.name.split("-")[1] + ".data/data/share/sam-bridge/psmodule/SamBridge/"
    with zipfile.ZipFile(built_wheel) as wheel:
        carried = {n[len(prefix):] for n in wheel.namelist() if n.startswith(prefix)}
    assert carried == expected


def test_from_the_wheel_to_consent_and_connect_over_both_transports(wheel_venv: Path, emulator: Any, user_home: Path, tmp_path: Path) -> None:
    modules = tmp_path / "Modules dir"
    cli = wheel_venv / "bin" / "sam-bridge"
    env = clean_environment(user_home)
    shown = subprocess.run([str(cli), "psmodule", "path"], env=env, cwd=user_home, capture_output=True, text=True, check=True)
    assert Path(shown.stdout.strip()) == wheel_venv / "share" / "sam-bridge" / "psmodule" / "SamBridge"
    installed = subprocess.run([str(cli), "psmodule", "install", "--path", str(modules), "--json"], env=env, cwd=user_home,
                               capture_output=True, text=True, check=True)
    folder = Path(json.loads(installed.stdout)["installed"][0])
    assert folder == modules / "SamBridge" / "0.1.0"
    record = json.loads((folder / "SamBridge.Core.json").read_text())
    assert record["python"] == str(wheel_venv / "bin" / "python")
    assert (Path(record["site"]) / "sam_bridge-0.1.0.dist-info").is_dir()

    # Auto with no pythonnet in the venv: the child process, and the reason said once.
    child = run_module(emulator, modules, user_home, "child")
    assert child["module"] == str(folder)
    assert child["transport"] == "ChildProcess"
    assert child["core"] == f"{wheel_venv / 'bin' / 'python'} -m bridge rpc"
    assert (child["profile"], child["user"], child["mfa"]) == ("child", emulator.ids.admin, True)
    assert "AccessToken" in child["keys"]
    fallback = [w for w in child["warnings"] if "in-process transport is not available" in w]
    assert len(fallback) == 1, child["warnings"]
    assert "Python.Runtime.dll" in fallback[0]

    # pythonnet's package layout in the venv (its wheel ships runtime/Python.Runtime.dll): found with no setting.
    site = next((wheel_venv / "lib").glob("python3*/site-packages"))
    runtime = site / "pythonnet" / "runtime"
    runtime.mkdir(parents=True)
    (site / "pythonnet" / "__init__.py").write_text("# the layout of pythonnet 3.x: runtime/Python.Runtime.dll beside this file\n")
    shutil.copy2(python_runtime_dll(), runtime / "Python.Runtime.dll")
    inproc = run_module(emulator, modules, user_home, "inproc", SAM_BRIDGE_TRANSPORT="InProcess")
    assert inproc["transport"] == "InProcess"
    assert (inproc["profile"], inproc["user"], inproc["mfa"]) == ("inproc", emulator.ids.admin, True)
    assert "AccessToken" in inproc["keys"]
    assert not [w for w in inproc["warnings"] if "in-process" in w], inproc["warnings"]
    assert inproc["runtime"] == str(runtime / "Python.Runtime.dll")


def test_the_module_inside_the_installation_runs_that_installation(wheel_venv: Path, user_home: Path) -> None:
    """Import-Module (sam-bridge psmodule path): no copy, no record; the interpreter beside share/."""
    module = wheel_venv / "share" / "sam-bridge" / "psmodule" / "SamBridge"
    script = f"Import-Module '{module}'; $null = Get-SamProfile -ErrorAction Stop; $o = Get-SamBridgeOption; $o.CoreSource; $o.CoreCommand"
    done = run_pwsh(script, clean_environment(user_home, SAM_BRIDGE_CORE_HOME=str(user_home / "none")), cwd=user_home)
    assert done.returncode == 0, done.stdout + done.stderr
    source, command = done.stdout.strip().splitlines()[-2:]
    assert source == f"the Python installation of {module}"
    assert command == f"{wheel_venv / 'bin' / 'python3'} -m bridge rpc"


def test_out_of_step_and_vanished_cores_are_said_at_import(wheel_venv: Path, user_home: Path, tmp_path: Path) -> None:
    upgraded = tmp_path / "upgraded site"  # what pip leaves after upgrading the core alone
    (upgraded / "sam_bridge-0.2.0.dist-info").mkdir(parents=True)
    folders = {}
    for name, record in (("step", {"python": str(wheel_venv / "bin" / "python"), "version": "0.1.0", "site": str(upgraded)}),
                         ("gone", {"python": str(tmp_path / "deleted venv" / "bin" / "python"), "version": "0.1.0"})):
        folder = tmp_path / name / "SamBridge" / "0.1.0"
        shutil.copytree(wheel_venv / "share" / "sam-bridge" / "psmodule" / "SamBridge", folder)
        (folder / "SamBridge.Core.json").write_text(json.dumps(record))
        folders[name] = folder
    script = (f"$step = Import-Module '{folders['step'] / 'SamBridge.psd1'}' 3>&1; Remove-Module SamBridge; "
              f"$gone = Import-Module '{folders['gone'] / 'SamBridge.psd1'}' 3>&1; "
              "@{ step = @($step | ForEach-Object { [string]$_ }); gone = @($gone | ForEach-Object { [string]$_ }) } | ConvertTo-Json")
    done = run_pwsh(script, clean_environment(user_home), cwd=user_home)
    assert done.returncode == 0, done.stdout + done.stderr
    said = json.loads(done.stdout)
    assert len(said["step"]) == 1 and "this module is 0.1.0 and its core" in said["step"][0] and "sam-bridge 0.2.0" in said["step"][0]
    assert len(said["gone"]) == 1 and "is gone" in said["gone"][0] and "deleted venv" in said["gone"][0]
