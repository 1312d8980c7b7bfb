"""Typed worlds: what a built scenario holds, one class per scenario family.

A world is a simulation, the parties a scenario put in it (as attributes, typed) and a
``start()`` that begins the scenario's flow. Every family shares the base: ``World`` (the
simulation and how to start), then ``NodesWorld`` (a GP node asking a hospital node, with
the register, the GP's EHR and the hospital's API), and per family ``S2SWorld``,
``UserWorld`` (adds the browser) and ``TrustWorld`` (adds who was replaced or brought in).

``world["requester"]`` still reads a part for one release (deprecated: use
``world.requester``).
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from types import CodeType, MappingProxyType
from typing import Any, ClassVar

from nutssim.errors import InputError, did_you_mean
from nutssim.parties.browser import Browser
from nutssim.parties.ehr import EHR
from nutssim.parties.issuer import Issuer
from nutssim.parties.node import Node, Subject
from nutssim.parties.resource_server import ResourceServer
from nutssim.simulation import FlowRun, Simulation


@dataclass(kw_only=True)
class World:
    """A built scenario: the simulation, how to start its flow, and the options it starts with."""

    name: str
    sim: Simulation
    starter: Callable[..., FlowRun]
    options: dict[str, Any] = field(default_factory=dict)

    #: The fields of the base that are not parts (parties) of the scenario.
    _NOT_PARTS: ClassVar[frozenset[str]] = frozenset({"name", "sim", "starter", "options"})

    def start(self, **overrides: Any) -> FlowRun:
        """Start the scenario's flow; ``overrides`` change its options (``dpop=False``, …)."""
        accepted = _keywords(self.starter)
        unknown = sorted(set(overrides) - accepted) if accepted is not None else []
        if unknown:
            raise InputError(
                f"{self.name!r} cannot start with {', '.join(unknown)}",
                hint=did_you_mean(unknown[0], sorted(accepted or ())),
            )
        return self.starter(**{**self.options, **overrides})

    def run(self, **overrides: Any) -> FlowRun:
        """Start the flow and run it to the end."""
        flow = self.start(**overrides)
        flow.finish()
        return flow

    @classmethod
    def part_names(cls) -> tuple[str, ...]:
        """The names of this family's parts, in declaration order."""
        return tuple(f.name for f in fields(cls) if f.name not in cls._NOT_PARTS)

    @property
    def parts(self) -> Mapping[str, Any]:
        """The parts by name, read-only (deprecated: read the attributes)."""
        return MappingProxyType(
            {n: getattr(self, n) for n in self.part_names() if getattr(self, n) is not None}
        )

    def __getitem__(self, name: str) -> Any:
        """``world["requester"]``: the part ``name`` (deprecated for one release: use ``world.requester``)."""
        warnings.warn(f'world["{name}"] is deprecated; use world.{name}', DeprecationWarning, stacklevel=2)
        if name in self.parts:
            return self.parts[name]
        # A KeyError, as the old dict gave, with a hint at what the family has.
        raise KeyError(f"{name!r} is not a part of {self.name!r} ({did_you_mean(name, self.parts)})")


def _keywords(function: Callable[..., Any]) -> frozenset[str] | None:
    """The keyword arguments ``function`` takes, or None when it takes any (``**kwargs``)."""
    code = getattr(function, "__code__", None)
    if isinstance(code, CodeType) and not hasattr(function, "__wrapped__"):
        return _code_keywords(code)  # a plain function (each world's starter): read once per def
    parameters = inspect.signature(function).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))


@lru_cache(maxsize=256)
def _code_keywords(code: CodeType) -> frozenset[str] | None:
    """What ``inspect.signature`` says of a plain function, from its code (0.1 ms a flow, issue #23)."""
    if code.co_flags & inspect.CO_VARKEYWORDS:
        return None
    return frozenset(code.co_varnames[code.co_posonlyargcount : code.co_argcount + code.co_kwonlyargcount])


@dataclass(kw_only=True)
class NodesWorld(World):
    """The two-node set-up every family shares: a GP node asks a hospital node for data."""

    register: Issuer  # the Zorgregister, issuer of the GP's NutsOrganizationCredential
    requester: Subject  # the GP practice (client, wallet holder)
    authorization_server: Subject  # the hospital (authorization server, verifier)
    requester_node: Node
    authorization_server_node: Node
    ehr: EHR  # the GP's EHR, which asks its node for tokens
    resource_server: ResourceServer  # the hospital's API


@dataclass(kw_only=True)
class S2SWorld(NodesWorld):
    """A service-to-service (Nuts RFC021) world."""


@dataclass(kw_only=True)
class UserWorld(NodesWorld):
    """A user-flow (OpenID4VP) world: the two nodes and the employee's browser."""

    browser: Browser


@dataclass(kw_only=True)
class TrustWorld(S2SWorld):
    """An s2s world with one trust fact changed; the parts it adds are None where it adds none."""

    registered_requester: Subject | None = None  # the registered practice, when another subject asks
    other_register: Issuer | None = None  # a second register the PD's issuer pattern does not name
