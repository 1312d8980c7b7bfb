"""nutssim: the Nuts OAuth2 access-token flows and their wallets, simulated in one process.

The public API, as notebooks use it::

    import nutssim as ns

    world = ns.scenarios.build("s2s", seed=7)
    flow = world.start()
    flow.step()                      # deliver one message
    flow.finish()
    ns.views.draw_sequence(world.sim.trace)

Every public name is imported on first use (``views`` pulls in matplotlib and ipywidgets).
"""

from __future__ import annotations

import importlib
import typing
from typing import Any

if typing.TYPE_CHECKING:  # the names for type checkers; at run time each is imported on first use
    from nutssim import catalogue, scenarios, views
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

#: Where each public name lives: (module, attribute or None for the module itself). Imported on
#: first use, so ``nutssim --help`` does not pay for the simulation, pydantic or jsonschema.
_LAZY: dict[str, tuple[str, str | None]] = {
    "CONTROLS": ("nutssim.profiles", "CONTROLS"),
    "PROFILES": ("nutssim.profiles", "PROFILES"),
    "Profile": ("nutssim.profiles", "Profile"),
    "FlowRun": ("nutssim.simulation", "FlowRun"),
    "Simulation": ("nutssim.simulation", "Simulation"),
    "Trace": ("nutssim.trace", "Trace"),
    "policy": ("nutssim.specs.nuts_policy", None),
    "catalogue": ("nutssim.catalogue", None),
    "scenarios": ("nutssim.scenarios", None),
    "views": ("nutssim.views", None),
    **{name: ("nutssim.errors", name) for name in (
        "InputError", "NutsSimError", "OAuthError", "ProtocolError", "SimulationError"
    )},
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module_name, attribute = _LAZY[name]
        module = importlib.import_module(module_name)
        value = module if attribute is None else getattr(module, attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nutssim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
