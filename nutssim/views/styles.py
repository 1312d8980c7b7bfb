"""One style for every picture: colours per role, the failure colour, glyphs and display names.

Colours come from the Okabe–Ito palette, which stays distinguishable under the common
forms of colour blindness. Vermillion is reserved for failures, and a failure is never
shown by colour alone: it also carries a glyph (✗) and its error code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Okabe–Ito
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#7F7F7F"
#: Okabe-Ito yellow darkened so a box edge reads on white: X.509 certificates in the trust graph.
DARK_YELLOW = "#B08800"

#: Failures: error responses, failed checks, denied outcomes.
FAIL = VERMILLION
#: Success marks (passed checks, granted outcome); blue, never green-against-red.
OK = BLUE
#: Ordinary arrows and text.
INK = "#222222"
#: Secondary text (paths, counts, notes).
MUTED = "#666666"
#: The band behind a highlighted exchange.
HIGHLIGHT = "#FFF3B0"
#: Lifelines.
LIFELINE = "#9A9A9A"
#: Group bands behind the lifelines of one node.
GROUP_FILL = "#F2F2F2"

ROLE_COLOURS: dict[str, str] = {
    "node": BLUE,
    "ehr": BLUISH_GREEN,
    "resource_server": SKY_BLUE,
    "issuer": REDDISH_PURPLE,
    "browser": ORANGE,
    "attacker": BLACK,
    "wallet": YELLOW,
}
ROLE_LABELS: dict[str, str] = {
    "node": "Nuts node",
    "ehr": "EHR",
    "resource_server": "resource server",
    "issuer": "issuer",
    "browser": "browser",
    "attacker": "attacker",
    "wallet": "wallet",
}
#: Left-to-right order of roles inside one node's group of lifelines.
ROLE_ORDER: dict[str, int] = {
    "ehr": 0,
    "browser": 1,
    "node": 2,
    "wallet": 3,
    "resource_server": 4,
    "issuer": 5,
    "attacker": 6,
}

GLYPH_PASS = "✓"
GLYPH_FAIL = "✗"
GLYPH_REDIRECT = "↪"
GLYPH_NOTE = "✎"
GLYPH_PENDING = "▷"
GLYPH_FOLD = "⊕"

#: Label prefixes of exchanges that ``fold`` hides (DID resolution).
FOLD_PREFIXES: tuple[str, ...] = ("DID document",)


def role_colour(role: str) -> str:
    """The colour of a role (grey for roles without one)."""
    return ROLE_COLOURS.get(role, GREY)


def role_label(role: str) -> str:
    """A reader-facing name for a role."""
    return ROLE_LABELS.get(role, role.replace("_", " "))


def tint(colour: str, amount: float = 0.8) -> str:
    """Mix ``colour`` with white (``amount`` 0 keeps it, 1 gives white)."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#" + "".join(f"{c:02X}" for c in mixed)


def party_field(info: Any, name: str, default: str = "") -> str:
    """Read a field of a ``PartyInfo`` or of its exported record."""
    if isinstance(info, Mapping):
        return str(info.get(name) or default)
    return str(getattr(info, name, default) or default)


def display_name(info: Any, party_id: str = "") -> str:
    """The name a picture shows for a party: its name, or its id."""
    if info is None:
        return party_id or "?"
    return party_field(info, "name") or party_field(info, "id") or party_id or "?"


def host_label(host: str) -> str:
    """``https://node-a.example:8081`` → ``node-a.example:8081``."""
    return host.split("://", 1)[-1].rstrip("/")


def is_folded_label(label: str) -> bool:
    """Whether ``fold=True`` hides an exchange with this label."""
    return label.startswith(FOLD_PREFIXES)
