"""Lazy scenario registration (issue #23 item 1): listing imports no family; INDEX agrees with @register."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nutssim import scenarios
from nutssim.errors import InputError
from nutssim.scenarios.registry import FAMILIES, INDEX, Listing, Registry, ScenarioSpec, register


def _fresh(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_listing_scenarios_imports_no_family_and_no_world() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from nutssim.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['scenarios']) == 0\n"
        "mods = ['nutssim.scenarios.' + f for f in ('world', 's2s', 'x509', 'pdp', 'vci')]\n"
        "print([m for m in [*mods, 'nutssim.simulation', 'cryptography.x509'] if m in sys.modules])\n"
    )
    assert _fresh(code).strip() == "[]"


def test_the_index_agrees_with_what_every_family_registers() -> None:
    """Each ``@register`` in every module of the package matches its INDEX row (module, flow, description)."""
    code = (
        "import json, pkgutil, importlib, nutssim.scenarios as s\n"
        "for m in pkgutil.iter_modules(s.__path__):\n"
        "    importlib.import_module('nutssim.scenarios.' + m.name)\n"
        "specs = s.SCENARIOS._specs\n"
        "print(json.dumps({n: [v.builder.__module__.rsplit('.', 1)[1], v.flow, v.description]"
        " for n, v in specs.items()}))\n"
    )
    registered = json.loads(_fresh(code))
    assert registered == {n: list(row) for n, row in INDEX.items()}, "update INDEX in scenarios/registry.py"


def test_reading_a_spec_imports_its_family_and_only_then() -> None:
    code = (
        "import sys, nutssim.scenarios as s\n"
        "before = 'nutssim.scenarios.x509' in sys.modules\n"
        "spec = s.SCENARIOS['s2s-x509']\n"
        "print(before, 'nutssim.scenarios.x509' in sys.modules, spec.builder.__name__, "
        "'nutssim.scenarios.pdp' in sys.modules)\n"
    )
    assert _fresh(code).split() == ["False", "True", "s2s_x509", "False"]


def test_family_modules_and_world_classes_resolve_on_first_use() -> None:
    assert scenarios.s2s.EMPLOYEE  # type: ignore[attr-defined]
    assert scenarios.S2SWorld.__name__ == "S2SWorld"
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        scenarios.nope  # type: ignore[attr-defined]  # noqa: B018
    assert set(FAMILIES) == {family for family, _, _ in INDEX.values()}


def test_the_registry_is_a_mutable_mapping_over_indexed_and_added_names() -> None:
    registry = Registry()
    assert list(registry) == list(INDEX) and len(registry) == len(INDEX) and "s2s" in registry
    extra = ScenarioSpec("extra", "a test scenario", scenarios.SCENARIOS["s2s"].builder)
    registry["extra"] = extra
    assert registry["extra"] is extra and list(registry)[-1] == "extra"
    del registry["extra"], registry["user"]
    assert "user" not in registry and "extra" not in registry and len(registry) == len(INDEX) - 1
    with pytest.raises(KeyError):
        registry["user"]
    with pytest.raises(KeyError):
        del registry["user"]
    assert registry.listing("s2s").flow == "s2s"


def test_an_unknown_name_is_an_input_error_with_a_hint() -> None:
    with pytest.raises(InputError, match="unknown scenario 's2z'") as caught:
        scenarios.spec("s2z")
    assert "s2s" in str(caught.value.hint)


def test_listings_are_the_index_in_name_order() -> None:
    rows = scenarios.registry.listings()
    assert [r.name for r in rows] == sorted(INDEX)
    assert rows[0].description == INDEX[rows[0].name][2]


def test_an_indexed_scenario_takes_its_description_and_flow_from_the_index_only() -> None:
    """One home for the text: the family's ``@register`` names neither, and repeating them is refused."""
    assert scenarios.SCENARIOS["user"].description == INDEX["user"][2]
    assert scenarios.SCENARIOS["user"].flow == "user"
    with pytest.raises(InputError, match="'s2s' is indexed: its description and flow live in INDEX"):
        register("s2s", "a second text")


def test_a_scenario_outside_the_package_names_its_own_description_and_flow() -> None:
    builder = scenarios.SCENARIOS["s2s"].builder
    try:
        register("my-own", "a user's scenario", "user")(builder)
        assert scenarios.SCENARIOS.listing("my-own") == Listing("my-own", "user", "a user's scenario")
    finally:
        del scenarios.SCENARIOS["my-own"]
    with pytest.raises(InputError, match="scenario 'my-own' needs a description"):
        register("my-own")
