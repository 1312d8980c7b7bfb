"""Sweep results: one flat record per variant, as dicts, a DataFrame, CSV, Parquet or JSON lines.

Records stream to a JSON-lines file while the sweep runs (the driver keeps nothing it has
written); CSV and Parquet are produced from it at the end in two streaming passes (the
first collects the columns, the second writes rows in batches), so memory stays flat
whatever the size of the sweep. Columns: ``runner.COLUMNS`` first, then the flattened
introspection claims ``claim.<name>``, sorted.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from nutssim.errors import InputError
from nutssim.sweep.arrow import BOOL_COLUMNS, FLOAT_COLUMNS, INT_COLUMNS, columns_of, missing, normalise
from nutssim.sweep.runner import COLUMNS, TIMING_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

    from nutssim.sweep.spec import SweepSpec

FORMATS = ("jsonl", "csv", "parquet", "dataset")  # dataset: a Parquet directory (sweep.dataset)
_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
BATCH = 4096


def format_of(path: str | os.PathLike[str], format: str | None = None) -> str:
    """The results format: given, or from the file suffix (JSON lines when unknown)."""
    if format is not None:
        if format not in FORMATS:
            raise InputError(
                f"unknown results format {format!r}", where="format", hint=f"use {', '.join(FORMATS)}"
            )
        return format
    return _SUFFIXES.get(Path(path).suffix.lower(), "jsonl")


def without_timings(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records without the timing columns (what must be identical whatever the executor)."""
    return [{k: v for k, v in r.items() if k not in TIMING_COLUMNS} for r in records]


# -- streaming ------------------------------------------------------------------------------------------
class JsonlWriter:
    """Append records to a JSON-lines file, one line each, flushed as they come."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = self.path.open("w", encoding="utf-8")
        self.count = 0

    def write(self, records: Iterable[dict[str, Any]]) -> None:
        """Write records and flush."""
        for r in records:
            self._file.write(json.dumps(r, ensure_ascii=False, separators=(",", ":"), default=str) + "\n")
            self.count += 1
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def iter_jsonl(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Records of a JSON-lines file, one at a time."""
    with Path(path).open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def jsonl_to(source: Path, target: Path, format: str) -> None:
    """Convert a JSON-lines results file to CSV or Parquet, streaming (two passes)."""
    columns = columns_of(iter_jsonl(source))
    if format == "csv":
        with target.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=columns, restval="", extrasaction="raise")
            writer.writeheader()
            for r in iter_jsonl(source):
                writer.writerow(r)
        return
    if format == "parquet":
        _jsonl_to_parquet(source, target, columns)
        return
    raise InputError(f"cannot convert to {format!r}", where="format", hint=f"use {', '.join(FORMATS)}")


def _jsonl_to_parquet(source: Path, target: Path, columns: list[str]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            "Parquet needs pyarrow", where="format", hint="pip install pyarrow, or write csv or jsonl"
        ) from None
    types = _column_types(iter_jsonl(source), columns)
    schema = pa.schema([(c, types[c]) for c in columns])
    with pq.ParquetWriter(target, schema) as writer:
        batch: list[dict[str, Any]] = []
        for r in iter_jsonl(source):
            batch.append(r)
            if len(batch) >= BATCH:
                writer.write_table(_table(batch, schema, types))
                batch = []
        if batch:
            writer.write_table(_table(batch, schema, types))


def _column_types(records: Iterable[dict[str, Any]], columns: list[str]) -> dict[str, Any]:
    """One Arrow type per column: bool, int64, float64 or string (mixed kinds become string)."""
    import pyarrow as pa

    kinds: dict[str, set[type]] = {c: set() for c in columns}
    for r in records:
        for k, v in r.items():
            if v is not None:
                kinds[k].add(type(v))
    out = {}
    for c, seen in kinds.items():
        if seen == {bool}:
            out[c] = pa.bool_()
        elif seen == {int}:
            out[c] = pa.int64()
        elif seen and seen <= {int, float}:
            out[c] = pa.float64()
        else:
            out[c] = pa.string()
    return out


def _table(batch: list[dict[str, Any]], schema: Any, types: dict[str, Any]) -> Any:
    import pyarrow as pa

    arrays = []
    for name in schema.names:
        values = [r.get(name) for r in batch]
        if types[name] == pa.string():
            values = [None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values]
        arrays.append(pa.array(values, type=types[name]))
    return pa.Table.from_arrays(arrays, schema=schema)


# -- whole-result I/O -----------------------------------------------------------------------------------
def save_records(
    records: Sequence[dict[str, Any]], path: str | os.PathLike[str], format: str | None = None
) -> Path:
    """Write records as JSON lines, CSV or Parquet (by ``format`` or the suffix); return the path."""
    target = Path(path)
    fmt = format_of(target, format)
    if fmt == "jsonl":
        writer = JsonlWriter(target)
        writer.write(records)
        writer.close()
        return target
    part = target.with_name(target.name + ".jsonl.part")
    writer = JsonlWriter(part)
    writer.write(records)
    writer.close()
    try:
        jsonl_to(part, target, fmt)
    finally:
        part.unlink(missing_ok=True)
    return target


def load_records(path: str | os.PathLike[str], format: str | None = None) -> list[dict[str, Any]]:
    """Records back from a results file (claims absent from a row are left out, as when written)."""
    fmt = format_of(path, format)
    if fmt == "jsonl":
        return list(iter_jsonl(path))
    out = []
    for row in read_results(path, fmt).to_dict(orient="records"):
        record = {}
        for k, v in row.items():
            value = _py(v)
            if value is None and k not in COLUMNS:
                continue
            record[k] = int(value) if value is not None and k in _INT_COLUMNS else value
        out.append(record)
    return out


def read_results(path: str | os.PathLike[str], format: str | None = None) -> pd.DataFrame:
    """A results file as a DataFrame, with the dtypes ``to_frame`` gives (see ``normalise``)."""
    import pandas as pd

    fmt = format_of(path, format)
    if fmt == "dataset":
        from nutssim.sweep.dataset import read_dataset

        return read_dataset(path)  # normalised there
    if fmt == "csv":
        frame = pd.read_csv(path, dtype=object, keep_default_na=False, na_values=[""])
    elif fmt == "parquet":
        frame = pd.read_parquet(path)
    else:
        frame = pd.DataFrame.from_records(list(iter_jsonl(path)))
    return normalise(frame)


#: Columns with a known type (``arrow``); every other column is text or, for claims, the value as written.
_INT_COLUMNS = INT_COLUMNS
_FLOAT_COLUMNS = FLOAT_COLUMNS
_BOOL_COLUMNS = BOOL_COLUMNS


def to_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Records as a DataFrame, with the dtypes ``normalise`` gives."""
    import pandas as pd

    rows = list(records)
    return normalise(pd.DataFrame.from_records(rows, columns=columns_of(rows)))


def _py(value: Any) -> Any:
    if missing(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


@dataclass
class SweepResult:
    """What a sweep produced: its records (in memory or in ``path``), and how the run went."""

    spec: SweepSpec
    total: int
    completed: int = 0
    interrupted: bool = False
    elapsed: float = 0.0
    path: Path | None = None
    format: str | None = None
    statuses: dict[str, int] = field(default_factory=dict)  # variants per status
    refusals: dict[str, int] = field(default_factory=dict)  # refused variants per failing check, most first
    _records: list[dict[str, Any]] | None = field(default=None, repr=False)
    resumed: int = 0  # rows a resumed dataset already held (counted in completed, not run again)

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every record in variant order (read back from ``path`` when the sweep did not keep them)."""
        if self._records is None:
            if self.path is None:
                return []
            self._records = load_records(self.path, self.format)
        return self._records

    def __len__(self) -> int:
        return self.completed

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records)

    def to_frame(self) -> pd.DataFrame:
        """The records as a pandas DataFrame."""
        if self._records is None and self.path is not None:
            return read_results(self.path, self.format)
        return to_frame(self.records)

    def save(self, path: str | os.PathLike[str], format: str | None = None) -> Path:
        """Write the records as CSV, Parquet or JSON lines."""
        return save_records(self.records, path, format)

    def summary(self) -> dict[str, int]:
        """Variants per status."""
        return dict(self.statuses)
