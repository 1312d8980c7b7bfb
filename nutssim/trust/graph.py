"""The trust graph of a run: who issued, holds, presents, trusts and revoked what, read from its trace.

Theory of operation. Everything comes from the trace (ARCHITECTURE principle 3): the
party list, the ``credential_issued`` / ``credential_revoked`` / ``token_issued`` /
``issuer_trusted`` facts, the raw VPs in token requests (``assertion``) and OpenID4VP
responses (``vp_token``), the presentation definitions served, the introspection
answers, and the checks each party recorded. Nothing is asked of a party.

Nodes (attribute ``kind``): ``certificate`` (an X.509 certificate of a did:x509 issuer's
chain, ``nutssim.trust.x509``), ``issuer`` (a party in the issuer role, or an unknown issuer
DID), ``did``, ``credential`` (with its status entries), ``holder`` (a wallet: one DID of
a subject, or a user's did:jwk), ``presentation``, ``verifier`` (an authorization server,
by its issuer URL), ``token`` and ``claim`` (an introspection claim). Every node has a
``label`` (one or two short lines) and ``order``, the trace seq where it first appears.

Edges (attribute ``relation``) point along the chain of trust, from issuer to token:
``certifies`` (leaf certificate → did:x509 issuer), ``issued`` (CA certificate → certificate,
issuer → credential, verifier → token), ``signed-with`` (credential or VP →
the DID of its key), ``controls`` (issuer or holder → DID), ``holds`` (credential →
holder), ``presents`` (holder → VP), ``verified-by`` (VP → verifier), ``trusts``
(verifier → issuer, by a PD issuer constraint or a trust list), ``revoked`` and
``expired`` (issuer → credential, verifier → token), ``token-issued-to`` (token →
holder) and ``claims`` (token → claim).

``held`` says whether a link held when the parties checked it. When it did not, ``check``
names the failed check, ``ref`` its spec clause and ``reason`` its detail. ``revoked``
and ``expired`` edges never hold: they are breaks in themselves. A break that no verifier
noticed (a revoked credential accepted because its status list could not be fetched, the
reference failing open) has ``noticed=False`` and names in ``check`` the check that let it
through. A ``trusts`` edge from a PD without an issuer constraint holds but has
``constrained=False``: anyone's credential would have done (PROTOCOL.md §3.11).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from nutssim.trace import Trace
from nutssim.trust import breaks, issuers, labels, tokens, x509
from nutssim.trust.reader import Reader, short_did

__all__ = ["KINDS", "RELATIONS", "Break", "broken", "edges_of", "nodes_of", "short_did", "trust_graph"]

KINDS = ("certificate", "issuer", "did", "credential", "holder", "presentation", "verifier", "token", "claim")
RELATIONS = (
    "certifies",
    "issued",
    "signed-with",
    "controls",
    "holds",
    "presents",
    "verified-by",
    "trusts",
    "revoked",
    "expired",
    "token-issued-to",
    "claims",
)


@dataclass(frozen=True)
class Break:
    """A link that did not hold: the edge, its relation, and the check that says why."""

    source: str
    target: str
    key: str
    relation: str
    check: str | None
    ref: str
    reason: str
    noticed: bool


def trust_graph(source: Any) -> nx.MultiDiGraph:
    """Build the trust graph of a simulation, world, flow run or ``Trace``."""
    reader = Reader(_trace_of(source))
    reader.read_subjects()
    for fact in reader.trace.facts("credential_issued"):
        reader.read_issued_fact(fact)
    for exchange in reader.exchanges:
        reader.read_presentations(exchange)
    for exchange in reader.exchanges:
        breaks.verification_failures(reader, exchange)
    breaks.revocations(reader)
    x509.chains(reader)
    for exchange in reader.exchanges:
        issuers.definition_trust(reader, exchange)
    issuers.trust_lists(reader)
    tokens.tokens(reader)
    labels.labels(reader)
    return reader.g


def broken(graph: nx.MultiDiGraph, *, noticed: bool | None = None) -> list[Break]:
    """Every edge that did not hold, in trace order; ``noticed`` filters on whether a verifier saw it."""
    out = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        if data.get("held", True) or (noticed is not None and data.get("noticed", True) != noticed):
            continue
        out.append(
            Break(
                u,
                v,
                key,
                data["relation"],
                data.get("check"),
                data.get("ref", ""),
                data.get("reason", ""),
                data.get("noticed", True),
            )
        )
    return sorted(out, key=lambda b: (graph.edges[b.source, b.target, b.key].get("order", 0), b.key))


def nodes_of(graph: nx.MultiDiGraph, kind: str) -> list[str]:
    """The nodes of one kind, in trace order."""
    found = [n for n, d in graph.nodes(data=True) if d.get("kind") == kind]
    return sorted(found, key=lambda n: (graph.nodes[n].get("order", 0), graph.nodes[n].get("rank", 0)))


def edges_of(graph: nx.MultiDiGraph, relation: str) -> list[tuple[str, str, dict[str, Any]]]:
    """The edges of one relation as (source, target, attributes), in trace order."""
    found = [(u, v, d) for u, v, d in graph.edges(data=True) if d.get("relation") == relation]
    return sorted(found, key=lambda e: (e[2].get("order", 0), e[0], e[1]))


def _trace_of(source: Any) -> Trace:
    """The trace of a simulation, world or flow run (or the trace itself)."""
    for candidate in (
        source,
        getattr(source, "trace", None),
        getattr(getattr(source, "sim", None), "trace", None),
    ):
        if isinstance(candidate, Trace):
            return candidate
    raise TypeError(f"trust_graph needs a Simulation, World, FlowRun or Trace, not {type(source).__name__}")
