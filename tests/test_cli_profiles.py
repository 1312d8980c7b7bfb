"""``nutssim profiles`` (issue #20 item 1): each profile with the reference commit it reproduces."""

from __future__ import annotations

import json

from nutssim import cli
from nutssim.profiles import PROFILES, REFERENCES, Profile


def test_profiles_lists_each_profile_with_its_commit(capsys):
    assert cli.main(["profiles"]) == 0
    out = capsys.readouterr().out
    assert "nuts-node\n  reference: github.com/nuts-foundation/nuts-node master @ d2ad162 " in out
    assert "nuts-node-gf\n  reference: github.com/nuts-foundation/nuts-node project-gf @ 1e7e87b " in out
    assert "strict\n  reference: the specifications (no implementation)" in out


def test_profiles_json(capsys):
    assert cli.main(["profiles", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["profile"] for r in rows] == list(PROFILES)
    assert {r["profile"]: r["jwt_bearer_as"] for r in rows} == {
        "nuts-node": "refused",
        "nuts-node-gf": "single-vp",
        "strict": "two-vp",
    }


def test_every_profile_has_a_reference_and_a_family():
    assert set(REFERENCES) == set(PROFILES)
    assert [Profile(p).family for p in PROFILES] == ["nuts-node", "nuts-node", "strict"]
    assert [Profile(p).nuts_node for p in PROFILES] == [True, True, False]
    assert not Profile("nuts-node-gf").strict


def test_run_with_another_pex_reading(capsys):
    """``--pex-semantics`` changes only the PD reading: the reference's own rfc021-e2e policy (``$.type``
    tested with a string filter) is granted by a nuts-node, refused when it reads PE as the DIF text."""
    assert cli.main(["run", "s2s-ldp", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"]["status"] == "granted"
    assert cli.main(["run", "s2s-ldp", "--pex-semantics", "strict", "--format", "json"]) == 1
    trace = json.loads(capsys.readouterr().out)
    assert trace["outcome"]["status"] == "denied"
    assert trace["profile"].startswith("nuts-node")
