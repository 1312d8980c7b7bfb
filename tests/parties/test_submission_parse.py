"""The token endpoint parses a presentation submission once, under the PD limits in force."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from nutssim import scenarios
from nutssim.specs import pex
from nutssim.specs.pex import models
from nutssim.specs.pex.limits import DEFAULT_LIMITS, using_limits
from nutssim.specs.presentation import parse_submission_text

SUBMISSION = {
    "id": "s",
    "definition_id": "pd",
    "descriptor_map": [{"id": "a", "format": "jwt_vp", "path": "$.verifiableCredential[0]"}],
}


def test_edge_parse_reads_the_limits_in_force() -> None:
    """Before, the edge parsed with the default limits and the PD check again with the active ones."""
    text = json.dumps(SUBMISSION)
    assert parse_submission_text(text).definition_id == "pd"
    tight = replace(DEFAULT_LIMITS, max_document_nodes=5)
    with using_limits(tight), pytest.raises(pex.LimitExceeded, match="presentation submission"):
        parse_submission_text(text)


def test_one_submission_parse_per_token_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """§1.5 #5 parses the submission; §1.5 #12 checks that model rather than parsing it again."""
    world = scenarios.build("s2s", seed=1)
    world.run(no_cache=True)
    parsed: list[str] = []
    original = models._parse

    def counting(model, *args):  # type: ignore[no-untyped-def]
        parsed.append(model.__name__)
        return original(model, *args)

    monkeypatch.setattr(models, "_parse", counting)
    world.sim.clock.advance(2)
    assert world.start(no_cache=True).finish().granted
    assert parsed.count("PresentationSubmission") == 1


def test_a_definition_parsed_from_json_is_parsed_once_per_content(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wallet's PD (§1.2) is parsed once per content; a refused one is refused every time."""
    from nutssim.specs.pex import compiled

    document = {"id": "once", "input_descriptors": [{"id": "d", "constraints": {"fields": []}}]}
    parsed: list[str] = []
    original = compiled.parse_definition

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append("pd")
        return original(*args, **kwargs)

    monkeypatch.setattr(compiled, "parse_definition", counting)
    first = pex.canonical_definition(document)
    again = pex.canonical_definition(json.loads(json.dumps(document)))
    assert (first.id, again.definition) == ("once", first.definition) and len(parsed) == 1
    changed = {**document, "id": "other"}
    assert pex.canonical_definition(changed).id == "other" and len(parsed) == 2
    broken = {"id": "broken", "input_descriptors": "not a list"}
    for _ in range(2):
        with pytest.raises(pex.InvalidDefinition):
            pex.canonical_definition(broken)
    assert len(parsed) == 4


def test_the_text_a_definition_was_read_from_keys_the_parse() -> None:
    """A fetched PD is keyed by its body text: the same text, one parse; its canonical text kept."""
    from nutssim.specs.pex import compiled

    document = {"input_descriptors": [{"id": "d", "constraints": {"fields": []}}], "id": "raw-keyed"}
    body = json.dumps(document)
    first = pex.canonical_definition(document, raw=body)
    again = pex.canonical_definition(json.loads(body), raw=body)
    assert again is first and first.text == compiled._key(document)
    assert pex.compile_definition(first).id == "raw-keyed"


def test_a_long_definition_text_is_not_kept() -> None:
    """The parse cache keeps no text over 64 KiB: a hostile run cannot fill memory with PDs."""
    from nutssim.specs.pex import compiled

    descriptors = [{"id": "d", "constraints": {}}]
    document = {"id": "long", "name": "x" * (65 * 1024), "input_descriptors": descriptors}
    body = json.dumps(document)
    assert pex.canonical_definition(document, raw=body).id == "long"
    assert all(text != body for text, _ in compiled._PARSED)
