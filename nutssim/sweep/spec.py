"""The sweep specification: named dimensions whose product is the grid of variants.

Dimensions, in grid order (the last varies fastest)::

    flow          scenario names (s2s, s2s-bearer, user, …) or case:<catalogue case id>
    profile       nuts-node | strict
    controls_off  lists of profile controls switched off ([] for none)
    policy        base | a policy file | a policy dict | mutations of the flow's policy
    scope         the scope string to request (null: the flow's, or the policy's only scope)
    scope_policy  profile-only | passthrough | dynamic (null: as the policy says)
    wallet        ok | missing | expired | revoked | self_issued | untrusted_issuer | other_subject
    clock_skew    seconds added to the authorization server node's clock
    seed          base seeds

An integer dimension (``clock_skew``, ``seed``) also takes ranges, ``{from: 0, to: 600, step: 30}``
(``to`` included; at most ``MAX_RANGE_LEVELS`` levels), alone or among other levels. The
``design`` option picks which points of the grid run (``designs``: grid, random, lhs, oat);
``grid_size`` is the number of combinations, ``size`` the number of variants the plan runs.

Each variant's seed is derived from its base seed and its coordinates with SHA-256
(never Python's ``hash``), so a variant runs the same on any worker of any executor. A
spec comes from Python (``SweepSpec(...)``), a dict, or a JSON or YAML file
(``load_spec``); a bad field raises ``InputError`` naming it and the values allowed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from nutssim.errors import InputError
from nutssim.limits import MAX_RANGE_LEVELS
from nutssim.profiles import CONTROLS, PEX_SEMANTICS, PROFILES, Profile
from nutssim.specs.nuts_policy import SCOPE_POLICIES
from nutssim.sweep.designs import Plan, design_of, make_plan
from nutssim.sweep.policies import PolicyVariant, policy_variant
from nutssim.sweep.wallets import WALLETS

DIMENSIONS = (
    "flow",
    "profile",
    "pex_semantics",
    "controls_off",
    "policy",
    "scope",
    "scope_policy",
    "wallet",
    "clock_skew",
    "seed",
)
OPTIONS = ("name", "derive_seeds", "design")
#: Dimensions added after datasets existed; at their neutral level they change no seed or fingerprint.
_LATE = frozenset({"pex_semantics"})
INT_DIMENSIONS = ("clock_skew", "seed")
RANGE_FIELDS = ("from", "to", "step")
NO_CONTROLS_OFF = "none"
DEFAULT_SCOPE = "default"
KEEP_SCOPE_POLICY = "keep"
PROFILE_PEX = "profile"  # the pex_semantics level that keeps each profile's own reading


@dataclass(frozen=True)
class Level:
    """One value of a dimension: its label (what records show) and the value it stands for."""

    label: str | int
    value: Any


@dataclass(frozen=True)
class Variant:
    """One point of the grid: its index, its levels per dimension and its own seed."""

    index: int
    levels: Mapping[str, Level]
    seed: int

    @property
    def labels(self) -> dict[str, str | int]:
        """Dimension → label."""
        return {d: level.label for d, level in self.levels.items()}

    def __getitem__(self, dimension: str) -> Any:
        return self.levels[dimension].value

    @property
    def coordinates(self) -> dict[str, str | int]:
        """The labels its seed is derived from (``coordinates``)."""
        return coordinates(self.levels)

    @property
    def profile(self) -> Profile:
        """The profile with the variant's controls switched off."""
        return Profile(self["profile"], pex_semantics=self["pex_semantics"]).without(*self["controls_off"])


@dataclass
class SweepSpec:
    """A sweep: one sequence of levels per dimension (a scalar means one level)."""

    flow: Any = ("s2s",)
    profile: Any = ("nuts-node",)
    pex_semantics: Any = (None,)  # None: each profile's own reading of Presentation Exchange
    controls_off: Any = ((),)
    policy: Any = ("base",)
    scope: Any = (None,)
    scope_policy: Any = (None,)
    wallet: Any = ("ok",)
    clock_skew: Any = (0,)
    seed: Any = (0,)
    name: str = "sweep"
    derive_seeds: bool = True  # False: every variant runs on its base seed (common random numbers)
    design: Any = None  # None or "grid": every combination; else a designs.Design or its dict
    _levels: dict[str, tuple[Level, ...]] = field(default_factory=dict, init=False, repr=False)
    _plan: Plan | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._levels = {d: _levels(d, getattr(self, d)) for d in DIMENSIONS}
        self.design = design_of(self.design)
        self._plan = make_plan(self.design, {d: [lv.label for lv in self._levels[d]] for d in DIMENSIONS})

    # -- the grid --------------------------------------------------------------------------------------
    def levels(self, dimension: str) -> tuple[Level, ...]:
        """The levels of one dimension."""
        return self._levels[dimension]

    @property
    def shape(self) -> dict[str, int]:
        """Dimension → number of levels."""
        return {d: len(self._levels[d]) for d in DIMENSIONS}

    @property
    def grid_size(self) -> int:
        """The number of combinations (the product of the dimension sizes)."""
        return math.prod(self.shape.values())

    @property
    def size(self) -> int:
        """The number of variants the design runs (``grid_size`` for the full grid)."""
        return len(self.plan())

    def __len__(self) -> int:
        return self.size

    def plan(self) -> Plan:
        """The design's plan: variant index → level index per dimension."""
        assert self._plan is not None  # set in __post_init__
        return self._plan

    def variant(self, index: int) -> Variant:
        """The variant at ``index`` of the plan (for the grid: row-major, the last dimension fastest)."""
        point = self.plan().point(index)
        ordered = {d: self._levels[d][i] for d, i in zip(DIMENSIONS, point, strict=True)}
        base = int(ordered["seed"].value)
        seed = derive_seed(base, coordinates(ordered)) if self.derive_seeds else base
        return Variant(index, ordered, seed)

    def variants(self) -> Iterator[Variant]:
        """Every variant in index order."""
        return (self.variant(i) for i in range(self.size))

    # -- serialising -----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON/YAML form (callables by qualified name)."""
        out: dict[str, Any] = {"name": self.name}
        for d in DIMENSIONS:
            if d in _LATE and all(lv.value is None for lv in self._levels[d]):
                continue  # a spec without the later dimension keeps its fingerprint
            if self._ranged(d):  # compact: the range, not its expansion
                out[d] = getattr(self, d)
            else:
                out[d] = [_level_json(d, lv) for lv in self._levels[d]]
        out["derive_seeds"] = self.derive_seeds
        if self.design.kind != "grid":  # a grid spec keeps the fingerprint it had before designs
            out["design"] = self.design.to_dict()
        return out

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON form: equal specs, equal fingerprints."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["fingerprint"] = self.fingerprint  # computed once in the driver, shipped to workers
        # Ranges travel as ranges (100,000 levels pickle to megabytes) and the plan is rebuilt:
        # what a worker receives stays small whatever the size of the grid.
        state["_levels"] = {d: lv for d, lv in self._levels.items() if not self._ranged(d)}
        state["_plan"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for d in DIMENSIONS:
            if d not in self._levels:
                self._levels[d] = _levels(d, getattr(self, d))
        self._levels = {d: self._levels[d] for d in DIMENSIONS}
        self._plan = make_plan(self.design, {d: [lv.label for lv in self._levels[d]] for d in DIMENSIONS})

    def _ranged(self, dimension: str) -> bool:
        return dimension in INT_DIMENSIONS and _has_range(getattr(self, dimension))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SweepSpec:
        """A spec from its dict form; unknown keys are refused."""
        if not isinstance(data, Mapping):
            raise InputError(f"a sweep spec must be an object, got {type(data).__name__}", where="sweep spec")
        unknown = sorted(set(data) - set(DIMENSIONS) - set(OPTIONS))
        if unknown:
            raise InputError(
                f"unknown field(s) {', '.join(map(repr, unknown))}",
                where="sweep spec",
                hint=f"fields: {', '.join((*DIMENSIONS, *OPTIONS))}",
            )
        return cls(**dict(data))


def coordinates(levels: Mapping[str, Level]) -> dict[str, str | int]:
    """Dimension → label, without a later dimension at its neutral level.

    A dimension added after datasets existed (``pex_semantics``) stays out of the coordinates at
    its "no change" level, so every variant keeps the seed it had before the dimension existed.
    """
    return {d: lv.label for d, lv in levels.items() if d not in _LATE or lv.value is not None}


def derive_seed(base: int, labels: Mapping[str, Any]) -> int:
    """A 48-bit seed from a base seed and a variant's coordinates (SHA-256, stable across processes)."""
    text = json.dumps({"seed": base, "at": dict(labels)}, sort_keys=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:6], "big")


def load_spec(source: SweepSpec | Mapping[str, Any] | str | os.PathLike[str]) -> SweepSpec:
    """A spec from a ``SweepSpec``, a dict, or a ``.json``/``.yaml``/``.yml`` file."""
    if isinstance(source, SweepSpec):
        return source
    if isinstance(source, Mapping):
        return SweepSpec.from_dict(source)
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the sweep spec: {exc.strerror}", where=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the sweep spec is not UTF-8 text ({exc.reason} at byte {exc.start})", where=str(path)
        ) from None
    import yaml

    try:
        data = yaml.safe_load(text) if path.suffix.lower() in (".yaml", ".yml") else json.loads(text)
    except yaml.MarkedYAMLError as exc:  # one line: what and where, not PyYAML's excerpt
        mark = exc.problem_mark
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise InputError(f"cannot parse the sweep spec: {exc.problem or exc}{at}", where=str(path)) from None
    except RecursionError:
        raise InputError("cannot parse the sweep spec: nested too deeply", where=str(path)) from None
    except (ValueError, yaml.YAMLError) as exc:
        raise InputError(f"cannot parse the sweep spec: {exc}", where=str(path)) from None
    if data is not None and not isinstance(data, Mapping):
        kind = type(data).__name__
        raise InputError(f"a sweep spec is a mapping of fields, not a {kind}", where=str(path))
    spec = SweepSpec.from_dict(data or {})
    if spec.name == "sweep":
        spec.name = path.stem
    return spec


# -- reading dimension values -------------------------------------------------------------------------
def _as_list(dimension: str, value: Any) -> list[Any]:
    if (
        dimension == "controls_off"
        and (not value or all(isinstance(v, str) for v in value))
        and not isinstance(value, str)
        and isinstance(value, Sequence)
    ):
        # A flat list of control names is one level; a list of lists is several.
        return [list(value)]
    if dimension == "policy" and isinstance(value, Mapping):
        return [value]
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def _has_range(value: Any) -> bool:
    if isinstance(value, Mapping):
        return True
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and any(isinstance(v, Mapping) for v in value)
    )


def _expand_ranges(dimension: str, values: list[Any]) -> list[Any]:
    """Integer levels with every ``{from, to, step}`` range expanded (``to`` included)."""
    out: list[Any] = []
    for i, value in enumerate(values):
        if not isinstance(value, Mapping):
            out.append(value)
            continue
        where = f"sweep spec: {dimension}[{i}]"
        unknown = sorted(set(value) - set(RANGE_FIELDS))
        start, stop, step = value.get("from"), value.get("to"), value.get("step", 1)
        if unknown or not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, stop, step)):
            raise InputError(
                f"a range is {{from: INT, to: INT, step: INT}}, got {dict(value)!r}",
                where=where,
                hint="e.g. {from: 0, to: 600, step: 30} (to included, step 1 by default)",
            )
        assert isinstance(start, int) and isinstance(stop, int) and isinstance(step, int)
        if step <= 0 or stop < start:
            raise InputError(
                f"a range needs from <= to and a positive step, got {dict(value)!r}", where=where
            )
        count = (stop - start) // step + 1  # counted before anything is built: no huge lists
        if len(out) + count > MAX_RANGE_LEVELS:
            raise InputError(
                f"{dimension} has {len(out) + count:,} levels, more than {MAX_RANGE_LEVELS:,}",
                where=where,
                hint="use a larger step, or a random or lhs design over a coarser range",
            )
        out.extend(range(start, stop + 1, step))
    return out


def _levels(dimension: str, value: Any) -> tuple[Level, ...]:
    if dimension in INT_DIMENSIONS and isinstance(value, Mapping):
        value = [value]
    values = _as_list(dimension, value)
    if dimension in INT_DIMENSIONS:
        values = _expand_ranges(dimension, values)
    if not values:
        raise InputError(
            f"dimension {dimension!r} has no values",
            where=f"sweep spec: {dimension}",
            hint=_allowed(dimension),
        )
    reader = _READERS[dimension]
    levels = tuple(reader(v, f"sweep spec: {dimension}[{i}]") for i, v in enumerate(values))
    seen: dict[str | int, int] = {}
    for i, level in enumerate(levels):
        if level.label in seen:
            raise InputError(
                f"duplicate level {level.label!r} (also at [{seen[level.label]}])",
                where=f"sweep spec: {dimension}[{i}]",
                hint="give each level a distinct value or name",
            )
        seen[level.label] = i
    return levels


def _allowed(dimension: str) -> str:
    if dimension == "flow":
        from nutssim import catalogue, scenarios

        cases = [c.id for c in catalogue.cases()]
        more = f", or case:<id> of {len(cases)} catalogue cases (e.g. case:{cases[0]})" if cases else ""
        return f"allowed: {', '.join(scenarios.names())}{more}"
    return {
        "profile": f"allowed: {', '.join(PROFILES)}",
        "pex_semantics": f"allowed: {', '.join(PEX_SEMANTICS)}, or null for the profile's own",
        "controls_off": f"lists of controls from: {', '.join(CONTROLS)}",
        "policy": "'base', a policy file path, a policy dict, or {name, file|policy, mutate, scope}",
        "scope": "scope strings, or null for the flow's scope",
        "scope_policy": f"allowed: {', '.join(SCOPE_POLICIES)}, or null to keep the policy's",
        "wallet": f"allowed: {', '.join(WALLETS)}",
        "clock_skew": "integers (seconds), or ranges {from, to, step}",
        "seed": "integers, or ranges {from, to, step}",
    }[dimension]


def _flow(value: Any, where: str) -> Level:
    from nutssim import catalogue, scenarios

    if isinstance(value, str) and value.startswith("case:"):
        try:
            catalogue.case(value[5:])
        except InputError as exc:
            raise InputError(
                f"unknown catalogue case {value[5:]!r}", where=where, hint=exc.hint or _allowed("flow")
            ) from None
        return Level(value, value)
    if not isinstance(value, str) or value not in scenarios.names():
        raise InputError(f"unknown flow {value!r}", where=where, hint=_allowed("flow"))
    return Level(value, value)


def _profile(value: Any, where: str) -> Level:
    if value not in PROFILES:
        raise InputError(f"unknown profile {value!r}", where=where, hint=_allowed("profile"))
    return Level(value, value)


def _pex_semantics(value: Any, where: str) -> Level:
    if value is None or value == PROFILE_PEX:
        return Level(PROFILE_PEX, None)
    if value not in PEX_SEMANTICS:
        raise InputError(f"unknown pex_semantics {value!r}", where=where, hint=_allowed("pex_semantics"))
    return Level(value, value)


def _controls(value: Any, where: str) -> Level:
    if isinstance(value, str):
        text = "" if value == NO_CONTROLS_OFF else value
        value = [v for v in text.replace("+", ",").split(",") if v.strip()]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise InputError(
            f"controls_off levels are lists of control names, got {value!r}",
            where=where,
            hint=_allowed("controls_off"),
        )
    unknown = [v for v in value if v not in CONTROLS]
    if unknown:
        raise InputError(
            f"unknown control(s) {', '.join(map(repr, unknown))}", where=where, hint=_allowed("controls_off")
        )
    controls = tuple(dict.fromkeys(v.strip() for v in value))
    return Level("+".join(controls) or NO_CONTROLS_OFF, controls)


def _policy(value: Any, where: str) -> Level:
    variant: PolicyVariant = policy_variant(value, where)
    return Level(variant.name, variant)


def _scope(value: Any, where: str) -> Level:
    if value is None or value == DEFAULT_SCOPE:
        return Level(DEFAULT_SCOPE, None)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"a scope is a non-empty string, got {value!r}", where=where, hint=_allowed("scope"))
    return Level(value, value)


def _scope_policy(value: Any, where: str) -> Level:
    if value is None or value == KEEP_SCOPE_POLICY:
        return Level(KEEP_SCOPE_POLICY, None)
    if value not in SCOPE_POLICIES:
        raise InputError(f"unknown scope_policy {value!r}", where=where, hint=_allowed("scope_policy"))
    return Level(value, value)


def _wallet(value: Any, where: str) -> Level:
    if callable(value):
        name = getattr(value, "__name__", repr(value))
        return Level(name, value)
    if not isinstance(value, str) or value not in WALLETS:  # a dict level is not hashable
        raise InputError(f"unknown wallet composition {value!r}", where=where, hint=_allowed("wallet"))
    return Level(value, WALLETS[value])


def _int(dimension: str) -> Callable[[Any, str], Level]:
    def read(value: Any, where: str) -> Level:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(
                f"{dimension} levels are integers, got {value!r}", where=where, hint=_allowed(dimension)
            )
        return Level(value, value)

    return read


_READERS: dict[str, Callable[[Any, str], Level]] = {
    "flow": _flow,
    "profile": _profile,
    "pex_semantics": _pex_semantics,
    "controls_off": _controls,
    "policy": _policy,
    "scope": _scope,
    "scope_policy": _scope_policy,
    "wallet": _wallet,
    "clock_skew": _int("clock_skew"),
    "seed": _int("seed"),
}


def _level_json(dimension: str, level: Level) -> Any:
    value = level.value
    if dimension == "policy":
        return value.to_dict()
    if dimension == "wallet":
        return (
            level.label
            if WALLETS.get(str(level.label)) is value
            else f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', level.label)}"
        )
    if dimension == "controls_off":
        return list(value)
    return value
