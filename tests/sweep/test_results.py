"""Results as tables: DataFrames, and CSV, Parquet and JSON-lines round trips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from nutssim import sweep
from nutssim.errors import InputError


def test_to_frame_columns_and_dtypes(grid_records: list[dict[str, Any]]) -> None:
    frame = sweep.to_frame(grid_records)
    assert list(frame.columns)[: len(sweep.COLUMNS)] == list(sweep.COLUMNS)
    assert sorted(c for c in frame.columns if c.startswith("claim."))[:2] == [
        "claim.active",
        "claim.client_id",
    ]
    assert frame["variant"].dtype.kind == "i" and frame["t_total"].dtype.kind == "f"
    assert frame["claim.iat"].dtype.kind == "f"  # numbers, NaN where denied
    assert frame["status"].dtype == object and frame.loc[0, "error"] is None
    assert set(frame["claim.active"]) == {True, None}


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_round_trip(tmp_path: Path, grid_records: list[dict[str, Any]], suffix: str) -> None:
    path = sweep.save_records(grid_records, tmp_path / f"r{suffix}")
    pd.testing.assert_frame_equal(sweep.read_results(path), sweep.to_frame(grid_records))
    assert sweep.load_records(path) == grid_records


def test_csv_is_plain_csv(tmp_path: Path, grid_records: list[dict[str, Any]]) -> None:
    path = sweep.save_records(grid_records, tmp_path / "r.csv")
    header, first = path.read_text().splitlines()[:2]
    assert header.startswith(
        "variant,flow,profile,pex_semantics,controls_off,policy,scope,scope_policy,wallet,"
    )
    assert first.startswith("0,s2s-bearer,nuts-node,profile,none,base,default,keep,ok,0,0,")
    plain = pd.read_csv(path)  # any CSV reader will do
    assert len(plain) == 56 and (plain["status"] == "granted").sum() == 20


def test_result_save_and_frame(tmp_path: Path, grid_spec: sweep.SweepSpec) -> None:
    result = sweep.run_sweep(grid_spec, workers=0)
    assert result.summary() == {"granted": 20, "denied": 36}
    saved = result.save(tmp_path / "r.csv")
    pd.testing.assert_frame_equal(sweep.read_results(saved), result.to_frame())


def test_unknown_format(tmp_path: Path, grid_records: list[dict[str, Any]]) -> None:
    with pytest.raises(InputError, match="unknown results format"):
        sweep.save_records(grid_records, tmp_path / "r.xlsx", format="xlsx")
