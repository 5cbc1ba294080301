"""Fixtures of the distribution tests: the wheel built from this checkout, a clean virtual
environment made from it (outside the checkout, so nothing of it is on sys.path), and an
environment for a fresh pwsh that has no sam-bridge configuration at all."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable

import pytest

REPO = Path(__file__).resolve().parents[2]
PWSH = REPO / ".tools" / "pwsh"
NUGET = REPO / ".tools" / "nuget"


def python_runtime_dll() -> Path:
    """Python.Runtime.dll of the NuGet package pythonnet (scripts/setup-ps.sh restores it)."""
    found = sorted(NUGET.glob("pythonnet/*/lib/netstandard2.0/Python.Runtime.dll"))
    if not found:
        pytest.skip("pythonnet's Python.Runtime.dll is not restored (bash scripts/setup-ps.sh)")
    return found[-1]


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make dist` of this checkout (scripts/dist.sh): the wheel, the sdist and the .nupkg, built once."""
    out = tmp_path_factory.mktemp("dist") / "dist"
    subprocess.run(["bash", str(REPO / "scripts" / "dist.sh"), str(out)], check=True, capture_output=True, text=True, cwd=REPO)
    return out


@pytest.fixture(scope="session")
def built_wheel(dist: Path) -> Path:
    return next(dist.glob("sam_bridge-*.whl"))


def make_venv(path: Path, wheel: Path) -> Path:
    """A venv of Debian's python3 (its site packages give the dependencies) with only the wheel installed."""
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(path)], check=True, cwd=path.parent)
    subprocess.run([str(path / "bin" / "python"), "-m", "pip", "install", "--quiet", "--isolated", "--no-deps", "--no-index", str(wheel)],
                   check=True, cwd=path.parent, capture_output=True, text=True)
    return path


@pytest.fixture(scope="session")
def wheel_venv(built_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_venv(tmp_path_factory.mktemp("clean") / "venv", built_wheel)


def clean_environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a user who installed nothing but the wheel: no SAM_BRIDGE_* variable,
    no checkout or worktree venv on PATH, a home of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAM_BRIDGE_") and k not in ("PYTHONPATH", "VIRTUAL_ENV", "PSModulePath")}
    # The system's PATH (and dotnet, which runs pwsh): no worktree venv, no pyenv shims.
    system = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
    dotnet = shutil.which("dotnet")
    if dotnet:
        system.append(str(Path(dotnet).resolve().parent))
    env["PATH"] = os.pathsep.join(extra.pop("PATH_PREFIX", "").split(os.pathsep) + system).strip(os.pathsep)
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    env["XDG_DATA_HOME"] = str(home / ".local" / "share")
    env["XDG_CACHE_HOME"] = str(home / ".cache")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def run_pwsh(script: str, env: dict[str, str], cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PWSH), "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", script],
                          env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def user_home(tmp_path: Path) -> Iterable[Path]:
    home = tmp_path / "home with spaces"  # Windows profiles and Program Files have them
    home.mkdir()
    yield home
