"""Column types of sweep records, for Arrow/Parquet and pandas alike.

A dataset is written chunk by chunk, before the whole sweep's columns are known, so the
types cannot be inferred from all the rows: they are fixed here. The columns listed below
have their own type; every other column (the dimension labels, errors, and the claims
``claim.<name>`` other than ``iat``, ``exp``, ``nbf`` and ``active``) is text, a value
that is not a string written as compact JSON. Every part file then agrees with every other
one on every column they share, and a reader unifies them without guessing.

This module imports only the record layout (``runner`` constants), so ``results`` and
``dataset`` can both use it (and ``normalise``, the dtypes every reader gives) without
importing each other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from nutssim.sweep.runner import COLUMNS, TIMING_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

INT_COLUMNS = (
    "variant",
    "clock_skew",
    "seed",
    "variant_seed",
    "resource_status",
    "claim.iat",
    "claim.exp",
    "claim.nbf",
)
FLOAT_COLUMNS = TIMING_COLUMNS
BOOL_COLUMNS = ("case_passed", "claim.active")


def type_name(column: str) -> str:
    """The column's type: int64, float64, bool or string."""
    if column in INT_COLUMNS:
        return "int64"
    if column in FLOAT_COLUMNS:
        return "float64"
    if column in BOOL_COLUMNS:
        return "bool"
    return "string"


def arrow_type(column: str) -> Any:
    """The column's ``pyarrow.DataType``."""
    import pyarrow as pa

    return {"int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(), "string": pa.string()}[
        type_name(column)
    ]


def schema(columns: Iterable[str]) -> Any:
    """A ``pyarrow.Schema`` of the columns, in the order given."""
    import pyarrow as pa

    return pa.schema([(c, arrow_type(c)) for c in columns])


def cell(column: str, value: Any) -> Any:
    """A value as its column stores it (text columns: JSON for non-strings; integral floats as ints)."""
    if value is None:
        return None
    kind = type_name(column)
    if kind == "string":
        return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), default=str)
    if kind == "int64":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"column {column!r} holds integers, got {value!r}")
    if kind == "float64" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def table(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> Any:
    """Records as a ``pyarrow.Table`` with the fixed types (a column missing from a record is null)."""
    import pyarrow as pa

    return pa.Table.from_arrays(
        [pa.array([cell(c, r.get(c)) for r in records], type=arrow_type(c)) for c in columns],
        schema=schema(columns),
    )


def columns_of(records: Iterable[dict[str, Any]]) -> list[str]:
    """The columns of some records: the fixed ones, then every other key sorted."""
    extra: set[str] = set()
    for r in records:
        extra.update(k for k in r if k not in COLUMNS)
    return [*COLUMNS, *sorted(extra)]


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Fixed column order; numbers numeric, flags True/False/None, everything else objects with None.

    CSV keeps no types, so a claim column other than ``iat``, ``exp``, ``nbf`` and ``active``
    reads back as text from CSV (Parquet and JSON lines keep the types as written).
    """
    import pandas as pd

    frame = frame.reindex(columns=columns_of([dict.fromkeys(frame.columns)]))
    for column in frame.columns:
        series = frame[column]
        if column in INT_COLUMNS or column in FLOAT_COLUMNS:
            frame[column] = pd.to_numeric(series, errors="coerce")
        elif column in BOOL_COLUMNS:
            frame[column] = series.map(_flag).astype(object)
        else:
            frame[column] = series.astype(object).where(series.notna(), None)
    return frame


def _flag(value: Any) -> bool | None:
    if missing(value):
        return None
    return value is True or str(value) == "True"


def missing(value: Any) -> bool:
    """None or NaN (how pandas shows a missing cell)."""
    return value is None or (isinstance(value, float) and value != value)
