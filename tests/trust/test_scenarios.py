"""The trust scenarios: outcomes per profile, the reference texts, and what the CLI expects of them."""

from __future__ import annotations

import pytest

from nutssim import cli, scenarios

TRUST = ("trust-revoked", "trust-statuslist-down", "trust-self-issued", "trust-untrusted-issuer")
EXPECTED = {
    ("trust-revoked", "nuts-node"): "denied",
    ("trust-revoked", "strict"): "denied",
    ("trust-statuslist-down", "nuts-node"): "granted",
    ("trust-statuslist-down", "strict"): "denied",
    ("trust-self-issued", "nuts-node"): "denied",
    ("trust-self-issued", "strict"): "denied",
    ("trust-untrusted-issuer", "nuts-node"): "denied",
    ("trust-untrusted-issuer", "strict"): "denied",
}


def test_the_trust_scenarios_are_registered():
    """`nutssim scenarios` lists all four."""
    assert set(TRUST) <= set(scenarios.names())


@pytest.mark.parametrize(("name", "profile"), sorted(EXPECTED))
def test_outcome_per_profile(name, profile):
    """Each scenario ends as documented in its description."""
    world = scenarios.run(name, seed=2, profile=profile)
    assert world.sim.trace.outcome["status"] == EXPECTED[(name, profile)]
    assert not world.sim.trace.facts("party_crash")


@pytest.mark.parametrize(("name", "profile"), sorted(EXPECTED))
def test_the_cli_exit_code_follows_the_scenario_expectation(name, profile, capsys):
    """`nutssim run` exits 0 when the outcome is the expected one, per profile for statuslist-down."""
    assert cli.main(["run", name, "--profile", profile]) == cli.EXIT_OK
    capsys.readouterr()


def test_a_denied_expectation_does_not_reach_the_flow():
    """world.options["expect"] is for the CLI; starting the flow again with the options still works."""
    world = scenarios.build("trust-revoked", seed=2)
    assert world.options["expect"] == "denied"
    assert world.run().result.status == "denied"


def test_revoked_refusal_is_the_reference_text():
    """PROTOCOL.md §4.2 #25."""
    world = scenarios.run("trust-revoked", seed=2)
    credential = world.register.issued[-1]
    assert world.sim.trace.outcome["error"]["error_description"] == (
        "presentation(s) or credential(s) verification failed: "
        f"invalid VC (id={credential.id}): credential is revoked"
    )


def test_statuslist_down_can_run_without_a_revocation():
    """revoked=False: the list is down but nothing was revoked; strict still refuses (status unknown)."""
    world = scenarios.run("trust-statuslist-down", seed=2, profile="strict", revoked=False)
    assert world.sim.trace.facts("credential_revoked") == []
    assert world.sim.trace.outcome["status"] == "denied"


def test_self_issued_is_granted_without_an_issuer_constraint():
    """§4.2 #28: a PD without `$.issuer` accepts a credential the GP signed itself."""
    world = scenarios.run("trust-self-issued", seed=2, issuer_constraint=False)
    trace = world.sim.trace
    assert trace.outcome["status"] == "granted"
    assert world.options.get("expect", "granted") == "granted"
    noord = world.requester
    assert trace.outcome["introspection"]["organization_name"] == "Huisartsenpraktijk Noord"
    (issued,) = [f for f in trace.facts("credential_issued") if f.data.get("self_issued")]
    assert issued.data["issuer"] == issued.data["holder"] == noord.did


def test_self_issued_is_refused_by_the_shipped_policy():
    """The shipped eoverdracht PD names the register in `$.issuer`: the GP's wallet cannot satisfy it."""
    world = scenarios.run("trust-self-issued", seed=2)
    outcome = world.sim.trace.outcome
    assert outcome["status"] == "denied"
    assert outcome["error"]["error_description"].startswith("wallet could not fulfill requirements")
    assert "does not match '^did:web:register\\\\.example" in outcome["error"]["error_description"]


def test_untrusted_issuer_is_refused():
    """A credential from a register the PD pattern does not name cannot answer the PD."""
    world = scenarios.run("trust-untrusted-issuer", seed=2)
    other = world.other_register
    description = world.sim.trace.outcome["error"]["error_description"]
    assert f'$.issuer = "{other.did}" fails' in description
