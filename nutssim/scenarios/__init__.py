"""Named, seeded set-ups used by notebooks, the CLI, the catalogue and tests.

A scenario builds a *world* (``nutssim.scenarios.world``): a simulation with its parties as
typed attributes, and a ``start()`` that begins the scenario's flow (a ``FlowRun`` to step
or finish). Building and starting are separate so a failure case can change the world (a
credential, a clock, an interceptor) before the flow begins. Each scenario declares its
options as data (``options(name)``); ``build`` accepts those and no others.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from nutssim.scenarios.options import Option
from nutssim.scenarios.registry import FAMILIES as _FAMILIES
from nutssim.scenarios.registry import (
    SCENARIOS,
    ScenarioSpec,
    build,
    names,
    options,
    options_of,
    parse_option,
    register,
    run,
    spec,
)

if TYPE_CHECKING:
    from nutssim.scenarios.world import NodesWorld, S2SWorld, TrustWorld, UserWorld, World

__all__ = [
    "SCENARIOS",
    "NodesWorld",
    "Option",
    "S2SWorld",
    "ScenarioSpec",
    "TrustWorld",
    "UserWorld",
    "World",
    "build",
    "names",
    "options",
    "options_of",
    "parse_option",
    "register",
    "run",
    "spec",
]

#: The world classes, imported on first use: ``world`` pulls in the whole party stack (issue #23).
_WORLDS = ("NodesWorld", "S2SWorld", "TrustWorld", "UserWorld", "World")


def __getattr__(name: str) -> Any:
    """A world class or a family module, imported when first asked for (PEP 562)."""
    if name in _WORLDS:
        return getattr(import_module("nutssim.scenarios.world"), name)
    if name in _FAMILIES:  # a family module (``scenarios.s2s`` …), imported like the specs it registers
        return import_module(f"nutssim.scenarios.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
