"""Sweep specs: the grid, variant seeds, loading from JSON and YAML, and the errors of a bad spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nutssim import sweep
from nutssim.errors import InputError


def test_grid_shape_size_and_index_order(grid_spec: sweep.SweepSpec) -> None:
    assert grid_spec.size == len(grid_spec) == 56
    assert grid_spec.shape["wallet"] == 7 and grid_spec.shape["flow"] == 1
    first, second, last = grid_spec.variant(0), grid_spec.variant(1), grid_spec.variant(55)
    assert first.labels == {
        "flow": "s2s-bearer",
        "profile": "nuts-node",
        "pex_semantics": "profile",
        "controls_off": "none",
        "policy": "base",
        "scope": "default",
        "scope_policy": "keep",
        "wallet": "ok",
        "clock_skew": 0,
        "seed": 0,
    }
    assert "pex_semantics" not in first.coordinates  # neutral: the seed it had before the dimension
    assert second.labels["seed"] == 1  # the last dimension varies fastest
    assert last.labels["policy"] == "drop $.issuer" and last.labels["wallet"] == "other_subject"
    assert [v.index for v in grid_spec.variants()] == list(range(56))
    with pytest.raises(IndexError):
        grid_spec.variant(56)


def test_variant_seeds_come_from_coordinates_not_hash(grid_spec: sweep.SweepSpec) -> None:
    seeds = [v.seed for v in grid_spec.variants()]
    assert len(set(seeds)) == len(seeds)
    # SHA-256 of the canonical coordinates: the same in every process and on every machine.
    assert grid_spec.variant(0).seed == sweep.derive_seed(0, grid_spec.variant(0).coordinates)
    same = sweep.SweepSpec(
        flow="s2s-bearer",
        policy=["base", sweep.DropField("$.issuer")],
        wallet=list(sweep.WALLETS),
        controls_off=[[], ["revocation_check"]],
        seed=[0, 1],
    )
    assert [v.seed for v in same.variants()] == seeds
    shared = sweep.SweepSpec(wallet=["ok", "missing"], seed=[7], derive_seeds=False)
    assert [v.seed for v in shared.variants()] == [7, 7]


def test_pinned_seed_derivation() -> None:
    assert (
        sweep.derive_seed(0, {"wallet": "ok"}) == 126823215814445
    )  # pinned: changing it changes every sweep
    assert sweep.derive_seed(3, {"wallet": "ok", "seed": 3}) == sweep.derive_seed(
        3, {"seed": 3, "wallet": "ok"}
    )
    assert sweep.derive_seed(3, {"wallet": "ok"}) != sweep.derive_seed(4, {"wallet": "ok"})
    assert 0 <= sweep.derive_seed(0, {}) < 2**48


def test_controls_off_forms() -> None:
    spec = sweep.SweepSpec(controls_off=["revocation_check", "pkce"])  # a flat list is one level
    assert [lv.label for lv in spec.levels("controls_off")] == ["revocation_check+pkce"]
    spec = sweep.SweepSpec(controls_off=[[], ["pkce"], "vp_audience,vp_nonce_store"])
    assert [lv.label for lv in spec.levels("controls_off")] == ["none", "pkce", "vp_audience+vp_nonce_store"]
    assert spec.variant(1).profile.label == "nuts-node -pkce"


SPEC_DICT = {
    "name": "issuer-trust",
    "flow": ["s2s-bearer"],
    "policy": [
        "base",
        {"name": "open", "mutate": [{"op": "drop_field", "path": "$.issuer"}]},
        {"mutate": [{"set_format": {"formats": ["jwt_vc", "jwt_vp"]}}]},
    ],
    "wallet": ["ok", "self_issued"],
    "controls_off": [[], ["revocation_check"]],
    "scope_policy": [None, "passthrough"],
    "clock_skew": [0, 30],
    "seed": [1],
}

YAML_TEXT = """
name: issuer-trust
flow: s2s-bearer
policy:
  - base
  - name: open
    mutate:
      - op: drop_field
        path: $.issuer
  - mutate:
      - set_format: {formats: [jwt_vc, jwt_vp]}
wallet: [ok, self_issued]
controls_off: [[], [revocation_check]]
scope_policy: [null, passthrough]
clock_skew: [0, 30]
seed: 1
"""


def test_load_from_json_and_yaml_give_the_same_spec(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps(SPEC_DICT))
    (tmp_path / "s.yaml").write_text(YAML_TEXT)
    from_json, from_yaml = sweep.load_spec(tmp_path / "s.json"), sweep.load_spec(tmp_path / "s.yaml")
    assert from_json.to_dict() == from_yaml.to_dict() == sweep.load_spec(SPEC_DICT).to_dict()
    assert from_json.fingerprint == from_yaml.fingerprint
    assert from_json.size == 3 * 2 * 2 * 2 * 2
    assert [lv.label for lv in from_json.levels("policy")] == ["base", "open", "format jwt_vc+jwt_vp"]
    # The dict form round-trips.
    assert sweep.load_spec(json.loads(json.dumps(from_json.to_dict()))).fingerprint == from_json.fingerprint


def test_python_objects_load_too() -> None:
    spec = sweep.SweepSpec(policy=[sweep.DropField("$.issuer") + sweep.SetScopePolicy("passthrough")])
    assert spec.levels("policy")[0].label == "drop $.issuer + scope_policy passthrough"
    assert sweep.load_spec(spec) is spec


@pytest.mark.parametrize(
    ("spec", "where", "allowed"),
    [
        ({"wallet": ["ok", "revokd"]}, "sweep spec: wallet[1]", "ok, missing, expired, revoked, self_issued"),
        ({"flow": "s2ss"}, "sweep spec: flow[0]", "s2s, s2s-bearer"),
        ({"flow": "case:no-such-case"}, "sweep spec: flow[0]", "case:"),
        ({"profile": ["loose"]}, "sweep spec: profile[0]", "nuts-node, nuts-node-gf, strict"),
        ({"controls_off": [["pkce", "dpop"]]}, "sweep spec: controls_off[0]", "dpop_required"),
        ({"scope_policy": ["open"]}, "sweep spec: scope_policy[0]", "profile-only, passthrough, dynamic"),
        ({"clock_skew": [0, "5s"]}, "sweep spec: clock_skew[1]", "integers"),
        ({"seed": []}, "sweep spec: seed", "integers"),
        ({"wallet": ["ok", "ok"]}, "sweep spec: wallet[1]", "distinct"),
        ({"wallets": ["ok"]}, "sweep spec", "flow, profile, pex_semantics, controls_off, policy"),
        (
            {"policy": [{"mutate": [{"op": "remove", "path": "$.x"}]}]},
            "sweep spec: policy[0]/mutate/0",
            "drop_field, add_field",
        ),
        ({"policy": ["no/such/policy.json"]}, "policy", "policy JSON file"),
    ],
)
def test_a_bad_spec_names_the_field_and_the_allowed_values(spec: dict, where: str, allowed: str) -> None:
    with pytest.raises(InputError) as info:
        sweep.load_spec(spec)
    assert info.value.where == where
    assert allowed in info.value.hint
    assert where in str(info.value)


def test_a_mutation_that_matches_nothing_fails_before_the_sweep() -> None:
    spec = sweep.SweepSpec(flow="s2s-bearer", policy=[sweep.DropField("$.credentialSubject.bsn")])
    with pytest.raises(InputError) as info:
        sweep.run_sweep(spec, workers=0)
    assert "drop $.credentialSubject.bsn" in str(info.value)
    assert "policy 'drop $.credentialSubject.bsn' for flow 's2s-bearer'" in str(info.value)


def test_unreadable_and_unparsable_spec_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        sweep.load_spec(tmp_path / "nope.yaml")
    (tmp_path / "bad.yaml").write_text("wallet: [ok\n")
    with pytest.raises(InputError, match="cannot parse"):
        sweep.load_spec(tmp_path / "bad.yaml")
