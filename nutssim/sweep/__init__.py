"""Policy lab: sweeps over thousands of variants of a flow, with results as tables.

A ``SweepSpec`` names the dimensions whose product is the grid (flow, profile and controls
switched off, policy variants, scope, scope policy, wallet composition, clock skew, seed);
``run_sweep`` runs every variant, each in its own seeded simulation, over any
``concurrent.futures.Executor`` and returns one flat record per variant::

    from nutssim import sweep

    spec = sweep.SweepSpec(
        flow="s2s-bearer",
        policy=["base", sweep.DropField("$.issuer")],
        wallet=["ok", "self_issued", "untrusted_issuer", "revoked"],
        controls_off=[[], ["revocation_check"]],
    )
    result = sweep.run_sweep(spec, out="issuer-trust.parquet")
    frame = result.to_frame()

A ``design`` samples the grid instead of running all of it (``designs``: random, Latin
hypercube, one-at-a-time), and integer dimensions take ranges. For big sweeps, stream to a
Hive-partitioned Parquet dataset that survives interruption::

    spec = sweep.SweepSpec(flow="s2s", profile=["nuts-node", "strict"],
                           clock_skew={"from": -600, "to": 600, "step": 10},
                           design={"kind": "lhs", "samples": 2000, "seed": 1})
    sweep.run_sweep(spec, out="skew", format="dataset", partition_by=["profile"], resume=True)
    frame = sweep.read_dataset("skew")

Specs load from JSON or YAML too (``load_spec``); ``nutssim.views.results`` draws the
grant/deny matrix, heatmaps over any two dimensions and the refusals grouped by check.
"""

from nutssim.sweep.dataset import open_dataset, read_dataset
from nutssim.sweep.designs import DESIGNS, MAX_SAMPLES, Design
from nutssim.sweep.execute import dask_executor, run_sweep
from nutssim.sweep.mutations import (
    AddField,
    AddIssuerPattern,
    Chain,
    DropField,
    Mutation,
    SetFormat,
    SetScopePolicy,
    mutation_from_dict,
)
from nutssim.sweep.policies import PolicyVariant, policy_variant
from nutssim.sweep.results import (
    SweepResult,
    load_records,
    read_results,
    save_records,
    to_frame,
    without_timings,
)
from nutssim.sweep.runner import CLAIM_PREFIX, COLUMNS, TIMING_COLUMNS, root_cause, run_chunk, run_variant
from nutssim.sweep.spec import (
    DIMENSIONS,
    MAX_RANGE_LEVELS,
    Level,
    SweepSpec,
    Variant,
    derive_seed,
    load_spec,
)
from nutssim.sweep.wallets import WALLETS, composition, wallet

__all__ = [
    "CLAIM_PREFIX",
    "COLUMNS",
    "DESIGNS",
    "DIMENSIONS",
    "MAX_RANGE_LEVELS",
    "MAX_SAMPLES",
    "TIMING_COLUMNS",
    "WALLETS",
    "AddField",
    "AddIssuerPattern",
    "Chain",
    "Design",
    "DropField",
    "Level",
    "Mutation",
    "PolicyVariant",
    "SetFormat",
    "SetScopePolicy",
    "SweepResult",
    "SweepSpec",
    "Variant",
    "composition",
    "dask_executor",
    "derive_seed",
    "load_records",
    "load_spec",
    "mutation_from_dict",
    "open_dataset",
    "policy_variant",
    "read_dataset",
    "read_results",
    "root_cause",
    "run_chunk",
    "run_sweep",
    "run_variant",
    "save_records",
    "to_frame",
    "wallet",
    "without_timings",
]
