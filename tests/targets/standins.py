"""PowerShell stand-ins for the Connect-* cmdlets, generated from tests/data/connect-cmdlets.json.

Each stand-in is an advanced function with the real cmdlet's parameter sets, .NET types, mandatory
flags, positions, aliases and validation attributes, inside an on-disk module with the real module's
name and version (so module-qualified calls and `Get-Module` see what they would see in real life).
It does nothing but report what bound: the parameter set and each bound parameter's runtime type and
value. Types of the real modules that cannot be loaded here (their enums, interfaces) become [string]
(with a ValidateSet of the documented values) or [object]; a comment in the function says so.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

DATA = Path(__file__).resolve().parent.parent / "data" / "connect-cmdlets.json"

# Validation attributes as the reference writes them -> PowerShell.
_ATTRIBUTES = {
    "ValidateNotNullOrEmpty": "[ValidateNotNullOrEmpty()]",
    "ValidateNotNull": "[ValidateNotNull()]",
    "ValidateRange(-1, int.MaxValue)": "[ValidateRange(-1, 2147483647)]",
    "ValidatePattern(GUID)": "[ValidatePattern('^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$')]",
}
_INTERFACE = re.compile(r"(^|\.)I[A-Z][A-Za-z]+$")

# Reports what bound. A SecureString goes back to text only here, so the test can read the token's audience.
REPORT_FUNCTION = r"""
function Get-StandInReport {
    param([string]$StandIn, [string]$Cmdlet, [string]$SetName, $Bound)
    $parameters = [ordered]@{}
    foreach ($name in $Bound.Keys) {
        $value = $Bound[$name]
        if ($null -eq $value) {
            $parameters[$name] = [ordered]@{ type = $null; value = $null }
            continue
        }
        $shown = $value
        if ($value -is [System.Security.SecureString]) {
            $shown = (New-Object System.Management.Automation.PSCredential('standin', $value)).GetNetworkCredential().Password
        } elseif ($value -is [System.Management.Automation.SwitchParameter]) {
            $shown = $value.IsPresent
        }
        $parameters[$name] = [ordered]@{ type = $value.GetType().FullName; value = $shown }
    }
    [pscustomobject]@{ standin = $StandIn; cmdlet = $Cmdlet; parameter_set = $SetName; parameters = $parameters }
}
"""


@dataclass
class Param:
    """One parameter of a stand-in, merged over the sets it belongs to."""

    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    accepted_values: list[str] = field(default_factory=list)
    # set name (None = all sets) -> (mandatory, position, value_from_pipeline)
    sets: dict[str | None, tuple[bool, int | None, bool]] = field(default_factory=dict)
    dont_show: bool = False


@dataclass
class StandIn:
    id: str
    module: str
    module_version: str
    cmdlet: str
    supports_should_process: bool
    default_parameter_set: str | None
    parameters: list[Param]
    set_names: list[str]
    reference: str

    @property
    def qualified(self) -> str:
        return f"{self.module}\\{self.cmdlet}"


def _merge(params: dict[str, Param], raw: dict[str, Any], set_name: str | None) -> None:
    p = params.get(raw["name"])
    if p is None:
        p = params[raw["name"]] = Param(raw["name"], raw["type"])
    elif p.type != raw["type"]:
        raise ValueError(f"{raw['name']}: type {raw['type']} in {set_name} but {p.type} elsewhere")
    for alias in raw.get("aliases", []):
        if alias not in p.aliases:
            p.aliases.append(alias)
    for attr in raw.get("attributes", []):
        if attr not in p.attributes:
            p.attributes.append(attr)
    p.accepted_values = p.accepted_values or list(raw.get("accepted_values", []))
    p.dont_show = p.dont_show or bool(raw.get("dont_show"))
    p.sets[set_name] = (bool(raw["mandatory"]), raw.get("position"), bool(raw.get("value_from_pipeline")))


def load_standins(path: Path = DATA) -> dict[str, StandIn]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, StandIn] = {}
    for s in data["standins"]:
        params: dict[str, Param] = {}
        for set_name, raw_params in s["parameter_sets"].items():
            for raw in raw_params:
                _merge(params, raw, set_name)
        for raw in s["all_sets"]:
            _merge(params, raw, None)
        out[s["id"]] = StandIn(
            id=s["id"],
            module=s["module"],
            module_version=s["module_version"],
            cmdlet=s["cmdlet"],
            supports_should_process=s["supports_should_process"],
            default_parameter_set=s["default_parameter_set"],
            parameters=list(params.values()),
            set_names=list(s["parameter_sets"]),
            reference=s["reference"],
        )
    return out


def _ps(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _type_lines(p: Param) -> list[str]:
    """The type constraint (and, for stand-in types, why it is not the real one)."""
    if p.type.startswith("System."):
        return [f"[{p.type}]"]
    real = p.type.split(" (")[0]
    if _INTERFACE.search(real):
        return [f"# {real} is an interface of the real module, not loadable here: [object] stands in.", "[object]"]
    lines = [f"# {real} is an enum of the real module, not loadable here: [string] stands in."]
    if p.accepted_values:
        lines.append("[ValidateSet(" + ", ".join(_ps(v) for v in p.accepted_values) + ")]")
    return lines + ["[string]"]


def function_source(s: StandIn) -> str:
    binding = []
    if s.supports_should_process:
        binding.append("SupportsShouldProcess = $true")
    if s.default_parameter_set:
        binding.append(f"DefaultParameterSetName = {_ps(s.default_parameter_set)}")
    lines = [
        f"function {s.cmdlet} {{",
        f"    # Stand-in for {s.module} {s.module_version} {s.cmdlet} (tests/data/connect-cmdlets.json, {s.reference}).",
        f"    [CmdletBinding({', '.join(binding)})]",
        "    param(",
    ]
    blocks = []
    for p in s.parameters:
        block: list[str] = []
        for set_name, (mandatory, position, pipeline) in p.sets.items():
            args = [f"Mandatory = ${str(mandatory).lower()}"]
            if set_name is not None:
                args.append(f"ParameterSetName = {_ps(set_name)}")
            if position is not None:
                args.append(f"Position = {int(position)}")
            if pipeline:
                args.append("ValueFromPipeline = $true")
            if p.dont_show:
                args.append("DontShow = $true")
            block.append(f"[Parameter({', '.join(args)})]")
        if p.aliases:
            block.append("[Alias(" + ", ".join(_ps(a) for a in p.aliases) + ")]")
        for attr in p.attributes:
            if attr not in _ATTRIBUTES:
                raise ValueError(f"{s.id} {p.name}: no PowerShell form known for attribute {attr!r}")
            block.append(_ATTRIBUTES[attr])
        block += _type_lines(p)
        block.append(f"${p.name}")
        blocks.append("\n".join("        " + line for line in block))
    lines.append(",\n".join(blocks))
    lines += [
        "    )",
        f"    Get-StandInReport -StandIn {_ps(s.id)} -Cmdlet {_ps(s.cmdlet)} -SetName $PSCmdlet.ParameterSetName -Bound $PSBoundParameters",
        "}",
    ]
    return "\n".join(lines) + "\n"


def write_modules(root: Path, standins: Iterable[StandIn]) -> dict[str, Path]:
    """Write one module per (name, version) under root/NAME/VERSION; returns stand-in id -> manifest."""
    groups: dict[tuple[str, str], list[StandIn]] = {}
    for s in standins:
        groups.setdefault((s.module, s.module_version), []).append(s)
    manifests: dict[str, Path] = {}
    for (module, version), members in groups.items():
        folder = root / module / version
        folder.mkdir(parents=True, exist_ok=True)
        functions = [s.cmdlet for s in members]
        psm1 = REPORT_FUNCTION + "\n" + "\n".join(function_source(s) for s in members)
        psm1 += "\nExport-ModuleMember -Function " + ", ".join(_ps(f) for f in functions) + "\n"
        (folder / f"{module}.psm1").write_text(psm1, encoding="utf-8")
        manifest = folder / f"{module}.psd1"
        manifest.write_text(
            "@{\n"
            f"    RootModule = {_ps(module + '.psm1')}\n"
            f"    ModuleVersion = {_ps(version)}\n"
            f"    GUID = {_ps(str(uuid.uuid5(uuid.NAMESPACE_URL, 'sam-bridge-standin:' + module)))}\n"
            "    Author = 'sam-bridge tests'\n"
            "    Description = 'Stand-in for the binding tests: the real parameter sets, no behaviour.'\n"
            "    PowerShellVersion = '5.1'\n"
            "    FunctionsToExport = @(" + ", ".join(_ps(f) for f in functions) + ")\n"
            "    CmdletsToExport = @()\n"
            "    VariablesToExport = @()\n"
            "    AliasesToExport = @()\n"
            "}\n",
            encoding="utf-8",
        )
        for s in members:
            manifests[s.id] = manifest
    return manifests
