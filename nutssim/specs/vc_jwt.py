"""W3C VC Data Model 1.1 JWT encoding (§6.3.1) of credentials and presentations.

JWT VC: ``iss`` = issuer, ``sub`` = credentialSubject.id, ``jti`` = id, ``nbf`` =
issuanceDate, ``exp`` = expirationDate, ``vc`` = the rest. JWT VP (PROTOCOL.md §1.3,
go-did's ``CreateJWTVerifiablePresentation``): ``iss`` = ``sub`` = holder, ``jti`` =
``<holder>#<uuid>``, ``aud``, ``nonce``, ``nbf`` = ``iat``, ``exp``, ``vp``.
"""

from __future__ import annotations

import calendar
import difflib
import json
import math
import pickle
import time
from collections import OrderedDict
from typing import Any

from nutssim import jose
from nutssim.errors import InputError, ProtocolError
from nutssim.models.credential import VC_CONTEXT, Credential, Presentation

JWT_VC_MEMBERS_MOVED = ("issuer", "id", "issuanceDate", "expirationDate")


class CredentialFormatError(ProtocolError):
    """A credential or presentation cannot be parsed in its claimed format."""

    check = "vc.format"


#: VC-DM 1.1 §4 members of a credential (and 2.0's validity names): required first.
REQUIRED_MEMBERS = ("@context", "type", "issuer", "issuanceDate", "credentialSubject")
KNOWN_MEMBERS = (*REQUIRED_MEMBERS, "id", "expirationDate", "credentialStatus", "credentialSchema",
                 "evidence", "termsOfUse", "refreshService", "proof", "name", "description",
                 "validFrom", "validUntil")  # fmt: skip


def validate_document(document: Any, *, where: str = "credential") -> None:
    """Refuse a credential document with a VC-DM 1.1 §4 mistake; the error names the member and a fix."""
    if not isinstance(document, dict):
        raise InputError(f"a credential is a JSON object, got {type(document).__name__}", where=where)
    for key in document:
        close = difflib.get_close_matches(str(key), KNOWN_MEMBERS, n=1, cutoff=0.8)
        if key not in KNOWN_MEMBERS and close:
            raise InputError(
                f"unknown member '{key}'", where=f"{where}: /{key}", hint=f"did you mean '{close[0]}'?"
            )
    for name in REQUIRED_MEMBERS:
        if name not in document:
            raise InputError(f"required member '{name}' is missing (VC-DM 1.1 §4)", where=f"{where}: /{name}")
    if document["@context"] != VC_CONTEXT and (
        not isinstance(document["@context"], list) or document["@context"][:1] != [VC_CONTEXT]
    ):
        raise InputError(
            "the first @context must be the VC v1 context (VC-DM 1.1 §4.1)",
            where=f"{where}: /@context",
            hint=f"start the list with {VC_CONTEXT!r}",
        )
    types = document["type"] if isinstance(document["type"], list) else [document["type"]]
    if "VerifiableCredential" not in types:
        raise InputError(
            "type must include 'VerifiableCredential' (VC-DM 1.1 §4.3)",
            where=f"{where}: /type",
            hint=f"use {json.dumps(['VerifiableCredential', *types])}",
        )
    subjects = document["credentialSubject"]
    subjects = subjects if isinstance(subjects, list) else [subjects]
    if not subjects or not all(isinstance(x, dict) for x in subjects):
        raise InputError(
            "credentialSubject must be an object or a list of objects (VC-DM 1.1 §4.4)",
            where=f"{where}: /credentialSubject",
        )
    for name in ("issuanceDate", "expirationDate"):
        if name in document:
            try:
                from_rfc3339(document[name])
            except CredentialFormatError as exc:
                raise InputError(
                    str(exc),
                    where=f"{where}: /{name}",
                    hint="an RFC 3339 date-time with a zone, e.g. 2025-01-01T00:00:00Z",
                ) from None


def to_rfc3339(epoch: int) -> str:
    """Format epoch seconds as an RFC 3339 UTC timestamp (VC-DM dates)."""
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))
    except (OverflowError, OSError, ValueError):  # a JWT claim far beyond any calendar, or not finite
        raise CredentialFormatError(f"time {epoch!r} is out of range") from None


def from_rfc3339(text: str) -> int:
    """Parse an RFC 3339 timestamp (``Z`` or offset, optional fraction) into epoch seconds."""
    from datetime import datetime

    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError, TypeError):
        raise CredentialFormatError(f"invalid date-time {text!r}") from None
    if value.tzinfo is None:
        raise CredentialFormatError(f"date-time {text!r} has no time zone")
    return calendar.timegm(value.utctimetuple())


# -- credentials --------------------------------------------------------------------------------
def issue_credential(
    document: dict[str, Any], key: jose.KeyPair, *, headers: dict[str, Any] | None = None
) -> str:
    """Sign a VC data-model document as a JWT VC with ``key`` (its ``kid`` and ``headers`` in the header)."""
    subjects = document.get("credentialSubject")
    first = subjects[0] if isinstance(subjects, list) and subjects else subjects
    claims: dict[str, Any] = {"iss": _issuer_id(document.get("issuer"))}
    if isinstance(first, dict) and first.get("id"):
        claims["sub"] = first["id"]
    if document.get("id"):
        claims["jti"] = document["id"]
    claims["nbf"] = from_rfc3339(document["issuanceDate"])
    if document.get("expirationDate"):
        claims["exp"] = from_rfc3339(document["expirationDate"])
    claims["vc"] = {k: v for k, v in document.items() if k not in JWT_VC_MEMBERS_MOVED}
    if isinstance(subjects, dict):
        # The reference (go-did) encodes credentialSubject as an array in a JWT VC (PROTOCOL.md
        # §2.4), which is why PD authors also write `$.credentialSubject[0].x` paths (§3.4).
        claims["vc"]["credentialSubject"] = [subjects]
    header = {"typ": "JWT", **({"kid": key.kid} if key.kid else {}), **(headers or {})}
    return jose.sign(header, claims, key)


def _issuer_id(issuer: Any) -> str:
    return str(issuer.get("id", "")) if isinstance(issuer, dict) else str(issuer or "")


#: Decoded JWT VCs by their raw token and reading: the data-model view frozen as pickled bytes, and
#: the alg (keyed by the reading too, so a token jwx reads is never handed to a strict parse).
_DECODED: OrderedDict[tuple[str, bool], tuple[bytes, str]] = OrderedDict()
_DECODED_MAX = 256


def credential_from_jwt(token: str, *, jwx_base64: bool = False) -> Credential:
    """Decode a JWT VC (no verification) into its data-model view; each token decoded once.

    Decoding is a pure function of the token's bytes, so a bounded memo keyed by the token is
    honest (issue #23: a flow decoded each VC three times). Only the *decoding* is memoized:
    signatures are verified by their callers every time. Every caller gets its own copy of the
    document (unpickled from the frozen form), so one party's change cannot leak into another's.
    ``jwx_base64``: read as the reference's jwx does (``jose.decode``).
    """
    key = (token, jwx_base64)
    found = _DECODED.get(key)
    if found is None:
        jws = jose.decode(token, jwx_base64=jwx_base64)
        document, alg = jwt_vc_document(jws.payload), jws.alg
        _DECODED[key] = (pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL), alg)
        if len(_DECODED) > _DECODED_MAX:
            _DECODED.popitem(last=False)
    else:
        _DECODED.move_to_end(key)
        document, alg = pickle.loads(found[0]), found[1]
    return Credential(raw=token, document=document, format="jwt_vc", alg=alg)


def jwt_vc_document(claims: dict[str, Any]) -> dict[str, Any]:
    """Map JWT VC claims back to a VC data-model document (VC-DM 1.1 §6.3.1 decoding)."""
    vc = claims.get("vc")
    if not isinstance(vc, dict):
        raise CredentialFormatError("JWT VC has no 'vc' claim object")
    doc: dict[str, Any] = dict(vc)
    if "iss" in claims:
        doc["issuer"] = claims["iss"]
    if "jti" in claims:
        doc["id"] = claims["jti"]
    if isinstance(claims.get("nbf"), int | float):
        doc["issuanceDate"] = to_rfc3339(claims["nbf"])
    if isinstance(claims.get("exp"), int | float):
        doc["expirationDate"] = to_rfc3339(claims["exp"])
    if "sub" in claims:
        subject = doc.get("credentialSubject")
        if isinstance(subject, dict) and "id" not in subject:
            doc["credentialSubject"] = {"id": claims["sub"], **subject}
        elif (
            isinstance(subject, list) and subject and isinstance(subject[0], dict) and "id" not in subject[0]
        ):
            doc["credentialSubject"] = [{"id": claims["sub"], **subject[0]}, *subject[1:]]
    return doc


def credential_from_json(document: dict[str, Any]) -> Credential:
    """Wrap a JSON-LD credential (with or without proof) as a ``Credential``."""
    proof = document.get("proof")
    proof_type = proof.get("type") if isinstance(proof, dict) else None
    return Credential(raw=document, document=document, format="ldp_vc", proof_type=proof_type)


def parse_credential(value: Any, format: str | None = None, *, jwx_base64: bool = False) -> Credential:
    """Parse a credential as found in a VP: a JWT string or a JSON-LD object."""
    if isinstance(value, str):
        try:
            return credential_from_jwt(value, jwx_base64=jwx_base64)
        except jose.JoseError as exc:
            raise CredentialFormatError(f"unable to parse JWT credential: {exc}") from None
    if isinstance(value, dict):
        return credential_from_json(value)
    raise CredentialFormatError(
        f"a credential must be a JWT string or a JSON object, got {type(value).__name__}"
    )


# -- presentations ------------------------------------------------------------------------------
def present(
    credentials: list[Credential],
    key: jose.KeyPair,
    *,
    holder: str,
    audience: str | None,
    nonce: str | None,
    now: int,
    lifetime: int,
    jti: str,
    extra_claims: dict[str, Any] | None = None,
) -> str:
    """Sign a JWT VP over ``credentials`` (PROTOCOL.md §1.3 payload shape)."""
    claims: dict[str, Any] = {"iss": holder, "sub": holder, "jti": jti}
    if audience is not None:
        claims["aud"] = audience
    if nonce is not None:
        claims["nonce"] = nonce
    claims.update(nbf=now, iat=now, exp=now + lifetime)
    claims["vp"] = {
        "@context": [VC_CONTEXT],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [c.raw for c in credentials],
    }
    claims.update(extra_claims or {})
    header = {"typ": "JWT", **({"kid": key.kid} if key.kid else {})}
    return jose.sign(header, claims, key)


def presentation_from_jwt(token: str, *, jwx_base64: bool = False) -> Presentation:
    """Decode a JWT VP (no verification) into a ``Presentation``; ``jwx_base64``: see ``jose.decode``."""
    try:
        jws = jose.decode(token, jwx_base64=jwx_base64)
    except jose.JoseError as exc:
        raise CredentialFormatError(
            f"unable to parse PEX envelope as verifiable presentation: {exc}"
        ) from None
    claims = jws.payload
    vp = claims.get("vp")
    if not isinstance(vp, dict):
        raise CredentialFormatError("unable to parse PEX envelope as verifiable presentation: no 'vp' claim")
    raw_vcs = vp.get("verifiableCredential", [])
    raw_vcs = raw_vcs if isinstance(raw_vcs, list) else [raw_vcs]
    credentials = tuple(parse_credential(v, jwx_base64=jwx_base64) for v in raw_vcs)
    document = {**vp, "verifiableCredential": raw_vcs}
    if "iss" in claims:
        document["holder"] = claims["iss"]
    if "jti" in claims:
        document["id"] = claims["jti"]
    aud = claims.get("aud")
    audience = [str(a) for a in aud] if isinstance(aud, list) else ([str(aud)] if aud is not None else [])
    created = numeric_date(claims.get("nbf", claims.get("iat")))
    return Presentation(
        raw=token,
        document=document,
        format="jwt_vp",
        signer=jws.kid or "",
        holder=claims.get("iss"),
        audience=audience,
        nonce=claims.get("nonce"),
        challenge=None,
        created=created,
        expires=numeric_date(claims.get("exp")),
        credentials=credentials,
        alg=jws.alg,
    )


def unknown_crit(token: str) -> str:
    """Why a JWT VC or VP's ``crit`` header is refused (RFC 7515 §4.1.11), or ``""``.

    No JWS extension is understood in a VC or VP (the VC-JWT encoding of VC-DM 1.1 §6.3.1
    defines none), so any name ``crit`` lists makes the token invalid for a recipient that
    honours the clause. The reference refuses it in jwx's own words instead
    (``jwx_text.crit_refusal``): ``vcr/verifier/signature_verifier.go jwtSignature`` →
    ``crypto/jwx.go ParseJWT`` → jwx v3.2.0 ``jwt.ParseString`` with one ``WithKey``, whose fast
    path refuses ``crit`` and retries with crit validation and no declared extension.
    """
    try:
        header = jose.decode(token, jwx_base64=True).header  # re-read: the edge parse decided
    except jose.JoseError:
        return ""  # not a JWS: its parse reports that, not this check
    return jose.crit_problem(header)


def numeric_date(value: Any) -> int | None:
    """A JWT NumericDate as whole seconds, or None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(value)
