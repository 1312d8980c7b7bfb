"""Sweep results as a Parquet dataset: written chunk by chunk, partitioned, resumable.

Layout of a dataset directory (Hive partitioning: ``partition_by=["profile"]``)::

    results/
      _sweep.json                      the manifest: spec, nutssim version, chunking, column types
      _chunks.jsonl                    the journal: one line per finished chunk, with its files
      profile=nuts-node/part-00000.parquet
      profile=strict/part-00000.parquet
      …

Each finished chunk is written as one Parquet file per partition (to a hidden temporary
name, then renamed), and only then journaled, so the driver holds one chunk at a time and
a crash leaves at worst files that no journal line names. The journal is what the dataset
is: ``read_dataset`` reads the files it names, and a resumed sweep runs only the chunks it
lacks (their files, if a crash left any, are overwritten with the same rows). A directory
is resumed only by the sweep that wrote it: same spec fingerprint, same partitioning, same
nutssim version (``_sweep.json``); anything else is refused with the reason.

Partition values are URI-encoded in directory names (``policy=any%2Fissuer``), as
``pyarrow.dataset`` reads them with ``segment_encoding="uri"``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

from nutssim.errors import InputError
from nutssim.sweep import arrow
from nutssim.sweep.runner import COLUMNS, nutssim_version
from nutssim.sweep.spec import DIMENSIONS, SweepSpec

if TYPE_CHECKING:
    import pandas as pd

MANIFEST = "_sweep.json"
JOURNAL = "_chunks.jsonl"
LAYOUT = "nutssim-sweep-dataset/1"


def partition_columns(partition_by: Sequence[str] | str | None) -> list[str]:
    """The partition columns: dimensions, each once (a comma-separated string is accepted)."""
    if partition_by is None:
        return []
    names = partition_by.split(",") if isinstance(partition_by, str) else list(partition_by)
    names = [n.strip() for n in names if n.strip()]
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown:
        raise InputError(
            f"cannot partition by {', '.join(map(repr, unknown))}",
            where="partition_by",
            hint=f"partition by dimensions: {', '.join(DIMENSIONS)}",
        )
    if len(set(names)) != len(names):
        raise InputError(f"a partition column is named twice: {names}", where="partition_by")
    return names


def manifest(spec: SweepSpec, partition_by: list[str], chunk_size: int) -> dict[str, Any]:
    """What ``_sweep.json`` records about a sweep."""
    return {
        "layout": LAYOUT,
        "nutssim": nutssim_version(),
        "fingerprint": spec.fingerprint,
        "total": spec.size,
        "chunk_size": chunk_size,
        "partition_by": partition_by,
        "columns": {c: arrow.type_name(c) for c in COLUMNS},
        "other_columns": "claim.<name>: string, except those in columns (JSON text for non-strings)",
        "spec": spec.to_dict(),
    }


@dataclass
class Journal:
    """The finished chunks of a dataset, as its journal tells."""

    chunks: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows in finished chunks."""
        return sum(int(c["rows"]) for c in self.chunks.values())

    def counters(self) -> tuple[Counter[str], Counter[str]]:
        """Variants per status and refusals per failing check, over the finished chunks."""
        statuses: Counter[str] = Counter()
        refusals: Counter[str] = Counter()
        for c in self.chunks.values():
            statuses.update(c.get("statuses", {}))
            refusals.update(c.get("refusals", {}))
        return statuses, refusals

    @classmethod
    def read(cls, path: Path) -> Journal:
        """The journal of a dataset (a line cut short by a crash is not a finished chunk)."""
        journal = cls()
        if not (path / JOURNAL).is_file():
            return journal
        with (path / JOURNAL).open(encoding="utf-8") as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if _well_formed(entry):
                    journal.chunks[entry["chunk"]] = entry
        return journal


def _well_formed(entry: Any) -> bool:
    """A journal line this module wrote: counts as integers, files as plain paths inside the dataset."""
    if not isinstance(entry, dict):
        return False
    counts = [entry.get(k) for k in ("chunk", "start", "stop", "rows")]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in counts):
        return False
    files = entry.get("files")
    return (
        isinstance(files, list)
        and bool(files)
        and all(
            isinstance(f, str)
            and f.endswith(".parquet")
            and not f.startswith("/")
            and ".." not in f.split("/")
            for f in files
        )
        and all(isinstance(c, str) for c in entry.get("extra_columns", []))
        and all(isinstance(entry.get(k, {}), dict) for k in ("statuses", "refusals"))
    )


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a dataset directory, or an InputError saying why there is none."""
    file = Path(path) / MANIFEST
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("not a sweep dataset (no _sweep.json)", where=str(path)) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"unreadable dataset manifest: {exc}", where=str(file)) from None
    if not isinstance(data, dict) or data.get("layout") != LAYOUT:
        raise InputError(f"not a {LAYOUT} manifest", where=str(file))
    return data


def _drop_torn_line(journal: Path) -> None:
    """Cut a last line a crash left unfinished, so the next entry starts on a line of its own."""
    if not journal.is_file():
        return
    with journal.open("rb+") as f:
        data = f.read()
        if data and not data.endswith(b"\n"):
            f.truncate(data.rfind(b"\n") + 1)


class DatasetWriter:
    """Writes finished chunks into a dataset directory and journals them; resumes one it wrote."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        spec: SweepSpec,
        partition_by: Sequence[str] | str | None,
        chunk_size: int,
        *,
        resume: bool = False,
        chunk_size_given: bool = False,
    ) -> None:
        self.path = Path(path)
        self.partition_by = partition_columns(partition_by)
        self.columns = [c for c in COLUMNS if c not in self.partition_by]
        self.chunk_size = chunk_size
        self.journal = Journal()
        wanted = manifest(spec, self.partition_by, chunk_size)
        if (self.path / MANIFEST).exists():
            if not resume:
                raise InputError(
                    "already holds a sweep dataset",
                    where=str(self.path),
                    hint="resume it (--resume, resume=True) or write to another directory",
                )
            self.chunk_size = self._check_resumable(read_manifest(self.path), wanted, chunk_size_given)
            self.journal = Journal.read(self.path)
            _drop_torn_line(self.path / JOURNAL)
        elif self.path.exists() and (not self.path.is_dir() or any(self.path.iterdir())):
            raise InputError(
                "exists and is not a sweep dataset",
                where=str(self.path),
                hint="a dataset needs a new directory",
            )
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            (self.path / MANIFEST).write_text(
                json.dumps(wanted, indent=1, default=str) + "\n", encoding="utf-8"
            )
        self._journal: IO[str] = (self.path / JOURNAL).open("a", encoding="utf-8")

    def _check_resumable(self, found: dict[str, Any], wanted: dict[str, Any], chunk_size_given: bool) -> int:
        """The chunk size to resume with, or an InputError: the directory belongs to another sweep."""
        where = str(self.path)
        if found.get("fingerprint") != wanted["fingerprint"]:
            raise InputError(
                "cannot resume: the dataset was written by another spec (fingerprint "
                f"{str(found.get('fingerprint'))[:12]}…, this spec {wanted['fingerprint'][:12]}…)",
                where=where,
                hint="resume with the spec that wrote it, or write to another directory",
            )
        if found.get("nutssim") != wanted["nutssim"]:
            raise InputError(
                f"cannot resume: the dataset was written by nutssim {found.get('nutssim')}, "
                f"this is {wanted['nutssim']} (one dataset, one version)",
                where=where,
                hint="write to another directory",
            )
        if found.get("partition_by") != wanted["partition_by"]:
            raise InputError(
                f"cannot resume: the dataset is partitioned by {found.get('partition_by')}, "
                f"not {wanted['partition_by']}",
                where=where,
            )
        size = found.get("chunk_size")
        if not isinstance(size, int) or size < 1:
            raise InputError(f"bad chunk_size {size!r} in the manifest", where=f"{where}/{MANIFEST}")
        if chunk_size_given and size != wanted["chunk_size"]:
            raise InputError(
                f"cannot resume with chunk_size {wanted['chunk_size']}: "
                f"the dataset was cut into chunks of {size}",
                where=where,
                hint="leave chunk_size out when resuming",
            )
        return size

    @property
    def done(self) -> set[int]:
        """Chunks already journaled (not to be run again)."""
        return set(self.journal.chunks)

    def write(self, index: int, start: int, records: list[dict[str, Any]]) -> None:
        """Write one finished chunk (a file per partition), then journal it."""
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for r in records:
            groups.setdefault(tuple(r.get(c) for c in self.partition_by), []).append(r)
        files = [self._write_part(index, key, rows) for key, rows in groups.items()]
        statuses: Counter[str] = Counter(str(r.get("status")) for r in records)
        refusals: Counter[str] = Counter(
            str(r.get("failed_check") or r.get("error")) for r in records if r.get("status") != "granted"
        )
        extra = sorted({k for r in records for k in r if k not in COLUMNS})
        entry = {
            "chunk": index,
            "start": start,
            "stop": start + len(records),
            "rows": len(records),
            "files": files,
            "extra_columns": extra,
            "statuses": dict(statuses),
            "refusals": dict(refusals),
        }
        self._journal.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._journal.flush()
        self.journal.chunks[index] = entry

    def _write_part(self, index: int, key: tuple[Any, ...], rows: list[dict[str, Any]]) -> str:
        import pyarrow.parquet as pq

        folder = "/".join(
            f"{c}={quote(str(v), safe='')}" for c, v in zip(self.partition_by, key, strict=True)
        )
        name = f"{folder}/part-{index:05d}.parquet" if folder else f"part-{index:05d}.parquet"
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        extra = sorted({k for r in rows for k in r if k not in COLUMNS})
        temporary = target.with_name(f".{target.name}.tmp")  # hidden: dataset readers skip dot files
        pq.write_table(arrow.table(rows, [*self.columns, *extra]), temporary)
        os.replace(temporary, target)
        return name

    def close(self) -> None:
        """Close the journal."""
        self._journal.close()


def open_dataset(path: str | os.PathLike[str]) -> Any:
    """The journaled part files of a dataset as one ``pyarrow.dataset.Dataset`` (lazy: for big sweeps)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    root = Path(path)
    found = read_manifest(root)
    journal = Journal.read(root)
    partition_by = partition_columns(found.get("partition_by") or [])
    entries = [journal.chunks[i] for i in sorted(journal.chunks)]
    extra = sorted({c for e in entries for c in e.get("extra_columns", [])})
    columns = [c for c in COLUMNS if c not in partition_by] + extra
    files = [str(root / f) for e in entries for f in e["files"]]
    partitioning = (
        ds.HivePartitioning(arrow.schema(partition_by), segment_encoding="uri") if partition_by else None
    )
    schema = pa.unify_schemas([arrow.schema(columns), arrow.schema(partition_by)])
    return ds.dataset(
        files, schema=schema, format="parquet", partitioning=partitioning, partition_base_dir=str(root)
    )


def read_dataset(
    path: str | os.PathLike[str],
    *,
    columns: Sequence[str] | None = None,
    filter: Any = None,
    as_arrow: bool = False,
) -> pd.DataFrame | Any:
    """A dataset's rows in variant order: a DataFrame (dtypes as ``to_frame``), or a pyarrow Table."""
    table = open_dataset(path).to_table(columns=list(columns) if columns else None, filter=filter)
    if "variant" in table.column_names:
        table = table.sort_by("variant")
    if as_arrow:
        return table
    frame = table.to_pandas()
    return frame if columns else arrow.normalise(frame)
