"""Field filters: JSON Schema (draft-07) with ECMAScript patterns and date comparisons.

A field's ``filter`` is a JSON Schema (DIF PE v2 §Input Descriptor Object, ``filter``;
the DIF schema pins draft-07). We evaluate it with jsonschema, extended with:

- ``pattern`` / ``patternProperties`` as ECMAScript regexes (``regex.py``), cost-guarded;
- ``format`` asserted for ``date``, ``date-time`` and ``time`` (RFC 3339), the formats the
  DIF examples use, with no optional dependency;
- ``formatMinimum`` / ``formatMaximum`` / ``formatExclusiveMinimum`` /
  ``formatExclusiveMaximum`` for ``date`` and ``date-time``, as the DIF examples and
  ajv-keywords use them (a misspelt keyword, like the DIF example's ``forrmatMaximum``,
  is ignored as JSON Schema ignores every unknown keyword);
- no remote ``$ref``: a filter may only refer inside itself.

Filters that use only the common keywords (``fastschema.py``: type, const, enum, pattern,
bounds, lengths, formats, contains, items, properties, required, allOf/anyOf/oneOf/not, and
unknown keywords, which JSON Schema ignores — the reference's nested-``filter`` quirk lands
here) take a compiled fast path with the same meaning; the rest run through the jsonschema
validator. Both are compiled once per definition.

Value semantics (PROTOCOL.md §3.4): a value passes when the filter accepts it, or (under
``Semantics.array_elements``, the reference's reading) when it is an array and the filter
accepts one of its elements; the extracted value is then the whole array. For a string
accepted by a top-level ``pattern`` the extracted value is the one capture group, or the
matched text when the pattern has none (PROTOCOL.md §3.10).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
import referencing
from jsonschema import Draft7Validator, validators
from jsonschema.exceptions import best_match

from nutssim.specs.pex.errors import InvalidDefinition, LimitExceeded, short
from nutssim.specs.pex.fastschema import (
    COMPARABLE,
    COMPARISONS,
    TIME_ONLY,
    compile_fast,
    parse_date,
    parse_date_time,
)
from nutssim.specs.pex.limits import DEFAULT_LIMITS, Limits, check_document_size, pointer_of
from nutssim.specs.pex.reference_filter import Match, check_members, compile_reference
from nutssim.specs.pex.regex import EcmaRegex, RegexError, compile_ecma
from nutssim.specs.pex.semantics import DEFAULT, Semantics

_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("date")
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or parse_date(value) is not None


@_FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or parse_date_time(value) is not None


@_FORMATS.checks("time")
def _is_time(value: object) -> bool:
    return not isinstance(value, str) or TIME_ONLY.match(value) is not None


_COMPARABLE = COMPARABLE
_COMPARISONS = COMPARISONS


def _format_comparison(keyword: str) -> Callable[..., Iterator[jsonschema.ValidationError]]:
    compare, symbol = _COMPARISONS[keyword]

    def check(validator: Any, limit: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        parse = _COMPARABLE.get(schema.get("format", ""))
        if parse is None or not isinstance(instance, str) or not isinstance(limit, str):
            return
        value, bound = parse(instance), parse(limit)
        if value is not None and bound is not None and not compare(value, bound):
            yield jsonschema.ValidationError(f"{instance!r} is not {symbol} {limit!r} ({keyword})")

    return check


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
    # Patterns were length-checked and guarded when the filter was compiled.
    if isinstance(instance, str) and compile_ecma(pattern, None, linear=True).search(instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[Any]:
    if not isinstance(instance, dict):
        return
    for pattern, subschema in patterns.items():
        regex = compile_ecma(pattern, None, linear=True)
        for key, value in instance.items():
            if regex.search(key) is not None:
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


_Validator = validators.extend(
    Draft7Validator,
    {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        **{keyword: _format_comparison(keyword) for keyword in _COMPARISONS},
    },
)
# An empty registry: jsonschema adds the meta-schemas; nothing is ever fetched.
_NO_REMOTE = referencing.Registry()

_KNOWN_KEYWORDS = frozenset(Draft7Validator.VALIDATORS) | frozenset(_COMPARISONS)


# -- compiled filter -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CompiledFilter:
    """A field filter ready to run: ``apply`` gives (accepted, extracted value)."""

    raw: dict[str, Any] | bool
    accepts: Callable[[Any], bool]
    capture: EcmaRegex | None  # the top-level pattern, for value extraction
    validator: Any
    reference: Match | None = None  # the reference's matchFilter, when its semantics are asked for
    array_elements: bool = True  # Semantics.array_elements: an array passes by one element

    def apply(self, value: Any) -> tuple[bool, Any]:
        """Whether ``value`` passes (directly, or by one array element if asked), and the extracted value."""
        if self.reference is not None:
            return self.reference(value)
        if self.accepts(value):
            return True, self._extract(value)
        if self.array_elements and isinstance(value, list) and any(self.accepts(v) for v in value):
            return True, value
        return False, None

    def _extract(self, value: Any) -> Any:
        if self.capture is None or not isinstance(value, str):
            return value
        match = self.capture.search(value)
        if match is None:
            return value
        return match.group(1) if self.capture.groups == 1 else match.group(0)

    def reason(self, value: Any) -> str:
        """Why ``value`` does not pass, in jsonschema's words."""
        if self.raw is False:
            return "the filter is `false` and accepts nothing"
        if self.reference is not None and isinstance(self.raw, dict):
            return _reference_reason(self.raw, value)
        error = best_match(self.validator.iter_errors(value))
        detail = error.message if error is not None else "rejected"
        if isinstance(value, list) and self.array_elements:
            return f"neither the array nor any of its elements passes ({detail})"
        if isinstance(value, list) and any(self.accepts(v) for v in value):
            # Under the spec's reading the filter validates the array itself (array_elements off).
            return (
                f"{detail}; an element passes, but the filter applies to the whole array "
                '(hint: {"type": "array", "contains": <the filter>})'
            )
        return detail


def compile_filter(
    raw: Any, *, pointer: str, limits: Limits = DEFAULT_LIMITS, semantics: Semantics = DEFAULT
) -> CompiledFilter:
    """Check a filter (schema, regexes, refs, size) and compile it; raise naming ``pointer``."""
    if isinstance(raw, bool):
        return CompiledFilter(
            raw,
            (lambda v: True) if raw else (lambda v: False),
            None,
            _Validator(raw),
            array_elements=semantics.array_elements,
        )
    if not isinstance(raw, dict):
        raise InvalidDefinition(
            f"a filter must be a JSON Schema object, got {type(raw).__name__}", pointer=pointer
        )
    check_document_size(
        raw, max_depth=limits.max_filter_depth, max_nodes=limits.max_filter_nodes, what="filter"
    )
    if semantics.reference_filters:
        return _compile_reference(raw, pointer, limits)
    _check_schema(raw, pointer)
    for location, keyword, value in _walk(raw, ()):
        _check_keyword(keyword, value, pointer + pointer_of(location), limits)
    validator = _Validator(raw, format_checker=_FORMATS, registry=_NO_REMOTE)
    accepts = compile_fast(raw) or validator.is_valid  # jsonschema only for what the fast path lacks
    capture = (
        compile_ecma(raw["pattern"], limits.max_regex_length, linear=limits.linear_regex)
        if isinstance(raw.get("pattern"), str)
        else None
    )
    return CompiledFilter(raw, accepts, capture, validator, array_elements=semantics.array_elements)


def _compile_reference(raw: dict[str, Any], pointer: str, limits: Limits) -> CompiledFilter:
    """The filter as the reference reads it: four members, the rest ignored (reference_filter.py)."""
    check_members(raw, pointer)
    if isinstance(raw.get("pattern"), str):
        _check_keyword("pattern", raw["pattern"], pointer + "/pattern", limits)
    reference = compile_reference(raw, limits.max_regex_length, linear=limits.linear_regex)
    return CompiledFilter(raw, lambda v: reference(v)[0], None, None, reference)


def _reference_reason(raw: dict[str, Any], value: Any) -> str:
    """Why the reference's ``matchFilter`` refuses ``value``, in terms of its four members."""
    kind = raw.get("type")
    ignored = sorted(set(raw) - {"type", "const", "enum", "pattern"})
    note = f" (the reference ignores {', '.join(ignored)})" if ignored else ""
    if "enum" in raw:
        return f"not one of the strings {raw['enum']}{note}"
    scalar = value[0] if isinstance(value, list) and value else value
    if kind is None and isinstance(scalar, str):
        return f'the filter has no "type": "string", so the reference matches no string{note}'
    if isinstance(value, list):
        return f"no element passes the reference's matchFilter (type {kind!r}, const/pattern){note}"
    expected = _REFERENCE_TYPES.get(type(value))
    if expected is not None and kind != expected:
        return f"{value!r} is not of type {kind!r} as the reference reads it (a {expected}){note}"
    const, pattern = raw.get("const"), raw.get("pattern")
    if const is not None and value != const:
        return f"{const!r} was expected{note}"
    if isinstance(pattern, str) and isinstance(value, str):  # the only way left to refuse a string
        return f"{value!r} does not match {pattern!r}{note}"
    return f"the reference's matchFilter refuses it (type {kind!r}, const/pattern){note}"


#: ``matchFilter``'s type switch: the one type name each JSON value passes (floats and ints are "number").
_REFERENCE_TYPES = {str: "string", bool: "boolean", int: "number", float: "number"}


def _check_schema(raw: dict[str, Any], pointer: str) -> None:
    error = best_match(_Validator(_Validator.META_SCHEMA).iter_errors(raw))
    if error is not None:
        raise InvalidDefinition(
            f"not a valid JSON Schema (draft-07): {error.message}",
            pointer=pointer + pointer_of(tuple(error.absolute_path)),
        )


def _check_keyword(keyword: str, value: Any, pointer: str, limits: Limits) -> None:
    if keyword in ("pattern", "patternProperties"):
        for pattern in [value] if keyword == "pattern" else list(value):
            try:
                compile_ecma(pattern, limits.max_regex_length, linear=limits.linear_regex)
            except RegexError as exc:
                cls = LimitExceeded if exc.cost else InvalidDefinition
                raise cls(f"pattern {short(pattern, 60)}: {exc}", pointer=pointer) from None
    elif keyword == "$ref" and not value.startswith("#"):
        raise InvalidDefinition(
            f"$ref {value!r}: a filter may only refer inside itself ('#...')", pointer=pointer
        )
    elif keyword in _COMPARISONS:
        _check_comparison(keyword, value, pointer)


def _check_comparison(keyword: str, value: Any, pointer: str) -> None:
    # ``format`` sits beside the comparison in the same schema; _walk passes it as value[1].
    limit, fmt = value
    parse = _COMPARABLE.get(fmt)
    if parse is None:
        raise InvalidDefinition(f'{keyword} needs "format": "date" or "date-time" beside it', pointer=pointer)
    if not isinstance(limit, str) or parse(limit) is None:
        raise InvalidDefinition(f"{keyword} {short(limit, 40)} is not an RFC 3339 {fmt}", pointer=pointer)


_SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "dependencies")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "items")
_SCHEMA_ONES = (
    "not",
    "if",
    "then",
    "else",
    "contains",
    "items",
    "additionalItems",
    "additionalProperties",
    "propertyNames",
)


def _walk(schema: Any, location: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str, Any]]:
    """Yield (location, keyword, value) for the keywords we check, through every subschema."""
    if not isinstance(schema, dict):
        return
    for keyword in ("pattern", "patternProperties", "$ref"):
        if keyword in schema:
            yield (*location, keyword), keyword, schema[keyword]
    for keyword in _COMPARISONS:
        if keyword in schema:
            yield (*location, keyword), keyword, (schema[keyword], schema.get("format"))
    for keyword in _SCHEMA_MAPS:
        if isinstance(schema.get(keyword), dict):
            for name, sub in schema[keyword].items():
                yield from _walk(sub, (*location, keyword, name))
    for keyword in _SCHEMA_LISTS:
        if isinstance(schema.get(keyword), list):
            for i, sub in enumerate(schema[keyword]):
                yield from _walk(sub, (*location, keyword, i))
    for keyword in _SCHEMA_ONES:
        if isinstance(schema.get(keyword), dict):
            yield from _walk(schema[keyword], (*location, keyword))
