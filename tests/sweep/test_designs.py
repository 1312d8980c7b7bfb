"""Sampling designs (grid, random, lhs, oat) and integer ranges as dimension values."""

from __future__ import annotations

import pickle
from collections import Counter
from typing import Any

import pytest

from nutssim import sweep
from nutssim.errors import InputError
from nutssim.sweep.designs import GridPlan, LatinHypercubePlan, OneAtATimePlan, RandomPlan


def labels(spec: sweep.SweepSpec, *dims: str) -> list[tuple[Any, ...]]:
    return [tuple(v.labels[d] for d in dims) for v in spec.variants()]


# -- ranges ---------------------------------------------------------------------------------------------
def test_a_range_is_its_levels_to_included() -> None:
    spec = sweep.SweepSpec(clock_skew={"from": 0, "to": 600, "step": 30})
    assert [lv.label for lv in spec.levels("clock_skew")] == list(range(0, 601, 30))
    assert spec.shape["clock_skew"] == 21 and spec.grid_size == spec.size == 21


def test_ranges_mix_with_levels_and_round_trip_compactly() -> None:
    spec = sweep.SweepSpec(seed=[{"from": 1, "to": 3}, 10], clock_skew={"from": -60, "to": 60, "step": 60})
    assert [lv.label for lv in spec.levels("seed")] == [1, 2, 3, 10]
    data = spec.to_dict()
    assert data["seed"] == [{"from": 1, "to": 3}, 10]
    assert data["clock_skew"] == {"from": -60, "to": 60, "step": 60}
    assert sweep.SweepSpec.from_dict(data).fingerprint == spec.fingerprint


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"from": 0, "to": 10, "step": 0}, "a range needs from <= to and a positive step, got"),
        ({"from": 10, "to": 0}, "a range needs from <= to and a positive step"),
        ({"from": 0, "to": "9"}, "a range is {from: INT, to: INT, step: INT}, got {'from': 0, 'to': '9'}"),
        ({"from": 0, "upto": 9}, "a range is {from: INT, to: INT, step: INT}"),
        ({"from": 0, "to": 10**18}, "seed has 1,000,000,000,000,000,001 levels, more than 100,000"),
        # levels are numbered after ranges are expanded: 5 is the eleventh level
        ([{"from": 0, "to": 9}, 5], "sweep spec: seed[10]: duplicate level 5 (also at [5])"),
    ],
)
def test_bad_ranges_are_refused_before_anything_is_built(value: Any, message: str) -> None:
    with pytest.raises(InputError) as caught:
        sweep.SweepSpec(seed=value)
    assert message in str(caught.value)


def test_the_range_cap_is_exact() -> None:
    assert sweep.SweepSpec(seed={"from": 1, "to": sweep.MAX_RANGE_LEVELS}).shape["seed"] == 100_000
    with pytest.raises(InputError, match="seed has 100,001 levels, more than 100,000"):
        sweep.SweepSpec(seed={"from": 0, "to": sweep.MAX_RANGE_LEVELS})


def test_ranges_only_for_integer_dimensions() -> None:
    with pytest.raises(InputError, match=r"wallet\[0\]: unknown wallet composition"):
        sweep.SweepSpec(wallet={"from": 0, "to": 3})


# -- grid -----------------------------------------------------------------------------------------------
def test_the_default_design_is_the_grid_and_keeps_old_fingerprints(grid_spec: sweep.SweepSpec) -> None:
    assert isinstance(grid_spec.plan(), GridPlan) and grid_spec.design == sweep.Design()
    assert grid_spec.size == grid_spec.grid_size == 56
    assert "design" not in grid_spec.to_dict()  # a grid spec's fingerprint is what it was before designs
    assert sweep.SweepSpec(design="grid").fingerprint == sweep.SweepSpec().fingerprint


# -- random ---------------------------------------------------------------------------------------------
def random_spec(seed: int = 3) -> sweep.SweepSpec:
    return sweep.SweepSpec(
        flow="s2s-bearer",
        wallet=list(sweep.WALLETS),
        clock_skew={"from": -600, "to": 600},
        seed={"from": 0, "to": 999},
        design={"kind": "random", "samples": 50, "seed": seed},
    )


def test_random_samples_are_seeded_and_in_the_grid() -> None:
    spec = random_spec()
    assert isinstance(spec.plan(), RandomPlan)
    assert spec.size == 50 and spec.grid_size == 7 * 1201 * 1000
    points = labels(spec, "wallet", "clock_skew", "seed")
    assert points == labels(random_spec(), "wallet", "clock_skew", "seed")  # same design seed, same points
    assert points != labels(random_spec(4), "wallet", "clock_skew", "seed")
    assert all(-600 <= skew <= 600 and 0 <= seed <= 999 for _, skew, seed in points)
    assert len(set(points)) == 50


def test_a_point_runs_the_same_in_any_design() -> None:
    """Variant seeds come from coordinates, so a sampled point is the grid's run at that point."""
    spec = random_spec()
    grid = sweep.SweepSpec(**{**spec.to_dict(), "design": None})
    for variant in list(spec.variants())[:5]:
        labels_ = variant.labels
        index = (
            list(sweep.WALLETS).index(labels_["wallet"]) * 1201 * 1000
            + (int(labels_["clock_skew"]) + 600) * 1000
            + int(labels_["seed"])
        )
        assert grid.variant(index).labels == labels_ and grid.variant(index).seed == variant.seed


# -- Latin hypercube ------------------------------------------------------------------------------------
def test_lhs_hits_every_stratum_of_a_numeric_dimension_once() -> None:
    spec = sweep.SweepSpec(
        wallet=["ok", "revoked", "expired"],
        clock_skew={"from": 0, "to": 999},
        design={"kind": "lhs", "samples": 10, "seed": 1},
    )
    assert isinstance(spec.plan(), LatinHypercubePlan) and spec.size == 10
    skews = [int(v.labels["clock_skew"]) for v in spec.variants()]
    assert sorted(s // 100 for s in skews) == list(range(10))  # 1000 levels, 10 strata of 100
    # a categorical dimension cycles through its levels: each ⌊10/3⌋ or ⌈10/3⌉ times
    assert sorted(Counter(v.labels["wallet"] for v in spec.variants()).values()) == [3, 3, 4]


def test_lhs_strata_follow_values_not_the_order_levels_are_given() -> None:
    spec = sweep.SweepSpec(clock_skew=[300, 0, 200, 100], design={"kind": "lhs", "samples": 4, "seed": 9})
    assert sorted(int(v.labels["clock_skew"]) for v in spec.variants()) == [0, 100, 200, 300]


def test_ranges_and_permutations_are_not_shipped_to_workers() -> None:
    spec = sweep.SweepSpec(seed={"from": 0, "to": 99_999}, design={"kind": "lhs", "samples": 100_000})
    fresh = len(pickle.dumps(spec))
    before = [spec.variant(i).labels["seed"] for i in (0, 1, 99_999)]  # builds the permutation here
    blob = pickle.dumps(spec)
    assert len(blob) == fresh < 10_000  # the range and the design, not 100,000 levels or a permutation
    again = pickle.loads(blob)
    assert [again.variant(i).labels["seed"] for i in (0, 1, 99_999)] == before
    assert again.fingerprint == spec.fingerprint


# -- one at a time --------------------------------------------------------------------------------------
def test_oat_varies_one_dimension_at_a_time_around_the_baseline() -> None:
    spec = sweep.SweepSpec(
        profile=["nuts-node", "strict"], wallet=["ok", "revoked", "expired"], clock_skew=[0, 30], design="oat"
    )
    assert isinstance(spec.plan(), OneAtATimePlan) and spec.size == 1 + 1 + 2 + 1
    assert labels(spec, "profile", "wallet", "clock_skew") == [
        ("nuts-node", "ok", 0),
        ("strict", "ok", 0),
        ("nuts-node", "revoked", 0),
        ("nuts-node", "expired", 0),
        ("nuts-node", "ok", 30),
    ]


def test_oat_around_a_named_baseline() -> None:
    spec = sweep.SweepSpec(
        wallet=["ok", "revoked", "expired"],
        clock_skew=[0, 30],
        design={"kind": "oat", "baseline": {"wallet": "revoked", "clock_skew": 30}},
    )
    assert labels(spec, "wallet", "clock_skew") == [
        ("revoked", 30),
        ("ok", 30),
        ("expired", 30),
        ("revoked", 0),
    ]
    assert sweep.SweepSpec.from_dict(spec.to_dict()).fingerprint == spec.fingerprint


def test_an_oat_sweep_runs_the_grids_variants(grid_spec: sweep.SweepSpec, grid_records: list[dict]) -> None:
    oat = sweep.SweepSpec(**{**grid_spec.to_dict(), "design": "oat"})
    records = sweep.without_timings(sweep.run_sweep(oat, workers=0).records)
    by_labels = {tuple(r[d] for d in sweep.DIMENSIONS): r for r in sweep.without_timings(grid_records)}
    assert len(records) == oat.size == 1 + 1 + 6 + 1 + 1
    for r in records:
        twin = by_labels[tuple(r[d] for d in sweep.DIMENSIONS)]
        assert {**r, "variant": twin["variant"]} == twin


# -- bad designs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("design", "message"),
    [
        ("latin", "sweep spec: design.kind: unknown design kind 'latin'"),
        (
            {"kind": "lhs"},
            "sweep spec: design.samples: a lhs design needs samples: an integer from 1 to 5,000,000",
        ),
        (
            {"kind": "random", "samples": 0},
            "a random design needs samples: an integer from 1 to 5,000,000, got 0",
        ),
        ({"kind": "random", "samples": True}, "a random design needs samples"),
        ({"kind": "random", "samples": 5_000_001}, "got 5000001"),
        ({"kind": "grid", "samples": 5}, "sweep spec: design.samples: a grid design takes no samples"),
        ({"kind": "lhs", "samples": 5, "seed": "x"}, "sweep spec: design.seed: a design seed is an integer"),
        ({"kind": "lhs", "samples": 5, "n": 3}, "sweep spec: design: unknown design field(s) 'n'"),
        ({"kind": "random", "samples": 2, "baseline": {"wallet": "ok"}}, "a random design takes no baseline"),
        ({"kind": "oat", "baseline": {"colour": "red"}}, "unknown baseline dimension(s) 'colour'"),
        ({"kind": "oat", "baseline": {"wallet": "lost"}}, "design.baseline.wallet: baseline wallet='lost'"),
        (7, "sweep spec: design: a design is a kind or an object, got 7"),
    ],
)
def test_a_bad_design_says_what_is_wrong(design: Any, message: str) -> None:
    with pytest.raises(InputError) as caught:
        sweep.SweepSpec(wallet=["ok", "revoked"], design=design)
    assert message in str(caught.value)


def test_a_design_loads_from_yaml(tmp_path: Any) -> None:
    path = tmp_path / "lhs.yaml"
    path.write_text(
        "flow: s2s-bearer\nclock_skew: {from: -300, to: 300, step: 10}\n"
        "design: {kind: lhs, samples: 20, seed: 1}\n"
    )
    spec = sweep.load_spec(path)
    assert spec.design == sweep.Design("lhs", 20, 1) and spec.size == 20 and spec.grid_size == 61
