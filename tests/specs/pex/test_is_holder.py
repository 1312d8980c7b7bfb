"""``is_holder`` with several VPs in one envelope: whose signature counts (issue #22).

DIF PE v2 §Relational Constraint Feature: under a required ``is_holder`` the subject of the
named fields is "the same as the entity submitting" them. In a ``vp_token`` of several VPs
(OpenID4VP §6.1) each credential is submitted by the signer of the VP that carries it, so
``check_submission(holders=…)`` takes one signer per VP and judges each entry by its own
VP's signer. The reference ignores ``is_holder`` (``presentation_definition.go
matchConstraint`` at d2ad162: "IsHolder, SameSubject, SubjectIsIssuer, Statuses are not
supported for now"), so under ``NUTS_NODE`` no signer counts.
"""

from __future__ import annotations

import pytest

from nutssim.specs import pex

from .helpers import HOLDER, Parser, ldp_vc, ldp_vp

OTHER = "did:web:other.example:iam:2"
PD = {
    "id": "pd_two",
    "input_descriptors": [
        {
            "id": "mine",
            "constraints": {
                "fields": [
                    {
                        "id": "kind",
                        "path": ["$.credentialSubject.kind"],
                        "filter": {"type": "string", "const": "A"},
                    }
                ],
                "is_holder": [{"field_id": ["kind"], "directive": "required"}],
            },
        },
        {
            "id": "any",
            "constraints": {
                "fields": [{"path": ["$.credentialSubject.kind"], "filter": {"type": "string", "const": "B"}}]
            },
        },
    ],
}
#: A is about HOLDER, B about OTHER: each in the VP its own subject signs, or swapped.
A = ldp_vc("urn:a", "T", {"id": HOLDER, "kind": "A"})
B = ldp_vc("urn:b", "T", {"id": OTHER, "kind": "B"})


def _submission(a_at: int, b_at: int) -> dict:
    return {
        "id": "s",
        "definition_id": "pd_two",
        "descriptor_map": [
            {
                "id": "mine",
                "format": "ldp_vp",
                "path": f"$[{a_at}]",
                "path_nested": {"id": "mine", "format": "ldp_vc", "path": "$.verifiableCredential"},
            },
            {
                "id": "any",
                "format": "ldp_vp",
                "path": f"$[{b_at}]",
                "path_nested": {"id": "any", "format": "ldp_vc", "path": "$.verifiableCredential"},
            },
        ],
    }


def _check(envelope: list, submission: dict, holders: list, semantics: pex.Semantics = pex.STRICT):
    return pex.check_submission(
        PD, submission, envelope, parse_credential=Parser(A, B), semantics=semantics, holders=holders
    )


def test_the_signer_of_the_vp_carrying_the_credential_is_its_holder():
    """A is in the VP HOLDER signed: is_holder holds, though the envelope has a second signer."""
    result = _check([ldp_vp([A]), ldp_vp([B])], _submission(0, 1), [HOLDER, OTHER])
    assert dict(result.credentials) == {"mine": A, "any": B}


def test_a_credential_in_another_signers_vp_breaks_is_holder():
    """A carried by OTHER's VP: the subject HOLDER is not the entity submitting it."""
    with pytest.raises(pex.SubmissionMismatch) as info:
        _check([ldp_vp([B]), ldp_vp([A])], _submission(1, 0), [HOLDER, OTHER])
    assert "is_holder is required, but subject ['did:web:holder.example:iam:1'] is not the holder" in str(
        info.value
    )
    assert f"{OTHER!r}" in str(info.value)


def test_the_wrong_vps_signer_does_not_count_for_the_other_vp():
    """Swapping which VP is signed by whom flips the outcome: the pairing is per VP, not per envelope."""
    envelope, submission = [ldp_vp([B]), ldp_vp([A])], _submission(1, 0)
    assert _check(envelope, submission, [OTHER, HOLDER]).credentials["mine"] is A
    with pytest.raises(pex.SubmissionMismatch, match="is_holder is required"):
        _check(envelope, submission, [HOLDER, OTHER])


def test_without_holders_several_signers_leave_the_holder_unknown():
    """The single ``holder=`` of several signers is None: a required is_holder cannot be met."""
    with pytest.raises(pex.SubmissionMismatch, match="the holder is not known"):
        pex.check_submission(
            PD,
            _submission(0, 1),
            [ldp_vp([A]), ldp_vp([B])],
            parse_credential=Parser(A, B),
            semantics=pex.STRICT,
        )


def test_the_reference_ignores_is_holder_whoever_signs():
    """NUTS_NODE: matchConstraint skips is_holder; the verifier's own first match decides (one VP each)."""
    with pytest.raises(pex.SubmissionMismatch) as info:
        _check([ldp_vp([A]), ldp_vp([B])], _submission(0, 1), [OTHER, OTHER], pex.NUTS_NODE)
    # Refused, but for the reference's own reason (one VP must fulfil the whole definition), not is_holder.
    assert "is_holder" not in str(info.value)
    single = [ldp_vp([A, B], single_as_object=False)]
    sub = {
        "id": "s",
        "definition_id": "pd_two",
        "descriptor_map": [
            {"id": "mine", "format": "ldp_vc", "path": "$[0].verifiableCredential[0]"},
            {"id": "any", "format": "ldp_vc", "path": "$[0].verifiableCredential[1]"},
        ],
    }
    assert dict(_check(single, sub, [OTHER], pex.NUTS_NODE).credentials) == {"mine": A, "any": B}
