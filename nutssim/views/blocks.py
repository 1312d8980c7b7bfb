"""Blocks: headings, key/value rows, prose and preformatted text, rendered as terminal text or HTML.

The inspector builds one list of blocks per exchange; rendering it two ways keeps the
terminal and the notebook saying the same thing. The HTML escapes everything (the text
comes from an attacker-controlled trace) and loads nothing from elsewhere.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field

from nutssim.views.styles import FAIL, MUTED, OK

TEXT_VALUE_MAX = 96
HTML_VALUE_MAX = 600


@dataclass
class Heading:
    """A section title."""

    text: str
    level: int = 2
    tone: str = ""


@dataclass
class Row:
    """One key, its value and a one-line explanation."""

    key: str
    value: str
    note: str = ""
    tone: str = ""


@dataclass
class Rows:
    """A table of rows."""

    rows: list[Row] = field(default_factory=list)


@dataclass
class Pre:
    """Preformatted text (a body, a raw token)."""

    text: str
    collapsed: str = ""  # HTML: put it in a <details> with this summary


@dataclass
class Para:
    """A line of prose."""

    text: str
    tone: str = ""


Block = Heading | Rows | Pre | Para


# -- rendering: text -------------------------------------------------------------------------------


def render_text(blocks: list[Block], width: int = 110) -> str:
    """Render blocks for a terminal."""
    lines: list[str] = []
    for block in blocks:
        lines += _text_block(block, width)
    return "\n".join(lines).rstrip() + "\n"


def _text_block(block: Block, width: int) -> list[str]:
    if isinstance(block, Heading):
        if block.level == 1:
            return [
                "",
                "═" * min(width, len(block.text) + 4),
                f"  {block.text}",
                "═" * min(width, len(block.text) + 4),
            ]
        if block.level == 2:
            return ["", f"── {block.text} " + "─" * max(3, width - len(block.text) - 4)]
        return ["", f"  ▸ {block.text}"]
    if isinstance(block, Para):
        prefix = "  " if block.tone != "label" else "    "
        if block.tone == "mono":  # URLs stay whole, so they can be copied
            return [prefix + block.text]
        return textwrap.wrap(block.text, width, initial_indent=prefix, subsequent_indent=prefix + "  ") or [
            ""
        ]
    if isinstance(block, Pre):
        if block.collapsed:
            return []
        return ["    " + line for line in block.text.splitlines()]
    return _text_rows(block, width)


def _text_rows(block: Rows, width: int) -> list[str]:
    key_width = min(26, max((len(r.key) for r in block.rows), default=0))
    out = []
    for row in block.rows:
        value = row.value if len(row.value) <= TEXT_VALUE_MAX else row.value[: TEXT_VALUE_MAX - 1] + "…"
        line = f"    {row.key:<{key_width}}  {value}"
        if row.note:
            line = (
                f"{line}   — {row.note}"
                if len(line) + len(row.note) < width
                else f"{line}\n{'':>{key_width + 8}}— {row.note}"
            )
        out.append(line)
    return out


# -- rendering: HTML -------------------------------------------------------------------------------

#: Scoped to ``.nsv`` and written ``.nsv.nsv.nsv`` so each rule outranks a front end's own table CSS
#: (JupyterLab's ``:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td`` right-aligns cells, its
#: ``tbody tr:nth-child(odd)`` stripes rows and ``table-layout: fixed`` squeezes the clause column;
#: classic Notebook and VS Code have rules of their own): the tables look the same everywhere.
_S = ".nsv.nsv.nsv"
STYLE = f"""<style>
.nsv {{font-family: system-ui, sans-serif; font-size: 13px; color: #222; line-height: 1.35;
  text-align: left;}}
{_S} h2 {{font-size: 17px; margin: 10px 0 4px;}} {_S} h3 {{font-size: 14px; margin: 10px 0 3px;}}
{_S} h4 {{font-size: 13px; margin: 8px 0 2px; color: #333;}}
{_S} .fail {{color: {FAIL}; font-weight: 600;}} {_S} .ok {{color: {OK};}}
{_S} .note {{color: {MUTED}; font-style: italic;}}
{_S} .label {{color: {MUTED}; margin: 4px 0 0; font-size: 12px;}}
{_S} .mono, {_S} td.v, {_S} pre {{font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px;}}
{_S} table {{border-collapse: collapse; border: none; margin: 2px 0 4px; table-layout: auto; width: auto;
  font-size: 13px; color: #222;}}
{_S} tr, {_S} td, {_S} th {{text-align: left; vertical-align: top; padding: 1px 8px 1px 0; line-height: 1.35;
  border: none; white-space: normal; max-width: none; background: transparent;}}
{_S} tbody tr:nth-child(odd), {_S} tbody tr:nth-child(even), {_S} tbody tr:hover {{background: transparent;}}
{_S} td.k {{font-weight: 600; white-space: nowrap;}}
{_S} td.v {{word-break: break-all; max-width: 60em;}} {_S} td.n {{color: {MUTED}; min-width: 18em;}}
{_S} pre {{background: #f6f6f6; padding: 6px; margin: 2px 0; white-space: pre-wrap; word-break: break-all;
  max-height: 28em; overflow: auto;}}
{_S} p {{margin: 2px 0; text-align: left;}}
</style>"""


def render_html(blocks: list[Block], *, style: bool = True) -> str:
    """Render blocks as one escaped HTML fragment (no scripts, no external resources)."""
    parts = [STYLE] if style else []
    parts.append('<div class="nsv">')
    parts += [_html_block(b) for b in blocks]
    parts.append("</div>")
    return "\n".join(parts)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _cls(tone: str) -> str:
    return f' class="{_e(tone)}"' if tone else ""


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        tag = f"h{min(block.level + 1, 4)}"
        return f"<{tag}{_cls(block.tone)}>{_e(block.text)}</{tag}>"
    if isinstance(block, Para):
        return f"<p{_cls(block.tone)}>{_e(block.text)}</p>"
    if isinstance(block, Pre):
        pre = f"<pre>{_e(block.text)}</pre>"
        return f"<details><summary>{_e(block.collapsed)}</summary>{pre}</details>" if block.collapsed else pre
    rows = "".join(_html_row(r) for r in block.rows)
    return f"<table>{rows}</table>"


def _html_row(row: Row) -> str:
    value = row.value if len(row.value) <= HTML_VALUE_MAX else row.value[:HTML_VALUE_MAX] + "…"
    tone = f" {_e(row.tone)}" if row.tone else ""
    return (
        f'<tr><td class="k{tone}">{_e(row.key)}</td><td class="v">{_e(value)}</td>'
        f'<td class="n">{_e(row.note)}</td></tr>'
    )
