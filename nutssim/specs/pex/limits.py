"""Cost bounds for presentation definitions, which are attacker input.

A wallet evaluates definitions sent by any authorization server, and a verifier evaluates
the credentials any client sends, so every path, pattern and filter is bounded before it
runs. The defaults are generous for real definitions (the DIF v2 examples and the Nuts
policies use a fraction of them) and small enough that a single evaluation stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from nutssim.specs.pex.errors import LimitExceeded


@dataclass(frozen=True)
class Limits:
    """What a presentation definition may cost; exceeding any bound raises ``LimitExceeded``."""

    max_document_depth: int = 48  # nesting of the raw JSON document
    max_document_nodes: int = 50_000  # JSON values in the raw document
    max_input_descriptors: int = 64
    max_fields_per_descriptor: int = 64
    max_paths_per_field: int = 16
    max_path_length: int = 256  # characters of one JSONPath
    max_path_segments: int = 32
    max_descendant_segments: int = 1  # `..` segments in one path
    allow_filter_selectors: bool = False  # `[?...]` selectors and their function extensions
    max_filter_nesting: int = 2  # filter selectors inside a filter's own queries
    max_regex_length: int = 512  # characters of one `pattern`
    #: a pattern the backtracking guard refuses runs on RE2 (linear time) instead (regex.py)
    linear_regex: bool = False
    max_filter_depth: int = 16  # nesting of one field's JSON Schema filter
    max_filter_nodes: int = 512  # JSON values in one filter
    max_requirement_depth: int = 8  # from_nested nesting of submission requirements
    max_submission_entries: int = 256  # descriptor_map entries of a submission
    max_nested_path_depth: int = 4  # path_nested levels of one descriptor_map entry


DEFAULT_LIMITS = Limits()
#: As nuts-node reads a PD (``vcr/pe`` matchFilter: regexp2, no load-time compile): every pattern is
#: evaluated, the guard-refused ones on RE2 so time stays linear. Filter selectors stay refused:
#: PaesslerAG/jsonpath's dialect (gval ``[?(…)]`` scripts, no RFC 9535 functions) is not RFC 9535's,
#: so what the reference does with one is not predicted (FIDELITY.md "Policy: hostile JSONPath").
REFERENCE_LIMITS = replace(DEFAULT_LIMITS, linear_regex=True)
_ACTIVE: ContextVar[Limits] = ContextVar("pex_limits", default=DEFAULT_LIMITS)


def active(limits: Limits) -> Limits:
    """``limits``, or when a caller left the default, the limits in force (``using_limits``)."""
    return _ACTIVE.get() if limits is DEFAULT_LIMITS else limits


@contextmanager
def using_limits(limits: Limits) -> Iterator[None]:
    """Make ``limits`` the default of every compile in this context (a profile's PD reading)."""
    token = _ACTIVE.set(limits)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def check_document_size(document: Any, *, max_depth: int, max_nodes: int, what: str) -> None:
    """Refuse a JSON value nested deeper than ``max_depth`` or holding more than ``max_nodes`` values."""
    # Iterative, so a hostile document cannot exhaust the Python stack before we refuse it. Each
    # entry keeps its parent's entry and its own key; the JSON pointer is spelt only on a refusal
    # (issue #23: spelling one per value cost more than the walk on every parsed document).
    stack: list[tuple[Any, int, Any, Any]] = [(document, 1, None, None)]
    nodes = 0
    while stack:
        entry = stack.pop()
        value, depth = entry[0], entry[1]
        nodes += 1
        if nodes > max_nodes:
            raise LimitExceeded(f"{what} holds more than {max_nodes} JSON values", pointer=_pointer(entry))
        if depth > max_depth:
            raise LimitExceeded(f"{what} is nested deeper than {max_depth} levels", pointer=_pointer(entry))
        if isinstance(value, dict):
            stack.extend((v, depth + 1, entry, k) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, entry, i) for i, v in enumerate(value))


def _pointer(entry: tuple[Any, int, Any, Any]) -> str:
    """The JSON pointer of a ``check_document_size`` stack entry (its keys up to the root)."""
    parts: list[Any] = []
    while entry[2] is not None:
        parts.append(entry[3])
        entry = entry[2]
    return pointer_of(parts[::-1])


def escape_pointer(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901 §3)."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer_of(location: tuple[Any, ...] | list[Any]) -> str:
    """The JSON pointer (RFC 6901) of a location given as keys and indexes."""
    return "".join(f"/{escape_pointer(str(part))}" for part in location)
