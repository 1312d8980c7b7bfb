"""FIDELITY.md row 'Internal API error shape': RFC 7807 problems, as nuts-node's echo handler writes them.

The reference (``core/echo_errors.go problemErrorWriter``; ``auth/oauth/error.go
RemoteOAuthError``) and the internal API's own specification (nuts-node v2 OpenAPI,
``docs/_static/common/error_response.yaml``: RFC 7807 ``title``/``status``/``detail``) agree,
so both profiles answer the same problem bodies.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from nutssim import scenarios
from nutssim.catalogue import case, run_case
from nutssim.messages import HttpResponse
from nutssim.parties import problem
from nutssim.parties.base import ClientError
from nutssim.specs.rfc6749 import INVALID_REQUEST

PROFILES = ("nuts-node", "strict")


def _ehr_answer(profile: str, case_id: str) -> HttpResponse:
    """The internal API's answer to the EHR in a catalogue case (whose expectation must hold)."""
    record = run_case(case(case_id), profile)
    assert record.passed, record.why
    return record.trace.find("request service access token")[-1].response


@pytest.mark.parametrize("profile", PROFILES)
def test_internal_api_error_shape(profile: str) -> None:
    """A relayed token-endpoint error: problem+json, ``remote authorization server: <code> - <desc>``."""
    response = _ehr_answer(profile, "s2s-unknown-scope")
    assert response.status == 400
    assert response.header("Content-Type") == "application/problem+json"
    # core/echo_errors_test.go: the members in Go's sorted map order, compact.
    assert response.body == json.dumps(
        {
            "detail": "remote authorization server: invalid_scope - "
            "unsupported scope (onbekend) for presentation exchange: not found",
            "status": 400,
            "title": "RequestServiceAccessToken failed",
        },
        separators=(",", ":"),
    )


@pytest.mark.parametrize("profile", PROFILES)
def test_internal_api_error_shape_local_oauth_error(profile: str) -> None:
    """api.go subjectExists is an OAuth2Error: ``invalid_request - subject not found`` (its Error())."""
    world: Any = scenarios.build("s2s", profile=profile)
    flow = world.sim.service_access(
        world.requester, world.authorization_server, "eoverdracht", ehr=world.ehr, credentials=[]
    )
    world.requester.node.subjects.pop(world.requester.id)
    result = flow.finish()
    body = result.responses["token"].json
    assert body == {
        "detail": "invalid_request - subject not found",
        "status": 400,
        "title": "RequestServiceAccessToken failed",
    }
    assert (result.error["error"], result.error["error_description"]) == (
        "invalid_request",
        "subject not found",
    )


@pytest.mark.parametrize("profile", PROFILES)
def test_internal_api_error_shape_precondition_failed(profile: str) -> None:
    """A 412 is a bare error (ErrPreconditionFailed join): no code in ``detail``."""
    world: Any = scenarios.build("s2s", profile=profile)
    world.requester.wallet.credentials.clear()
    result = world.run().result
    response = result.responses["token"]
    assert response.status == 412 and response.content_type == problem.PROBLEM_JSON
    assert response.json["detail"].startswith("wallet could not fulfill requirements")
    assert response.json["title"] == "RequestServiceAccessToken failed"
    assert result.error["error"] == "invalid_request"


def test_internal_api_error_shape_problem_detail_texts() -> None:
    """``detail`` is the Go error's Error(): OAuth2Error, RemoteOAuthError (oauth/error_test.go), plain."""
    remote = ClientError(INVALID_REQUEST, "bad scope", form="remote")
    assert problem.detail(remote) == "remote authorization server: invalid_request - bad scope"
    assert (
        problem.detail(ClientError("server_error", form="remote"))
        == "remote authorization server: server_error"
    )
    assert problem.detail(ClientError(INVALID_REQUEST, "x", status=412)) == "x"
    read = problem.read({"detail": problem.detail(remote), "status": 400, "title": "t"}, 400)
    assert read is not None and (read["error"], read["error_description"]) == (INVALID_REQUEST, "bad scope")
