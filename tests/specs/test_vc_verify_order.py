"""The order of the signer check against ParseJWT, per profile (FIDELITY.md "VerifyVP error texts").

The reference (``vcr/verifier/signature_verifier.go jwtSignature``) resolves the ``kid``'s key and
lets ``crypto/jwx.go ParseJWT`` verify signature and times before any signer check: a VC's
``IssuerKidValidator`` (``crypto/jwt_profile.go``) runs inside ParseJWT after jwx, and a VP's
"verification method is not of issuer" after ParseJWT, against the ``kid``'s own DID. Strict
refuses a key of another DID first, without looking it up. nuts-node's profiles verify with
json-gold (``LdProcessing.JSON_GOLD``), which is how ``vc_verify`` tells them apart.
"""

from __future__ import annotations

import pytest

from nutssim.catalogue.attacker import resign
from nutssim.specs.jsonld import LdProcessing
from nutssim.specs.vc_jwt import credential_from_jwt, presentation_from_jwt
from nutssim.specs.vc_verify import VerificationFailed
from tests.specs.test_vc_verify import failure, forge, make_vp, org_vc, verify

PREFIX = "presentation(s) or credential(s) verification failed: "
REFERENCE = LdProcessing.JSON_GOLD
STRICT = LdProcessing.SPEC


def fetched(sim, host: str) -> bool:
    """Whether the verifier fetched anything from ``host``."""
    return any(host in x.request.url for x in sim.trace.exchanges)


def foreign_tampered_vc(sim, world):
    """A VC of ``issuer`` signed with ``other``'s key (kid DID ≠ iss) whose payload then changed."""
    vc = org_vc(sim, world["issuer"], world["holder"].did, key=world["other"].key)
    return credential_from_jwt(forge(vc.raw, jti=f"{vc.id}-changed"))


def test_vc_with_foreign_kid_and_bad_signature_strict(sim, world):
    """Strict refuses the other DID's key before fetching it: the issuer/kid text."""
    vc = foreign_tampered_vc(sim, world)
    error = failure(sim, make_vp(sim, world["holder"], [vc]), ld_mode=STRICT)
    assert (error.check, str(error)) == (
        "vc.kid",
        f"invalid VC (id={vc.id}): {PREFIX}unable to validate JWT signature: token issuer "
        f"({world['issuer'].did}) does not match signing key DID ({world['other'].did})",
    )
    assert not fetched(sim, "other.example")


def test_vc_with_foreign_kid_and_bad_signature_reference(sim, world):
    """The reference fetches the kid's key and fails in ParseJWT: jwx's signature text wins."""
    vc = foreign_tampered_vc(sim, world)
    error = failure(sim, make_vp(sim, world["holder"], [vc]), ld_mode=REFERENCE)
    assert (error.check, str(error)) == (
        "jws.signature",
        f"invalid VC (id={vc.id}): {PREFIX}unable to validate JWT signature: jwt.ParseString: failed to "
        "parse string: signature verification failed for ES256: invalid ECDSA signature",
    )
    assert fetched(sim, "other.example")


def test_vc_with_foreign_kid_and_good_signature_reference(sim, world):
    """A good signature by the other DID's key reaches IssuerKidValidator: same words, after the fetch."""
    vc = org_vc(sim, world["issuer"], world["holder"].did, key=world["other"].key)
    error = failure(sim, make_vp(sim, world["holder"], [vc]), ld_mode=REFERENCE)
    assert (error.check, str(error)) == (
        "vc.kid",
        f"invalid VC (id={vc.id}): {PREFIX}unable to validate JWT signature: token issuer "
        f"({world['issuer'].did}) does not match signing key DID ({world['other'].did})",
    )
    assert fetched(sim, "other.example")


def expired_vp_of_another_holder(sim, world):
    """An empty VP signed by ``holder`` whose ``iss`` names ``other``, checked after it expired."""
    vp = make_vp(sim, world["holder"], [], holder=world["other"].did)
    sim.clock.advance(60)
    return vp


def test_vp_with_other_iss_and_expired_strict(sim, world):
    """Strict refuses the iss/kid mismatch first, before the key is looked up."""
    vp = expired_vp_of_another_holder(sim, world)
    error = failure(sim, vp, ld_mode=STRICT)
    assert (error.check, str(error)) == (
        "vp.kid",
        "unable to validate JWT signature: verification method is not of issuer",
    )
    assert sim.trace.exchanges == []


def test_vp_with_other_iss_and_expired_reference(sim, world):
    """The reference reads ParseJWT's expiry: its VP profile has no iss/kid check at all."""
    vp = expired_vp_of_another_holder(sim, world)
    error = failure(sim, vp, ld_mode=REFERENCE)
    assert (error.check, str(error)) == (
        "jwt.exp",
        "unable to validate JWT signature: jwt.ParseString: failed to parse string: jwt.Validate: "
        'validation failed: "exp" not satisfied: token is expired',
    )


def test_vp_with_other_iss_in_time_reference(sim, world):
    """In time, the reference accepts it: ``jwtSignature`` compares the kid with the kid's own DID."""
    vp = make_vp(sim, world["holder"], [], holder=world["other"].did)
    assert verify(sim, vp, ld_mode=REFERENCE) is None
    with pytest.raises(VerificationFailed, match="verification method is not of issuer"):
        verify(sim, vp, ld_mode=STRICT)


def test_crit_vp_is_refused_by_the_reference_after_the_key_lookup(sim, world):
    """jwt.ParseString refuses crit with one WithKey (jwx PR #1793): after the kid's key is resolved."""
    vp = make_vp(sim, world["holder"], [])
    token = resign(vp.raw, world["holder"].key, header={"crit": ["x-ext"], "x-ext": True})
    error = failure(sim, presentation_from_jwt(token), ld_mode=REFERENCE)
    assert (error.check, str(error)) == (
        "vp.crit",
        "unable to validate JWT signature: jwt.ParseString: failed to parse string: jws.Verify: could not "
        'verify message using any of the signatures or keys: jws.Verify: signature #1 has invalid "crit" '
        'header: jws.Verify: "crit" header references extension "x-ext", but the recipient has not declared '
        'support for it (use jws.WithCritExtension("x-ext"))',
    )
    assert fetched(sim, "gp.example")
