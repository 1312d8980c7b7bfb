"""The EHR's side of the user flow (PROTOCOL.md §2.1 steps 1–3, 24–26).

The EHR asks its node for a user access token, hands the landing URL to the user's
browser, and once the browser is back on the EHR's page collects the token and calls
the resource server. The browser is a party of its own: ``user_access`` is one process
that speaks as the EHR and, through ``nutssim.parties.base.acting_as``, lets the browser's
navigation speak as the browser, so every request in the trace has its true sender.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any
from urllib.parse import quote, urlsplit

from nutssim.messages import HttpRequest, HttpResponse, text_response
from nutssim.parties.base import Context, acting_as
from nutssim.parties.browser import Browser, Navigation, error_shown
from nutssim.parties.ehr import EHR, FlowResult, error_of
from nutssim.specs.openid4vp import query_of

LANDING_PATH = "/user-flow/done"


def landing_url(ehr: EHR) -> str:
    """The EHR page the node sends the browser back to (step 24); served from now on."""
    url = f"{ehr.host}{LANDING_PATH}"
    route, _, _ = ehr.match(HttpRequest.get(url))
    if route is None:
        ehr.route("GET", LANDING_PATH, _landing, "EHR landing page")
    return url


def _landing(request: HttpRequest, ctx: Context) -> HttpResponse:
    """The EHR's page after the flow: it shows an error the node sent along, or that the user is back."""
    query = request.query
    ctx.check(
        "ehr.landing",
        "PROTOCOL.md §2.2 step 24",
        not query.get("error"),
        f"{query.get('error')}: {query.get('error_description', '')}" if query.get("error") else "",
    )
    return text_response(200, "<!doctype html><p>Back in the EHR.</p>", "text/html")


def user_access(
    ehr: EHR,
    browser: Browser,
    subject_id: str,
    authorization_server: str,
    scope: str,
    preauthorized_user: dict[str, str],
    resource_url: str | None = None,
    dpop: bool = True,
) -> Generator[Any, HttpResponse, FlowResult]:
    """The user flow from the EHR's side: token request, browser navigation, token pickup, resource."""
    body = {
        "authorization_server": authorization_server,
        "scope": scope,
        "redirect_uri": landing_url(ehr),
        "token_type": "DPoP" if dpop else "Bearer",
        "preauthorized_user": preauthorized_user,
    }
    url = f"{ehr.node_internal}/internal/auth/v2/{quote(subject_id)}/request-user-access-token"
    response = yield HttpRequest.post_json(url, body, {"Accept": "application/json"})
    result = FlowResult("denied", responses={"request": response})
    answer = response.json if response.ok and isinstance(response.json, dict) else None
    if answer is None or not all(isinstance(answer.get(k), str) for k in ("redirect_uri", "session_id")):
        result.error = _problem_of(response)
        return result
    navigation = yield from acting_as(
        browser.id, browser.navigate(str(answer["redirect_uri"]), initiator=ehr.host)
    )
    result.responses["browser"] = navigation.response
    poll = yield HttpRequest.get(
        f"{ehr.node_internal}/internal/auth/v2/accesstoken/{quote(answer['session_id'])}",
        headers={"Accept": "application/json"},
    )
    result.responses["token"] = poll
    token = poll.json if poll.ok and isinstance(poll.json, dict) else {}
    if token.get("status") != "active":
        result.error = navigation_error(navigation) or _problem_of(poll)
        return result
    result.token = {k: v for k, v in token.items() if k != "status"}
    if resource_url is None:
        result.status = "granted"
        return result
    yield from ehr.fetch_resource(result, resource_url)
    return result


def navigation_error(navigation: Navigation) -> dict[str, Any] | None:
    """The error where the browser ended: on the EHR's page with ``error``, an error page, or a dead end."""
    if navigation.stopped_at:
        scheme = urlsplit(navigation.stopped_at).scheme or navigation.stopped_at
        return {
            "error": "unopenable_redirect",
            "error_description": f"the browser cannot open a {scheme} URL",
            "location": navigation.stopped_at,
        }
    query = query_of(navigation.url)
    if query.get("error"):
        return {"error": query["error"], "error_description": query.get("error_description", "")}
    shown = error_shown(navigation.response)
    if shown is None and navigation.response.status >= 400:
        return {
            "error": f"http_{navigation.response.status}",
            "error_description": navigation.response.body[:200],
        }
    return shown


def _problem_of(response: HttpResponse) -> dict[str, Any]:
    """An internal-API error: RFC 9457 problem JSON, or whatever ``EHR`` reads from OAuth errors."""
    body = response.json
    if isinstance(body, dict) and "detail" in body and "error" not in body:
        return {
            "error": f"http_{response.status}",
            "error_description": str(body["detail"]),
            "status": response.status,
        }
    return error_of(response)
