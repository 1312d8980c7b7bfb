"""Tables instead of repr: observations, the catalogue, a presentation definition (issue #19 item 3)."""

from __future__ import annotations

from importlib import resources

import nutssim as ns
from nutssim.catalogue import Observation
from nutssim.views import case_table, observations, pd_table
from nutssim.views.tables import filter_text


def test_observations_say_the_outcome_in_words_and_escape_everything() -> None:
    table = observations(
        {
            "nuts-node": Observation(
                "denied", "invalid_request", "nonce <b>reused</b>", ("token.nonce_unused",)
            ),
            "nuts-node -vp_nonce_store": Observation("granted"),
        }
    )
    page = table.html
    assert "✗ denied invalid_request" in page and "✓ granted" in page
    assert "&lt;b&gt;reused&lt;/b&gt;" in page and "<b>reused" not in page
    assert 'class="fail"' in page and 'class="ok"' in page  # colour beside the word, not instead of it
    assert "<style>" in page and ".nsv.nsv.nsv table.nsv-table" in page  # scoped, outranks a front end's CSS
    assert str(table).splitlines()[0].split() == ["run", "outcome", "description", "failed", "checks"]


def test_case_table_filters_by_profile_and_scrolls_when_long() -> None:
    records = ns.catalogue.run_catalogue("nuts-node", flow="resource", seed=1)
    table = case_table(records, profile="nuts-node")
    assert len(table) == len(records) and all(row[2] == "nuts-node" for row in table.rows)
    assert table.scroll == (len(records) > 20)
    assert len(case_table(records, profile="strict")) == 0


def test_pd_table_has_one_row_per_constraint_field() -> None:
    path = resources.files("nutssim") / "data" / "policies" / "zorgtoepassing.json"
    definition = ns.policy.load(path).presentation_definition("zorgtoepassing", "organization")
    table = pd_table(definition)
    fields = [f for d in definition.input_descriptors for f in d.constraints.fields]
    assert len(table) == len(fields)
    assert ("$.type[*]", '= "NutsOrganizationCredential"') in {(r[1], r[2]) for r in table.rows}
    assert any(r[1].startswith("$.issuer") and r[2].startswith("~ /^did:web:register") for r in table.rows)
    assert any("→ organization_name" in r[1] for r in table.rows)  # the claim the field becomes


def test_filter_text_reads_like_a_rule() -> None:
    assert filter_text({"type": "string", "const": "X"}) == '= "X"'
    assert filter_text({"enum": ["a", "b"]}) == 'one of "a", "b"'
    assert filter_text({"type": "string", "pattern": "^a$"}) == "~ /^a$/"
    assert filter_text({"type": "string"}) == "a string"
    assert filter_text(None) == "present"
