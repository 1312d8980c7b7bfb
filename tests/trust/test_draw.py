"""The trust-graph picture: headless, a labelled box per node, broken links labelled, PNGs to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nutssim import scenarios
from nutssim.trust import trust_graph
from nutssim.views.trust_graph import draw_trust_graph, render_trust_png
from nutssim.views.trust_layout import edge_label, short_reason, trust_layout, visible_nodes

PICTURES = [
    ("s2s", "nuts-node", {}),
    ("trust-revoked", "nuts-node", {}),
    ("trust-statuslist-down", "nuts-node", {}),
    ("trust-statuslist-down", "strict", {}),
    ("trust-self-issued", "nuts-node", {}),
    ("trust-self-issued", "nuts-node", {"issuer_constraint": False}),
    ("trust-untrusted-issuer", "nuts-node", {}),
]


def gids(ax: Axes, prefix: str) -> list[Any]:
    """The artists of an Axes whose gid starts with ``prefix``."""
    return [a for a in ax.get_children() if (a.get_gid() or "").startswith(prefix)]


def test_draw_runs_headless_and_labels_every_shown_node():
    """s2s: 12 boxes with a bold label (14 nodes less the two DIDs), on the Axes returned."""
    graph = trust_graph(scenarios.run("s2s", seed=1).sim)
    ax = draw_trust_graph(graph)
    assert isinstance(ax, Axes)
    labels = gids(ax, "node:")
    assert len(labels) == len(visible_nodes(graph)) == graph.number_of_nodes() - 2 == 12
    assert {t.get_text() for t in labels} >= {"Zorgregister", "Huisartsenpraktijk West", "Ziekenhuis Oost"}
    assert gids(ax, "reason:") == []


def test_draw_into_a_given_axes_with_the_dids():
    """The caller's Axes comes back; show_dids adds the two DID boxes."""
    graph = trust_graph(scenarios.run("s2s", seed=1).sim)
    fig = Figure()
    ax = fig.add_subplot()
    assert draw_trust_graph(graph, ax, show_dids=True) is ax
    assert len(gids(ax, "node:")) == graph.number_of_nodes() == 14


def test_broken_links_are_labelled_with_reason_and_check():
    """trust-revoked: two red labels, each naming the failed check; none without highlighting."""
    graph = trust_graph(scenarios.run("trust-revoked", seed=1).sim)
    ax = draw_trust_graph(graph)
    texts = sorted(t.get_text() for t in gids(ax, "reason:"))
    assert texts == [
        "✗ credential is revoked\n[token.verify_vp]",
        "✗ credential is revoked\n[vc.revocation]",
    ]
    assert gids(draw_trust_graph(graph, highlight_broken=False), "reason:") == []


def test_a_trace_or_world_can_be_drawn_directly():
    """draw_trust_graph builds the graph itself from a world or a trace export."""
    world = scenarios.run("trust-untrusted-issuer", seed=1)
    ax = draw_trust_graph(world)
    (label,) = gids(ax, "reason:")
    assert label.get_text() == "✗ issuer not trusted\nby the PD's $.issuer filter\n[client.pd_match]"
    assert len(gids(draw_trust_graph(world.sim.trace.to_dict()), "node:")) == len(gids(ax, "node:"))


def test_the_layout_is_layered_and_stable():
    """Columns follow the chain; two seeds give the same positions for the same kinds of node."""
    layouts = []
    for seed in (1, 2):
        graph = trust_graph(scenarios.run("s2s", seed=seed).sim)
        positions = trust_layout(graph)
        layouts.append(
            [
                (graph.nodes[n]["kind"], graph.nodes[n]["label"], positions[n])
                for n in sorted(positions, key=lambda n: (graph.nodes[n]["order"], graph.nodes[n]["rank"]))
            ]
        )
        x = {graph.nodes[n]["kind"]: positions[n][0] for n in positions}
        assert x["issuer"] < x["credential"] < x["holder"] < x["presentation"] < x["verifier"] < x["token"]
        assert x["token"] < x["claim"]
    assert layouts[0] == layouts[1]


def test_labels_of_gaps_and_short_reasons():
    """Warnings say what nobody checked; reasons lose prefixes, ids and URLs."""
    assert edge_label({"relation": "trusts", "held": True, "constrained": False}).startswith("⚠ no issuer")
    missed = {"relation": "revoked", "held": False, "noticed": False, "check": "vc.revocation_list"}
    assert edge_label(missed) == "⚠ revoked, not noticed\n(fail-open: vc.revocation_list)"
    assert (
        short_reason(
            "presentation(s) or credential(s) verification failed: "
            "invalid VC (id=did:web:a.example:iam:1#2): "
            "unable to check revocation status: fetching https://a.example/statuslist/x/1 failed: HTTP 503"
        )
        == "unable to check revocation status: fetching a.example failed: HTTP 503"
    )


@pytest.mark.parametrize(("name", "profile", "options"), PICTURES)
def test_render_pictures_for_people_to_look_at(name, profile, options, output: Path):
    """test-output/trust-*.png for s2s and each trust scenario (git-ignored)."""
    world = scenarios.run(name, seed=1, profile=profile, **options)
    png = render_trust_png(world.sim, dpi=100)
    assert png.startswith(b"\x89PNG")
    suffix = "-no-constraint" if options else ""
    stem = name.removeprefix("trust-")
    (output / f"trust-{stem}-{profile}{suffix}.png").write_bytes(png)
