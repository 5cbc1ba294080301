"""Everything the suite relies on comes from a Debian package that scripts/setup.sh installs.

A developer's machine may hold packages installed by hand (e.g. libsecret's bindings, which change
the keyring backend), and a suite that passes only there fails on a fresh clone elsewhere. So every
third-party module that bridge/, tests/ and benchmarks/ import, and every program the tests start,
must belong to a package in the dependency closure of setup.sh's DEBIAN_PACKAGES.
"""
from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# Programs the tests start by name (browser tests, the Secret Service fixture, the soak test's ps).
PROGRAMS = ("chromium", "chromedriver", "dbus-daemon", "gnome-keyring-daemon", "ps", "pgrep")
# Imported only on Python < 3.11 (tomllib is used here): never needed on Debian 12.
OLD_PYTHON_ONLY = {"tomli"}


def _setup_packages() -> list[str]:
    text = (REPO_ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    match = re.search(r"DEBIAN_PACKAGES=\((.*?)\)", text, re.S)
    assert match, "scripts/setup.sh has no DEBIAN_PACKAGES=( ... ) list"
    return match.group(1).split()


@lru_cache(maxsize=1)
def _closure() -> frozenset[str]:
    """The installed packages that DEBIAN_PACKAGES pulls in (Depends and Pre-Depends, recursively)."""
    listing = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Provides}\t${Depends}, ${Pre-Depends}\n"],
                             capture_output=True, text=True, check=True).stdout
    depends: dict[str, list[list[str]]] = {}
    providers: dict[str, set[str]] = {}
    for line in listing.splitlines():
        name, provides, deps = (line.split("\t") + ["", ""])[:3]
        depends[name] = [[_bare(alt) for alt in group.split("|")] for group in deps.split(",") if group.strip()]
        for virtual in provides.split(","):
            if virtual.strip():
                providers.setdefault(_bare(virtual), set()).add(name)
    seen: set[str] = set()
    todo = list(_setup_packages())
    while todo:
        name = todo.pop()
        for real in ({name} if name in depends else providers.get(name, set())):
            if real not in seen:
                seen.add(real)
                for group in depends[real]:
                    todo.extend(group)  # every installed alternative counts (any one satisfies apt)
    return frozenset(seen)


def _bare(spec: str) -> str:
    return spec.strip().split(" ")[0].split(":")[0]


def _owner(path: Path) -> str | None:
    """The Debian package owning a file (trying the /usr-merged twin of /bin and /lib paths)."""
    resolved = path.resolve()
    candidates = {str(path), str(resolved)}
    for p in list(candidates):
        if p.startswith("/usr/"):
            candidates.add(p[4:])
    for candidate in sorted(candidates):
        done = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.split(":")[0].strip()
    return None


def _third_party_imports() -> set[str]:
    local = {"bridge", "tests", "benchmarks"}
    names: set[str] = set()
    for root in ("bridge", "tests", "benchmarks"):
        for path in (REPO_ROOT / root).rglob("*.py"):
            local.add(path.stem)  # sibling scripts imported by name (benchmarks/_setup.py, ...)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in local and n not in OLD_PYTHON_ONLY}


def test_every_imported_module_comes_from_a_package_setup_installs() -> None:
    closure = _closure()
    problems = []
    for name in sorted(_third_party_imports()):
        spec = importlib.util.find_spec(name)
        origin = spec and (spec.origin if spec.origin not in (None, "namespace") else next(iter(spec.submodule_search_locations or []), None))
        if not origin:
            problems.append(f"{name}: imported but not installed")
            continue
        owner = _owner(Path(origin))
        if owner is None:
            problems.append(f"{name}: {origin} belongs to no Debian package (installed by pip or by hand?)")
        elif owner not in closure:
            problems.append(f"{name}: from Debian package {owner}, which scripts/setup.sh does not install")
    assert not problems, "\n".join(problems)


def test_every_program_the_tests_start_comes_from_a_package_setup_installs() -> None:
    closure = _closure()
    problems = []
    for program in PROGRAMS:
        found = shutil.which(program)
        owner = _owner(Path(found)) if found else None
        if owner is None or owner not in closure:
            problems.append(f"{program}: {found or 'not on PATH'} (package {owner or 'none'}) is not installed by scripts/setup.sh")
    assert not problems, "\n".join(problems)


def test_the_closure_is_computed_from_the_list() -> None:
    """The check can fail: a package outside the list (libsecret's bindings) is not in the closure."""
    closure = _closure()
    assert "python3-keyring" in closure and "python3-secretstorage" in closure  # a listed one and a dependency
    assert "gir1.2-secret-1" not in closure
