"""The EHR: the calling application of a care organization, a client of its own node's internal API."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from nutssim.messages import HttpRequest, HttpResponse
from nutssim.parties import problem
from nutssim.parties.base import Party


@dataclass
class FlowResult:
    """What a flow ended with: the token, the resource, or the error, with the responses seen."""

    status: str  # "granted" | "denied"
    token: dict[str, Any] | None = None
    resource: Any = None
    resource_status: int | None = None
    error: dict[str, Any] | None = None
    responses: dict[str, HttpResponse] = field(default_factory=dict)

    @property
    def granted(self) -> bool:
        """True when the flow got a token and, if asked, the resource."""
        return self.status == "granted"


class EHR(Party):
    """An electronic health record system that asks its node for tokens and calls resource servers."""

    role = "ehr"

    def __init__(self, id: str, name: str, host: str, *, node_internal: str) -> None:
        super().__init__(id, name, host)
        self.node_internal = node_internal.rstrip("/")

    def service_access(
        self,
        subject_id: str,
        authorization_server: str,
        scope: str,
        *,
        resource_url: str | None = None,
        dpop: bool = True,
        credentials: list[dict[str, Any]] | None = None,
        credential_selection: dict[str, str] | None = None,
        no_cache: bool = False,
        extra_body: dict[str, Any] | None = None,
    ) -> Generator[HttpRequest, HttpResponse, FlowResult]:
        """The service-to-service flow from the EHR's side (PROTOCOL.md §1.0, §1.7, §1.8).

        ``extra_body`` adds members to the request body (``service_provider_subject_id``, issue #20).
        """
        body: dict[str, Any] = {
            "authorization_server": authorization_server,
            "scope": scope,
            "token_type": "DPoP" if dpop else "Bearer",
        }
        if credentials:
            body["credentials"] = credentials
        if credential_selection:
            body["credential_selection"] = credential_selection
        body.update(extra_body or {})
        headers = {"Accept": "application/json", **({"Cache-Control": "no-cache"} if no_cache else {})}
        url = f"{self.node_internal}/internal/auth/v2/{quote(subject_id)}/request-service-access-token"
        response = yield HttpRequest.post_json(url, body, headers)
        result = FlowResult("denied", responses={"token": response})
        if not response.ok or not isinstance(response.json, dict):
            result.error = error_of(response)
            return result
        result.token = response.json
        if resource_url is None:
            result.status = "granted"
            return result
        yield from self.fetch_resource(result, resource_url)
        return result

    def fetch_resource(
        self, result: FlowResult, resource_url: str
    ) -> Generator[HttpRequest, HttpResponse, None]:
        """Call the resource server with the token (and a fresh DPoP proof from the node)."""
        token = result.token or {}
        access_token = str(token.get("access_token", ""))
        headers = {"Authorization": f"Bearer {access_token}"}
        if token.get("token_type") == "DPoP":
            kid = quote(str(token.get("dpop_kid", "")), safe="")
            proof_response = yield HttpRequest.post_json(
                f"{self.node_internal}/internal/auth/v2/dpop/{kid}",
                {"htm": "GET", "htu": resource_url, "token": access_token},
            )
            proof = proof_response.json.get("dpop", "") if isinstance(proof_response.json, dict) else ""
            headers = {"Authorization": f"DPoP {access_token}", "DPoP": proof}
        response = yield HttpRequest.get(resource_url, headers=headers)
        result.responses["resource"] = response
        result.resource_status = response.status
        result.resource = response.json if response.json is not None else response.body
        if response.ok:
            result.status = "granted"
        else:
            result.error = error_of(response)


def error_of(response: HttpResponse) -> dict[str, Any]:
    """The OAuth error of a JSON error body, else the HTTP status as the error (``http_<status>``).

    The internal API answers RFC 7807 problems (``core/echo_errors.go``); their ``detail`` carries
    the OAuth code, read back by ``problem.read``.
    """
    body = response.json
    if response.content_type == problem.PROBLEM_JSON:
        read = problem.read(body, response.status)
        if read is not None:
            return read
    if isinstance(body, dict) and "error" in body:
        return {
            "error": body["error"],
            "error_description": body.get("error_description", ""),
            "status": response.status,
        }
    return {
        "error": f"http_{response.status}",
        "error_description": response.body[:200],
        "status": response.status,
    }
