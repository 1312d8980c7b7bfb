"""Verifier side (PROTOCOL.md §3.7): resolve the descriptor map, re-run matching, compare."""

from __future__ import annotations

import pytest

from nutssim.specs import pex

from .helpers import Parser, b64, employee, jwt_vp, ldp_vp, load_json, organization, policy_pd, presentation

ORG_PD = policy_pd("zorgtoepassing.json", "zorgtoepassing", "organization")
USER_PD = policy_pd("zorgtoepassing.json", "zorgtoepassing", "user")
S2S_PD = policy_pd("rfc021-e2e.json", "test")
PICK_PD = load_json("nuts-reference/pd_jsonld_jwt_pick.json")
REFERENCE_TEXT = "presentation submission does not conform to presentation definition (id={})"


def _wallet_round(pd, wallet, vp_format):
    """What a wallet sends: (submission, envelope, parser)."""
    result = pex.match_definition(pd, wallet)
    submission = result.submission(submission_id="sub", vp_format=vp_format)
    return submission, presentation(list(result.credentials), vp_format), Parser(*wallet)


@pytest.mark.parametrize("vp_format", ["ldp_vp", "jwt_vp"])
@pytest.mark.parametrize(
    "pd, wallet",
    [
        (ORG_PD, [employee(), organization()]),
        (ORG_PD, [organization(jwt=True)]),
        (USER_PD, [employee(jwt=True)]),
        (S2S_PD, [employee(), organization()]),
        (PICK_PD, [organization(name="care home", city="IJbergen", jwt=True, alg="ES384")]),
    ],
    ids=["org-ld", "org-jwt", "user-jwt", "s2s", "pick"],
)
def test_what_the_wallet_builds_the_verifier_accepts(pd, wallet, vp_format):
    submission, envelope, parse = _wallet_round(pd, wallet, vp_format)
    result = pex.check_submission(pd, submission, envelope, parse_credential=parse)
    assert result.credentials == pex.match_definition(pd, wallet).mapping()
    assert result.presentation_index == 0


def test_accepts_a_submission_given_as_json():
    submission, envelope, parse = _wallet_round(ORG_PD, [organization()], "ldp_vp")
    pex.check_submission(ORG_PD, pex.dump(submission), envelope, parse_credential=parse)


def test_array_of_presentations_is_addressed_by_index():
    org, emp = organization(), employee()
    envelope = [ldp_vp([emp]), ldp_vp([org, emp], single_as_object=False)]
    submission = {
        "id": "s",
        "definition_id": "pd_any_care_organization_with_employee",
        "descriptor_map": [
            {
                "id": "id_nuts_care_organization_cred",
                "format": "ldp_vc",
                "path": "$[1].verifiableCredential[0]",
            },
            {"id": "id_employee_credential_cred", "format": "ldp_vc", "path": "$[1].verifiableCredential[1]"},
        ],
    }
    result = pex.check_submission(S2S_PD, submission, envelope, parse_credential=Parser(org, emp))
    assert result.presentation_index == 1  # the first VP alone does not fulfil the definition


def test_credentials_split_over_presentations_need_pooling():
    org, emp = organization(), employee()
    envelope = [ldp_vp([org]), ldp_vp([emp])]
    submission = {
        "id": "s",
        "definition_id": "pd_any_care_organization_with_employee",
        "descriptor_map": [
            {"id": "id_nuts_care_organization_cred", "format": "ldp_vc", "path": "$[0].verifiableCredential"},
            {"id": "id_employee_credential_cred", "format": "ldp_vc", "path": "$[1].verifiableCredential"},
        ],
    }
    with pytest.raises(pex.SubmissionMismatch, match="no presentation in the envelope fulfils"):
        pex.check_submission(S2S_PD, submission, envelope, parse_credential=Parser(org, emp))
    pooled = pex.check_submission(
        S2S_PD, submission, envelope, parse_credential=Parser(org, emp), pool_presentations=True
    )
    assert set(pooled.credentials) == {"id_nuts_care_organization_cred", "id_employee_credential_cred"}


def test_path_nested_through_a_presentation():
    # DIF PE v2 nesting: the outer path picks the VP in the envelope, the nested one the VC in it.
    org = organization()
    submission = {
        "id": "s",
        "definition_id": "pd_any_care_organization",
        "descriptor_map": [
            {
                "id": "id_nuts_care_organization_cred",
                "format": "ldp_vp",
                "path": "$[0]",
                "path_nested": {
                    "id": "id_nuts_care_organization_cred",
                    "format": "ldp_vc",
                    "path": "$.verifiableCredential",
                },
            }
        ],
    }
    resolved = pex.check_submission(ORG_PD, submission, [ldp_vp([org])], parse_credential=Parser(org))
    assert resolved.credentials["id_nuts_care_organization_cred"] == org


def test_path_nested_through_a_jwt_presentation():
    # A JWT VP carried as a string inside the envelope is decoded before the nested path runs.
    org = organization(jwt=True)
    envelope = {"holderBinding": jwt_vp([org]), "verifiableCredential": [org.raw]}
    submission = {
        "id": "s",
        "definition_id": "pd_any_care_organization",
        "descriptor_map": [
            {
                "id": "id_nuts_care_organization_cred",
                "format": "jwt_vp",
                "path": "$.holderBinding",
                "path_nested": {
                    "id": "id_nuts_care_organization_cred",
                    "format": "jwt_vc",
                    "path": "$.verifiableCredential[0]",
                },
            }
        ],
    }
    pex.check_submission(ORG_PD, submission, envelope, parse_credential=Parser(org))


# -- failures ---------------------------------------------------------------------------------------
def _mismatch(pd, submission, envelope, parse, **kw) -> pex.SubmissionMismatch:
    with pytest.raises(pex.SubmissionMismatch) as caught:
        pex.check_submission(pd, submission, envelope, parse_credential=parse, **kw)
    error = caught.value
    definition_id = pex.parse_definition(pd).id
    assert error.reference_text == REFERENCE_TEXT.format(definition_id)
    assert str(error).startswith(error.reference_text + ": ")
    return error


def test_first_match_rule_refuses_a_valid_but_later_credential():
    first, second = organization("urn:org:a", name="A"), organization("urn:org:b", name="B")
    envelope = ldp_vp([first, second], single_as_object=False)
    submission = {
        "id": "s",
        "definition_id": "pd_any_care_organization",
        "descriptor_map": [
            {"id": "id_nuts_care_organization_cred", "format": "ldp_vc", "path": "$.verifiableCredential[1]"}
        ],
    }
    error = _mismatch(ORG_PD, submission, envelope, Parser(first, second))
    assert "the first match in the presentation is credential #0 (urn:org:a)" in error.explanation


def test_wrong_credential_names_the_refusing_field():
    org, emp = organization(), employee()
    envelope = ldp_vp([org, emp], single_as_object=False)
    submission = {
        "id": "s",
        "definition_id": "pd_any_care_organization_with_employee",
        "descriptor_map": [
            {"id": "id_nuts_care_organization_cred", "format": "ldp_vc", "path": "$.verifiableCredential[1]"},
            {"id": "id_employee_credential_cred", "format": "ldp_vc", "path": "$.verifiableCredential[0]"},
        ],
    }
    error = _mismatch(S2S_PD, submission, envelope, Parser(org, emp))
    problem = next(p for p in error.problems if p.descriptor_id == "id_nuts_care_organization_cred")
    assert problem.field.pointer == "/input_descriptors/0/constraints/fields/0"
    assert problem.field.attempts[0].path == "$.type"
    assert '"NutsEmployeeCredential"' in problem.text()
    assert '{"const": "NutsOrganizationCredential", "type": "string"}' in problem.text()


def test_missing_descriptor_and_count():
    org, emp = organization(), employee()
    envelope = ldp_vp([org, emp], single_as_object=False)
    submission = {
        "id": "s",
        "definition_id": "pd_any_care_organization_with_employee",
        "descriptor_map": [
            {"id": "id_nuts_care_organization_cred", "format": "ldp_vc", "path": "$.verifiableCredential[0]"}
        ],
    }
    error = _mismatch(S2S_PD, submission, envelope, Parser(org, emp))
    assert "expected 2 credentials, got 1" in error.explanation
    assert "descriptor 'id_employee_credential_cred': not in the submission" in error.explanation


def test_extra_descriptor_is_refused():
    org = organization()
    submission = {
        "id": "s",
        "definition_id": "pd_any_care_organization",
        "descriptor_map": [
            {"id": "id_nuts_care_organization_cred", "format": "ldp_vc", "path": "$.verifiableCredential"},
            {"id": "made_up", "format": "ldp_vc", "path": "$.verifiableCredential"},
        ],
    }
    error = _mismatch(ORG_PD, submission, ldp_vp([org]), Parser(org))
    assert "descriptor 'made_up': not an input descriptor of the definition" in error.explanation


@pytest.mark.parametrize(
    "entry, words",
    [
        (
            {"format": "jwt_vc", "path": "$.verifiableCredential"},
            "is a JSON object, which format 'jwt_vc' cannot decode",
        ),
        ({"format": "ldp_vc", "path": "$.verifiableCredential[3]"}, "selects 0 values"),
        ({"format": "ldp_vc", "path": "$..id"}, "selects"),
        ({"format": "ldp_vc", "path": "verifiableCredential"}, "not a valid RFC 9535 JSONPath"),
        ({"format": "ldp_vp", "path": "$"}, "path_nested must point at the credential"),
        ({"format": "ldp_vc", "path": "$.holder"}, "is a JWT string, which format 'ldp_vc' cannot decode"),
        (
            {
                "format": "ldp_vc",
                "path": "$.verifiableCredential",
                "path_nested": {"id": "x", "format": "ldp_vc", "path": "$"},
            },
            "cannot have path_nested",
        ),
    ],
)
def test_unresolvable_entries(entry, words):
    org = organization()
    submission = {
        "id": "s",
        "definition_id": "pd_any_care_organization",
        "descriptor_map": [{"id": "id_nuts_care_organization_cred", **entry}],
    }
    error = _mismatch(ORG_PD, submission, ldp_vp([org]), Parser(org))
    assert words in error.explanation
    assert error.problems[0].descriptor_id == "id_nuts_care_organization_cred"


def test_unparseable_credential_is_reported_with_its_path():
    org = organization(jwt=True)
    submission = {
        "id": "s",
        "definition_id": "pd_any_care_organization",
        "descriptor_map": [
            {"id": "id_nuts_care_organization_cred", "format": "jwt_vc", "path": "$.verifiableCredential[0]"}
        ],
    }
    error = _mismatch(ORG_PD, submission, jwt_vp([org]), Parser())
    assert (
        "invalid jwt_vc credential at path '$.verifiableCredential[0]': unknown credential"
        in error.explanation
    )


def test_definition_id_must_match():
    submission, envelope, parse = _wallet_round(ORG_PD, [organization()], "ldp_vp")
    submission.definition_id = "other"
    error = _mismatch(ORG_PD, submission, envelope, parse)
    assert "the submission is for definition 'other'" in error.explanation


def test_empty_envelope_only_when_nothing_is_required():
    empty_pd = {"id": "none", "input_descriptors": []}
    submission = {"id": "s", "definition_id": "none", "descriptor_map": []}
    assert pex.check_submission(empty_pd, submission, [], parse_credential=Parser()).credentials == {}
    error = _mismatch(ORG_PD, {**submission, "definition_id": "pd_any_care_organization"}, [], Parser())
    assert "holds no presentation" in error.explanation


def test_default_jwt_vp_decoder_and_custom_one():
    org = organization(jwt=True)
    token = jwt_vp([org])
    assert pex.decode_jwt_vp(token)["verifiableCredential"] == [org.raw]
    with pytest.raises(ValueError, match="no 'vp' claim"):
        pex.decode_jwt_vp(f"{b64({'alg': 'none'})}.{b64({'iss': 'x'})}.")

    class Decoded:  # anything with a .document works, like nutssim.models.credential.Presentation
        def __init__(self, document):
            self.document = document

    view = pex.envelope_view(token, lambda v: Decoded(pex.decode_jwt_vp(v)))
    assert view["verifiableCredential"] == [org.raw]


def test_undecodable_envelope():
    submission = {"id": "s", "definition_id": "pd_any_care_organization", "descriptor_map": []}
    error = _mismatch(ORG_PD, submission, "not-a-jwt", Parser())
    assert "the envelope cannot be decoded: not a compact JWT" in error.explanation


def test_without_rematch_each_mapped_credential_is_checked_alone():
    # A control switched off: the later (valid) credential is accepted, a wrong one still is not.
    first, second = organization("urn:org:a", name="A"), organization("urn:org:b", name="B")
    envelope = ldp_vp([first, second], single_as_object=False)
    entry = {"id": "id_nuts_care_organization_cred", "format": "ldp_vc", "path": "$.verifiableCredential[1]"}
    submission = {"id": "s", "definition_id": "pd_any_care_organization", "descriptor_map": [entry]}
    result = pex.check_submission(
        ORG_PD, submission, envelope, parse_credential=Parser(first, second), rematch=False
    )
    assert result.credentials["id_nuts_care_organization_cred"] == second and result.match is None
    emp = employee()
    error = _mismatch(
        ORG_PD, submission, ldp_vp([emp, emp], single_as_object=False), Parser(emp), rematch=False
    )
    assert "does not fulfil the descriptor" in error.explanation
