"""Rule tables: every rule declares a known cause kind; a failure renders its error and its cause."""

from __future__ import annotations

import pytest

from nutssim import causes
from nutssim.parties.render import NutsNodeRenderer, StrictRenderer
from nutssim.specs import nuts_node_api, nuts_rfc021, openid4vp_rules, rfc9101
from nutssim.specs.rules import Rule

TABLES = (rfc9101, openid4vp_rules, nuts_rfc021, nuts_node_api)


def _rules():
    return [(m.__name__, n, r) for m in TABLES for n, r in vars(m).items() if isinstance(r, Rule)]


@pytest.mark.parametrize(("module", "name", "rule"), _rules(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_rule_names_a_known_kind_and_a_clause(module, name, rule):
    assert rule.kind in causes.KINDS
    assert rule.id and rule.ref


def test_a_failure_carries_the_values_it_compared():
    cause = openid4vp_rules.T_CLIENT_MATCH.cause("client_id does not match", expected="a", actual="b")
    assert (cause.kind, cause.about, cause.subject) == (causes.MISMATCH, "parameter", "client_id")
    assert (cause.expected, cause.actual, cause.reason) == ("a", "b", "client_id does not match")


def test_rules_render_their_description_and_status():
    error = nuts_node_api.DPOP_KID.fail(kid="did:web:x#1")
    assert (error.error, error.description, error.status, error.check) == (
        "invalid_request",
        "unknown key did:web:x#1",
        404,
        "client.dpop_kid",
    )


def test_an_rfc021_rule_is_rendered_per_profile():
    rule = nuts_rfc021.NONCE_UNUSED
    assert NutsNodeRenderer().rule_error(rule).error == "invalid_request"
    assert StrictRenderer().rule_error(rule).error == nuts_rfc021.INVALID_PRESENTATION
    assert StrictRenderer().rule_error(nuts_rfc021.SCOPE, scope="s", reason="not found").body() == {
        "error": "invalid_scope",
        "error_description": "unsupported scope (s) for presentation exchange: not found",
    }
