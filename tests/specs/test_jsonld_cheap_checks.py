"""The cheap, signature-independent checks refuse a JSON-LD credential before it is canonicalized.

``vcr/verifier/signature_verifier.go jsonldProof`` (and ``vc_verify._verify_ld_credential``)
reads the proof's verification method, checks that it is of the issuer, checks the proof
time (``ProofOptions.ValidAt``, reference only) and resolves the key before the canonical
form is computed (issue #23 item 2, issue #18 item 3: no unauthenticated input costs a
canonicalization it can be refused without).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from nutssim.catalogue.s2s_cases.common import observe_vc_flow, org_credential, replace_org_credential
from nutssim.scenarios import S2SWorld, build
from nutssim.specs import jsonld
from nutssim.specs.vc_jwt import credential_from_json

PROFILES = ("nuts-node", "strict")


def _canonicalized_ids(monkeypatch: pytest.MonkeyPatch, profile: str, tamper: Callable[[dict], None]) -> list:
    """Run the s2s flow with a tampered ldp_vc; return the top-level ids of the canonicalized documents."""
    world = build("s2s", profile=profile, credential_format="ldp_vc")
    assert isinstance(world, S2SWorld)
    document = copy.deepcopy(org_credential(world).document)
    tamper(document)
    replace_org_credential(world, credential_from_json(document))
    ids: list[Any] = []
    original = jsonld.canonicalize

    def recording(doc: Any, **kwargs: Any) -> str:
        ids.append(doc.get("id"))
        return original(doc, **kwargs)

    monkeypatch.setattr(jsonld, "canonicalize", recording)
    observe_vc_flow(world)
    return [i for i in ids if i == document["id"]]


def _untouched(document: dict) -> None:
    pass


def _other_did(document: dict) -> None:
    document["proof"]["verificationMethod"] = "did:web:gp.example#key"


def _no_method(document: dict) -> None:
    document["proof"]["verificationMethod"] = ""


def _unresolvable(document: dict) -> None:
    document["proof"]["verificationMethod"] = document["issuer"] + "#no-such-key"


@pytest.mark.parametrize("profile", PROFILES)
def test_an_intact_credential_is_canonicalized(monkeypatch, profile):
    assert _canonicalized_ids(monkeypatch, profile, _untouched)  # the control: the count can be non-zero


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("tamper", [_other_did, _no_method, _unresolvable])
def test_a_refusable_credential_is_never_canonicalized(monkeypatch, profile, tamper):
    assert _canonicalized_ids(monkeypatch, profile, tamper) == []


def test_a_postdated_proof_is_refused_before_canonicalization_under_nuts_node(monkeypatch):
    def postdate(document: dict) -> None:
        document["proof"]["created"] = "2099-01-01T00:00:00Z"

    assert _canonicalized_ids(monkeypatch, "nuts-node", postdate) == []
