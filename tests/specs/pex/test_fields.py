"""Field ids → introspection claims (PROTOCOL.md §3.10)."""

from __future__ import annotations

import pytest

from nutssim.specs import pex

from .helpers import HOLDER, Parser, employee, jwt_vc, ldp_vc, ldp_vp, organization, policy_pd

ORG_PD = policy_pd("zorgtoepassing.json", "zorgtoepassing", "organization")
USER_PD = policy_pd("zorgtoepassing.json", "zorgtoepassing", "user")
X509_PD = policy_pd("didx509-e2e.json", "test")
OTHER_NAME = "2.16.528.1.1007.99.2110-1-900030787-S-90000380-00.000-11223344"


def test_claims_of_two_fulfilled_definitions():
    org = pex.match_definition(ORG_PD, [organization()])
    user = pex.match_definition(USER_PD, [employee(jwt=True)])
    claims = pex.extract_claims([(ORG_PD, org), (USER_PD, user)])
    assert claims.claims == {
        "organization_name": "Zorgcentrum De Linde",
        "organization_city": "Utrecht",
        "employee_identifier": "jdoe@linde",
        "employee_name": "J. Doe",
        "employee_role": "Verpleegkundige",
    }
    assert claims.findings == ()


def test_claims_from_a_check_result_and_the_ura_capture():
    credential = jwt_vc(
        "urn:x509",
        "X509Credential",
        {
            "id": HOLDER,
            "subject": {"O": "Ziekenhuis Oost", "L": "Enschede"},
            "san": {"otherName": OTHER_NAME},
        },
        issuer=f"did:x509:0:sha256:szqMaTpnD6GN0aRrT98eV4bhAoOgyItEZVyskYyL_Qc::san:otherName:{OTHER_NAME}",
        alg="PS256",
    )
    result = pex.match_definition(X509_PD, [credential])
    envelope = {"verifiableCredential": [credential.raw]}
    checked = pex.check_submission(
        X509_PD,
        result.submission(submission_id="s", vp_format="jwt_vp"),
        envelope,
        parse_credential=Parser(credential),
    )
    assert pex.extract_claims([(X509_PD, checked)]).claims["organization_ura"] == "90000380"


def test_duplicate_field_across_definitions_is_the_reference_error():
    org = pex.match_definition(ORG_PD, [organization()])
    with pytest.raises(pex.DuplicateMappedField) as caught:
        pex.extract_claims([(ORG_PD, org), (ORG_PD, org)])
    assert str(caught.value).startswith("duplicate mapped field in Presentation Definitions")
    assert caught.value.field_id == "organization_name"
    reported = pex.extract_claims([(ORG_PD, org), (ORG_PD, org)], on_duplicate="report")
    assert {f.kind for f in reported.findings} == {"duplicate"}
    assert reported.claims["organization_city"] == "Utrecht"


RESERVED_PD = {
    "id": "pd_reserved",
    "input_descriptors": [
        {
            "id": "d",
            "constraints": {
                "fields": [
                    {"path": ["$.type"], "filter": {"type": "string", "const": "T"}},
                    {"id": "scope", "path": ["$.credentialSubject.scope"], "filter": {"type": "string"}},
                    {
                        "id": "tags",
                        "path": ["$.credentialSubject.tags"],
                        "filter": {"type": "string", "pattern": "^b"},
                    },
                ]
            },
        }
    ],
}


def test_reserved_names_are_reported_or_refused():
    credential = ldp_vc("urn:1", "T", {"scope": "everything", "tags": ["a", "b"]})
    mapping = pex.match_definition(RESERVED_PD, [credential]).mapping()
    result = pex.extract_claims([(RESERVED_PD, mapping)])
    assert result.claims == {"scope": "everything", "tags": ["a", "b"]}  # an array is kept whole
    (finding,) = result.findings
    assert finding.kind == "reserved" and "/input_descriptors/0/constraints/fields/1" in finding.message
    with pytest.raises(pex.InvalidDefinition, match="reserved introspection claim"):
        pex.extract_claims([(RESERVED_PD, mapping)], on_reserved="raise")
    assert pex.reserved_field_ids(RESERVED_PD) == [("/input_descriptors/0/constraints/fields/1", "scope")]


def test_more_than_one_capture_group_is_refused():
    pd = {
        "id": "pd",
        "input_descriptors": [
            {
                "id": "d",
                "constraints": {
                    "fields": [
                        {"id": "x", "path": ["$.a"], "filter": {"type": "string", "pattern": "(a)(b)"}}
                    ]
                },
            }
        ],
    }
    with pytest.raises(pex.InvalidDefinition, match="2 capture groups; at most one") as caught:
        pex.compile_definition(pd)
    assert caught.value.pointer == "/input_descriptors/0/constraints/fields/0/filter/pattern"


def test_a_credential_that_no_longer_fulfils_contributes_nothing():
    assert pex.resolve_fields(ORG_PD, {"id_nuts_care_organization_cred": employee()}) == {}


def test_ldp_vp_round_trip_claims():
    org = organization(city="Zwolle")
    result = pex.match_definition(ORG_PD, [org])
    checked = pex.check_submission(
        ORG_PD,
        result.submission(submission_id="s", vp_format="ldp_vp"),
        ldp_vp([org]),
        parse_credential=Parser(org),
    )
    assert pex.extract_claims([(ORG_PD, checked)]).claims["organization_city"] == "Zwolle"
