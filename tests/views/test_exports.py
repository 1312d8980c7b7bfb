"""Exports: Mermaid text that parses, a self-contained HTML report, a text summary, loading an export."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from nutssim.trace import Trace
from nutssim.views import html_report, load_trace, to_mermaid, to_text
from nutssim.views.mermaid import escape

_ID = r"[A-Za-z][A-Za-z0-9_]*"
_MESSAGE = re.compile(rf"^(?P<from>{_ID})(?P<arrow>-->>|->>)(?P<act>[+-]?)(?P<to>{_ID}): (?P<text>.+)$")
_NOTE = re.compile(rf"^Note (over|left of|right of) {_ID}(,\s*{_ID})?: .+$")
_PARTICIPANT = re.compile(rf"^(participant|actor) (?P<id>{_ID})( as (?P<alias>.+))?$")
_BOX = re.compile(r"^box( .+)?$")


def parse_mermaid(text: str) -> dict[str, list]:
    """A small checker of the sequenceDiagram subset we emit; raises AssertionError on anything else."""
    lines = text.splitlines()
    assert lines[0] == "sequenceDiagram", lines[0]
    found: dict[str, list] = {"participants": [], "requests": [], "responses": [], "notes": []}
    in_box, active = False, {}
    for number, raw in enumerate(lines[1:], 2):
        line = raw.strip()
        if not line or line.startswith("%%"):
            continue
        if _BOX.match(line) and not in_box:
            in_box = True
        elif line == "end":
            assert in_box, f"line {number}: 'end' outside a box"
            in_box = False
        elif m := _PARTICIPANT.match(line):
            assert _entities_ok(m["alias"] or ""), (
                f"line {number}: a raw ';' or '#' would break the statement"
            )
            found["participants"].append(m["id"])
        elif m := _MESSAGE.match(line):
            for who in (m["from"], m["to"]):
                assert who in found["participants"], f"line {number}: unknown participant {who}"
            assert _entities_ok(m["text"]), f"line {number}: a raw ';' or '#' would break the message"
            if m["act"] == "+":
                active[m["to"]] = active.get(m["to"], 0) + 1
            if m["act"] == "-":
                assert active.get(m["from"], 0) > 0, f"line {number}: deactivating an inactive participant"
                active[m["from"]] -= 1
            found["requests" if m["arrow"] == "->>" else "responses"].append(m["text"])
        elif _NOTE.match(line):
            found["notes"].append(line)
        else:
            raise AssertionError(f"line {number} is not sequenceDiagram syntax: {raw!r}")
    assert not in_box, "unterminated box"
    assert all(v == 0 for v in active.values()), f"activations left open: {active}"
    return found


def _entities_ok(text: str) -> bool:
    """Every '#' starts an entity code (#35; #lt; …) and no raw ';' is left."""
    stripped = re.sub(r"#(\d+|[a-z]+);", "", text)
    return "#" not in stripped and ";" not in stripped


@pytest.mark.parametrize("name", ["good", "failure", "long"])
def test_mermaid_parses_with_one_request_arrow_per_exchange(
    name: str, request: pytest.FixtureRequest, output: Path
) -> None:
    trace: Trace = request.getfixturevalue(name)
    text = to_mermaid(trace)
    found = parse_mermaid(text)
    assert len(found["requests"]) == len(trace.exchanges) == len(found["responses"])
    assert all(_entities_ok(t) for t in found["requests"] + found["responses"])
    (output / f"sequence-{name}.mmd").write_text(text, encoding="utf-8")


def test_mermaid_notes_errors_and_failed_checks(failure: Trace) -> None:
    found = parse_mermaid(to_mermaid(failure))
    assert any("invalid_request" in r for r in found["responses"])
    assert any("s2s.vp.nonce" in n for n in found["notes"])
    assert any("presentation nonce has already been used" in n for n in found["notes"])


def test_mermaid_notes_are_capped_and_point_to_the_report(failure: Trace) -> None:
    data = failure.to_dict()
    long = "the presentation was refused because " + "of a very long and detailed reason " * 20
    for event in data["events"]:
        body = (event.get("response") or {}).get("json")
        if isinstance(body, dict) and "error" in body:
            body["error_description"] = long
    found = parse_mermaid(to_mermaid(load_trace(data)))
    notes = [n.split(":", 1)[1].replace("#58;", ":").replace("#35;", "#") for n in found["notes"]]
    cut = [n for n in notes if "the presentation was refused" in n]
    assert cut, notes
    assert all(len(n) < 260 for n in notes), notes  # codes and a short description, not a log line
    assert all("…" in n and "full text: #" in n and "in the HTML report" in n for n in cut), cut


def test_mermaid_escapes_what_it_chokes_on(good: Trace) -> None:
    data = good.to_dict()
    data["events"][0]["label"] = "evil; Alice->>Bob: #injected\nNote over P1: x <b>"
    data["parties"][0]["name"] = "Mallory; participant X"
    text = to_mermaid(load_trace(data))
    found = parse_mermaid(text)
    assert "Alice" in found["requests"][0] and "\n" not in found["requests"][0]
    assert escape("a;b#c:d") == "a#59;b#35;c#58;d"
    assert len(found["participants"]) == 6


def test_mermaid_fold_hides_did_lookups(good: Trace) -> None:
    found = parse_mermaid(to_mermaid(good, fold=True))
    assert len(found["requests"]) == len(good.exchanges) - 2
    assert any("2 DID lookups folded" in r for r in found["requests"])


EXTERNAL = re.compile(r"""(src|href)\s*=\s*["']?\s*(https?:)?//|@import|url\(\s*["']?(https?:)?//""", re.I)


@pytest.mark.parametrize("name", ["good", "failure"])
def test_html_report_is_self_contained(name: str, request: pytest.FixtureRequest, output: Path) -> None:
    trace: Trace = request.getfixturevalue(name)
    page = html_report(trace)
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert not EXTERNAL.search(page)
    assert "<script" not in page.lower()
    assert page.count('<section class="exchange"') == len(trace.exchanges)
    # The diagram is inline SVG: zoomable, its labels text a reader can select and search.
    assert "data:image/png" not in page and page.count("<svg") == 1
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert f">{trace.exchanges[0].seq}. {html.escape(trace.exchanges[0].label)}<" in svg.replace("\n", "")
    assert "J. &lt;script&gt;alert(1)&lt;/script&gt; Doe" in page
    assert "Outcome" in page and ("denied" in page if name == "failure" else "granted" in page)
    assert html_report(trace) == page  # deterministic: no wall-clock time, same PNG bytes
    (output / f"report-{name}.html").write_text(page, encoding="utf-8")


def test_text_summary_lists_every_exchange_and_the_outcome(failure: Trace) -> None:
    text = to_text(failure)
    line = "   8   Huisarts West (node) → Ziekenhuis Oost (node): token request → 400 ✗ invalid_request"
    assert f"{line} ✗ s2s.vp.nonce" in text
    assert "nonce_burned" in text
    assert text.rstrip().endswith("error: invalid_request: presentation nonce has already been used")


def test_export_round_trips_through_load_trace(good: Trace, tmp_path: Path) -> None:
    exported = good.to_dict()
    assert load_trace(exported).to_dict() == exported
    path = tmp_path / "trace.json"
    path.write_text(good.to_json() or "", encoding="utf-8")
    loaded = load_trace(path)
    assert loaded.to_dict() == exported
    assert load_trace(str(path)).to_dict() == exported
    assert load_trace(json.dumps(exported)).to_dict() == exported
    token = next(x for x in loaded.exchanges if x.seq == 8)
    assert token.request.form["grant_type"] == "vp_token-bearer"
    assert token.request.header("DPoP") == next(x for x in good.exchanges if x.seq == 8).request.header(
        "DPoP"
    )
    assert to_mermaid(loaded) == to_mermaid(good)
    assert html_report(loaded) == html_report(good)


def test_mermaid_notes_http_cache_hits() -> None:
    """A GET a node answered from its HTTP cache is a note inside the exchange that needed it (issue #17)."""
    from nutssim import scenarios
    from nutssim.profiles import Profile

    text = to_mermaid(scenarios.run("s2s", seed=3).sim.trace)
    lines = text.splitlines()
    note = next(i for i, line in enumerate(lines) if "cache hit#58; DID document" in line)
    assert lines[note].strip().startswith("Note over P3:") and "-->>-P2" in lines[note + 1]
    again = to_mermaid(load_trace(json.loads(scenarios.run("s2s", seed=3).sim.trace.to_json() or "{}")))
    assert "cache hit#58;" in again
    off = scenarios.run("s2s", seed=3, profile=Profile().without("http_cache")).sim.trace
    assert "cache hit" not in to_mermaid(off)
