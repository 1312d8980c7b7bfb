"""crit under the reference: master's jwx v3.2.0 refuses it, project-gf's jwx v2.1.6 never reads it.

``crypto/jwx.go ParseJWT`` (request objects, VPs, VCs) and ``crypto/dpop/dpop.go Parse`` (DPoP
proofs) both end in ``jwt.ParseString`` with one ``WithKey``, so on master the refusal reads
alike (``jwx_text.crit_refusal``); project-gf's go.mod pins jwx v2.1.6, which stores crit only.
"""

from __future__ import annotations

import pytest

from nutssim import catalogue
from nutssim.catalogue.base import run_case
from nutssim.specs import jwx_text

REFUSAL = jwx_text.crit_refusal({"crit": ["x-ext"], "x-ext": True})


def _failed(case_id: str, profile: str) -> list[tuple[str, str]]:
    record = run_case(catalogue.case(case_id), profile)
    assert record.passed, record.why
    return [(c.id, c.detail) for x in record.trace.exchanges for c in x.checks if not c.passed]


def test_a_crit_request_object_fails_its_signature_check_in_jwx_words() -> None:
    """auth/api/iam/jar.go validate: "request signature validation failed", jwx's error inside."""
    assert ("jar.signature", REFUSAL) in _failed("user-jar-unknown-crit", "nuts-node")


def test_a_crit_dpop_proof_fails_the_token_endpoint_in_jwx_words() -> None:
    """The token endpoint's DPoP check names dpop.go Parse's joined error."""
    assert ("token.dpop", f"invalid DPoP token\n{REFUSAL}") in _failed("s2s-dpop-unknown-crit", "nuts-node")


@pytest.mark.parametrize(
    "case_id",
    [
        "s2s-vp-unknown-crit",
        "s2s-vc-unknown-crit",
        "user-vp-unknown-crit",
        "s2s-dpop-unknown-crit",
        "user-jar-unknown-crit",
    ],
)
def test_project_gf_never_reads_crit(case_id: str) -> None:
    """nuts-node-gf: jwx v2.1.6 stores crit and never reads it, so every crit token is taken."""
    record = run_case(catalogue.case(case_id), "nuts-node-gf")
    assert record.passed and record.observed.status == "granted", record.why


def test_strict_refuses_both_in_its_own_words() -> None:
    """RFC 7515 §4.1.11 under strict: its own checks, after the signature verifies."""
    assert [c for c, _ in _failed("user-jar-unknown-crit", "strict")] == ["jar.crit"]
    assert (
        "critical header 'x-ext' is not understood"
        in dict(_failed("s2s-dpop-unknown-crit", "strict"))["token.dpop"]
    )
