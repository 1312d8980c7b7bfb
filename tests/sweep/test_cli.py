"""``nutssim sweep``: a spec file in, a results file and a summary out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nutssim import sweep
from nutssim.cli import main

SPEC = {
    "name": "cli-grid",
    "flow": "s2s-bearer",
    "policy": ["base", {"name": "open", "mutate": [{"op": "drop_field", "path": "$.issuer"}]}],
    "wallet": ["ok", "self_issued", "revoked"],
}


def test_sweep_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "grid.json"
    spec.write_text(json.dumps(SPEC))
    out = tmp_path / "out.csv"
    assert main(["sweep", str(spec), "--workers", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("6/6 variants in ") and str(out) in printed
    assert "denied   3" in printed and "granted  3" in printed and "client.pd_match" in printed
    records = sweep.load_records(out)
    assert [(r["policy"], r["wallet"], r["status"]) for r in records] == [
        ("base", "ok", "granted"),
        ("base", "self_issued", "denied"),
        ("base", "revoked", "denied"),
        ("open", "ok", "granted"),
        ("open", "self_issued", "granted"),
        ("open", "revoked", "denied"),
    ]


def test_sweep_command_default_output_and_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "grid.yaml").write_text("flow: s2s-bearer\nwallet: [ok, missing]\n")
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "grid.yaml", "--workers", "0", "--format", "jsonl"]) == 0
    assert len((tmp_path / "grid.jsonl").read_text().splitlines()) == 2


def test_sweep_command_bad_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "bad.json"
    spec.write_text(json.dumps({"wallet": ["revokd"]}))
    assert main(["sweep", str(spec)]) == 2
    assert "wallet[0]: unknown wallet composition 'revokd'" in capsys.readouterr().err
