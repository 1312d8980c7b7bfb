"""The internal API's error bodies: RFC 7807 problems, as the reference's echo error handler writes them.

nuts-node ``core/echo_errors.go CreateHTTPErrorHandler`` answers every error of the internal
API (``/internal/…``; only ``/oauth2/…`` gets ``Oauth2ErrorWriter``, ``auth/api/iam/api.go
middleware``) with ``problemErrorWriter``: ``Content-Type: application/problem+json`` and the
members ``detail`` (``err.Error()``), ``status`` and ``title`` (``"<operationID> failed"``),
encoded in that (sorted) order (``core/echo_errors_test.go``). The nuts-node v2 OpenAPI
(``docs/_static/common/error_response.yaml``) specifies the same three members, so ``strict``
answers alike. The EHR reads the OAuth code back out of ``detail``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from nutssim.errors import OAuthError, ProtocolError
from nutssim.messages import HttpResponse
from nutssim.specs.rfc6749 import SERVER_ERROR

PROBLEM_JSON = "application/problem+json"  # schneider.vip/problem ContentTypeJSON
#: ``auth/oauth/error.go RemoteOAuthError.Error``: an error an AS answered, relayed by the client.
REMOTE_PREFIX = "remote authorization server: "
_OAUTH_DETAIL = re.compile(r"^(?P<code>[a-z_]+)(?: - (?P<description>.*))?$", re.DOTALL)


def detail(error: ProtocolError) -> str:
    """The ``detail`` member: ``err.Error()`` of the reference error this one stands for.

    An ``OAuth2Error`` reads ``code - description`` (``auth/oauth/error.go OAuth2Error.Error``);
    a relayed one is prefixed ``remote authorization server: `` (``RemoteOAuthError.Error``); a
    plain Go error (``core.InvalidInputError``, ``ErrPreconditionFailed``/``ErrBadGateway`` joins)
    is its text alone.
    """
    if not isinstance(error, OAuthError):
        return str(error)
    form = getattr(error, "form", "oauth")
    prefix = getattr(error, "prefix", "")
    if form == "plain":
        return f"{prefix}{error.description or error.error}"
    text = f"{error.error} - {error.description}" if error.description else error.error
    return f"{prefix}{REMOTE_PREFIX}{text}" if form == "remote" else f"{prefix}{text}"


def response(operation: str, error: ProtocolError) -> HttpResponse:
    """The problem response of a failed ``operation`` (``problemErrorWriter.Write``)."""
    status = error.status if isinstance(error, OAuthError) else 500
    body = {"detail": detail(error), "status": status, "title": f"{operation} failed"}
    return HttpResponse(status, (("Content-Type", PROBLEM_JSON),), json.dumps(body, separators=(",", ":")))


def read(body: Any, status: int) -> dict[str, Any] | None:
    """An EHR's reading of a problem body: the OAuth ``error``/``error_description`` in ``detail``.

    A relayed or local OAuth error gives its code; a plain detail has none on the wire, so the
    EHR classifies it by status (``invalid_request`` below 500, else ``server_error``) — nutssim's
    reading, which keeps the catalogue's comparisons on code; ``detail`` and ``title`` are kept.
    """
    if not isinstance(body, dict) or not isinstance(body.get("detail"), str):
        return None
    text = body["detail"]
    inner = text.split(REMOTE_PREFIX, 1)[1] if REMOTE_PREFIX in text else text
    found = _OAUTH_DETAIL.match(inner)
    if found and "_" in found["code"]:
        code, description = found["code"], found["description"] or ""
    else:
        code, description = ("invalid_request" if status < 500 else SERVER_ERROR), text
    return {
        "error": code,
        "error_description": description,
        "status": status,
        "title": str(body.get("title", "")),
        "detail": text,
    }
