"""The ``pex_semantics`` dimension: one profile, two readings of the same PD (issue #22 Done-when)."""

from __future__ import annotations

import pytest

from nutssim import sweep
from nutssim.catalogue.s2s_cases.common import with_policy
from nutssim.errors import InputError
from nutssim.profiles import Profile


def _untyped_issuer_pattern(pd: dict) -> None:
    fields = pd["input_descriptors"][0]["constraints"]["fields"]
    issuer = next(f for f in fields if f["path"][0] == "$.issuer")
    issuer["filter"] = {"pattern": "^did:web:register\\.example:iam:"}


def test_a_sweep_shows_where_the_two_readings_grant_differently() -> None:
    spec = sweep.SweepSpec(
        flow="s2s",
        profile="nuts-node",
        pex_semantics=[None, "strict"],
        policy=["base", {"name": "untyped issuer pattern", "policy": with_policy(_untyped_issuer_pattern)}],
    )
    records = sweep.run_sweep(spec, workers=0, timings=False).records
    status = {(r["pex_semantics"], r["policy"]): r["status"] for r in records}
    assert status == {
        ("profile", "base"): "granted",
        ("strict", "base"): "granted",
        # vcr/pe matchFilter passes a string only under a filter typed "string": the wallet finds nothing.
        ("profile", "untyped issuer pattern"): "denied",
        # DIF PE v2.0.0 §Input Evaluation: the filter is a JSON Schema; pattern applies to any string.
        ("strict", "untyped issuer pattern"): "granted",
    }
    assert {r["profile"] for r in records} == {"nuts-node"}


def test_the_neutral_level_changes_no_seed_and_no_fingerprint() -> None:
    plain = sweep.SweepSpec(wallet=["ok", "missing"])
    neutral = sweep.SweepSpec(wallet=["ok", "missing"], pex_semantics=["profile"])
    assert plain.fingerprint == neutral.fingerprint
    assert [v.seed for v in plain.variants()] == [v.seed for v in neutral.variants()]
    told = sweep.SweepSpec(wallet=["ok", "missing"], pex_semantics=["strict"])
    assert told.fingerprint != plain.fingerprint
    assert told.variant(0).profile == Profile("nuts-node", pex_semantics="strict")


def test_unknown_readings_are_refused_with_the_allowed_ones() -> None:
    with pytest.raises(InputError) as info:
        sweep.SweepSpec(pex_semantics=["sphereon"])
    assert info.value.where == "sweep spec: pex_semantics[0]"
    assert "nuts-node, strict" in (info.value.hint or "")
    with pytest.raises(InputError, match="unknown pex_semantics 'strikt'"):
        Profile("nuts-node", pex_semantics="strikt")
    assert Profile("strict", pex_semantics="nuts-node").label == "strict pex=nuts-node"
