"""Issuer trust (PROTOCOL.md §3.11): PD constraints on `$.issuer` (the reference) and strict's trust lists."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from nutssim import scenarios
from nutssim.messages import HttpResponse, json_response
from nutssim.network import PassThrough
from nutssim.profiles import Profile
from nutssim.scenarios.s2s import shipped_policy
from nutssim.scenarios.trust import trust_issuer, without_issuer_constraint
from nutssim.specs import pex
from nutssim.trust import broken, edges_of, trust_graph
from tests.reference_data import REFERENCE_POLICIES

REFERENCE = REFERENCE_POLICIES
CA = "szqMaTpnD6GN0aRrT98eV4bhAoOgyItEZVyskYyL_Qc"
ORGANIZATION = "NutsOrganizationCredential"
LISTS = Profile("strict", trusted_issuer_lists=True)


def issuer_field(policy: dict[str, Any]) -> dict[str, Any]:
    """The `$.issuer` field of the organization descriptor of a policy."""
    for profile in policy.values():
        for descriptor in profile["organization"]["input_descriptors"]:
            for field in descriptor["constraints"]["fields"]:
                if "$.issuer" in field["path"]:
                    return dict(field)
    raise AssertionError("no $.issuer field")


# -- the reference's way: PD constraints -------------------------------------------------------------------
def test_the_didx509_reference_pins_the_ca_fingerprint_in_the_issuer():
    """didx509-e2e.json: `^did:x509:0:sha256:<CA>::.*$` accepts any leaf under that CA and nothing else."""
    policy = json.loads((REFERENCE / "didx509-e2e.json").read_text())
    compiled = pex.compile_definition(policy["test"]["organization"])
    (field,) = [f for f in compiled.descriptors[0].fields if f.paths[0].text == "$.issuer"]
    under_ca = f"did:x509:0:sha256:{CA}::san:otherName:2.16.528.1.1007.99.2110-1-1-S-1-00.000-1"
    assert field.evaluate({"issuer": under_ca})[0]
    assert not field.evaluate({"issuer": f"did:x509:0:sha256:{'A' * 43}::subject:O:Mallory"})[0]
    assert not field.evaluate({"issuer": "did:web:register.example:iam:1"})[0]


def test_the_didx509_reference_captures_the_ura_number():
    """The reference's organization_ura field shows what a capture group extracts (PROTOCOL.md §3.10)."""
    policy = json.loads((REFERENCE / "didx509-e2e.json").read_text())
    compiled = pex.compile_definition(policy["test"]["organization"])
    (field,) = [f for f in compiled.descriptors[0].fields if f.id == "organization_ura"]
    document = {
        "credentialSubject": [{"san": {"otherName": "2.16.528.1.1007.99.2110-1-1234-S-7654321-00.000-1"}}]
    }
    assert field.evaluate(document) == (True, "7654321")


def capture_policy() -> dict[str, Any]:
    """The shipped eoverdracht policy with a did:x509-style issuer pattern: a pinned prefix, a captured id."""
    policy = copy.deepcopy(shipped_policy("eoverdracht"))
    for descriptor in policy["eoverdracht"]["organization"]["input_descriptors"]:
        for field in descriptor["constraints"]["fields"]:
            if "$.issuer" in field["path"]:
                field["id"] = "organization_register"
                field["filter"]["pattern"] = "^did:web:register\\.example:iam:([0-9a-f-]+)$"
    return policy


def test_an_issuer_pattern_with_a_capture_becomes_an_introspection_claim():
    """The captured part of the issuer DID reaches the resource server as a claim."""
    world = scenarios.run("s2s", seed=4, policy=capture_policy())
    register = world.register
    introspection = world.sim.trace.outcome["introspection"]
    assert world.sim.trace.outcome["status"] == "granted"
    assert introspection["organization_register"] == register.did.rsplit(":", 1)[1]
    (trust,) = edges_of(trust_graph(world.sim), "trusts")
    assert trust[2]["held"] and trust[2]["constrained"]
    assert json.loads(trust[2]["rule"])["pattern"] == "^did:web:register\\.example:iam:([0-9a-f-]+)$"


def test_the_capture_pattern_refuses_another_register():
    """The same pattern refuses a credential from a register it does not name."""
    world = scenarios.run("trust-untrusted-issuer", seed=4, policy=capture_policy())
    assert world.sim.trace.outcome["status"] == "denied"
    (refused,) = broken(trust_graph(world.sim))
    assert (refused.relation, refused.check) == ("trusts", "client.pd_match")


def test_the_shipped_policy_names_only_the_register():
    """eoverdracht.json: `^did:web:register\\.example:iam:…$`, without a capture."""
    field = issuer_field(shipped_policy("eoverdracht"))
    assert field["filter"]["pattern"] == "^did:web:register\\.example:iam:[0-9a-f-]+$"
    assert "id" not in field
    with pytest.raises(AssertionError):
        issuer_field(without_issuer_constraint(shipped_policy("eoverdracht")))


class StripIssuerConstraint(PassThrough):
    """A client-side man in the middle: the GP's wallet sees the PD without its `$.issuer` field."""

    def on_response(self, delivery: Any, response: HttpResponse) -> HttpResponse:
        """Drop the issuer field from presentation definitions on their way to the client."""
        body = response.json
        if not delivery.request.path.endswith("/presentation_definition") or not isinstance(body, dict):
            return response
        stripped = without_issuer_constraint({"scope": {"organization": body}})["scope"]["organization"]
        return json_response(response.status, stripped)


@pytest.mark.parametrize("profile", ["nuts-node", "strict"])
def test_the_authorization_server_re_evaluates_the_issuer_constraint(profile):
    """§4.2 #16/#28: a self-issued credential that reaches the AS fails its own PD re-evaluation."""
    world = scenarios.build("trust-self-issued", seed=4, profile=profile)
    world.sim.network.interceptors.append(StripIssuerConstraint())
    world.run()
    outcome = world.sim.trace.outcome
    assert outcome["status"] == "denied"
    assert outcome["error"]["error_description"] == (
        "presentation submission does not conform to presentation definition "
        "(id=pd_eoverdracht_care_organization_with_employee)"
    )
    assert [c.id for _, c in world.sim.trace.failed_checks() if c.id.startswith("token.")] == [
        "token.pd_fulfil"
    ]


# -- strict: explicit trusted-issuer lists -------------------------------------------------------------------
def test_strict_with_a_trust_list_naming_the_register_grants():
    """The register is on the hospital's list for organization credentials: granted, and the graph says so."""
    world = scenarios.build("s2s", seed=4, profile=LISTS)
    trust_issuer(world.sim, world.authorization_server, ORGANIZATION, world.register.did)
    world.run()
    assert world.sim.trace.outcome["status"] == "granted"
    via = sorted(d["via"] for _, _, d in edges_of(trust_graph(world.sim), "trusts"))
    assert via == ["presentation definition", "trust list"]


def test_strict_with_a_trust_list_naming_someone_else_refuses():
    """The register's credential is not from a listed issuer: VerifyVP refuses it."""
    world = scenarios.build("s2s", seed=4, profile=LISTS)
    other = world.sim.add_issuer("Regioregister", host="regioregister.example")
    trust_issuer(world.sim, world.authorization_server, ORGANIZATION, other.did)
    world.run()
    credential = world.register.issued[-1]
    outcome = world.sim.trace.outcome
    assert outcome["error"] == {
        "error": "invalid_verifiable_credentials",
        "error_description": "presentation(s) or credential(s) verification failed: "
        f"invalid VC (id={credential.id}): credential issuer is untrusted",
    }
    graph = trust_graph(world.sim)
    refused = [b for b in broken(graph) if b.relation == "trusts"]
    assert [(b.source, b.target, b.check) for b in refused] == [
        (f"verifier:{world.authorization_server.url}", "issuer:register", "token.verify_vp")
    ]


def test_a_trust_list_catches_the_self_issued_credential_the_pd_lets_through():
    """Without a PD issuer constraint, strict's list still refuses the GP's own credential."""
    world = scenarios.build("trust-self-issued", seed=4, profile=LISTS, issuer_constraint=False)
    trust_issuer(world.sim, world.authorization_server, ORGANIZATION, world.register.did)
    world.run()
    assert world.sim.trace.outcome["status"] == "denied"
    assert world.sim.trace.outcome["error"]["error_description"].endswith("credential issuer is untrusted")


@pytest.mark.parametrize("profile", ["nuts-node", Profile("strict")])
def test_a_trust_list_is_not_consulted_without_the_option(profile):
    """The reference passes allowUntrusted=true; plain strict has no list either (PROTOCOL.md §3.11)."""
    world = scenarios.build("trust-self-issued", seed=4, profile=profile, issuer_constraint=False)
    trust_issuer(world.sim, world.authorization_server, ORGANIZATION, world.register.did)
    world.run()
    assert world.sim.trace.outcome["status"] == "granted"
    (fact,) = world.sim.trace.facts("issuer_trusted")
    assert fact.data["consulted"] is False
    assert all(d["via"] != "trust list" for _, _, d in edges_of(trust_graph(world.sim), "trusts"))
