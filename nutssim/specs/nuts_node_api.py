"""The rules of the reference node's internal API, the EHR's side of both flows (PROTOCOL.md §1.0, §2.2).

Not a Nuts RFC: the reference's own interface (``/internal/auth/v2/…``), whose answers
the EHR reads. Errors carry the reference's HTTP statuses (400, 404, 412, 502, 503).
"""

from __future__ import annotations

from nutssim import causes
from nutssim.specs.rfc6749 import INVALID_REQUEST, SERVER_ERROR
from nutssim.specs.rules import Rule

_S2S, _DPOP = "PROTOCOL.md §1.0", "PROTOCOL.md §1.7 step 1"
SUBJECT = Rule(
    "client.subject", _S2S, INVALID_REQUEST, "subject not found", kind=causes.UNKNOWN, about="subject"
)
REQUEST_BODY = Rule(
    "client.request_body",
    _S2S,
    INVALID_REQUEST,
    "body must be JSON with authorization_server and scope",
    kind=causes.INVALID,
    about="request",
)
SELF_ASSERTED_LIST = Rule(
    "client.self_asserted",
    _S2S,
    INVALID_REQUEST,
    "credentials must be a list of objects",
    kind=causes.INVALID,
    about="parameter",
    subject="credentials",
)
SELF_ASSERTED_SUBJECT = Rule(
    "client.self_asserted",
    _S2S,
    INVALID_REQUEST,
    "self-asserted credentials MUST NOT contain a 'credentialSubject.id'",
    kind=causes.NOT_ALLOWED,
    about="credential",
    subject="credentialSubject.id",
)
SELF_ASSERTED_ISSUER = Rule(
    "client.self_asserted",
    _S2S,
    INVALID_REQUEST,
    "self-asserted credentials MUST NOT contain an 'issuer'",
    kind=causes.NOT_ALLOWED,
    about="credential",
    subject="issuer",
)
DPOP_REQUEST = Rule(
    "client.dpop_request", _DPOP, INVALID_REQUEST, "missing {names}", kind=causes.MISSING, about="parameter"
)
DPOP_KID = Rule(
    "client.dpop_kid",
    _DPOP,
    INVALID_REQUEST,
    "unknown key {kid}",
    kind=causes.UNKNOWN,
    about="key",
    status=404,
)
# -- the user flow's landing page (PROTOCOL.md §2.2 steps 4–6) ---------------------------------------------
AS_METADATA = Rule(
    "landing.as_metadata",
    "RFC 8414 §2; PROTOCOL.md §2.2 step 4",
    SERVER_ERROR,
    "authorization server metadata lacks an authorization or token endpoint",
    kind=causes.MISSING,
    about="metadata",
    subject="authorization_endpoint/token_endpoint",
)
CLIENT_ID_SCHEME = Rule(
    "landing.client_id_scheme",
    "PROTOCOL.md §2.2 step 6",
    INVALID_REQUEST,
    "authorization server does not support 'entity_id' client_id scheme",
    kind=causes.UNSUPPORTED,
    about="metadata",
    subject="client_id_schemes_supported",
)

# -- RFC 7807 problem bodies (core/echo_errors.go problemErrorWriter) --------------------------------------
#: The OpenAPI operation id of each internal route (``auth/api/iam/generated.go``): the problem
#: ``title`` is ``"<operationID> failed"``.
OPERATIONS = {
    "/internal/auth/v2/{subject_id}/request-service-access-token": "RequestServiceAccessToken",
    "/internal/auth/v2/{subject_id}/request-user-access-token": "RequestUserAccessToken",
    "/internal/auth/v2/accesstoken/{session_id}": "RetrieveAccessToken",
    "/internal/auth/v2/dpop/{kid}": "CreateDPoPProof",
}
#: Checks whose reference failure is a bare ``core.InvalidInputError`` (detail without a code),
#: ``auth/api/iam/api.go RequestServiceAccessToken``.
PLAIN_CHECKS = frozenset({REQUEST_BODY.id, SELF_ASSERTED_LIST.id})
