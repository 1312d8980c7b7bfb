"""Shared fixtures: a seeded simulation and did:web hosts with identities on its network."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nutssim.parties.identity import DidWebHost, Identity
from nutssim.simulation import Simulation

SEED = 42


@pytest.fixture
def sim() -> Simulation:
    """A fresh simulation with seed 42 under the default (nuts-node) profile."""
    return Simulation(seed=SEED)


@pytest.fixture
def make_host(sim: Simulation) -> Callable[..., DidWebHost]:
    """Return a factory that puts a ``DidWebHost`` on the simulation's network."""

    def make(host: str = "https://node-a.example", id: str | None = None) -> DidWebHost:
        party_id = id or sim.unique_id(host.split("://", 1)[-1].split(".", 1)[0])
        return sim.add(DidWebHost(party_id, party_id, host))

    return make


@pytest.fixture
def make_identity(sim: Simulation, make_host: Callable[..., DidWebHost]) -> Callable[..., Identity]:
    """Return a factory for a fresh did:web identity served by the host at ``host`` (created if needed)."""

    def make(host: str = "https://node-a.example", alg: str = "ES256") -> Identity:
        party = sim.network.party_at(host) or make_host(host)
        assert isinstance(party, DidWebHost), f"{host} is taken by a {type(party).__name__}"
        identity = party.new_identity(sim.rng, alg)
        sim.describe(party)
        return identity

    return make
