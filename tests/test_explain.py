"""``nutssim explain`` round-trips every text the nuts-node renderer produces (issue #17 item 6)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nutssim.catalogue import cases
from nutssim.catalogue.explain import _PLACEHOLDER, _cases, _pattern, explain, rules
from nutssim.parties.render import NutsNodeRenderer
from nutssim.profiles import Profile
from nutssim.specs.rules import Rule

RENDERER = NutsNodeRenderer()
#: Rules whose whole text is a relayed reason (``{reason}``): the reason is another check's text,
#: explained through it (and through the catalogue test below), not through the relaying rule.
RELAYING = [r for r in rules() if not _PLACEHOLDER.sub("", r.description).strip()]
OWN_TEXT = [r for r in rules() if r not in RELAYING]


def _rendered(rule: Rule) -> tuple[str, str]:
    """The (code, description) the nuts-node renderer writes for ``rule``, placeholders filled."""
    values = {name: f"v-{name}" for name in _PLACEHOLDER.findall(rule.description)}
    error = RENDERER.rule_error(rule, **values)
    return error.error, error.description


def _producers(description: str) -> set[str]:
    """Every check that can produce ``description``: the rules whose template fits, the cases that show it."""
    by_rule = {r.id for r in OWN_TEXT if _pattern(r.description).match(description)}
    return by_rule | {e.check for _, e, _ in _cases(description, None, "nuts-node") if e.check}


@pytest.mark.parametrize("rule", OWN_TEXT, ids=lambda r: f"{r.id}:{r.description[:30]}")
def test_explain_round_trips_every_rendered_rule(rule: Rule) -> None:
    """As an OAuth body, a problem detail and a ``code - desc`` line: the code and a producing check."""
    code, description = _rendered(rule)
    bodies = [
        json.dumps({"error": code, "error_description": description}),
        json.dumps(
            {
                "detail": f"remote authorization server: {code} - {description}",
                "status": 400,
                "title": "x failed",
            }
        ),
        f"{code} - {description}",
    ]
    for body in bodies:
        found = explain(body)
        assert found.error == code, body
        assert found.description == description
        assert found.check in _producers(description), (body, found.check)
        assert found.ref and found.fix


def test_explain_finds_every_catalogue_text() -> None:
    """Each case's expected nuts-node text explains to a list that holds the case."""
    missing = []
    for declared in cases():
        expected = declared.expectation(Profile())
        if expected.status != "denied" or not expected.description:
            continue
        body = json.dumps(
            {"error": expected.error or "invalid_request", "error_description": expected.description}
        )
        if declared.id not in explain(body).cases:
            missing.append(declared.id)
    assert not missing


def test_explain_relaying_rules_are_few() -> None:
    """Only the rules that wrap another check's reason have no text of their own."""
    assert {r.id for r in RELAYING} <= {
        "token.pd_fulfil",
        "token.claims",
        "wallet.build",
        "response.error_state",
        # The OpenID4VCI issuer writes the reason its check found (OpenID4VCI 1.0 §8.3.1 leaves the
        # error_description free): these texts are explained through the vci catalogue cases.
        "vci.authorize.authorization_details",
        "vci.credential.access_token",
        "vci.credential.request",
        "vci.proof",
        "vci.proof.crit",
        "vci.proof.nonce",
        "vci.proof.signature",
        "vci.token.client",
        "vci.token.pkce",
    }


def test_explain_unknown_text() -> None:
    """A text no check produces says so instead of guessing."""
    found = explain("the moon is made of cheese")
    assert (found.check, found.cases) == (None, ())


def test_explain_cli() -> None:
    """``nutssim explain TEXT`` prints the check and the case."""
    out = subprocess.run(
        [sys.executable, "-m", "nutssim", "explain", "presentation nonce has already been used"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "token.nonce_unused" in out and "s2s-vp-replay" in out
