"""Profiles and control switches: names are checked, controls switch off one at a time, labels show it."""

from __future__ import annotations

import pytest

from nutssim.errors import InputError, SimulationError
from nutssim.profiles import CONTROLS, PROFILES, Profile, as_profile
from nutssim.simulation import Simulation


def test_default_profile_is_nuts_node_with_every_control_on():
    """The default profile is ``nuts-node`` and every control is on."""
    profile = Profile()
    assert profile.name == "nuts-node" and not profile.strict
    assert all(profile.on(control) for control in CONTROLS)
    assert PROFILES == ("nuts-node", "nuts-node-gf", "strict")


def test_strict_profile():
    """``strict`` is a known profile and says so."""
    assert Profile("strict").strict


def test_unknown_profile_is_an_input_error_with_hint():
    """An unknown profile name raises ``InputError`` naming the known ones."""
    with pytest.raises(InputError, match="unknown profile 'lenient'") as info:
        Profile("lenient")
    assert info.value.hint == "use one of nuts-node, nuts-node-gf, strict"
    assert isinstance(info.value, SimulationError)
    with pytest.raises(InputError):
        Simulation(profile="lenient")


def test_unknown_control_is_an_input_error_with_hint():
    """Unknown control names in ``controls`` or ``without`` raise ``InputError`` listing the known ones."""
    with pytest.raises(InputError, match="unknown control") as info:
        Profile(controls={"dpop_requried": False})
    assert "dpop_required" in info.value.hint
    with pytest.raises(InputError, match="pkce_x"):
        Profile().without("pkce", "pkce_x")


def test_asking_for_an_unknown_control_is_an_input_error():
    """``on`` with a misspelt control name raises ``InputError`` with a hint, like every other place."""
    with pytest.raises(InputError, match="unknown control 'pkec'") as info:
        Profile().on("pkec")
    assert "pkce" in info.value.hint


def test_without_switches_controls_off_and_leaves_the_original():
    """``without`` returns a new profile with those controls off; the original is unchanged."""
    base = Profile("strict")
    weaker = base.without("pkce", "dpop_required")
    assert not weaker.on("pkce") and not weaker.on("dpop_required") and weaker.on("vp_audience")
    assert weaker.name == "strict"
    assert base.on("pkce")
    assert not weaker.without("vp_audience").on("pkce")


def test_label_lists_switched_off_controls_sorted():
    """The label is the name plus ``-control`` for every control switched off, sorted."""
    assert Profile().label == "nuts-node"
    assert Profile().without("pkce", "dpop_required").label == "nuts-node -dpop_required -pkce"
    assert Profile(controls={"pkce": True}).label == "nuts-node"


def test_as_profile_accepts_names_objects_and_none():
    """``as_profile`` takes a name, a profile or None (the default)."""
    strict = Profile("strict")
    assert as_profile(strict) is strict
    assert as_profile("strict") == strict
    assert as_profile(None) == Profile()


def test_simulation_records_the_profile_label():
    """The simulation's trace carries the profile label and seed."""
    sim = Simulation(seed=3, profile=Profile().without("pkce"))
    assert sim.trace.meta["profile"] == "nuts-node -pkce"
    assert sim.trace.meta["seed"] == 3
    assert not sim.profile.on("pkce")


def test_every_control_is_documented():
    """Every control says what it protects."""
    assert all(isinstance(text, str) and len(text) > 10 for text in CONTROLS.values())


def test_a_control_value_must_be_a_boolean():
    from nutssim.errors import InputError
    from nutssim.profiles import Profile

    with pytest.raises(InputError, match="control 'pkce' is 'off'; a control is switched with True"):
        Profile("nuts-node", controls={"pkce": "off"})
