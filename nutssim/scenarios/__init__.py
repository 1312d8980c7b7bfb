"""Named, seeded set-ups used by notebooks, the CLI, the catalogue and tests.

A scenario builds a *world*: a simulation with its parties, and a ``start()`` that
begins the scenario's flow (a ``FlowRun`` to step or finish). Building and starting
are separate so a failure case can change the world (a credential, a clock, an
interceptor) before the flow begins.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nutssim.errors import InputError, did_you_mean
from nutssim.profiles import Profile
from nutssim.simulation import FlowRun, Simulation


@dataclass
class World:
    """A built scenario: the simulation, its named parts, and how to start its flow."""

    name: str
    sim: Simulation
    parts: dict[str, Any]
    starter: Callable[..., FlowRun]
    options: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.parts[name]

    def start(self, **overrides: Any) -> FlowRun:
        """Start the scenario's flow; ``overrides`` change its options (``dpop=False``, …)."""
        return self.starter(**{**self.options, **overrides})

    def run(self, **overrides: Any) -> FlowRun:
        """Start the flow and run it to the end."""
        flow = self.start(**overrides)
        flow.finish()
        return flow


@dataclass(frozen=True)
class ScenarioSpec:
    """A registered scenario: its name, a one-line description and its builder."""

    name: str
    description: str
    builder: Callable[..., World]
    flow: str = "s2s"


SCENARIOS: dict[str, ScenarioSpec] = {}


def register(
    name: str, description: str, flow: str = "s2s"
) -> Callable[[Callable[..., World]], Callable[..., World]]:
    """Decorator: register a world builder under ``name``."""

    def wrap(builder: Callable[..., World]) -> Callable[..., World]:
        SCENARIOS[name] = ScenarioSpec(name, description, builder, flow)
        return builder

    return wrap


def build(name: str, seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> World:
    """Build the world of scenario ``name``."""
    _load_all()
    spec = SCENARIOS.get(name)
    if spec is None:
        raise InputError(f"unknown scenario {name!r}", hint=did_you_mean(name, SCENARIOS))
    try:
        world = spec.builder(seed=seed, profile=profile, **options)
    except TypeError as exc:
        bad = re.search(r"unexpected keyword argument '(\w+)'", str(exc))
        if bad is None or bad.group(1) not in options:
            raise
        known = options_of(spec.builder)
        raise InputError(
            f"scenario {name!r} has no option {bad.group(1)!r}",
            hint=did_you_mean(bad.group(1), known) if known else "",
        ) from None
    world.name = name  # a builder shared by several scenarios names its world after the first
    world.sim.trace.meta["scenario"] = name
    return world


def run(name: str, seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> World:
    """Build scenario ``name`` and run its flow to the end."""
    world = build(name, seed, profile, **options)
    world.run()
    return world


def options_of(builder: Callable[..., World]) -> set[str]:
    """The keyword options a scenario builder takes: its own and those of the world function it calls."""
    called = [builder.__globals__.get(n) for n in builder.__code__.co_names]
    found: set[str] = set()
    for function in (builder, *called):
        if inspect.isfunction(function) and function.__module__.startswith(__name__):
            parameters = inspect.signature(function).parameters.values()
            found |= {p.name for p in parameters if p.kind is p.KEYWORD_ONLY}
    return found


def names() -> list[str]:
    """Every registered scenario name."""
    _load_all()
    return sorted(SCENARIOS)


def _load_all() -> None:
    from nutssim.scenarios import (
        s2s,  # noqa: F401  (registers on import)
        trust,  # noqa: F401  (registers on import)
        user,  # noqa: F401  (registers on import)
    )
