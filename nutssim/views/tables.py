"""Tables a person reads instead of ``repr``: observations, the failure catalogue, a presentation definition.

Each function returns a ``Table``: HTML in a notebook (scoped CSS, the same in every front end,
every value escaped), aligned text in a terminal. Outcomes carry their word and glyph, never
colour alone.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

from nutssim.views import styles
from nutssim.views.blocks import STYLE

_TABLE_STYLE = """<style>
.nsv.nsv.nsv table.nsv-table {border-collapse: collapse; margin: 4px 0 8px;}
.nsv.nsv.nsv table.nsv-table th {font-weight: 600; border-bottom: 1px solid #bbb; padding: 2px 12px 2px 0;
  text-align: left; white-space: nowrap; background: transparent;}
.nsv.nsv.nsv table.nsv-table td {padding: 2px 12px 2px 0; border-bottom: 1px solid #eee; white-space: nowrap;}
.nsv.nsv.nsv table.nsv-table td.wrap {white-space: normal;}
.nsv.nsv.nsv table.nsv-table td.code {font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px;}
.nsv.nsv.nsv div.nsv-scroll {max-height: 30em; overflow: auto;}
.nsv.nsv.nsv caption {text-align: left; font-weight: 600; padding: 2px 0 4px; caption-side: top;}
</style>"""


@dataclass
class Table:
    """Rows under a header; ``tones`` colour a row's outcome cell (ok, fail) next to its word."""

    head: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    title: str = ""
    tones: list[str] = field(default_factory=list)
    code_columns: tuple[int, ...] = ()  # monospace: paths, filters, ids
    wrap_columns: tuple[int, ...] = ()  # prose that may wrap; ids and outcomes stay on one line
    scroll: bool = False  # a long table scrolls inside the cell instead of pushing the page

    def _repr_html_(self) -> str:
        return self.html

    @property
    def html(self) -> str:
        """The table as escaped HTML with its own style."""
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.head)
        body = []
        outcome = self.head.index("outcome") if "outcome" in self.head else -1
        for i, row in enumerate(self.rows):
            tone = self.tones[i] if i < len(self.tones) else ""
            cells = []
            for j, value in enumerate(row):
                css = (["code"] if j in self.code_columns else []) + (
                    ["wrap"] if j in self.wrap_columns else []
                )
                if tone and j == outcome:
                    css.append(tone)
                cls = f' class="{" ".join(css)}"' if css else ""
                cells.append(f"<td{cls}>{html.escape(value)}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        table = (
            f'<table class="nsv-table">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>"
        )
        if self.scroll:
            table = f'<div class="nsv-scroll">{table}</div>'
        return f'{STYLE}{_TABLE_STYLE}<div class="nsv">{table}</div>'

    @property
    def text(self) -> str:
        """The table as aligned text."""
        widths = [max(len(r[i]) for r in [self.head, *self.rows]) for i in range(len(self.head))]
        lines = [self.title] if self.title else []
        lines += [
            "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            for row in [self.head, *self.rows]
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text

    def __len__(self) -> int:
        return len(self.rows)


def _outcome(status: str, error: str | None) -> tuple[str, str]:
    if status == "granted":
        return f"{styles.GLYPH_PASS} granted", "ok"
    return f"{styles.GLYPH_FAIL} {status}" + (f" {error}" if error else ""), "fail"


def observations(found: Mapping[str, Any], *, title: str = "") -> Table:
    """Observations (``catalogue.Observation``) by label: outcome, error text and failed checks."""
    rows, tones = [], []
    for label, observed in found.items():
        shown, tone = _outcome(observed.status, observed.error)
        rows.append(
            (
                str(label),
                shown,
                _short(observed.description or "", 90),
                ", ".join(observed.failed_checks) or "—",
            )
        )
        tones.append(tone)
    head = ("run", "outcome", "description", "failed checks")
    return Table(head, rows, title, tones, code_columns=(3,), wrap_columns=(2, 3))


def case_table(records: Iterable[Any], *, profile: str | None = None, title: str = "") -> Table:
    """Catalogue runs (``CaseRecord``): case, control, profile, what was observed, as expected or not."""
    rows, tones = [], []
    for record in records:
        if profile is not None and record.profile != profile:
            continue
        observed = record.observed
        shown, tone = _outcome(observed.status, observed.error)
        rows.append(
            (
                record.case.id,
                record.case.control or "—",
                record.profile,
                shown,
                ", ".join(observed.failed_checks) or "—",
                styles.GLYPH_PASS if record.passed else f"{styles.GLYPH_FAIL} {record.why}",
            )
        )
        tones.append(tone)
    head = ("case", "control", "profile", "outcome", "failed checks", "as expected")
    return Table(head, rows, title, tones, code_columns=(0, 1, 4), wrap_columns=(4, 5), scroll=len(rows) > 20)


def pd_table(definition: Any) -> Table:
    """A presentation definition as one row per constraint field: descriptor, path, filter, purpose."""
    pd = _as_dict(definition)
    rows: list[tuple[str, ...]] = []
    for descriptor in pd.get("input_descriptors") or []:
        name = str(descriptor.get("id", "?"))
        fields = ((descriptor.get("constraints") or {}).get("fields")) or []
        for number, entry in enumerate(fields):
            paths = entry.get("path") or []
            field_id = f" → {entry['id']}" if entry.get("id") else ""
            optional = " (optional)" if entry.get("optional") else ""
            rows.append(
                (
                    name if number == 0 else "",
                    " | ".join(map(str, paths)) + field_id + optional,
                    filter_text(entry.get("filter")),
                    str(entry.get("purpose") or ""),
                )
            )
        if not fields:
            rows.append((name, "(no constraints: any credential)", "", ""))
    formats = ", ".join(sorted(pd.get("format") or {})) or "any"
    about = pd.get("name") or pd.get("purpose") or ""
    title = f"{pd.get('id', 'presentation definition')} — {about} · formats: {formats}"
    head = ("input descriptor", "path → claim", "must be", "why")
    return Table(head, rows, title, code_columns=(1, 2), wrap_columns=(1, 2, 3))


def filter_text(schema: Any) -> str:
    """A JSON Schema filter in words: ``= "X"``, ``~ /re/``, ``one of a, b``, ``a string``."""
    if not isinstance(schema, Mapping):
        return "present"
    if "const" in schema:
        return f"= {json.dumps(schema['const'], ensure_ascii=False)}"
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
    if "pattern" in schema:
        return f"~ /{schema['pattern']}/"
    parts = [f"a {schema['type']}" if "type" in schema else "present"]
    for key in ("minimum", "maximum", "format", "formatMinimum", "formatMaximum", "minLength"):
        if key in schema:
            parts.append(f"{key} {schema[key]}")
    extra = {
        k: v
        for k, v in schema.items()
        if k not in {"type", "minimum", "maximum", "format", "formatMinimum", "formatMaximum", "minLength"}
    }
    if extra:
        parts.append(json.dumps(extra, ensure_ascii=False, sort_keys=True))
    return ", ".join(parts)


def _as_dict(definition: Any) -> dict[str, Any]:
    if isinstance(definition, Mapping):
        return dict(definition)
    if hasattr(definition, "input_descriptors"):
        from nutssim.specs.pex import json_text

        data: dict[str, Any] = json.loads(json_text(definition))
        return data
    raise TypeError(
        f"pd_table takes a presentation definition (a dict or model), got {type(definition).__name__}"
    )


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# -- sweep results without pandas ------------------------------------------------------------------------
class _ShownTable(Table):
    """A table already displayed: as a cell's value it shows nothing more (no second copy)."""

    def _ipython_display_(self) -> None:
        return None


def display_table(table: Table) -> Table:
    """Show ``table`` under IPython (a cell ending in ``;`` still shows it), and return it."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return table
    if get_ipython() is None:
        return table
    display(table)
    return _ShownTable(**{f.name: getattr(table, f.name) for f in fields(table)})


def pandas_missing() -> bool:
    """Whether pandas cannot be imported here (Pyodide offline: no numpy, so no pandas)."""
    return _pandas_fails()


@cache
def _pandas_fails() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return True
    return False


def _records(data: Any) -> list[Mapping[str, Any]]:
    """Sweep records from a ``SweepResult``, a list of dicts or any iterable of mappings."""
    rows = data.records if hasattr(data, "records") else data
    return [row for row in rows if isinstance(row, Mapping)]


def outcome_label(row: Mapping[str, Any]) -> str:
    """``granted``, or ``denied: <error> (<check>)``: one sweep record's outcome (as ``results._label``)."""
    if row.get("status") == "granted":
        return "granted"
    text = f"{row.get('status')}: {row['error']}" if row.get("error") else str(row.get("status"))
    return f"{text} ({row['failed_check']})" if row.get("failed_check") else text


def outcome_table(data: Any, rows: str, cols: str, *, title: str = "") -> Table:
    """The grant/deny matrix of sweep records as a ``Table`` (no pandas): per cell ✓ granted,
    ✗ and the error (with the failing check) when denied, or ``k/n granted`` when the runs disagree."""
    cells: dict[tuple[str, str], list[str]] = {}
    row_keys: dict[str, None] = {}
    col_keys: dict[str, None] = {}
    for record in _records(data):
        for name in (rows, cols):
            if name not in record:
                known = ", ".join(map(str, record))
                raise KeyError(f"no column {name!r}; columns: {known}")
        r, c = str(record[rows]), str(record[cols])
        row_keys.setdefault(r, None)
        col_keys.setdefault(c, None)
        cells.setdefault((r, c), []).append(outcome_label(record))
    body: list[tuple[str, ...]] = []
    for r in row_keys:
        body.append((r, *(_cell_text(cells.get((r, c), [])) for c in col_keys)))
    head = (f"{rows} \\ {cols}", *col_keys)
    return Table(head, body, title or f"outcome by {rows} × {cols}", wrap_columns=tuple(range(1, len(head))))


def _cell_text(labels: list[str]) -> str:
    if not labels:
        return "—"
    if len(set(labels)) > 1:
        granted = sum(label == "granted" for label in labels)
        return f"{granted}/{len(labels)} granted"
    label = labels[0]
    if label == "granted":
        return f"{styles.GLYPH_PASS} granted"
    return f"{styles.GLYPH_FAIL} {label.split(': ', 1)[-1]}"


def why_table(data: Any, *, title: str = "") -> Table:
    """Refusals of sweep records by failing check and error, most first (``results.why`` without pandas)."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    refused = [r for r in _records(data) if r.get("status") != "granted"]
    for record in refused:
        key = (str(record.get("failed_check") or "(none)"), str(record.get("error") or "(none)"))
        groups.setdefault(key, []).append(record)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    body = [
        (
            check,
            error,
            str(len(found)),
            f"{len(found) / len(refused):.0%}",
            _short(next((str(r["error_description"]) for r in found if r.get("error_description")), ""), 90),
        )
        for (check, error), found in ordered
    ]
    head = ("failed check", "error", "count", "share", "example")
    return Table(head, body, title or "why refused: the failing check", code_columns=(0,), wrap_columns=(4,))
