"""FIDELITY.md client-side and internal-API rows: nuts-node reproduces the reference, strict the spec."""

from __future__ import annotations

import pytest

from nutssim.catalogue import case, run_case
from nutssim.profiles import Profile
from nutssim.scenarios import S2SWorld, build
from nutssim.scenarios.s2s import EMPLOYEE

PROFILES = ("nuts-node", "strict")


def _second_subject_flow(world: S2SWorld) -> tuple[bool, bool]:
    """The GP's run, then a credential-less second subject's identical request: (first, second) granted."""
    first = world.run().result
    second = world.requester_node.add_subject("Tandarts Noord", id="tandarts-noord")
    flow = world.sim.service_access(
        second, world.authorization_server, "eoverdracht", ehr=world.ehr, credentials=[EMPLOYEE]
    )
    result = flow.finish()
    assert first is not None and result is not None
    return first.granted, result.granted


@pytest.mark.parametrize("profile", PROFILES)
def test_client_token_cache_key(profile: str) -> None:
    """Row 'Client token cache key': the key includes the subject, so no token crosses subjects."""
    world = build("s2s", profile=profile)
    assert isinstance(world, S2SWorld)
    assert _second_subject_flow(world) == (True, False)


@pytest.mark.parametrize("profile", PROFILES)
def test_client_token_cache_key_still_hits_for_the_same_subject(profile: str) -> None:
    """The same subject's identical request is served from the cache: no second token request."""
    world = build("s2s", profile=profile)
    assert isinstance(world, S2SWorld)
    world.run()
    again = world.start().finish()
    assert again is not None and again.granted
    assert len(world.sim.trace.find("token request")) == 1


@pytest.mark.parametrize("profile", PROFILES)
def test_client_token_cache_key_control_off_leaks(profile: str) -> None:
    """With token_cache_subject_key off (the body-only key) the second subject gets the GP's token."""
    world = build("s2s", profile=Profile(profile).without("token_cache_subject_key"))
    assert isinstance(world, S2SWorld)
    assert _second_subject_flow(world) == (True, True)


@pytest.mark.parametrize("profile", PROFILES)
def test_client_token_cache_catalogue_case(profile: str) -> None:
    """The catalogue case holds with the control on and its vulnerable variant with it off."""
    declared = case("s2s-token-cache-other-subject")
    assert run_case(declared, profile).passed
    off = run_case(declared, Profile(profile).without("token_cache_subject_key"))
    assert off.passed and off.observed.status == "granted"
