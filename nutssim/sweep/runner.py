"""Running variants: build the world, apply the variant, run the flow, and make one flat record.

This is the worker side of a sweep. ``run_chunk(spec, start, stop)`` runs a contiguous run
of variants in one process; resolved policies are cached per process and spec, so a
worker pays for loading each policy variant once, not once per variant.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from nutssim.errors import InputError
from nutssim.scenarios import NodesWorld, World, build
from nutssim.specs import nuts_policy
from nutssim.sweep.mutations import PolicyDict, SetScopePolicy
from nutssim.sweep.spec import DIMENSIONS, SweepSpec, Variant
from nutssim.trace import SUMMARY, Trace

#: Record columns, in order; claim columns (``claim.<name>``) follow, sorted.
COLUMNS = (
    "variant",
    *DIMENSIONS,  # one column per dimension of the grid, in the spec's order
    "variant_seed",
    "requested_scope",
    "status",
    "error",
    "error_description",
    "failed_check",
    "failed_checks",
    "resource_status",
    "token_type",
    "expected_status",
    "case_passed",
    "t_setup",
    "t_flow",
    "t_total",
)
TIMING_COLUMNS = ("t_setup", "t_flow", "t_total")
CLAIM_PREFIX = "claim."


class _Resolver:
    """Per-process cache: the flows' base policies, and each (flow, policy, scope_policy) loaded once."""

    def __init__(self, spec: SweepSpec) -> None:
        self.spec = spec
        self._bases: dict[str, PolicyDict] = {}
        self._policies: dict[tuple[str, str | int, str], nuts_policy.Policy | None] = {}

    def base_policy(self, flow: str) -> PolicyDict:
        """The policy a flow's scenario serves unless told otherwise."""
        if flow not in self._bases:
            scenario, options = scenario_of(flow)
            world = _nodes(build(scenario, seed=0, **options), "policy")
            self._bases[flow] = world.authorization_server.policy.to_dict()
        return self._bases[flow]

    def policy(self, variant: Variant) -> nuts_policy.Policy | None:
        """The loaded policy of a variant, or None when it keeps the scenario's own."""
        flow, pv, sp = str(variant["flow"]), variant["policy"], variant["scope_policy"]
        key = (flow, variant.levels["policy"].label, str(sp or ""))
        if key not in self._policies:
            if pv.is_base and sp is None:
                self._policies[key] = None
            else:
                content = pv.resolve(self.base_policy(flow))
                if sp is not None:
                    content = SetScopePolicy(sp).apply(content)
                self._policies[key] = nuts_policy.Policy.from_dict(content, source=pv.name)
        return self._policies[key]


_RESOLVERS: OrderedDict[str, _Resolver] = OrderedDict()
_LOCK = threading.Lock()  # threaded executors (Dask with processes=False) share the cache


def resolver(spec: SweepSpec) -> _Resolver:
    """The process's resolver for ``spec`` (a small LRU keyed by the spec's fingerprint)."""
    key = spec.fingerprint
    with _LOCK:
        if key in _RESOLVERS:
            _RESOLVERS.move_to_end(key)
            return _RESOLVERS[key]
        made = _RESOLVERS[key] = _Resolver(spec)
        while len(_RESOLVERS) > 8:
            _RESOLVERS.popitem(last=False)
        return made


@lru_cache(maxsize=1)
def nutssim_version() -> str:
    """The installed nutssim version (``importlib.metadata``), or "unknown" when not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nutssim")
    except PackageNotFoundError:
        return "unknown"


def scenario_of(flow: str) -> tuple[str, dict[str, Any]]:
    """The scenario name and options a flow level builds (a catalogue case brings its own)."""
    if flow.startswith("case:"):
        case = _case(flow[5:])
        return case.scenario, dict(case.options)
    return flow, {}


@lru_cache(maxsize=256)
def _case(case_id: str) -> Any:
    """A catalogue case, made once per process (cases are frozen data)."""
    from nutssim import catalogue

    return catalogue.case(case_id)


class PackedSpec:
    """A spec pickled once by the driver; a worker unpickles it once (per fingerprint), not per task."""

    def __init__(self, spec: SweepSpec) -> None:
        pickler: Any
        try:  # by value: wallet functions defined in a notebook or a closure reach remote workers too
            pickler = importlib.import_module("cloudpickle")
        except ImportError:
            pickler = importlib.import_module("pickle")

        self.fingerprint = spec.fingerprint
        self.version = nutssim_version()  # a worker refuses a chunk from another version
        self.blob = pickler.dumps(spec, protocol=5)

    def check_version(self) -> None:
        """Refuse to run for a driver of another nutssim version: one sweep, one set of rules."""
        here = nutssim_version()
        if self.version != here:
            raise InputError(
                f"this worker runs nutssim {here}, the driver {self.version}: "
                "a sweep's variants must all run on the same version",
                where="sweep worker",
                hint=f"install nutssim {self.version} on every worker (pip install nutssim=={self.version})",
            )

    def unpack(self) -> SweepSpec:
        """The spec (from this process's cache when it has met the fingerprint before)."""
        import pickle

        with _LOCK:
            found = _RESOLVERS.get(self.fingerprint)
        if found is not None:
            return found.spec
        spec: SweepSpec = pickle.loads(self.blob)
        return spec


def run_chunk(
    spec: SweepSpec | PackedSpec, start: int, stop: int, timings: bool = True
) -> list[dict[str, Any]]:
    """Run variants ``start..stop-1`` of ``spec``; one record each, in index order."""
    if isinstance(spec, PackedSpec):
        spec.check_version()
        spec = spec.unpack()
    res = resolver(spec)
    return [run_variant(spec.variant(i), res, timings=timings) for i in range(start, stop)]


def validate(spec: SweepSpec) -> None:
    """Resolve and load every policy level for every flow now, so a bad one fails before the sweep."""
    res = resolver(spec)
    for flow in spec.levels("flow"):
        for policy in spec.levels("policy"):
            for sp in spec.levels("scope_policy"):
                labels = {"flow": flow, "policy": policy, "scope_policy": sp}
                probe = Variant(-1, {d: labels.get(d, spec.levels(d)[0]) for d in spec.shape}, 0)
                try:
                    res.policy(probe)
                except InputError as exc:
                    raise InputError(
                        f"{exc}", where=f"sweep spec: policy {policy.label!r} for flow {flow.label!r}"
                    ) from None


def run_variant(variant: Variant, res: _Resolver | None = None, *, timings: bool = True) -> dict[str, Any]:
    """Run one variant and return its record."""
    res = res or _Resolver(SweepSpec())
    started = time.perf_counter()
    record: dict[str, Any] = dict.fromkeys(COLUMNS)
    record.update(variant=variant.index, **variant.labels, variant_seed=variant.seed)
    flow_started = started
    try:
        world, case = _setup(variant, res)
        record["requested_scope"] = world.options.get("scope")
        flow_started = time.perf_counter()
        if case is None:
            world.sim.trace.level = SUMMARY  # a row needs checks, facts and outcome (issue #23 item 3)
            world.run()
            _from_outcome(record, world.sim.trace)
        else:
            _from_case(record, case, world, variant)
    except Exception as exc:  # a misbuilt variant is recorded, never allowed to end the sweep
        record.update(status="error", error=type(exc).__name__, error_description=str(exc)[:1000])
    ended = time.perf_counter()
    if timings:
        record.update(
            t_setup=round(flow_started - started, 6),
            t_flow=round(ended - flow_started, 6),
            t_total=round(ended - started, 6),
        )
    return record


def _setup(variant: Variant, res: _Resolver) -> tuple[World, Any]:
    """Build the world of a variant and apply its policy, scope, wallet and clock skew."""
    flow = variant["flow"]
    scenario, options = scenario_of(flow)
    case = _case(flow[5:]) if flow.startswith("case:") else None
    world = build(scenario, seed=variant.seed, profile=variant.profile, **options)
    policy = res.policy(variant)
    if policy is not None:
        _nodes(world, "policy").authorization_server.use_policy(policy)
    world.options["scope"] = _scope(variant, world, policy)
    variant["wallet"](world)
    skew = variant["clock_skew"]
    if skew:
        _nodes(world, "clock_skew").authorization_server_node.clock_offset += skew
    return world, case


def _nodes(world: World, where: str) -> NodesWorld:
    """``world`` with its two nodes, or an InputError naming the sweep level ``where`` that needs them."""
    if not isinstance(world, NodesWorld):
        raise InputError(f"scenario {world.name!r} has no authorization server node to change", where=where)
    return world


def _scope(variant: Variant, world: World, policy: nuts_policy.Policy | None) -> str:
    """The scope to request: the level's, the policy variant's, the policy's only one, or the flow's."""
    if variant["scope"] is not None:
        return str(variant["scope"])
    if variant["policy"].scope:
        return str(variant["policy"].scope)
    default = str(world.options.get("scope", ""))
    if policy is not None and not set(default.split()) & set(policy) and len(policy) == 1:
        return next(iter(policy))
    return default


def _from_outcome(record: dict[str, Any], trace: Trace) -> None:
    outcome = trace.outcome or {"status": "denied", "error": {"error": "no_result"}}
    error = outcome.get("error") or {}
    record.update(
        status=outcome.get("status"),
        error=error.get("error"),
        error_description=error.get("error_description"),
        resource_status=outcome.get("resource_status"),
        token_type=(outcome.get("token") or {}).get("token_type"),
    )
    _checks(record, trace)
    record.update(flatten(outcome.get("introspection") or {}, CLAIM_PREFIX))


def _from_case(record: dict[str, Any], case: Any, world: World, variant: Variant) -> None:
    observed = case.act(world)
    expected = case.expectation(variant.profile)
    passed, _ = expected.matches(observed)
    record.update(
        status=observed.status,
        error=observed.error,
        error_description=observed.description,
        resource_status=observed.http_status,
        expected_status=expected.status,
        case_passed=passed,
    )
    _checks(record, world.sim.trace)
    outcome = world.sim.trace.outcome or {}
    if observed.status == "granted" and outcome.get("status") == "granted":
        record["token_type"] = (outcome.get("token") or {}).get("token_type")
        record.update(flatten(outcome.get("introspection") or {}, CLAIM_PREFIX))


def _checks(record: dict[str, Any], trace: Trace) -> None:
    failed = trace.failed_checks()
    record["failed_checks"] = " ".join(dict.fromkeys(c.id for _, c in failed)) or None
    if record["status"] != "granted":
        record["failed_check"] = root_cause(failed)


def root_cause(failed: list[tuple[Any, Any]]) -> str | None:
    """The decisive failed check: the first one in the last exchange that failed a check.

    A relaying party fails its own check on the error it relays (``client.token_response``),
    and a nested exchange ends before its parent, so the exchange with the highest sequence
    number that failed a check holds the check that decided; within it, checks run in order.
    """
    if not failed:
        return None
    last = max(x.seq for x, _ in failed)
    return str(next(c.id for x, c in failed if x.seq == last))


def flatten(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys; lists as compact JSON text (so every cell is a scalar)."""
    import json

    out: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, Mapping):
            out.update(flatten(item, f"{name}."))
        elif isinstance(item, list | tuple):
            out[name] = json.dumps(item, separators=(",", ":"), ensure_ascii=False, default=str)
        else:
            out[name] = item
    return out
