"""FIDELITY.md row "VerifyVP error texts": a JSON-LD credential's failures read as the reference's.

``vcr/verifier/signature_verifier.go jsonldProof`` returns a VerificationError
(``invalid signature: invalid proof signature: <jwx>``, ``verification method is not of
issuer``) that ``verifier.go doVerifyVP`` wraps in ``invalid VC (id=…): %w``, so the
prefix appears twice; jwx's ECDSA text is the one ``signature_verifier_test.go`` asserts.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from nutssim.catalogue.attacker import is_token_request
from nutssim.catalogue.s2s_cases.common import (
    observe_vc_flow,
    org_credential,
    replace_org_credential,
    with_policy,
)
from nutssim.messages import HttpRequest
from nutssim.scenarios import S2SWorld, build
from nutssim.specs.vc_jwt import credential_from_json
from nutssim.wire import Delivery, PassThrough

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


class _TamperLdVp(PassThrough):
    """Change the ldp_vp in the token request on its way to the AS (a man in the middle)."""

    def __init__(self, change: Callable[[dict[str, Any]], None]) -> None:
        self.change = change

    def on_request(self, delivery: Delivery) -> HttpRequest:
        request = delivery.request
        if not is_token_request(request):
            return request
        form = request.form
        vp = json.loads(form["assertion"])
        self.change(vp)
        form["assertion"] = json.dumps(vp)
        headers = {k: v for k, v in request.headers if k.lower() != "content-type"}
        return HttpRequest.post_form(request.url, form, headers=headers)


@pytest.mark.parametrize("profile", PROFILES)
def test_changed_ldp_vp_fails_on_its_signature(profile: str) -> None:
    """A VP whose embedded credential changed: the VP's own proof fails first, prefixed once."""
    formats = {
        "ldp_vp": {"proof_type": ["JsonWebSignature2020"]},
        "ldp_vc": {"proof_type": ["JsonWebSignature2020"]},
    }
    world = build(
        "s2s",
        profile=profile,
        policy=with_policy(lambda pd: pd.update(format=formats)),
        credential_format="ldp_vc",
    )
    assert isinstance(world, S2SWorld)

    def move(vp: dict[str, Any]) -> None:
        held = vp["verifiableCredential"]
        for credential in held if isinstance(held, list) else [held]:
            if isinstance(credential, dict) and "organization" in credential["credentialSubject"]:
                credential["credentialSubject"]["organization"]["city"] = "Leiden"

    world.sim.network.interceptors.append(_TamperLdVp(move))
    observed = observe_vc_flow(world)
    assert observed.status == "denied"
    assert (
        observed.description == f"{PREFIX}invalid signature: invalid proof signature: invalid ECDSA signature"
    )
