"""The scenario registry: each scenario's builder and declared options; build, run and list them."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from nutssim.errors import InputError, did_you_mean
from nutssim.profiles import Profile
from nutssim.scenarios import options as _options
from nutssim.scenarios.options import Option
from nutssim.scenarios.world import World


@dataclass(frozen=True)
class ScenarioSpec:
    """A registered scenario: its name, a one-line description, its builder and its declared options."""

    name: str
    description: str
    builder: Callable[..., World]
    flow: str = "s2s"
    options: tuple[Option, ...] = ()
    #: Importable packages the scenario cannot run without (e.g. ``cryptography`` for X.509).
    needs: tuple[str, ...] = ()


#: Every scenario by name; filled when this package is imported (the families register below).
SCENARIOS: dict[str, ScenarioSpec] = {}


def register(
    name: str,
    description: str,
    flow: str = "s2s",
    *,
    options: Iterable[Option] = (),
    needs: Iterable[str] = (),
) -> Callable[[Callable[..., World]], Callable[..., World]]:
    """Decorator: register a world builder under ``name``; it is called with every declared option."""
    table = tuple(options)
    if len({o.name for o in table}) != len(table):
        raise InputError(f"scenario {name!r} declares an option twice")

    def wrap(builder: Callable[..., World]) -> Callable[..., World]:
        SCENARIOS[name] = ScenarioSpec(name, description, builder, flow, table, tuple(needs))
        return builder

    return wrap


def spec(name: str) -> ScenarioSpec:
    """The registered scenario ``name``, or an InputError with a did-you-mean hint."""
    found = SCENARIOS.get(name)
    if found is None:
        raise InputError(f"unknown scenario {name!r}", hint=did_you_mean(name, SCENARIOS))
    return found


def options(name: str) -> list[Option]:
    """The options scenario ``name`` declares, in declaration order."""
    return list(spec(name).options)


def parse_option(name: str, key: str, text: str) -> Any:
    """The value of ``--option KEY=VALUE`` for scenario ``name``, in the option's declared type."""
    return _options.find(spec(name).options, key, name).parse(text, name)


def build(name: str, seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> World:
    """Build the world of scenario ``name``; unknown options and ill-typed values are an InputError."""
    found = spec(name)
    resolved = _options.resolve(found.options, options, name)
    world = found.builder(seed=seed, profile=profile, **resolved)
    world.name = name  # a builder shared by several scenarios names its world after the first
    world.sim.trace.meta["scenario"] = name
    return world


def run(name: str, seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> World:
    """Build scenario ``name`` and run its flow to the end."""
    world = build(name, seed, profile, **options)
    world.run()
    return world


def options_of(name: str) -> set[str]:
    """The names of the options scenario ``name`` takes (deprecated: use ``options(name)``)."""
    warnings.warn("options_of is deprecated; use options(name)", DeprecationWarning, stacklevel=2)
    return {o.name for o in options(name)}


def names() -> list[str]:
    """Every registered scenario name."""
    return sorted(SCENARIOS)
