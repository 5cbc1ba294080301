"""`make dist` (scripts/dist.sh): the wheel, the sdist and the PowerShell Gallery package.

The package is built by PSResourceGet (the gallery's client) from the manifest; here it is read
back (its .nuspec against the manifest's PSData), checked with Test-ModuleManifest, extracted
and imported by a fresh pwsh that has no core: the module says what to run, Install-SamBridgeCore
installs the wheel the package carries into a private venv, and the next cmdlet runs it. The
py launcher route is the Windows one, with a stand-in launcher (a script named py) on PATH.
"""
from __future__ import annotations

import json
import subprocess
import tarfile
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from .conftest import REPO, clean_environment, make_venv, run_pwsh

pytestmark = pytest.mark.slow
NUSPEC = "{http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd}"
PACKAGING = ("_rels/", "package/", "[Content_Types].xml", "SamBridge.nuspec")


def manifest_data() -> dict[str, Any]:
    script = "Import-PowerShellDataFile -LiteralPath psmodule/SamBridge/SamBridge.psd1 | ConvertTo-Json -Depth 5"
    done = subprocess.run([str(REPO / ".tools" / "pwsh"), "-NoProfile", "-NonInteractive", "-Command", script],
                          cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def extract_module(package: Path, modules: Path) -> Path:
    """The package as Install-PSResource lays it out: Modules/SamBridge/<version>/, NuGet's own files left out."""
    with zipfile.ZipFile(package) as archive:
        version = ElementTree.fromstring(archive.read("SamBridge.nuspec")).find(f"{NUSPEC}metadata/{NUSPEC}version").text
        folder = modules / "SamBridge" / version
        for name in archive.namelist():
            if not name.startswith(PACKAGING):
                archive.extract(name, folder)
    return folder


def test_three_artefacts_and_the_package_metadata_is_the_manifest(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    assert names == ["SamBridge.0.1.0.nupkg", "sam-bridge-0.1.0.tar.gz", "sam_bridge-0.1.0-py3-none-any.whl"]
    with tarfile.open(dist / "sam-bridge-0.1.0.tar.gz") as sdist:
        assert "sam-bridge-0.1.0/psmodule/SamBridge/SamBridge.psd1" in sdist.getnames()
    psdata = manifest_data()["PrivateData"]["PSData"]
    with zipfile.ZipFile(dist / "SamBridge.0.1.0.nupkg") as package:
        meta = ElementTree.fromstring(package.read("SamBridge.nuspec")).find(f"{NUSPEC}metadata")
        carried = package.read("wheel/sam_bridge-0.1.0-py3-none-any.whl")
        assert "SamBridge.psd1" in package.namelist()  # the manifest at the root, as the gallery wants
    field = {child.tag[len(NUSPEC):]: child.text for child in meta}
    assert field["id"] == "SamBridge" and field["version"] == "0.1.0"
    assert field["projectUrl"] == psdata["ProjectUri"]
    assert field["licenseUrl"] == psdata["LicenseUri"]
    assert field["releaseNotes"] == psdata["ReleaseNotes"]
    assert set(psdata["Tags"]) <= set(field["tags"].split())
    assert carried == (dist / "sam_bridge-0.1.0-py3-none-any.whl").read_bytes()


def test_extracted_package_passes_test_module_manifest_and_installs_its_core(dist: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    modules = tmp_path / "Modules"
    folder = extract_module(dist / "SamBridge.0.1.0.nupkg", modules)
    venv = tmp_path / "private core"
    script = r"""
$ErrorActionPreference = 'Stop'
$WarningPreference = 'SilentlyContinue'
$manifest = Test-ModuleManifest -Path (Join-Path -Path $env:TEST_FOLDER -ChildPath 'SamBridge.psd1')
Import-Module SamBridge
$before = $null
try { $null = Get-SamProfile } catch { $before = $_ }
$installed = Install-SamBridgeCore -Python /usr/bin/python3 -SystemSitePackages -PipArgument '--no-deps', '--no-index' -Confirm:$false
$profiles = @(Get-SamProfile)
$option = Get-SamBridgeOption
[pscustomobject]@{
    version     = $manifest.Version.ToString()
    exported    = @($manifest.ExportedFunctions.Keys | Sort-Object)
    errorId     = $before.FullyQualifiedErrorId
    remediation = [string]$before.ErrorDetails.RecommendedAction
    installed   = $installed
    profiles    = $profiles.Count
    source      = $option.CoreSource
    core        = $option.CoreCommand
} | ConvertTo-Json -Depth 4
"""
    env = clean_environment(home, PSModulePath=str(modules), TEST_FOLDER=str(folder), SAM_BRIDGE_CORE_HOME=str(venv))
    done = run_pwsh(script, env, cwd=home)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["version"] == "0.1.0"
    assert "Install-SamBridgeCore" in result["exported"]
    assert result["errorId"].startswith("SamBridge.CoreNotFound")
    assert "Install-SamBridgeCore" in result["remediation"]
    assert result["installed"]["Version"] == "0.1.0" and result["installed"]["Python"] == str(venv / "bin" / "python3")
    assert result["profiles"] == 0
    assert result["source"] == "Install-SamBridgeCore"
    assert result["core"] == f"{venv / 'bin' / 'python3'} -m bridge rpc"


def test_a_copy_without_record_finds_the_core_through_the_py_launcher(dist: Path, wheel_venv: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    modules = tmp_path / "Modules"
    extract_module(dist / "SamBridge.0.1.0.nupkg", modules)
    launcher = tmp_path / "launcher"
    launcher.mkdir()
    # A stand-in for Windows' py.exe: `py -3 ...` runs the Python 3 it would pick.
    (launcher / "py").write_text(f'#!/bin/sh\n[ "$1" = "-3" ] && shift\nexec "{wheel_venv / "bin" / "python"}" "$@"\n')
    (launcher / "py").chmod(0o755)
    script = "Import-Module SamBridge; $null = Get-SamProfile -ErrorAction Stop; $o = Get-SamBridgeOption; $o.CoreSource; $o.CoreCommand"
    done = run_pwsh(script, clean_environment(home, PSModulePath=str(modules), PATH_PREFIX=str(launcher),
                                              SAM_BRIDGE_CORE_HOME=str(tmp_path / "none")), cwd=home)
    assert done.returncode == 0, done.stdout + done.stderr
    source, command = done.stdout.strip().splitlines()[-2:]
    assert source == "the py launcher, python3 or python on PATH"
    assert command == f"{wheel_venv / 'bin' / 'python'} -m bridge rpc"
