"""The views package: the dependency rule, lazy heavy imports, the public API and the style module."""

from __future__ import annotations

import ast
from pathlib import Path

import nutssim.views as views
from nutssim.views import styles

VIEWS = Path(views.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_views_never_import_parties_network_or_simulation() -> None:
    for path in VIEWS.glob("*.py"):
        forbidden = {
            m
            for m in imported_modules(path)
            if m.startswith(("nutssim.parties", "nutssim.network", "nutssim.simulation"))
        }
        assert not forbidden, (
            f"{path.name} imports {forbidden} (ARCHITECTURE principle 10: views read traces)"
        )


def test_pyplot_and_ipywidgets_are_imported_only_when_drawn_or_shown() -> None:
    heavy = ("matplotlib", "ipywidgets", "IPython")
    for path in VIEWS.glob("*.py"):
        if path.name == "player_ui.py":  # imported by Player.widget only
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = set()
        for node in tree.body:
            if isinstance(node, ast.Import):
                top.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                top.add(node.module)
        assert not {m for m in top if m.startswith(heavy)}, (
            f"{path.name} imports a GUI library at import time"
        )


def test_public_api_is_sorted_and_importable() -> None:
    assert views.__all__ == sorted(views.__all__)
    for name in views.__all__:
        assert getattr(views, name) is not None


def test_every_role_has_a_distinct_colour_and_failures_have_their_own() -> None:
    roles = ("node", "ehr", "resource_server", "issuer", "browser", "attacker")
    colours = [styles.role_colour(r) for r in roles]
    assert len(set(colours)) == len(colours)
    assert styles.FAIL not in colours
    assert styles.role_colour("something-new") == styles.GREY
    assert styles.tint("#000000", 0.5) == "#808080"
