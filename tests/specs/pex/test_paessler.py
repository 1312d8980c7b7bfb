"""Filter selectors under nuts-node as PaesslerAG/jsonpath over gval base reads them (issue #17, #22).

Each expectation is read from PaesslerAG/jsonpath at 3484786d6f97 (nuts-node's go.mod) and gval
v1.2.2: ``selector.go filterSelector``/``selectValue``, ``path.go ambiguousPath.evaluate``,
``gval.go base`` (``==``/``!=`` as ``reflect.DeepEqual``), ``operator.go convertToBool``, and
``test-suite_test.go knownParsingErrors`` for what the reference cannot parse.
"""

from __future__ import annotations

import pytest

from nutssim.models.credential import Credential
from nutssim.specs import nuts_policy, pex
from nutssim.specs.pex import paessler
from nutssim.specs.pex.paessler import Unmodelled

DOC = {
    "issuer": "did:web:x",
    "type": ["VerifiableCredential", "NutsOrganizationCredential"],
    "credentialSubject": [
        {"id": "did:web:a", "n": 1, "ok": True, "role": "nurse"},
        {"id": "did:web:b", "n": 2.0, "ok": False, "role": "doctor", "tag": "TRUE"},
        {"id": "did:web:x", "n": 0, "tag": "1.5"},
    ],
}


def _get(path: str) -> list:
    return paessler.parse(path, 32).evaluate(DOC)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ('$.credentialSubject[?(@.role=="nurse")].id', ["did:web:a"]),
        # did:web:x has no role: `@.role` fails, so the element is skipped even under `!=`.
        ('$.credentialSubject[?@.role != "nurse"].id', ["did:web:b"]),
        # float64 everywhere: the integer 2 in the filter equals the JSON 2.0, and 1 equals 1.
        ("$.credentialSubject[?(@.n==2)].id", ["did:web:b"]),
        ("$.credentialSubject[?(@.n==1.0)].id", ["did:web:a"]),
        # DeepEqual: a bool is no number (true is not 1).
        ("$.credentialSubject[?(@.ok==1)]", []),
        ("$.credentialSubject[?(@.ok==true)].id", ["did:web:a"]),
        # A lone term: convertToBool; a missing member is an error and skips the element.
        ("$.credentialSubject[?(@.ok)].id", ["did:web:a"]),
        ("$.credentialSubject[?(@.n)].id", ["did:web:a", "did:web:b"]),
        ("$.credentialSubject[?(@.tag)].id", ["did:web:b", "did:web:x"]),  # "TRUE", "1.5"
        # $ inside a filter is the document's root.
        ("$.credentialSubject[?(@.id==$.issuer)].n", [0]),
        # An array filtered element by element; an object by its member values.
        ('$.type[?(@=="NutsOrganizationCredential")]', ["NutsOrganizationCredential"]),
        ('$.credentialSubject[0][?(@=="nurse")]', ["nurse"]),
        # Ambiguous: the value is the list of matches, empty when none or when the parent is missing.
        ('$.credentialSubject[?(@.role=="admin")]', []),
        ("$.missing[?(@)]", []),
        # [n] past an array's end is null, not an error (selectValue).
        ('$.credentialSubject[?(@.id=="did:web:a")].list[3]', []),
        ('$[?(@=="did:web:x")]', ["did:web:x"]),
    ],
)
def test_the_reference_reading_of_a_filter_path(path: str, value: list) -> None:
    assert _get(path) == value


def test_index_past_the_end_after_a_filter_is_null():
    document = {"xs": [{"a": [1]}]}
    assert paessler.parse("$.xs[?(@.a[0]==1)].a[5]", 32).evaluate(document) == [None]
    # A lone list is no bool to convertToBool: an error, so the element is skipped.
    assert paessler.parse("$.xs[?(@.a)]", 32).evaluate(document) == []


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("$.a[?(@.k=='v')]", "a single-quoted string"),  # knownParsingErrors: could not parse string
        ("$.a[?(@.k>1)]", "a closing parenthesis"),  # gval base has no '>'
        ("$.a[?(@.k==1 && @.j)]", "a closing parenthesis"),  # nor '&&' (unknown operator &&)
        ("$.a[?(!(@.k==1))]", "a filter operand"),  # nor '!'
        ("$.a[?(@.k==null)]", "a filter operand"),  # an identifier: a variable of the root
        ("$..a[?(@)]", "a member name"),  # descent: not modelled
        ("$.a[?(@.b[?(@)])]", "a wildcard or filter inside a filter"),
        ('$.a[?(@.k=="v\\"")]', "a filter operand"),  # escapes: not modelled
    ],
)
def test_outside_the_subset_is_refused_with_the_reason(path: str, why: str) -> None:
    with pytest.raises(Unmodelled, match=why):
        paessler.parse(path, 32)


def _pd(path: str, flt: dict | None = None) -> dict:
    field: dict = {"path": [path]}
    if flt is not None:
        field["filter"] = flt
    return {"id": "pd", "input_descriptors": [{"id": "d", "constraints": {"fields": [field]}}]}


def _credential(document: dict) -> Credential:
    return Credential(raw=document, document=document, format="ldp_vc", proof_type=None)


def test_an_empty_match_list_fulfils_a_field_without_filter_under_the_reference():
    """matchField: the empty list is a value (not nil), so a field without filter matches."""
    pd = _pd('$.credentialSubject[?(@.role=="admin")]')
    assert pex.match_definition(pd, [_credential(DOC)], semantics=pex.NUTS_NODE).matches
    with pytest.raises(pex.NoCredentials):  # RFC 9535: no node, no match
        pex.match_definition(pd, [_credential(DOC)], semantics=pex.STRICT)


def test_the_list_of_matches_meets_the_reference_filter_element_by_element():
    pd = _pd('$.credentialSubject[?(@.role=="nurse")].id', {"type": "string", "const": "did:web:a"})
    assert pex.match_definition(pd, [_credential(DOC)], semantics=pex.NUTS_NODE).matches
    assert pex.match_definition(pd, [_credential(DOC)], semantics=pex.STRICT).matches


def test_policy_load_accepts_the_subset_under_nuts_node_only():
    """The reference loads filter paths; nutssim loads the modelled ones under nuts-node, refuses the rest."""
    path = '$.credentialSubject[?(@.role=="nurse")].id'
    policy = {"s": {"organization": _pd(path)}}
    loaded = nuts_policy.load(policy, reference=True)
    assert loaded
    with pytest.raises(nuts_policy.PolicyError, match="filter selectors"):
        nuts_policy.load(policy)
    quoted = {"s": {"organization": _pd("$.credentialSubject[?(@.role=='nurse')].id")}}
    with pytest.raises(nuts_policy.PolicyError, match="single-quoted string"):
        nuts_policy.load(quoted, reference=True)


@pytest.mark.parametrize("path", ["$.credentialSubject[*].missing", "$.nothing[*]", "$..absent"])
def test_a_wildcard_path_selecting_nothing_is_the_empty_list_under_the_reference(path: str) -> None:
    """ambiguousPath.evaluate: [] is a value, so a field without filter matches; the spec: no match."""
    pd = _pd(path)
    assert pex.match_definition(pd, [_credential(DOC)], semantics=pex.NUTS_NODE).matches
    for semantics in (pex.STRICT, pex.DEFAULT_SEMANTICS):
        with pytest.raises(pex.NoCredentials):
            pex.match_definition(pd, [_credential(DOC)], semantics=semantics)
    # With a filter the reference's matchFilter sees an empty array: no element passes, so it falls
    # through to the const/pattern checks after its switch: a bare type passes, a const does not.
    typed = _pd(path, {"type": "string"})
    assert pex.match_definition(typed, [_credential(DOC)], semantics=pex.NUTS_NODE).matches
    with pytest.raises(pex.NoCredentials):
        constant = _pd(path, {"type": "string", "const": "x"})
        pex.match_definition(constant, [_credential(DOC)], semantics=pex.NUTS_NODE)


def test_hostile_nesting_is_refused_not_a_recursion_error():
    path = "$.a[?" + "(" * 5000 + "@" + ")" * 5000 + "]"
    with pytest.raises(Unmodelled, match="nest deeper than 16"):
        paessler.parse(path, 32)
    assert paessler.parse("$.a[?" + "(" * 16 + "@" + ")" * 16 + "]", 32).evaluate({"a": [True, 0]}) == [True]
