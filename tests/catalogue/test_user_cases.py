"""Every user-flow case under both profiles and, for attacks, with its control switched off."""

from __future__ import annotations

import re

import pytest

from nutssim.catalogue import case, cases, run_case
from nutssim.profiles import CONTROLS, Profile
from tests.catalogue.helpers import explain, run_variant, variants


@pytest.mark.parametrize(("case_id", "profile", "vulnerable"), variants("user"))
def test_case(case_id: str, profile: str, vulnerable: bool) -> None:
    """The observed outcome matches the case's expectation (PROTOCOL.md §4.2 #34–63, ATTACKS.md)."""
    record = run_variant(case_id, profile, vulnerable)
    assert record.passed, explain(record)


def test_user_cases_are_well_formed() -> None:
    """Ids carry the flow; the scenario is the user world; attacks have both tables; refs name a source."""
    found = cases("user")
    assert found
    for c in found:
        assert c.id.startswith("user-") and c.scenario.startswith("user"), (
            c.id
        )  # user-dynamic-scope: issue #20
        assert c.control is None or c.control in CONTROLS, c.control
        assert (c.control is None) == (c.vulnerable is None), f"{c.id}: control and vulnerable go together"
        for table in (c.expected, *([c.vulnerable] if c.vulnerable else [])):
            assert "*" in table or {"nuts-node", "strict"} <= set(table), c.id
        assert any(r.startswith(("PROTOCOL.md", "ATTACKS.md")) for r in c.refs), c.id
        assert c.title and c.attack and c.step


def test_every_protocol_item_34_to_63_has_a_case() -> None:
    """PROTOCOL.md §4.2 items 34–63 each have a user case."""
    covered = {
        int(n) for c in cases("user") for r in c.refs for n in re.findall(r"PROTOCOL\.md §4\.2 #(\d+)", r)
    }
    assert not set(range(34, 64)) - covered, sorted(set(range(34, 64)) - covered)


@pytest.mark.parametrize(
    "ref",
    [
        "ATTACKS.md 3.3 #28",
        "ATTACKS.md 3.4 #30",
        "ATTACKS.md 3.4 #33",
        "ATTACKS.md 3.5 #41",
        "ATTACKS.md 3.5 #46",
        "ATTACKS.md 3.9 #63",
        "ATTACKS.md 3.9 #65",
        "ATTACKS.md 3.9 #66",
    ],
)
def test_attacks_items_are_covered(ref: str) -> None:
    """The ATTACKS.md user-flow items beyond §4.2 have a case."""
    assert any(ref in r for c in cases("user") for r in c.refs), ref


@pytest.mark.parametrize("case_id", ["user-code-injection", "user-vp-cross-session"])
def test_injection_carries_the_injected_identity(case_id: str) -> None:
    """Without its control an injection ends in a token for the *other* employee, not just any token."""
    c = case(case_id)
    assert c.control is not None
    record = run_case(c, Profile("nuts-node").without(c.control))
    assert record.passed and "(the injected identity)" in record.observed.detail, explain(record)


def test_forged_request_objects_hand_the_attacker_a_token() -> None:
    """Without jar_signature the diverted code reaches the attacker's page and buys it a token."""
    record = run_case(case("user-jar-foreign-signer"), Profile("strict").without("jar_signature"))
    assert record.passed, explain(record)
    assert record.observed.detail.startswith("the code reached https://attacker.example/cb")
    answer = record.trace.find("token request")[-1]
    assert answer.sender == "attacker" and answer.response.json["token_type"] == "DPoP"


@pytest.mark.parametrize(
    ("case_id", "delivery"),
    [
        ("user-plain-authorization-request", "rendered to the browser"),
        ("user-unknown-scope", "302 to https://gp.example/oauth2/callback"),
        ("user-wallet-missing-nonce", "POSTed to response_uri"),
        ("user-response-no-submission", "JSON error (HTTP 400)"),
    ],
)
def test_observation_says_how_the_error_was_delivered(case_id: str, delivery: str) -> None:
    """Rendered, redirected, POSTed or answered as JSON: the observation's detail says which."""
    for profile in ("nuts-node", "strict"):
        record = run_case(case(case_id), profile)
        assert record.observed.detail.startswith(delivery), record.observed.detail
        if delivery.startswith(("302", "POSTed")):
            state = "(with state)" if profile == "strict" else "(without state)"
            assert record.observed.detail.endswith(state), record.observed.detail


def test_two_flow_cases_are_deterministic() -> None:
    """A case that runs two users' flows side by side gives the same observation and trace for a seed."""
    first, second = (run_case(case("user-code-injection"), "strict", seed=3) for _ in range(2))
    assert first.observed == second.observed
    assert first.trace.to_json() == second.trace.to_json()
