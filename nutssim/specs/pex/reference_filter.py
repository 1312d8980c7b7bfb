"""The reference node's filter semantics: ``matchFilter`` of nuts-node, not JSON Schema.

nuts-node (``vcr/pe/presentation_definition.go:500 matchFilter`` and ``vcr/pe/types.go
Filter`` at d2ad162) reads a field's filter into a struct of four members — ``type``
(one string), ``const`` (a string), ``enum`` (strings) and ``pattern`` — and ignores every
other keyword. Consequences the `nuts-node` profile must predict (FIDELITY.md, "PEX filter
semantics"):

- a string only passes a filter whose ``type`` is ``"string"``; a number only ``"number"``
  (so ``"integer"`` never matches), a boolean only ``"boolean"``: an untyped ``pattern`` or
  ``const`` never matches a string;
- ``enum`` is tried first, each member as ``{"type": "string", "const": member}``;
- an array passes when one element passes, and then yields the whole array; when none does,
  the checks below apply to the array itself, so a type-only filter still passes it;
- an object or null value is an error (``ErrUnsupportedFilter``: "unsupported filter"), as
  is a matching pattern with more than one capture group;
- a passing pattern yields its one capture group, or the matched text when it has none.

A filter member the struct cannot hold (a numeric ``const``, ``"type": ["string"]``) makes
the reference's policy fail to load; here it is an ``InvalidDefinition`` naming the member.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nutssim.specs.pex.errors import InvalidDefinition, PexError
from nutssim.specs.pex.regex import EcmaRegex, compile_ecma

#: The members of ``vcr/pe/types.go Filter``; every other keyword is ignored by the reference.
MEMBERS = ("type", "const", "enum", "pattern")
#: ``vcr/pe/presentation_definition.go:35 ErrUnsupportedFilter``.
UNSUPPORTED = "unsupported filter"
#: ``matchFilter``'s error for a pattern with more than one capture group.
MULTIPLE_GROUPS = "can't return results from multiple regex capture groups"

Match = Callable[[Any], tuple[bool, Any]]


class FilterError(PexError):
    """The reference's ``matchFilter`` returns an error: the whole match fails with it."""

    code = "invalid_request"
    check = "pex.filter"


def check_members(raw: dict[str, Any], pointer: str) -> None:
    """Refuse what ``json.Unmarshal`` into the reference's ``Filter`` struct refuses."""
    for member, ok in (
        ("type", lambda v: isinstance(v, str)),
        ("const", lambda v: v is None or isinstance(v, str)),
        ("enum", lambda v: v is None or (isinstance(v, list) and all(isinstance(e, str) for e in v))),
        ("pattern", lambda v: v is None or isinstance(v, str)),
    ):
        if member in raw and not ok(raw[member]):
            expected = "a list of strings" if member == "enum" else "a string"
            raise InvalidDefinition(
                f"the reference reads filter member {member!r} as {expected} (vcr/pe/types.go Filter), "
                f"got {type(raw[member]).__name__}",
                pointer=f"{pointer}/{member}",
            )


def compile_reference(raw: dict[str, Any], max_regex_length: int | None, *, linear: bool = False) -> Match:
    """``matchFilter`` for one filter, its regex compiled once (cost-guarded, unlike the reference)."""
    kind = raw.get("type", "")
    const = raw.get("const")
    enum = raw.get("enum")
    pattern = raw.get("pattern")
    regex = compile_ecma(pattern, max_regex_length, linear=linear) if isinstance(pattern, str) else None
    options = [_matcher("string", option, None) for option in enum] if enum is not None else None
    plain = _matcher(kind, const, regex)
    if options is None:
        return plain

    def match_enum(value: Any) -> tuple[bool, Any]:
        for option in options:
            passed, result = option(value)
            if passed:
                return True, result
        return False, None

    return match_enum


def _matcher(kind: str, const: str | None, regex: EcmaRegex | None) -> Match:
    """The part of ``matchFilter`` after the enum branch, for fixed type, const and pattern."""

    is_string = kind == "string"
    use_regex = regex is not None and is_string

    def match(value: Any) -> tuple[bool, Any]:
        if value.__class__ is str:  # the common case first (the hot loop of a 100k wallet)
            if not is_string:
                return False, None
        elif isinstance(value, list):
            for element in value:
                if match(element)[0]:
                    return True, value
        elif not _type_matches(kind, value):
            return False, None
        if const is not None and value != const:  # Go: interface != string, equal only for that string
            return False, None
        if use_regex:
            assert regex is not None
            if not isinstance(value, str):  # Go's value.(string) on an array: a panic in the reference
                raise FilterError(f"{UNSUPPORTED}: pattern applied to a {type(value).__name__}")
            found = regex.search(value)
            if found is None:
                return False, None
            if regex.groups > 1:
                raise FilterError(MULTIPLE_GROUPS)
            return True, found.group(1) if regex.groups == 1 else found.group(0)
        return True, value

    return match


def _type_matches(kind: str, value: Any) -> bool:
    """``matchFilter``'s type switch; objects and null are ``ErrUnsupportedFilter``."""
    if isinstance(value, str):
        return kind == "string"
    if isinstance(value, bool):
        return kind == "boolean"
    if isinstance(value, int | float):
        return kind == "number"
    raise FilterError(UNSUPPORTED)
