"""The trust graph shows a did:x509 issuer's chain up to the root, and its revocations (issue #21 item 2)."""

from __future__ import annotations

import pytest

pytest.importorskip("cryptography.x509.verification")

from nutssim import scenarios
from nutssim.trust import broken, edges_of, nodes_of, trust_graph
from nutssim.views.trust_graph import render_trust_png


def test_the_chain_runs_from_the_root_to_the_did_x509_issuer():
    world = scenarios.run("s2s-x509")
    graph = trust_graph(world)
    certs = nodes_of(graph, "certificate")
    assert sorted(graph.nodes[c]["role"] for c in certs) == ["intermediate", "leaf", "root"]
    by_role = {graph.nodes[c]["role"]: c for c in certs}
    issued = {(u, v) for u, v, _ in edges_of(graph, "issued")}
    assert (by_role["root"], by_role["intermediate"]) in issued
    assert (by_role["intermediate"], by_role["leaf"]) in issued
    [(leaf, issuer, _)] = edges_of(graph, "certifies")
    assert leaf == by_role["leaf"] and issuer == f"issuer:{world.did_x509}"
    assert graph.nodes[issuer]["label"].startswith("Huisartsenpraktijk West\ndid:x509 · CA sha256:")
    assert f"holder:{world.did_x509}" not in graph  # the did:x509 is the issuer's, not a wallet's
    assert graph.nodes[by_role["root"]]["fingerprint"] == world.ca.root.fingerprint()
    assert not broken(graph)


def test_a_revocation_the_crl_check_noticed_breaks_the_certificate_link():
    world = scenarios.run("s2s-x509-revoked")
    graph = trust_graph(world)
    [found] = [b for b in broken(graph) if b.relation == "revoked"]
    assert graph.nodes[found.source]["role"] == "intermediate" and graph.nodes[found.target]["role"] == "leaf"
    assert found.noticed and found.check == "vc.x509.crl"
    assert found.reason.startswith("certificate is revoked: subject=SERIALNUMBER=12345,CN=gp.example")


def test_a_revocation_soft_failed_through_is_a_gap_nobody_checked():
    world = scenarios.build("s2s-x509-crl-down")
    world.ca.revoke(world.certificate)
    world.run()
    graph = trust_graph(world)
    assert graph.graph["outcome"]["status"] == "granted"
    [gap] = broken(graph, noticed=False)
    assert gap.relation == "revoked" and gap.check == "vc.x509.crl"
    assert gap.reason.startswith(
        "revoked at the CA, not noticed: soft-fail bypass, certificate accepted: crl is missing"
    )


def test_an_expired_certificate_gets_an_expired_link():
    graph = trust_graph(scenarios.run("s2s-x509-expired"))
    expired = [b for b in broken(graph) if b.relation == "expired"]
    assert {graph.nodes[b.target]["kind"] for b in expired} == {"certificate", "credential"}


def test_the_chain_renders():
    assert render_trust_png(scenarios.run("s2s-x509-revoked"), dpi=40).startswith(b"\x89PNG")
