"""crit under the nuts-node profiles: jwx v3.2.0's jwt.ParseString with one WithKey refuses it.

``crypto/jwx.go ParseJWT`` (request objects, VPs, VCs) and ``crypto/dpop/dpop.go Parse`` (DPoP
proofs) both end in that call, so the refusal reads alike (``jwx_text.crit_refusal``).
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


@pytest.mark.parametrize("profile", ["nuts-node", "nuts-node-gf"])
def test_a_crit_request_object_fails_its_signature_check_in_jwx_words(profile: str) -> None:
    """auth/api/iam/jar.go validate: "request signature validation failed", jwx's error inside."""
    assert ("jar.signature", REFUSAL) in _failed("user-jar-unknown-crit", profile)


@pytest.mark.parametrize("profile", ["nuts-node", "nuts-node-gf"])
def test_a_crit_dpop_proof_fails_the_token_endpoint_in_jwx_words(profile: str) -> None:
    """The token endpoint's DPoP check names dpop.go Parse's joined error."""
    assert ("token.dpop", f"invalid DPoP token\n{REFUSAL}") in _failed("s2s-dpop-unknown-crit", profile)


def test_strict_refuses_both_in_its_own_words() -> None:
    """RFC 7515 §4.1.11 under strict: its own checks, after the signature verifies."""
    assert [c for c, _ in _failed("user-jar-unknown-crit", "strict")] == ["jar.crit"]
    assert (
        "critical header 'x-ext' is not understood"
        in dict(_failed("s2s-dpop-unknown-crit", "strict"))["token.dpop"]
    )
