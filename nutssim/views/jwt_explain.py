"""One-line explanations of JOSE headers, JWT claims and credential members, and time formatting."""

from __future__ import annotations

from datetime import UTC, datetime

HEADERS: dict[str, str] = {
    "alg": "signature algorithm",
    "typ": "media type of the token (dpop+jwt: a DPoP proof; JWT: a plain JWT)",
    "kid": "which key signed it (a DID URL: DID + key fragment)",
    "jwk": "the public key itself, carried in the token (DPoP: proof of possession)",
    "cty": "content type of the payload",
    "crit": "extensions the receiver must understand",
    "x5c": "X.509 certificate chain of the signing key",
    "b64": "whether the payload is base64url-encoded (RFC 7797)",
}

CLAIMS: dict[str, str] = {
    "iss": "issuer: who made and signed this token",
    "sub": "subject: who the token is about",
    "aud": "audience: who it is for; anyone else must refuse it",
    "jti": "token id: unique, lets the receiver detect replays",
    "iat": "issued at",
    "nbf": "not valid before",
    "exp": "expires at",
    "nonce": "replay protection: a fresh value the receiver expects exactly once",
    "htm": "DPoP: the HTTP method this proof is bound to",
    "htu": "DPoP: the URL this proof is bound to",
    "ath": "DPoP: hash of the access token this proof accompanies",
    "cnf": "confirmation: the key the token is bound to (jkt: its thumbprint)",
    "jkt": "SHA-256 thumbprint of the bound key (RFC 7638)",
    "vp": "the verifiable presentation carried by this JWT",
    "vc": "the verifiable credential carried by this JWT",
    "client_id": "the OAuth client (in Nuts: the requester's OAuth identity URL)",
    "client_id_scheme": "how the client_id is to be interpreted (entity_id, did, …)",
    "scope": "what access is asked for or granted",
    "state": "opaque value the client gets back, ties the response to its request (CSRF)",
    "code_challenge": "PKCE: hash of the secret verifier the client reveals at the token endpoint",
    "code_challenge_method": "PKCE: how the challenge was derived (S256)",
    "redirect_uri": "where the browser is sent with the result",
    "request_uri": "where the receiver fetches the signed request object (JAR)",
    "request_uri_method": "HTTP method to fetch request_uri with (get or post)",
    "response_type": "what the client wants back (code, vp_token)",
    "response_mode": "how the response is delivered (query, direct_post)",
    "response_uri": "where the wallet POSTs its presentation (direct_post)",
    "presentation_definition": "what credentials the verifier asks for (inline)",
    "presentation_definition_uri": "where to fetch what credentials the verifier asks for",
    "client_metadata": "metadata of the client (inline)",
    "client_metadata_uri": "where to fetch the client's metadata",
    "wallet_metadata": "what the wallet supports",
    "wallet_nonce": "replay protection chosen by the wallet",
    "jwks": "the signer's public keys",
    "metadata": "the signer's published metadata (entity statement)",
    "active": "introspection: whether the token is currently valid",
    "token_type": "how the token must be presented (Bearer or DPoP)",
    "expires_in": "seconds until the token expires",
    "access_token": "the access token (opaque in Nuts: a random string, not a JWT)",
    "vp_token": "the presentation(s) given to the verifier",
    "presentation_submission": "which credential in the presentation answers which input descriptor",
    "assertion": "the grant: here a verifiable presentation",
    "grant_type": "which OAuth grant is used",
    "code": "the authorization code, exchanged once for a token",
    "code_verifier": "PKCE: the secret whose hash was sent as code_challenge",
    "auth_time": "when the user authenticated",
    "azp": "authorized party: the client the token was issued to",
    "status": "status (e.g. revocation list entry)",
}

CREDENTIAL_MEMBERS: dict[str, str] = {
    "@context": "JSON-LD vocabularies the document uses",
    "id": "identifier of this credential or presentation",
    "type": "what kind of credential or presentation this is",
    "issuer": "who issued (and signed) the credential",
    "issuanceDate": "when the credential was issued",
    "expirationDate": "when the credential expires",
    "credentialSubject": "who the credential is about, and what it says about them",
    "credentialStatus": "where to check whether it was revoked (StatusList2021)",
    "holder": "who presents",
    "verifiableCredential": "the credentials inside the presentation",
    "proof": "the embedded signature (JSON-LD proof)",
}

PROOF_MEMBERS: dict[str, str] = {
    "type": "proof suite",
    "verificationMethod": "which key signed it",
    "proofPurpose": "what the signature is for",
    "created": "when the proof was made",
    "expires": "when the proof stops being valid",
    "domain": "audience: who it is for",
    "challenge": "replay protection chosen by the verifier",
    "nonce": "replay protection",
    "jws": "the detached signature",
}

#: Claims holding epoch seconds.
TIME_CLAIMS: frozenset[str] = frozenset({"iat", "nbf", "exp", "auth_time", "expires_at"})


def explain_claim(name: str) -> str:
    """Explain a JWT claim (empty when unknown)."""
    return CLAIMS.get(name, "")


def explain_header(name: str) -> str:
    """Explain a JOSE header (empty when unknown)."""
    return HEADERS.get(name, "")


def explain_member(name: str) -> str:
    """Explain a credential/presentation member (empty when unknown)."""
    return CREDENTIAL_MEMBERS.get(name) or CLAIMS.get(name, "")


def iso(epoch: int) -> str:
    """Epoch seconds as ``2025-01-01 00:00:05 UTC``."""
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return "out of range"


def relative(delta: int) -> str:
    """A signed duration in seconds as ``now+5 s`` / ``now−15 min``."""
    if delta == 0:
        return "now"
    sign = "+" if delta > 0 else "-"
    size = abs(delta)
    text = f"{size} s"
    if size >= 2 * 86400:
        text += f" ≈ {size / 86400:.1f} d"
    elif size >= 2 * 3600:
        text += f" ≈ {size / 3600:.1f} h"
    elif size >= 120:
        text += f" ≈ {size / 60:.1f} min"
    return f"now{sign}{text}"


def format_time(value: object, now: int | None) -> str:
    """``1735689605 (now+5 s, 2025-01-01 00:00:05 UTC)``; other values unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    epoch = int(value)
    rel = f"{relative(epoch - now)}, " if now is not None else ""
    return f"{epoch} ({rel}{iso(epoch)})"
