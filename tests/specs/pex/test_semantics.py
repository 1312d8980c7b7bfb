"""The reading per mode (``Semantics``): each reference deviation under NUTS_NODE, the DIF text under STRICT.

Each test names the reference code (nuts-node vcr/pe at d2ad162) and the DIF PE v2.0.0 clause
it pins. The three bugs of issue #22 come first: where the reference shares a bug the fix is
strict-only, and the reference behaviour is asserted under NUTS_NODE.
"""

from __future__ import annotations

import pytest

from nutssim.errors import SimulationError
from nutssim.models.credential import Credential
from nutssim.specs import pex
from nutssim.specs.pex.reference_filter import MULTIPLE_GROUPS, FilterError

from .helpers import HOLDER, Parser, jwt_vp, ldp_vc, ldp_vp, load_json, organization, presentation

MODES = [pex.DEFAULT_SEMANTICS, pex.NUTS_NODE, pex.STRICT]
REFERENCE_LIKE = [pex.DEFAULT_SEMANTICS, pex.NUTS_NODE]


def _descriptor(id: str, type: str, group: list[str] | None = None) -> dict:
    d: dict = {
        "id": id,
        "constraints": {
            "fields": [{"path": ["$.credentialSubject.kind"], "filter": {"type": "string", "const": type}}]
        },
    }
    if group:
        d["group"] = group
    return d


def _wallet(*types: str) -> list[Credential]:
    # The kind is a string member, so the filter reads alike under every semantics.
    return [ldp_vc(f"urn:{t}:{i}", t, {"id": HOLDER, "kind": t}) for i, t in enumerate(types)]


# -- bug 1: a nested requirement that is met by selecting nothing ---------------------------------
NESTED_EMPTY = {
    "id": "pd_nested_empty",
    "submission_requirements": [
        {
            "rule": "all",
            "from_nested": [
                {"rule": "all", "from": "A"},
                {"rule": "pick", "min": 0, "from": "B"},
            ],
        }
    ],
    "input_descriptors": [_descriptor("a", "A", ["A"]), _descriptor("b", "B", ["B"])],
}


@pytest.mark.parametrize("semantics", REFERENCE_LIKE, ids=lambda s: s.name)
def test_bug1_reference_counts_an_empty_nested_pick_as_unmet(semantics):
    # submission_requirement.go fromNested: selectedVCs[i] = vcs (empty) → apply counts it empty,
    # so the `all` parent fails; the reference shares the bug, so it stays under its reading.
    with pytest.raises(pex.NoCredentials, match="does not have all credentials from the group"):
        pex.match_definition(NESTED_EMPTY, _wallet("A"), semantics=semantics)


def test_bug1_strict_counts_a_met_nested_requirement_as_met():
    # DIF PE v2 §Submission Requirement Rules: `pick` with `min: 0` is met by selecting nothing.
    result = pex.match_definition(NESTED_EMPTY, _wallet("A"), semantics=pex.STRICT)
    assert [m.descriptor_id for m in result.matches] == ["a"]
    only_max = {
        **NESTED_EMPTY,
        "submission_requirements": [
            {
                "rule": "all",
                "from_nested": [{"rule": "all", "from": "A"}, {"rule": "pick", "max": 1, "from": "B"}],
            }
        ],
    }
    assert [
        m.descriptor_id for m in pex.match_definition(only_max, _wallet("A"), semantics=pex.STRICT).matches
    ] == ["a"]


def test_bug1_a_failed_nested_requirement_still_fails_under_strict():
    with pytest.raises(pex.NoCredentials):
        pex.match_definition(NESTED_EMPTY, _wallet("B"), semantics=pex.STRICT)


# -- bug 2: descriptor_map entries with format jwt_vp ---------------------------------------------
ORG_PD = {
    "id": "pd_org",
    "input_descriptors": [
        {
            "id": "org",
            "constraints": {
                "fields": [
                    {
                        "path": ["$.type"],
                        "filter": {"type": "array", "contains": {"const": "NutsOrganizationCredential"}},
                    }
                ]
            },
        }
    ],
}


def _openid4vp_submission(path: str, nested_path: str) -> dict:
    return {
        "id": "s",
        "definition_id": "pd_org",
        "descriptor_map": [
            {
                "id": "org",
                "format": "jwt_vp",
                "path": path,
                "path_nested": {"id": "org", "format": "jwt_vc", "path": nested_path},
            }
        ],
    }


@pytest.mark.parametrize(
    "envelope_of, path",
    [(lambda vp: [vp], "$[0]"), (lambda vp: vp, "$")],
    ids=["array-of-vps", "single-vp"],
)
def test_bug2_strict_resolves_jwt_vp_entries_on_the_envelope_as_sent(envelope_of, path):
    # DIF PE v2 §Processing of Submission Entries: decode the value at `path` by its format.
    org = organization(jwt=True)
    submission = _openid4vp_submission(path, "$.vp.verifiableCredential[0]")
    result = pex.check_submission(
        ORG_PD, submission, envelope_of(jwt_vp([org])), parse_credential=Parser(org), semantics=pex.STRICT
    )
    assert result.credentials == {"org": org}


@pytest.mark.parametrize("semantics", REFERENCE_LIKE, ids=lambda s: s.name)
@pytest.mark.parametrize("envelope_of, path", [(lambda vp: [vp], "$[0]"), (lambda vp: vp, "$")])
def test_bug2_reference_never_resolves_a_top_level_jwt_vp_entry(semantics, envelope_of, path):
    # util.go vpAsInterface decodes top-level JWT VPs to their `vp` claim; resolveCredential then
    # finds a map announced as jwt_vp and decodes nothing: "can't be decoded using format".
    org = organization(jwt=True)
    submission = _openid4vp_submission(path, "$.verifiableCredential[0]")
    with pytest.raises(pex.SubmissionMismatch, match="cannot decode") as caught:
        pex.check_submission(
            ORG_PD, submission, envelope_of(jwt_vp([org])), parse_credential=Parser(org), semantics=semantics
        )
    assert caught.value.semantics.startswith(semantics.name)


@pytest.mark.parametrize("vp_format", ["ldp_vp", "jwt_vp"])
@pytest.mark.parametrize("semantics", MODES, ids=lambda s: s.name)
def test_what_each_wallet_builds_its_own_verifier_accepts(semantics, vp_format):
    org = organization(jwt=vp_format == "jwt_vp")
    result = pex.match_definition(ORG_PD, [org], semantics=semantics)
    submission = result.submission(submission_id="s", vp_format=vp_format)
    entry = pex.dump(submission)["descriptor_map"][0]
    if semantics is pex.STRICT and vp_format == "jwt_vp":  # the OpenID4VP shape
        assert (entry["path"], entry["path_nested"]["path"]) == ("$", "$.vp.verifiableCredential[0]")
    envelope = presentation(list(result.credentials), vp_format)
    checked = pex.check_submission(
        ORG_PD, submission, envelope, parse_credential=Parser(org), semantics=semantics
    )
    assert checked.credentials == {"org": org}


# -- bug 3: a pattern with two capture groups ----------------------------------------------------
@pytest.mark.parametrize("semantics", MODES, ids=lambda s: s.name)
@pytest.mark.parametrize("example", ["input_descriptors_example", "multi_group_example"])
def test_bug3_the_dif_examples_with_two_group_patterns_compile(semantics, example):
    document = load_json(f"dif-pex/examples/presentation-definition__{example}.json")
    pex.compile_definition(document["presentation_definition"], semantics=semantics)


def _two_groups(with_id: bool) -> dict:
    field = {"path": ["$.credentialSubject.code"], "filter": {"type": "string", "pattern": "^(a)(b)"}}
    return {
        "id": "pd_groups",
        "input_descriptors": [
            {"id": "d", "constraints": {"fields": [{**field, "id": "x"} if with_id else field]}}
        ],
    }


@pytest.mark.parametrize("semantics", [pex.DEFAULT_SEMANTICS, pex.STRICT], ids=lambda s: s.name)
def test_bug3_two_groups_match_in_a_field_without_an_id(semantics):
    credential = ldp_vc("urn:c", "C", {"id": HOLDER, "code": "abc"})
    assert pex.match_definition(_two_groups(False), [credential], semantics=semantics).matches
    with pytest.raises(pex.InvalidDefinition, match="in a field with an id"):  # the claim would be ambiguous
        pex.compile_definition(_two_groups(True), semantics=semantics)


def test_bug3_reference_errs_only_when_a_two_group_pattern_matches():
    # matchFilter: "can't return results from multiple regex capture groups", id or not.
    pex.compile_definition(_two_groups(True), semantics=pex.NUTS_NODE)
    miss = ldp_vc("urn:m", "C", {"id": HOLDER, "code": "zzz"})
    hit = ldp_vc("urn:h", "C", {"id": HOLDER, "code": "abc"})
    with pytest.raises(pex.NoCredentials):
        pex.match_definition(_two_groups(False), [miss], semantics=pex.NUTS_NODE)
    with pytest.raises(FilterError, match=MULTIPLE_GROUPS):
        pex.match_definition(_two_groups(False), [hit], semantics=pex.NUTS_NODE)


# -- the other deviations, one switch each -----------------------------------------------------------
def _one_field(field: dict) -> dict:
    return {"id": "pd", "input_descriptors": [{"id": "d", "constraints": {"fields": [field]}}]}


def _passes(definition: dict, document: dict, semantics: pex.Semantics) -> bool:
    credential = Credential(raw=document, document=document, format="ldp_vc", proof_type=None)
    try:
        pex.match_definition(definition, [credential], semantics=semantics)
    except pex.NoCredentials:
        return False
    return True


def test_array_elements():
    # matchFilter's []interface{} branch; the spec validates the array itself.
    pd = _one_field({"path": ["$.type"], "filter": {"type": "string", "const": "X"}})
    document = {"type": ["VerifiableCredential", "X"]}
    assert _passes(pd, document, pex.DEFAULT_SEMANTICS) and _passes(pd, document, pex.NUTS_NODE)
    assert not _passes(pd, document, pex.STRICT)
    contains = _one_field({"path": ["$.type"], "filter": {"type": "array", "contains": {"const": "X"}}})
    assert _passes(contains, document, pex.STRICT)


def test_null_is_absent():
    # matchField: `if value == nil { continue }`; the spec validates null against the filter.
    absent_ok = _one_field({"path": ["$.a"], "filter": {"type": "null"}})
    assert _passes(absent_ok, {"a": None}, pex.STRICT)
    assert not _passes(absent_ok, {"a": None}, pex.DEFAULT_SEMANTICS)
    no_filter = _one_field({"path": ["$.a"]})
    assert _passes(no_filter, {"a": None}, pex.STRICT) and not _passes(no_filter, {"a": None}, pex.NUTS_NODE)


def test_nodes_as_one_value():
    # PaesslerAG jsonpath.Get gives a wildcard's nodes as one array; the spec tries each node.
    pd = _one_field({"path": ["$.list[*].n"], "filter": {"type": "number", "minimum": 5}})
    document = {"list": [{"n": 1}, {"n": 7}]}
    assert _passes(pd, document, pex.STRICT)
    whole = _one_field({"path": ["$.list[*].n"], "filter": {"type": "array", "minItems": 2}})
    assert _passes(whole, document, pex.DEFAULT_SEMANTICS) and not _passes(whole, document, pex.STRICT)


def test_optional_excuses_absence_only():
    # matchField, and the spec's fields object ("… MUST validate against the JSON Schema filter");
    # the switch takes Input Evaluation step 1.1.3's wider reading.
    pd = _one_field({"path": ["$.a"], "filter": {"type": "string", "const": "x"}, "optional": True})
    for semantics in MODES:
        assert not _passes(pd, {"a": "y"}, semantics)
        assert _passes(pd, {}, semantics)
    wider = pex.Semantics(name="step-1.1.3", **{**pex.STRICT.switches(), "optional_absence_only": False})
    assert _passes(pd, {"a": "y"}, wider)


def test_deduplicate_selection_drops_descriptors_only_under_the_reference():
    both = [
        _descriptor("first", "X", ["G"]),
        _descriptor("second", "X", ["G"]),
    ]
    pd = {"id": "pd", "submission_requirements": [{"rule": "all", "from": "G"}], "input_descriptors": both}
    wallet = _wallet("X")
    reference = pex.match_definition(pd, wallet, semantics=pex.NUTS_NODE)
    assert [m.descriptor_id for m in reference.matches] == ["first"]
    strict = pex.match_definition(pd, wallet, semantics=pex.STRICT)
    assert [(m.descriptor_id, m.position) for m in strict.matches] == [("first", 0), ("second", 0)]
    assert strict.credentials == (wallet[0],)
    submission = strict.submission(submission_id="s", vp_format="ldp_vp")
    checked = pex.check_submission(
        pd,
        submission,
        ldp_vp(list(strict.credentials)),
        parse_credential=Parser(*wallet),
        semantics=pex.STRICT,
    )
    assert set(checked.credentials) == {"first", "second"}


def test_present_twice_only_under_the_reference():
    both = [_descriptor("first", "X"), _descriptor("second", "X")]
    pd = {"id": "pd", "input_descriptors": both}
    wallet = _wallet("X")
    assert pex.match_definition(pd, wallet, semantics=pex.NUTS_NODE).credentials == (wallet[0], wallet[0])
    assert pex.match_definition(pd, wallet, semantics=pex.STRICT).credentials == (wallet[0],)


def _two_orgs_submission(index: int) -> dict:
    return {
        "id": "s",
        "definition_id": "pd_org",
        "descriptor_map": [{"id": "org", "format": "ldp_vc", "path": f"$.verifiableCredential[{index}]"}],
    }


def test_verifier_first_match():
    # presentation_submission.go Validate demands its own first match; the spec, a fulfilling entry.
    first, second = organization("urn:org:1"), organization("urn:org:2")
    envelope = ldp_vp([first, second], single_as_object=False)
    parse = Parser(first, second)
    with pytest.raises(pex.SubmissionMismatch, match="the verifier takes the first match"):
        pex.check_submission(
            ORG_PD, _two_orgs_submission(1), envelope, parse_credential=parse, semantics=pex.NUTS_NODE
        )
    checked = pex.check_submission(
        ORG_PD, _two_orgs_submission(1), envelope, parse_credential=parse, semantics=pex.STRICT
    )
    assert checked.credentials == {"org": second}
    assert checked.semantics == "strict (the DIF PE v2.0.0 text)"


def test_strict_verifier_still_needs_every_descriptor():
    pd = {"id": "pd_two", "input_descriptors": [_descriptor("a", "A"), _descriptor("b", "B")]}
    a, b = _wallet("A", "B")
    submission = {
        "id": "s",
        "definition_id": "pd_two",
        "descriptor_map": [{"id": "a", "format": "ldp_vc", "path": "$.verifiableCredential[0]"}],
    }
    with pytest.raises(pex.SubmissionMismatch, match="every input descriptor is required"):
        pex.check_submission(
            pd,
            submission,
            ldp_vp([a, b], single_as_object=False),
            parse_credential=Parser(a, b),
            semantics=pex.STRICT,
        )


def test_overwrite_duplicate_entries():
    # Resolve's map keeps the last entry per id; the spec processes each entry.
    org = organization()
    other = ldp_vc("urn:x", "Other", {"id": HOLDER})
    envelope = ldp_vp([org, other], single_as_object=False)
    submission = {
        "id": "s",
        "definition_id": "pd_org",
        "descriptor_map": [
            {"id": "org", "format": "ldp_vc", "path": "$.verifiableCredential[0]"},
            {"id": "org", "format": "ldp_vc", "path": "$.verifiableCredential[1]"},
        ],
    }
    parse = Parser(org, other)
    with pytest.raises(pex.SubmissionMismatch):  # the last entry (a wrong credential) wins the map
        pex.check_submission(ORG_PD, submission, envelope, parse_credential=parse, rematch=False)
    strict = pex.Semantics(
        name="overwrite-off", **{**pex.DEFAULT_SEMANTICS.switches(), "overwrite_duplicate_entries": False}
    )
    with pytest.raises(
        pex.SubmissionMismatch, match="does not fulfil the descriptor"
    ):  # each entry is checked
        pex.check_submission(
            ORG_PD, submission, envelope, parse_credential=parse, rematch=False, semantics=strict
        )


# -- the mode object itself ----------------------------------------------------------------------
def test_presets_differ_only_where_documented():
    assert pex.NUTS_NODE.differs_from(pex.DEFAULT_SEMANTICS) == [
        "reference_filters",
        "paessler_filters",
        "empty_list_is_a_value",
    ]
    assert [name for name, on in pex.STRICT.switches().items() if on] == ["optional_absence_only"]
    assert all(pex.NUTS_NODE.switches().values())
    assert pex.semantics_for("nuts-node-gf") is pex.NUTS_NODE
    assert pex.semantics_for("strict") is pex.STRICT


def test_unknown_preset_is_a_usage_error():
    with pytest.raises(SimulationError, match="known:"):
        pex.semantics_for("nuts")


def test_compiled_definitions_are_cached_per_semantics():
    strict = pex.compile_definition(ORG_PD, semantics=pex.STRICT)
    assert strict is pex.compile_definition(ORG_PD, semantics=pex.STRICT)
    assert strict is not pex.compile_definition(ORG_PD, semantics=pex.NUTS_NODE)
    assert pex.compile_definition(strict) is strict
    assert pex.compile_definition(strict, semantics=pex.NUTS_NODE).semantics is pex.NUTS_NODE


def test_explain_says_which_semantics_decided():
    pd = _one_field({"path": ["$.a"], "filter": {"type": "string", "const": "x"}})
    credential = Credential(raw={"a": "y"}, document={"a": "y"}, format="ldp_vc", proof_type=None)
    with pytest.raises(pex.NoCredentials) as caught:
        pex.match_definition(pd, [credential], semantics=pex.STRICT)
    assert "semantics: strict (the DIF PE v2.0.0 text)" in caught.value.report.text()
    with pytest.raises(pex.NoCredentials) as caught:
        pex.match_definition(pd, [credential], semantics=pex.NUTS_NODE)
    assert "semantics: nuts-node (reference behaviour: reference_filters" in caught.value.report.text()


# -- JSONPath filter selectors: evaluated under both modes, bounded ---------------------------------
FILTERED = _one_field(
    {
        "path": ["$.credentialSubject.roles[?@.kind == 'nurse'].since"],
        "filter": {"type": "string", "format": "date"},
    }
)
NURSE = {
    "credentialSubject": {
        "roles": [{"kind": "doctor", "since": "x"}, {"kind": "nurse", "since": "2020-01-01"}]
    }
}


def test_filter_selectors_run_under_both_modes_and_stay_refused_by_default():
    assert _passes(FILTERED, NURSE, pex.STRICT)
    # The reference's gval reads 'nurse' as a Go char literal it cannot unquote (paessler.py):
    # outside the modelled subset, refused; with double quotes it is the reference's list of one.
    with pytest.raises(pex.InvalidDefinition, match="a single-quoted string"):
        pex.compile_definition(FILTERED, semantics=pex.NUTS_NODE)
    double = _one_field(
        {
            **FILTERED["input_descriptors"][0]["constraints"]["fields"][0],
            "path": ['$.credentialSubject.roles[?@.kind == "nurse"].since'],
        }
    )
    assert _passes(double, NURSE, pex.NUTS_NODE)
    assert _passes(double, NURSE, pex.STRICT)
    with pytest.raises(pex.LimitExceeded, match="filter selectors"):
        pex.compile_definition(FILTERED)


def test_a_filter_selector_regex_goes_through_the_cost_guard():
    # RFC 9535 match(): a backtracking-prone pattern is refused (LogicalFalse), not run.
    hostile = _one_field({"path": ["$.credentialSubject.items[?match(@.v, '(a+)+$')]"]})
    document = {"credentialSubject": {"items": [{"v": "a" * 40 + "!"}]}}
    assert not _passes(hostile, document, pex.STRICT)
    fine = _one_field({"path": ["$.credentialSubject.items[?match(@.v, 'a+!')]"]})
    assert _passes(fine, document, pex.STRICT)
    search = _one_field({"path": ["$.credentialSubject.items[?search(@.v, '!')]"]})
    assert _passes(search, document, pex.STRICT)


def test_filter_selectors_nest_at_most_two_deep():
    deep = _one_field({"path": ["$.a[?@.b[?@.c[?@.d == 1]]]"]})
    with pytest.raises(pex.LimitExceeded, match="nest 3 deep"):
        pex.compile_definition(deep, semantics=pex.STRICT)
    pex.compile_definition(_one_field({"path": ["$.a[?@.b[?@.c == 1]]"]}), semantics=pex.STRICT)


# -- predicate and the relational constraints (spec only; the reference ignores them) -----------------
def test_predicate_yields_true_under_strict_and_the_value_under_the_reference():
    pd = _one_field(
        {
            "id": "adult",
            "path": ["$.credentialSubject.birthDate"],
            "filter": {"type": "string", "format": "date", "formatMaximum": "2006-01-01"},
            "predicate": "required",
        }
    )
    credential = ldp_vc("urn:b", "Id", {"id": HOLDER, "birthDate": "1990-01-01"})
    strict = pex.match_definition(pd, [credential], semantics=pex.STRICT)
    assert pex.resolve_fields(pd, strict.mapping(), semantics=pex.STRICT) == {"adult": True}
    assert pex.resolve_fields(pd, strict.mapping(), semantics=pex.NUTS_NODE) == {"adult": "1990-01-01"}


def _with(constraints: dict) -> dict:
    return {
        "id": "pd_rel",
        "input_descriptors": [
            {
                "id": "d",
                "constraints": {"fields": [{"id": "k", "path": ["$.credentialSubject.kind"]}], **constraints},
            }
        ],
    }


def test_subject_is_issuer():
    pd = _with({"subject_is_issuer": "required"})
    issued = ldp_vc("urn:i", "T", {"id": HOLDER, "kind": "A"})
    self_attested = ldp_vc("urn:s", "T", {"id": HOLDER, "kind": "A"}, issuer=HOLDER)
    result = pex.match_definition(pd, [issued, self_attested], semantics=pex.STRICT)
    assert result.matches[0].credential is self_attested
    assert (
        pex.match_definition(pd, [issued, self_attested], semantics=pex.NUTS_NODE).matches[0].credential
        is issued
    )
    with pytest.raises(pex.NoCredentials, match="subject_is_issuer is required"):
        pex.match_definition(pd, [issued], semantics=pex.STRICT)


def test_is_holder_needs_the_holder():
    pd = _with({"is_holder": [{"field_id": ["k"], "directive": "required"}]})
    mine = ldp_vc("urn:m", "T", {"id": HOLDER, "kind": "A"})
    theirs = ldp_vc("urn:t", "T", {"id": "did:web:other.example", "kind": "A"})
    result = pex.match_definition(pd, [theirs, mine], semantics=pex.STRICT, holder=HOLDER)
    assert result.matches[0].credential is mine
    with pytest.raises(pex.NoCredentials, match="the holder is not known"):
        pex.match_definition(pd, [mine], semantics=pex.STRICT)
    assert pex.match_definition(pd, [theirs], semantics=pex.NUTS_NODE).matches  # ignored by the reference
    submission = result.submission(submission_id="s", vp_format="ldp_vp")
    with pytest.raises(pex.SubmissionMismatch, match="is_holder is required"):
        pex.check_submission(
            pd,
            submission,
            ldp_vp([mine]),
            parse_credential=Parser(mine),
            semantics=pex.STRICT,
            holder="did:x:y",
        )


def test_same_subject_across_descriptors():
    pd = {
        "id": "pd_same",
        "input_descriptors": [
            {
                "id": "a",
                "constraints": {
                    "fields": [{"id": "fa", "path": ["$.credentialSubject.a"]}],
                    "same_subject": [{"field_id": ["fa", "fb"], "directive": "required"}],
                },
            },
            {"id": "b", "constraints": {"fields": [{"id": "fb", "path": ["$.credentialSubject.b"]}]}},
        ],
    }
    a = ldp_vc("urn:a", "T", {"id": HOLDER, "a": 1})
    b_other = ldp_vc("urn:b", "T", {"id": "did:web:other.example", "b": 2})
    b_same = ldp_vc("urn:b2", "T", {"id": HOLDER, "b": 2})
    assert pex.match_definition(pd, [a, b_same], semantics=pex.STRICT).matches
    with pytest.raises(pex.NoCredentials, match="same_subject is required"):
        pex.match_definition(pd, [a, b_other], semantics=pex.STRICT)
    assert pex.match_definition(pd, [a, b_other], semantics=pex.NUTS_NODE).matches


def test_compare_semantics_says_where_the_grant_differs():
    pd = _one_field({"path": ["$.type"], "filter": {"type": "string", "const": "X"}})
    credential = ldp_vc("urn:x", "X", {"id": HOLDER})
    comparison = pex.compare_semantics(pd, [credential])
    assert not comparison.agree
    assert comparison.first.fulfilled and not comparison.second.fulfilled
    assert "nuts-node: d→#0" in comparison.text() and "array_elements" in comparison.text()
    same = pex.compare_semantics(_one_field({"path": ["$.id"], "filter": {"type": "string"}}), [credential])
    assert same.agree and same.text() == "nuts-node and strict agree"


def test_strict_explains_an_element_wise_filter_with_a_hint():
    pd = _one_field({"path": ["$.type"], "filter": {"type": "string", "const": "X"}})
    credential = ldp_vc("urn:x", "X", {"id": HOLDER})
    with pytest.raises(pex.NoCredentials) as caught:
        pex.match_definition(pd, [credential], semantics=pex.STRICT)
    assert '"contains"' in caught.value.report.text()


def test_statuses_are_checked_against_status_of_under_strict():
    pd = _with({"statuses": {"active": {"directive": "required"}, "revoked": {"directive": "disallowed"}}})
    live = ldp_vc("urn:live", "T", {"id": HOLDER, "kind": "A"})
    revoked = ldp_vc("urn:gone", "T", {"id": HOLDER, "kind": "A"})
    known = {"urn:live": {"active"}, "urn:gone": {"revoked"}}

    def status_of(credential):
        return known[credential.id]

    result = pex.match_definition(pd, [revoked, live], semantics=pex.STRICT, status_of=status_of)
    assert result.matches[0].credential is live
    with pytest.raises(pex.NoCredentials, match="status 'active' is required"):
        pex.match_definition(pd, [revoked], semantics=pex.STRICT, status_of=status_of)
    with pytest.raises(pex.NoCredentials, match="pass status_of="):
        pex.match_definition(pd, [live], semantics=pex.STRICT)
    assert pex.match_definition(pd, [revoked], semantics=pex.NUTS_NODE).matches  # ignored by the reference
    allowed = _with({"statuses": {"suspended": {"directive": "allowed"}}})
    assert pex.match_definition(allowed, [revoked], semantics=pex.STRICT).matches
