"""Trust graphs: who issued, holds, presents, trusts and revoked what, read from a trace."""

from nutssim.trust.graph import (
    KINDS,
    RELATIONS,
    Break,
    broken,
    edges_of,
    nodes_of,
    short_did,
    trust_graph,
)

__all__ = [
    "KINDS",
    "RELATIONS",
    "Break",
    "broken",
    "edges_of",
    "nodes_of",
    "short_did",
    "trust_graph",
]
