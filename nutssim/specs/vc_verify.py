"""Verification of presentations and credentials, as the reference's VerifyVP (PROTOCOL.md §3.3, §3.5).

Both functions are processes: resolving a did:web key or fetching a status list is a
message on the simulated network. Failures raise ``VerificationFailed`` carrying a
structured ``cause`` (kind, about ``credential`` or ``presentation``, the credential
id, the reference's words as ``reason``); its ``detail`` is rendered from that cause
(``describe``): the text the reference appends to "presentation(s) or credential(s)
verification failed" (``invalid VC (id=…): <reason>``, ``unable to validate JWT
signature: <reason>``, or a resolution detail).

A credential's signature failure reads as the reference's does: its verifier returns a
``VerificationError`` that ``doVerifyVP`` wraps again, so the prefix appears twice
(``invalid VC (id=…): presentation(s) or credential(s) verification failed: invalid
signature: …``; ``vcr/verifier/verifier.go doVerifyVP``, ``signature_verifier.go jsonldProof``).
``ld_mode`` says how JSON-LD proofs are canonicalized: ``SPEC`` (strict) or ``JSON_GOLD``
(the reference's json-gold and Go structs, ``nutssim.specs.ld_reference``).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, Protocol

from nutssim import causes, jose
from nutssim.causes import Cause
from nutssim.errors import ProtocolError
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.models.credential import VC_CONTEXT, Credential, Presentation
from nutssim.models.did import DIDDocument, DIDDocumentError, did_of
from nutssim.specs import jwx_text
from nutssim.specs.did import DIDResolutionError, KeyNotFound, resolve, resolve_key
from nutssim.specs.jsonld import LdProcessing
from nutssim.specs.rules import Rule
from nutssim.specs.vc_jwt import CredentialFormatError, from_rfc3339

Process = Generator[HttpRequest, HttpResponse, Any]
#: vcr/credential/types.go X509CredentialType.
X509_CREDENTIAL = "X509Credential"


#: The reference's prefix of a VerificationError (``vcr/verifier/verifier.go VerificationError.Error``).
VERIFICATION_FAILED = "presentation(s) or credential(s) verification failed"
#: dsig's text for a signature that does not verify (``vcr/verifier/signature_verifier_test.go``
#: asserts the ECDSA one for JSON-LD proofs: the bare verifier's error, without the JWT parser's
#: wrapper; EdDSA and RSA from dsig's source, ``jwx_text``).
_JWX_BAD_SIGNATURE = jwx_text.BAD_SIGNATURE

#: ``verifier.go errVerificationMethodNotOfIssuer``: ``jwtSignature`` returns it bare, after ParseJWT.
NOT_OF_ISSUER = "verification method is not of issuer"
#: strict's own refusal of a VP whose ``iss`` is not the ``kid``'s DID, before the key is looked up.
STRICT_NOT_OF_ISSUER = f"unable to validate JWT signature: {NOT_OF_ISSUER}"
#: The reference's bare signer refusal of a JWT VP (``vcr/verifier/verifier.go``
#: ``errVerificationMethodNotOfIssuer``, returned by ``signature_verifier.go jwtSignature``): under
#: nuts-node only a ``kid`` with a ``?query`` before ``#`` reaches it. Declared for ``nutssim explain``.
VP_SIGNER = Rule(
    "vp.kid",
    "RFC021 §4.2.4; vcr/verifier/signature_verifier.go jwtSignature",
    "invalid_request",
    NOT_OF_ISSUER,
    kind=causes.SIGNATURE,
    about="VP's kid",
)

#: Words of the reference's own failures that name a signature or proof (PROTOCOL.md §3.5): the link
#: a library's message of unknown type breaks is classified at the raise site, once.
_SIGNATURE_WORDS = ("signature", "signing key DID", "verification method is not of issuer", "proof")


class VerificationFailed(ProtocolError):
    """A presentation or one of its credentials did not verify; ``cause`` says why, ``detail`` renders it."""

    check = "vp.verify"
    cause: Cause

    def __init__(self, detail: str, *, check: str = "", kind: str = "", cause: Cause | None = None) -> None:
        cause = cause or Cause(kind or kind_of(detail), "presentation", reason=detail)
        super().__init__(describe(cause), check=check, cause=cause)
        self.detail = describe(cause)


def describe(cause: Cause) -> str:
    """The reference's text of a VerifyVP cause: ``invalid VC (id=…): <reason>`` for a credential."""
    if cause.about == "credential":
        return f"invalid VC (id={cause.subject}): {cause.reason}"
    return cause.reason


def kind_of(words: str) -> str:
    """The kind of a failure known only by its words (a library's message): signature, else validation."""
    return causes.SIGNATURE if any(w in words for w in _SIGNATURE_WORDS) else causes.VALIDATION


class StatusChecker(Protocol):
    """Answers whether a credential is revoked (StatusList2021), fetching over the network."""

    def is_revoked(self, credential: Credential, now: int) -> Generator[HttpRequest, HttpResponse, bool]:
        """Return True only for a confirmed revocation."""
        ...


# -- credentials ----------------------------------------------------------------------------------
def validate_credential(credential: Credential) -> None:
    """The type validators of PROTOCOL.md §3.3 (default, then NutsOrganizationCredential)."""
    doc = credential.document
    contexts = doc.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    if VC_CONTEXT not in contexts:
        raise VerificationFailed("validation failed: default context is required", check="vc.context")
    if "VerifiableCredential" not in credential.types:
        raise VerificationFailed(
            "validation failed: type 'VerifiableCredential' is required", check="vc.type"
        )
    if not credential.issuer:
        raise VerificationFailed("validation failed: 'issuer' is required", check="vc.issuer")
    if not credential.id:
        raise VerificationFailed("validation failed: 'ID' is required", check="vc.id")
    if not doc.get("issuanceDate"):
        raise VerificationFailed("validation failed: 'issuanceDate' is required", check="vc.issuance_date")
    if "NutsOrganizationCredential" in credential.types:
        _validate_organization_credential(credential)


def _validate_organization_credential(credential: Credential) -> None:
    # PROTOCOL.md §3.3: id starts with the issuer DID, one subject with a DID id, name and city set.
    if not credential.id.startswith(credential.issuer):
        raise VerificationFailed(
            "validation failed: credential ID must start with issuer", check="vc.nuts_org"
        )
    subjects = credential.subjects
    if len(subjects) != 1:
        raise VerificationFailed("validation failed: single CredentialSubject expected", check="vc.nuts_org")
    subject = subjects[0]
    if not str(subject.get("id", "")).startswith("did:"):
        raise VerificationFailed("validation failed: 'credentialSubject.ID' is nil", check="vc.nuts_org")
    organization = subject.get("organization") or {}
    for name in ("name", "city"):
        value = organization.get(name) if isinstance(organization, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise VerificationFailed(
                f"validation failed: 'credentialSubject.{name}' is empty", check="vc.nuts_org"
            )


def check_validity_time(credential: Credential, now: int, skew: int = jose.DEFAULT_SKEW) -> None:
    """``issuanceDate ≤ now+skew`` and ``expirationDate+skew ≥ now`` (PROTOCOL.md §3.5 step 3)."""
    doc = credential.document
    try:
        issued = from_rfc3339(doc["issuanceDate"]) if doc.get("issuanceDate") else None
        expires = from_rfc3339(doc["expirationDate"]) if doc.get("expirationDate") else None
    except CredentialFormatError as exc:
        raise VerificationFailed(str(exc), check="vc.time") from None
    if (issued is not None and issued > now + skew) or (expires is not None and expires + skew < now):
        raise VerificationFailed("credential not valid at given time", check="vc.time", kind=causes.TIME)


def verify_credential(
    credential: Credential,
    now: int,
    *,
    holder: str | None = None,
    status: StatusChecker | None = None,
    trusted: Callable[[Credential], bool] | None = None,
    ld_mode: LdProcessing = LdProcessing.SPEC,
    crl: Any = None,
    eku_policy: bool = False,
    issuer_crl: bool = False,
    jwx: jwx_text.Words | None = None,
) -> Generator[HttpRequest, HttpResponse, None]:
    """Verify one credential: validators, types, revocation, trust, time, issuer, signature.

    ``crl`` is the X509Credential's CRL checker (``x509_credential.CRLChecker``; None skips CRLs)
    and ``eku_policy`` turns on the did:x509 ``eku`` policy (strict; the reference lacks it).
    ``issuer_crl`` checks the CRLs of any did:x509 issuer's chain, not only an X509Credential's
    (strict: the GF catalogue's HealthcareProviderCredential names "certificate revocation checks
    (OCSP/CRL) through the did:x509 DID resolution"; nuts-node ``vdr/didx509/resolver.go
    Resolve`` "does NOT check the CRLs", only ``x509CredentialValidator`` does).
    """
    try:
        yield from _verify_credential(
            credential, now, holder, status, trusted, ld_mode, crl, eku_policy, issuer_crl, jwx
        )
    except VerificationFailed as exc:
        cause = exc.cause.on("credential", credential.id)
        raise VerificationFailed("", check=exc.check, cause=cause) from None
    except DIDResolutionError as exc:
        cause = Cause(_resolution_kind(str(exc)), "credential", credential.id, reason=str(exc))
        raise VerificationFailed("", check=exc.check, cause=cause) from None
    except jose.JoseError as exc:
        cause = Cause(kind_of(str(exc)), "credential", credential.id, reason=str(exc))
        raise VerificationFailed("", check=exc.check, cause=cause) from None


def _resolution_kind(words: str) -> str:
    """A DID resolution failure is a resolution cause unless its words name a signature or proof."""
    return causes.SIGNATURE if kind_of(words) == causes.SIGNATURE else causes.RESOLUTION


def _verify_credential(
    credential: Credential,
    now: int,
    holder: str | None,
    status: StatusChecker | None,
    trusted: Callable[[Credential], bool] | None,
    ld_mode: LdProcessing,
    crl: Any = None,
    eku_policy: bool = False,
    issuer_crl: bool = False,
    jwx: jwx_text.Words | None = None,
) -> Generator[HttpRequest, HttpResponse, None]:
    if X509_CREDENTIAL in credential.types:
        # vcr/credential/resolver.go FindValidator: the X509Credential validator runs first and
        # ends with the default one (validator.go x509CredentialValidator.Validate).
        from nutssim.specs import x509_credential

        try:
            yield from x509_credential.validate(credential, now, crl, eku_policy=eku_policy)
        except x509_credential.X509CredentialInvalid as exc:
            raise VerificationFailed(str(exc), check=exc.check, kind=exc.kind) from None
    validate_credential(credential)
    if len(credential.types) > 2:
        raise VerificationFailed("verifiable credential must list at most 2 types", check="vc.types")
    if status is not None and (yield from status.is_revoked(credential, now)):
        raise VerificationFailed("credential is revoked", check="vc.revoked", kind=causes.REVOKED)
    if trusted is not None and not trusted(credential):
        raise VerificationFailed("credential issuer is untrusted", check="vc.trust", kind=causes.UNTRUSTED)
    check_validity_time(credential, now)
    self_attested = credential.format == "ldp_vc" and credential.proof_type is None
    if self_attested and holder is not None and credential.issuer == holder:
        return  # PROTOCOL.md §3.5: a self-attested VC is covered by the VP signature
    if credential.issuer.startswith("did:x509:"):
        # verifier.go Verify: the resolve metadata carries the JWT's protected headers (x5c).
        from nutssim.specs import x509_credential

        issuer_document = x509_credential.resolve_issuer(credential, now, eku_policy=eku_policy)
        if issuer_crl and crl is not None and X509_CREDENTIAL not in credential.types:
            yield from _issuer_crl(credential, now, crl)
    else:
        issuer_document = yield from resolve(credential.issuer)  # must resolve (not deactivated)
    yield from verify_credential_signature(credential, issuer_document, now=now, ld_mode=ld_mode, jwx=jwx)


def _issuer_crl(credential: Credential, now: int, crl: Any) -> Generator[HttpRequest, HttpResponse, None]:
    """The CRLs of a did:x509 issuer's chain (strict), refused as an X509Credential's are."""
    from nutssim.specs import did_x509, x509_credential

    yield from crl.check(did_x509.parse_chain(x509_credential.x5c_of(credential)), now)


def _issuer_key(
    kid: str, issuer_document: DIDDocument | None
) -> Generator[HttpRequest, HttpResponse, jose.PublicKey]:
    """The assertion key ``kid``, from the issuer's already resolved document when we have it."""
    if issuer_document is None or issuer_document.id != did_of(kid):
        return (yield from resolve_key(kid))
    try:
        return issuer_document.public_key(kid)
    except DIDDocumentError as exc:
        raise KeyNotFound(f"unable to resolve {kid}: {exc}") from None


def _signing_key_text(exc: DIDResolutionError) -> str:
    """A JWT's key lookup failure as ``signature_verifier.go jwtSignature`` wraps it (twice).

    Its key function wraps the resolver's error in "unable to resolve signing key: ", and
    ``crypto/jwx.go ParseJWT`` returns that unchanged into "unable to validate JWT signature: ";
    a DID that resolves without the key is ``vdr/resolver/key.go ResolveKeyByID``'s ErrKeyNotFound.
    """
    return f"unable to validate JWT signature: unable to resolve signing key: {_lookup_words(exc)}"


def _lookup_words(exc: DIDResolutionError) -> str:
    """The key resolver's error as the reference words it (``ResolveKeyByID``, then the DID's resolver)."""
    return "key not found in DID document" if isinstance(exc, KeyNotFound) else exc.reference


def _prefixed(text: str) -> str:
    """A VerificationError's text as it reads once ``doVerifyVP`` wraps it again (the double prefix)."""
    return f"{VERIFICATION_FAILED}: {text}"


def verify_credential_signature(
    credential: Credential,
    issuer_document: DIDDocument | None = None,
    *,
    now: int | None = None,
    ld_mode: LdProcessing = LdProcessing.SPEC,
    jwx: jwx_text.Words | None = None,
) -> Generator[HttpRequest, HttpResponse, None]:
    """Check the issuer's signature over a JWT or JSON-LD credential (resolving the key if needed).

    ``now`` given: a JSON-LD proof's ``created``/``expires`` are checked too (``jsonldProof``
    runs ``ProofOptions.ValidAt`` before resolving the key). ``jwx``: the reference's, see ``_crit``.
    """
    if credential.format == "jwt_vc":
        jws = jose.decode(credential.raw, jwx_base64=True)  # re-read: its parse chose the reading
        kid = jws.kid or _default_kid(credential.issuer)
        reference = _reference_order(ld_mode)
        if not reference:  # strict: a key of another DID is refused before it is looked up
            _check_vc_kid(credential, kid)
        try:
            key = yield from _issuer_key(kid, issuer_document)
        except DIDResolutionError as exc:
            raise DIDResolutionError(_prefixed(_signing_key_text(exc))) from None
        refusal = jwx_text.crit_refusal(jws.header) if _crit(reference, jwx) else None
        if refusal:  # jwt.ParseString refuses crit before it checks the signature
            text = _prefixed(f"unable to validate JWT signature: {refusal}")
            raise VerificationFailed(text, check="vc.crit", kind=causes.UNSUPPORTED)
        try:
            jws.verify(key)
        except jose.InvalidSignature:  # jwtSignature → crypto.ParseJWT: jwx's words
            text = jwx_text.signature_failed(jws.alg, jws.signature, jwx or jwx_text.V3_2_0)
            raise VerificationFailed(
                _prefixed(f"unable to validate JWT signature: {text}"), check="jws.signature"
            ) from None
        except jose.JoseError as exc:
            raise VerificationFailed(
                _prefixed(f"unable to validate JWT signature: {exc}"), check=exc.check
            ) from None
        if reference:  # crypto/jwt_profile.go IssuerKidValidator runs after ParseJWT verified
            _check_vc_kid(credential, kid)
        return
    yield from _verify_ld_credential(credential, issuer_document, now, ld_mode)


def _reference_order(ld_mode: LdProcessing) -> bool:
    """True for the reference's order (the nuts-node profiles, which verify with json-gold).

    ``signature_verifier.go jwtSignature`` resolves the ``kid``'s key and lets ``crypto/jwx.go
    ParseJWT`` check crit, signature and times before any signer check; strict refuses first.
    """
    return ld_mode is LdProcessing.JSON_GOLD


def _crit(reference: bool, jwx: jwx_text.Words | None) -> bool:
    """Whether ``crit`` is refused as jwx v3.2.0 refuses it; no ``jwx``: as the ``reference`` order goes.

    master's jwx v3.2.0 refuses it (``jwx_text.crit_refusal``); project-gf's jwx v2.1.6 stores
    it and never reads it (``jwx_text.V2_1_6``); strict refuses it earlier, in its own words
    (``presentation.check_critical_headers``).
    """
    return reference if jwx is None else jwx.crit_refused


def _check_vc_kid(credential: Credential, kid: str) -> None:
    """``crypto/jwt_profile.go IssuerKidValidator``: the ``kid``'s DID must be the VC's ``iss``."""
    if did_of(kid) != credential.issuer:
        raise VerificationFailed(
            _prefixed(
                f"unable to validate JWT signature: token issuer ({credential.issuer}) does not match "
                f"signing key DID ({did_of(kid)})"
            ),
            check="vc.kid",
        )


def _verify_ld_credential(
    credential: Credential, issuer_document: DIDDocument | None, now: int | None, ld_mode: LdProcessing
) -> Generator[HttpRequest, HttpResponse, None]:
    """``signature_verifier.go jsonldProof`` for a VC: method of issuer, proof time, key, signature."""
    from nutssim.specs import ld_reference

    doc = credential.document
    proof = doc.get("proof")
    method = str(proof.get("verificationMethod") or "") if isinstance(proof, dict) else ""
    if not method:
        raise VerificationFailed(_prefixed("missing proof"), check="vc.proof")
    if method.split("#")[0] != credential.issuer:
        raise VerificationFailed(_prefixed("verification method is not of issuer"), check="vc.kid")
    if now is not None and ld_mode is LdProcessing.JSON_GOLD:
        _check_ld_proof_time(proof, now, ld_mode, _prefixed)
    key = yield from _issuer_key_for_ld(method, issuer_document)
    # The reference canonicalizes the credential as go-did re-marshals it (ld_reference.credential).
    try:
        signed = ld_reference.credential(doc) if ld_mode is LdProcessing.JSON_GOLD else doc
    except ProtocolError as exc:
        raise VerificationFailed(_prefixed(f"invalid LD-JSON document: {exc}"), check="vc.proof") from None
    _check_ld_signature(signed, key, ld_mode, _prefixed)


def _issuer_key_for_ld(
    method: str, issuer_document: DIDDocument | None
) -> Generator[HttpRequest, HttpResponse, jose.PublicKey]:
    """The proof's key; a failure reads ``unable to resolve valid signing key: …`` (no prefix)."""
    try:
        return (yield from _issuer_key(method, issuer_document))
    except DIDResolutionError as exc:
        raise DIDResolutionError(f"unable to resolve valid signing key: {_lookup_words(exc)}") from None


def _check_ld_proof_time(proof: Any, now: int, ld_mode: LdProcessing, wrap: Callable[[str], str]) -> None:
    """``ProofOptions.ValidAt(now, 5 s)``: ``ToVerificationError(ErrPresentationNotValidAtTime)``."""
    from nutssim.specs import jws2020

    try:
        jws2020.check_proof_time(proof, now, mode=ld_mode)
    except jws2020.ProofNotValidAtTime:
        raise VerificationFailed(
            wrap("presentation not valid at given time"), check="vp.time", kind=causes.TIME
        ) from None
    except ProtocolError as exc:
        # The reference fails reading the proof into LDProof: "unsupported proof type: <json error>".
        text = f"unsupported proof type: {exc}" if ld_mode is LdProcessing.JSON_GOLD else str(exc)
        raise VerificationFailed(wrap(text), check="vp.proof") from None


def _check_ld_signature(
    document: Any, key: jose.PublicKey, ld_mode: LdProcessing, wrap: Callable[[str], str]
) -> None:
    """``LDProof.Verify``, its failures as ``invalid signature: …`` (``jsonldProof``)."""
    from nutssim.specs import jws2020

    try:
        jws2020.verify_proof(document, key, mode=ld_mode)
    except jws2020.InvalidProofSignature:
        reason = _JWX_BAD_SIGNATURE.get(key.default_alg()[:2], "signature invalid")
        raise VerificationFailed(
            wrap(f"invalid signature: invalid proof signature: {reason}"), check="vc.signature"
        ) from None
    except ProtocolError as exc:
        raise VerificationFailed(wrap(f"invalid signature: {exc}"), check="vc.signature") from None


def _default_kid(issuer: str) -> str:
    # PROTOCOL.md §3.2: a kid-less JWT uses kid := iss, with "#0" appended for did:jwk.
    return f"{issuer}#0" if issuer.startswith("did:jwk:") else issuer


# -- presentations --------------------------------------------------------------------------------
def check_presenter_is_subject(vp: Presentation) -> None:
    """PROTOCOL.md §3.5 step 1: every credential's subject is the signer; the holder too."""
    signer = vp.signer_did
    for credential in vp.credentials:
        if any(sid != signer for sid in credential.subject_ids) or not credential.subject_ids:
            raise VerificationFailed("credential(s) must be presented by subject", check="vp.presenter")
    if vp.holder and vp.holder != signer:
        raise VerificationFailed("presentation holder must equal credential subject", check="vp.holder")


def verify_presentation(
    vp: Presentation,
    now: int,
    *,
    verify_credentials: bool = True,
    status: StatusChecker | None = None,
    trusted: Callable[[Credential], bool] | None = None,
    check_subject: bool = True,
    ld_mode: LdProcessing = LdProcessing.SPEC,
    crl: Any = None,
    eku_policy: bool = False,
    issuer_crl: bool = False,
    jwx: jwx_text.Words | None = None,
) -> Generator[HttpRequest, HttpResponse, None]:
    """VerifyVP (PROTOCOL.md §3.5): presenter, VP signature and times, then every credential."""
    if check_subject and vp.credentials:
        check_presenter_is_subject(vp)
    yield from verify_presentation_signature(vp, now, ld_mode=ld_mode, jwx=jwx)
    if verify_credentials:
        for credential in vp.credentials:
            yield from verify_credential(
                credential,
                now,
                holder=vp.signer_did,
                status=status,
                trusted=trusted,
                ld_mode=ld_mode,
                crl=crl,
                eku_policy=eku_policy,
                issuer_crl=issuer_crl,
                jwx=jwx,
            )


def verify_presentation_signature(
    vp: Presentation,
    now: int,
    *,
    ld_mode: LdProcessing = LdProcessing.SPEC,
    jwx: jwx_text.Words | None = None,
) -> Generator[HttpRequest, HttpResponse, None]:
    """Check the holder's signature over the VP and its validity window (±5 s)."""
    if vp.format == "jwt_vp":
        yield from _verify_jwt_vp(vp, now, _reference_order(ld_mode), jwx)
    else:
        yield from _verify_ld_vp(vp, now, ld_mode)


def _verify_jwt_vp(
    vp: Presentation, now: int, reference: bool, jwx: jwx_text.Words | None
) -> Generator[HttpRequest, HttpResponse, None]:
    """``jwtSignature`` for a VP: key of ``kid``, ParseJWT (signature, times, ``nbf``), signer check.

    The signer check differs per profile. Strict requires the ``iss`` (holder) to be the
    ``kid``'s DID, before the key is looked up (PROTOCOL.md §3.5 step 2). The reference passes
    the ``kid``'s own DID as the issuer (``VerifyVPSignature`` → ``credential.PresentationSigner``)
    and compares it to the ``kid`` before its ``#`` only after ParseJWT; its VP profile has no
    ``IssuerKidValidator``, so an ``iss`` naming another DID is not refused there.
    """
    if not vp.signer:
        raise VerificationFailed("unable to validate JWT signature: no kid header in JWT", check="vp.kid")
    if not reference and vp.holder is not None and vp.holder != vp.signer_did:
        raise VerificationFailed(STRICT_NOT_OF_ISSUER, check="vp.kid")
    try:
        key = yield from resolve_key(vp.signer)
    except DIDResolutionError as exc:
        text = _signing_key_text(exc)
        raise VerificationFailed(text, check=exc.check, kind=_resolution_kind(str(exc))) from None
    jws = jose.decode(vp.raw, jwx_base64=True)  # re-read: its parse chose the reading
    refusal = jwx_text.crit_refusal(jws.header) if _crit(reference, jwx) else None
    if refusal:  # jwt.ParseString refuses crit before it checks the signature
        text = f"unable to validate JWT signature: {refusal}"
        raise VerificationFailed(text, check="vp.crit", kind=causes.UNSUPPORTED)
    try:
        # crypto/jwx.go ParseJWT, in jwx's words (strict reuses v3.2.0's)
        jwx_text.parse_jwt(jws, key, now, require=("nbf",), jwx=jwx or jwx_text.V3_2_0)
    except jose.JoseError as exc:
        raise VerificationFailed(f"unable to validate JWT signature: {exc}", check=exc.check) from None
    if reference and vp.signer.split("#")[0] != did_of(vp.signer):  # a kid with a ?query before #
        raise VerificationFailed(NOT_OF_ISSUER, check=VP_SIGNER.id)


def _verify_ld_vp(
    vp: Presentation, now: int, ld_mode: LdProcessing = LdProcessing.SPEC
) -> Generator[HttpRequest, HttpResponse, None]:
    """``jsonldProof`` for a VP: proof time (``ValidAt``), key, signature over the VP as received."""
    proof = vp.document.get("proof")
    if not isinstance(proof, dict) or proof.get("type") != "JsonWebSignature2020":
        raise VerificationFailed("presentation proof must be of type JsonWebSignature2020", check="vp.proof")
    _check_ld_proof_time(proof, now, ld_mode, str)
    try:
        key = yield from resolve_key(vp.signer)
    except DIDResolutionError as exc:
        text = f"unable to resolve valid signing key: {_lookup_words(exc)}"  # jsonldProof
        raise VerificationFailed(text, check=exc.check, kind=_resolution_kind(str(exc))) from None
    # go-did marshals a parsed VP back byte for byte: the document is canonicalized as received.
    _check_ld_signature(vp.document, key, ld_mode, str)
