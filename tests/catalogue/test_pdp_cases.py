"""The PDP cases in detail: which scopes the token got, which check failed and why (issue #20 item 4).

Every case also runs under both profiles and its vulnerable variant in ``test_s2s_cases`` and
``test_user_cases``; these tests pin what the expectations cannot say (the granted scope string,
the failing check's text, that no PDP was asked).
"""

from __future__ import annotations

from nutssim.catalogue import case, run_case
from nutssim.catalogue.s2s_cases.pdp import TLS_ALERT
from nutssim.profiles import Profile

EVALUATIONS = "AuthZEN access evaluations"


def run(case_id: str, profile: str = "nuts-node", *, off: str | None = None):
    """Run a case (its control switched off when ``off``); the record."""
    chosen = Profile(profile).without(off) if off else Profile(profile)
    return run_case(case(case_id), chosen)


def pdp_checks(record, passed: bool | None = None) -> list[str]:
    """The details of the AS's token.pdp checks."""
    out = []
    for _, check in record.trace.checks():
        if check.id == "token.pdp" and (passed is None or check.passed is passed):
            out.append(check.detail)
    return out


def test_a_tampered_answer_over_tls_breaks_the_call_and_without_tls_grants_the_secret():
    record = run("s2s-pdp-answer-tampered")
    assert pdp_checks(record, False) == [f"authzen: execute request: {TLS_ALERT}"]
    record = run("s2s-pdp-answer-tampered", off="pdp_channel_tls")
    scope = "eoverdracht patient/Observation.read patient/Condition.read patient/Secret.read"
    assert record.observed.detail == f"token scope: {scope}"


def test_a_replayed_answer_is_read_by_the_reference_and_refused_by_strict_for_its_request_id():
    assert run("s2s-pdp-answer-replayed", off="pdp_channel_tls").observed.detail == (
        "token scope: eoverdracht patient/Observation.read patient/Secret.read"
    )
    record = run("s2s-pdp-answer-replayed", "strict", off="pdp_channel_tls")
    (detail,) = pdp_checks(record, False)
    assert detail.startswith("answer X-Request-ID '") and detail.endswith("(§10.1.3)")


def test_profile_only_and_passthrough_never_ask_the_pdp_that_is_down():
    for case_id, scope in [
        ("s2s-pdp-down-profile-only", "eoverdracht"),
        (
            "s2s-pdp-down-passthrough",
            "eoverdracht patient/Observation.read patient/Condition.read patient/Secret.read",
        ),
    ]:
        record = run(case_id)
        assert record.trace.find(EVALUATIONS) == []
        assert record.trace.outcome["flow_outcome"]["introspection"]["scope"] == scope


def test_a_pdp_that_is_down_fails_closed_or_open():
    record = run("s2s-pdp-down-dynamic")
    assert pdp_checks(record, False) == ["authzen: PDP call failed: server returned HTTP 503 (expected: 200)"]
    assert run("s2s-pdp-down-dynamic", off="pdp_fail_closed").observed.detail.endswith("patient/Secret.read")


def test_the_timeout_is_ten_seconds():
    assert run("s2s-pdp-slow-within-timeout").observed.status == "granted"
    (detail,) = pdp_checks(run("s2s-pdp-timeout"), False)
    assert detail.endswith("context deadline exceeded (Client.Timeout exceeded while awaiting headers)")


def test_a_short_answer_is_the_reference_count_error():
    assert pdp_checks(run("s2s-pdp-answer-short"), False) == ["authzen: expected 4 evaluations, got 3"]
    assert pdp_checks(run("s2s-pdp-answer-short", "strict"), False) == [
        "expected 4 evaluations, got 3 (§7.2, execute_all)"
    ]


def test_the_overbroad_rego_rule_permits_the_secret_scope():
    record = run("s2s-pdp-rego-overbroad")
    assert record.observed.detail.endswith("patient/Secret.read")
    (batch,) = record.trace.find(EVALUATIONS)
    assert all(c.passed for c in batch.checks if c.id == "pdp.decision")


def test_issue_4202_the_user_flow_never_asks_the_pdp_under_nuts_node():
    record = run("user-dynamic-scope-ignored")
    assert record.trace.find(EVALUATIONS) == []
    assert record.observed.detail == "token scope: zorgtoepassing patient/Secret.read"
    record = run("user-dynamic-scope-ignored", "strict")
    (batch,) = record.trace.find(EVALUATIONS)
    assert [c.passed for c in batch.checks if c.id == "pdp.decision"] == [True, False]
