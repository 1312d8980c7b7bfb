"""Named, seeded set-ups used by notebooks, the CLI, the catalogue and tests.

A scenario builds a *world* (``nutssim.scenarios.world``): a simulation with its parties as
typed attributes, and a ``start()`` that begins the scenario's flow (a ``FlowRun`` to step
or finish). Building and starting are separate so a failure case can change the world (a
credential, a clock, an interceptor) before the flow begins. Each scenario declares its
options as data (``options(name)``); ``build`` accepts those and no others.
"""

from __future__ import annotations

from nutssim.scenarios.options import Option
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

# The families register on import, so SCENARIOS is full as soon as this package is.
from nutssim.scenarios import jwt_bearer, pdp, pilot, s2s, status, trust, user, vci, x509  # noqa: F401
