"""The simulation: owns the clock, the random source, the network, the trace and the profile."""

from __future__ import annotations

from typing import Any, TypeVar

from nutssim.clock import DEFAULT_START, SimClock
from nutssim.errors import SimulationError
from nutssim.network import Network, Run
from nutssim.parties.base import Party, Process
from nutssim.profiles import Profile, as_profile
from nutssim.rng import SimRandom
from nutssim.trace import PartyInfo, Trace

P = TypeVar("P", bound=Party)


class Simulation:
    """One seeded, deterministic world of parties exchanging real protocol messages."""

    def __init__(
        self,
        seed: int = 0,
        profile: str | Profile = "nuts-node",
        *,
        start: int = DEFAULT_START,
        raise_party_exceptions: bool = False,
    ) -> None:
        self.seed = seed
        self.profile = as_profile(profile)
        self.clock = SimClock(start)
        self.rng = SimRandom(seed)
        self.trace = Trace()
        self.trace.meta.update(seed=seed, profile=self.profile.label, scenario=None)
        self.network = Network(self)
        #: Let a party's unexpected exception out instead of answering 500 (for debugging).
        self.raise_party_exceptions = raise_party_exceptions
        self._parties: dict[str, Party] = {}

    # -- parties ---------------------------------------------------------------------------------
    def add(self, party: P) -> P:
        """Register a party: on the network at its host, and in the trace's party list."""
        if party.id in self._parties:
            raise SimulationError(f"a party with id {party.id!r} exists already; choose another name")
        self.network.register(party)
        self._parties[party.id] = party
        self.describe(party)
        return party

    def describe(self, party: Party, *, role: str | None = None, node: str = "") -> None:
        """(Re)write a party's entry in the trace (after it gained DIDs, say)."""
        self.trace.parties[party.id] = PartyInfo(party.id, party.name, role or party.role, party.host,
                                                 tuple(party.dids()), node)

    def party(self, id: str) -> Party:
        """Look up a party by id."""
        try:
            return self._parties[id]
        except KeyError:
            known = ", ".join(sorted(self._parties)) or "none yet"
            raise SimulationError(f"no party {id!r} in this simulation (known: {known})") from None

    @property
    def parties(self) -> list[Party]:
        """Every registered party."""
        return list(self._parties.values())

    def unique_id(self, base: str) -> str:
        """Return ``base``, or ``base-2``, ``base-3``… if taken."""
        candidate, n = base, 1
        while candidate in self._parties or candidate in self.trace.parties:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    # -- running -----------------------------------------------------------------------------------
    def start(self, process: Process, sender: str) -> Run:
        """Start a steppable run of a process on behalf of party id ``sender``."""
        return self.network.start(process, sender)

    def run(self, process: Process, sender: str) -> Any:
        """Run a process to its end and return its result."""
        return self.network.run(process, sender)
