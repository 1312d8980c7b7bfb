"""Tokens (PROTOCOL.md §1.6): who issued them to whom, and the claims introspection revealed (§1.7, §3.10)."""

from __future__ import annotations

import json

from nutssim.trace import Exchange
from nutssim.trust.reader import Reader, find

#: Introspection members that describe the token itself rather than a PD field (RFC 7662 §2.2).
TOKEN_MEMBERS = frozenset(
    {
        "active",
        "iss",
        "sub",
        "aud",
        "client_id",
        "scope",
        "iat",
        "exp",
        "nbf",
        "cnf",
        "jti",
        "token_type",
        "username",
        "presentation_definitions",
        "presentation_submissions",
        "vps",
    }
)


def tokens(r: Reader) -> None:
    """Tokens, whom they were issued to, and the claims introspection revealed (PROTOCOL.md §1.6–1.7)."""
    by_value: dict[str, str] = {}
    for fact in r.trace.facts("token_issued"):
        parent = r.by_seq.get(fact.parent or -1)
        body = parent.response.json if parent else None
        value = body.get("access_token") if isinstance(body, dict) else None
        token_type, scope = fact.data.get("token_type", ""), fact.data.get("scope", "")
        key = r.node(
            f"token:{fact.seq}",
            "token",
            fact.seq,
            label=f"access token ({token_type})\nscope {scope}",
            issuer=fact.data.get("issuer"),
            client_id=fact.data.get("client_id"),
            scope=scope,
            token_type=token_type,
            jkt=fact.data.get("jkt"),
            issued_at=fact.time,
            expires_at=fact.time + int(fact.data.get("expires_in") or 0),
        )
        if value:
            by_value[str(value)] = key
        verifier = r.verifier(str(fact.data.get("issuer")), fact.seq)
        r.edge(verifier, key, "issued", fact.seq)
        to = _token_holder(r, parent, str(fact.data.get("client_id", "")))
        if to:
            r.edge(key, to, "token-issued-to", fact.seq, client_id=fact.data.get("client_id"))
    for exchange in r.exchanges:
        if exchange.label.startswith("introspection") and exchange.request.method == "POST":
            _introspection(r, exchange, by_value)


def _token_holder(r: Reader, parent: Exchange | None, client_id: str) -> str | None:
    """Whom a token went to: the presenter of the VP in its request, else the client_id's subject."""
    if parent is not None:
        presented = [
            n
            for n, d in r.g.nodes(data=True)
            if d.get("kind") == "presentation" and d.get("exchange") == parent.seq
        ]
        for vp in presented:
            for source, _, data in r.g.in_edges(vp, data=True):
                if data["relation"] == "presents":
                    return str(source)
    did = next((d for d, url in r.subject_urls.items() if url == client_id), None)
    return f"holder:{did}" if did and f"holder:{did}" in r.g else None


def _introspection(r: Reader, exchange: Exchange, by_value: dict[str, str]) -> None:
    """Claims from an active introspection; an inactive one expires the token."""
    token = by_value.get(str(exchange.request.form.get("token", "")))
    body = exchange.response.json
    if token is None or not isinstance(body, dict):
        return
    if body.get("active") is not True:
        verifier = r.issuer_of(token)
        if verifier is None:
            return
        edge = r.edge(verifier, token, "expired", exchange.seq)
        r.mark_broken(
            verifier,
            token,
            edge,
            find(exchange.checks, "introspect.active"),
            "unknown or expired token",
            noticed=True,
        )
        return
    for name, value in body.items():
        if name in TOKEN_MEMBERS:
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        claim = r.node(
            f"claim:{token}:{name}",
            "claim",
            exchange.seq,
            label=f"{name}\n= {text}",
            name=name,
            value=value,
        )
        r.edge(token, claim, "claims", exchange.seq)
