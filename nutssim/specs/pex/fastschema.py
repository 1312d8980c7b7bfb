"""The common JSON Schema (draft-07) keywords compiled to plain predicates; jsonschema is the fallback.

A field filter runs once per credential per descriptor, so for a 100,000-credential wallet
jsonschema's validator dominates the whole match. ``compile_fast`` turns a schema that uses
only the keywords below (in any nesting) into one closure with the same meaning, and returns
None for anything else (``$ref``, ``if``/``then``/``else``, ``dependencies``,
``patternProperties``, ``additionalProperties``, ``propertyNames``, ``uniqueItems``,
``multipleOf``, tuple ``items``, ``additionalItems``, …), which then runs through jsonschema.

Keywords: ``type const enum pattern minimum maximum exclusiveMinimum exclusiveMaximum
minLength maxLength format formatMinimum formatMaximum formatExclusiveMinimum
formatExclusiveMaximum contains items minItems maxItems properties required minProperties
maxProperties allOf anyOf oneOf not``; unknown keywords are ignored as JSON Schema ignores
them (draft-07 §4.3.1). ``format`` asserts ``date``, ``date-time`` and ``time`` (RFC 3339)
and nothing else, as the validator in ``filters.py`` does. Patterns were length-checked and
cost-guarded before this runs (``filters._check_keyword``).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable
from typing import Any

from nutssim.specs.pex.regex import compile_ecma

Predicate = Callable[[Any], bool]

# -- RFC 3339 formats ----------------------------------------------------------------------------
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)
_TIME = r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})"
_DATE_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt]" + _TIME + r"\Z", re.ASCII)
TIME_ONLY = re.compile(r"^" + _TIME + r"\Z", re.ASCII)


def parse_date(value: str) -> dt.date | None:
    """An RFC 3339 ``full-date``, or None."""
    m = _DATE.match(value)
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def parse_date_time(value: str) -> dt.datetime | None:
    """An RFC 3339 ``date-time`` as an aware datetime, or None."""
    m = _DATE_TIME.match(value)
    if not m:
        return None
    try:
        text = value.replace("z", "Z").replace("t", "T")
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


FORMAT_CHECKS: dict[str, Predicate] = {
    "date": lambda v: parse_date(v) is not None,
    "date-time": lambda v: parse_date_time(v) is not None,
    "time": lambda v: TIME_ONLY.match(v) is not None,
}
COMPARABLE: dict[str, Callable[[str], Any]] = {"date": parse_date, "date-time": parse_date_time}
COMPARISONS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "formatMinimum": (operator.ge, ">="),
    "formatMaximum": (operator.le, "<="),
    "formatExclusiveMinimum": (operator.gt, ">"),
    "formatExclusiveMaximum": (operator.lt, "<"),
}


# -- JSON values -----------------------------------------------------------------------------------
def json_equal(a: Any, b: Any) -> bool:
    """JSON equality as JSON Schema ``const``/``enum`` define it (1 == 1.0, true != 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def is_number(value: Any) -> bool:
    """A JSON number (booleans are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_integer(value: Any) -> bool:
    """A JSON integer as draft-07 reads it (1.0 is one)."""
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer()
    )


TYPES: dict[str, Predicate] = {
    "string": lambda v: isinstance(v, str),
    "number": is_number,
    "integer": is_integer,
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}

# -- the compiler ------------------------------------------------------------------------------------
_SLOW = frozenset(
    {
        "$ref",
        "if",
        "then",
        "else",
        "dependencies",
        "patternProperties",
        "additionalProperties",
        "propertyNames",
        "uniqueItems",
        "multipleOf",
        "additionalItems",
    }
)


class _Slow(Exception):
    """The schema needs the full validator."""


def compile_fast(schema: Any) -> Predicate | None:
    """The schema as one predicate, or None when it uses a keyword only jsonschema implements."""
    try:
        return _compile(schema)
    except _Slow:
        return None


def _compile(schema: Any) -> Predicate:
    if schema is True:
        return lambda v: True
    if schema is False:
        return lambda v: False
    if not isinstance(schema, dict):
        raise _Slow
    if schema.keys() & _SLOW:
        raise _Slow
    checks: list[Predicate] = []
    for keyword, value in schema.items():
        builder = _BUILDERS.get(keyword)
        if builder is not None:
            check = builder(value, schema)
            if check is not None:
                checks.append(check)
    return _all(checks)


def _all(checks: list[Predicate]) -> Predicate:
    """One predicate for all checks, without a generator in the common one- and two-check cases."""
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)
    return lambda v: all(c(v) for c in checks)


def _type(spec: Any, _schema: dict[str, Any]) -> Predicate:
    names = spec if isinstance(spec, list) else [spec]
    checks = [TYPES[name] for name in names]
    return checks[0] if len(checks) == 1 else (lambda v: any(c(v) for c in checks))


def _const(const: Any, _schema: dict[str, Any]) -> Predicate:
    if isinstance(const, str):  # only a string equals a string: plain == is JSON equality here
        return lambda v: v == const
    return lambda v: json_equal(v, const)


def _enum(options: list[Any], _schema: dict[str, Any]) -> Predicate:
    if all(isinstance(o, str) for o in options):
        members = frozenset(options)
        return lambda v: isinstance(v, str) and v in members
    return lambda v: any(json_equal(v, o) for o in options)


def _pattern(pattern: str, _schema: dict[str, Any]) -> Predicate:
    regex = compile_ecma(pattern, None, linear=True)  # load-checked already (filters._check_keyword)
    return lambda v: not isinstance(v, str) or regex.search(v) is not None


def _bound(compare: Callable[[Any, Any], bool]) -> Callable[[Any, dict[str, Any]], Predicate]:
    def build(limit: Any, _schema: dict[str, Any]) -> Predicate:
        return lambda v: not is_number(v) or compare(v, limit)

    return build


def _length(
    compare: Callable[[Any, Any], bool], kind: type[str] | type[list[Any]] | type[dict[str, Any]]
) -> Callable[[Any, dict[str, Any]], Predicate]:
    def build(limit: Any, _schema: dict[str, Any]) -> Predicate:
        return lambda v: not isinstance(v, kind) or compare(len(v), limit)

    return build


def _format(name: Any, _schema: dict[str, Any]) -> Predicate | None:
    check = FORMAT_CHECKS.get(name) if isinstance(name, str) else None
    if check is None:
        return None  # formats other than these three are annotations (as in filters._FORMATS)
    return lambda v: not isinstance(v, str) or check(v)


def _format_bound(keyword: str) -> Callable[[Any, dict[str, Any]], Predicate | None]:
    compare = COMPARISONS[keyword][0]

    def build(limit: Any, schema: dict[str, Any]) -> Predicate | None:
        parse = COMPARABLE.get(schema.get("format", "")) if isinstance(schema.get("format"), str) else None
        bound = parse(limit) if parse is not None and isinstance(limit, str) else None
        if parse is None or bound is None:
            return None

        def check(v: Any) -> bool:
            if not isinstance(v, str):
                return True
            value = parse(v)
            return value is None or compare(value, bound)  # an unparsable value is `format`'s failure

        return check

    return build


def _contains(sub: Any, _schema: dict[str, Any]) -> Predicate:
    if isinstance(sub, dict) and sub.keys() == {"const"} and isinstance(sub["const"], str):
        wanted = sub["const"]  # `type` contains a name: list membership is JSON equality for a string
        return lambda v: not isinstance(v, list) or wanted in v
    inner = _compile(sub)

    def check(v: Any) -> bool:
        if not isinstance(v, list):
            return True
        for element in v:  # noqa: SIM110 - a plain loop: hot, and no generator frame per call
            if inner(element):
                return True
        return False

    return check


def _items(sub: Any, _schema: dict[str, Any]) -> Predicate:
    if isinstance(sub, list):
        raise _Slow  # tuple form with additionalItems
    inner = _compile(sub)
    return lambda v: not isinstance(v, list) or all(inner(e) for e in v)


def _properties(subs: Any, _schema: dict[str, Any]) -> Predicate:
    if not isinstance(subs, dict):
        raise _Slow
    compiled = [(name, _compile(sub)) for name, sub in subs.items()]
    return lambda v: (
        not isinstance(v, dict) or all(name not in v or check(v[name]) for name, check in compiled)
    )


def _required(names: Any, _schema: dict[str, Any]) -> Predicate:
    wanted = tuple(names)
    return lambda v: not isinstance(v, dict) or all(name in v for name in wanted)


def _all_of(subs: Any, _schema: dict[str, Any]) -> Predicate:
    return _all([_compile(s) for s in subs])


def _any_of(subs: Any, _schema: dict[str, Any]) -> Predicate:
    compiled = [_compile(s) for s in subs]
    return lambda v: any(c(v) for c in compiled)


def _one_of(subs: Any, _schema: dict[str, Any]) -> Predicate:
    compiled = [_compile(s) for s in subs]
    return lambda v: sum(1 for c in compiled if c(v)) == 1


def _not(sub: Any, _schema: dict[str, Any]) -> Predicate:
    inner = _compile(sub)
    return lambda v: not inner(v)


_BUILDERS: dict[str, Callable[[Any, dict[str, Any]], Predicate | None]] = {
    "type": _type,
    "const": _const,
    "enum": _enum,
    "pattern": _pattern,
    "minimum": _bound(operator.ge),
    "maximum": _bound(operator.le),
    "exclusiveMinimum": _bound(operator.gt),
    "exclusiveMaximum": _bound(operator.lt),
    "minLength": _length(operator.ge, str),
    "maxLength": _length(operator.le, str),
    "minItems": _length(operator.ge, list),
    "maxItems": _length(operator.le, list),
    "minProperties": _length(operator.ge, dict),
    "maxProperties": _length(operator.le, dict),
    "format": _format,
    **{keyword: _format_bound(keyword) for keyword in COMPARISONS},
    "contains": _contains,
    "items": _items,
    "properties": _properties,
    "required": _required,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
}
