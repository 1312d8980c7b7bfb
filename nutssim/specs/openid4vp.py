"""OpenID4VP as the Nuts user flow uses it: requests by reference, direct_post responses, their rules.

The verifier (node A) asks a wallet (node B's organization wallet, or the user's session
wallet) for a presentation with a signed request object (RFC 9101) that names
``response_uri``, ``presentation_definition_uri``, ``nonce`` and ``state``; the wallet
answers by ``direct_post`` to ``response_uri``. A user wallet is reached through the
``openid4vp:`` scheme with the static self-issued metadata (OpenID4VP §10 "static
configuration"), which a browser cannot open: node B dispatches it internally
(PROTOCOL.md §2.2 steps 16–17).

The rules of PROTOCOL.md §2.2 (steps 7 continued, 11–15, 21–22) are ``Rule`` objects
(a trace id, a spec clause, the wire error, the cause kind) in ``openid4vp_rules``,
re-exported here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from nutssim.jose import SUPPORTED_ALGS
from nutssim.messages import HttpResponse, json_response
from nutssim.models.credential import Presentation
from nutssim.specs.openid4vp_rules import (
    AUDIENCE as AUDIENCE,
)
from nutssim.specs.openid4vp_rules import (
    BUILD as BUILD,
)
from nutssim.specs.openid4vp_rules import (
    CALLBACK_CODE as CALLBACK_CODE,
)
from nutssim.specs.openid4vp_rules import (
    CALLBACK_ENABLED as CALLBACK_ENABLED,
)
from nutssim.specs.openid4vp_rules import (
    CALLBACK_STATE as CALLBACK_STATE,
)
from nutssim.specs.openid4vp_rules import (
    CALLBACK_STATE_KNOWN as CALLBACK_STATE_KNOWN,
)
from nutssim.specs.openid4vp_rules import (
    CALLBACK_TOKEN as CALLBACK_TOKEN,
)
from nutssim.specs.openid4vp_rules import (
    CLIENT_ID_SCHEME as CLIENT_ID_SCHEME,
)
from nutssim.specs.openid4vp_rules import (
    CLIENT_METADATA as CLIENT_METADATA,
)
from nutssim.specs.openid4vp_rules import (
    CLIENT_METADATA_FETCH as CLIENT_METADATA_FETCH,
)
from nutssim.specs.openid4vp_rules import (
    CLIENT_METADATA_INVALID as CLIENT_METADATA_INVALID,
)
from nutssim.specs.openid4vp_rules import (
    DEFINITION as DEFINITION,
)
from nutssim.specs.openid4vp_rules import (
    DEFINITION_FETCH as DEFINITION_FETCH,
)
from nutssim.specs.openid4vp_rules import (
    DEFINITION_INVALID as DEFINITION_INVALID,
)
from nutssim.specs.openid4vp_rules import (
    FULFIL as FULFIL,
)
from nutssim.specs.openid4vp_rules import (
    INVALID_PRESENTATION_DEFINITION_URI as INVALID_PRESENTATION_DEFINITION_URI,
)
from nutssim.specs.openid4vp_rules import (
    NONCE as NONCE,
)
from nutssim.specs.openid4vp_rules import (
    POST_FAILED as POST_FAILED,
)
from nutssim.specs.openid4vp_rules import (
    R_ERROR_STATE as R_ERROR_STATE,
)
from nutssim.specs.openid4vp_rules import (
    R_FULFILLED as R_FULFILLED,
)
from nutssim.specs.openid4vp_rules import (
    R_NONCE as R_NONCE,
)
from nutssim.specs.openid4vp_rules import (
    R_NONCE_SESSION as R_NONCE_SESSION,
)
from nutssim.specs.openid4vp_rules import (
    R_NONCE_STATE as R_NONCE_STATE,
)
from nutssim.specs.openid4vp_rules import (
    R_SESSION as R_SESSION,
)
from nutssim.specs.openid4vp_rules import (
    R_STATE as R_STATE,
)
from nutssim.specs.openid4vp_rules import (
    R_SUBMISSION as R_SUBMISSION,
)
from nutssim.specs.openid4vp_rules import (
    R_SUBMISSION_PARSE as R_SUBMISSION_PARSE,
)
from nutssim.specs.openid4vp_rules import (
    R_TENANT as R_TENANT,
)
from nutssim.specs.openid4vp_rules import (
    R_VP_PARSE as R_VP_PARSE,
)
from nutssim.specs.openid4vp_rules import (
    R_VP_TOKEN as R_VP_TOKEN,
)
from nutssim.specs.openid4vp_rules import (
    REDIRECT_URI as REDIRECT_URI,
)
from nutssim.specs.openid4vp_rules import (
    REDIRECT_URI_PARSE as REDIRECT_URI_PARSE,
)
from nutssim.specs.openid4vp_rules import (
    REPEATED_DISPATCH as REPEATED_DISPATCH,
)
from nutssim.specs.openid4vp_rules import (
    RESPONSE_MODE as RESPONSE_MODE,
)
from nutssim.specs.openid4vp_rules import (
    RESPONSE_URI as RESPONSE_URI,
)
from nutssim.specs.openid4vp_rules import (
    SCOPE as SCOPE,
)
from nutssim.specs.openid4vp_rules import (
    STATE as STATE,
)
from nutssim.specs.openid4vp_rules import (
    T_CLIENT_ID as T_CLIENT_ID,
)
from nutssim.specs.openid4vp_rules import (
    T_CLIENT_MATCH as T_CLIENT_MATCH,
)
from nutssim.specs.openid4vp_rules import (
    T_CODE as T_CODE,
)
from nutssim.specs.openid4vp_rules import (
    T_CODE_VALID as T_CODE_VALID,
)
from nutssim.specs.openid4vp_rules import (
    T_CREATE as T_CREATE,
)
from nutssim.specs.openid4vp_rules import (
    T_REDIRECT_URI as T_REDIRECT_URI,
)
from nutssim.specs.openid4vp_rules import (
    T_VERIFIER as T_VERIFIER,
)
from nutssim.specs.openid4vp_rules import (
    USER_SESSION as USER_SESSION,
)
from nutssim.specs.openid4vp_rules import (
    WALLET_CONFIGURATION as WALLET_CONFIGURATION,
)
from nutssim.specs.rfc9101 import request_url

VP_TOKEN = "vp_token"
CODE = "code"
DIRECT_POST = "direct_post"
ENTITY_ID = "entity_id"
SCHEME = "openid4vp:"
#: Issuer of the static self-issued wallet metadata (OpenID4VP §10; SIOPv2 §7.2).
SELF_ISSUED = "https://self-issued.me/v2"
ORGANIZATION, USER = "organization", "user"
#: Wallet-built VP lifetime (PROTOCOL.md §0, ``handleAuthorizeRequestFromVerifier``).
VP_LIFETIME = 900
#: Reference ``oAuthFlowTimeout`` (PROTOCOL.md §0): client state, AS session, nonce, code.
FLOW_TIMEOUT = 60

#: Static metadata of a wallet reached through ``openid4vp:`` (OpenID4VP §10, PROTOCOL.md §2.2 step 10).
STATIC_WALLET_METADATA: dict[str, Any] = {
    "issuer": SELF_ISSUED,
    "authorization_endpoint": SCHEME,
    "response_types_supported": [VP_TOKEN],
    "vp_formats_supported": {
        "jwt_vp_json": {"alg_values_supported": ["ES256"]},
        "jwt_vc_json": {"alg_values_supported": ["ES256"]},
    },
    "request_object_signing_alg_values_supported": ["ES256"],
}


def vp_formats_supported(node_formats: Iterable[str]) -> dict[str, Any]:
    """OpenID4VP §9.1 ``vp_formats_supported`` for the VP formats a node accepts (PROTOCOL.md §1.1)."""
    formats = set(node_formats)
    algs = {"alg_values_supported": list(SUPPORTED_ALGS)}
    proof = {"proof_type_values_supported": ["JsonWebSignature2020"]}
    out: dict[str, Any] = {}
    if "jwt_vp" in formats:
        out.update(jwt_vp_json=algs, jwt_vc_json=algs)
    if "ldp_vp" in formats:
        out.update(ldp_vp=proof, ldp_vc=proof)
    return out


# -- building requests and responses -----------------------------------------------------------------------
def request_claims(
    *,
    issuer_did: str,
    client_id: str,
    audience: str | None,
    response_uri: str,
    client_metadata_uri: str,
    presentation_definition_uri: str,
    nonce: str,
    state: str,
) -> dict[str, Any]:
    """Claims of the verifier's request object (PROTOCOL.md §2.2 step 10; no ``aud`` for a user wallet)."""
    claims: dict[str, Any] = {"iss": issuer_did, "client_id": client_id}
    if audience:
        claims["aud"] = audience
    claims.update(
        {
            "response_type": VP_TOKEN,
            "client_id_scheme": ENTITY_ID,
            "response_mode": DIRECT_POST,
            "response_uri": response_uri,
            "client_metadata_uri": client_metadata_uri,
            "presentation_definition_uri": presentation_definition_uri,
            "nonce": nonce,
            "state": state,
        }
    )
    return claims


def wallet_request_url(
    metadata: Mapping[str, Any], client_id: str, request_uri: str, method: str, claims: Mapping[str, Any]
) -> str:
    """Where the user agent goes; an ``openid4vp:`` URL repeats every parameter (PROTOCOL.md §2.2 step 10)."""
    endpoint = str(metadata.get("authorization_endpoint", ""))
    return request_url(endpoint, client_id, request_uri, method, claims if is_openid4vp(endpoint) else None)


def is_openid4vp(url: str) -> bool:
    """Whether ``url`` uses the ``openid4vp:`` scheme (a wallet invocation, not an HTTP URL)."""
    return url.startswith(SCHEME)


def query_of(url: str) -> dict[str, str]:
    """The query parameters of a URL of any scheme (``openid4vp:?…`` included), first value wins."""
    out: dict[str, str] = {}
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        out.setdefault(key, value)
    return out


def vp_response_form(vp_token: str, submission: Mapping[str, Any], state: str) -> dict[str, str]:
    """The direct_post body of a presentation (OpenID4VP §6.2)."""
    return {
        "vp_token": vp_token,
        "presentation_submission": json.dumps(dict(submission), separators=(",", ":")),
        "state": state,
    }


def error_response_form(error: str, description: str, state: str) -> dict[str, str]:
    """The direct_post body of a wallet error (OpenID4VP §6.4)."""
    return {"error": error, "error_description": description, "state": state}


def redirect_response(uri: str) -> HttpResponse:
    """The verifier's answer to a direct_post: where the wallet sends the user agent next (OpenID4VP §6.2)."""
    return json_response(200, {"redirect_uri": uri}, headers={"Cache-Control": "no-store"})


def redirect_of(response: HttpResponse) -> str | None:
    """The ``redirect_uri`` of a verifier's 200 JSON answer, or None."""
    body = response.json if response.status == 200 else None
    uri = body.get("redirect_uri") if isinstance(body, dict) else None
    return uri if isinstance(uri, str) and uri else None


def client_metadata(client_id: str, redirect_uri: str, vp_formats: Mapping[str, Any]) -> dict[str, Any]:
    """The verifier's OAuth client metadata (RFC 7591 §2 fields, OpenID4VP §9 ``vp_formats``)."""
    return {
        "client_id": client_id,
        "redirect_uris": [redirect_uri],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "vp_token-bearer"],
        "response_types": [CODE, VP_TOKEN],
        "vp_formats": dict(vp_formats),
    }


def json_param(value: str | None) -> dict[str, Any] | None:
    """Decode a JSON-object request parameter (``client_metadata``, ``presentation_definition``)."""
    if not value:
        return None
    try:
        decoded = json.loads(value)
    except ValueError:
        return None
    return decoded if isinstance(decoded, dict) else None


# -- nonces in presentations ---------------------------------------------------------------------------------
def nonce_of(presentation: Presentation) -> str:
    """The nonce of a VP: JWT ``nonce``; JSON-LD ``challenge``, else ``nonce`` (PROTOCOL.md §2.2)."""
    value = (
        presentation.nonce
        if presentation.format == "jwt_vp"
        else (presentation.challenge or presentation.nonce)
    )
    return value if isinstance(value, str) else ""


def common_nonce(presentations: Iterable[Presentation]) -> tuple[str | None, list[str]]:
    """(the one nonce all VPs carry, or None) and every nonce found (to burn on failure)."""
    found = [nonce_of(p) for p in presentations]
    present = [n for n in found if n]
    if not found or len(present) != len(found) or len(set(present)) != 1:
        return None, present
    return present[0], present
