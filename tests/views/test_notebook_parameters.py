"""Every parameter value a notebook's own text offers runs (issue #19 item 3).

``make test`` runs each notebook with its defaults (nbval). Here each notebook runs again once per
value its Parameters section offers, injected the way papermill does: a cell right after the one
tagged ``parameters`` that sets the new value. A run passes when every cell executes with no error
and nothing on standard error. The offered values are listed below, and a test checks that each of
them is still offered by the notebook's text, so the list cannot drift from the notebooks.

An exported notebook keeps its pictures: ``test_an_exported_notebook_shows_every_player`` converts an
executed notebook to HTML (nbconvert, no widget state) and finds every Player's still there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from nutssim import sweep

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
#: Per notebook: the runs beyond the defaults, each the parameters it sets. A run setting several
#: values is one the notebook's text offers together (05's question 2).
OFFERED: dict[str, list[dict[str, Any]]] = {
    "00_tour.ipynb": [{"PROFILE": "strict"}],
    "01_service_to_service.ipynb": [
        {"SCENARIO": "s2s-bearer"},
        {"SCENARIO": "s2s-ldp"},
        {"SCENARIO": "s2s-mixed"},
        {"PROFILE": "strict"},
    ],
    "02_user_flow.ipynb": [{"PROFILE": "strict"}, {"DPOP": False}],
    "03_trust_and_revocation.ipynb": [{"PROFILE": "strict"}],
    "04_failure_cases.ipynb": [{"PROFILE": "strict"}],
    "05_policy_lab.ipynb": [
        {"POLICY_FILE": "eoverdracht.json"},
        {"POLICY_FILE": "reference/zorgtoepassing.json"},
        {"POLICY_FILE": "reference/rfc021-e2e.json", "SCOPE": "test", "FLOW": "s2s-ldp"},
        {"FLOW": "s2s-ldp"},
        {"ISSUER_PATTERN": ""},
        *({"WALLET": wallet} for wallet in sweep.WALLETS if wallet != "untrusted_issuer"),
    ],
    "06_two_vp_and_pdp.ipynb": [{"PROFILE": "strict"}, {"REGO_FILE": "scopes_overbroad.rego"}],
}
RUNS = [(name, values) for name, runs in OFFERED.items() for values in runs]


def _parameters_cell(nb: Any) -> int:
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"expected one cell tagged 'parameters', found {len(tagged)}"
    return tagged[0]


def _offer_text(nb: Any) -> str:
    """The Parameters section: its markdown, the parameters cell and any question offering values."""
    index = _parameters_cell(nb)
    texts = [nb.cells[index].source, nb.cells[index - 1].source]
    texts += [c.source for c in nb.cells if c.cell_type == "markdown" and "Questions to try" in c.source]
    return "\n".join(texts)


def execute(name: str, values: dict[str, Any] | None = None) -> Any:
    """Run notebook ``name`` with ``values`` injected after its parameters cell; fail on any error."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    if values:
        injected = "\n".join(f"{key} = {value!r}" for key, value in values.items())
        cell = nbformat.v4.new_code_cell(f"# injected parameters\n{injected}")
        nb.cells.insert(_parameters_cell(nb) + 1, cell)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": NOTEBOOKS}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, on the first error
    stderr = [
        output.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for output in c.get("outputs", [])
        if output.get("name") == "stderr"
    ]
    assert stderr == [], f"{name} {values}: standard error: {stderr}"
    return nb


@pytest.mark.parametrize(("name", "values"), RUNS, ids=[f"{n[:2]}-{json.dumps(v)}" for n, v in RUNS])
def test_offered_value_is_still_offered_by_the_notebook(name: str, values: dict[str, Any]) -> None:
    text = _offer_text(nbformat.read(NOTEBOOKS / name, as_version=4))
    for key, value in values.items():
        assert key in text, f"{name} no longer has the parameter {key}"
        if isinstance(value, str) and value:
            assert value in text or key == "WALLET", f"{name} no longer offers {key} = {value!r}"


def test_the_wallet_values_are_the_ones_the_notebook_lists() -> None:
    """05 offers "one of the wallet compositions of nutssim.sweep (listed below)": all of them run."""
    text = _offer_text(nbformat.read(NOTEBOOKS / "05_policy_lab.ipynb", as_version=4))
    assert "wallet compositions of `nutssim.sweep`" in text
    offered = {v["WALLET"] for v in OFFERED["05_policy_lab.ipynb"] if "WALLET" in v}
    assert offered | {"untrusted_issuer"} == set(sweep.WALLETS)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "values"), RUNS, ids=[f"{n[:2]}-{json.dumps(v)}" for n, v in RUNS])
def test_notebook_runs_with_each_offered_value(name: str, values: dict[str, Any]) -> None:
    execute(name, values)


def test_an_exported_notebook_shows_every_player(tmp_path: Path) -> None:
    """nbconvert's HTML of an executed notebook: no widget state, yet each Player's diagram is there."""
    from nbconvert import HTMLExporter

    nb = execute("02_user_flow.ipynb")
    players = [c for c in nb.cells if c.cell_type == "code" and "ns.views.Player(" in c.source]
    assert players
    for cell in players:
        html_outputs = [o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
        assert any("nsv-static" in h and "<svg" in h for h in html_outputs), "no static still"
    page, _ = HTMLExporter().from_notebook_node(nb)
    (tmp_path / "02.html").write_text(page, encoding="utf-8")
    assert page.count('class="nsv-static"') == len(players)
    assert page.count("<svg") >= len(players)
