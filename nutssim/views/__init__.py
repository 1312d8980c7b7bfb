"""Views: read traces (a ``Trace`` or its export) and draw, inspect, play and export them.

``results`` (sweep-result pictures and tables, needs pandas) is a submodule: ``views.results``.
Views never import ``nutssim.parties`` (ARCHITECTURE principle 10): everything they show
comes from the trace. Matplotlib and ipywidgets are imported only when a view needs them.
"""

from nutssim.views.heatmap import draw_heatmap, render_heatmap_png
from nutssim.views.inspector import Inspector, inspect_html, inspect_text
from nutssim.views.load import as_trace, load_trace
from nutssim.views.mermaid import to_mermaid
from nutssim.views.player import Player
from nutssim.views.report import html_report, to_text
from nutssim.views.sequence import PendingCall, draw_sequence, sequence
from nutssim.views.sequence_render import render_png, render_svg
from nutssim.views.tables import Table, case_table, observations, pd_table
from nutssim.views.timelapse import draw_timelapse, render_timelapse_png
from nutssim.views.tokens import Token, find_tokens
from nutssim.views.trust_graph import draw_trust_graph, render_trust_png

__all__ = [
    "Inspector",
    "PendingCall",
    "Player",
    "Table",
    "Token",
    "as_trace",
    "case_table",
    "draw_heatmap",
    "draw_sequence",
    "draw_timelapse",
    "draw_trust_graph",
    "find_tokens",
    "html_report",
    "inspect_html",
    "inspect_text",
    "load_trace",
    "observations",
    "pd_table",
    "render_heatmap_png",
    "render_png",
    "render_svg",
    "render_timelapse_png",
    "render_trust_png",
    "sequence",
    "to_mermaid",
    "to_text",
]
