"""The trust graph read from traces: its nodes, its chain, and the link each trust scenario breaks."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from typing import Any

import networkx as nx
import pytest

from nutssim import scenarios
from nutssim.trust import KINDS, RELATIONS, broken, edges_of, nodes_of, trust_graph
from nutssim.views.load import load_trace


@pytest.fixture(scope="module")
def s2s() -> scenarios.World:
    """One granted s2s run."""
    return scenarios.run("s2s", seed=1)


@pytest.fixture(scope="module")
def graph(s2s: scenarios.World) -> nx.MultiDiGraph:
    """Its trust graph."""
    return trust_graph(s2s.sim)


def relation(graph: nx.MultiDiGraph, u: str, v: str) -> list[str]:
    """The relations of the edges from u to v."""
    return sorted(d["relation"] for d in graph.get_edge_data(u, v, default={}).values())


def test_s2s_has_the_expected_nodes(graph):
    """One register, two credentials, the GP, its VP, the hospital, one token with five claims, two DIDs."""
    assert Counter(d["kind"] for _, d in graph.nodes(data=True)) == {
        "issuer": 1,
        "credential": 2,
        "holder": 1,
        "presentation": 1,
        "verifier": 1,
        "token": 1,
        "claim": 5,
        "did": 2,
    }
    assert all(d["kind"] in KINDS and d["label"] for _, d in graph.nodes(data=True))
    assert all(
        d["relation"] in RELATIONS and isinstance(d["held"], bool) for _, _, d in graph.edges(data=True)
    )


def test_s2s_chain_register_credential_gp_vp_hospital_token(s2s, graph):
    """register → credential → GP → VP → hospital → token, every link held."""
    register, gp, hospital = s2s.register, s2s.requester, s2s.authorization_server
    credential = f"vc:{register.issued[-1].id}"
    (vp,) = nodes_of(graph, "presentation")
    (token,) = nodes_of(graph, "token")
    chain = ["issuer:register", credential, f"holder:{gp.did}", vp, f"verifier:{hospital.url}", token]
    assert [relation(graph, u, v) for u, v in pairwise(chain)] == [
        ["issued"],
        ["holds"],
        ["presents"],
        ["verified-by"],
        ["issued"],
    ]
    assert broken(graph) == []
    assert graph.nodes["issuer:register"]["label"] == "Zorgregister\nregister.example"
    assert graph.nodes[f"holder:{gp.did}"]["label"] == "Huisartsenpraktijk West\ngp.example"
    assert relation(graph, token, f"holder:{gp.did}") == ["token-issued-to"]
    assert relation(graph, f"verifier:{hospital.url}", "issuer:register") == ["trusts"]
    assert graph.nodes[vp]["credentials"] == [credential, nodes_of(graph, "credential")[1]]


def test_s2s_credentials_carry_their_status_entry_and_signing_did(s2s, graph):
    """The register's credential has a StatusList2021 entry and is signed with the register's DID."""
    register = s2s.register
    key = f"vc:{register.issued[-1].id}"
    data = graph.nodes[key]
    assert data["type"] == "NutsOrganizationCredential" and data["format"] == "jwt_vc"
    assert data["status"][0]["statusListCredential"] == register.status_list_url
    assert relation(graph, key, f"did:{register.did}") == ["signed-with"]
    employee = nodes_of(graph, "credential")[1]
    assert graph.nodes[employee]["self_issued"] and not graph.nodes[employee]["signed"]


def test_the_introspection_claims_hang_off_the_token(graph):
    """PROTOCOL.md §3.10: the PD field ids the resource server was told."""
    (token,) = nodes_of(graph, "token")
    claims = {
        graph.nodes[v]["name"]: graph.nodes[v]["value"]
        for _, v, d in graph.out_edges(token, data=True)
        if d["relation"] == "claims"
    }
    assert claims == {
        "organization_name": "Huisartsenpraktijk West",
        "organization_city": "Utrecht",
        "employee_identifier": "123456",
        "employee_name": "Jan de Vries",
        "employee_role": "Huisarts",
    }


def test_the_graph_comes_from_the_trace_alone(s2s, graph):
    """The same graph from the JSON export, with no simulation behind it (ARCHITECTURE principle 3)."""
    exported = trust_graph(load_trace(s2s.sim.trace.to_json()))
    assert sorted(exported.nodes) == sorted(graph.nodes)
    assert sorted(exported.edges(keys=True)) == sorted(graph.edges(keys=True))


def test_same_seed_same_graph():
    """Deterministic: two runs with one seed give identical graphs."""
    a, b = (trust_graph(scenarios.run("s2s", seed=9).sim) for _ in range(2))
    assert nx.utils.graphs_equal(a, b)


def only(breaks: list[Any], relation: str) -> Any:
    """The single break of one relation."""
    (found,) = [b for b in breaks if b.relation == relation]
    return found


def test_revoked_breaks_the_revoked_link_with_the_revocation_check():
    """trust-revoked: register -revoked-> credential, noticed by vc.revocation; the VP is refused."""
    world = scenarios.run("trust-revoked", seed=1)
    graph = trust_graph(world.sim)
    credential = world.register.issued[-1]
    breaks = broken(graph)
    assert [b.relation for b in breaks] == ["revoked", "verified-by"]
    revoked = only(breaks, "revoked")
    assert (revoked.source, revoked.target) == ("issuer:register", f"vc:{credential.id}")
    assert (revoked.check, revoked.noticed) == ("vc.revocation", True)
    assert revoked.ref.startswith("StatusList2021 §6")
    assert "is set" in revoked.reason
    refused = only(breaks, "verified-by")
    assert refused.check == "token.verify_vp"
    assert refused.reason == world.sim.trace.outcome["error"]["error_description"]
    assert refused.reason.endswith("credential is revoked")


def test_statuslist_down_nuts_node_shows_the_missed_revocation():
    """Fail-open: granted, and the revocation is a break nobody noticed, let through by vc.revocation_list."""
    graph = trust_graph(scenarios.run("trust-statuslist-down", seed=1).sim)
    assert broken(graph, noticed=True) == []
    missed = only(broken(graph), "revoked")
    assert (missed.check, missed.noticed) == ("vc.revocation_list", False)
    assert "treated as not revoked" in missed.reason
    assert nodes_of(graph, "token")


def test_statuslist_down_strict_breaks_the_issued_link():
    """Fail-closed: the verifier could not establish that the credential still stands."""
    world = scenarios.run("trust-statuslist-down", seed=1, profile="strict")
    graph = trust_graph(world.sim)
    unknown = only(broken(graph, noticed=True), "issued")
    assert (unknown.source, unknown.check) == ("issuer:register", "vc.revocation_list")
    assert "HTTP 503" in unknown.reason
    assert only(broken(graph), "verified-by").check == "token.verify_vp"
    assert only(broken(graph), "revoked").noticed is False


def test_self_issued_breaks_the_trust_in_the_gp_as_issuer():
    """trust-self-issued: the hospital's PD does not trust the GP as issuer; the wallet's PD match says so."""
    world = scenarios.run("trust-self-issued", seed=1)
    graph = trust_graph(world.sim)
    noord, hospital = world.requester, world.authorization_server
    (refused,) = broken(graph)
    assert (refused.relation, refused.source, refused.target) == (
        "trusts",
        f"verifier:{hospital.url}",
        f"holder:{noord.did}",
    )
    assert refused.check == "client.pd_match"
    assert "does not match '^did:web:register" in refused.reason
    assert graph.edges[refused.source, refused.target, refused.key]["constrained"] is True
    assert nodes_of(graph, "presentation") == [] and nodes_of(graph, "token") == []


def test_self_issued_without_constraint_holds_but_is_unconstrained():
    """Granted; every trusts link from the PD is unconstrained (any issuer would do)."""
    world = scenarios.run("trust-self-issued", seed=1, issuer_constraint=False)
    graph = trust_graph(world.sim)
    assert broken(graph) == []
    trusts = edges_of(graph, "trusts")
    assert trusts and all(d["held"] and d["constrained"] is False for _, _, d in trusts)
    noord = world.requester
    (self_issued,) = [
        n for n in nodes_of(graph, "credential") if graph.nodes[n]["signed"] and graph.nodes[n]["self_issued"]
    ]
    assert relation(graph, f"holder:{noord.did}", self_issued) == ["issued"]
    assert relation(graph, self_issued, f"holder:{noord.did}") == ["holds"]


def test_untrusted_issuer_breaks_the_trust_in_the_other_register():
    """trust-untrusted-issuer: hospital -trusts-> Regioregister does not hold; the register stays trusted."""
    world = scenarios.run("trust-untrusted-issuer", seed=1)
    graph = trust_graph(world.sim)
    hospital = f"verifier:{world.authorization_server.url}"
    (refused,) = broken(graph)
    assert (refused.relation, refused.source, refused.target, refused.check) == (
        "trusts",
        hospital,
        "issuer:regioregister",
        "client.pd_match",
    )
    held = [v for u, v, d in edges_of(graph, "trusts") if d["held"]]
    assert held == ["issuer:register"]


def test_an_expired_credential_gets_an_expired_link():
    """§4.2 #24: a year and a day later the register's credential is refused as not valid at given time."""
    world = scenarios.build("s2s", seed=1)
    world.sim.clock.advance(366 * 24 * 3600)
    world.run()
    graph = trust_graph(world.sim)
    expired = only(broken(graph), "expired")
    assert (expired.source, expired.check) == ("issuer:register", "token.verify_vp")
    assert expired.reason == "credential not valid at given time"


def test_an_expired_token_gets_an_expired_link():
    """Introspection after 15 minutes says inactive: hospital -expired-> token."""
    world = scenarios.run("s2s", seed=1)
    flow_result = world.sim.trace.outcome
    ehr = world.ehr
    world.sim.clock.advance(901)

    def again() -> Any:
        from nutssim.parties.ehr import FlowResult

        result = FlowResult("denied", token=flow_result["token"])
        yield from ehr.fetch_resource(result, world.resource_server.resource_url)
        return result

    world.sim.run(again(), ehr.id)
    graph = trust_graph(world.sim)
    expired = only(broken(graph), "expired")
    assert expired.check == "introspect.active"
    assert graph.nodes[expired.target]["kind"] == "token"


def test_the_user_flow_graph_has_the_session_wallet():
    """The user flow: a did:jwk user wallet holds the employee credential the GP issued it."""
    world = scenarios.run("user", seed=1)
    graph = trust_graph(world.sim)
    holders = nodes_of(graph, "holder")
    assert any(h.startswith("holder:did:jwk:") for h in holders)
    assert len(nodes_of(graph, "presentation")) == 2
    assert len(nodes_of(graph, "token")) == 1
    assert broken(graph) == []


def test_trust_graph_refuses_what_it_cannot_read():
    """Only a simulation, world, flow run or trace will do."""
    with pytest.raises(TypeError):
        trust_graph(42)


@pytest.mark.parametrize("profile", ["nuts-node", "strict"])
def test_every_catalogue_trace_gives_a_graph(profile):
    """Failure and attack traces (garbage assertions, forged VPs, replays) never break the graph builder."""
    from nutssim import catalogue

    for case in catalogue.cases():
        record = catalogue.run_case(case, profile)
        graph = trust_graph(record.trace)
        assert all(d["kind"] in KINDS for _, d in graph.nodes(data=True)), case.id
        assert all(not b.noticed or b.check for b in broken(graph) if b.relation != "trusts"), case.id
