"""VerifyVP as a process (PROTOCOL.md §3.5): the good path, then one typed failure per broken check."""

from __future__ import annotations

import json

import pytest

from nutssim import jose
from nutssim.jose import KeyPair
from nutssim.models.credential import Credential, credential_document, organization_subject
from nutssim.rng import b64url
from nutssim.specs import vc_verify
from nutssim.specs.vc_jwt import (
    credential_from_json,
    credential_from_jwt,
    issue_credential,
    present,
    presentation_from_jwt,
    to_rfc3339,
)
from nutssim.specs.vc_verify import VerificationFailed

AUDIENCE = "https://hospital.example/oauth2/hospital"


def org_vc(
    sim,
    issuer,
    subject_did,
    *,
    key: KeyPair | None = None,
    city: str | None = "Utrecht",
    issued: int | None = None,
    lifetime: int = 3600,
    types: list[str] | None = None,
    issuer_did: str | None = None,
) -> Credential:
    """A JWT NutsOrganizationCredential from ``issuer`` about ``subject_did``."""
    now = sim.clock.now()
    issued = now if issued is None else issued
    did = issuer_did or issuer.did
    subject = organization_subject(subject_did, "Huisartsenpraktijk West", city or "")
    if city is None:
        del subject["organization"]["city"]
    document = credential_document(
        id=f"{did}#{sim.rng.uuid()}",
        type="NutsOrganizationCredential",
        issuer=did,
        issuance_date=to_rfc3339(issued),
        expiration_date=to_rfc3339(issued + lifetime),
        subject=subject,
    )
    if types:
        document["type"] = types
    return credential_from_jwt(issue_credential(document, key or issuer.key))


def make_vp(
    sim, presenter, credentials, *, key: KeyPair | None = None, lifetime: int = 5, holder: str | None = None
):
    """A JWT VP signed by ``presenter`` (``holder`` overrides its ``iss``) for the hospital's AS."""
    token = present(
        credentials,
        key or presenter.key,
        holder=holder or presenter.did,
        audience=AUDIENCE,
        nonce=sim.rng.token(),
        now=sim.clock.now(),
        lifetime=lifetime,
        jti=f"{presenter.did}#{sim.rng.uuid()}",
    )
    return presentation_from_jwt(token)


def verify(sim, vp, **kwargs):
    """Run VerifyVP as a process on the simulated network, as the verifier."""
    return sim.run(vc_verify.verify_presentation(vp, sim.clock.now(), **kwargs), "verifier")


def failure(sim, vp, **kwargs) -> VerificationFailed:
    """Run VerifyVP and return the ``VerificationFailed`` it must raise."""
    with pytest.raises(VerificationFailed) as info:
        verify(sim, vp, **kwargs)
    return info.value


def forge(token: str, **payload_changes) -> str:
    """Change payload claims of a compact JWS and keep its (now invalid) signature."""
    header, payload, signature = token.split(".")
    claims = {**json.loads(jose.b64url_decode(payload)), **payload_changes}
    return f"{header}.{b64url(json.dumps(claims).encode())}.{signature}"


# -- the good path -------------------------------------------------------------------------------------------
def test_valid_presentation_verifies_and_resolves_both_dids(sim, world):
    """A VP by the subject with a valid org VC verifies, resolving holder and issuer DIDs over the network."""
    vp = make_vp(sim, world["holder"], [org_vc(sim, world["issuer"], world["holder"].did)])
    assert verify(sim, vp) is None
    urls = [x.request.url for x in sim.trace.exchanges]
    assert urls[0].startswith("https://gp.example/iam/")
    assert any(u.startswith("https://register.example/iam/") for u in urls)
    assert all(x.response.status == 200 for x in sim.trace.exchanges)


def test_two_credentials_and_ed25519_keys(sim, make_identity):
    """A VP with two VCs verifies, also when holder and issuer use EdDSA keys."""
    issuer, holder = (
        make_identity("https://reg.example", "EdDSA"),
        make_identity("https://gp.example", "EdDSA"),
    )
    credentials = [org_vc(sim, issuer, holder.did), org_vc(sim, issuer, holder.did)]
    verify(sim, make_vp(sim, holder, credentials))


def test_verification_at_the_skew_boundaries(sim, world):
    """The VP verifies until just before exp + 5 s (and not at it); the VC 5 s before its issuanceDate."""
    now = sim.clock.now()
    vc = org_vc(sim, world["issuer"], world["holder"].did, issued=now + 5)
    vp = make_vp(sim, world["holder"], [vc])
    sim.clock.advance(9)  # VP exp = now + 5; now + 9 is one second before exp + 5
    verify(sim, vp)
    sim.clock.advance(1)  # exactly exp + 5: expired (RFC 7519 §4.1.4; jwx !now.Before(exp+skew))
    with pytest.raises(VerificationFailed, match='"exp" not satisfied'):
        verify(sim, vp)


def test_audience_is_checked_with_jose(sim, world):
    """The VP's ``aud`` is the verifier's identifier; another one fails ``check_audience``."""
    vp = make_vp(sim, world["holder"], [org_vc(sim, world["issuer"], world["holder"].did)])
    claims = jose.decode(vp.raw).payload
    jose.check_audience(claims, AUDIENCE)
    with pytest.raises(jose.AudienceMismatch) as info:
        jose.check_audience(claims, "https://evil.example/oauth2/evil")
    assert info.value.check == "jwt.aud"
    assert vp.audience == [AUDIENCE]


# -- VP failures ---------------------------------------------------------------------------------------------
def test_tampered_vp_payload(sim, world):
    """A VP whose payload changed after signing fails its signature check."""
    vp = make_vp(sim, world["holder"], [org_vc(sim, world["issuer"], world["holder"].did)])
    error = failure(sim, presentation_from_jwt(forge(vp.raw, nonce="replaced")))
    assert error.check == "jws.signature"
    assert str(error) == (
        "unable to validate JWT signature: jwt.ParseString: failed to parse string: "
        "signature verification failed for ES256: invalid ECDSA signature"  # crypto/jwx_test.go
    )


def test_vp_signed_with_key_of_another_did(sim, world):
    """A VP naming the holder's key but signed with another DID's key fails the signature check."""
    holder_kid = world["holder"].key.kid
    vp = make_vp(
        sim,
        world["holder"],
        [org_vc(sim, world["issuer"], world["holder"].did)],
        key=world["other"].key.with_kid(holder_kid),
    )
    assert failure(sim, vp).check == "jws.signature"


def test_vp_past_exp_plus_skew(sim, world):
    """A VP verified 6 s after its ``exp`` has expired."""
    vp = make_vp(sim, world["holder"], [org_vc(sim, world["issuer"], world["holder"].did)])
    sim.clock.advance(11)
    error = failure(sim, vp)
    assert error.check == "jwt.exp"
    # The reference's own literal (vcr/verifier/verifier_test.go at d2ad162), whole.
    assert str(error) == (
        "unable to validate JWT signature: jwt.ParseString: failed to parse string: "
        'jwt.Validate: validation failed: "exp" not satisfied: token is expired'
    )


def test_vp_without_nbf(sim, world):
    """A JWT VP must carry ``nbf``."""
    holder = world["holder"]
    token = jose.sign(
        {"kid": holder.key.kid}, {"iss": holder.did, "vp": {"verifiableCredential": []}}, holder.key
    )
    assert failure(sim, presentation_from_jwt(token)).check == "jwt.claims"


def test_vp_alg_none(sim, world):
    """An unsigned (``alg: none``) VP is refused by the algorithm check."""
    holder = world["holder"]
    vp = make_vp(sim, holder, [org_vc(sim, world["issuer"], holder.did)])
    header = b64url(json.dumps({"alg": "none", "kid": holder.key.kid}).encode())
    unsigned = f"{header}.{vp.raw.split('.')[1]}."
    error = failure(sim, presentation_from_jwt(unsigned))
    assert error.check == "jws.alg"
    assert "alg none" in str(error)


def test_vp_without_kid(sim, world):
    """A JWT VP without ``kid`` cannot be verified."""
    holder = world["holder"]
    vp = make_vp(sim, holder, [org_vc(sim, world["issuer"], holder.did)], key=holder.key.with_kid(""))
    assert failure(sim, vp, check_subject=False).check == "vp.kid"


def test_presenter_is_not_the_subject(sim, world):
    """A VP by another DID than the credential subject fails 'credential(s) must be presented by subject'."""
    vc = org_vc(sim, world["issuer"], world["holder"].did)
    error = failure(sim, make_vp(sim, world["other"], [vc]))
    assert (error.check, str(error)) == ("vp.presenter", "credential(s) must be presented by subject")
    assert sim.trace.exchanges == []  # refused before any resolution


def test_holder_claim_differs_from_signer(sim, world):
    """A VP whose ``iss`` is another DID than its signer fails 'presentation holder must equal …'."""
    vc = org_vc(sim, world["issuer"], world["holder"].did)
    error = failure(sim, make_vp(sim, world["holder"], [vc], holder=world["other"].did))
    assert (error.check, str(error)) == ("vp.holder", "presentation holder must equal credential subject")


def test_empty_vp_holder_must_be_the_signer(sim, world):
    """A VP without credentials whose ``iss`` is another DID than its ``kid`` is refused."""
    vp = make_vp(sim, world["other"], [], holder=world["holder"].did)
    assert vp.holder == world["holder"].did
    error = failure(sim, vp)
    assert (error.check, str(error)) == (
        "vp.kid",
        "unable to validate JWT signature: verification method is not of issuer",
    )
    vp = make_vp(
        sim, world["other"], [org_vc(sim, world["issuer"], world["other"].did)], holder=world["holder"].did
    )
    assert failure(sim, vp, check_subject=False).check == "vp.kid"


def test_vp_signer_did_unresolvable(sim, world, make_identity):
    """A VP signed by a DID nobody serves fails resolution."""
    ghost = make_identity("https://ghost.example")
    ghost.deactivated = True
    vc = org_vc(sim, world["issuer"], ghost.did)
    error = failure(sim, make_vp(sim, ghost, [vc]))
    assert error.check == "did.resolve" and str(error) == (  # signature_verifier.go jwtSignature, didweb
        "unable to validate JWT signature: unable to resolve signing key: "
        "did:web non-ok HTTP status: 404 Not Found"
    )


# -- VC failures ---------------------------------------------------------------------------------------------
def test_tampered_vc_payload(sim, world):
    """A VC whose payload changed fails its signature check: 'invalid VC (id=…)' and the double prefix.

    The signature verifier's VerificationError is wrapped again by doVerifyVP (vcr/verifier/verifier.go).
    """
    vc = org_vc(sim, world["issuer"], world["holder"].did)
    forged = credential_from_jwt(forge(vc.raw, exp=jose.decode(vc.raw).payload["exp"] + 10**6))
    error = failure(sim, make_vp(sim, world["holder"], [forged]))
    assert error.check == "jws.signature"
    assert (
        str(error) == f"invalid VC (id={vc.id}): presentation(s) or credential(s) verification failed: "
        "unable to validate JWT signature: jwt.ParseString: failed to parse string: "
        "signature verification failed for ES256: invalid ECDSA signature"
    )


def test_vc_signed_with_key_of_another_did(sim, world):
    """A VC naming the issuer's key but signed with another DID's key fails the signature check."""
    issuer = world["issuer"]
    vc = org_vc(sim, issuer, world["holder"].did, key=world["other"].key.with_kid(issuer.key.kid))
    assert failure(sim, make_vp(sim, world["holder"], [vc])).check == "jws.signature"


def test_vc_kid_did_differs_from_iss(sim, world):
    """A VC signed by another DID's key (``kid`` DID ≠ ``iss``) fails 'token issuer … does not match …'."""
    vc = org_vc(sim, world["issuer"], world["holder"].did, key=world["other"].key)
    error = failure(sim, make_vp(sim, world["holder"], [vc]))
    assert error.check == "vc.kid"
    assert (
        f"token issuer ({world['issuer'].did}) does not match signing key DID ({world['other'].did})"
        in str(error)
    )


def test_expired_vc(sim, world):
    """A VC verified more than 5 s after its expirationDate is 'not valid at given time'."""
    vc = org_vc(sim, world["issuer"], world["holder"].did, lifetime=100)
    sim.clock.advance(106)
    error = failure(sim, make_vp(sim, world["holder"], [vc]))
    assert (error.check, str(error)) == (
        "vc.time",
        f"invalid VC (id={vc.id}): credential not valid at given time",
    )


def test_vc_expired_exactly_at_skew_passes(sim, world):
    """A VC 5 s past its expirationDate is still accepted (skew)."""
    vc = org_vc(sim, world["issuer"], world["holder"].did, lifetime=100)
    sim.clock.advance(105)
    verify(sim, make_vp(sim, world["holder"], [vc]))


def test_not_yet_valid_vc(sim, world):
    """A VC whose issuanceDate is more than 5 s ahead is 'not valid at given time'."""
    vc = org_vc(sim, world["issuer"], world["holder"].did, issued=sim.clock.now() + 6)
    assert failure(sim, make_vp(sim, world["holder"], [vc])).check == "vc.time"


def test_vc_with_more_than_two_types(sim, world):
    """A VC listing three types is refused ('must list at most 2 types')."""
    types = ["VerifiableCredential", "NutsOrganizationCredential", "ExtraCredential"]
    vc = org_vc(sim, world["issuer"], world["holder"].did, types=types)
    error = failure(sim, make_vp(sim, world["holder"], [vc]))
    assert error.check == "vc.types"
    assert str(error).endswith("verifiable credential must list at most 2 types")


@pytest.mark.parametrize("city", [None, "", "   "])
def test_organization_credential_without_city(sim, world, city):
    """A NutsOrganizationCredential without a city fails the type validator."""
    vc = org_vc(sim, world["issuer"], world["holder"].did, city=city)
    error = failure(sim, make_vp(sim, world["holder"], [vc]))
    assert error.check == "vc.nuts_org"
    assert str(error) == f"invalid VC (id={vc.id}): validation failed: 'credentialSubject.city' is empty"


def test_organization_credential_with_null_city(sim, world):
    """A JSON ``null`` city is empty too (not the string 'None')."""
    vc = org_vc(sim, world["issuer"], world["holder"].did)
    document = {
        **vc.document,
        "credentialSubject": {"id": world["holder"].did, "organization": {"name": "X", "city": None}},
    }
    with pytest.raises(VerificationFailed, match=r"'credentialSubject\.city' is empty"):
        vc_verify.validate_credential(credential_from_json(document))


def test_organization_credential_id_must_start_with_issuer(sim, world):
    """A NutsOrganizationCredential whose id does not start with the issuer DID is refused."""
    vc = org_vc(sim, world["issuer"], world["holder"].did)
    with pytest.raises(VerificationFailed, match="credential ID must start with issuer"):
        vc_verify.validate_credential(credential_from_json({**vc.document, "id": "urn:uuid:1"}))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"@context": ["https://example.com/other"]}, "default context is required"),
        ({"type": ["NutsOrganizationCredential"]}, "type 'VerifiableCredential' is required"),
        ({"issuer": ""}, "'issuer' is required"),
        ({"id": ""}, "'ID' is required"),
        ({"issuanceDate": ""}, "'issuanceDate' is required"),
    ],
)
def test_default_validator(sim, world, change, message):
    """The default validator names the missing member."""
    vc = org_vc(sim, world["issuer"], world["holder"].did)
    with pytest.raises(VerificationFailed, match=message):
        vc_verify.validate_credential(credential_from_json({**vc.document, **change}))


def test_vc_issuer_unresolvable(sim, world):
    """A VC whose issuer DID does not resolve fails with the resolution detail."""
    world["issuer"].deactivated = True
    vc = org_vc(sim, world["issuer"], world["holder"].did)
    error = failure(sim, make_vp(sim, world["holder"], [vc]))
    assert error.check == "did.resolve" and str(error).startswith(
        f"invalid VC (id={vc.id}): unable to resolve"
    )


def test_revoked_and_untrusted_credentials(sim, world):
    """A status checker that reports revocation, or a trust callback that says no, fails the VC."""

    class Revoked:
        def is_revoked(self, credential, now):
            return True
            yield  # a process

    vc = org_vc(sim, world["issuer"], world["holder"].did)
    vp = make_vp(sim, world["holder"], [vc])
    assert failure(sim, vp, status=Revoked()).check == "vc.revoked"
    assert failure(sim, vp, trusted=lambda c: False).check == "vc.trust"
    verify(sim, vp, trusted=lambda c: c.issuer == world["issuer"].did)


def test_self_attested_credential_needs_no_issuer_resolution(sim, world):
    """A proof-less JSON-LD VC issued by the holder is accepted on the VP signature alone."""
    holder = world["holder"]
    document = credential_document(
        id=f"{holder.did}#self",
        type="NutsEmployeeCredential",
        issuer=holder.did,
        issuance_date=to_rfc3339(sim.clock.now()),
        subject={"id": holder.did, "name": "Alice"},
    )
    credential = credential_from_json(document)
    assert sim.run(vc_verify.verify_credential(credential, sim.clock.now(), holder=holder.did), "v") is None
    assert sim.trace.exchanges == []


def test_skip_credentials(sim, world):
    """With ``verify_credentials=False`` only the presentation itself is checked."""
    vc = org_vc(sim, world["issuer"], world["holder"].did, lifetime=1)
    sim.clock.advance(3)  # the VP is fresh, the VC would be expired after 1 + 5 s
    sim.clock.advance(5)
    vp = make_vp(sim, world["holder"], [vc])
    verify(sim, vp, verify_credentials=False)
    assert failure(sim, vp).check == "vc.time"


def test_causes_of_verification_failures():
    """A credential's failure is a cause about that credential; the detail is rendered from it."""
    from nutssim import causes
    from nutssim.causes import Cause

    inner = vc_verify.VerificationFailed("credential is revoked", kind=causes.REVOKED)
    assert inner.cause == Cause(causes.REVOKED, "presentation", reason="credential is revoked")
    wrapped = vc_verify.VerificationFailed("", cause=inner.cause.on("credential", "urn:vc:7"))
    assert wrapped.detail == "invalid VC (id=urn:vc:7): credential is revoked"
    assert vc_verify.VerificationFailed("unable to validate JWT signature: x").cause.kind == causes.SIGNATURE
    assert vc_verify.VerificationFailed("validation failed: 'ID' is required").cause.kind == causes.VALIDATION
