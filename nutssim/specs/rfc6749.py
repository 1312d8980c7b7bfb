"""RFC 6749, OAuth 2.0: error codes, grant types and parameters, the token response.

Error codes are constants (§4.1.2.1, §5.2) with the HTTP status the reference answers
them with (PROTOCOL.md conventions: 400, ``server_error`` 500). The token response
(§5.1) is built and type-checked here so the AS and the clients share one shape.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

from nutssim.messages import HttpResponse, json_response

# -- error codes (§4.1.2.1 authorization endpoint, §5.2 token endpoint) ----------
INVALID_REQUEST: Final = "invalid_request"
INVALID_CLIENT: Final = "invalid_client"
INVALID_GRANT: Final = "invalid_grant"
UNAUTHORIZED_CLIENT: Final = "unauthorized_client"
UNSUPPORTED_GRANT_TYPE: Final = "unsupported_grant_type"
UNSUPPORTED_RESPONSE_TYPE: Final = "unsupported_response_type"
INVALID_SCOPE: Final = "invalid_scope"
ACCESS_DENIED: Final = "access_denied"
SERVER_ERROR: Final = "server_error"
TEMPORARILY_UNAVAILABLE: Final = "temporarily_unavailable"


def status_of(code: str) -> int:
    """The HTTP status of an error response with ``code``: §5.2's 400, ``server_error`` 500 (reference)."""
    return 500 if code == SERVER_ERROR else 400


# -- grant types and parameters (§4.1.3, §4.5) ----------
AUTHORIZATION_CODE: Final = "authorization_code"
#: OpenID4VCI §4.1.1's extension grant (RFC 6749 §4.5): announced, not implemented by the reference.
PRE_AUTHORIZED_CODE: Final = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
#: §4.1.3: the parameters of an authorization_code token request (PKCE adds code_verifier, RFC 7636 §4.5).
CODE_GRANT_PARAMS: Final = ("code", "code_verifier", "client_id")


def missing(form: Mapping[str, str], names: Iterable[str]) -> list[str]:
    """The parameters of ``names`` that are absent or empty in ``form`` (§3.1: empty = omitted)."""
    return [name for name in names if not form.get(name)]


def scopes(text: str) -> list[str]:
    """§3.3: a scope is a list of space-delimited strings."""
    return text.split()


def scope_text(values: Iterable[str]) -> str:
    """§3.3: the scope parameter for ``values``."""
    return " ".join(values)


# -- the token response (§5.1) ----------
#: §5.1: token responses must not be cached.
NO_STORE: Final[Mapping[str, str]] = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def token_response(body: Mapping[str, Any]) -> HttpResponse:
    """A successful §5.1 token response: 200, JSON ``body`` as given, never cached."""
    return json_response(200, dict(body), headers=dict(NO_STORE))


def token_response_errors(body: Mapping[str, Any]) -> list[str]:
    """Members of a §5.1 token response with the wrong JSON type (null counts as absent)."""
    wrong = [
        k
        for k in ("access_token", "token_type", "scope")
        if body.get(k) is not None and not isinstance(body[k], str)
    ]
    expires = body.get("expires_in")
    if expires is not None and (
        isinstance(expires, bool) or not isinstance(expires, int | float) or not math.isfinite(expires)
    ):
        wrong.append("expires_in")
    return wrong
