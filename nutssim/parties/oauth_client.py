"""What every OAuth client of a node does: discover an AS's metadata and read its token response.

The s2s client (``client``) and the user flow's client (``user_client``) both call these
processes; errors reach the EHR as ``ClientError``s with the reference's HTTP statuses
(PROTOCOL.md §1.8).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from nutssim import causes
from nutssim.causes import Cause
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.parties.base import ClientError, Context
from nutssim.specs import rfc6749, rfc8414
from nutssim.specs.rfc6749 import INVALID_REQUEST, SERVER_ERROR


def discover_metadata(ctx: Context, issuer: str) -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
    """RFC 8414 §3 discovery: "insert" then "append" placement; ``issuer`` must match (§3.3)."""
    statuses: list[int] = []
    for url in rfc8414.locations(issuer):
        response = yield HttpRequest.get(url, headers={"Accept": "application/json"})
        statuses.append(response.status)
        document = response.json if response.ok else None
        if not isinstance(document, dict):
            continue
        same = rfc8414.issuer_matches(document, issuer)
        ctx.check(
            "client.metadata_issuer",
            "RFC 8414 §3.3",
            same,
            "" if same else f"metadata issuer {document.get('issuer')!r} ≠ requested {issuer!r}",
            Cause(causes.MISMATCH, "metadata", "issuer", issuer, str(document.get("issuer"))),
        )
        if not same:
            continue
        wrong = rfc8414.type_errors(document)
        ctx.check(
            "client.metadata_types",
            "RFC 8414 §2",
            not wrong,
            f"not decodable: {', '.join(wrong)} of the wrong JSON type" if wrong else "",
            Cause(causes.INVALID, "metadata", ", ".join(wrong)),
        )
        if not wrong:  # as the reference's JSON decoding, a member of the wrong type fails the candidate
            return document
    if statuses and all(400 <= s < 500 for s in statuses):
        raise ClientError(
            INVALID_REQUEST, f"failed to retrieve authorization server metadata from {issuer}", status=400
        )
    if statuses and all(s in (502, 504) for s in statuses):
        raise ClientError(SERVER_ERROR, f"authorization server {issuer} is unreachable", status=503)
    raise ClientError(
        SERVER_ERROR, f"authorization server {issuer} returned an unexpected result", status=502
    )


def token_from_response(ctx: Context, response: HttpResponse) -> dict[str, Any]:
    """Read the token response; relay OAuth errors (RemoteOAuthError, PROTOCOL.md §1.8)."""
    body = response.json
    if response.header("X-Nutssim-Network"):
        raise ClientError(SERVER_ERROR, "authorization server unreachable", status=503)
    if response.ok and isinstance(body, dict) and body.get("access_token"):
        wrong = rfc6749.token_response_errors(body)
        if not wrong:
            return dict(body)
        detail = f"wrong JSON type: {', '.join(wrong)}"
        cause = Cause(causes.INVALID, "token_response", ", ".join(wrong), reason=detail)
        ctx.check("client.token_response", "RFC 6749 §5.1", False, detail, cause)
        raise ClientError(SERVER_ERROR, f"invalid token response: {', '.join(wrong)}", status=502)
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        ctx.check(
            "client.token_response",
            "RFC 6749 §5.2",
            False,
            f"{body['error']}: {body.get('error_description', '')}",
            Cause(
                causes.FAILED, "token_response", body["error"], reason=str(body.get("error_description", ""))
            ),
        )
        # client.go AccessToken: a JSON OAuth error is a RemoteOAuthError, its status that of the code.
        code = body["error"]
        raise ClientError(
            code,
            str(body.get("error_description", "")),
            status=500 if code == SERVER_ERROR else 400,
            form="remote",
        )
    raise ClientError(SERVER_ERROR, f"authorization server returned HTTP {response.status}", status=502)
