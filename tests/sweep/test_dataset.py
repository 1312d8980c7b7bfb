"""Parquet datasets: written chunk by chunk, Hive-partitioned, journaled, resumable; on a Dask cluster too."""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from nutssim import sweep
from nutssim.errors import InputError
from nutssim.sweep.runner import PackedSpec, nutssim_version, run_chunk


def comparable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sweep.without_timings(records)


def two_profiles() -> sweep.SweepSpec:
    """Two profiles × three wallets × two skews: 12 variants, some granted (with claims), some denied."""
    return sweep.SweepSpec(
        name="two-profiles",
        flow="s2s-bearer",
        profile=["nuts-node", "strict"],
        wallet=["ok", "revoked", "self_issued"],
        clock_skew=[0, 30],
    )


@pytest.fixture(scope="module")
def reference() -> list[dict[str, Any]]:
    return comparable(sweep.run_sweep(two_profiles(), workers=0).records)


class CountingExecutor(ThreadPoolExecutor):
    """A thread pool that remembers which chunks it ran, and stops (Ctrl-C) after ``after`` of them."""

    def __init__(self, after: int | None = None) -> None:
        super().__init__(max_workers=1)
        self.after = after
        self.starts: list[int] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self.after is not None and len(self.starts) >= self.after:
            raise KeyboardInterrupt
        self.starts.append(args[1])
        return super().submit(fn, *args, **kwargs)


def test_a_dataset_is_partitioned_journaled_and_reads_back(tmp_path: Path, reference: list[dict]) -> None:
    out = tmp_path / "ds"
    result = sweep.run_sweep(two_profiles(), workers=0, out=out, partition_by=["profile"], chunk_size=4)
    assert result.format == "dataset" and result.completed == 12 and result.resumed == 0
    assert result._records is None  # streamed, not held
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.parquet"))
    assert files == [
        "profile=nuts-node/part-00000.parquet",
        "profile=nuts-node/part-00001.parquet",
        "profile=strict/part-00001.parquet",
        "profile=strict/part-00002.parquet",
    ]
    manifest = json.loads((out / "_sweep.json").read_text())
    assert manifest["layout"] == "nutssim-sweep-dataset/1" and manifest["nutssim"] == nutssim_version()
    assert (
        manifest["fingerprint"] == two_profiles().fingerprint and manifest["spec"] == two_profiles().to_dict()
    )
    assert manifest["partition_by"] == ["profile"] and manifest["chunk_size"] == 4 and manifest["total"] == 12
    assert manifest["columns"]["variant_seed"] == "int64" and manifest["columns"]["t_total"] == "float64"
    assert manifest["columns"]["case_passed"] == "bool" and manifest["columns"]["profile"] == "string"
    journal = [json.loads(line) for line in (out / "_chunks.jsonl").read_text().splitlines()]
    assert [(j["chunk"], j["start"], j["stop"], j["rows"]) for j in journal] == [
        (0, 0, 4, 4),
        (1, 4, 8, 4),
        (2, 8, 12, 4),
    ]
    assert journal[1]["files"] == [
        "profile=nuts-node/part-00001.parquet",
        "profile=strict/part-00001.parquet",
    ]
    assert comparable(result.records) == reference  # variant order, types as written
    frame = sweep.read_dataset(out)
    assert list(frame["variant"]) == list(range(12)) and list(frame.columns[:3]) == [
        "variant",
        "flow",
        "profile",
    ]
    assert str(frame["clock_skew"].dtype) == "int64" and frame["claim.iat"].notna().any()


def test_read_a_dataset_lazily_with_a_filter(tmp_path: Path) -> None:
    import pyarrow.dataset as ds

    out = tmp_path / "ds"
    sweep.run_sweep(two_profiles(), workers=0, out=out, partition_by="profile,wallet", chunk_size=5)
    assert (out / "profile=strict" / "wallet=self_issued").is_dir()
    table = sweep.read_dataset(
        out, columns=["variant", "status"], filter=ds.field("profile") == "strict", as_arrow=True
    )
    assert table.column("variant").to_pylist() == list(range(6, 12))
    assert sweep.open_dataset(out).count_rows() == 12


def test_partition_values_are_uri_encoded(tmp_path: Path) -> None:
    spec = sweep.SweepSpec(
        flow="s2s-bearer",
        policy=["base", sweep.DropField("$.issuer")],
        controls_off=[[], ["revocation_check", "vp_nonce_store"]],
    )
    out = tmp_path / "ds"
    sweep.run_sweep(spec, workers=0, out=out, partition_by=["controls_off"])
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
        "controls_off=none",
        "controls_off=revocation_check%2Bvp_nonce_store",
    ]
    controls = ["none", "revocation_check+vp_nonce_store"]
    assert list(sweep.read_dataset(out)["controls_off"]) == [c for c in controls for _ in range(2)]


def test_an_interrupted_dataset_resumes_without_recomputing(tmp_path: Path, reference: list[dict]) -> None:
    out = tmp_path / "ds"
    with CountingExecutor(after=2) as first:
        stopped = sweep.run_sweep(
            two_profiles(), executor=first, workers=1, chunk_size=3, out=out, format="dataset"
        )
    # the first chunk finished; the second may have finished before Ctrl-C was handled
    assert stopped.interrupted and stopped.completed in (3, 6) and first.starts == [0, 3]
    assert len(sweep.read_dataset(out)) == stopped.completed  # the journal is the dataset: what finished
    with CountingExecutor() as second:
        resumed = sweep.run_sweep(two_profiles(), executor=second, workers=1, out=out, resume=True)
    # the journaled chunks are not run again (and the chunk size comes from the manifest)
    assert second.starts == [3, 6, 9][stopped.completed // 3 - 1 :]
    assert resumed.resumed == stopped.completed and resumed.completed == resumed.total == 12
    assert not resumed.interrupted
    assert resumed.statuses == {"granted": 2, "denied": 10}  # the whole sweep's, journal included
    assert comparable(resumed.records) == reference


def test_a_crash_between_writing_and_journaling_is_redone(tmp_path: Path, reference: list[dict]) -> None:
    out = tmp_path / "ds"
    sweep.run_sweep(two_profiles(), workers=0, out=out, format="dataset", chunk_size=4)
    journal = out / "_chunks.jsonl"
    lines = journal.read_text().splitlines()
    journal.write_text("\n".join(lines[:2]) + "\n" + lines[2][:15])  # the last line cut short by the crash
    assert (out / "part-00002.parquet").exists() and len(
        sweep.read_dataset(out)
    ) == 8  # unjournaled: not read
    with CountingExecutor() as executor:
        resumed = sweep.run_sweep(two_profiles(), executor=executor, out=out, format="dataset", resume=True)
    assert executor.starts == [8] and resumed.resumed == 8
    assert comparable(sweep.load_records(out, "dataset")) == reference


def test_a_journal_line_that_is_not_ours_is_an_unfinished_chunk(
    tmp_path: Path, reference: list[dict]
) -> None:
    out = tmp_path / "ds"
    sweep.run_sweep(two_profiles(), workers=0, out=out, format="dataset", chunk_size=6)
    journal = out / "_chunks.jsonl"
    first, second = journal.read_text().splitlines()
    hostile = {**json.loads(second), "files": ["../../outside.parquet"]}
    journal.write_text(f'{first}\n{json.dumps(hostile)}\n[1, 2]\n{{"chunk": true}}\n')
    assert len(sweep.read_dataset(out)) == 6  # only the well-formed line counts; nothing outside is read
    with CountingExecutor() as executor:
        resumed = sweep.run_sweep(two_profiles(), executor=executor, out=out, resume=True)
    assert executor.starts == [6] and resumed.resumed == 6
    assert comparable(resumed.records) == reference


def test_a_complete_dataset_resumes_to_nothing(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    sweep.run_sweep(two_profiles(), workers=0, out=out, format="dataset")
    again = sweep.run_sweep(two_profiles(), workers=0, out=out, format="dataset", resume=True)
    assert again.resumed == again.completed == 12 and again.statuses == {"granted": 2, "denied": 10}


def test_only_the_sweep_that_wrote_a_dataset_resumes_it(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    sweep.run_sweep(two_profiles(), workers=0, out=out, partition_by=["profile"], chunk_size=4)
    other = sweep.SweepSpec(**{**two_profiles().to_dict(), "clock_skew": [0, 60]})
    with pytest.raises(
        InputError, match=r"ds: cannot resume: the dataset was written by another spec \(fingerprint "
    ):
        sweep.run_sweep(other, workers=0, out=out, partition_by=["profile"], resume=True)
    with pytest.raises(InputError, match=r"ds: already holds a sweep dataset \(hint: resume it"):
        sweep.run_sweep(two_profiles(), workers=0, out=out, partition_by=["profile"])
    with pytest.raises(
        InputError, match=r"cannot resume: the dataset is partitioned by \['profile'\], not \[\]"
    ):
        sweep.run_sweep(two_profiles(), workers=0, out=out, format="dataset", resume=True)
    with pytest.raises(
        InputError, match="cannot resume with chunk_size 5: the dataset was cut into chunks of 4"
    ):
        sweep.run_sweep(
            two_profiles(), workers=0, out=out, partition_by=["profile"], resume=True, chunk_size=5
        )
    manifest = json.loads((out / "_sweep.json").read_text())
    (out / "_sweep.json").write_text(json.dumps({**manifest, "nutssim": "0.0.0-other"}))
    with pytest.raises(
        InputError, match=r"written by nutssim 0.0.0-other, this is .* \(one dataset, one version\)"
    ):
        sweep.run_sweep(two_profiles(), workers=0, out=out, partition_by=["profile"], resume=True)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"partition_by": ["colour"]},
            "partition_by: cannot partition by 'colour' (hint: partition by dimensions: flow,",
        ),
        ({"partition_by": ["profile", "profile"]}, "partition_by: a partition column is named twice"),
        (
            {"partition_by": ["profile"], "format": "csv"},
            "partition_by: partition_by needs the dataset format",
        ),
        ({"resume": True, "format": "parquet"}, "resume: resume needs the dataset format"),
    ],
)
def test_bad_dataset_options(tmp_path: Path, options: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as caught:
        sweep.run_sweep(two_profiles(), workers=0, out=tmp_path / "ds", **options)
    assert message in str(caught.value)


def test_a_dataset_needs_a_new_or_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="out: a dataset needs a directory to write to"):
        sweep.run_sweep(two_profiles(), workers=0, format="dataset")
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="exists and is not a sweep dataset"):
        sweep.run_sweep(two_profiles(), workers=0, out=tmp_path, format="dataset")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # nothing written into it
    with pytest.raises(InputError, match=r"not a sweep dataset \(no _sweep.json\)"):
        sweep.read_dataset(tmp_path)


# -- a real Dask cluster --------------------------------------------------------------------------------
def test_a_dask_local_cluster_runs_and_resumes_a_dataset(tmp_path: Path, reference: list[dict]) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "ds"
    with sweep.dask_executor(workers=2, processes=False) as executor:
        whole = sweep.run_sweep(
            two_profiles(), executor=executor, out=out, partition_by=["profile"], chunk_size=2
        )
        assert whole.completed == 12 and comparable(whole.records) == reference
        journal = out / "_chunks.jsonl"
        journal.write_text(
            "".join(journal.read_text().splitlines(keepends=True)[:3])
        )  # as if stopped after 3
        resumed = sweep.run_sweep(
            two_profiles(), executor=executor, out=out, partition_by=["profile"], resume=True
        )
    assert resumed.resumed == 6 and resumed.completed == 12
    assert comparable(sweep.load_records(out, "dataset")) == reference


def test_workers_refuse_a_driver_of_another_version() -> None:
    packed = PackedSpec(two_profiles())
    assert packed.version == nutssim_version() and len(run_chunk(packed, 0, 1)) == 1
    packed.version = "0.0.0-other"
    message = (
        f"sweep worker: this worker runs nutssim {nutssim_version()}, the driver 0.0.0-other: "
        "a sweep's variants must all run on the same version "
        "(hint: install nutssim 0.0.0-other on every worker (pip install nutssim==0.0.0-other))"
    )
    with pytest.raises(InputError) as caught:
        run_chunk(packed, 0, 1)
    assert str(caught.value) == message
    pytest.importorskip("distributed")
    with sweep.dask_executor(workers=2, processes=False) as executor:
        future = executor.submit(run_chunk, packed, 0, 2)
        with pytest.raises(InputError) as remote:
            future.result()
    assert str(remote.value) == message


def test_resume_on_a_new_directory_starts_it_and_integer_partitions_read_back_as_integers(
    tmp_path: Path, reference: list[dict]
) -> None:
    out = tmp_path / "new"
    result = sweep.run_sweep(two_profiles(), workers=0, out=out, partition_by=["clock_skew"], resume=True)
    assert result.resumed == 0 and result.completed == 12
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["clock_skew=0", "clock_skew=30"]
    frame = sweep.read_dataset(out)
    assert str(frame["clock_skew"].dtype) == "int64" and list(frame["clock_skew"]) == [0, 30] * 6
    assert comparable(sweep.load_records(out, "dataset")) == reference
