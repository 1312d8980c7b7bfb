"""Views of sweep results: the grant/deny matrix, heatmaps over any two dimensions, and why refusals happen.

Every function takes sweep records (a list of dicts, a ``SweepResult``, a DataFrame or a
results file) and, for pictures, an optional matplotlib ``ax``; pictures return the
``Axes``. Denials are never shown by colour alone: a cell carries ✗ and its error code
(styles.py). Tables are pandas DataFrames, ready for a notebook.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from nutssim.views import styles

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from nutssim.views.tables import Table

GRANTED = "granted"


def frame_of(data: Any) -> pd.DataFrame:
    """A DataFrame from records, a ``SweepResult``, a DataFrame or a results file path."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, str | os.PathLike):
        from nutssim.sweep.results import read_results

        return read_results(data)
    if hasattr(data, "to_frame"):
        return data.to_frame()  # type: ignore[no-any-return]
    from nutssim.sweep.results import to_frame

    return to_frame(list(data))


def _check_columns(frame: pd.DataFrame, *columns: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        known = ", ".join(map(str, frame.columns))
        raise KeyError(f"no column {', '.join(map(repr, missing))}; columns: {known}")


def grant_share(data: Any, rows: str, cols: str) -> pd.DataFrame:
    """The share of variants granted in each (rows, cols) cell, 0..1."""
    frame = frame_of(data)
    _check_columns(frame, rows, cols, "status")
    granted = (frame["status"] == GRANTED).astype(float)
    return granted.groupby([frame[rows], frame[cols]], sort=False).mean().unstack(cols)


def outcome_matrix(data: Any, rows: str, cols: str) -> pd.DataFrame:
    """The grant/deny matrix: per cell ``granted``, ``denied: <error> (<check>)``, or ``k/n granted``."""
    frame = frame_of(data)
    _check_columns(frame, rows, cols, "status", "error", "failed_check")
    labels = frame.apply(_label, axis=1)
    return labels.groupby([frame[rows], frame[cols]], sort=False).agg(_summarise).unstack(cols)


def _label(row: Any) -> str:
    if row["status"] == GRANTED:
        return GRANTED
    text = f"{row['status']}: {row['error']}" if row["error"] else str(row["status"])
    return f"{text} ({row['failed_check']})" if row["failed_check"] else text


def _summarise(labels: Any) -> str:
    values = list(labels)
    if len(set(values)) == 1:
        return str(values[0])
    granted = sum(v == GRANTED for v in values)
    return f"{granted}/{len(values)} granted"


def heatmap(
    data: Any,
    x: str,
    y: str,
    *,
    value: str = GRANTED,
    agg: str = "mean",
    ax: Axes | None = None,
    annotate: bool = True,
    title: str | None = None,
) -> Axes:
    """A heatmap over two dimensions: the share granted, or ``agg`` of a numeric column (``t_total``)."""
    import numpy as np

    frame = frame_of(data)
    if value == GRANTED:
        table = grant_share(frame, y, x)
        cmap, vmin, vmax, label = _grant_cmap(), 0.0, 1.0, "share granted"
    else:
        _check_columns(frame, x, y, value)
        table = frame.groupby([frame[y], frame[x]], sort=False)[value].agg(agg).unstack(x)
        cmap, vmin, vmax, label = "viridis", None, None, f"{agg} of {value}"
    ax = _axes(ax, table)
    values = table.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    _ticks(ax, table, x, y)
    if annotate:
        for (i, j), v in np.ndenumerate(values):
            if v == v:  # not NaN
                text = f"{v:.0%}" if value == GRANTED else f"{v:.3g}"
                ax.text(j, i, text, ha="center", va="center", fontsize=8, color=_ink_on(image, v))
    ax.figure.colorbar(image, ax=ax, label=label, fraction=0.046, pad=0.04)
    ax.set_title(title or (f"granted by {y} × {x}" if value == GRANTED else f"{label} by {y} × {x}"))
    return ax


def matrix(
    data: Any, rows: str, cols: str, *, ax: Axes | None = None, title: str | None = None
) -> Axes | Table:
    """The grant/deny matrix drawn: ✓ granted (blue), ✗ and the error code when denied (vermillion).

    Without an ``ax`` where pandas or matplotlib cannot be imported (the browser edition), the
    same matrix is shown as a table (``tables.outcome_table``) and returned.
    """
    if ax is None and not isinstance(data, str | os.PathLike) and _without_pictures():
        from nutssim.views.tables import display_table, outcome_table

        return display_table(outcome_table(data, rows, cols, title=title or ""))
    frame = frame_of(data)
    labels = outcome_matrix(frame, rows, cols)
    share = grant_share(frame, rows, cols).reindex(index=labels.index, columns=labels.columns)
    ax = _axes(ax, labels)
    ax.imshow(share.to_numpy(dtype=float), cmap=_grant_cmap(), vmin=0.0, vmax=1.0, aspect="auto", alpha=0.35)
    for i, row in enumerate(labels.index):
        for j, col in enumerate(labels.columns):
            text = labels.loc[row, col]
            if not isinstance(text, str):
                continue
            if text == GRANTED:
                shown, colour = f"{styles.GLYPH_PASS} granted", styles.OK
            elif text.endswith(" granted"):
                shown, colour = text, styles.INK
            else:
                error = text.split(": ", 1)[-1].replace(" (", "\n(")
                shown, colour = f"{styles.GLYPH_FAIL} {error}", styles.FAIL
            ax.text(j, i, shown, ha="center", va="center", fontsize=9, color=colour, wrap=True)
    _ticks(ax, labels, cols, rows)
    ax.set_title(title or f"outcome by {rows} × {cols}")
    return ax


def why(data: Any, *, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Refusals grouped by the failing check (and error): count, share of refusals, an example description."""
    import pandas as pd

    frame = frame_of(data)
    _check_columns(frame, "status", "failed_check", "error")
    refused = frame[frame["status"] != GRANTED].copy()
    refused["failed_check"] = refused["failed_check"].where(refused["failed_check"].notna(), "(none)")
    refused["error"] = refused["error"].where(refused["error"].notna(), "(none)")
    keys = ["failed_check", "error", *([by] if isinstance(by, str) else list(by or ()))]
    if refused.empty:
        return pd.DataFrame(columns=[*keys, "count", "share", "example"])
    grouped = refused.groupby(keys, sort=False, dropna=False)
    out = grouped.agg(count=("status", "size"), example=("error_description", _first_text)).reset_index()
    out["share"] = out["count"] / len(refused)
    out = out.sort_values(["count", *keys], ascending=[False, *([True] * len(keys))], kind="stable")
    return out[[*keys, "count", "share", "example"]].reset_index(drop=True)


def _first_text(values: Iterable[Any]) -> str:
    return next((str(v) for v in values if isinstance(v, str) and v), "")


def why_chart(data: Any, *, by: str | None = None, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Horizontal bars: refusals per failing check (stacked by ``by`` when given)."""
    import matplotlib.pyplot as plt

    frame = frame_of(data)
    table = why(frame, by=by)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * max(3, table["failed_check"].nunique()) + 1))
    if table.empty:
        ax.text(0.5, 0.5, "no refusals", ha="center", va="center", transform=ax.transAxes, color=styles.MUTED)
        ax.set_axis_off()
        return ax
    if by is None:
        totals = table.groupby("failed_check", sort=False)["count"].sum()
        ax.barh(range(len(totals)), totals.to_numpy(), color=styles.FAIL)
        labels = list(totals.index)
    else:
        pivot = table.pivot_table(
            index="failed_check", columns=by, values="count", aggfunc="sum", fill_value=0, sort=False
        )
        pivot = pivot.loc[pivot.sum(axis=1).sort_values(ascending=False, kind="stable").index]
        left = [0.0] * len(pivot)
        palette = [
            styles.FAIL,
            styles.ORANGE,
            styles.REDDISH_PURPLE,
            styles.SKY_BLUE,
            styles.YELLOW,
            styles.BLUISH_GREEN,
            styles.BLUE,
            styles.GREY,
        ]
        for k, column in enumerate(pivot.columns):
            counts = pivot[column].to_numpy()
            ax.barh(range(len(pivot)), counts, left=left, color=palette[k % len(palette)], label=str(column))
            left = [a + b for a, b in zip(left, counts, strict=True)]
        ax.legend(title=by, fontsize=8, frameon=False)
        labels = list(pivot.index)
    ax.set_yticks(range(len(labels)), [f"{styles.GLYPH_FAIL} {v}" for v in labels])
    ax.invert_yaxis()
    ax.set_xlabel("refused variants")
    ax.set_title(title or "why refused: the failing check")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


# -- helpers ----------------------------------------------------------------------------------------
def _without_pictures() -> bool:
    from nutssim.views.svg import matplotlib_missing
    from nutssim.views.tables import pandas_missing

    return pandas_missing() or matplotlib_missing()


def _grant_cmap() -> Any:
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("nutssim-grant", [styles.FAIL, "#F7F7F7", styles.OK])


def _axes(ax: Axes | None, table: pd.DataFrame) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    width = 1.6 + 1.3 * max(1, table.shape[1])
    height = 1.2 + 0.5 * max(1, table.shape[0])
    _, ax = plt.subplots(figsize=(min(width, 18), min(height, 14)))
    return ax


def _ticks(ax: Axes, table: pd.DataFrame, x: str, y: str) -> None:
    ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns], rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(table.shape[0]), [str(i) for i in table.index], fontsize=8)
    ax.set_xlabel(x)
    ax.set_ylabel(y)


def _ink_on(image: Any, value: float) -> str:
    r, g, b, _ = image.cmap(image.norm(value))
    return "#FFFFFF" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else styles.INK
