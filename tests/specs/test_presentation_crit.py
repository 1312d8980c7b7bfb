"""``crit`` on JWT VPs and VCs (issue #18 item 4): unknown extensions refused under strict (RFC 7515 §4.1.11).

The reference refuses them too, in jwx v3.2.0's words (``tests/specs/test_vc_verify_order.py``); the
catalogue cases ``s2s-vp-unknown-crit`` and ``s2s-vc-unknown-crit`` show both profiles end to end.
"""

from __future__ import annotations

import pytest

from nutssim import causes, jose
from nutssim.jose import KeyPair
from nutssim.models.credential import credential_document, organization_subject
from nutssim.rng import SimRandom
from nutssim.specs.presentation import check_critical_headers, parse_envelope
from nutssim.specs.vc_jwt import credential_from_jwt, issue_credential, present, to_rfc3339, unknown_crit
from nutssim.specs.vc_verify import VerificationFailed, describe

NOW = 1_735_689_600
ISSUER = "did:web:register.example"
HOLDER = "did:web:gp.example:iam:gp"
NOT_UNDERSTOOD = "critical header 'x-ext' is not understood (RFC 7515 §4.1.11)"


@pytest.fixture(scope="module")
def keys() -> tuple[KeyPair, KeyPair]:
    """The issuer's and the holder's assertion keys."""
    return KeyPair.generate(SimRandom(1), kid=f"{ISSUER}#k"), KeyPair.generate(
        SimRandom(2), kid=f"{HOLDER}#k"
    )


def _vc(key: KeyPair, headers: dict | None = None) -> str:
    document = credential_document(
        id=f"{ISSUER}#1",
        type="NutsOrganizationCredential",
        issuer=ISSUER,
        issuance_date=to_rfc3339(NOW),
        expiration_date=to_rfc3339(NOW + 3600),
        subject=organization_subject(HOLDER, "Huisartsenpraktijk West", "Utrecht"),
    )
    return issue_credential(document, key, headers=headers)


def _vp(
    keys: tuple[KeyPair, KeyPair], *, vc_headers: dict | None = None, vp_headers: dict | None = None
) -> str:
    vc = credential_from_jwt(_vc(keys[0], vc_headers))
    token = present(
        [vc], keys[1], holder=HOLDER, audience="https://as.example", nonce="n", now=NOW, lifetime=5, jti="j"
    )
    if vp_headers:
        decoded = jose.decode(token)
        token = jose.sign({**decoded.header, **vp_headers}, decoded.payload, keys[1])
    return token


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ({}, ""),
        ({"crit": ["x-ext"], "x-ext": 1}, NOT_UNDERSTOOD),
        ({"crit": []}, "crit must be a non-empty array of header names (RFC 7515 §4.1.11)"),
        ({"crit": "x-ext", "x-ext": 1}, "crit must be a non-empty array of header names (RFC 7515 §4.1.11)"),
        ({"crit": ["x-ext"]}, "crit lists 'x-ext', which the header does not carry (RFC 7515 §4.1.11)"),
        ({"crit": ["kid"]}, "crit lists 'kid', which JWS itself defines (RFC 7515 §4.1.11)"),
        ({"crit": ["a", "a"], "a": 1}, "crit lists a header name twice (RFC 7515 §4.1.11)"),
    ],
)
def test_crit_problem_names_what_is_wrong(header: dict, problem: str) -> None:
    assert jose.crit_problem({"alg": "ES256", **header}) == problem


def test_unknown_crit_of_a_token(keys) -> None:
    assert unknown_crit(_vc(keys[0])) == ""
    assert unknown_crit(_vc(keys[0], {"crit": ["x-ext"], "x-ext": True})) == NOT_UNDERSTOOD
    assert unknown_crit("not a jws") == ""  # the parse reports that


def test_plain_vp_passes(keys) -> None:
    (vp,) = parse_envelope(_vp(keys)).presentations
    check_critical_headers(vp)


def test_vp_with_unknown_crit_is_refused(keys) -> None:
    (vp,) = parse_envelope(_vp(keys, vp_headers={"crit": ["x-ext"], "x-ext": True})).presentations
    with pytest.raises(VerificationFailed) as caught:
        check_critical_headers(vp)
    assert caught.value.cause.about == "presentation" and caught.value.cause.kind == causes.UNSUPPORTED
    assert describe(caught.value.cause) == f"unable to validate JWT signature: {NOT_UNDERSTOOD}"


def test_vc_with_unknown_crit_is_refused_as_the_credentials(keys) -> None:
    (vp,) = parse_envelope(_vp(keys, vc_headers={"crit": ["x-ext"], "x-ext": True})).presentations
    with pytest.raises(VerificationFailed) as caught:
        check_critical_headers(vp)
    cause = caught.value.cause
    assert (cause.about, cause.subject, cause.kind) == ("credential", f"{ISSUER}#1", causes.UNSUPPORTED)
    assert describe(cause) == (
        f"invalid VC (id={ISSUER}#1): presentation(s) or credential(s) verification failed: "
        f"unable to validate JWT signature: {NOT_UNDERSTOOD}"
    )
