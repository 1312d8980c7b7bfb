"""OpenID for Verifiable Credential Issuance 1.0: metadata, authorization details, key proofs, errors.

The authorization code flow as the reference's wallet runs it (nuts-node PR #4057,
``auth/api/iam/openid4vci.go``): issuer metadata (§12.2), an authorization request with
``authorization_details`` of type ``openid_credential`` (§5.1.1, RFC 9396 §2) and PKCE
(RFC 7636), the token response naming ``credential_identifiers`` (§6.2), a ``c_nonce`` from
the nonce endpoint (§7), and a credential request whose JWT key proof (Appendix F.1) binds
the credential to the holder's DID (§8.2). The issuer's checks are ``Rule`` objects; the
error codes are those of §8.3.1.2 (credential endpoint), RFC 6749 §4.1.2.1/§5.2 and RFC 6750
§3.1. Pure functions: no party, network or trace.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nutssim import causes, jose
from nutssim.limits import MAX_DETAILS, MAX_DETAILS_CHARS
from nutssim.specs.rules import Rule

WELL_KNOWN_ISSUER = "/.well-known/openid-credential-issuer"  # §12.2.2
WELL_KNOWN_AS = "/.well-known/oauth-authorization-server"  # RFC 8414 §3
PROOF_TYP = "openid4vci-proof+jwt"  # Appendix F.1
OPENID_CREDENTIAL = "openid_credential"  # §5.1.1 authorization_details type
#: §7.2 / §8.3.1.2: what the issuer's nonce and credential endpoints may answer.
INVALID_CREDENTIAL_REQUEST = "invalid_credential_request"
UNKNOWN_CONFIGURATION = "unknown_credential_configuration"
UNKNOWN_IDENTIFIER = "unknown_credential_identifier"
INVALID_PROOF = "invalid_proof"
INVALID_NONCE = "invalid_nonce"
REQUEST_DENIED = "credential_request_denied"

_AUTHZ = "OpenID4VCI 1.0 §5.1"
_TOKEN = "OpenID4VCI 1.0 §6; RFC 6749 §4.1.3"
_CREDENTIAL = "OpenID4VCI 1.0 §8.2"
_PROOF = "OpenID4VCI 1.0 Appendix F.1; §8.2"


def _rule(id: str, ref: str, error: str, description: str, kind: str = causes.INVALID, **more: Any) -> Rule:
    return Rule(id, ref, error, description, kind, **more)


# -- the authorization endpoint (errors go back to the redirect_uri, RFC 6749 §4.1.2.1) ---------------
AUTHZ_RESPONSE_TYPE = _rule(
    "vci.authorize.response_type",
    f"RFC 6749 §4.1.1; {_AUTHZ}",
    "unsupported_response_type",
    "response_type must be code",
)
AUTHZ_PKCE = _rule(
    "vci.authorize.pkce",
    "RFC 7636 §4.4.1; RFC 9700 §2.1.1",
    "invalid_request",
    "code_challenge with method S256 is required",
    causes.MISSING,
)
AUTHZ_DETAILS = _rule(
    "vci.authorize.authorization_details",
    "RFC 9396 §2, §5; OpenID4VCI 1.0 §5.1.1",
    "invalid_authorization_details",
    "{why}",
)
AUTHZ_ENTITLED = _rule(
    "vci.authorize.entitlement",
    "RFC 9396 §5; OpenID4VCI 1.0 §5.1.1",
    "access_denied",
    "{client_id} may not be issued {configuration}",
    causes.NOT_ALLOWED,
)
# -- the token endpoint -----------------------------------------------------------------------------
TOKEN_GRANT = _rule(
    "vci.token.grant_type", _TOKEN, "unsupported_grant_type", "grant_type must be authorization_code"
)
TOKEN_CODE = _rule("vci.token.code", _TOKEN, "invalid_grant", "unknown, used or expired authorization code")
TOKEN_CLIENT = _rule("vci.token.client", _TOKEN, "invalid_grant", "{why}", causes.MISMATCH)
TOKEN_PKCE = _rule("vci.token.pkce", "RFC 7636 §4.6", "invalid_grant", "{why}", causes.MISMATCH)
# -- the credential endpoint ------------------------------------------------------------------------
ACCESS_TOKEN = _rule(
    "vci.credential.access_token", "RFC 6750 §3.1; OpenID4VCI 1.0 §8", "invalid_token", "{why}", status=401
)
CREDENTIAL_REQUEST = _rule("vci.credential.request", _CREDENTIAL, INVALID_CREDENTIAL_REQUEST, "{why}")
CREDENTIAL_IDENTIFIER = _rule(
    "vci.credential.identifier",
    f"{_CREDENTIAL}; §6.2",
    UNKNOWN_IDENTIFIER,
    "credential_identifier {value!r} is unknown",
)
CREDENTIAL_AUTHORIZED = _rule(
    "vci.credential.authorized",
    f"{_CREDENTIAL}; RFC 9396 §9",
    REQUEST_DENIED,
    "the access token does not authorize {configuration}",
    causes.NOT_ALLOWED,
)
PROOF = _rule("vci.proof", _PROOF, INVALID_PROOF, "{why}")
PROOF_SIGNATURE = _rule("vci.proof.signature", _PROOF, INVALID_PROOF, "{why}", causes.SIGNATURE)
PROOF_CRIT = _rule(
    "vci.proof.crit", f"RFC 7515 §4.1.11; {_PROOF}", INVALID_PROOF, "{why}", causes.UNSUPPORTED
)
PROOF_NONCE = _rule("vci.proof.nonce", "OpenID4VCI 1.0 §7, §8.3.1.2", INVALID_NONCE, "{why}", causes.REPLAYED)


# -- authorization_details (RFC 9396) -----------------------------------------------------------------
@dataclass(frozen=True)
class CredentialDetail:
    """One ``openid_credential`` authorization detail: the configuration asked for."""

    configuration_id: str


class DetailsError(ValueError):
    """``authorization_details`` is not what RFC 9396 §2 and OpenID4VCI §5.1.1 allow."""


def parse_authorization_details(text: object) -> list[CredentialDetail]:
    """The ``openid_credential`` entries of an ``authorization_details`` parameter (a JSON array)."""
    if not isinstance(text, str) or not text:
        raise DetailsError("authorization_details is required")
    if len(text) > MAX_DETAILS_CHARS:
        raise DetailsError("authorization_details is too long")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise DetailsError("authorization_details is not JSON") from None
    if not isinstance(value, list) or not value or len(value) > MAX_DETAILS:
        raise DetailsError(f"authorization_details must be a JSON array of 1 to {MAX_DETAILS} objects")
    details = []
    for item in value:
        # RFC 9396 §2: every object has a type; OpenID4VCI §5.1.1 asks openid_credential entries
        # for a credential_configuration_id.
        if not isinstance(item, Mapping) or item.get("type") != OPENID_CREDENTIAL:
            raise DetailsError(f"every authorization_details entry must have type {OPENID_CREDENTIAL}")
        configuration = item.get("credential_configuration_id")
        if not isinstance(configuration, str) or not configuration:
            raise DetailsError("credential_configuration_id is required")
        details.append(CredentialDetail(configuration))
    return details


def details_json(configuration_id: str) -> list[dict[str, str]]:
    """The one-entry ``authorization_details`` the reference's wallet sends (§5.1.1)."""
    return [{"type": OPENID_CREDENTIAL, "credential_configuration_id": configuration_id}]


def credential_identifier(token_response: Mapping[str, Any], configuration_id: str) -> str:
    """The identifier to ask for, as the reference's ``extractCredentialIdentifier`` picks it.

    '' when the token response has no ``authorization_details`` (then the request names the
    configuration, §3.3.4); a ``ValueError`` when it has them but none for ``configuration_id``.
    """
    details = token_response.get("authorization_details")
    if details is None:
        return ""
    if not isinstance(details, list):
        raise ValueError("token response authorization_details malformed")
    for item in details:
        if not isinstance(item, Mapping) or item.get("type") != OPENID_CREDENTIAL:
            continue
        if item.get("credential_configuration_id") != configuration_id:
            continue
        identifiers = item.get("credential_identifiers")
        if not isinstance(identifiers, list) or not identifiers or not isinstance(identifiers[0], str):
            missing = "is missing credential_identifiers"
            raise ValueError(f"token response authorization_details for {configuration_id!r} {missing}")
        return identifiers[0]
    none = "token response authorization_details has no entry for credential_configuration_id"
    raise ValueError(f"{none} {configuration_id!r}")


# -- the key proof (Appendix F.1) --------------------------------------------------------------------
def make_proof(key: jose.KeyPair, *, audience: str, now: int, nonce: str, issuer: str | None) -> str:
    """A JWT key proof: ``typ`` openid4vci-proof+jwt, ``kid`` the holder's DID URL, aud, iat, nonce."""
    claims: dict[str, Any] = {"aud": audience, "iat": now}
    if issuer is not None:
        claims["iss"] = issuer
    if nonce:
        claims["nonce"] = nonce
    return jose.sign({"typ": PROOF_TYP, "kid": key.kid}, claims, key)


@dataclass(frozen=True)
class Proof:
    """A decoded key proof whose shape passed Appendix F.1 (signature and nonce not yet checked)."""

    jws: jose.CompactJWS
    kid: str
    nonce: str


def check_proof_shape(
    token: object, *, audience: str, now: int, max_age: int, skew: int = jose.DEFAULT_SKEW
) -> Proof:
    """Appendix F.1: typ, a DID URL kid, aud the issuer, iat recent; raise ``ValueError`` with why."""
    try:
        jws = jose.decode(token)
    except jose.JoseError as exc:
        raise ValueError(f"proof is not a JWT: {exc}") from None
    if jws.header.get("typ") != PROOF_TYP:
        raise ValueError(f"proof typ must be {PROOF_TYP}")
    if jws.alg not in jose.SUPPORTED_ALGS:
        raise ValueError(f"proof alg {jws.alg!r} is not supported")
    kid = jws.kid or ""
    if not kid.startswith("did:") or "#" not in kid:
        raise ValueError("proof kid must be a DID URL naming the key to bind the credential to")
    claims = jws.payload
    if claims.get("aud") != audience:
        raise ValueError(f"proof aud must be the credential issuer {audience}")
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int):
        raise ValueError("proof iat is required")
    if iat > now + skew or iat < now - max_age:
        raise ValueError("proof iat is not recent")
    nonce = claims.get("nonce")
    return Proof(jws, kid, nonce if isinstance(nonce, str) else "")


def issuer_metadata(issuer: str, configurations: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Credential issuer metadata (§12.2.4): endpoints, its authorization server, the configurations."""
    return {
        "credential_issuer": issuer,
        "authorization_servers": [issuer],
        "credential_endpoint": f"{issuer}/openid4vci/credential",
        "nonce_endpoint": f"{issuer}/openid4vci/nonce",
        "credential_configurations_supported": {k: dict(v) for k, v in configurations.items()},
    }


def authorization_server_metadata(issuer: str) -> dict[str, Any]:
    """RFC 8414 metadata of the issuer's own authorization server (authorization code, PKCE S256)."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/openid4vci/authorize",
        "token_endpoint": f"{issuer}/openid4vci/token",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_details_types_supported": [OPENID_CREDENTIAL],
    }


def configuration(credential_type: str) -> dict[str, Any]:
    """A ``jwt_vc_json`` credential configuration (§12.2.4, Appendix A.1.1) bound to a DID by a JWT proof."""
    return {
        "format": "jwt_vc_json",
        "credential_definition": {"type": ["VerifiableCredential", credential_type]},
        "cryptographic_binding_methods_supported": ["did:web", "did:jwk"],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256", "EdDSA"]}},
    }


# -- the credential offer (§4.1) -----------------------------------------------------------------------
def credential_offer(issuer: str, configuration_ids: list[str]) -> dict[str, Any]:
    """A Credential Offer (§4.1.1) for the authorization code flow (§4.1.1 ``grants``)."""
    return {
        "credential_issuer": issuer,
        "credential_configuration_ids": list(configuration_ids),
        "grants": {"authorization_code": {}},
    }


def parse_credential_offer(value: object) -> tuple[str, list[str]]:
    """The issuer and configuration ids of a Credential Offer; ``ValueError`` says what is wrong."""
    if not isinstance(value, Mapping):
        raise ValueError("a credential offer is a JSON object")
    issuer, ids = value.get("credential_issuer"), value.get("credential_configuration_ids")
    if not isinstance(issuer, str) or not issuer.startswith("https://"):
        raise ValueError("credential_issuer must be an https URL")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise ValueError("credential_configuration_ids must be a non-empty array of strings")
    grants = value.get("grants", {})
    if not isinstance(grants, Mapping) or (grants and "authorization_code" not in grants):
        raise ValueError("only the authorization_code grant is supported by this wallet")
    return issuer, [str(i) for i in ids][:MAX_DETAILS]
