"""The register's OpenID4VCI endpoints: authorization, token, credential request refusals on the wire."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from nutssim import scenarios
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.scenarios.vci import VciWorld
from nutssim.specs import openid4vci as vci

REGISTER = "https://register.example"


def _world() -> VciWorld:
    world = scenarios.build("vci-bootstrap", access=False)
    assert isinstance(world, VciWorld)
    return world


def _send(world: VciWorld, request: HttpRequest) -> HttpResponse:
    return world.sim.network.send(request, sender=world.browser.id)


def _authorize(world: VciWorld, **changes: str) -> HttpResponse:
    query = {
        "response_type": "code",
        "client_id": world.requester.url,
        "redirect_uri": world.requester_node.callback_url,
        "state": "s1",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
        "authorization_details": json.dumps(vci.details_json("NutsOrganizationCredential_jwt")),
        **changes,
    }
    return _send(world, HttpRequest.get(f"{REGISTER}/openid4vci/authorize", query))


def _redirect_error(response: HttpResponse) -> tuple[str, str]:
    query = parse_qs(urlsplit(response.location or "").query)
    return query["error"][0], query["error_description"][0]


def test_authorize_redirects_with_a_code_and_the_state() -> None:
    response = _authorize(_world())
    query = parse_qs(urlsplit(response.location or "").query)
    assert response.status == 302 and query["state"] == ["s1"] and len(query["code"][0]) == 43


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge": ""}, ("invalid_request", "code_challenge with method S256 is required")),
        (
            {"code_challenge_method": "plain"},
            ("invalid_request", "code_challenge with method S256 is required"),
        ),
        ({"response_type": "token"}, ("unsupported_response_type", "response_type must be code")),
        ({"authorization_details": "[]"}, ("invalid_authorization_details", "authorization_details must be")),
        (
            {"authorization_details": json.dumps(vci.details_json("Nope"))},
            ("invalid_authorization_details", "unknown Nope"),
        ),
    ],
)
def test_authorize_refusals_go_back_to_the_redirect_uri(
    changes: dict[str, str], error: tuple[str, str]
) -> None:
    response = _authorize(_world(), **changes)
    assert response.status == 302
    code, description = _redirect_error(response)
    assert code == error[0] and description.startswith(error[1])


def test_an_unknown_client_or_redirect_uri_is_not_redirected_to() -> None:
    world = _world()
    for changes in (
        {"client_id": "https://evil.example/oauth2/x"},
        {"redirect_uri": "https://evil.example/cb"},
    ):
        response = _authorize(world, **changes)
        assert response.status == 400 and response.location is None
        assert "unknown client_id or redirect_uri" in response.body


def test_the_credential_endpoint_wants_a_bearer_token_and_a_well_formed_request() -> None:
    world = _world()
    url = f"{REGISTER}/openid4vci/credential"
    response = _send(world, HttpRequest.post_json(url, {}))
    assert response.status == 401
    assert response.json == {"error": "invalid_token", "error_description": "missing bearer token"}
    assert 'error="invalid_token"' in (response.header("WWW-Authenticate") or "")
    world.run()  # a good issuance, then the same token misused
    token = world.sim.trace.find("credential token request")[0].response.json["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    both = {"credential_identifier": "x", "credential_configuration_id": "y"}
    for body, error in [
        (both, "invalid_credential_request"),
        ({"credential_identifier": "x"}, "unknown_credential_identifier"),
        ({"credential_configuration_id": "NutsOrganizationCredential_jwt"}, "invalid_credential_request"),
        ([1], "invalid_credential_request"),
    ]:
        response = _send(world, HttpRequest.post_json(url, body, auth))
        assert response.status == 400 and response.json["error"] == error, body


def test_the_nonce_endpoint_is_not_cached() -> None:
    response = _send(_world(), HttpRequest("POST", f"{REGISTER}/openid4vci/nonce"))
    assert response.header("Cache-Control") == "no-store" and len(response.json["c_nonce"]) == 43
