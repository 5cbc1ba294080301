"""The PowerShell module reaches the core through its documented, versioned entry (bridge.rpc),
never through a file name of the core, and its Python lives in psmodule/SamBridge/python/."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import bridge.rpc
from bridge.rpc import host

MODULE = Path(__file__).resolve().parents[2] / "psmodule" / "SamBridge"


def test_the_entry_is_versioned_and_is_the_host() -> None:
    assert bridge.rpc.IN_PROCESS_ENTRY == 1
    assert bridge.rpc.PROTOCOL_VERSION == 1
    assert bridge.rpc.start is host.start
    assert set(bridge.rpc.__all__) == {"IN_PROCESS_ENTRY", "PROTOCOL_VERSION", "start"}


def test_the_interpreter_query_reports_the_entry() -> None:
    script = (MODULE / "python" / "describe_interpreter.py").read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["bridge"] is True
    assert info["host"] == bridge.rpc.IN_PROCESS_ENTRY


def test_the_module_names_no_private_part_of_the_core() -> None:
    imported = set()
    for path in MODULE.rglob("*.ps1"):
        text = path.read_text(encoding="utf-8")
        assert "@'\nimport " not in text, f"{path} carries Python in a here-string; it belongs in python/"
        code = re.sub(r"<#.*?#>", "", text, flags=re.S)  # comment-based help
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("#"))
        imported |= set(re.findall(r"Py::Import\('([^']+)'\)", code))
        named = set(re.findall(r"[\w/.-]+\.py\b|bridge\.[\w.]+", code))
        assert named <= {"bridge.rpc", "bridge.rpc.IN_PROCESS_ENTRY", "describe_interpreter.py", "bootstrap.py"}, (path, named)
    assert imported == {"bridge.rpc"}
