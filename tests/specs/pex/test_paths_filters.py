"""JSONPath values, JSON Schema filters and ECMAScript patterns, as the reference reads them (§3.4)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nutssim.specs import pex
from nutssim.specs.pex.fastschema import json_equal
from nutssim.specs.pex.filters import compile_filter
from nutssim.specs.pex.paths import MISSING, compile_path
from nutssim.specs.pex.regex import RegexError, compile_ecma, translate

DOC = {
    "type": ["VerifiableCredential", "X"],
    "issuer": "did:x",
    "n": None,
    "zero": 0,
    "credentialSubject": [{"id": "did:a", "org": {"name": "A"}}, {"id": "did:b", "org": {"name": "B"}}],
    "one": {"credentialSubject": {"org": {"name": "C"}}},
}


@pytest.mark.parametrize(
    "path, expected",
    [
        ("$.issuer", "did:x"),
        ("$.type", ["VerifiableCredential", "X"]),
        ("$.credentialSubject[0].org.name", "A"),
        ("$.credentialSubject[-1].org.name", "B"),
        ("$['credentialSubject'][1]['id']", "did:b"),
        ("$.credentialSubject.org.name", MISSING),  # no auto-flattening of arrays (RFC 9535)
        ("$.one.credentialSubject.org.name", "C"),
        ("$.credentialSubject[5]", MISSING),
        ("$.n", MISSING),  # JSON null counts as no value, as in the reference
        ("$.zero", 0),
        ("$.credentialSubject[*].org.name", ["A", "B"]),  # several nodes: the list of values
        ("$..name", ["A", "B", "C"]),
        ("$.missing[*]", MISSING),
        ("$", DOC),
    ],
)
def test_path_values(path, expected):
    compiled = compile_path(path)
    assert compiled.find(DOC) == expected if expected is not MISSING else compiled.find(DOC) is MISSING


def test_singular_paths_take_the_fast_walk():
    assert compile_path("$.credentialSubject[0].org.name").keys == ("credentialSubject", 0, "org", "name")
    assert compile_path("$.credentialSubject[*].org").keys is None


@pytest.mark.parametrize(
    "path, words",
    [
        ("credentialSubject.name", "not a valid RFC 9535 JSONPath"),
        ("$.a | $.b", "not a valid RFC 9535 JSONPath"),
        ("$.a[", "not a valid RFC 9535 JSONPath"),
        (42, "must be a JSONPath string"),
    ],
)
def test_invalid_paths_are_refused(path, words):
    with pytest.raises(pex.InvalidDefinition, match=words) as caught:
        compile_path(path, pointer="/input_descriptors/0/constraints/fields/0/path/0")
    assert caught.value.pointer == "/input_descriptors/0/constraints/fields/0/path/0"


# -- filters ------------------------------------------------------------------------------------
def _f(raw):
    return compile_filter(raw, pointer="/f")


def test_array_passes_when_one_element_passes_and_the_whole_array_is_extracted():
    f = _f({"type": "string", "const": "NutsOrganizationCredential"})
    assert f.apply(["VerifiableCredential", "NutsOrganizationCredential"]) == (
        True,
        ["VerifiableCredential", "NutsOrganizationCredential"],
    )
    assert f.apply(["VerifiableCredential"]) == (False, None)
    assert "elements" in f.reason(["VerifiableCredential"])


def test_whole_array_filters_still_apply_to_the_array():
    # DIF multi-group example: `contains` over an array of schema objects.
    f = _f(
        {
            "type": "array",
            "contains": {
                "type": "object",
                "properties": {"id": {"type": "string", "pattern": "#accounts"}},
                "required": ["id"],
            },
        }
    )
    assert f.apply([{"id": "https://bank#accounts"}, {"id": "x"}])[0]
    assert not f.apply([{"id": "x"}])[0]


def test_pattern_capture_group_is_the_extracted_value():
    # didx509-e2e.json: URA from san.otherName (PROTOCOL.md §3.10).
    f = _f({"type": "string", "pattern": r"^[0-9.]+-\d+-\d+-S-(\d+)-00\.000-\d+$"})
    assert f.apply("2.16.528.1.1007.99.2110-1-900030787-S-90000380-00.000-11223344") == (True, "90000380")


def test_pattern_without_group_extracts_the_matched_text():
    # The reference returns the match, not the whole value.
    assert _f({"type": "string", "pattern": "care"}).apply("Huisarts care center") == (True, "care")


@pytest.mark.parametrize(
    "raw, value, passes",
    [
        ({"type": "string", "enum": ["a", "b"]}, "b", True),
        ({"type": "string", "enum": ["a", "b"]}, "c", False),
        ({"type": "number", "minimum": 10, "maximum": 20}, 20, True),
        ({"type": "number", "minimum": 10}, 9.5, False),
        ({"type": "number", "exclusiveMaximum": 5}, 5, False),
        ({"type": "integer"}, 3.0, True),
        ({"type": "number"}, True, False),
        ({"type": "boolean", "pattern": "true"}, True, True),  # DIF example: pattern only applies to strings
        ({"const": 1}, 1.0, True),
        ({"const": 1}, True, False),
        ({"type": "string", "format": "date-time"}, "2024-02-29T10:00:00Z", True),
        ({"type": "string", "format": "date-time"}, "2024-02-30T10:00:00Z", False),
        ({"type": "string", "format": "date", "formatMaximum": "1999-05-16"}, "1999-05-16", True),
        ({"type": "string", "format": "date", "formatMaximum": "1999-05-16"}, "1999-05-17", False),
        ({"type": "string", "format": "date", "formatExclusiveMinimum": "2000-01-01"}, "2000-01-01", False),
        (
            {"type": "string", "format": "date-time", "formatMinimum": "2024-01-01T00:00:00Z"},
            "2024-01-01T01:00:00+01:00",
            True,
        ),
        (
            {"type": "string", "format": "date-time", "formatMinimum": "2024-01-01T00:00:00Z"},
            "2023-12-31T23:59:59Z",
            False,
        ),
        # DIF multi-group example's misspelt keyword: ignored, as JSON Schema ignores unknown keywords.
        ({"type": "string", "format": "date", "forrmatMaximum": "1999-05-16"}, "2020-01-01", True),
        # Nuts definition_mapping.json: a `filter` nested in a filter is an unknown keyword too.
        ({"type": "string", "filter": {"type": "string", "pattern": "^did:example:123$"}}, "did:other", True),
        ({"not": {"const": "x"}}, "y", True),
        (True, "anything", True),
        (False, "anything", False),
    ],
)
def test_filter_semantics(raw, value, passes):
    assert _f(raw).apply(value)[0] is passes


@pytest.mark.parametrize(
    "raw, pointer, words",
    [
        ({"type": "strin"}, "/f/type", "not a valid JSON Schema"),
        ({"$ref": "https://evil.example/schema.json"}, "/f/$ref", "refer inside itself"),
        ({"properties": {"a": {"$ref": "http://x/y"}}}, "/f/properties/a/$ref", "refer inside itself"),
        ({"formatMinimum": "2020-01-01"}, "/f/formatMinimum", 'needs "format"'),
        ({"format": "date", "formatMinimum": "yesterday"}, "/f/formatMinimum", "not an RFC 3339 date"),
        ({"pattern": "(?P<x>a)"}, "/f/pattern", "not ECMAScript"),
        ({"anyOf": [{"pattern": "["}]}, "/f/anyOf/0/pattern", "unterminated"),
    ],
)
def test_bad_filters_name_the_member(raw, pointer, words):
    with pytest.raises(pex.InvalidDefinition, match=words) as caught:
        _f(raw)
    assert caught.value.pointer == pointer


# -- ECMAScript patterns ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "pattern, value, matches",
    [
        (r"^\d+$", "\u0661\u0662", False),  # \d is ASCII-only in ECMAScript
        (r"^\w+$", "caf\u00e9", False),
        (r"^\s$", "\u00a0", True),  # \s includes NBSP
        (r"^\s$", "\ufeff", True),
        (r"^a.b$", "a\rb", False),  # . excludes \r and U+2028
        (r"^a.b$", "a\u2028b", False),
        (r"^abc$", "abc\n", False),  # $ is the very end
        (r"(?<year>\d{4})", "in 2024", True),
        (r"[^]", "\n", True),
        (r"[]", "anything", False),
        (r"^\A$", "A", True),  # identity escape
        (r"^[0-9]{10-12}$", "5{10-12}", True),  # Annex B: a brace that is no quantifier is literal
        (r"^\x4$", "x4", True),
        (r"^\u00e9$", "\u00e9", True),
        (r"^\cJ$", "\n", True),
        (r"^[\s]$", "\u3000", True),
        (r"^did:example:123|did:example:456", "did:example:456", True),
    ],
)
def test_ecmascript_semantics(pattern, value, matches):
    assert (compile_ecma(pattern).search(value) is not None) is matches


@pytest.mark.parametrize(
    "pattern",
    ["(?i)abc", "(?P<a>x)", "(?>a)", "a++", "a{2}+", r"(a)\1", r"(?<n>a)\k<n>", "(?<=a+)b", "[a", "a\\"],
)
def test_non_ecmascript_or_unrunnable_patterns_are_refused(pattern):
    with pytest.raises(RegexError):
        compile_ecma(pattern)


def test_translation_is_readable():
    assert translate(r"^did:web:(?<host>[^:]+)$") == r"^did:web:(?P<host>[^:]+)\Z"


# -- the fast path means what jsonschema means ---------------------------------------------------------
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(-5, 5, allow_nan=False),
    st.sampled_from(["a", "ab", "b1", "", "A", "10", "x y"]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3))
simple_filters = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(
            ["string", "number", "integer", "boolean", "null", "array", ["string", "number"]]
        ),
        "const": scalars,
        "enum": st.lists(scalars, min_size=1, max_size=3),
        "pattern": st.sampled_from(["^a", "b", r"\d", "^$", "[A-Z]"]),
        "minimum": st.integers(-3, 3),
        "maximum": st.integers(-3, 3),
        "exclusiveMinimum": st.integers(-3, 3),
        "minLength": st.integers(0, 2),
        "maxLength": st.integers(0, 2),
    },
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(simple_filters, values)
def test_fast_path_agrees_with_jsonschema(raw, value):
    compiled = _f(raw)
    assert compiled.accepts(value) == compiled.validator.is_valid(value)


def test_json_equal_is_json_schema_equality():
    assert json_equal(1, 1.0) and not json_equal(True, 1) and not json_equal(0, False)
    assert json_equal({"a": [1, "x"]}, {"a": [1.0, "x"]}) and not json_equal([1], [1, 1])


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["a", "b", "type"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["a", "b", "type"]), inner),
    max_leaves=12,
)
_STAR_PATHS = st.lists(st.sampled_from([".a", ".b", ".type", "[0]", "[1]", "[-1]", "['a']"]), max_size=3).map(
    lambda parts: "$" + "".join(parts) + "[*]"
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_STAR_PATHS, _JSON)
def test_a_singular_path_then_a_wildcard_walks_as_python_jsonpath_finds(path: str, document: object) -> None:
    """``$.type[*]`` and its kin take the walk; its nodes and value are python-jsonpath's (RFC 9535)."""
    compiled = compile_path(path)
    assert compiled.star is not None
    found = compiled.query.findall(document)
    assert compiled.nodes(document) == found
    assert compiled.find(document) == (found if found else MISSING)


def test_only_a_last_lone_wildcard_after_singular_segments_takes_the_walk() -> None:
    """Wildcards elsewhere, unions and descendants still run through python-jsonpath."""
    assert compile_path("$.type[*]").star == ("type",)
    assert compile_path("$.a[-1][*]").star == ("a", -1)
    for path in ("$.a[*].b", "$..a[*]", "$.a[*][*]", "$.a[0,1][*]", "$.a[*,0]"):
        assert compile_path(path).star is None, path


def test_a_text_document_is_python_jsonpaths_to_read() -> None:
    """python-jsonpath reads a str document as JSON text; the walk leaves such a document to it."""
    assert compile_path("$.a[*]").find('{"a": [1, 2]}') == [1, 2]
