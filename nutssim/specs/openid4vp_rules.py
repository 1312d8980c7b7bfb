"""The rules of OpenID4VP as the Nuts user flow uses it (PROTOCOL.md §2.2): a ``Rule`` table.

Steps 7 continued, 11–15, 21–22: each rule a trace id, a spec clause, the wire error and
the kind of cause it records. The authorization-code rules around the OpenID4VP
exchange (RFC 6749 §4.1 at the verifier's authorize and token endpoints and at the
client's callback) live here too, as the Nuts user flow combines them. ``openid4vp``
re-exports every rule, so callers write ``openid4vp.SCOPE``.
"""

from __future__ import annotations

from nutssim import causes
from nutssim.specs.rfc6749 import INVALID_GRANT, INVALID_REQUEST, INVALID_SCOPE, SERVER_ERROR
from nutssim.specs.rules import Rule

#: OpenID4VP §7.5 error code.
INVALID_PRESENTATION_DEFINITION_URI = "invalid_presentation_definition_uri"

_HOLDER = "PROTOCOL.md §2.2 step 7"
_WALLET = "PROTOCOL.md §2.2 steps 11–15"
_RESPONSE = "PROTOCOL.md §2.2 step 15"
_CALLBACK = "PROTOCOL.md §2.2 step 21"
_TOKEN = "PROTOCOL.md §2.2 step 22"

# -- verifier's authorization endpoint, response_type=code (step 7 continued) ------------------------------
REDIRECT_URI = Rule(
    "authorize.redirect_uri",
    f"RFC 6749 §4.1.2.1; {_HOLDER}",
    INVALID_REQUEST,
    "missing redirect_uri parameter",
    kind=causes.MISSING,
    about="parameter",
    subject="redirect_uri",
)
REDIRECT_URI_PARSE = Rule(
    "authorize.redirect_uri",
    f"RFC 6749 §3.1.2; {_HOLDER}",
    INVALID_REQUEST,
    "invalid redirect_uri parameter",
    kind=causes.INVALID,
    about="parameter",
    subject="redirect_uri",
)
AUDIENCE = Rule(
    "authorize.audience",
    f"RFC 9101 §4; {_HOLDER}",
    INVALID_REQUEST,
    "invalid audience, expected: {expected}, was: {actual}",
    kind=causes.MISMATCH,
    about="request_object",
    subject="aud",
)
SCOPE = Rule(
    "authorize.scope",
    f"RFC 6749 §4.1.2.1; PROTOCOL.md §3.8; {_HOLDER}",
    INVALID_SCOPE,
    "unsupported scope ({scope}) for presentation exchange: {reason}",
    kind=causes.UNSUPPORTED,
    about="parameter",
    subject="scope",
)
WALLET_CONFIGURATION = Rule(
    "authorize.wallet_configuration",
    "PROTOCOL.md §2.2 step 10, §2.5",
    SERVER_ERROR,
    "failed to authorize client",
    kind=causes.RESOLUTION,
    about="entity_statement",
)
# -- wallet (steps 11–15): rendered, then POSTed to response_uri ------------------------------------------
RESPONSE_MODE = Rule(
    "wallet.response_mode",
    f"OpenID4VP §6.2; {_WALLET}",
    INVALID_REQUEST,
    "invalid response_mode parameter",
    kind=causes.UNSUPPORTED,
    about="parameter",
    subject="response_mode",
)
RESPONSE_URI = Rule(
    "wallet.response_uri",
    f"OpenID4VP §6.2; {_WALLET}",
    INVALID_REQUEST,
    "missing response_uri parameter",
    kind=causes.MISSING,
    about="parameter",
    subject="response_uri",
)
STATE = Rule(
    "wallet.state",
    f"OpenID4VP §5.2; {_WALLET}",
    INVALID_REQUEST,
    "missing state parameter",
    kind=causes.MISSING,
    about="parameter",
    subject="state",
)
CLIENT_ID_SCHEME = Rule(
    "wallet.client_id_scheme",
    f"OpenID4VP §5.7; {_WALLET}",
    INVALID_REQUEST,
    "invalid client_id_scheme parameter",
    kind=causes.UNSUPPORTED,
    about="parameter",
    subject="client_id_scheme",
)
NONCE = Rule(
    "wallet.nonce",
    f"OpenID4VP §5.2; {_WALLET}",
    INVALID_REQUEST,
    "missing nonce parameter",
    kind=causes.MISSING,
    about="parameter",
    subject="nonce",
)
USER_SESSION = Rule(
    "wallet.user_session",
    _WALLET,
    INVALID_REQUEST,
    "no user session found",
    kind=causes.UNKNOWN,
    about="session",
)
CLIENT_METADATA = Rule(
    "wallet.client_metadata",
    f"OpenID4VP §5.2; {_WALLET}",
    INVALID_REQUEST,
    "client_metadata and client_metadata_uri are mutually exclusive",
    kind=causes.INVALID,
    about="parameter",
    subject="client_metadata",
)
CLIENT_METADATA_INVALID = Rule(
    "wallet.client_metadata",
    f"OpenID4VP §5.2; {_WALLET}",
    INVALID_REQUEST,
    "invalid client_metadata",
    kind=causes.INVALID,
    about="parameter",
    subject="client_metadata",
)
CLIENT_METADATA_FETCH = Rule(
    "wallet.client_metadata_fetch",
    f"OpenID4VP §5.2; {_WALLET}",
    SERVER_ERROR,
    "failed to get client metadata (verifier)",
    kind=causes.RESOLUTION,
    about="parameter",
    subject="client_metadata_uri",
)
DEFINITION = Rule(
    "wallet.presentation_definition",
    f"OpenID4VP §5.4; {_WALLET}",
    INVALID_REQUEST,
    "presentation_definition and presentation_definition_uri are mutually exclusive",
    kind=causes.INVALID,
    about="parameter",
    subject="presentation_definition",
)
DEFINITION_INVALID = Rule(
    "wallet.presentation_definition",
    f"OpenID4VP §5.4; {_WALLET}",
    INVALID_REQUEST,
    "invalid presentation_definition",
    kind=causes.INVALID,
    about="parameter",
    subject="presentation_definition",
)
DEFINITION_FETCH = Rule(
    "wallet.presentation_definition_fetch",
    f"OpenID4VP §5.5, §6.4; {_WALLET}",
    INVALID_PRESENTATION_DEFINITION_URI,
    "failed to retrieve presentation definition on {uri}",
    kind=causes.RESOLUTION,
    about="parameter",
    subject="presentation_definition_uri",
)
FULFIL = Rule(
    "wallet.fulfil",
    f"DIF PE v2 §5; {_WALLET}",
    INVALID_REQUEST,
    "wallet could not fulfill requirements (PD ID: {pd_id}, wallet: {wallet}): {reason}",
    kind=causes.UNFULFILLED,
    about="presentation_definition",
)
BUILD = Rule("wallet.build", _WALLET, SERVER_ERROR, "{reason}", kind=causes.FAILED, about="presentation")
REPEATED_DISPATCH = Rule(
    "wallet.user_dispatch",
    "PROTOCOL.md §2.2 steps 16–17",
    SERVER_ERROR,
    "the verifier asked the user wallet again",
    kind=causes.NOT_ALLOWED,
    about="wallet",
    subject="user",
)
POST_FAILED = Rule(
    "wallet.direct_post",
    f"OpenID4VP §6.2; {_WALLET}",
    SERVER_ERROR,
    "something went wrong",
    kind=causes.FAILED,
    about="response",
)
# -- verifier's response_uri (step 15) -----------------------------------------------------------------------
R_STATE = Rule(
    "response.state",
    f"OpenID4VP §6.2; {_RESPONSE}",
    INVALID_REQUEST,
    "missing state",
    kind=causes.MISSING,
    about="parameter",
    subject="state",
)
R_VP_TOKEN = Rule(
    "response.vp_token",
    f"OpenID4VP §6.1; {_RESPONSE}",
    INVALID_REQUEST,
    "missing vp_token",
    kind=causes.MISSING,
    about="parameter",
    subject="vp_token",
)
R_VP_PARSE = Rule(
    "response.vp_token",
    f"OpenID4VP §6.1; {_RESPONSE}",
    INVALID_REQUEST,
    "invalid vp_token",
    kind=causes.INVALID,
    about="parameter",
    subject="vp_token",
)
R_SESSION = Rule(
    "response.session",
    f"OpenID4VP §6.2; {_RESPONSE}",
    INVALID_REQUEST,
    "invalid or expired session",
    kind=causes.UNKNOWN,
    about="session",
    subject="state",
)
R_TENANT = Rule(
    "response.tenant",
    _RESPONSE,
    INVALID_REQUEST,
    "incorrect tenant",
    kind=causes.MISMATCH,
    about="session",
    subject="subject",
)
R_NONCE = Rule(
    "response.nonce",
    f"OpenID4VP §12.1; {_RESPONSE}",
    INVALID_REQUEST,
    "invalid or missing nonce/challenge in presentation",
    kind=causes.INVALID,
    about="presentation",
    subject="nonce",
)
R_NONCE_SESSION = Rule(
    "response.nonce_session",
    f"OpenID4VP §12.1; {_RESPONSE}",
    INVALID_REQUEST,
    "invalid or expired session",
    kind=causes.UNKNOWN,
    about="presentation",
    subject="nonce",
)
R_NONCE_STATE = Rule(
    "response.nonce_state",
    f"OpenID4VP §12.1; {_RESPONSE}",
    INVALID_REQUEST,
    "invalid nonce/state",
    kind=causes.MISMATCH,
    about="presentation",
    subject="nonce",
)
R_SUBMISSION = Rule(
    "response.submission",
    f"OpenID4VP §6.1; {_RESPONSE}",
    INVALID_REQUEST,
    "missing presentation_submission",
    kind=causes.MISSING,
    about="parameter",
    subject="presentation_submission",
)
R_SUBMISSION_PARSE = Rule(
    "response.submission",
    f"DIF PE v2 §6; {_RESPONSE}",
    INVALID_REQUEST,
    "invalid presentation_submission: {reason}",
    kind=causes.INVALID,
    about="parameter",
    subject="presentation_submission",
)
R_FULFILLED = Rule(
    "response.already_fulfilled",
    f"PROTOCOL.md §1.5 #12; {_RESPONSE}",
    INVALID_REQUEST,
    "presentation definition is already fulfilled",
    kind=causes.REPLAYED,
    about="presentation_definition",
)
R_ERROR_STATE = Rule(
    "response.error_state",
    f"OpenID4VP §6.4; {_RESPONSE}",
    INVALID_REQUEST,
    "{description}",
    kind=causes.UNKNOWN,
    about="session",
    subject="state",
)
# -- client callback (step 21) -------------------------------------------------------------------------------
CALLBACK_ENABLED = Rule(
    "callback.enabled",
    _CALLBACK,
    INVALID_REQUEST,
    "callback endpoint is disabled",
    kind=causes.NOT_ALLOWED,
    about="endpoint",
    subject="callback",
)
CALLBACK_STATE = Rule(
    "callback.state",
    f"RFC 6749 §10.12; {_CALLBACK}",
    INVALID_REQUEST,
    "missing state parameter",
    kind=causes.MISSING,
    about="parameter",
    subject="state",
)
CALLBACK_STATE_KNOWN = Rule(
    "callback.state_known",
    f"RFC 6749 §10.12; {_CALLBACK}",
    INVALID_REQUEST,
    "invalid or expired state",
    kind=causes.UNKNOWN,
    about="parameter",
    subject="state",
)
CALLBACK_CODE = Rule(
    "callback.code",
    f"RFC 6749 §4.1.2; {_CALLBACK}",
    INVALID_REQUEST,
    "missing code parameter",
    kind=causes.MISSING,
    about="parameter",
    subject="code",
)
CALLBACK_TOKEN = Rule(
    "callback.token",
    f"RFC 6749 §4.1.3; {_CALLBACK}",
    SERVER_ERROR,
    "failed to retrieve access token from {endpoint}",
    kind=causes.FAILED,
    about="token",
)
# -- authorization_code grant at the token endpoint (step 22) -----------------------------------------
T_CODE = Rule(
    "code_token.code",
    f"RFC 6749 §4.1.3; {_TOKEN}",
    INVALID_REQUEST,
    "missing code parameter",
    kind=causes.MISSING,
    about="parameter",
    subject="code",
)
T_VERIFIER = Rule(
    "code_token.code_verifier",
    f"RFC 7636 §4.5; {_TOKEN}",
    INVALID_REQUEST,
    "missing code_verifier parameter",
    kind=causes.MISSING,
    about="parameter",
    subject="code_verifier",
)
T_CLIENT_ID = Rule(
    "code_token.client_id",
    f"RFC 6749 §4.1.3; {_TOKEN}",
    INVALID_REQUEST,
    "missing client_id parameter",
    kind=causes.MISSING,
    about="parameter",
    subject="client_id",
)
T_CODE_VALID = Rule(
    "code_token.code_valid",
    f"RFC 6749 §4.1.2, §4.1.3; {_TOKEN}",
    INVALID_GRANT,
    "invalid authorization code",
    kind=causes.UNKNOWN,
    about="parameter",
    subject="code",
)
T_CLIENT_MATCH = Rule(
    "code_token.client_match",
    f"RFC 6749 §4.1.3; {_TOKEN}",
    INVALID_REQUEST,
    "client_id does not match: {expected} vs {actual}",
    kind=causes.MISMATCH,
    about="parameter",
    subject="client_id",
)
T_REDIRECT_URI = Rule(
    "code_token.redirect_uri",
    "RFC 6749 §4.1.3 (strict)",
    INVALID_GRANT,
    "redirect_uri does not match the authorization request",
    kind=causes.MISMATCH,
    about="parameter",
    subject="redirect_uri",
)
T_CREATE = Rule(
    "code_token.claims",
    f"PROTOCOL.md §3.10; {_TOKEN}",
    SERVER_ERROR,
    "failed to create access token: {reason}",
    kind=causes.FAILED,
    about="token",
    subject="claims",
)
