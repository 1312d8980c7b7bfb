"""Mistakes in what a user hands the API get an error that says what, where, and the likely fix (issue #11).

Policies and presentation definitions name the file, the scope and the JSON pointer;
credentials the credential and the member; scenarios, profiles and controls the known
names. A misspelt name gets a difflib suggestion.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from nutssim import scenarios
from nutssim.errors import InputError, SimulationError, did_you_mean
from nutssim.models.credential import credential_document, organization_subject
from nutssim.profiles import Profile
from nutssim.scenarios.s2s import shipped_policy
from nutssim.simulation import Simulation
from nutssim.specs import nuts_policy, pex
from nutssim.specs.nuts_policy import PolicyError


def _policy() -> dict[str, Any]:
    return copy.deepcopy(shipped_policy("eoverdracht"))


def _raised(error: type[Exception], call: Any, *args: Any, **kwargs: Any) -> Exception:
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return caught.value


# -- names ------------------------------------------------------------------------------------------


def test_did_you_mean_suggests_the_closest_name_or_lists_them():
    assert did_you_mean("dpoop", ["dpop", "scope"]) == "did you mean 'dpop'?"
    assert did_you_mean("zzz", ["b", "a"]) == "known: a, b"
    assert did_you_mean("zzz", ["a"], listing=False) == ""


def test_unknown_scenario_suggests_the_closest():
    error = _raised(InputError, scenarios.build, "s2z")
    assert str(error) == "unknown scenario 's2z' (hint: did you mean 's2s'?)"
    assert _raised(InputError, scenarios.build, "qqqqqq").hint.startswith(
        "known: pilot-enrollment, pilot-eoverdracht"
    )


def test_unknown_scenario_option_names_the_option_and_the_fix():
    error = _raised(InputError, scenarios.build, "s2s", dpoop=True)
    assert str(error) == "scenario 's2s' has no option 'dpoop' (hint: did you mean 'dpop'?)"
    error = _raised(InputError, scenarios.build, "user", usr={})
    assert error.hint == "did you mean 'user'?"
    assert _raised(InputError, scenarios.build, "s2s", zzz=1).hint == (
        "known: credential_format, dpop, policy, scope"
    )


def test_unknown_profile_and_controls_suggest_the_closest():
    assert (
        str(_raised(InputError, Profile, "strikt"))
        == "unknown profile 'strikt' (hint: did you mean 'strict'?)"
    )
    error = _raised(InputError, Profile().without, "dpop_requird")
    assert str(error) == "unknown control(s) dpop_requird (hint: did you mean 'dpop_required'?)"
    assert _raised(InputError, Profile().on, "pkc").hint == "did you mean 'pkce'?"
    assert isinstance(error, SimulationError)


# -- presentation definitions -----------------------------------------------------------------------


def test_a_misspelt_pd_member_gets_the_pointer_and_the_right_name():
    pd = _policy()["eoverdracht"]["organization"]
    pd["input_descriptor"] = pd.pop("input_descriptors")
    error = _raised(pex.InvalidDefinition, pex.parse_definition, pd)
    assert error.where == "/input_descriptors"
    assert str(error) == (
        "/input_descriptors: required member is missing "
        "(hint: 'input_descriptor' is not a member name: did you mean 'input_descriptors'?)"
    )


def test_a_misspelt_descriptor_member_is_found_under_its_descriptor():
    pd = _policy()["eoverdracht"]["organization"]
    descriptor = pd["input_descriptors"][0]
    descriptor["constraint"] = descriptor.pop("constraints")
    error = _raised(pex.InvalidDefinition, pex.parse_definition, pd)
    assert error.where == "/input_descriptors/0"
    assert "'constraint' was unexpected" in str(error)
    assert error.hint == "'constraint' is not a member name: did you mean 'constraints'?"


def test_a_misspelt_field_member_is_found_in_its_field():
    pd = _policy()["eoverdracht"]["organization"]
    field = pd["input_descriptors"][0]["constraints"]["fields"][0]
    field["paths"] = field.pop("path")
    error = _raised(pex.InvalidDefinition, pex.parse_definition, pd)
    assert error.where == "/input_descriptors/0/constraints/fields/0/path"
    assert error.hint == "'paths' is not a member name: did you mean 'path'?"


def test_filter_keywords_are_not_mistaken_for_pex_members():
    pd = _policy()["eoverdracht"]["organization"]
    pd["input_descriptors"][0]["constraints"]["fields"][0]["filter"] = {"type": 3}
    assert _raised(pex.InvalidDefinition, pex.parse_definition, pd).hint == ""


# -- policies ----------------------------------------------------------------------------------------


def test_a_misspelt_pd_member_in_a_policy_names_file_scope_and_pointer(tmp_path: Path):
    policy = _policy()
    pd = policy["eoverdracht"]["organization"]
    pd["input_descriptor"] = pd.pop("input_descriptors")
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(policy))
    error = _raised(PolicyError, nuts_policy.load, path)
    assert error.where == "mine.json: scope 'eoverdracht': /organization/input_descriptors"
    assert error.hint == "'input_descriptor' is not a member name: did you mean 'input_descriptors'?"


def test_an_openid4vp_format_name_in_a_pd_suggests_the_pd_name():
    policy = _policy()
    policy["eoverdracht"]["organization"]["format"] = {"jwt_vc_json": {"alg": ["ES256"]}}
    error = _raised(PolicyError, nuts_policy.load, policy)
    assert error.where == "<dict>: scope 'eoverdracht': /organization/format/jwt_vc_json"
    assert "'jwt_vc_json' is not a presentation definition format name" in str(error)
    assert error.hint.startswith("did you mean 'jwt_vc'?")


def test_a_misspelt_format_in_a_descriptor_suggests_the_format():
    policy = _policy()
    policy["eoverdracht"]["organization"]["input_descriptors"][1]["format"] = {
        "ldp_cv": {"proof_type": ["x"]}
    }
    error = _raised(PolicyError, nuts_policy.load, policy)
    assert error.where == "<dict>: scope 'eoverdracht': /organization/input_descriptors/1/format/ldp_cv"
    assert error.hint.startswith("did you mean 'ldp_vc'?")


def test_other_registered_formats_are_left_alone():
    policy = _policy()
    policy["eoverdracht"]["organization"]["format"]["mso_mdoc"] = {"alg": ["ES256"]}
    assert "eoverdracht" in nuts_policy.load(policy)


def test_policy_profile_mistakes_suggest_the_member():
    policy = _policy()
    policy["eoverdracht"]["organisation"] = policy["eoverdracht"].pop("organization")
    error = _raised(PolicyError, nuts_policy.load, policy)
    assert "must define at least one of 'organization'" in str(error)
    assert error.hint == "did you mean 'organization'?"
    policy = _policy()
    policy["eoverdracht"]["scope_policy"] = "passthru"
    error = _raised(PolicyError, nuts_policy.load, policy)
    assert error.where == "<dict>: scope 'eoverdracht': /scope_policy"
    assert error.hint == "did you mean 'passthrough'?"


def test_a_policy_that_is_neither_object_nor_path_is_an_input_error():
    error = _raised(PolicyError, nuts_policy.load, [])
    assert (
        str(error) == "<policy>: a policy is a JSON object (scope → credential profile) or a path, got list"
    )


def test_a_scenario_with_a_bad_policy_reports_the_policy_error():
    policy = _policy()
    policy["eoverdracht"]["organization"]["format"] = {"jwt_vp_json": {"alg": ["ES256"]}}
    error = _raised(PolicyError, scenarios.build, "s2s", policy=policy)
    assert error.hint.startswith("did you mean 'jwt_vp'?")


# -- credentials ------------------------------------------------------------------------------------


@pytest.fixture
def issuing() -> tuple[Any, Any, dict[str, Any]]:
    """An issuer, a subject and a good NutsOrganizationCredential document for it."""
    sim = Simulation(seed=1)
    issuer = sim.add_issuer("Register", host="register.example")
    subject = sim.add_node("node.example").add_subject("Clinic")
    document = credential_document(
        id=f"{issuer.did}#1",
        type="NutsOrganizationCredential",
        issuer=issuer.did,
        issuance_date="2025-01-01T00:00:00Z",
        subject=organization_subject(subject.did, "Clinic", "Utrecht"),
    )
    return issuer, subject, document


def test_a_good_credential_document_is_issued(issuing):
    issuer, subject, document = issuing
    assert issuer.issue(document, subject).type_label == "NutsOrganizationCredential"


def test_a_misspelt_credential_member_names_the_credential_and_the_fix(issuing):
    issuer, subject, document = issuing
    document["credentialSubjct"] = document.pop("credentialSubject")
    error = _raised(InputError, issuer.issue, document, subject)
    assert str(error) == (
        f"credential {issuer.did}#1: /credentialSubjct: unknown member 'credentialSubjct' "
        "(hint: did you mean 'credentialSubject'?)"
    )


@pytest.mark.parametrize(
    ("change", "pointer", "text", "hint"),
    [
        ({"@context": None}, "/@context", "required member '@context' is missing", ""),
        ({"type": "NutsOrganizationCredential"}, "/type", "type must include 'VerifiableCredential'",
         'use ["VerifiableCredential", "NutsOrganizationCredential"]'),
        ({"issuanceDate": "yesterday"}, "/issuanceDate", "invalid date-time 'yesterday'",
         "an RFC 3339 date-time with a zone, e.g. 2025-01-01T00:00:00Z"),
        ({"credentialSubject": "did:web:x"}, "/credentialSubject", "credentialSubject must be an object", ""),
        ({"@context": ["https://nuts.nl/credentials/v1"]}, "/@context", "the first @context must be",
         "start the list with 'https://www.w3.org/2018/credentials/v1'"),
        ({"issuer": "did:web:other.example"}, "/issuer", "is not this issuer (Register)", "use 'did:web:"),
    ],
)  # fmt: skip
def test_credential_mistakes_name_the_member(issuing, change, pointer, text, hint):
    issuer, subject, document = issuing
    for key, value in change.items():
        if value is None:
            del document[key]
        else:
            document[key] = value
    error = _raised(InputError, issuer.issue, document, subject)
    assert error.where == f"credential {issuer.did}#1: {pointer}"
    assert text in str(error)
    assert error.hint.startswith(hint)


def test_an_openid4vp_credential_format_suggests_the_issuable_one(issuing):
    issuer, subject, document = issuing
    error = _raised(InputError, issuer.issue, document, subject, format="jwt_vc_json")
    assert error.hint == "did you mean 'jwt_vc'?"
