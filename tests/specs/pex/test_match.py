"""Wallet-side matching: the Nuts reference definitions, submission requirements, selection, formats."""

from __future__ import annotations

import pytest

from nutssim.models.credential import Credential
from nutssim.specs import pex

from .helpers import HOLDER, employee, jwt_vc, ldp_vc, load_json, organization, policy_pd

ORG_PD = policy_pd("zorgtoepassing.json", "zorgtoepassing", "organization")
USER_PD = policy_pd("zorgtoepassing.json", "zorgtoepassing", "user")
S2S_PD = policy_pd("rfc021-e2e.json", "test")
X509_PD = policy_pd("didx509-e2e.json", "test")
PICK_PD = load_json("nuts-reference/pd_jsonld_jwt_pick.json")
CA = "did:x509:0:sha256:szqMaTpnD6GN0aRrT98eV4bhAoOgyItEZVyskYyL_Qc"
OTHER_NAME = "2.16.528.1.1007.99.2110-1-900030787-S-90000380-00.000-11223344"


def x509(issuer: str = f"{CA}::san:otherName:{OTHER_NAME}", *, alg: str = "PS256") -> Credential:
    subject = {
        "id": HOLDER,
        "subject": {"O": "Ziekenhuis Oost", "L": "Enschede"},
        "san": {"otherName": OTHER_NAME},
    }
    return jwt_vc("urn:x509:1", "X509Credential", subject, issuer=issuer, alg=alg)


# -- the zorgtoepassing organization and user definitions ------------------------------------------
@pytest.mark.parametrize("jwt", [False, True], ids=["json-ld", "jwt"])
def test_organization_definition_in_both_credential_shapes(jwt):
    # JSON-LD: credentialSubject is an object; JWT: an array. The PD lists both paths (PROTOCOL.md §3.4).
    wallet = [employee(jwt=jwt), organization(jwt=jwt)]
    result = pex.match_definition(ORG_PD, wallet)
    assert [m.descriptor_id for m in result.matches] == ["id_nuts_care_organization_cred"]
    assert result.matches[0].wallet_index == 1 and result.credentials == (wallet[1],)
    assert pex.resolve_fields(ORG_PD, result.mapping()) == {
        "organization_name": "Zorgcentrum De Linde",
        "organization_city": "Utrecht",
    }


@pytest.mark.parametrize("jwt", [False, True], ids=["json-ld", "jwt"])
def test_user_definition(jwt):
    result = pex.match_definition(USER_PD, [organization(), employee(jwt=jwt)])
    assert pex.resolve_fields(USER_PD, result.mapping()) == {
        "employee_identifier": "jdoe@linde",
        "employee_name": "J. Doe",
        "employee_role": "Verpleegkundige",
    }


def test_first_match_wins():
    first, second = organization("urn:org:a", name="A"), organization("urn:org:b", name="B")
    assert pex.match_definition(ORG_PD, [first, second]).credentials == (first,)
    assert pex.match_definition(ORG_PD, [second, first]).credentials == (second,)


def test_no_match_raises_no_credentials_and_explains_each_candidate():
    wallet = [employee(), organization(city=None)]  # type: ignore[arg-type]
    with pytest.raises(pex.NoCredentials) as caught:
        pex.match_definition(ORG_PD, wallet)
    error = caught.value
    assert error.definition_id == "pd_any_care_organization"
    assert "no credential for input descriptor 'id_nuts_care_organization_cred'" in str(error)
    report = error.report.descriptor("id_nuts_care_organization_cred")
    refused_type, refused_city = report.candidates
    assert refused_type.field.pointer == "/input_descriptors/0/constraints/fields/0"
    assert "NutsOrganizationCredential" in refused_type.text()
    # city is null: no value at either path, so the organization_city field refuses it.
    assert refused_city.field.field_id == "organization_city"
    assert (
        "no value at $.credentialSubject.organization.city, $.credentialSubject[0].organization.city"
        in refused_city.text()
    )


def test_explanation_names_field_path_value_and_filter():
    wallet = [organization(name=42)]  # type: ignore[arg-type]
    with pytest.raises(pex.NoCredentials) as caught:
        pex.match_definition(ORG_PD, wallet)
    text = caught.value.report.text()
    assert "field 'organization_name' (/input_descriptors/0/constraints/fields/1)" in text
    assert "$.credentialSubject.organization.name = 42 fails: 42 is not of type 'string'" in text
    assert 'filter {"type": "string"}' in text


def test_match_result_explains_itself():
    result = pex.match_definition(ORG_PD, [employee(), organization()])
    report = result.explain()
    assert report.descriptors[0].picked == 1
    assert [c.accepted for c in report.descriptors[0].candidates] == [False, True]
    assert "credential #1 picked" in report.text()


# -- formats -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "credential, allowed",
    [
        (organization(proof="JsonWebSignature2020"), True),
        (organization(proof="Ed25519Signature2018"), False),
        (organization(proof=None), True),  # self-attested, no proof: always passes (PROTOCOL.md §3.4)
        (organization(jwt=True, alg="ES256"), True),
        (organization(jwt=True, alg="ES384"), False),
    ],
)
def test_definition_format(credential, allowed):
    refusal = pex.format_refusal(pex.parse_definition(ORG_PD).format, credential)
    assert (refusal is None) is allowed
    if allowed:
        pex.match_definition(ORG_PD, [credential])
    else:
        with pytest.raises(pex.NoCredentials, match="format"):
            pex.match_definition(ORG_PD, [credential])


def test_format_missing_from_designation_refuses_and_unknown_format_passes():
    formats = pex.parse_definition(S2S_PD).format  # ldp_vc and ldp_vp only
    assert "jwt_vc is not among the allowed formats" in pex.format_refusal(formats, employee(jwt=True))
    holder_credential = Credential(raw={}, document={}, format="")
    assert pex.format_refusal(formats, holder_credential) is None


def test_descriptor_level_format_is_checked_too():
    pd = {
        "id": "pd",
        "input_descriptors": [
            {
                "id": "d",
                "format": {"jwt_vc": {"alg": ["ES256"]}},
                "constraints": {"fields": [{"path": ["$.type"]}]},
            }
        ],
    }
    assert pex.match_definition(pd, [organization(), organization(jwt=True)]).matches[0].wallet_index == 1


# -- submission requirements: pd_jsonld_jwt_pick.json ------------------------------------------------------
def ijbergen(*, jwt: bool, alg: str = "ES384") -> Credential:
    return organization(
        "urn:org:ij-" + ("jwt" if jwt else "ld"),
        name="Fair care",
        city="IJbergen",
        jwt=jwt,
        **({"alg": alg} if jwt else {}),
    )


def test_pick_over_group_takes_json_ld_shape():
    result = pex.match_definition(PICK_PD, [ijbergen(jwt=False)])
    assert [(m.descriptor_id, m.position) for m in result.matches] == [("as_jsonld", 0)]


def test_pick_over_group_takes_jwt_shape():
    result = pex.match_definition(PICK_PD, [ijbergen(jwt=True)])
    assert [m.descriptor_id for m in result.matches] == ["as_jwt"]


def test_pick_count_one_takes_the_first_group_member():
    result = pex.match_definition(PICK_PD, [ijbergen(jwt=True), ijbergen(jwt=False)])
    assert [(m.descriptor_id, m.wallet_index) for m in result.matches] == [("as_jsonld", 1)]


def test_pick_fails_when_the_format_refuses_everything():
    with pytest.raises(pex.NoCredentials) as caught:
        pex.match_definition(PICK_PD, [ijbergen(jwt=True, alg="ES256")])
    assert (
        "submission requirement (/submission_requirements/0) has less credentials (0) than required (1)"
        in str(caught.value)
    )


def _descriptor(id: str, type: str, group: list[str] | None = None) -> dict:
    d = {
        "id": id,
        "constraints": {"fields": [{"path": ["$.type"], "filter": {"type": "string", "const": type}}]},
    }
    return {**d, "group": group} if group else d


def _wallet(*types: str) -> list[Credential]:
    return [ldp_vc(f"urn:{t}:{i}", t, {"id": HOLDER}) for i, t in enumerate(types)]


GROUPED = [
    _descriptor("a1", "A1", ["A"]),
    _descriptor("a2", "A2", ["A"]),
    _descriptor("b1", "B1", ["B"]),
    _descriptor("b2", "B2", ["B"]),
    _descriptor("b3", "B3", ["B"]),
]


@pytest.mark.parametrize(
    "requirement, wallet, expected",
    [
        ({"rule": "all", "from": "A"}, ("A1", "A2"), ["a1", "a2"]),
        ({"rule": "all", "from": "A"}, ("A1",), None),
        ({"rule": "pick", "count": 2, "from": "B"}, ("B3", "B1", "B2"), ["b1", "b2"]),
        ({"rule": "pick", "count": 2, "from": "B"}, ("B3",), None),
        ({"rule": "pick", "min": 1, "max": 2, "from": "B"}, ("B1", "B2", "B3"), ["b1", "b2"]),
        ({"rule": "pick", "min": 2, "from": "B"}, ("B2",), None),
        ({"rule": "pick", "min": 0, "from": "B"}, ("A1",), []),
        # DIF pick_3 example: bank statements (all of A) or two of B.
        (
            {
                "rule": "pick",
                "count": 1,
                "from_nested": [{"rule": "all", "from": "A"}, {"rule": "pick", "count": 2, "from": "B"}],
            },
            ("B1", "B3"),
            ["b1", "b3"],
        ),
        (
            {
                "rule": "pick",
                "count": 1,
                "from_nested": [{"rule": "all", "from": "A"}, {"rule": "pick", "count": 2, "from": "B"}],
            },
            ("A1", "A2", "B1", "B3"),
            ["a1", "a2"],
        ),
        (
            {
                "rule": "all",
                "from_nested": [{"rule": "all", "from": "A"}, {"rule": "pick", "count": 2, "from": "B"}],
            },
            ("A1", "A2", "B1"),
            None,
        ),
    ],
)
def test_submission_requirement_rules(requirement, wallet, expected):
    named = _groups(requirement)  # a descriptor's group must be drawn from, so leave the others out
    pd = {
        "id": "pd",
        "submission_requirements": [requirement],
        "input_descriptors": [d for d in GROUPED if d["group"][0] in named],
    }
    if expected is None:
        with pytest.raises(pex.NoCredentials, match="submission requirement"):
            pex.match_definition(pd, _wallet(*wallet))
        return
    result = pex.match_definition(pd, _wallet(*wallet))
    assert sorted(m.descriptor_id for m in result.matches) == expected
    assert [m.position for m in result.matches] == list(range(len(expected)))


def _groups(requirement: dict) -> set[str]:
    if "from" in requirement:
        return {requirement["from"]}
    return set().union(*(_groups(r) for r in requirement["from_nested"]))


def test_a_group_no_requirement_draws_from_is_refused():
    pd = {
        "id": "pd",
        "submission_requirements": [{"rule": "all", "from": "A"}],
        "input_descriptors": [_descriptor("a", "A", ["A"]), _descriptor("z", "Z", ["Z"])],
    }
    with pytest.raises(pex.InvalidDefinition, match="group 'Z' is required but not available") as caught:
        pex.match_definition(pd, [])
    assert caught.value.pointer == "/input_descriptors/1/group/0"


def test_one_credential_for_two_descriptors():
    both = [
        _descriptor("first", "VerifiableCredential", ["G"]),
        _descriptor("second", "VerifiableCredential", ["G"]),
    ]
    wallet = _wallet("X")
    with_requirements = pex.match_definition(
        {"id": "pd", "submission_requirements": [{"rule": "all", "from": "G"}], "input_descriptors": both},
        wallet,
    )
    assert [m.descriptor_id for m in with_requirements.matches] == ["first"]  # de-duplicated
    basic = pex.match_definition(
        {"id": "pd", "input_descriptors": [{k: v for k, v in d.items() if k != "group"} for d in both]},
        wallet,
    )
    assert [(m.descriptor_id, m.position) for m in basic.matches] == [("first", 0), ("second", 1)]
    assert basic.credentials == (wallet[0], wallet[0])  # presented twice, as the reference does


def test_definition_without_descriptors_needs_nothing():
    result = pex.match_definition({"id": "empty", "input_descriptors": []}, [organization()])
    assert result.matches == () and not pex.credentials_required(
        pex.parse_definition({"id": "empty", "input_descriptors": []})
    )
    assert pex.dump(result.submission(submission_id="s", vp_format="jwt_vp"))["descriptor_map"] == []


# -- the issuer pattern and the regex capture (didx509-e2e.json) ----------------------------------------
def test_issuer_pattern_and_ura_capture():
    result = pex.match_definition(X509_PD, [x509()])
    assert pex.resolve_fields(X509_PD, result.mapping()) == {
        "organization_name": "Ziekenhuis Oost",
        "organization_ura": "90000380",
        "organization_city": "Enschede",
    }


def test_untrusted_issuer_is_refused_by_the_issuer_field():
    with pytest.raises(pex.NoCredentials) as caught:
        pex.match_definition(X509_PD, [x509(issuer="did:x509:0:sha256:EVIL::san:otherName:1")])
    candidate = caught.value.report.descriptors[0].candidates[0]
    assert candidate.field.pointer == "/input_descriptors/0/constraints/fields/1"
    assert candidate.field.attempts[0].path == "$.issuer"
    assert "does not match" in candidate.text() and "did:x509:0:sha256:EVIL" in candidate.text()


def test_issuer_filter_with_nested_filter_quirk_accepts_any_string_issuer():
    pd = policy_pd("definition_mapping.json", "example-scope")
    assert pex.match_definition(pd, [organization(issuer="did:web:anyone")]).matches


# -- credential_selection (PROTOCOL.md §3.9) ---------------------------------------------------------
NURSES = [organization(), employee("urn:emp:1", identifier="alice"), employee("urn:emp:2", identifier="bob")]


def test_selection_with_one_candidate_picks_it():
    result = pex.match_definition(S2S_PD, NURSES, selection={"employee_identifier": "bob"})
    assert result.mapping()["id_employee_credential_cred"].id == "urn:emp:2"


def test_selection_with_no_candidate_means_no_credential():
    with pytest.raises(pex.NoCredentials) as caught:
        pex.match_definition(S2S_PD, NURSES, selection={"employee_identifier": "carol"})
    report = caught.value.report.descriptor("id_employee_credential_cred")
    assert "credential_selection" in report.note
    assert [c.rejected_by for c in report.candidates] == ["field", "selection", "selection"]
    assert "field 'employee_identifier' is \"alice\", credential_selection asks 'carol'" in report.text()


def test_selection_with_two_candidates_is_an_error():
    twins = [*NURSES, employee("urn:emp:3", identifier="bob")]
    with pytest.raises(pex.MultipleCredentials, match="multiple matching credentials") as caught:
        pex.match_definition(S2S_PD, twins, selection={"employee_identifier": "bob"})
    assert caught.value.wallet_indexes == (2, 3)


def test_selection_key_must_name_a_field():
    with pytest.raises(pex.InvalidCredentialSelection) as caught:
        pex.match_definition(S2S_PD, NURSES, selection={"employee_id": "bob"})
    assert str(caught.value) == (
        "credential_selection key 'employee_id' does not match any field id in the presentation definition"
    )


def test_selection_compares_numbers_and_booleans_as_strings():
    pd = {
        "id": "pd",
        "input_descriptors": [
            {
                "id": "d",
                "constraints": {
                    "fields": [
                        {"id": "level", "path": ["$.credentialSubject.level"], "filter": {"type": "number"}},
                        {
                            "id": "active",
                            "path": ["$.credentialSubject.active"],
                            "filter": {"type": "boolean"},
                        },
                    ]
                },
            }
        ],
    }
    wallet = [
        ldp_vc("urn:1", "T", {"level": 2.0, "active": True}),
        ldp_vc("urn:2", "T", {"level": 2.5, "active": True}),
    ]
    assert pex.match_definition(pd, wallet, selection={"level": "2", "active": "true"}).credentials == (
        wallet[0],
    )
    assert pex.match_definition(pd, wallet, selection={"level": "2.5"}).credentials == (wallet[1],)


def test_selection_leaves_other_descriptors_on_first_match():
    result = pex.match_definition(
        S2S_PD,
        [organization("urn:org:a"), organization("urn:org:b"), *NURSES[1:]],
        selection={"employee_identifier": "alice"},
    )
    assert result.mapping()["id_nuts_care_organization_cred"].id == "urn:org:a"


# -- optional fields ---------------------------------------------------------------------------------
OPTIONAL_PD = {
    "id": "pd",
    "input_descriptors": [
        {
            "id": "d",
            "constraints": {
                "fields": [
                    {"path": ["$.type"], "filter": {"type": "string", "const": "T"}},
                    {
                        "id": "nick",
                        "path": ["$.credentialSubject.nick"],
                        "filter": {"type": "string"},
                        "optional": True,
                    },
                ]
            },
        }
    ],
}


def test_optional_field_may_be_absent_but_not_wrong():
    absent, wrong = ldp_vc("urn:1", "T", {"id": HOLDER}), ldp_vc("urn:2", "T", {"nick": 7})
    result = pex.match_definition(OPTIONAL_PD, [wrong, absent])
    assert result.credentials == (absent,)
    assert pex.resolve_fields(OPTIONAL_PD, result.mapping()) == {"nick": None}


# -- the submission the wallet sends ---------------------------------------------------------------
def test_submission_paths_follow_the_presentation_order():
    result = pex.match_definition(S2S_PD, [employee(), organization(jwt=False)])
    submission = pex.dump(result.submission(submission_id="3f1d", vp_format="ldp_vp"))
    assert submission == {
        "id": "3f1d",
        "definition_id": "pd_any_care_organization_with_employee",
        "descriptor_map": [
            {"id": "id_nuts_care_organization_cred", "format": "ldp_vc", "path": "$.verifiableCredential[0]"},
            {"id": "id_employee_credential_cred", "format": "ldp_vc", "path": "$.verifiableCredential[1]"},
        ],
    }


def test_submission_format_is_the_credential_format():
    result = pex.match_definition(USER_PD, [employee(jwt=True)])
    entry = pex.dump(result.submission(submission_id="s", vp_format="jwt_vp"))["descriptor_map"][0]
    assert entry == {
        "id": "id_employee_credential_cred",
        "format": "jwt_vc",
        "path": "$.verifiableCredential[0]",
    }


def test_fulfil_and_bad_vp_format():
    submission, result = pex.fulfil(USER_PD, [employee()], submission_id="s", vp_format="ldp_vp")
    assert submission.descriptor_map[0].path == "$.verifiableCredential"
    assert pex.verifiable_credential_member(result.credentials, "ldp_vp") == result.credentials[0].raw
    with pytest.raises(Exception, match="vp_format must be one of"):
        result.submission(submission_id="s", vp_format="jwt_vc")
