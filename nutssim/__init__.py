"""nutssim: the Nuts OAuth2 access-token flows and their wallets, simulated in one process.

The public API, as notebooks use it::

    import nutssim as ns

    world = ns.scenarios.build("s2s", seed=7)
    flow = world.start()
    flow.step()                      # deliver one message
    flow.finish()
    ns.views.draw_sequence(world.sim.trace)

``views`` is imported on first use (it pulls in matplotlib and ipywidgets).
"""

from __future__ import annotations

import importlib
from typing import Any

from nutssim import catalogue, scenarios
from nutssim.errors import InputError, NutsSimError, OAuthError, ProtocolError, SimulationError
from nutssim.profiles import CONTROLS, PROFILES, Profile
from nutssim.simulation import FlowRun, Simulation
from nutssim.specs import nuts_policy as policy
from nutssim.trace import Trace

__version__ = "0.1.0"

__all__ = [
    "CONTROLS",
    "PROFILES",
    "FlowRun",
    "InputError",
    "NutsSimError",
    "OAuthError",
    "Profile",
    "ProtocolError",
    "Simulation",
    "SimulationError",
    "Trace",
    "catalogue",
    "policy",
    "scenarios",
    "views",
]

_LAZY = {"views": "nutssim.views"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'nutssim' has no attribute {name!r}")
