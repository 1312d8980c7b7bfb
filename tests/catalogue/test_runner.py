"""The machinery around the cases: metadata, coverage, runner, CLI, heatmap and attacker moves."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nutssim import jose
from nutssim.catalogue import Record, case, cases, run_case, run_catalogue
from nutssim.catalogue.attacker import (
    RewriteResponse,
    attacker,
    is_pd_request,
    resign,
    rewrite_json,
    strip_issuer_constraints,
    tamper_jwt,
    unsigned_jwt,
)
from nutssim.profiles import CONTROLS, PROFILES
from nutssim.scenarios import build
from nutssim.scenarios.s2s import shipped_policy

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ("s2s", "resource")


# -- the cases as data ---------------------------------------------------------------------------------
@pytest.mark.parametrize("flow", FLOWS)
def test_every_case_is_well_formed(flow: str) -> None:
    """Ids carry their flow; controls exist; attacks have both expectations; refs name a source."""
    for c in cases(flow):
        assert c.flow == flow
        assert c.id.startswith({"s2s": "s2s-", "resource": "res-"}[flow]), c.id
        assert c.control is None or c.control in CONTROLS, c.control
        assert (c.control is None) == (c.vulnerable is None), f"{c.id}: control and vulnerable go together"
        for table in (c.expected, c.vulnerable or {"*": None}):
            assert "*" in table or {"nuts-node", "strict"} <= set(table), (
                f"{c.id}: a profile has no expectation"
            )
        assert any(r.startswith(("PROTOCOL.md", "ATTACKS.md")) for r in c.refs), c.id
        assert c.title and c.attack and c.step


def _refs(pattern: str) -> set[int]:
    found = set()
    for c in cases():
        for ref in c.refs:
            found |= {int(n) for n in re.findall(pattern, ref)}
    return found


def test_protocol_items_are_covered() -> None:
    """PROTOCOL.md §4.2 items 1–33 (token endpoint) and 64–73 (resource access) each have a case."""
    covered = _refs(r"PROTOCOL\.md §4\.2 #(\d+)")
    missing = (set(range(1, 34)) | set(range(64, 74))) - covered
    assert not missing, f"no case for §4.2 items {sorted(missing)}"


@pytest.mark.parametrize(
    "ref",
    [
        "ATTACKS.md 3.1 #2",
        "ATTACKS.md 3.1 #5",
        "ATTACKS.md 3.1 #6",
        "ATTACKS.md 3.1 #13",
        "ATTACKS.md 3.2 #15",
        "ATTACKS.md 3.2 #18",
        "ATTACKS.md 3.2 #19",
        "ATTACKS.md 3.6 #48",
        "ATTACKS.md 3.6 #54",
        "ATTACKS.md 3.7 #60",
        "ATTACKS.md 3.8 #61",
    ],
)
def test_attacks_items_are_covered(ref: str) -> None:
    """The ATTACKS.md items that apply to the s2s flow and resources beyond §4.2 have a case."""
    assert any(ref in r for c in cases() for r in c.refs), ref


# -- the runner ------------------------------------------------------------------------------------------
def test_vulnerable_run_switches_each_case_control_off() -> None:
    """Only attacks run, each under the profile minus its own control; the rows say so."""
    records = run_catalogue("nuts-node", flow="resource", vulnerable=True)
    assert records and all(r.case.control for r in records)
    for record in records:
        assert record.profile == f"nuts-node -{record.case.control}"
        assert record.expected in record.case.vulnerable.values()


def test_same_seed_same_observation() -> None:
    """A case is deterministic: the same seed gives the same observation and the same trace."""
    first, second = (run_case(case("s2s-stolen-vc"), "strict", seed=5) for _ in range(2))
    assert first.observed == second.observed
    assert first.trace.to_json() == second.trace.to_json()


def test_record_rows_are_flat_json() -> None:
    """Record.to_dict is what the CLI prints and the heatmap reads."""
    row = run_case(case("res-stolen-token"), "strict").to_dict()
    assert json.loads(json.dumps(row)) == row
    assert (row["observed_status"], row["observed_error"], row["failed_check"]) == (
        "denied",
        "invalid_dpop_proof",
        "rs.dpop_proof",
    )


# -- the command line ---------------------------------------------------------------------------------------
@pytest.fixture
def main() -> Iterator[Callable[[list[str]], int]]:
    """``nutssim.cli.main``, imported for the test and unloaded after it when it was not loaded before.

    The package is left as found: tests/test_public_api.py pins the public attributes of ``nutssim``,
    and importing a submodule adds one.
    """
    import importlib

    import nutssim

    loaded = "nutssim.cli" in sys.modules
    yield importlib.import_module("nutssim.cli").main
    if not loaded:
        sys.modules.pop("nutssim.cli", None)
        vars(nutssim).pop("cli", None)


def test_cli_cases_json_in_a_subprocess() -> None:
    """`python -m nutssim cases --flow s2s --json` exits 0 and prints one JSON row per run."""
    done = subprocess.run(
        [sys.executable, "-m", "nutssim", "cases", "--flow", "s2s", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout[-2000:]
    rows = json.loads(done.stdout)
    assert len(rows) == len(PROFILES) * len(cases("s2s"))
    assert {r["profile"] for r in rows} == set(PROFILES)
    assert all(r["passed"] and r["flow"] == "s2s" for r in rows)


def test_cli_cases_table(main: Callable[[list[str]], int], capsys: pytest.CaptureFixture[str]) -> None:
    """The table names every run and ends with the count; exit 0 when all match."""
    assert main(["cases", "--flow", "resource", "--profile", "strict", "--vulnerable"]) == 0
    out = capsys.readouterr().out
    assert "res-stolen-token" in out and "strict -dpop_proof" in out
    assert out.rstrip().endswith("0 differ")


def test_cli_cases_exit_1_on_mismatch(
    main: Callable[[list[str]], int], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An outcome that differs from its expectation makes `nutssim cases` exit 1 and show why."""
    from nutssim import catalogue

    real = catalogue.run_catalogue

    def flipped(*args: object, **kwargs: object) -> list[Record]:
        from dataclasses import replace

        return [
            replace(r, passed=False, why="status granted, expected denied") for r in real(*args, **kwargs)
        ]

    monkeypatch.setattr(catalogue, "run_catalogue", flipped)
    assert main(["cases", "--flow", "resource", "--profile", "nuts-node"]) == 1
    assert "✗ status granted, expected denied" in capsys.readouterr().out


def test_cli_cases_unknown_flow_is_a_usage_error(
    main: Callable[[list[str]], int], capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown flow exits 2 and lists the known ones."""
    assert main(["cases", "--flow", "nope"]) == 2
    assert "known flows" in capsys.readouterr().err


# -- the heatmap ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def resource_records() -> list[Record]:
    """The resource flow under both profiles, controls on and off (46 runs)."""
    out: list[Record] = []
    for profile in ("nuts-node", "strict"):
        out += run_catalogue(profile, flow="resource") + run_catalogue(
            profile, flow="resource", vulnerable=True
        )
    return out


def test_heatmap_renders_headless(resource_records: list[Record]) -> None:
    """The heatmap draws with Agg into test-output/heatmap.png (git-ignored; look at it)."""
    from nutssim.views.heatmap import render_heatmap_png

    png = render_heatmap_png(resource_records)
    assert png.startswith(b"\x89PNG")
    out = ROOT / "test-output"
    out.mkdir(exist_ok=True)
    (out / "heatmap.png").write_bytes(png)


def test_heatmap_grid_and_failures(resource_records: list[Record]) -> None:
    """One row per case, four columns; a mismatch is framed and marked ✗, also from JSON rows."""
    from matplotlib.figure import Figure

    from nutssim.views.heatmap import VULNERABLE, cells, draw_heatmap, grid

    rows = [r.to_dict() for r in resource_records]
    rows[0] = {**rows[0], "passed": False}
    found = cells(rows)
    case_rows, columns = grid(found)
    assert len(case_rows) == len(cases("resource"))
    assert columns == [
        ("nuts-node", "controls on"),
        ("nuts-node", VULNERABLE),
        ("strict", "controls on"),
        ("strict", VULNERABLE),
    ]
    ax = Figure().add_subplot()
    assert draw_heatmap(rows, ax) is ax
    texts = [t.get_text() for t in ax.texts]
    assert sum("✗" in t for t in texts) == 1
    assert "1 differs from expectation" in ax.get_title()


# -- attacker moves -----------------------------------------------------------------------------------------
def test_jwt_forgeries() -> None:
    """resign re-signs with a chosen key; tamper_jwt keeps a stale signature; unsigned_jwt is alg none."""
    world = build("s2s")
    evil = attacker(world)
    token = jose.sign({"typ": "JWT", "kid": "a#1"}, {"iss": "a", "n": 1}, world.requester.identities[0].key)
    forged = jose.decode(resign(token, evil.key, claims={"n": 2, "iss": None}, header={"kid": "b#2"}))
    assert (forged.header["kid"], forged.payload) == ("b#2", {"n": 2})
    forged.verify(evil.key.public)
    stale = jose.decode(tamper_jwt(token, claims={"n": 3}))
    with pytest.raises(jose.InvalidSignature):
        stale.verify(world.requester.identities[0].key.public)
    bare = jose.decode(unsigned_jwt({"typ": "JWT"}, {"n": 4}))
    assert (bare.alg, bare.signature, bare.payload) == ("none", b"", {"n": 4})


def test_attacker_is_one_party_with_a_resolvable_did() -> None:
    """attacker() adds one party, serving its did:web document on the network."""
    world = build("s2s")
    evil = attacker(world)
    assert attacker(world) is evil
    from nutssim.messages import HttpRequest

    did_url = "https://attacker.example/iam/" + evil.did.rsplit(":", 1)[-1] + "/did.json"
    response = world.sim.network.send(HttpRequest.get(did_url), sender="ehr-gp")
    assert response.ok and response.json["id"] == evil.did


def test_pd_rewritten_in_the_middle() -> None:
    """RewriteResponse with strip_issuer_constraints hands the client a PD without its issuer filter."""
    pd = shipped_policy("eoverdracht")["eoverdracht"]["organization"]
    assert "$.issuer" in json.dumps(pd) and "$.issuer" not in json.dumps(strip_issuer_constraints(pd))
    world = build("s2s")
    rewrite = RewriteResponse(is_pd_request, rewrite_json(strip_issuer_constraints))
    world.sim.network.interceptors.append(rewrite)
    world.run()
    served = world.sim.trace.find("presentation definition")[0].response.json
    assert rewrite.acted == 1 and "$.issuer" not in json.dumps(served)
