"""A resource server as policy enforcement point: the PDP request built from an introspection.

Two shapes, because the reference stack does not speak AuthZEN here:

- ``knooppunt_pdp_input`` reproduces nuts-knooppunt's NGINX PEP (``pep/nginx/js/authorize.js
  buildPDPRequest``, commit 9beca4c): an OPA-style ``{"input": {subject, request, context}}``
  whose ``subject`` is the whole introspection response, POSTed to the knooppunt PDP, which
  answers ``{"allow": bool, "reasons": [...]}`` (``knooppunt_decision``).
- ``authzen_request`` is nutssim's design of the same question as an AuthZEN 1.0 Access
  Evaluation (§6.1) for a PDP like ``parties.pdp``; no reference sends it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: authorize.js STANDARD_CLAIMS: token metadata, not attributes of the requester.
STANDARD_CLAIMS = frozenset(
    {"active", "client_id", "scope", "token_type", "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "cnf"}
    | {"azp", "nonce", "auth_time", "sid", "at_hash", "c_hash"}
)


def knooppunt_pdp_input(
    introspection: Mapping[str, Any],
    *,
    method: str,
    request_uri: str,
    content_type: str = "",
    body: str = "",
    fhir_base_path: str = "/fhir",
    data_holder_organization_ura: str = "",
    data_holder_facility_type: str = "",
) -> dict[str, Any]:
    """``authorize.js buildPDPRequest``: the FHIR base path stripped, the introspection passed whole."""
    parts = request_uri.split("?")  # JS split: a second "?" cuts the query there
    path, query = parts[0], parts[1] if len(parts) > 1 else ""
    base = fhir_base_path[:-1] if fhir_base_path.endswith("/") else fhir_base_path
    if path.startswith(base + "/"):
        path = path[len(base) :]
    elif path == base:
        path = "/"
    return {
        "input": {
            "subject": dict(introspection),  # not filtered: STANDARD_CLAIMS is unused there
            "request": {
                "method": method or "GET",
                "protocol": "HTTP/1.1",
                "path": path or "/",
                "query": query,
                "header": {"Content-Type": [content_type]},
                "body": body,
            },
            "context": {
                "connection_type_code": "hl7-fhir-rest",
                "data_holder_organization_id": data_holder_organization_ura,
                "data_holder_facility_type": data_holder_facility_type,
                "patient_bsn": "",
            },
        }
    }


def knooppunt_decision(status: int, body: Any) -> int:
    """``authorize.js authorizeRequest`` steps 5–6: the HTTP status the PEP answers (200, 403 or 502)."""
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("allow"), bool):
        return 502  # "PDP returned …", "Invalid PDP response", "Malformed PDP response"
    return 200 if body["allow"] else 403


def authzen_request(
    introspection: Mapping[str, Any], *, method: str, path: str, resource_type: str = "http"
) -> dict[str, Any]:
    """nutssim's AuthZEN form (§6.1): subject = the client, its claims as properties; action = method."""
    claims = {k: v for k, v in introspection.items() if k not in STANDARD_CLAIMS}
    return {
        "subject": {"type": "client", "id": str(introspection.get("client_id", "")), "properties": claims},
        "action": {"name": method.upper()},
        "resource": {"type": resource_type, "id": path},
        "context": {"scope": str(introspection.get("scope", "")).split()},
    }
