"""Expiring stores: ttl semantics on the simulated clock, GetAndDelete, bounded memory."""

from __future__ import annotations

import pytest

from nutssim.errors import SimulationError
from nutssim.stores import ExpiringMap, ExpiringSet

T0 = 1_735_689_600


def test_set_add_reports_replay_until_ttl_passes():
    seen = ExpiringSet[str](10)
    assert seen.add("n1", T0)
    assert not seen.add("n1", T0 + 9)  # replay inside the window
    assert seen.seen("n1", T0 + 9)
    assert not seen.seen("n1", T0 + 10)  # live on [t, t + ttl)
    assert seen.add("n1", T0 + 10)  # expired: may be added again


def test_set_replay_does_not_extend_expiry():
    seen = ExpiringSet[str](10)
    seen.add("n1", T0)
    seen.add("n1", T0 + 5)
    assert not seen.seen("n1", T0 + 10)


def test_set_per_entry_ttl_and_discard():
    seen = ExpiringSet[str](10)
    seen.add("short", T0, ttl=1)
    seen.add("long", T0)
    assert not seen.seen("short", T0 + 1)
    assert seen.seen("long", T0 + 1)
    seen.discard("long")
    assert not seen.seen("long", T0 + 1)
    assert seen.ttl == 10


def test_map_get_put_pop():
    sessions = ExpiringMap[str, dict](60)
    sessions.put("s", {"client": "b"}, T0)
    assert sessions.get("s", T0 + 59) == {"client": "b"}
    assert sessions.get("s", T0 + 60) is None
    assert sessions.get("s", T0 + 60, {}) == {}
    assert sessions.pop("s", T0 + 1) == {"client": "b"}
    assert sessions.pop("s", T0 + 1) is None  # GetAndDelete: single use
    assert not sessions.contains("s", T0 + 1)


def test_map_pop_of_expired_entry_returns_default_and_removes_it():
    codes = ExpiringMap[str, str](60)
    codes.put("c", "session", T0)
    assert codes.pop("c", T0 + 61, "gone") == "gone"
    assert len(codes) == 0


def test_map_overwrite_renews_expiry_and_stale_record_is_harmless():
    store = ExpiringMap[str, int](10)
    store.put("k", 1, T0)
    store.put("k", 2, T0 + 8)
    assert store.purge(T0 + 10) == 0  # the first record is stale, the key lives on
    assert store.get("k", T0 + 17) == 2
    assert store.purge(T0 + 18) == 1
    assert len(store) == 0


def test_purge_drops_only_expired():
    store = ExpiringMap[int, int](10)
    for i in range(5):
        store.put(i, i, T0 + i)
    assert store.purge(T0 + 12) == 3
    assert sorted(store) == [3, 4]


def test_memory_stays_bounded_over_many_flows():
    # 10,000 flows, one nonce each, a second apart: only the last ttl's worth stays held.
    seen = ExpiringSet[str](10)
    for i in range(10_000):
        seen.add(f"nonce-{i}", T0 + i)
    assert len(seen) <= 10
    assert len(seen._map._expiries) <= 64 + 2 * 10


def test_heap_stays_bounded_under_overwrites_and_pops():
    store = ExpiringMap[str, int](1_000)
    for i in range(10_000):
        store.put("same", i, T0)  # overwrites at one instant leave stale records
        store.put(f"k{i}", i, T0)
        store.pop(f"k{i}", T0)
    assert len(store) == 1
    assert len(store._expiries) <= 64 + 2 * len(store) + 2


def test_ttl_must_be_positive():
    with pytest.raises(SimulationError):
        ExpiringSet(0)


def test_repr_hides_contents():
    store = ExpiringMap[str, str](5)
    store.put("secret-token", "v", T0)
    assert "secret" not in repr(store)
    assert repr(ExpiringSet(5)) == "ExpiringSet(ttl=5, size=0)"
