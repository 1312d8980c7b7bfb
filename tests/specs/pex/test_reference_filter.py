"""The reference's filter semantics (vcr/pe/presentation_definition.go matchFilter @d2ad162).

FIDELITY.md, row "PEX filter semantics": under the reference's reading only type, const,
enum and pattern count. Each test names the branch of ``matchFilter`` it pins; the JSON
Schema reading of the same filter is asserted beside it where the two differ.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from nutssim.specs import pex
from nutssim.specs.pex.filters import compile_filter
from nutssim.specs.pex.limits import DEFAULT_LIMITS
from nutssim.specs.pex.reference_filter import MULTIPLE_GROUPS, UNSUPPORTED, FilterError

from .helpers import organization

REFERENCE = replace(DEFAULT_LIMITS, reference_filters=True)


def reference(raw):
    return compile_filter(raw, pointer="/f", limits=REFERENCE)


def schema(raw):
    return compile_filter(raw, pointer="/f")


def test_untyped_pattern_never_matches_a_string():
    # `case string: if filter.Type != "string" { return false }`
    raw = {"pattern": "^did:web:"}
    assert reference(raw).apply("did:web:register.example") == (False, None)
    assert schema(raw).apply("did:web:register.example")[0] is True


def test_untyped_const_never_matches_a_string():
    raw = {"const": "NutsOrganizationCredential"}
    assert reference(raw).apply("NutsOrganizationCredential") == (False, None)
    assert schema(raw).apply("NutsOrganizationCredential")[0] is True


def test_typed_const_matches_the_string_only():
    raw = {"type": "string", "const": "NutsOrganizationCredential"}
    assert reference(raw).apply("NutsOrganizationCredential") == (True, "NutsOrganizationCredential")
    assert reference(raw).apply("Other") == (False, None)


def test_integer_type_never_matches_a_number():
    # Only "number" is accepted for float64 values; JSON Schema's "integer" accepts 3.
    assert reference({"type": "integer"}).apply(3) == (False, None)
    assert reference({"type": "number"}).apply(3) == (True, 3)
    assert schema({"type": "integer"}).apply(3)[0] is True


def test_boolean_needs_the_boolean_type():
    assert reference({"type": "boolean"}).apply(True) == (True, True)
    assert reference({"type": "number"}).apply(True) == (False, None)


def test_other_keywords_are_ignored():
    raw = {"type": "number", "minimum": 10}
    assert reference(raw).apply(3) == (True, 3)
    assert schema(raw).apply(3)[0] is False
    assert "ignores minimum" in reference(raw).reason(3)


def test_enum_is_tried_first_as_string_consts():
    raw = {"type": "number", "enum": ["a", "b"]}  # type is ignored in the enum branch
    assert reference(raw).apply("b") == (True, "b")
    assert reference(raw).apply("c") == (False, None)


def test_array_passes_by_one_element_and_yields_the_array():
    raw = {"type": "string", "const": "NutsOrganizationCredential"}
    value = ["VerifiableCredential", "NutsOrganizationCredential"]
    assert reference(raw).apply(value) == (True, value)


def test_array_without_a_passing_element_still_passes_a_type_only_filter():
    # After the element loop falls through, no const/pattern stops it: `return true, value`.
    assert reference({"type": "string"}).apply([1, 2]) == (True, [1, 2])
    assert schema({"type": "string"}).apply([1, 2]) == (False, None)


def test_array_without_a_passing_element_fails_a_const():
    assert reference({"type": "string", "const": "x"}).apply(["y"]) == (False, None)


def test_pattern_on_an_array_without_a_passing_element_is_an_error():
    # Go's `value.(string)` on a []interface{}: a run-time panic in the reference.
    with pytest.raises(FilterError, match=UNSUPPORTED):
        reference({"type": "string", "pattern": "^x"}).apply(["y"])


def test_object_and_null_values_are_unsupported():
    for value in ({"a": 1}, None, [{"a": 1}]):
        with pytest.raises(FilterError, match=UNSUPPORTED):
            reference({"type": "string"}).apply(value)


def test_pattern_yields_its_one_capture_group_or_the_matched_text():
    assert reference({"type": "string", "pattern": "^did:web:([a-z.]+)"}).apply(
        "did:web:reg.example:iam:1"
    ) == (
        True,
        "reg.example",
    )
    assert reference({"type": "string", "pattern": "did:web"}).apply("x did:web y") == (True, "did:web")


def test_two_capture_groups_fail_only_when_the_pattern_matches():
    compiled = reference({"type": "string", "pattern": "^(a)(b)"})  # the reference loads it
    assert compiled.apply("xy") == (False, None)
    with pytest.raises(FilterError, match=MULTIPLE_GROUPS):
        compiled.apply("ab")


@pytest.mark.parametrize(
    ("member", "value"), [("const", 3), ("type", ["string"]), ("enum", [1]), ("pattern", 5)]
)
def test_members_the_go_struct_cannot_hold_are_refused(member, value):
    with pytest.raises(pex.InvalidDefinition, match=f"filter member '{member}'"):
        reference({"type": "string", member: value})


def test_hostile_patterns_stay_bounded_under_the_reference_semantics():
    with pytest.raises(pex.LimitExceeded):
        reference({"type": "string", "pattern": "^(a+)+$"})


def test_a_definition_matches_under_either_semantics():
    definition = {
        "id": "pd",
        "input_descriptors": [
            {
                "id": "org",
                "constraints": {
                    "fields": [
                        {
                            "path": ["$.type"],
                            "filter": {"type": "string", "const": "NutsOrganizationCredential"},
                        },
                        {
                            "id": "city",
                            "path": ["$.credentialSubject.organization.city"],
                            "filter": {"pattern": "."},
                        },
                    ]
                },
            }
        ],
    }
    credential = organization()
    assert pex.match_definition(definition, [credential]).matches[0].descriptor_id == "org"
    with pytest.raises(pex.NoCredentials):  # the untyped pattern refuses "Utrecht" under the reference
        pex.match_definition(definition, [credential], limits=REFERENCE)
