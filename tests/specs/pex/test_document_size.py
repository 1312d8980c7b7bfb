"""check_document_size names the same JSON pointer as a walk that spells one per value (issue #23)."""

from __future__ import annotations

from typing import Any

import pytest

from nutssim.specs.pex.limits import LimitExceeded, check_document_size, escape_pointer


def _eager(document: Any, max_depth: int, max_nodes: int) -> str | None:
    """The walk before issue #23: a pointer spelt for every value; the pointer of the refusal."""
    stack: list[tuple[Any, int, str]] = [(document, 1, "")]
    nodes = 0
    while stack:
        value, depth, pointer = stack.pop()
        nodes += 1
        if nodes > max_nodes or depth > max_depth:
            return pointer
        if isinstance(value, dict):
            stack.extend((v, depth + 1, f"{pointer}/{escape_pointer(str(k))}") for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{pointer}/{i}") for i, v in enumerate(value))
    return None


def _nested(levels: int) -> Any:
    value: Any = "x"
    for i in range(levels):
        value = {"a/b~c": [value, i]} if i % 2 else [0, value]
    return value


@pytest.mark.parametrize(
    ("document", "max_depth", "max_nodes"),
    [
        (_nested(30), 16, 10_000),
        (_nested(30), 64, 20),
        ({"k": list(range(600)), "m": {"~": 1}}, 16, 512),
        ({"a": {"b": {"c": [1, 2, {"d/e": 3}]}}}, 4, 100),
    ],
)
def test_refusal_names_the_pointer_of_the_eager_walk(document: Any, max_depth: int, max_nodes: int) -> None:
    expected = _eager(document, max_depth, max_nodes)
    assert expected is not None
    with pytest.raises(LimitExceeded) as caught:
        check_document_size(document, max_depth=max_depth, max_nodes=max_nodes, what="doc")
    assert caught.value.pointer == expected


def test_a_document_within_the_limits_passes() -> None:
    check_document_size(_nested(10), max_depth=64, max_nodes=10_000, what="doc")
