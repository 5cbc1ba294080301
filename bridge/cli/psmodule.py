"""`sam-bridge psmodule ...`: the SamBridge PowerShell module that came with this core.

The wheel carries the module as data (pyproject.toml, under <prefix>/share/sam-bridge/psmodule);
an editable install uses the checkout's psmodule/. `install` copies it into a PSModulePath folder
as SamBridge/<version>/ and writes beside its manifest the record of the interpreter it came
with (CORE_RECORD), which the module reads at import: no further configuration is needed.
This is packaging of the PowerShell edge, stdlib only; no core service is involved.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import sysconfig
from pathlib import Path
from typing import Mapping, Optional

import typer

from .._core.errors import InvalidInputError, NotAvailableError
from .._version import __version__
from .app import JSON_OPTION, _emit, app

MODULE_NAME = "SamBridge"
# Written beside the installed manifest; read by the module's Get-SamInstalledCore.ps1.
CORE_RECORD = "SamBridge.Core.json"
SCOPES = ("CurrentUser", "AllUsers")

psmodule_app = typer.Typer(help="The SamBridge PowerShell module that came with this core.", no_args_is_help=True)
app.add_typer(psmodule_app, name="psmodule")


def module_source() -> Path:
    """The SamBridge module folder of this installation: the checkout's (editable) or the wheel's."""
    package = Path(__file__).resolve().parents[1]
    candidates = [
        package.parent / "psmodule" / MODULE_NAME,  # a checkout (editable install, python -m bridge)
        Path(sysconfig.get_path("data")) / "share" / "sam-bridge" / "psmodule" / MODULE_NAME,
        Path(sys.prefix) / "share" / "sam-bridge" / "psmodule" / MODULE_NAME,
    ]
    user_data = sysconfig.get_path("data", f"{os.name}_user") if f"{os.name}_user" in sysconfig.get_scheme_names() else None
    if user_data:  # pip install --user
        candidates.append(Path(user_data) / "share" / "sam-bridge" / "psmodule" / MODULE_NAME)
    for candidate in candidates:
        if (candidate / f"{MODULE_NAME}.psd1").is_file():
            return candidate
    raise NotAvailableError(
        "this sam-bridge installation has no PowerShell module (looked in "
        + ", ".join(str(c) for c in candidates) + ").",
        remediation="Reinstall sam-bridge from its wheel (pip install --force-reinstall sam-bridge).",
    )


def module_roots(scope: str, *, windows: bool, env: Mapping[str, str], home: Path) -> list[Path]:
    """The PSModulePath folders a scope installs into, as PowerShell 7 and Windows PowerShell 5.1 read them.

    On Windows both editions get a copy (the module runs on both; each reads its own folder).
    """
    if scope not in SCOPES:
        raise InvalidInputError(f"--scope is '{scope}', which is not a scope.", remediation="Use CurrentUser or AllUsers.")
    if windows:
        if scope == "CurrentUser":
            # USERPROFILE\Documents; where OneDrive moved Documents, use --path (docs/DEPLOY.md).
            documents = Path(env.get("USERPROFILE") or home) / "Documents"
            return [documents / "PowerShell" / "Modules", documents / "WindowsPowerShell" / "Modules"]
        program_files = Path(env.get("ProgramFiles") or env.get("PROGRAMFILES") or r"C:\Program Files")
        return [program_files / "PowerShell" / "Modules", program_files / "WindowsPowerShell" / "Modules"]
    if scope == "CurrentUser":
        data = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
        return [data / "powershell" / "Modules"]
    return [Path("/usr/local/share/powershell/Modules")]


def manifest_version(source: Path) -> str:
    """ModuleVersion of the module's manifest (one line of the .psd1; no PowerShell needed)."""
    for line in (source / f"{MODULE_NAME}.psd1").read_text(encoding="utf-8-sig").splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "ModuleVersion":
            return value.strip().strip("'\"")
    raise NotAvailableError(f"{source / (MODULE_NAME + '.psd1')} has no ModuleVersion.")


def core_record() -> dict[str, str]:
    """What the installed module needs to run this core: its interpreter and version."""
    record = {"python": sys.executable, "version": __version__}
    try:  # where pip keeps its sam_bridge-VERSION.dist-info: the module sees an upgrade there
        from importlib.metadata import PackageNotFoundError, distribution

        site = Path(str(distribution("sam-bridge").locate_file(""))).resolve()
        if list(site.glob("sam_bridge-*.dist-info")):
            record["site"] = str(site)
    except (ImportError, PackageNotFoundError):
        pass  # run from a checkout without an install: the recorded version is all there is
    return record


def install_module(root: Path, source: Optional[Path] = None) -> Path:
    """Copy the module to ROOT/SamBridge/<version>/ (replacing that version only); returns the folder."""
    source = source or module_source()
    version = manifest_version(source)
    target = root / MODULE_NAME / version
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", CORE_RECORD))
    # Written last: a module without its record would fall back to searching for a core.
    record = target / CORE_RECORD
    record.write_text(json.dumps(core_record(), indent=2) + "\n", encoding="utf-8")
    return target


@psmodule_app.command("path")
def psmodule_path(json_out: bool = JSON_OPTION) -> None:
    """Print the folder of the module that came with this core (Import-Module takes it as it is)."""
    source = module_source()
    if json_out:
        _emit({"path": str(source), "version": manifest_version(source), "core_version": __version__})
    else:
        typer.echo(str(source))


@psmodule_app.command("install")
def psmodule_install(
    scope: str = typer.Option("CurrentUser", "--scope", help="CurrentUser or AllUsers: the PSModulePath folder(s) of that scope."),
    path: Optional[Path] = typer.Option(None, "--path", help="Install into this folder instead (put it on PSModulePath)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Copy the module into a PSModulePath folder; it will run this core with no further configuration."""
    if path is not None:
        roots = [path.expanduser().resolve()]
    else:
        roots = module_roots(scope, windows=os.name == "nt", env=os.environ, home=Path.home())
    source = module_source()
    installed = []
    for root in roots:
        try:
            installed.append(install_module(root, source))
        except PermissionError as exc:
            raise NotAvailableError(
                f"cannot write the module to {root}: {exc.strerror}.",
                remediation="Run as an administrator (root) for --scope AllUsers, or use --scope CurrentUser or --path.",
            ) from None
    if json_out:
        _emit({"installed": [str(p) for p in installed], "version": manifest_version(source), "python": sys.executable})
        return
    for folder in installed:
        typer.echo(f"installed SamBridge {manifest_version(source)} in {folder}")
    if manifest_version(source) != __version__:
        typer.echo(f"warning: the module is {manifest_version(source)}, this core {__version__}.", err=True)
