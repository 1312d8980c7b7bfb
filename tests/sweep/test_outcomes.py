"""What the variants do: wallets, policies, controls, scopes, scope policies, clock skew, flows and cases."""

from __future__ import annotations

from typing import Any

from nutssim import sweep
from nutssim.scenarios import World

#: (policy, wallet, controls_off) → (status, failing check) in the grid (PROTOCOL.md §1.3, §3.5, §3.6, §3.11).
EXPECTED = {
    ("base", "ok", "none"): ("granted", None),
    ("base", "missing", "none"): ("denied", "client.pd_match"),
    ("base", "expired", "none"): ("denied", "token.verify_vp"),
    ("base", "revoked", "none"): ("denied", "vc.revocation"),
    ("base", "revoked", "revocation_check"): ("granted", None),
    ("base", "self_issued", "none"): ("denied", "client.pd_match"),  # the Zorgregister issuer pattern
    ("base", "untrusted_issuer", "none"): ("denied", "client.pd_match"),
    ("base", "other_subject", "none"): ("denied", "client.pd_match"),  # the wallet holds none for the GP
    ("drop $.issuer", "self_issued", "none"): ("granted", None),  # the self-issued gap (§3.11)
    ("drop $.issuer", "untrusted_issuer", "none"): ("granted", None),
    ("drop $.issuer", "revoked", "none"): ("denied", "vc.revocation"),
}


def test_grid_outcomes(grid_records: list[dict[str, Any]]) -> None:
    assert len(grid_records) == 56
    for r in grid_records:
        key = (r["policy"], r["wallet"], r["controls_off"])
        if key in EXPECTED:
            assert (r["status"], r["failed_check"]) == EXPECTED[key], r
        if r["status"] == "denied":
            assert r["error"] == "invalid_request" and r["error_description"]
    assert {r["seed"] for r in grid_records} == {0, 1}


def test_granted_records_carry_flattened_introspection_claims(grid_records: list[dict[str, Any]]) -> None:
    granted = next(r for r in grid_records if r["status"] == "granted")
    assert granted["claim.active"] is True
    assert granted["claim.organization_name"] == "Huisartsenpraktijk West"
    assert granted["claim.scope"] == "eoverdracht" and granted["requested_scope"] == "eoverdracht"
    assert granted["token_type"] == "Bearer" and granted["resource_status"] == 200
    assert granted["t_total"] >= granted["t_flow"] > 0
    denied = next(r for r in grid_records if r["status"] == "denied")
    assert not any(k.startswith(sweep.CLAIM_PREFIX) for k in denied)
    assert list(granted)[: len(sweep.COLUMNS)] == list(sweep.COLUMNS)


def run(**dimensions: Any) -> list[dict[str, Any]]:
    return sweep.run_sweep(sweep.SweepSpec(**dimensions), workers=0, timings=False).records


def test_clock_skew_of_the_authorization_server() -> None:
    # PROTOCOL.md §1.5 #16, §3.5: the VP's nbf/exp are checked with 5 s leeway on the AS's clock.
    records = run(flow="s2s-bearer", clock_skew=[0, 4, 30, -30])
    assert [(r["clock_skew"], r["status"], r["failed_check"]) for r in records] == [
        (0, "granted", None),
        (4, "granted", None),
        (30, "denied", "token.verify_vp"),
        (-30, "denied", "token.verify_vp"),
    ]
    assert all(r["t_total"] is None for r in records)  # timings=False


def test_scope_and_scope_policy() -> None:
    records = run(
        flow="s2s-bearer",
        scope=["eoverdracht", "eoverdracht extra"],
        scope_policy=[None, "passthrough", "dynamic"],
    )
    got = {(r["scope"], r["scope_policy"]): (r["status"], r["error"], r.get("claim.scope")) for r in records}
    assert got[("eoverdracht", "keep")] == ("granted", None, "eoverdracht")
    assert got[("eoverdracht extra", "keep")] == ("denied", "invalid_scope", None)  # profile-only (§3.8)
    assert got[("eoverdracht extra", "passthrough")] == ("granted", None, "eoverdracht extra")
    # dynamic without a PDP: the node refuses to start (policy/local.go LocalPDP.Configure), a misbuilt
    # variant the sweep records as an error row (with the start-up check off: server_error, §1.5 #11).
    assert got[("eoverdracht", "dynamic")][:2] == ("error", "ScopePolicyConfigError")


def test_a_whole_policy_file_brings_its_own_scope() -> None:
    records = run(flow="s2s-ldp", policy=["base", "eoverdracht"], wallet=["ok", "self_issued"])
    got = {(r["policy"], r["wallet"]): (r["requested_scope"], r["status"]) for r in records}
    # rfc021-e2e.json (the s2s-ldp base) has no issuer constraint: the self-issued gap (§3.11).
    assert got[("base", "self_issued")] == ("test", "granted")
    assert got[("eoverdracht", "ok")] == ("eoverdracht", "granted")
    assert got[("eoverdracht", "self_issued")] == ("eoverdracht", "denied")


def test_strict_profile_and_profiles_in_records() -> None:
    records = run(
        flow="s2s-bearer",
        profile=["nuts-node", "strict"],
        wallet=["ok", "untrusted_issuer"],
        policy=[sweep.DropField("$.issuer")],
    )
    assert {(r["profile"], r["wallet"]) for r in records if r["status"] == "granted"} >= {("nuts-node", "ok")}
    assert {r["profile"] for r in records} == {"nuts-node", "strict"}


def test_catalogue_cases_as_flows() -> None:
    records = run(flow=["case:s2s-vp-replay"], controls_off=[[], ["vp_nonce_store"]])
    assert [(r["controls_off"], r["status"], r["expected_status"], r["case_passed"]) for r in records] == [
        ("none", "denied", "denied", True),
        ("vp_nonce_store", "granted", "granted", True),
    ]
    assert records[0]["failed_check"] == "token.nonce_unused"


def test_user_flow() -> None:
    records = run(flow="user", wallet=["ok", "missing"])
    assert [r["status"] for r in records] == ["granted", "denied"]
    assert records[0]["token_type"] == "DPoP"


def test_custom_wallet_composition_and_errors_are_recorded() -> None:
    def no_wallet_at_all(world: World) -> None:
        world.requester.wallet.credentials.clear()

    def broken(world: World) -> None:
        raise RuntimeError("this composition is broken")

    records = run(flow="s2s-bearer", wallet=[no_wallet_at_all, broken])
    assert [(r["wallet"], r["status"]) for r in records] == [
        ("no_wallet_at_all", "denied"),
        ("broken", "error"),
    ]
    assert records[1]["error"] == "RuntimeError" and "broken" in records[1]["error_description"]


def test_registered_wallet_composition() -> None:
    @sweep.wallet("twice")
    def twice(world: World) -> None:
        sweep.composition("revoked")(world)

    try:
        assert [r["failed_check"] for r in run(flow="s2s-bearer", wallet="twice")] == ["vc.revocation"]
    finally:
        del sweep.WALLETS["twice"]
