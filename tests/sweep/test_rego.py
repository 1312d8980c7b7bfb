"""The Rego × wallet sweep of notebook 06 (issue #20 item 5)."""

from __future__ import annotations

from nutssim.sweep.rego import RegoCell, rego_sweep

OVERBROAD = "nutssim/data/rego/scopes_overbroad.rego"
ALLOWED = "eoverdracht patient/Observation.read patient/Condition.read"


def test_each_policy_meets_each_wallet_and_only_a_fulfilling_wallet_reaches_the_pdp():
    cells = rego_sweep({"listed": None, "overbroad": OVERBROAD}, ["ok", "expired"], seed=7)
    assert cells == [
        RegoCell("listed", "ok", "granted", "", ALLOWED, True),
        RegoCell("listed", "expired", "denied", "invalid_request", "", False),
        RegoCell("overbroad", "ok", "granted", "", f"{ALLOWED} patient/Secret.read", True),
        RegoCell("overbroad", "expired", "denied", "invalid_request", "", False),
    ]


def test_the_scope_asked_is_an_option():
    (cell,) = rego_sweep({"listed": None}, ["ok"], seed=7, scope="eoverdracht patient/Condition.read")
    assert cell.granted == "eoverdracht patient/Condition.read"
