"""Views: read traces (a ``Trace`` or its export) and draw, inspect, play and export them.

``results`` (sweep-result pictures and tables, needs pandas) is a submodule: ``views.results``.
Pictures come twice: ``draw_*`` on a matplotlib ``Axes``, and ``*_svg`` as SVG without matplotlib
(the browser edition, the Player's fallback, the HTML report); ``tables`` needs no pandas.
Views never import ``nutssim.parties`` (ARCHITECTURE principle 10): everything they show
comes from the trace. Matplotlib and ipywidgets are imported only when a view needs them.
"""

from nutssim.views.heatmap import draw_heatmap, heatmap_svg, render_heatmap_png
from nutssim.views.inspector import Inspector, inspect_html, inspect_text
from nutssim.views.load import as_trace, load_trace
from nutssim.views.mermaid import to_mermaid
from nutssim.views.needs import enable as enable_needs_magic
from nutssim.views.player import Player
from nutssim.views.report import html_report, to_text
from nutssim.views.sequence import PendingCall, draw_sequence, sequence
from nutssim.views.sequence_render import render_png, render_svg
from nutssim.views.svg import Picture
from nutssim.views.svg_sequence import sequence_svg
from nutssim.views.svg_trust import trust_svg
from nutssim.views.tables import Table, case_table, observations, outcome_table, pd_table, why_table
from nutssim.views.timelapse import draw_timelapse, render_timelapse_png, timelapse_svg
from nutssim.views.tokens import Token, find_tokens
from nutssim.views.trust_graph import draw_trust_graph, render_trust_png

__all__ = [
    "Inspector",
    "PendingCall",
    "Picture",
    "Player",
    "Table",
    "Token",
    "as_trace",
    "case_table",
    "draw_heatmap",
    "draw_sequence",
    "draw_timelapse",
    "draw_trust_graph",
    "enable_needs_magic",
    "find_tokens",
    "heatmap_svg",
    "html_report",
    "inspect_html",
    "inspect_text",
    "load_trace",
    "observations",
    "outcome_table",
    "pd_table",
    "render_heatmap_png",
    "render_png",
    "render_svg",
    "render_timelapse_png",
    "render_trust_png",
    "sequence",
    "sequence_svg",
    "timelapse_svg",
    "to_mermaid",
    "to_text",
    "trust_svg",
    "why_table",
]
