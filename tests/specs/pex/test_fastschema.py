"""The compiled fast path agrees with the jsonschema validator it stands in for (filters.py)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nutssim.specs import pex
from nutssim.specs.pex.fastschema import compile_fast
from nutssim.specs.pex.filters import _FORMATS, _NO_REMOTE, _Validator
from nutssim.specs.pex.reference_filter import FilterError
from tests.reference_data import TEST_DATA

SCHEMAS = [
    {"type": "array", "contains": {"const": "X"}},
    {
        "type": "array",
        "contains": {"type": "object", "properties": {"id": {"pattern": "^a"}}, "required": ["id"]},
    },
    {"type": "string", "format": "date", "formatMaximum": "2006-12-31"},
    {"type": "string", "format": "date-time", "formatExclusiveMinimum": "2020-01-01T00:00:00Z"},
    {"format": "time"},
    {"format": "email"},  # not asserted, as in the validator
    {"type": "number", "minimum": 3, "exclusiveMaximum": 10},
    {"type": ["integer", "null"]},
    {"enum": [1, "1", True, None, [1], {"a": 1}]},
    {"const": 1.0},
    {"not": {"type": "string"}},
    {"anyOf": [{"type": "string", "minLength": 2}, {"type": "number"}]},
    {"oneOf": [{"type": "number"}, {"type": "integer"}]},
    {"allOf": [{"maxLength": 3}, {"pattern": "b"}]},
    {"items": {"type": "string"}, "minItems": 1, "maxItems": 2},
    {"type": "object", "minProperties": 1, "maxProperties": 2, "properties": {"a": {"type": "boolean"}}},
    {"type": "boolean", "pattern": "true"},
    {"x-unknown": 1, "title": "t"},
    True,
    False,
]

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-20, 20)
    | st.floats(-20, 20, allow_nan=False)
    | st.sampled_from(
        ["X", "a", "ab", "abc", "b", "2001-02-03", "2007-01-01", "2020-06-01T10:00:00Z", "12:00:00Z"]
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "id", "b"]), children, max_size=3)
    ),
    max_leaves=8,
)


def _both(schema):
    return compile_fast(schema), _Validator(schema, format_checker=_FORMATS, registry=_NO_REMOTE)


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: json.dumps(s)[:40])
@settings(max_examples=150, deadline=None)
@given(value=JSON)
def test_fast_path_agrees_with_jsonschema(schema, value):
    fast, validator = _both(schema)
    assert fast is not None
    assert fast(value) == validator.is_valid(value)


def test_the_dif_example_filters_take_the_fast_path():
    # Every filter of the DIF v2.0.0 example definitions uses only the compiled keywords.
    filters = []
    for path in sorted((TEST_DATA / "dif-pex" / "examples").glob("presentation-definition__*.json")):
        text = path.read_text(encoding="utf-8")
        filters += [f["filter"] for f in _fields(json.loads(text)) if "filter" in f]
    assert filters and all(compile_fast(f) is not None for f in filters)


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#/definitions/x"},
        {"if": {}},
        {"patternProperties": {}},
        {"items": [{}]},
        {"not": {"uniqueItems": True}},
    ],
)
def test_what_the_fast_path_lacks_falls_back(schema):
    assert compile_fast(schema) is None


def _fields(document):
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "fields" and isinstance(value, list):
                yield from value
            else:
                yield from _fields(value)
    elif isinstance(document, list):
        for value in document:
            yield from _fields(value)


# -- the per-field closures of hotpath.py answer what CompiledField.evaluate answers ------------------
FIELDS = [
    {"path": ["$.a"], "filter": {"type": "string", "const": "X"}},
    {"path": ["$.a"], "filter": {"type": "array", "contains": {"const": "X"}}},
    {"path": ["$.a.b"], "filter": {"type": "number", "minimum": 3}, "optional": True},
    {"path": ["$.a[0]"], "filter": {"type": "string", "pattern": "^a"}},
    {"path": ["$.a[-1]"], "filter": {"type": "null"}},
    {"path": ["$.a", "$.b"], "filter": {"type": "string"}},  # two paths: the fallback
]
DOCUMENT = st.dictionaries(st.sampled_from(["a", "b"]), JSON, max_size=2)


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: json.dumps(f)[:40])
@pytest.mark.parametrize(
    "semantics", [pex.DEFAULT_SEMANTICS, pex.NUTS_NODE, pex.STRICT], ids=lambda s: s.name
)
@settings(max_examples=100, deadline=None)
@given(document=DOCUMENT)
def test_hot_path_agrees_with_evaluate(field, semantics, document):
    definition = {"id": "pd", "input_descriptors": [{"id": "d", "constraints": {"fields": [field]}}]}
    descriptor = pex.compile_definition(definition, semantics=semantics).descriptors[0]
    try:
        expected = descriptor.fields[0].evaluate(document)[0]
    except FilterError:
        with pytest.raises(FilterError):
            descriptor.passes(document)
        return
    assert descriptor.passes(document) == expected
