"""Column types of sweep records, for Arrow/Parquet and pandas alike.

A dataset is written chunk by chunk, before the whole sweep's columns are known, so the
types cannot be inferred from all the rows: they are fixed here. The columns listed below
have their own type; every other column (the dimension labels, errors, and the claims
``claim.<name>`` other than ``iat``, ``exp``, ``nbf`` and ``active``) is text, a value
that is not a string written as compact JSON. Every part file then agrees with every other
one on every column they share, and a reader unifies them without guessing.

This module imports only the record layout (``runner`` constants), so ``results`` and
``dataset`` can both use it without importing each other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from nutssim.sweep.runner import TIMING_COLUMNS

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
