"""Sampling designs: which points of a sweep's grid to run.

A design turns the grid (one sequence of levels per dimension) into a *plan*: a numbered
list of points, each a tuple of level indices, one per dimension. A point is computed from
its number alone (``Plan.point(i)``), so a worker needs only the spec, never a list of
points shipped by the driver, and a million-point plan costs no memory of its own (the
Latin hypercube keeps one shuffled permutation per dimension, 4 bytes a sample).

``grid``
    every combination, row-major (the last dimension fastest): the default.
``random``
    ``samples`` points, each dimension's level drawn uniformly and independently (with
    replacement: a small grid may see the same point twice, and then the same run).
``lhs``
    a Latin hypercube of ``samples`` points (McKay, Beckman & Conover 1979): a numeric
    dimension (integer levels: ``clock_skew``, ``seed``) is cut into ``samples`` equal strata
    of its value range and each stratum is hit exactly once; a categorical dimension cycles
    through its levels in shuffled order, so each level appears ⌊n/k⌋ or ⌈n/k⌉ times.
``oat``
    one-at-a-time sensitivity: the baseline point (each dimension's first level, or the
    ``baseline`` labels), then each other level of each dimension with the rest held at
    the baseline: ``1 + Σ (levels − 1)`` points.

Randomness comes from ``random.Random`` seeded through SHA-256 from the design's ``seed``
and the point number (never Python's ``hash``), so a plan is the same on every worker.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from nutssim.errors import InputError
from nutssim.limits import MAX_SAMPLES

DESIGNS = ("grid", "random", "lhs", "oat")
DESIGN_FIELDS = ("kind", "samples", "seed", "baseline")
Label = str | int


@dataclass(frozen=True)
class Design:
    """A sampling design: its kind, the number of samples (random, lhs), its seed, the OAT baseline."""

    kind: str = "grid"
    samples: int | None = None
    seed: int = 0
    baseline: Mapping[str, Label] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON/YAML form (only the fields the kind uses)."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind in ("random", "lhs"):
            out.update(samples=self.samples, seed=self.seed)
        if self.kind == "oat" and self.baseline:
            out["baseline"] = dict(self.baseline)
        return out


def design_of(value: Any) -> Design:
    """A design from ``None`` (grid), a kind name, a dict ``{kind, samples, seed, baseline}``, or a Design."""
    where = "sweep spec: design"
    if value is None:
        return Design()
    if isinstance(value, Design):
        return value
    if isinstance(value, str):
        value = {"kind": value}
    if not isinstance(value, Mapping):
        raise InputError(f"a design is a kind or an object, got {value!r}", where=where, hint=_hint())
    unknown = sorted(set(value) - set(DESIGN_FIELDS))
    if unknown:
        raise InputError(
            f"unknown design field(s) {', '.join(map(repr, unknown))}",
            where=where,
            hint=f"fields: {', '.join(DESIGN_FIELDS)}",
        )
    kind = value.get("kind", "grid")
    if kind not in DESIGNS:
        raise InputError(f"unknown design kind {kind!r}", where=f"{where}.kind", hint=_hint())
    samples = value.get("samples")
    if kind in ("random", "lhs"):
        if not isinstance(samples, int) or isinstance(samples, bool) or not 1 <= samples <= MAX_SAMPLES:
            raise InputError(
                f"a {kind} design needs samples: an integer from 1 to {MAX_SAMPLES:,}, got {samples!r}",
                where=f"{where}.samples",
            )
    elif samples is not None:
        raise InputError(f"a {kind} design takes no samples", where=f"{where}.samples", hint=_hint())
    seed = value.get("seed", 0)
    if not _is_int(seed):
        raise InputError(f"a design seed is an integer, got {seed!r}", where=f"{where}.seed")
    baseline = value.get("baseline") or {}
    if baseline and kind != "oat":
        raise InputError(f"a {kind} design takes no baseline", where=f"{where}.baseline", hint=_hint())
    if not isinstance(baseline, Mapping):
        raise InputError(
            f"a baseline maps dimensions to level labels, got {baseline!r}", where=f"{where}.baseline"
        )
    return Design(kind, samples, seed, dict(baseline))


def _hint() -> str:
    return (
        "design: {kind: grid} | {kind: random, samples: N, seed: S} | {kind: lhs, samples: N, seed: S} "
        "| {kind: oat, baseline: {dimension: label}}"
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- plans ----------------------------------------------------------------------------------------------
class Plan(Protocol):
    """A numbered list of grid points, each computed from its number."""

    def __len__(self) -> int: ...

    def point(self, index: int) -> tuple[int, ...]:
        """The level index of each dimension at point ``index``."""
        ...


def make_plan(design: Design, dimensions: Mapping[str, Sequence[Label]]) -> Plan:
    """The plan of ``design`` over dimensions given as their level labels, in grid order."""
    shape = tuple(len(labels) for labels in dimensions.values())
    if design.kind == "random":
        return RandomPlan(shape, int(design.samples or 0), design.seed)
    if design.kind == "lhs":
        return LatinHypercubePlan(list(dimensions.values()), int(design.samples or 0), design.seed)
    if design.kind == "oat":
        return OneAtATimePlan(shape, _baseline(design, dimensions))
    return GridPlan(shape)


def _baseline(design: Design, dimensions: Mapping[str, Sequence[Label]]) -> tuple[int, ...]:
    """The baseline's level index per dimension (the first level unless the design names one)."""
    unknown = sorted(set(design.baseline) - set(dimensions))
    if unknown:
        raise InputError(
            f"unknown baseline dimension(s) {', '.join(map(repr, unknown))}",
            where="sweep spec: design.baseline",
            hint=f"dimensions: {', '.join(dimensions)}",
        )
    out = []
    for name, labels in dimensions.items():
        if name not in design.baseline:
            out.append(0)
            continue
        wanted = design.baseline[name]
        found = [i for i, label in enumerate(labels) if label == wanted or str(label) == str(wanted)]
        if not found:
            raise InputError(
                f"baseline {name}={wanted!r} is not one of its levels",
                where=f"sweep spec: design.baseline.{name}",
                hint=f"levels: {', '.join(map(str, labels[:20]))}{' …' if len(labels) > 20 else ''}",
            )
        out.append(found[0])
    return tuple(out)


def _check(index: int, size: int) -> None:
    if not 0 <= index < size:
        raise IndexError(f"variant {index} outside 0..{size - 1}")


def _rng(seed: int, *parts: Any) -> random.Random:
    """An independent stream for (seed, parts), derived with SHA-256 (stable across processes)."""
    text = json.dumps([seed, *parts], separators=(",", ":"))
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big"))


@dataclass(frozen=True)
class GridPlan:
    """Every combination, row-major over the dimensions (the last fastest)."""

    shape: tuple[int, ...]

    def __len__(self) -> int:
        return math.prod(self.shape)

    def point(self, index: int) -> tuple[int, ...]:
        """Mixed-radix digits of ``index``."""
        _check(index, len(self))
        out = []
        rest = index
        for k in reversed(self.shape):
            rest, i = divmod(rest, k)
            out.append(i)
        return tuple(reversed(out))


@dataclass(frozen=True)
class RandomPlan:
    """``samples`` points drawn uniformly, each from its own seeded stream."""

    shape: tuple[int, ...]
    samples: int
    seed: int

    def __len__(self) -> int:
        return self.samples

    def point(self, index: int) -> tuple[int, ...]:
        """One uniform draw per dimension."""
        _check(index, self.samples)
        rng = _rng(self.seed, "random", index)
        return tuple(rng.randrange(k) for k in self.shape)


class LatinHypercubePlan:
    """A Latin hypercube: each numeric dimension stratified into ``samples`` strata, each hit once."""

    def __init__(self, dimensions: Sequence[Sequence[Label]], samples: int, seed: int) -> None:
        self.samples = samples
        self.seed = seed
        self.shape = tuple(len(labels) for labels in dimensions)
        #: For a numeric dimension, its level indices in ascending order of value (else None).
        self.order: tuple[tuple[int, ...] | None, ...] = tuple(
            tuple(sorted(range(len(labels)), key=lambda i: int(labels[i])))
            if all(_is_int(label) for label in labels)
            else None
            for labels in dimensions
        )
        self._perms: dict[int, array[int]] = {}

    def __len__(self) -> int:
        return self.samples

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_perms": {}}  # rebuilt where needed, never shipped

    def _perm(self, dim: int) -> array[int]:
        """The stratum of every sample in dimension ``dim``: a seeded shuffle of 0..samples-1."""
        perm = self._perms.get(dim)
        if perm is None:
            perm = array("I", range(self.samples))
            _rng(self.seed, "lhs", dim).shuffle(perm)
            self._perms[dim] = perm
        return perm

    def point(self, index: int) -> tuple[int, ...]:
        """A numeric level from a uniform draw inside the sample's stratum; a categorical one by cycling."""
        _check(index, self.samples)
        rng = _rng(self.seed, "lhs-point", index)
        out = []
        for dim, k in enumerate(self.shape):
            if k == 1:
                out.append(0)
                continue
            stratum = self._perm(dim)[index]
            order = self.order[dim]
            if order is None:
                out.append(stratum % k)
            else:
                u = (stratum + rng.random()) / self.samples  # uniform in the stratum [s/n, (s+1)/n)
                out.append(order[min(k - 1, int(u * k))])
        return tuple(out)


@dataclass(frozen=True)
class OneAtATimePlan:
    """The baseline, then every other level of each dimension with the others at the baseline."""

    shape: tuple[int, ...]
    baseline: tuple[int, ...]

    def __len__(self) -> int:
        return 1 + sum(k - 1 for k in self.shape)

    def point(self, index: int) -> tuple[int, ...]:
        """Point 0 is the baseline; then each dimension's other levels in order."""
        _check(index, len(self))
        if index == 0:
            return self.baseline
        rest = index - 1
        for dim, k in enumerate(self.shape):
            if rest < k - 1:
                level = rest if rest < self.baseline[dim] else rest + 1
                return (*self.baseline[:dim], level, *self.baseline[dim + 1 :])
            rest -= k - 1
        raise AssertionError("unreachable: index checked against the plan's length")
