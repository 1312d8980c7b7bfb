"""Models: every DIF v2 example round-trips; what we emit validates; errors name the member."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nutssim.specs import pex
from nutssim.specs.pex import schemas
from tests.reference_data import DIF_EXAMPLES, PEX_SCHEMAS

from .helpers import NUTS, load_json, organization

DEFINITIONS = sorted(DIF_EXAMPLES.glob("presentation-definition__*.json"))
SUBMISSIONS = sorted(DIF_EXAMPLES.glob("presentation-submission__*.json"))
REQUIREMENTS = sorted(DIF_EXAMPLES.glob("submission-requirements__*.json"))


def _find_submission(document: Any) -> dict[str, Any] | None:
    """The presentation_submission inside whatever transport wraps it (VP, JWT, OIDC, …)."""
    if isinstance(document, dict):
        if isinstance(document.get("presentation_submission"), dict):
            return document["presentation_submission"]
        for value in document.values():
            found = _find_submission(value)
            if found is not None:
                return found
    return None


def test_reference_data_is_there():
    assert len(DEFINITIONS) == 11 and len(SUBMISSIONS) == 7 and len(REQUIREMENTS) == 5


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.stem)
def test_dif_definition_examples_round_trip(path):
    document = json.loads(path.read_text())
    inner = document.get("presentation_definition", document)
    if "input_descriptors" in inner:
        model: pex.models.PexModel = pex.parse_definition(inner)
    else:  # two examples are a single input descriptor
        model = pex.parse_input_descriptor(inner)
    assert pex.dump(model) == inner
    if "presentation_definition" in document:
        assert pex.is_valid(document, "presentation_definition_envelope")


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.stem)
def test_dif_submission_examples_round_trip(path):
    submission = _find_submission(json.loads(path.read_text()))
    if submission is None:
        # The CHAPI and DIDComm appendix examples only show the transport, with a placeholder.
        assert path.stem.endswith(("CHAPI_example", "DIDComm_example"))
        return
    assert pex.dump(pex.parse_submission(submission)) == submission


@pytest.mark.parametrize("path", REQUIREMENTS, ids=lambda p: p.stem)
def test_dif_submission_requirement_examples_round_trip(path):
    document = json.loads(path.read_text())
    pex.validate_schema(document, "submission_requirements")
    for requirement in document["submission_requirements"]:
        assert pex.dump(pex.parse_submission_requirement(requirement)) == requirement


def test_nested_path_submission_keeps_every_level():
    submission = pex.parse_submission(
        _find_submission(
            json.loads((DIF_EXAMPLES / "presentation-submission__nested_submission_example.json").read_text())
        )
    )
    entry = submission.descriptor_map[0]
    assert (entry.format, entry.path_nested.format, entry.path_nested.path_nested.format) == (
        "jwt_vp",
        "ldp_vc",
        "jwt_vc",
    )


def test_unknown_members_survive_a_round_trip():
    document = {
        "id": "pd",
        "input_descriptors": [
            {
                "id": "d",
                "x-note": {"a": [1, 2]},
                "constraints": {
                    "fields": [{"path": ["$.type"], "filter": {"type": "string", "x-vendor": True}}]
                },
            }
        ],
        "x-top": None,
    }
    model = pex.parse_definition(document, check_schema=False)
    assert pex.dump(model) == document


def test_nuts_pick_definition_round_trips_and_validates():
    document = json.loads((NUTS / "pd_jsonld_jwt_pick.json").read_text())
    model = pex.parse_definition(document)
    assert pex.dump(model) == document
    assert model.submission_requirements[0].from_ == "vc"
    assert model.format["jwt_vc"].alg == ["ES256K", "ES384"]


@pytest.mark.parametrize(
    "vp_format, path", [("ldp_vp", "$.verifiableCredential"), ("jwt_vp", "$.verifiableCredential[0]")]
)
def test_emitted_submission_validates_against_dif_schema(vp_format, path):
    definition = load_json("nuts-reference/policies/zorgtoepassing.json")["zorgtoepassing"]["organization"]
    submission = pex.match_definition(definition, [organization()]).submission(
        submission_id="sub-1", vp_format=vp_format
    )
    emitted = pex.dump(submission)
    pex.validate_schema(emitted, "presentation_submission")
    pex.validate_schema({"presentation_submission": emitted}, "presentation_submission")
    assert emitted == {
        "id": "sub-1",
        "definition_id": "pd_any_care_organization",
        "descriptor_map": [{"id": "id_nuts_care_organization_cred", "format": "ldp_vc", "path": path}],
    }
    assert json.loads(pex.json_text(submission)) == emitted


def test_emitted_definition_validates():
    definition = pex.parse_definition(load_json("nuts-reference/pd_jsonld_jwt_pick.json"))
    pex.validate_schema(pex.dump(definition), "presentation_definition")


@pytest.mark.parametrize(
    "document, pointer, words",
    [
        (
            {
                "id": "pd",
                "input_descriptors": [
                    {"id": "a", "constraints": {"fields": [{"path": ["$.a"]}, {"path": "$.b"}]}}
                ],
            },
            "/input_descriptors/0/constraints/fields/1/path",
            "list",
        ),
        ({"id": "pd"}, "/input_descriptors", "missing"),
        (
            {
                "id": "pd",
                "input_descriptors": [
                    {"id": "a", "constraints": {"fields": [{"path": ["$.a"], "optional": "yes"}]}}
                ],
            },
            "/input_descriptors/0/constraints/fields/0/optional",
            "bool",
        ),
        (
            {
                "id": "pd",
                "input_descriptors": [],
                "submission_requirements": [{"rule": "pick", "from": "A", "count": 0}],
            },
            "/submission_requirements/0/count",
            "greater than",
        ),
        (
            {
                "id": "pd",
                "input_descriptors": [
                    {"id": "a", "constraints": {"fields": [{"path": ["$.a"], "filter": "string"}]}}
                ],
            },
            "/input_descriptors/0/constraints/fields/0/filter",
            "JSON Schema",
        ),
        ({"id": "pd", "input_descriptors": [], "rogue": 1}, "", "Additional properties"),
        (
            {"id": "pd", "input_descriptors": [], "format": {"jwt_vc": {"alg": []}}},
            "/format/jwt_vc/alg",
            "non-empty",
        ),
        (
            {
                "id": "pd",
                "input_descriptors": [
                    {
                        "id": "a",
                        "constraints": {
                            "fields": [{"path": ["$.a"], "filter": {"type": "string"}, "predicate": "maybe"}]
                        },
                    }
                ],
            },
            "/input_descriptors/0/constraints/fields/0/predicate",
            "required",
        ),
    ],
)
def test_invalid_definitions_name_the_member(document, pointer, words):
    with pytest.raises(pex.InvalidDefinition) as caught:
        pex.parse_definition(document)
    assert caught.value.pointer == pointer
    assert words in str(caught.value)
    assert str(caught.value).startswith(pointer or "(document root)")


def test_invalid_submission_names_the_member():
    with pytest.raises(pex.InvalidSubmission) as caught:
        pex.parse_submission(
            {
                "id": "s",
                "definition_id": "pd",
                "descriptor_map": [
                    {"id": "a", "format": "jwt_vc", "path": "$.verifiableCredential[0]"},
                    {"id": "b", "format": "pdf", "path": "$.verifiableCredential[1]"},
                ],
            }
        )
    assert caught.value.pointer == "/descriptor_map/1/format"
    assert isinstance(caught.value, pex.PexDocumentError)


def test_json_text_input_and_garbage():
    assert pex.parse_definition('{"id": "x", "input_descriptors": []}').id == "x"
    with pytest.raises(pex.InvalidDefinition, match="not JSON"):
        pex.parse_definition("{nope")
    with pytest.raises(pex.InvalidDefinition, match="must be a JSON object"):
        pex.parse_definition([1])


def test_schemas_load_from_the_package_not_shared_data():
    for kind in schemas.KINDS:
        assert isinstance(pex.load_schema(kind), dict)
    shipped = pex.load_schema("presentation_definition")
    # the file is the DIF's unchanged (tests/test_data_sources.py checks its blob id)
    assert shipped == json.loads((PEX_SCHEMAS / "presentation-definition.json").read_text())
