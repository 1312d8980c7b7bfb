"""The package's layers point one way and hold no import circle (ARCHITECTURE principle 10).

Every module of ``nutssim`` belongs to one layer; a module may import its own layer or those
below it, never one above. Imports under ``if TYPE_CHECKING:`` count too: a type-only
upward import is still a dependency the wrong way. ``KNOWN`` lists what the code does today
against the rule, so a new violation fails and a fixed one must be struck from the list.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "nutssim"

#: Layer of each top-level module or package, lowest first (ARCHITECTURE principle 10).
LAYERS: dict[str, int] = {
    **dict.fromkeys(
        ["clock", "rng", "causes", "errors", "limits", "messages", "trace", "stores", "profiles"], 0
    ),
    **dict.fromkeys(["jose", "models"], 1),
    "specs": 2,
    "parties": 3,
    **dict.fromkeys(["network", "wire", "simulation"], 4),
    **dict.fromkeys(["scenarios", "catalogue", "sweep", "trust", "lint", "timelapse"], 5),
    **dict.fromkeys(["views", "terminal"], 6),
    **dict.fromkeys(["inspection", "cli", "__main__", "__init__"], 7),
}

#: Violations on main today, each with the issue that removes it. Strike a line when it is fixed.
#: (None are left: keep it so.)
KNOWN_UPWARD: set[tuple[str, str]] = set()
KNOWN_CIRCLES: set[frozenset[str]] = set()


def module_name(path: Path) -> str:
    """``nutssim/specs/pex/match.py`` → ``nutssim.specs.pex.match``."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The nutssim modules ``path`` imports (``from pkg import mod`` counts as ``pkg.mod``)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            subs = {f"{target}.{alias.name}" for alias in node.names} & modules
            found |= subs or {target}
    return {m for m in found if m in modules and m != name}


def import_graph() -> nx.DiGraph:
    """Module → module edges for the whole package."""
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for path in paths:
        graph.add_edges_from((module_name(path), target) for target in imports_of(path, modules))
    return graph


def layer_of(module: str) -> int:
    """The layer of a module, by its top-level name."""
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else "__init__"]


def test_every_module_has_a_layer():
    unplaced = sorted({m.split(".")[1] for m in import_graph() if "." in m} - set(LAYERS))
    assert not unplaced, f"give these a layer in LAYERS (and ARCHITECTURE principle 10): {unplaced}"


def test_no_import_points_up_a_layer():
    upward = {(a, b) for a, b in import_graph().edges if layer_of(a) < layer_of(b)}
    assert upward == KNOWN_UPWARD, (
        f"new: {sorted(upward - KNOWN_UPWARD)}; "
        f"fixed (strike from KNOWN_UPWARD): {sorted(KNOWN_UPWARD - upward)}"
    )


def test_no_import_circle():
    circles = {frozenset(c) for c in nx.strongly_connected_components(import_graph()) if len(c) > 1}
    assert circles == KNOWN_CIRCLES, (
        f"new: {[sorted(c) for c in circles - KNOWN_CIRCLES]}; "
        f"fixed (strike from KNOWN_CIRCLES): {[sorted(c) for c in KNOWN_CIRCLES - circles]}"
    )
