"""Conformance vectors (tests/data/pex-conformance/vectors.json) under each mode.

The expected results were written from the DIF PE v2.0.0 text (``strict``) and from the
reference's source (``nuts-node``), each with its reason; this module only runs them.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from nutssim.models.credential import Credential
from nutssim.specs import pex
from nutssim.specs.pex.reference_filter import FilterError
from tests.reference_data import TEST_DATA

VECTORS = json.loads((TEST_DATA / "pex-conformance" / "vectors.json").read_text(encoding="utf-8"))
MODES = {"nuts-node": pex.NUTS_NODE, "strict": pex.STRICT}
ERRORS: dict[str, type[Exception]] = {
    "NoCredentials": pex.NoCredentials,
    "InvalidDefinition": pex.InvalidDefinition,
    "FilterError": FilterError,
}
CASES = [
    pytest.param(vector, mode, id=f"{vector['id']}-{mode}")
    for vector in VECTORS["vectors"]
    for mode in VECTORS["modes"]
    if vector["expected"][mode] is not None
]


def _at(document: Any, pointer: str) -> Any:
    for token in [t for t in pointer.split("/") if t]:
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def _document(vector: dict) -> Any:
    if "definition" in vector:
        return vector["definition"]
    text = (TEST_DATA / vector["file"]).read_text(encoding="utf-8")
    return _at(json.loads(text), vector.get("pointer", ""))


def credential(value: Any, format: str = "") -> Credential:
    """A vector's credential: a JSON-LD object as it is, a JWT VC as its data-model view."""
    if isinstance(value, str):
        payload = value.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        document = {**claims["vc"], "id": claims.get("jti"), "issuer": claims.get("iss")}
        return Credential(raw=value, document=document, format="jwt_vc", alg="ES256")
    return Credential(raw=value, document=value, format="ldp_vc", proof_type=None)


def _valid(kind: str, document: Any, semantics: pex.Semantics) -> str:
    try:
        if kind == "definition":
            pex.compile_definition(document, semantics=semantics)
        elif kind == "input_descriptor":
            pex.parse_input_descriptor(document)
        elif kind == "submission":
            pex.parse_submission(document)
        else:
            for requirement in document:
                pex.parse_submission_requirement(requirement)
    except pex.PexDocumentError:
        return "invalid"
    return "valid"


def _match(document: Any, vector: dict, semantics: pex.Semantics) -> dict:
    wallet = [credential(c) for c in vector["credentials"]]
    try:
        result = pex.match_definition(document, wallet, semantics=semantics)
    except tuple(ERRORS.values()) as exc:
        return {"error": next(name for name, cls in ERRORS.items() if isinstance(exc, cls))}
    return {"descriptors": [m.descriptor_id for m in result.matches]}


def _check(document: Any, vector: dict, semantics: pex.Semantics) -> str:
    try:
        pex.check_submission(
            document,
            vector["submission"],
            vector["envelope"],
            parse_credential=credential,
            semantics=semantics,
        )
    except pex.SubmissionMismatch:
        return "refused"
    return "accepted"


@pytest.mark.parametrize(("vector", "mode"), CASES)
def test_vector(vector, mode):
    semantics, expected = MODES[mode], vector["expected"][mode]
    document = _document(vector)
    kind = vector["kind"]
    if kind == "match":
        actual: Any = _match(document, vector, semantics)
    elif kind == "check":
        actual = _check(document, vector, semantics)
    else:
        actual = _valid(kind, document, semantics)
    assert actual == expected, f"{vector['id']} under {mode}: {vector['why'][mode]}"


def test_every_vendored_definition_has_a_vector():
    files = {v.get("file") for v in VECTORS["vectors"]}
    vendored = {
        f"pex-conformance/sphereon/{p.name}"
        for p in (TEST_DATA / "pex-conformance" / "sphereon").glob("*.json")
    } | {f"dif-pex/examples/{p.name}" for p in (TEST_DATA / "dif-pex" / "examples").glob("*.json")}
    placeholders = {  # the DIF appendices whose submission is the text "Presentation Submission goes here"
        "dif-pex/examples/presentation-submission__appendix_CHAPI_example.json",
        "dif-pex/examples/presentation-submission__appendix_DIDComm_example.json",
    }
    assert vendored - placeholders - files == set()


def test_the_modes_disagree_where_the_reference_departs_from_the_spec():
    differing = [v["id"] for v in VECTORS["vectors"] if v["expected"]["nuts-node"] != v["expected"]["strict"]]
    assert len(differing) >= 15  # a vector set where both modes agree everywhere would test nothing
