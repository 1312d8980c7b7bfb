"""FIDELITY.md row "VerifyVP error texts": a JSON-LD credential's failures read as the reference's.

``vcr/verifier/signature_verifier.go jsonldProof`` returns a VerificationError
(``invalid signature: invalid proof signature: <jwx>``, ``verification method is not of
issuer``) that ``verifier.go doVerifyVP`` wraps in ``invalid VC (id=…): %w``, so the
prefix appears twice; jwx's ECDSA text is the one ``signature_verifier_test.go`` asserts.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from nutssim.catalogue.s2s_cases.common import observe_vc_flow, org_credential, replace_org_credential
from nutssim.scenarios import S2SWorld, build
from nutssim.specs.vc_jwt import credential_from_json

PREFIX = "presentation(s) or credential(s) verification failed: "
PROFILES = ("nuts-node", "strict")


def _tampered_flow(profile: str, tamper: Callable[[dict[str, Any]], None]) -> tuple[str | None, str | None]:
    """Run the s2s flow with an ldp_vc changed by ``tamper``; return the wire error and description."""
    world = build("s2s", profile=profile, credential_format="ldp_vc")
    assert isinstance(world, S2SWorld)
    document = copy.deepcopy(org_credential(world).document)
    tamper(document)
    replace_org_credential(world, credential_from_json(document))
    observed = observe_vc_flow(world)
    assert observed.status == "denied"
    return observed.error, observed.description


@pytest.mark.parametrize("profile", PROFILES)
def test_changed_signed_claim_fails_with_the_double_prefix(profile: str) -> None:
    def move(document: dict[str, Any]) -> None:
        document["credentialSubject"]["organization"]["city"] = "Leiden"

    error, description = _tampered_flow(profile, move)
    assert error == ("invalid_request" if profile == "nuts-node" else "invalid_verifiable_credentials")
    reason = "invalid signature: invalid proof signature: invalid ECDSA signature"
    assert description == f"{PREFIX}invalid VC (id=*): {PREFIX}{reason}"


@pytest.mark.parametrize("profile", PROFILES)
def test_verification_method_of_another_did_fails_with_the_double_prefix(profile: str) -> None:
    def rekey(document: dict[str, Any]) -> None:
        document["proof"]["verificationMethod"] = "did:web:gp.example#key"

    _, description = _tampered_flow(profile, rekey)
    assert description == f"{PREFIX}invalid VC (id=*): {PREFIX}verification method is not of issuer"


@pytest.mark.parametrize("profile", PROFILES)
def test_missing_proof_fails_with_the_double_prefix(profile: str) -> None:
    def strip(document: dict[str, Any]) -> None:
        document["proof"]["verificationMethod"] = ""

    _, description = _tampered_flow(profile, strip)
    assert description == f"{PREFIX}invalid VC (id=*): {PREFIX}missing proof"


def test_future_proof_is_not_valid_at_time_under_nuts_node() -> None:
    """jsonldProof runs ProofOptions.ValidAt before the key: created beyond now + 5 s is refused."""

    def postdate(document: dict[str, Any]) -> None:
        document["proof"]["created"] = "2099-01-01T00:00:00Z"

    _, description = _tampered_flow("nuts-node", postdate)
    assert description == f"{PREFIX}invalid VC (id=*): {PREFIX}presentation not valid at given time"
