"""The simulated clock: a fixed start, moves only when told, skewed views per party."""

from __future__ import annotations

import pytest

from nutssim.clock import DEFAULT_START, SimClock, SkewedClock
from nutssim.simulation import Simulation


def test_default_start_is_2025_01_01_utc():
    """A clock starts at 2025-01-01T00:00:00Z unless told otherwise."""
    assert DEFAULT_START == 1_735_689_600
    assert SimClock().now() == DEFAULT_START


def test_time_does_not_pass_by_itself():
    """Reading the clock never moves it."""
    clock = SimClock(100)
    assert [clock.now() for _ in range(3)] == [100, 100, 100]


def test_advance_moves_forward_and_returns_new_now():
    """``advance`` adds whole seconds and returns the new time."""
    clock = SimClock(100)
    assert clock.advance(5) == 105
    assert clock.advance(0) == 105
    assert clock.now() == 105


def test_advance_truncates_fractions():
    """Fractions of a second are dropped: the clock keeps whole seconds."""
    clock = SimClock(100)
    assert clock.advance(2.9) == 102


def test_advance_refuses_to_go_back():
    """The clock never moves backwards."""
    clock = SimClock(100)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)
    assert clock.now() == 100


def test_skewed_view_follows_its_base_with_an_offset():
    """A skewed view reads the base clock plus its offset, also after the base moves."""
    clock = SimClock(100)
    ahead, behind = clock.skewed(7), clock.skewed(-3)
    assert isinstance(ahead, SkewedClock)
    assert (ahead.now(), behind.now()) == (107, 97)
    clock.advance(10)
    assert (ahead.now(), behind.now()) == (117, 107)


def test_simulation_owns_one_clock_with_a_chosen_start():
    """A simulation's clock starts where it is told to."""
    assert Simulation(start=5_000).clock.now() == 5_000
    assert Simulation().clock.now() == DEFAULT_START
