"""Execution: identical records on any executor and worker count, streaming to files, Ctrl-C."""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from nutssim import sweep
from nutssim.errors import InputError


def comparable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sweep.without_timings(records)


def test_one_and_two_worker_processes_give_identical_records(
    grid_spec: sweep.SweepSpec, grid_records: list[dict[str, Any]]
) -> None:
    one = sweep.run_sweep(grid_spec, workers=1)
    two = sweep.run_sweep(grid_spec, workers=2)
    odd_chunks = sweep.run_sweep(grid_spec, workers=2, chunk_size=5)
    assert len(grid_records) == 56
    assert (
        comparable(one.records)
        == comparable(two.records)
        == comparable(odd_chunks.records)
        == comparable(grid_records)
    )
    assert [r["variant"] for r in two.records] == list(range(56))
    assert not two.interrupted and two.completed == two.total == 56
    assert two.statuses == {"granted": 20, "denied": 36}
    assert two.refusals == {"client.pd_match": 24, "token.verify_vp": 8, "vc.revocation": 4}


def test_a_dask_local_cluster_gives_identical_records(
    grid_spec: sweep.SweepSpec, grid_records: list[dict[str, Any]]
) -> None:
    pytest.importorskip("distributed")
    with sweep.dask_executor(workers=2) as executor:
        result = sweep.run_sweep(grid_spec, executor=executor)
    assert comparable(result.records) == comparable(grid_records)


def test_any_executor_threads_included(
    grid_spec: sweep.SweepSpec, grid_records: list[dict[str, Any]]
) -> None:
    with ThreadPoolExecutor(max_workers=3) as executor:
        result = sweep.run_sweep(grid_spec, executor=executor, chunk_size=7)
    assert comparable(result.records) == comparable(grid_records)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_results_stream_to_a_file(
    tmp_path: Path, grid_spec: sweep.SweepSpec, grid_records: list[dict[str, Any]], suffix: str
) -> None:
    out = tmp_path / f"results{suffix}"
    result = sweep.run_sweep(grid_spec, workers=2, out=out)
    assert result.path == out and out.is_file() and result._records is None  # not held in memory
    assert not list(tmp_path.glob("*.part"))
    assert comparable(result.records) == comparable(grid_records)  # read back from the file
    assert len(result.to_frame()) == 56


class InterruptingExecutor(ThreadPoolExecutor):
    """A thread pool whose ``submit`` raises KeyboardInterrupt after ``after`` calls (Ctrl-C)."""

    def __init__(self, after: int) -> None:
        super().__init__(max_workers=1)
        self.after = after
        self.calls = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.calls += 1
        if self.calls > self.after:
            raise KeyboardInterrupt
        return super().submit(fn, *args, **kwargs)


def test_ctrl_c_keeps_and_writes_what_finished(
    tmp_path: Path, grid_spec: sweep.SweepSpec, grid_records: list[dict[str, Any]]
) -> None:
    out = tmp_path / "partial.csv"
    with InterruptingExecutor(after=3) as executor:
        result = sweep.run_sweep(grid_spec, executor=executor, workers=1, chunk_size=5, out=out)
    assert result.interrupted
    assert 5 <= result.completed < 56 and result.completed % 5 == 0
    written = sweep.load_records(out)
    assert len(written) == result.completed
    by_variant = {r["variant"]: r for r in comparable(grid_records)}
    assert all(r == by_variant[r["variant"]] for r in comparable(written))
    assert [r["variant"] for r in written] == sorted(r["variant"] for r in written)


def test_keep_records_and_stream_both(tmp_path: Path, grid_spec: sweep.SweepSpec) -> None:
    result = sweep.run_sweep(grid_spec, workers=0, out=tmp_path / "r.jsonl", keep=True)
    lines = (tmp_path / "r.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == result.records


def test_bad_worker_counts() -> None:
    with pytest.raises(InputError, match="workers"):
        sweep.run_sweep(sweep.SweepSpec(), workers=-1)


def test_local_wallet_functions_reach_worker_processes() -> None:
    pytest.importorskip("cloudpickle")
    removed = "NutsOrganizationCredential"

    def without_organization_credential(world: Any) -> None:  # a closure: plain pickle cannot ship it
        wallet = world.requester.wallet
        wallet.credentials = [c for c in wallet.credentials if removed not in c.types]

    spec = sweep.SweepSpec(flow="s2s-bearer", wallet=["ok", without_organization_credential])
    result = sweep.run_sweep(spec, workers=2)
    assert [r["status"] for r in result.records] == ["granted", "denied"]


class FailingExecutor(ThreadPoolExecutor):
    """A thread pool whose task number ``at`` fails (a worker that crashed)."""

    def __init__(self, at: int) -> None:
        super().__init__(max_workers=1)
        self.at = at
        self.calls = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.calls += 1
        if self.calls == self.at:
            return super().submit(_crash)
        return super().submit(fn, *args, **kwargs)


def _crash() -> None:
    raise RuntimeError("worker crashed")


def test_a_failing_task_raises_after_writing_what_finished(
    tmp_path: Path, grid_spec: sweep.SweepSpec
) -> None:
    out = tmp_path / "partial.jsonl"
    with FailingExecutor(at=3) as executor, pytest.raises(RuntimeError, match="worker crashed"):
        sweep.run_sweep(grid_spec, executor=executor, workers=1, chunk_size=5, out=out)
    written = sweep.load_records(out)
    assert [r["variant"] for r in written][:10] == list(range(10))
