"""The scenario registry: typed worlds, options declared as data, and how bad options are refused."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from nutssim import scenarios
from nutssim.errors import InputError
from nutssim.parties.browser import Browser
from nutssim.scenarios import NodesWorld, Option, S2SWorld, TrustWorld, UserWorld
from nutssim.scenarios.jwt_bearer import JwtBearerWorld
from nutssim.scenarios.pdp import PdpWorld, UserPdpWorld
from nutssim.scenarios.pilot import PilotWorld
from nutssim.scenarios.vci import VciWorld
from nutssim.scenarios.x509 import X509World

FAMILIES = {
    "s2s": S2SWorld,
    "s2s-bearer": S2SWorld,
    "s2s-ldp": S2SWorld,
    "s2s-mixed": S2SWorld,
    "s2s-dynamic-scope": PdpWorld,
    "s2s-pdp-down": PdpWorld,
    **dict.fromkeys(
        ["s2s-x509", "s2s-x509-crl-down", "s2s-x509-expired", "s2s-x509-revoked", "s2s-x509-wrong-root"],
        X509World,
    ),
    "s2s-jwt-bearer": JwtBearerWorld,
    "trust-revoked": TrustWorld,
    "s2s-bsl-revoked": TrustWorld,
    "trust-self-issued": TrustWorld,
    "trust-statuslist-down": TrustWorld,
    "trust-untrusted-issuer": TrustWorld,
    "user": UserWorld,
    "user-no-user-pd": UserWorld,
    "vci-bootstrap": VciWorld,
    "user-dynamic-scope": UserPdpWorld,
    **dict.fromkeys(["pilot-enrollment", "pilot-eoverdracht", "pilot-uzi-revoked"], PilotWorld),
}


def test_the_registry_is_full_on_import_in_a_fresh_interpreter() -> None:
    """SCENARIOS is filled when the package is imported, not on the first names() call."""
    code = "import nutssim.scenarios as s; print(sorted(s.SCENARIOS))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(sorted(FAMILIES))


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_each_scenario_builds_its_family_with_the_parts_as_attributes(name: str) -> None:
    world = scenarios.build(name, seed=1)
    assert type(world) is FAMILIES[name] and world.name == name
    assert world.requester.node is world.requester_node
    assert world.authorization_server.node is world.authorization_server_node
    assert world.register.did.startswith("did:web:register.example")


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_declared_default_is_accepted_by_its_builder(name: str) -> None:
    """Passing each option at its declared default builds the same world options as passing none."""
    table = scenarios.options(name)
    assert table and all(isinstance(o, Option) for o in table)
    defaults = {o.name: o.default for o in table}
    assert scenarios.build(name, seed=2, **defaults).options == scenarios.build(name, seed=2).options


def test_option_is_a_frozen_record_of_name_type_default_help_and_choices() -> None:
    assert [f.name for f in dataclasses.fields(Option)] == ["name", "type", "default", "help", "choices"]
    dpop = next(o for o in scenarios.options("s2s") if o.name == "dpop")
    assert (dpop.type, dpop.default, dpop.choices) == (bool, True, None) and dpop.help
    with pytest.raises(dataclasses.FrozenInstanceError):
        dpop.default = False  # type: ignore[misc]


def test_variant_scenarios_declare_their_own_defaults_and_the_world_starts_with_them() -> None:
    bearer = {o.name: o.default for o in scenarios.options("s2s-bearer")}
    ldp = {o.name: o.default for o in scenarios.options("s2s-ldp")}
    assert bearer["dpop"] is False and scenarios.build("s2s-bearer").options["dpop"] is False
    assert (ldp["scope"], ldp["credential_format"]) == ("test", "ldp_vc")
    assert scenarios.build("s2s-ldp").options["scope"] == "test"
    fmt = next(o for o in scenarios.options("s2s") if o.name == "credential_format")
    assert fmt.choices == ("jwt_vc", "ldp_vc")
    assert {o.name for o in scenarios.options("trust-statuslist-down")} >= {"revoked", "dpop", "scope"}
    assert "revoked" not in {o.name for o in scenarios.options("trust-revoked")}


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("yes", True), ("1", True), ("False", False), ("no", False), ("0", False)],
)
def test_parse_option_reads_booleans(text: str, value: bool) -> None:
    assert scenarios.parse_option("s2s", "dpop", text) is value


def test_parse_option_reads_strings_choices_and_json_objects() -> None:
    assert scenarios.parse_option("s2s", "scope", "eoverdracht admin") == "eoverdracht admin"
    assert scenarios.parse_option("s2s", "credential_format", "ldp_vc") == "ldp_vc"
    assert scenarios.parse_option("user", "user", '{"id": "x", "name": "X", "role": "Y"}')["id"] == "x"
    assert scenarios.parse_option("s2s", "policy", "none") is None


@pytest.mark.parametrize(
    ("scenario", "key", "text", "message", "hint"),
    [
        ("s2s", "dpp", "true", "scenario 's2s' has no option 'dpp'", "did you mean 'dpop'?"),
        ("s2s", "dpop", "maybe", "is true or false, not 'maybe'", "true/false, yes/no or 1/0"),
        ("s2s", "credential_format", "xml", "cannot be 'xml'", "allowed: jwt_vc, ldp_vc"),
        ("user", "user", "[1]", "is a JSON object, not list", "id, name, role"),
        ("user", "user", "{", "is a JSON object:", "id, name, role"),
        ("s2z", "dpop", "true", "unknown scenario 's2z'", "did you mean 's2s'?"),
    ],
)
def test_parse_option_refuses_bad_input_with_a_hint(
    scenario: str, key: str, text: str, message: str, hint: str
) -> None:
    with pytest.raises(InputError) as caught:
        scenarios.parse_option(scenario, key, text)
    assert message in str(caught.value) and hint in caught.value.hint


def test_build_refuses_an_unknown_option_with_a_suggestion() -> None:
    with pytest.raises(InputError) as caught:
        scenarios.build("trust-self-issued", issuer_constrant=False)
    assert "has no option 'issuer_constrant'" in str(caught.value)
    assert caught.value.hint == "did you mean 'issuer_constraint'?"


def test_build_refuses_a_value_of_the_wrong_type_or_outside_the_choices() -> None:
    with pytest.raises(InputError, match="takes a bool, not str 'no'"):
        scenarios.build("s2s", dpop="no")
    with pytest.raises(InputError, match="takes a bool, not int 1"):
        scenarios.build("s2s", dpop=1)
    with pytest.raises(InputError, match="cannot be 'xml'"):
        scenarios.build("s2s", credential_format="xml")


def test_the_old_string_keys_still_work_for_one_release_with_a_warning() -> None:
    world = scenarios.build("user", seed=1)
    with pytest.warns(DeprecationWarning, match=r"use world\.browser"):
        assert world["browser"] is world.browser
    assert isinstance(world.browser, Browser)
    assert set(world.parts) == set(UserWorld.part_names()) and world.parts["ehr"] is world.ehr
    with pytest.raises(TypeError):
        world.parts["ehr"] = None  # type: ignore[index]
    with pytest.raises(KeyError, match="did you mean 'browser'"), pytest.warns(DeprecationWarning):
        world["browsr"]
    with pytest.warns(DeprecationWarning):
        assert scenarios.options_of("s2s") == {"dpop", "scope", "policy", "credential_format"}


def test_trust_worlds_name_who_was_replaced_and_who_was_brought_in() -> None:
    untrusted = scenarios.build("trust-untrusted-issuer", seed=1)
    assert isinstance(untrusted, TrustWorld) and isinstance(untrusted, NodesWorld)
    assert untrusted.requester.name == "Huisartsenpraktijk Noord"
    assert untrusted.registered_requester is not None
    assert untrusted.registered_requester.name == "Huisartsenpraktijk West"
    assert untrusted.other_register is not None and untrusted.other_register.name == "Regioregister"
    revoked = scenarios.build("trust-revoked", seed=1)
    assert revoked.registered_requester is None and "registered_requester" not in revoked.parts


@pytest.mark.parametrize("name", scenarios.names())
def test_start_refuses_an_unknown_override_with_a_hint(name):
    world = scenarios.build(name, seed=1)
    with pytest.raises(InputError, match=f"'{name}' cannot start with nope") as info:
        world.start(nope=1)
    assert "did you mean" in str(info.value.hint)


def test_start_keywords_read_from_code_match_inspect_signature() -> None:
    """World.start reads a plain starter's keywords from its code, as inspect.signature names them."""
    import functools
    import inspect

    from nutssim.scenarios.world import _keywords

    def any_keywords(a, /, b, *args, c=1, d, **kw):  # type: ignore[no-untyped-def]
        return None

    def positional_only(a, /, b, *args, c=1, d):  # type: ignore[no-untyped-def]
        return None

    @functools.wraps(positional_only)
    def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
        return positional_only(*args, **kwargs)

    for function in (any_keywords, positional_only, wrapped, lambda *, k: k):
        parameters = inspect.signature(function).parameters.values()
        expected = (
            None
            if any(p.kind is p.VAR_KEYWORD for p in parameters)
            else {p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
        )
        assert _keywords(function) == expected, function
