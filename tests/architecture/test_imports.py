"""Imports in bridge/ flow one way (docs/ARCHITECTURE.md): every import, including those inside
functions, is read from the source with ast, so a cycle closed only at run time fails here too."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

BRIDGE = Path(__file__).resolve().parents[2] / "bridge"

# Lowest first. A module may import its own layer (without a cycle) and the layers below it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", ("bridge._version", "bridge._core")),
    ("auth", ("bridge._auth",)),
    ("stores", ("bridge._stores",)),
    ("config", ("bridge._config",)),
    ("services", ("bridge._services",)),
    ("targets", ("bridge._targets",)),
    ("facade", ("bridge._api",)),
    ("public", ("bridge",)),  # bridge/__init__.py: the public names, re-exported lazily
    ("edges", ("bridge.cli", "bridge.rpc", "bridge._entry", "bridge.__main__")),
)
EMULATOR = "bridge.emulator"
# What an edge may import from the product: the facade and the stdlib-only core (errors to
# translate, scrubbing for output), besides the other modules of its own edge.
EDGE_MAY_IMPORT = ("core", "facade", "public")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(BRIDGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path) -> set[str]:
    """Every bridge module `path` imports, at any depth (functions, try blocks), except the
    annotations-only block under `if TYPE_CHECKING:`, which never runs."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    known = {_module_name(p) for p in BRIDGE.rglob("*.py")}
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "bridge")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "bridge":
                found.add(target)
                for alias in node.names:  # `from . import errors` imports the module bridge._core.errors
                    if f"{target}.{alias.name}" in known:
                        found.add(f"{target}.{alias.name}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    found.discard(name)
    return found


def layer_of(module: str) -> str | None:
    """The layer of a product module (None for the emulator), by the longest matching prefix."""
    if module == EMULATOR or module.startswith(EMULATOR + "."):
        return None
    best, best_len = None, -1
    for layer, prefixes in LAYERS:
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = layer, len(prefix)
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS and docs/ARCHITECTURE.md")
    return best


RANK = {layer: i for i, (layer, _) in enumerate(LAYERS)}


def graph() -> dict[str, set[str]]:
    return {_module_name(p): imports_of(p) for p in sorted(BRIDGE.rglob("*.py"))}


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, targets in sorted(edges.items()):
        source = layer_of(module)
        if source is None:
            continue
        for target in sorted(targets):
            wanted = layer_of(target)
            if wanted is None:
                continue  # the emulator rule below
            if RANK[wanted] > RANK[source]:
                problems.append(f"{module} ({source}) imports {target} ({wanted}), a layer above it")
            elif source == "edges" and wanted != "edges" and wanted not in EDGE_MAY_IMPORT:
                problems.append(f"{module} (an edge) imports {target} ({wanted}): edges call bridge._api")
    return problems


def emulator_crossings(edges: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, targets in sorted(edges.items()):
        inside = layer_of(module) is None
        for target in sorted(targets):
            if inside and layer_of(target) is not None:
                problems.append(f"{module} (emulator) imports the product's {target}")
            elif not inside and layer_of(target) is None and layer_of(module) != "edges":
                problems.append(f"{module} ({layer_of(module)}) imports the emulator's {target}; only edges may")
    return problems


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of modules larger than one (Tarjan), as sorted lists."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in edges:
                continue
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def _parents_excluded(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    # Importing `bridge._core.errors` runs bridge/_core/__init__.py first; a package's own
    # __init__ importing its submodules is not a cycle with them, so a module's import of its
    # parent packages is not counted.
    return {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in edges.items()}


def test_every_module_is_in_a_layer() -> None:
    for module in graph():
        layer_of(module)


def test_imports_go_down_only() -> None:
    assert upward_imports(graph()) == []


def test_no_import_cycle() -> None:
    assert cycles(_parents_excluded(graph())) == []


def test_the_emulator_stands_alone() -> None:
    assert emulator_crossings(graph()) == []


# The checks themselves must be able to fail: each gets a graph with one planted mistake.
@pytest.mark.parametrize("module, target, check", [
    ("bridge._core.errors", "bridge._services.exchange", upward_imports),
    ("bridge._auth.client", "bridge._config", upward_imports),
    ("bridge.rpc.core", "bridge._services.exchange", upward_imports),
    ("bridge.emulator._state", "bridge._core.scrub", emulator_crossings),
    ("bridge._services.exchange", "bridge.emulator", emulator_crossings),
])
def test_a_planted_wrong_import_is_found(module: str, target: str, check) -> None:  # type: ignore[no-untyped-def]
    edges = graph()
    assert module in edges and target in edges
    edges[module] = edges[module] | {target}
    assert any(module in p and target in p for p in check(edges))


def test_a_planted_cycle_is_found() -> None:
    edges = graph()
    edges["bridge._core.scrub"] = edges["bridge._core.scrub"] | {"bridge._core.log"}
    assert ["bridge._core.log", "bridge._core.scrub"] in cycles(_parents_excluded(edges))


def test_imports_inside_functions_are_seen() -> None:
    # bridge/rpc/protocol.py loads its handler modules inside a function.
    assert "bridge.rpc.core" in imports_of(BRIDGE / "rpc" / "protocol.py")
