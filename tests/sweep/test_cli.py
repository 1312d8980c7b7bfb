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


def test_sweep_command_writes_and_resumes_a_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "grid.yaml"
    spec.write_text(
        "name: skew\nflow: s2s-bearer\nprofile: [nuts-node, strict]\n"
        "clock_skew: {from: 0, to: 60, step: 30}\n"
    )
    out = tmp_path / "skew"
    command = ["sweep", str(spec), "--workers", "0", "--format", "dataset", "--out", str(out)]
    assert main([*command, "--partition-by", "profile"]) == 0
    assert capsys.readouterr().out.startswith("6/6 variants in ")
    assert sorted(p.name for p in out.iterdir()) == [
        "_chunks.jsonl",
        "_sweep.json",
        "profile=nuts-node",
        "profile=strict",
    ]
    assert main([*command, "--partition-by", "profile", "--resume"]) == 0
    assert "resumed: 6 variants were already in the dataset, not run again" in capsys.readouterr().out
    assert main([*command, "--partition-by", "profile"]) == 2
    assert "skew: already holds a sweep dataset (hint: resume it (--resume" in capsys.readouterr().err
    assert [r["clock_skew"] for r in sweep.load_records(out, "dataset")] == [0, 30, 60] * 2


def test_sweep_command_dataset_defaults_and_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "lhs.yaml").write_text(
        "flow: s2s-bearer\nclock_skew: {from: -300, to: 300}\ndesign: {kind: lhs, samples: 3, seed: 2}\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "lhs.yaml", "--workers", "0", "--partition-by", "flow"]) == 0  # → a dataset in lhs/
    assert capsys.readouterr().out.startswith("3/3 variants (lhs sample of a 601-point grid) in ")
    assert (tmp_path / "lhs" / "flow=s2s-bearer").is_dir() and len(sweep.read_dataset("lhs")) == 3
    assert main(["sweep", "lhs.yaml", "--workers", "0", "--partition-by", "colour"]) == 2
    assert "partition_by: cannot partition by 'colour'" in capsys.readouterr().err
    assert main(["sweep", "lhs.yaml", "--format", "csv", "--resume"]) == 2
    assert "resume: resume needs the dataset format" in capsys.readouterr().err
    (tmp_path / "big.yaml").write_text("seed: {from: 0, to: 200000}\n")
    assert main(["sweep", "big.yaml"]) == 2
    assert "sweep spec: seed[0]: seed has 200,001 levels, more than 100,000" in capsys.readouterr().err
