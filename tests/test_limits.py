"""Limits in one place (issue #18 item 2): one table, every ``MAX_*`` constant in it, docs/LIMITS.md from it.

A ``MAX_*`` name bound at module level anywhere in ``nutssim`` must be a row of
``nutssim.limits.TABLE`` (by ``where``) with the same value, or be one of ``NOT_LIMITS``; so
must every integer field of a ``*Limits`` dataclass. A local definition (not an import from
``nutssim.limits``) is allowed only in ``PENDING_IMPORT``: modules another engineer was
editing when the table was made; strike a line when its import is switched.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import json
import re
from pathlib import Path

import pytest

from nutssim import limits
from nutssim.cli import main

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "nutssim"
_LIMIT_NAME = re.compile(r"^_?MAX_")
#: Modules still defining their limit locally (same value as the table); the lead switches them.
PENDING_IMPORT: set[str] = set()


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _bindings() -> dict[str, str]:
    """``module.NAME`` → ``"assigned"`` or ``"imported"`` for every module-level ``MAX_*`` name."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module(path)
        if module == "nutssim.limits":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and _LIMIT_NAME.match(target.id):
                        found[f"{module}.{target.id}"] = "assigned"
            elif isinstance(node, ast.ImportFrom) and node.module == "nutssim.limits":
                for alias in node.names:
                    found[f"{module}.{alias.asname or alias.name}"] = "imported"
    return found


def _resolve(where: str) -> object:
    """The value bound at ``module.NAME`` or the default of ``module.Class.field``."""
    module, _, name = where.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError:
        module, _, cls = module.rpartition(".")
        return getattr(getattr(importlib.import_module(module), cls)(), name)


def test_every_max_constant_is_in_the_table() -> None:
    listed = {row.where for row in limits.TABLE} | set(limits.NOT_LIMITS)
    missing = sorted(set(_bindings()) - listed)
    assert not missing, f"add these to nutssim/limits.py TABLE (or NOT_LIMITS, with why): {missing}"


def test_limits_are_imported_from_the_table() -> None:
    local = {w for w, how in _bindings().items() if how == "assigned"} - set(limits.NOT_LIMITS)
    assert local == PENDING_IMPORT, (
        f"define these in nutssim/limits.py and import them: {sorted(local - PENDING_IMPORT)}; "
        f"switched (strike from PENDING_IMPORT): {sorted(PENDING_IMPORT - local)}"
    )


def test_every_limits_dataclass_field_is_in_the_table() -> None:
    from nutssim.specs.jsonld import CanonicalizationLimits
    from nutssim.specs.pex.limits import Limits

    listed = {row.where for row in limits.TABLE}
    for cls in (Limits, CanonicalizationLimits):
        for field in dataclasses.fields(cls):
            if field.type in ("int", int):
                assert f"{cls.__module__}.{cls.__name__}.{field.name}" in listed, field.name


@pytest.mark.parametrize("row", limits.TABLE, ids=[row.where for row in limits.TABLE])
def test_each_row_agrees_with_the_code(row: limits.Limit) -> None:
    assert _resolve(row.where) == row.value
    assert row.kind in ("wire", "protocol", "work", "tool")
    assert row.unit and row.bounds and row.refusal and row.source


def test_names_and_places_are_unique() -> None:
    assert len({row.where for row in limits.TABLE}) == len(limits.TABLE)
    constants = [row.name for row in limits.TABLE if row.name.isupper()]
    assert len(set(constants)) == len(constants)


def test_values_unchanged() -> None:
    """A few values traces depend on: moving them into the table must not change them."""
    assert (limits.MAX_BODY_BYTES, limits.MAX_JTI_LENGTH, limits.RFC021_MAX_VALIDITY) == (1048576, 256, 5)
    assert (limits.JAR_MAX_VALIDITY, limits.MAX_CACHE_TIME, limits.MAX_INTEGER_DIGITS) == (300, 3600, 309)


def test_doc_is_generated_from_the_table() -> None:
    doc = (ROOT / "docs" / "LIMITS.md").read_text(encoding="utf-8")
    assert doc == limits.markdown(), "run: python -m nutssim limits --format markdown --out docs/LIMITS.md"


def test_cli_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["limits"]) == 0
    text = capsys.readouterr().out
    assert "MAX_JTI_LENGTH" in text and "invalid DPoP token: jti claim too long" in text
    assert main(["limits", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == limits.rows() and set(rows[0]) == set(limits.COLUMNS)
    assert {
        "name": "MAX_JTI_LENGTH",
        "value": 256,
        "where": "nutssim.specs.rfc9449.MAX_JTI_LENGTH",
    }.items() <= next(r for r in rows if r["name"] == "MAX_JTI_LENGTH").items()
