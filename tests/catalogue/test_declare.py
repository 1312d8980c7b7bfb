"""Declaring cases on a Family: what the family fills in, fresh options per use, the world type checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nutssim import catalogue
from nutssim.catalogue import CASES, GRANTED, Family, Observation, case, everywhere, observe_flow, run_case
from nutssim.errors import InputError, SimulationError
from nutssim.scenarios import S2SWorld, UserWorld
from nutssim.scenarios.s2s import shipped_policy
from nutssim.scenarios.vci import VciWorld

TEST = Family(S2SWorld, flow="s2s", scenario="s2s", step="token request")


@pytest.fixture
def scratch() -> Iterator[list[str]]:
    """Case ids a test declares; removed from the catalogue afterwards."""
    ids: list[str] = []
    yield ids
    for id in ids:
        CASES.pop(id, None)


def test_declare_fills_in_the_family_and_registers_the_case(scratch: list[str]) -> None:
    scratch.append("test-declared")
    declared = TEST.at("AS metadata").declare(
        id="test-declared",
        title="t",
        attack="a",
        act=lambda world: observe_flow(world.run()),
        expected=GRANTED,
        refs=("x",),
    )
    found = case("test-declared")
    assert found == declared
    assert (found.flow, found.scenario, found.step, found.control, found.vulnerable) == (
        "s2s",
        "s2s",
        "AS metadata",
        None,
        None,
    )
    assert found.world is S2SWorld and run_case(found).passed
    with pytest.raises(InputError, match="duplicate case id 'test-declared'"):
        TEST.declare(id="test-declared", title="t", attack="a", act=found.act, expected=GRANTED, refs=())


def test_each_use_of_a_case_gets_its_own_copy_of_the_options(scratch: list[str]) -> None:
    """A case's policy option is deep-copied per use, so a run that changes it cannot change the next."""
    scratch.append("test-options")

    @TEST.case(
        id="test-options",
        title="t",
        attack="a",
        expected=everywhere("granted"),
        refs=(),
        options={"policy": shipped_policy("eoverdracht")},
    )
    def act(world: S2SWorld) -> Observation:
        return observe_flow(world.run())

    first, second = case("test-options"), case("test-options")
    assert first.options == second.options and first.options["policy"] is not second.options["policy"]
    assert first.act is act


def test_run_case_refuses_a_case_whose_scenario_builds_another_kind_of_world(scratch: list[str]) -> None:
    scratch.append("test-wrong-world")
    Family(UserWorld, flow="user", scenario="s2s", step="x").declare(
        id="test-wrong-world",
        title="t",
        attack="a",
        act=lambda w: observe_flow(w.run()),
        expected=GRANTED,
        refs=(),
    )
    with pytest.raises(SimulationError, match="acts on a UserWorld, but scenario 's2s' builds a S2SWorld"):
        run_case(case("test-wrong-world"))


def test_every_catalogue_case_names_the_world_its_scenario_builds() -> None:
    from nutssim.scenarios.x509 import X509World

    worlds = {c.world for c in catalogue.cases()}
    assert worlds == {S2SWorld, UserWorld, VciWorld, X509World}
