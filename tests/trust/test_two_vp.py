"""The trust graph of the two-VP jwt-bearer grant: both presentations and the binding between them."""

from __future__ import annotations

from nutssim import catalogue, scenarios
from nutssim.trust import edges_of, nodes_of, trust_graph


def test_both_presentations_and_the_binding_are_drawn():
    world = scenarios.run("s2s-jwt-bearer", profile="strict")
    graph = trust_graph(world.sim.trace)
    vps = nodes_of(graph, "presentation")
    assert len(vps) == 2
    (binding,) = edges_of(graph, "bound-to")
    assert binding[2]["held"] is not False and binding[2]["checked"]
    labels = {graph.nodes[n]["label"].split("\n")[0] for n in nodes_of(graph, "holder")}
    assert {"Huisartsenpraktijk West", "Softwareleverancier Noord"} <= labels
    assert not any(graph.nodes[n].get("url", "").endswith(":8081") for n in nodes_of(graph, "verifier"))


def test_a_delegation_from_another_organization_breaks_the_binding_under_strict():
    record = catalogue.run_case(catalogue.case("s2s-jwt-bearer-delegation-other-issuer"), "strict")
    (binding,) = edges_of(trust_graph(record.trace), "bound-to")
    assert binding[2]["held"] is False and binding[2]["check"] == "token.cross_vp_binding"


def test_the_project_gf_as_never_checks_the_binding():
    world = scenarios.run("s2s-jwt-bearer", profile="nuts-node-gf", client_id=True)
    (binding,) = edges_of(trust_graph(world.sim.trace), "bound-to")
    assert binding[2]["checked"] is False
