"""JSONPath (RFC 9535) for field paths and descriptor-map paths, bounded and compiled once.

Paths are parsed by python-jsonpath in strict RFC 9535 mode. A *singular* path (only
name and index selectors, RFC 9535 §2.3.5.1) is then evaluated by a direct walk of the
keys, which is what almost every presentation definition uses and is two orders of
magnitude cheaper; so is a singular path ending in one wildcard (``$.type[*]``, in nearly
every Nuts PD); any other path runs through python-jsonpath.

Value semantics (PROTOCOL.md §3.4, as the reference's PaesslerAG/jsonpath behaves):
``find`` gives a singular path's one value or nothing, a JSON ``null`` counting as nothing,
and for a path that may select several nodes the list of their values, or nothing when it
selects none. ``nodes`` gives every selected node, ``null`` included, as the DIF text reads
a JSONPath result (``Semantics.null_is_absent`` / ``nodes_as_one_value`` choose).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jsonpath
from jsonpath.exceptions import JSONPathError
from jsonpath.filter import FilterExpression
from jsonpath.function_extensions import ExpressionType, FilterFunction
from jsonpath.segments import JSONPathChildSegment, JSONPathRecursiveDescentSegment
from jsonpath.selectors import Filter, IndexSelector, NameSelector, SliceSelector, WildcardSelector

from nutssim.limits import MAX_FILTER_PATTERN
from nutssim.specs.pex import paessler as paessler_dialect
from nutssim.specs.pex.errors import InvalidDefinition, LimitExceeded
from nutssim.specs.pex.limits import DEFAULT_LIMITS, Limits, active
from nutssim.specs.pex.paessler import PaesslerPath
from nutssim.specs.pex.regex import RegexError, compile_ecma
from nutssim.specs.pex.values import MISSING as MISSING  # re-exported: the matcher's sentinel


class _GuardedRegex(FilterFunction):
    """RFC 9535 ``match``/``search`` through the engine's cost-guarded regexes (``regex.py``).

    A filter selector's pattern is attacker input like a ``pattern`` filter: it is translated,
    refused when its shape can backtrack badly, and run on bounded input. A refused or invalid
    pattern gives LogicalFalse, as RFC 9535 §2.4.6/§2.4.7 prescribe for an invalid one.
    """

    arg_types = [ExpressionType.VALUE, ExpressionType.VALUE]
    return_type = ExpressionType.LOGICAL

    def __init__(self, *, whole: bool) -> None:
        self.whole = whole  # match: the whole string; search: a substring

    def __call__(self, value: object, pattern: object) -> bool:
        if not isinstance(value, str) or not isinstance(pattern, str):
            return False
        try:
            regex = compile_ecma(f"^(?:{pattern})$" if self.whole else pattern, MAX_FILTER_PATTERN)
        except RegexError:
            return False
        return regex.search(value) is not None


# One environment for the whole engine: configuration only, no state between queries.
_ENV = jsonpath.JSONPathEnvironment(strict=True)
_ENV.function_extensions["match"] = _GuardedRegex(whole=True)
_ENV.function_extensions["search"] = _GuardedRegex(whole=False)
_PLAIN_SELECTORS = (NameSelector, IndexSelector, WildcardSelector, SliceSelector)
"""Sentinel: the path yields no value."""


@dataclass(frozen=True, slots=True)
class CompiledPath:
    """A parsed, bounded JSONPath; ``find`` returns its value in a document or ``MISSING``."""

    text: str
    keys: tuple[str | int, ...] | None  # the singular fast path, or None
    query: Any  # jsonpath.JSONPath for non-singular paths
    paessler: PaesslerPath | None = None  # a filter path as the reference reads it (paessler.py)
    star: tuple[str | int, ...] | None = None  # a singular path then ``[*]``: walked too, or None

    @property
    def singular(self) -> bool:
        """Whether the path selects at most one node (RFC 9535 §2.3.5.1)."""
        return self.keys is not None

    def find(self, document: Any) -> Any:
        """The value at this path in ``document``, or ``MISSING``."""
        if self.paessler is not None:  # ambiguousPath.evaluate: the list of matches, empty included
            return self.paessler.evaluate(document)
        if self.keys is None:
            values = self._findall(document)
            return values if values else MISSING
        node = _walk(document, self.keys)
        return MISSING if node is None else node

    def _findall(self, document: Any) -> list[Any]:
        """python-jsonpath's ``findall``; a ``[*]`` path over a parsed document by a walk."""
        # Only a dict or list: python-jsonpath reads a str document as JSON text (load_data).
        if self.star is not None and isinstance(document, dict | list):
            return _members(document, self.star)
        return list(self.query.findall(document))

    def nodes(self, document: Any) -> list[Any]:
        """Every node the path selects in ``document`` (``null`` values included)."""
        if self.paessler is not None:  # jsonpath.Get's one value: the list of matches
            return [self.paessler.evaluate(document)]
        if self.keys is None:
            return list(self._findall(document))
        node = _walk(document, self.keys)
        return [] if node is MISSING else [node]


def _walk(document: Any, keys: tuple[str | int, ...]) -> Any:
    """The node a singular path's keys reach (member names and indices, RFC 9535 §2.3.5.1), or MISSING."""
    node = document
    for key in keys:
        if isinstance(key, str):
            if not isinstance(node, dict) or key not in node:
                return MISSING
            node = node[key]
        elif not isinstance(node, list) or not -len(node) <= key < len(node):
            return MISSING
        else:
            node = node[key]
    return node


def _members(document: Any, keys: tuple[str | int, ...]) -> list[Any]:
    """``$<keys>[*]``: the values of the array or object the keys reach (RFC 9535 §2.3.2.2), in order."""
    node = _walk(document, keys)
    if isinstance(node, list):
        return list(node)
    return list(node.values()) if isinstance(node, dict) else []


def compile_path(
    text: Any,
    *,
    pointer: str = "",
    limits: Limits = DEFAULT_LIMITS,
    filters: bool = False,
    paessler: bool = False,
) -> CompiledPath:
    """Parse and bound a JSONPath; raise ``InvalidDefinition``/``LimitExceeded`` naming ``pointer``.

    Filter selectors (``[?…]``) are allowed when ``limits.allow_filter_selectors`` or
    ``filters`` (``Semantics.filter_selectors``) say so, nested at most
    ``limits.max_filter_nesting`` deep; python-jsonpath interprets them (a parser and an
    evaluator over the JSON, no ``eval``), their regexes through the cost guard. With
    ``paessler`` (``Semantics.paessler_filters``, the reference) a filter path is read as
    PaesslerAG/jsonpath over gval's base language does instead (``paessler.py``), and refused
    when it is outside the subset that module models.
    """
    limits = active(limits)
    if not isinstance(text, str):
        raise InvalidDefinition(
            f"a path must be a JSONPath string, got {type(text).__name__}", pointer=pointer
        )
    if len(text) > limits.max_path_length:
        raise LimitExceeded(
            f"path is {len(text)} characters long; at most {limits.max_path_length} are allowed",
            pointer=pointer,
        )
    try:
        if paessler and (filters or limits.allow_filter_selectors) and paessler_dialect.has_filter(text):
            return _compile_paessler(text, limits)
        return _compile(text, limits, filters or limits.allow_filter_selectors)
    except _PathRefused as exc:
        cls = LimitExceeded if exc.limit else InvalidDefinition
        raise cls(f"path {text!r}: {exc}", pointer=pointer) from None


class _PathRefused(ValueError):
    def __init__(self, message: str, *, limit: bool = False) -> None:
        super().__init__(message)
        self.limit = limit


@lru_cache(maxsize=4096)
def _compile_paessler(text: str, limits: Limits) -> CompiledPath:
    """A filter path under ``Semantics.paessler_filters``: PaesslerAG/jsonpath's reading (``paessler.py``)."""
    try:
        return CompiledPath(text, None, None, paessler_dialect.parse(text, limits.max_path_segments))
    except paessler_dialect.Unmodelled as exc:
        raise _PathRefused(str(exc)) from None


@lru_cache(maxsize=4096)
def _compile(text: str, limits: Limits, filters: bool) -> CompiledPath:
    try:
        query = _ENV.compile(text)
    except (JSONPathError, RecursionError, ValueError) as exc:
        raise _PathRefused(f"not a valid RFC 9535 JSONPath: {exc}") from None
    if not isinstance(query, jsonpath.JSONPath):
        raise _PathRefused("compound paths (union '|' or intersection '&') are not JSONPath (RFC 9535)")
    _check_segments(query, limits, filters)
    keys: tuple[str | int, ...] | None = None
    if query.singular_query():
        keys = tuple(_key(segment.selectors[0]) for segment in query.segments)
    return CompiledPath(text, keys, query, star=None if keys is not None else _star_prefix(query))


def _star_prefix(query: Any) -> tuple[str | int, ...] | None:
    """The keys before a last ``[*]`` when every segment before it is singular, else None."""
    *prefix, last = query.segments or [None]
    if not _child_with(last, WildcardSelector):
        return None
    if not all(_child_with(s, NameSelector) or _child_with(s, IndexSelector) for s in prefix):
        return None
    return tuple(_key(segment.selectors[0]) for segment in prefix)


def _child_with(segment: Any, kind: type) -> bool:
    """Whether a segment is a child segment of exactly one selector of ``kind``."""
    return (
        isinstance(segment, JSONPathChildSegment)
        and len(segment.selectors) == 1
        and isinstance(segment.selectors[0], kind)
    )


def _key(selector: Any) -> str | int:
    return selector.name if isinstance(selector, NameSelector) else int(selector.index)


def _check_segments(query: Any, limits: Limits, filters: bool) -> None:
    segments = query.segments
    if len(segments) > limits.max_path_segments:
        raise _PathRefused(
            f"{len(segments)} segments; at most {limits.max_path_segments} are allowed", limit=True
        )
    descendants = sum(isinstance(s, JSONPathRecursiveDescentSegment) for s in segments)
    if descendants > limits.max_descendant_segments:
        raise _PathRefused(
            f"{descendants} descendant ('..') segments; at most {limits.max_descendant_segments} are allowed",
            limit=True,
        )
    allowed = _PLAIN_SELECTORS + ((Filter,) if filters else ())
    for segment in segments:
        for selector in segment.selectors:
            if isinstance(selector, Filter) and filters:
                depth = _filter_depth(selector.expression)
                if depth > limits.max_filter_nesting:
                    raise _PathRefused(
                        f"filter selectors nest {depth} deep; at most {limits.max_filter_nesting} "
                        "are allowed",
                        limit=True,
                    )
            if not isinstance(selector, allowed):
                kind = (
                    "filter selectors ('[?...]')" if isinstance(selector, Filter) else f"selector {selector}"
                )
                # Filters run function extensions (match/search take a regex) on attacker input.
                raise _PathRefused(f"{kind} are not allowed in presentation definitions", limit=True)


def _filter_depth(node: Any) -> int:
    """How deeply filter expressions nest inside one another (a filter in a filter's query: 2)."""
    below = max((_filter_depth(child) for child in node.children()), default=0)
    return below + (1 if isinstance(node, FilterExpression) else 0)
