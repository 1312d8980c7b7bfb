"""The PDP's decisions in the inspector and on the sequence diagram (issue #20 item 5)."""

from __future__ import annotations

import json

import pytest

from nutssim import scenarios
from nutssim.catalogue import case, run_case
from nutssim.messages import HttpRequest, json_response, text_response
from nutssim.profiles import Profile
from nutssim.trace import Exchange
from nutssim.views.decisions import decision_summary, pdp_decisions
from nutssim.views.inspector import inspect_html, inspect_text
from nutssim.views.mermaid import to_mermaid
from nutssim.views.summary import response_label

EVALUATIONS = "AuthZEN access evaluations"


@pytest.fixture(scope="module")
def world():
    return scenarios.run("s2s-dynamic-scope", seed=1)


def batch(world) -> Exchange:
    (found,) = world.sim.trace.find(EVALUATIONS)
    return found


def test_the_decisions_pair_each_question_with_its_answer(world):
    decisions = pdp_decisions(batch(world))
    assert [(d.resource, d.decision) for d in decisions] == [
        ("scope:eoverdracht", True),
        ("scope:patient/Observation.read", True),
        ("scope:patient/Condition.read", True),
        ("scope:patient/Secret.read", False),
    ]
    assert decisions[3].reason == "scope not allowed for this credential profile"


def test_the_diagram_labels_the_answer_with_the_denied_scope(world):
    assert response_label(batch(world)) == "200 3 permit · deny patient/Secret.read"
    assert "3 permit · deny patient/Secret.read" in to_mermaid(world.sim.trace)
    other = world.sim.trace.find("token request")[0]
    assert decision_summary(other) is None and pdp_decisions(other) == []


def test_the_inspector_shows_a_decision_table(world):
    text = inspect_text(batch(world), world.sim.trace)
    assert "PDP decisions — 3 permit · deny patient/Secret.read" in text
    assert "✗ scope:patient/Secret.read" in text and "scope not allowed for this credential profile" in text
    assert "PDP decisions" in inspect_html(batch(world), world.sim.trace)


def test_the_views_show_what_the_as_received_so_a_tampered_answer_shows():
    record = run_case(case("s2s-pdp-answer-tampered"), Profile("nuts-node").without("pdp_channel_tls"))
    (x,) = record.trace.find(EVALUATIONS)
    assert decision_summary(x) == "4 permit"
    # …while the PDP's own check says it denied one: the mismatch is on screen
    assert [c.passed for c in x.checks if c.id == "pdp.decision"] == [True, True, True, False]


def _exchange(body: str, response) -> Exchange:
    request = HttpRequest(
        "POST", "https://pdp.example/access/v1/evaluations", (("Content-Type", "application/json"),), body
    )
    return Exchange(1, 0, "as", "pdp", None, EVALUATIONS, request, response)


@pytest.mark.parametrize(
    "response",
    [
        text_response(503, "down"),
        json_response(200, {"evaluations": "no"}),
        json_response(200, [1, 2]),
        json_response(200, {"evaluations": [{"decision": "yes"}, None]}),
    ],
    ids=["503", "not-a-list", "not-an-object", "bad-items"],
)
def test_hostile_or_failed_answers_give_undecided_rows_never_an_error(response):
    body = json.dumps(
        {"action": {"name": "request_scope"}, "evaluations": [{"resource": {"type": "scope", "id": "a"}}, 7]}
    )
    decisions = pdp_decisions(_exchange(body, response))
    assert [d.decision for d in decisions] == [None, None]
    assert decision_summary(_exchange(body, response)) is None


def test_a_single_evaluation_is_one_row():
    body = json.dumps(
        {
            "subject": {"type": "u", "id": "x"},
            "action": {"name": "GET"},
            "resource": {"type": "http", "id": "/a"},
        }
    )
    (d,) = pdp_decisions(_exchange(body, json_response(200, {"decision": True})))
    assert (d.resource, d.action, d.decision) == ("http:/a", "GET", True)
