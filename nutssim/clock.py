"""The simulated clock: the only source of "now" in a simulation (ARCHITECTURE principle 6)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: 2025-01-01T00:00:00Z. Every simulation starts here unless told otherwise.
DEFAULT_START = 1735689600


@dataclass
class SimClock:
    """Whole-second simulated time that only moves when ``advance`` is called."""

    start: int = DEFAULT_START
    _now: int = field(init=False)

    def __post_init__(self) -> None:
        self._now = int(self.start)

    def now(self) -> int:
        """Return the current simulated time in epoch seconds."""
        return self._now

    def advance(self, seconds: float) -> int:
        """Move time forward by ``seconds`` (never backwards) and return the new now."""
        if seconds < 0:
            raise ValueError("the simulated clock only moves forward; use a skewed view instead")
        self._now += int(seconds)
        return self._now

    def skewed(self, offset: int) -> SkewedClock:
        """Return a view of this clock that runs ``offset`` seconds ahead (negative: behind)."""
        return SkewedClock(self, offset)


@dataclass
class SkewedClock:
    """A party's own view of the simulation clock, off by a fixed number of seconds."""

    base: SimClock
    offset: int = 0

    def now(self) -> int:
        """Return the base clock's now plus this view's offset."""
        return self.base.now() + self.offset


Clock = SimClock | SkewedClock
