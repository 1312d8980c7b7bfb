"""Trace levels (issue #23 item 3): full, wire (raw messages), summary (checks, facts, outcome)."""

from __future__ import annotations

import pytest

from nutssim import scenarios
from nutssim.simulation import Simulation
from nutssim.trace import LEVELS, Trace


def _run(level: str, name: str = "s2s") -> scenarios.World:
    world = scenarios.build(name, seed=1)
    world.sim.trace.level = level
    world.run()
    return world


def test_the_levels_and_the_default() -> None:
    assert LEVELS == ("full", "wire", "summary")
    assert Trace().level == "full" and Simulation(seed=1).trace.level == "full"
    assert Simulation(seed=1, trace_level="summary").trace.level == "summary"
    with pytest.raises(ValueError, match="unknown trace level 'tiny'; one of full, wire, summary"):
        Trace("tiny")


def test_a_wire_trace_reads_back_the_same_messages_and_export_but_for_its_level() -> None:
    full, wire = _run("full").sim.trace, _run("wire").sim.trace
    assert [x.request for x in wire.exchanges] == [x.request for x in full.exchanges]
    assert [x.response for x in wire.exchanges] == [x.response for x in full.exchanges]
    exported = wire.to_dict()
    assert exported.pop("level") == "wire" and exported == full.to_dict()


def test_a_wire_trace_keeps_no_decoded_body() -> None:
    wire = _run("wire").sim.trace
    assert len(wire._rows) > len(wire._events)  # events after the level was set are rows of columns
    assert all(type(item) in (str, bytes, int, tuple) for row in wire._rows.payload for item in row)
    assert any(type(item) is bytes for row in wire._rows.payload for item in row)  # a long body, compressed
    token = wire.latest("token request")
    assert token is not None and "json" not in vars(token.response)  # decoded again when read
    assert isinstance(token.response.json, dict)


def test_a_summary_trace_keeps_checks_facts_outcome_and_elides_messages() -> None:
    full, summary = _run("full").sim.trace, _run("summary").sim.trace
    assert summary.outcome == full.outcome and summary.outcome is not None
    assert summary.outcome["status"] == "granted" and "introspection" in summary.outcome
    assert [(x.seq, x.label, x.sender, x.receiver, x.checks) for x in summary.exchanges] == [
        (x.seq, x.label, x.sender, x.receiver, x.checks) for x in full.exchanges
    ]
    assert [f.to_record() for f in summary.facts()] == [f.to_record() for f in full.facts()]
    flow_exchanges = summary.exchanges[-6:]
    assert all(x.request.body == "" and x.response.body == "" for x in flow_exchanges)
    assert [x.response.status for x in summary.exchanges] == [x.response.status for x in full.exchanges]
    assert summary.to_dict()["level"] == "summary"


def test_a_summary_trace_keeps_the_latest_exchange_of_a_label_whole() -> None:
    summary = _run("summary").sim.trace
    latest = summary.latest("introspection")
    assert latest is not None and latest.response.json["active"] is True


def test_a_denied_flow_has_the_same_failed_checks_at_every_level() -> None:
    failed = {}
    for level in LEVELS:
        world = scenarios.build("trust-untrusted-issuer", seed=1)
        world.sim.trace.level = level
        world.run()
        failed[level] = [(x.seq, c) for x, c in world.sim.trace.failed_checks()]
        assert world.sim.trace.outcome is not None and world.sim.trace.outcome["status"] == "denied"
    assert failed["full"] and failed["full"] == failed["wire"] == failed["summary"]
