"""Expiring in-memory stores for nonces, jti values, sessions and codes, on the simulated clock.

The reference keeps these in TTL stores (PROTOCOL.md §0 "Timers"): the s2s nonce store
(10 s), the DPoP jti store (15 min), OAuth sessions and codes (1 min, GetAndDelete).
An entry put at ``now`` with time-to-live ``ttl`` is live while ``now < put + ttl``.

Time never comes from the wall clock: every call takes ``now`` (ARCHITECTURE principle 6).
Expired entries are dropped as a side effect of every write (amortised O(log n)), so a
store's memory stays bounded by its live entries even when thousands of flows run.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

from nutssim.errors import SimulationError

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ExpiringMap(Generic[K, V]):
    """A key-value store whose entries vanish ``ttl`` seconds after they were put."""

    def __init__(self, ttl: int) -> None:
        if ttl <= 0:
            raise SimulationError(f"an expiring store needs a positive ttl, got {ttl!r}")
        self.ttl = int(ttl)
        self._entries: dict[K, tuple[int, V]] = {}
        # Min-heap of (expiry, sequence, key); the sequence breaks ties between unorderable keys.
        self._expiries: list[tuple[int, int, K]] = []
        self._sequence = itertools.count()

    def put(self, key: K, value: V, now: int, *, ttl: int | None = None) -> None:
        """Store ``value`` under ``key`` until ``now + ttl``, replacing any earlier entry."""
        self.purge(now)
        expiry = int(now) + (self.ttl if ttl is None else int(ttl))
        self._entries[key] = (expiry, value)
        heapq.heappush(self._expiries, (expiry, next(self._sequence), key))

    def get(self, key: K, now: int, default: V | None = None) -> V | None:
        """Return the live value under ``key``, or ``default``."""
        entry = self._entries.get(key)
        if entry is None or entry[0] <= now:
            return default
        return entry[1]

    def pop(self, key: K, now: int, default: V | None = None) -> V | None:
        """Remove and return the live value under ``key`` (the reference's GetAndDelete)."""
        entry = self._entries.pop(key, None)
        self.purge(now)
        if entry is None or entry[0] <= now:
            return default
        return entry[1]

    def contains(self, key: K, now: int) -> bool:
        """Return whether ``key`` holds a live entry at ``now``."""
        entry = self._entries.get(key)
        return entry is not None and entry[0] > now

    def discard(self, key: K) -> None:
        """Forget ``key`` whether or not it is live."""
        self._entries.pop(key, None)

    def values(self) -> list[V]:
        """Every stored value, live or not yet purged, in insertion order (for exports)."""
        return [value for _, value in self._entries.values()]

    def purge(self, now: int) -> int:
        """Drop every entry expired at ``now``; return how many were dropped."""
        dropped = 0
        while self._expiries and self._expiries[0][0] <= now:
            expiry, _, key = heapq.heappop(self._expiries)
            entry = self._entries.get(key)
            # A key put again later has a newer expiry: its old heap record is stale.
            if entry is not None and entry[0] == expiry:
                del self._entries[key]
                dropped += 1
        self._compact()
        return dropped

    def _compact(self) -> None:
        """Rebuild the heap when stale records (from overwrites and pops) dominate it."""
        if len(self._expiries) > 64 and len(self._expiries) > 2 * len(self._entries):
            self._expiries = [
                (expiry, next(self._sequence), key) for key, (expiry, _) in self._entries.items()
            ]
            heapq.heapify(self._expiries)

    def __len__(self) -> int:
        """Return the number of entries held, including expired ones not yet purged."""
        return len(self._entries)

    def __iter__(self) -> Iterator[K]:
        """Iterate over held keys (call ``purge`` first to see only live ones)."""
        return iter(list(self._entries))

    def __repr__(self) -> str:
        """Show the ttl and size, not the contents (they may be secrets)."""
        return f"{type(self).__name__}(ttl={self.ttl}, size={len(self)})"


class ExpiringSet(Generic[K]):
    """A set whose members vanish ``ttl`` seconds after they were added: a replay store."""

    def __init__(self, ttl: int) -> None:
        self._map: ExpiringMap[K, None] = ExpiringMap(ttl)

    @property
    def ttl(self) -> int:
        """Seconds a member stays in the set."""
        return self._map.ttl

    def add(self, key: K, now: int, *, ttl: int | None = None) -> bool:
        """Add ``key``; return False (and keep its old expiry) if it is already a live member."""
        if self._map.contains(key, now):
            return False
        self._map.put(key, None, now, ttl=ttl)
        return True

    def seen(self, key: K, now: int) -> bool:
        """Return whether ``key`` is a live member at ``now``."""
        return self._map.contains(key, now)

    def discard(self, key: K) -> None:
        """Forget ``key``."""
        self._map.discard(key)

    def purge(self, now: int) -> int:
        """Drop every member expired at ``now``; return how many were dropped."""
        return self._map.purge(now)

    def __len__(self) -> int:
        """Return the number of members held, including expired ones not yet purged."""
        return len(self._map)

    def __iter__(self) -> Iterator[K]:
        """Iterate over held members."""
        return iter(self._map)

    def __repr__(self) -> str:
        """Show the ttl and size."""
        return f"ExpiringSet(ttl={self.ttl}, size={len(self)})"


__all__ = ["ExpiringMap", "ExpiringSet"]
