"""JSONPath filter selectors as the reference evaluates them: PaesslerAG/jsonpath over gval's base language.

nuts-node (d2ad162) reads every field path and descriptor-map path with
``jsonpath.Get(path, value)`` (``vcr/pe/presentation_definition.go getValueAtPath``,
``presentation_submission.go``), PaesslerAG/jsonpath at ``3484786d6f97`` (its go.mod) over
gval v1.2.2. ``jsonpath.Get`` parses the whole path with ``gval.Base()`` plus the ``$``/``@``
prefixes (``jsonpath.go lang``), so a filter selector ``[?…]`` (``parse.go parseBracket``,
``selector.go filterSelector``) is a gval *base* expression. Under ``Semantics.paessler_filters``
(``NUTS_NODE``) a path with a filter selector is evaluated here, for this subset, which this
module models exactly:

- the path: ``$`` then ``.name``, ``.*``, ``[*]``, ``[n]``, ``["name"]`` and ``[?expr]`` /
  ``[?(expr)]``, no whitespace outside the filter;
- ``expr``: one term, or two joined by ``==``/``!=`` (gval: ``reflect.DeepEqual``, JSON numbers
  and number constants all float64, so ``1 == 1.0``, ``true`` is no number), in parentheses
  or not; a term is ``@`` or ``$`` with ``.name``/``[n]``/``["name"]`` steps, a double-quoted
  string without escapes, a number (``-`` allowed), ``true`` or ``false``;
- a lone term is the condition through gval's ``EvalBool`` (``operator.go convertToBool``):
  a bool, ``null`` false, ``"true"``/``"TRUE"``/``"false"``/``"FALSE"``, a number or numeric
  string true unless 0; anything else is an error;
- the filter visits an array's elements or an object's member values (Go map order is random;
  here document order) and keeps those whose condition is true: an error (a missing ``@.x``
  is ``unknown key x``) skips the element (``filterSelector``);
- a path with a filter is *ambiguous*: its value is the list of matches, empty included
  (``path.go ambiguousPath.evaluate``), so a field without ``filter`` matches any credential
  on an empty list, and ``[n]`` past an array's end yields ``null`` (``selectValue``).

Everything else the reference would read differently or refuse: gval base defines no ``<``,
``&&``, ``||``, ``!``, ``in``, regex or functions (parse errors at match time there), and a
single-quoted string is a Go char literal, which ``strconv.Unquote`` refuses ("could not parse
string: invalid syntax", PaesslerAG's own ``test-suite_test.go knownParsingErrors``). A path
outside the subset is refused at load with :class:`Unmodelled`: where the reference fails the
whole match with ``path "…": parsing error: …`` at match time, nutssim says so before.
Hexadecimal and ``inf``/``nan`` numeric strings in a lone term are errors here (Go's
``ParseFloat`` reads them; not modelled).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nutssim.limits import MAX_PARENTHESES


class Unmodelled(ValueError):
    """The path is outside the modelled PaesslerAG/gval subset (the message says where)."""


class _EvalError(Exception):
    """gval/jsonpath failed on this value (the reference skips the element or drops the match)."""


@dataclass(frozen=True, slots=True)
class _Step:
    """A plain selector: a member name (``.name``, ``["name"]``) or an index (``[n]``)."""

    key: str | int


@dataclass(frozen=True, slots=True)
class _Star:
    """``.*`` / ``[*]``."""


@dataclass(frozen=True, slots=True)
class _Term:
    """A filter operand: a path from ``@`` or ``$``, or a constant."""

    kind: str  # "@", "$" or "const"
    steps: tuple[_Step, ...] = ()
    value: Any = None


@dataclass(frozen=True, slots=True)
class _Filter:
    """``[?expr]``: one term (its truth), or ``left op right``."""

    left: _Term
    op: str | None = None
    right: _Term | None = None


Segment = _Step | _Star | _Filter


@dataclass(frozen=True, slots=True)
class PaesslerPath:
    """A parsed path of the subset; ``evaluate`` gives the reference's value (always a list)."""

    text: str
    segments: tuple[Segment, ...]

    def evaluate(self, root: Any) -> list[Any]:
        """The matches of the path in ``root``, in order, as ``jsonpath.Get`` returns them."""
        values = [root]
        for segment in self.segments:
            values = list(_apply(segment, values, root))
        return values


def has_filter(text: str) -> bool:
    """Whether a path uses a filter selector (so this module, not RFC 9535, reads it under nuts-node)."""
    return "[?" in text


def parse(text: str, max_segments: int) -> PaesslerPath:
    """Parse a path of the subset; raise :class:`Unmodelled` naming the first thing outside it."""
    parser = _Parser(text)
    segments = parser.path(max_segments)
    return PaesslerPath(text, tuple(segments))


# -- evaluation ------------------------------------------------------------------------------------
def _apply(segment: Segment, values: list[Any], root: Any) -> Iterator[Any]:
    for value in values:
        if isinstance(segment, _Step):
            try:
                yield _select(value, segment.key)
            except _EvalError:
                continue  # plainPath.matcher: a failing ending drops the match
        else:
            for member in _members(value):
                if isinstance(segment, _Star) or _holds(segment, member, root):
                    yield member


def _members(value: Any) -> list[Any]:
    """``visitAll``: an array's elements, an object's member values, nothing for a scalar."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return []


def _select(value: Any, key: str | int) -> Any:
    """``selector.go selectValue`` on decoded JSON."""
    if isinstance(value, list):
        index = key if isinstance(key, int) else _string_index(key)
        position = index + len(value) if index < 0 else index
        return value[position] if 0 <= position < len(value) else None
    if isinstance(value, dict):
        name = str(key)  # EvalString of a float64 index: fmt %v, "1" for 1
        if name in value:
            return value[name]
        raise _EvalError(f"unknown key {name}")
    raise _EvalError(f"unsupported value type {type(value).__name__} for select")


def _string_index(key: str) -> int:
    """EvalInt of a string key on an array: Go's ParseFloat of it, truncated."""
    number = _go_float(key)
    if number is None or not math.isfinite(number):
        raise _EvalError(f"could not select value, invalid key: {key}")
    return int(number)


def _holds(condition: _Filter, element: Any, root: Any) -> bool:
    try:
        left = _operand(condition.left, element, root)
        if condition.op is None:
            return _truth(left)
        assert condition.right is not None
        equal = _deep_equal(left, _operand(condition.right, element, root))
    except _EvalError:
        return False
    return equal if condition.op == "==" else not equal


def _operand(term: _Term, element: Any, root: Any) -> Any:
    if term.kind == "const":
        return term.value
    value = element if term.kind == "@" else root
    for step in term.steps:
        value = _select(value, step.key)
    return value


def _truth(value: Any) -> bool:
    """gval ``convertToBool``; a value it cannot convert is an error (``EvalBool``)."""
    if isinstance(value, bool):
        return value
    if value is None or value in ("false", "FALSE"):
        return False
    if value in ("true", "TRUE"):
        return True
    if isinstance(value, int | float):
        return float(value) != 0.0
    if isinstance(value, str):
        number = _go_float(value)
        if number is not None and math.isfinite(number):
            return number != 0.0
    raise _EvalError(f"expected bool but got {value!r}")


def _deep_equal(a: Any, b: Any) -> bool:
    """``reflect.DeepEqual`` of Go-decoded JSON: numbers are float64, bools are not numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_deep_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _go_float(text: str) -> float | None:
    """``strconv.ParseFloat(text, 64)`` for decimal syntax; None when Go refuses (or out of range)."""
    if not _DECIMAL.fullmatch(text):
        return None
    number = float(text)
    return None if math.isinf(number) else number  # Go: ErrRange


# -- parsing -----------------------------------------------------------------------------------------
# Go's scanner Ident under gval (a letter or _, then letters, digits, _), for ASCII names: a
# non-ASCII letter then stops the name and the path is refused as unmodelled.
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_INDEX = re.compile(r"-?\d+")
_STRING = re.compile(r'"([^"\\\n]*)"')
#: Parentheses around a filter's expression, at most (the parser recurses once per pair).


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0

    def refuse(self, what: str) -> Unmodelled:
        return Unmodelled(
            f"{what} at character {self.at + 1} is outside the modelled PaesslerAG/jsonpath subset "
            '(nuts-node\'s jsonpath.Get over gval base: .name, .*, [*], [n], ["name"], [?…] with ==/!=)'
        )

    def peek(self, token: str) -> bool:
        return self.text.startswith(token, self.at)

    def take(self, token: str) -> bool:
        if self.peek(token):
            self.at += len(token)
            return True
        return False

    def match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        found = pattern.match(self.text, self.at)
        if found:
            self.at = found.end()
        return found

    def path(self, max_segments: int) -> list[Segment]:
        if not self.take("$"):
            raise self.refuse("a path not starting with '$'")
        segments: list[Segment] = []
        while self.at < len(self.text):
            segments.append(self.segment())
            if len(segments) > max_segments:
                raise Unmodelled(f"more than {max_segments} segments")
        return segments

    def segment(self) -> Segment:
        if self.take(".*"):
            return _Star()
        if self.take("."):
            found = self.match(_IDENT)
            if not found:
                raise self.refuse("a member name")
            return _Step(found.group())
        if self.take("[*]"):
            return _Star()
        if self.take("[?"):
            condition = self.expression()
            if not self.take("]"):
                raise self.refuse("the end of the filter")
            return condition
        if self.take("["):
            step = self.bracket_key()
            if not self.take("]"):
                raise self.refuse("a bracket with more than one key")
            return step
        raise self.refuse(f"{self.text[self.at]!r}")

    def bracket_key(self) -> _Step:
        found = self.match(_INDEX)
        if found:
            return _Step(int(found.group()))
        found = self.match(_STRING)
        if found:
            return _Step(found.group(1))
        raise self.refuse("a bracket key that is not an integer or a double-quoted string")

    def spaces(self) -> None:
        while self.take(" "):
            pass

    def expression(self, depth: int = 0) -> _Filter:
        self.spaces()
        if self.take("("):
            if depth >= MAX_PARENTHESES:
                raise Unmodelled(f"filter parentheses nest deeper than {MAX_PARENTHESES}")
            inner = self.expression(depth + 1)
            self.spaces()
            if not self.take(")"):
                raise self.refuse("a closing parenthesis")
            self.spaces()
            return inner
        left = self.term()
        self.spaces()
        for op in ("==", "!="):
            if self.take(op):
                self.spaces()
                right = self.term()
                self.spaces()
                return _Filter(left, op, right)
        return _Filter(left)

    def term(self) -> _Term:
        if self.peek("'"):
            # A Go char literal to gval's scanner; strconv.Unquote refuses it unless it is one
            # character ("could not parse string: invalid syntax" in the reference).
            raise self.refuse("a single-quoted string")
        for kind in ("@", "$"):
            if self.take(kind):
                return _Term(kind, tuple(self.steps()))
        found = self.match(_STRING)
        if found:
            return _Term("const", value=found.group(1))
        found = self.match(_NUMBER)
        if found:
            return _Term("const", value=float(found.group()))
        for word, value in (("true", True), ("false", False)):
            if self.peek(word) and not _IDENT.match(self.text, self.at + len(word)):
                self.at += len(word)
                return _Term("const", value=value)
        raise self.refuse("a filter operand")

    def steps(self) -> Iterator[_Step]:
        while True:
            if self.peek(".*") or self.peek("[*]") or self.peek("[?"):
                raise self.refuse("a wildcard or filter inside a filter")
            if self.take("."):
                found = self.match(_IDENT)
                if not found:
                    raise self.refuse("a member name")
                yield _Step(found.group())
            elif self.take("["):
                step = self.bracket_key()
                if not self.take("]"):
                    raise self.refuse("a bracket with more than one key")
                yield step
            else:
                return
