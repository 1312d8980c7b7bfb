"""JsonWebSignature2020 linked-data proofs (W3C CCG "JSON Web Signature 2020"), pure functions.

A proof is a detached JWS (RFC 7515 Appendix F) with unencoded payload (RFC 7797,
header ``{"alg", "b64": false, "crit": ["b64"]}``) over the 64 bytes
SHA-256(canonical proof options) ‖ SHA-256(canonical document without proof), where the
proof options are the proof without ``jws`` under the document's ``@context`` and
"canonical" is URDNA2015 N-Quads (``nutssim.specs.jsonld``). Nuts uses it for ``ldp_vc``
and ``ldp_vp`` (PROTOCOL.md §3.2); the VP proof carries ``domain``, ``challenge``,
``nonce``, ``created`` and ``expires`` (§1.3).

``mode`` ``LdProcessing.JSON_GOLD`` (the ``nuts-node`` profile) signs and verifies as the
reference does: proof options as ``ld_reference.proof_options`` builds them
(``vcr/signature/proof/jsonld.go LDProof.asCanonicalizableMap``) and json-gold's
canonicalization (``nutssim.specs.jsonld``); ``SPEC`` uses the proof under the document's
context and strict processing.

Time and audience are *not* judged by ``verify_proof``: the token endpoint does that
(§1.5 steps 6-9, §3.5 step 2) with the accessors and ``check_proof_time`` here.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from nutssim import jose
from nutssim.errors import InputError, ProtocolError
from nutssim.jose import KeyPair, PublicKey
from nutssim.rng import b64url
from nutssim.specs import jsonld, ld_reference
from nutssim.specs.jsonld import (
    JWS2020_CONTEXT,
    NUTS_V1_CONTEXT,
    STATUSLIST2021_CONTEXT,
    VC_V1_CONTEXT,
    LdProcessing,
    OfflineLoader,
)

PROOF_TYPE = "JsonWebSignature2020"
#: Clock skew for LD proof times (reference verifier ``maxSkew``, PROTOCOL.md §0 timers).
DEFAULT_SKEW = 5
#: Members that hold the signature and so are not part of the signed proof options.
_SIGNATURE_MEMBERS = ("jws", "proofValue", "signatureValue")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


class ProofError(ProtocolError):
    """A JsonWebSignature2020 proof could not be accepted; ``check`` names the rule."""

    check = "jws2020"


class ProofMissing(ProofError):
    """The document carries no proof."""

    check = "jws2020.proof_missing"


class MalformedProof(ProofError):
    """The proof or its JWS is not shaped as JsonWebSignature2020 requires."""

    check = "jws2020.proof_format"


class UnsupportedProofType(ProofError):
    """The proof ``type`` is not JsonWebSignature2020."""

    check = "jws2020.proof_type"


class UnsupportedJwsHeader(ProofError):
    """The detached JWS header is not ``b64: false`` with ``crit: ["b64"]``, or its alg is refused."""

    check = "jws2020.header"


class ProofPurposeMismatch(ProofError):
    """The ``proofPurpose`` is not the one the verifier expects."""

    check = "jws2020.proof_purpose"


class InvalidProofSignature(ProofError):
    """The JWS does not verify over the canonical document with the given key."""

    check = "jws2020.signature"


class ProofNotValidAtTime(ProofError):
    """``created`` lies in the future or ``expires`` in the past (beyond the skew)."""

    check = "jws2020.time"


class InvalidTimestamp(ProofError):
    """A proof date is not an RFC 3339 date-time with a time zone."""

    check = "jws2020.timestamp"


# -- timestamps -----------------------------------------------------------------------------------
def to_rfc3339(epoch: int) -> str:
    """Format epoch seconds as an RFC 3339 UTC date-time, ``YYYY-MM-DDTHH:MM:SSZ``."""
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise InputError(f"a timestamp must be non-negative int epoch seconds, not {epoch!r}")
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def from_rfc3339(text: object) -> int:
    """Parse an RFC 3339 date-time (§5.6, offset required) to epoch seconds, fractions dropped."""
    if not isinstance(text, str) or not _RFC3339.match(text):
        raise InvalidTimestamp(f"not an RFC 3339 date-time: {text!r}")
    try:
        parsed = datetime.fromisoformat(text.upper())
    except ValueError:
        raise InvalidTimestamp(f"not a valid date-time: {text!r}") from None
    return int(parsed.timestamp() // 1)


# -- accessors ------------------------------------------------------------------------------------
def proof_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the single proof object of ``document``."""
    proof = document.get("proof") if isinstance(document, Mapping) else None
    # VC-DM 1.1 allows a set of proofs; Nuts documents carry exactly one (PROTOCOL.md §1.3).
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if proof is None or proof == []:
        raise ProofMissing("proof missing")
    if isinstance(proof, list):
        raise MalformedProof(f"exactly one proof is supported, found {len(proof)}")
    if not isinstance(proof, dict):
        raise MalformedProof("proof must be a JSON object")
    return proof


def verification_method_did(proof: Mapping[str, Any]) -> str:
    """Return the DID of the proof's ``verificationMethod`` (the part before ``#``)."""
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method.startswith("did:"):
        raise MalformedProof(f"proof verificationMethod must be a DID URL, not {method!r}")
    return method.split("#", 1)[0]


def proof_times(proof: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """Return ``(created, expires)`` in epoch seconds, ``None`` for an absent member."""
    created, expires = proof.get("created"), proof.get("expires")
    return (
        from_rfc3339(created) if created is not None else None,
        from_rfc3339(expires) if expires is not None else None,
    )


def check_proof_time(
    proof: Mapping[str, Any], now: int, skew: int = DEFAULT_SKEW, *, mode: LdProcessing = LdProcessing.SPEC
) -> None:
    """PROTOCOL.md §3.5 step 2: ``created ≤ now+skew`` and ``expires+skew ≥ now``.

    Under ``JSON_GOLD`` an absent ``created`` is Go's zero time, which is never in the
    future (``vcr/signature/proof/jsonld.go ProofOptions.ValidAt``); ``SPEC`` refuses it.
    """
    created, expires = proof_times(proof)
    if created is None and mode is LdProcessing.JSON_GOLD:
        created = -62135596800  # 0001-01-01T00:00:00Z
    if created is None:
        raise MalformedProof("proof has no created date")
    if created > now + skew or (expires is not None and expires + skew < now):
        raise ProofNotValidAtTime("presentation not valid at given time")


# -- the signature --------------------------------------------------------------------------------
def proof_options(document: Mapping[str, Any], proof: Mapping[str, Any]) -> dict[str, Any]:
    """Return the signed proof options: the proof without its signature, in the document's context."""
    options = {k: v for k, v in proof.items() if k not in _SIGNATURE_MEMBERS and k != "@context"}
    return {"@context": document.get("@context"), **options}


def verify_data(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    *,
    loader: OfflineLoader | None = None,
    mode: LdProcessing = LdProcessing.SPEC,
) -> bytes:
    """Return SHA-256(canonical proof options) ‖ SHA-256(canonical document without proof)."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    if mode is LdProcessing.JSON_GOLD:
        options = ld_reference.proof_options(proof)
    else:
        options = proof_options(document, proof)
    options_nquads = jsonld.canonicalize(options, loader=loader, mode=mode)
    document_nquads = jsonld.canonicalize(unsigned, loader=loader, mode=mode)
    return _sha256(options_nquads) + _sha256(document_nquads)


def sign_credential(
    document: Mapping[str, Any],
    key: KeyPair,
    *,
    verification_method: str,
    created: int,
    proof_purpose: str = "assertionMethod",
    loader: OfflineLoader | None = None,
    mode: LdProcessing = LdProcessing.SPEC,
) -> dict[str, Any]:
    """Return a copy of the credential with a JsonWebSignature2020 proof by ``key``."""
    proof = {
        "type": PROOF_TYPE,
        "proofPurpose": proof_purpose,
        "verificationMethod": verification_method,
        "created": to_rfc3339(created),
    }
    return _attach_proof(document, key, proof, loader, mode)


def sign_presentation(
    document: Mapping[str, Any],
    key: KeyPair,
    *,
    verification_method: str,
    created: int,
    expires: int,
    domain: str,
    challenge: str,
    nonce: str,
    proof_purpose: str = "authentication",
    loader: OfflineLoader | None = None,
    mode: LdProcessing = LdProcessing.SPEC,
) -> dict[str, Any]:
    """Return a copy of the presentation with a proof carrying domain, challenge and nonce (§1.3)."""
    proof = {
        "type": PROOF_TYPE,
        "proofPurpose": proof_purpose,
        "verificationMethod": verification_method,
        "created": to_rfc3339(created),
        "expires": to_rfc3339(expires),
        "domain": domain,
        "challenge": challenge,
        "nonce": nonce,
    }
    return _attach_proof(document, key, proof, loader, mode)


def verify_proof(
    document: Mapping[str, Any],
    key: PublicKey,
    *,
    allowed_algs: Iterable[str] = jose.SUPPORTED_ALGS,
    proof_purpose: str | None = None,
    loader: OfflineLoader | None = None,
    mode: LdProcessing = LdProcessing.SPEC,
) -> None:
    """Check the document's JsonWebSignature2020 proof with ``key``; raise a named ``ProofError``."""
    proof = proof_of(document)
    if proof.get("type") != PROOF_TYPE:
        raise UnsupportedProofType(f"unsupported proof type: {proof.get('type')!r}")
    if proof_purpose is not None and proof.get("proofPurpose") != proof_purpose:
        raise ProofPurposeMismatch(f"proof purpose {proof.get('proofPurpose')!r} is not {proof_purpose!r}")
    encoded_header, header, signature = _split_detached(proof.get("jws"))
    alg = _check_header(header, allowed_algs)
    signing_input = (
        encoded_header.encode("ascii") + b"." + verify_data(document, proof, loader=loader, mode=mode)
    )
    try:
        key.verify(alg, signing_input, signature)
    except jose.InvalidSignature:
        raise InvalidProofSignature("signature invalid") from None
    except jose.AlgorithmNotAllowed as exc:
        raise UnsupportedJwsHeader(str(exc)) from None


def _attach_proof(
    document: Mapping[str, Any],
    key: KeyPair,
    proof: dict[str, Any],
    loader: OfflineLoader | None,
    mode: LdProcessing = LdProcessing.SPEC,
) -> dict[str, Any]:
    _check_signable(document, key, proof)
    # RFC 7797 §3, §6: the payload is not base64url-encoded and the header must say so critically.
    header = {"alg": key.alg, "b64": False, "crit": ["b64"]}
    encoded_header = b64url(json.dumps(header, separators=(",", ":")).encode())
    try:
        data = verify_data(document, proof, loader=loader, mode=mode)
    except jsonld.JsonLdError as exc:
        raise InputError(
            str(exc),
            where="document",
            hint="every term, including the proof's, must be defined by "
            f"@context; JsonWebSignature2020 proofs need {JWS2020_CONTEXT}",
        ) from None
    signature = key.sign(encoded_header.encode("ascii") + b"." + data)
    # RFC 7515 Appendix F: a detached JWS leaves the payload part empty.
    return {**document, "proof": {**proof, "jws": f"{encoded_header}..{b64url(signature)}"}}


def _check_signable(document: object, key: object, proof: Mapping[str, Any]) -> None:
    if not isinstance(document, Mapping):
        raise InputError(f"the document to sign must be a JSON object, not {type(document).__name__}")
    if "proof" in document:
        raise InputError("the document already has a proof", where="document.proof")
    if not isinstance(key, KeyPair):
        raise InputError(f"the signing key must be a nutssim.jose.KeyPair, not {type(key).__name__}")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        raise InputError("verification_method must be a non-empty key id (DID URL)")


def _split_detached(jws: object) -> tuple[str, dict[str, Any], bytes]:
    """Split ``header..signature`` into the encoded header, the header and the signature."""
    if not isinstance(jws, str) or jws.count(".") != 2:
        raise MalformedProof("proof jws must be a compact JWS with detached payload (header..signature)")
    encoded_header, payload, encoded_signature = jws.split(".")
    if payload:
        raise MalformedProof("proof jws must have a detached (empty) payload")
    try:
        header = json.loads(jose.b64url_decode(encoded_header))
        signature = jose.b64url_decode(encoded_signature)
    except (jose.MalformedToken, ValueError, RecursionError):  # ValueError: bad UTF-8/JSON, an over-long int
        raise MalformedProof("proof jws header or signature is not valid base64url JSON") from None
    if not isinstance(header, dict):
        raise MalformedProof("proof jws header is not a JSON object")
    return encoded_header, header, signature


def _check_header(header: Mapping[str, Any], allowed_algs: Iterable[str]) -> str:
    """Check ``b64``/``crit`` (RFC 7797 §3, §6; RFC 7515 §4.1.11) and ``alg``; return the alg."""
    if header.get("b64") is not False:
        raise UnsupportedJwsHeader("b64 header must be false")
    crit = header.get("crit")
    if not isinstance(crit, list) or "b64" not in crit:
        raise UnsupportedJwsHeader("crit header must list b64")
    unknown = [name for name in crit if name != "b64"]
    if unknown:
        raise UnsupportedJwsHeader(f"unsupported critical header(s): {unknown}")
    alg = header.get("alg")
    try:
        jose.check_alg(alg if isinstance(alg, str) else "", allowed_algs)
    except jose.AlgorithmNotAllowed as exc:
        raise UnsupportedJwsHeader(str(exc)) from None
    return str(alg)


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


# -- Nuts document shapes (PROTOCOL.md §1.3, §3.3) -----------------------------------------------
def nuts_organization_credential_ld(
    *,
    credential_id: str,
    issuer: str,
    subject: str,
    name: str,
    city: str,
    issuance_date: int,
    expiration_date: int | None = None,
    credential_status: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return an unsigned NutsOrganizationCredential (§3.3: ``id`` should be ``<issuer>#…``)."""
    context = [VC_V1_CONTEXT, NUTS_V1_CONTEXT, JWS2020_CONTEXT]
    if credential_status is not None:
        # PROTOCOL.md §3.6: a StatusList2021Entry requires the status-list context on the VC.
        context.append(STATUSLIST2021_CONTEXT)
    credential: dict[str, Any] = {
        "@context": context,
        "id": credential_id,
        "type": ["VerifiableCredential", "NutsOrganizationCredential"],
        "issuer": issuer,
        "issuanceDate": to_rfc3339(issuance_date),
        "credentialSubject": {"id": subject, "organization": {"name": name, "city": city}},
    }
    if expiration_date is not None:
        credential["expirationDate"] = to_rfc3339(expiration_date)
    if credential_status is not None:
        credential["credentialStatus"] = dict(credential_status)
    return credential


def nuts_employee_credential_ld(
    *, credential_id: str, holder: str, identifier: str, name: str, role: str, issuance_date: int
) -> dict[str, Any]:
    """Return a self-attested NutsEmployeeCredential: issuer and subject are the holder, no proof (§1.3)."""
    return {
        "@context": [VC_V1_CONTEXT, NUTS_V1_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "NutsEmployeeCredential"],
        "issuer": holder,
        "issuanceDate": to_rfc3339(issuance_date),
        "credentialSubject": {"id": holder, "identifier": identifier, "name": name, "roleName": role},
    }


def presentation_ld(
    *, presentation_id: str, holder: str, credentials: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """Return an unsigned JSON-LD VP with context [VC v1, JWS2020] (PROTOCOL.md §1.3)."""
    embedded = [dict(c) for c in credentials]
    return {
        "@context": [VC_V1_CONTEXT, JWS2020_CONTEXT],
        "type": ["VerifiablePresentation"],
        "id": presentation_id,
        "holder": holder,
        # §1.3 single-VC case: the reference puts one credential as an object, not a list.
        "verifiableCredential": embedded[0] if len(embedded) == 1 else embedded,
    }
