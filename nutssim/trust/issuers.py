"""Issuer trust (PROTOCOL.md §3.11): PD constraints on ``$.issuer`` as served, and strict's trust lists."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from nutssim import causes
from nutssim.errors import NutsSimError
from nutssim.models.credential import Credential
from nutssim.specs import pex
from nutssim.trace import Check, Exchange
from nutssim.trust.breaks import credential_cause
from nutssim.trust.reader import Reader

_ISSUER_PATHS = frozenset({"$.issuer", "$.issuer.id", "$['issuer']"})
PD_TRUST_REF = "PROTOCOL.md §3.11; DIF PE v2 §Input Descriptor (filter)"
TRUST_LIST_REF = "PROTOCOL.md §3.11 (strict: explicit trusted-issuer list)"


def definition_trust(r: Reader, exchange: Exchange) -> None:
    """``trusts`` edges from a served PD's issuer constraints (PROTOCOL.md §3.11 (a))."""
    path = urlsplit(exchange.request.url).path
    body = exchange.response.json
    if not path.endswith("/presentation_definition") or not isinstance(body, dict):
        return
    if not isinstance(body.get("input_descriptors"), list):
        return
    try:
        definition = pex.compile_definition(body)
    except NutsSimError:
        return
    base = exchange.request.url.split("?")[0]
    verifier = r.verifier(base.rsplit("/", 1)[0], exchange.seq)
    requester = r.trace.parties.get(exchange.sender)
    dids = set(requester.dids) if requester else set()
    for key in sorted(r.credentials, key=lambda k: r.g.nodes[k]["order"]):
        data = r.g.nodes[key]
        if data.get("subject") in dids and data.get("signed"):
            for descriptor in definition.descriptors:
                _descriptor_trust(r, exchange, verifier, definition.id, descriptor, key)


def _descriptor_trust(
    r: Reader, exchange: Exchange, verifier: str, definition: str, descriptor: Any, key: str
) -> None:
    """One descriptor's issuer constraint against one candidate credential."""
    credential = r.credentials[key]
    issuer_fields = [f for f in descriptor.fields if {p.text for p in f.paths} & _ISSUER_PATHS]
    others = [f for f in descriptor.fields if f not in issuer_fields and not f.id]
    if not all(f.evaluate(credential.document)[0] for f in others):
        return  # the descriptor asks for another kind of credential
    issuer = r.issuer(credential.issuer, r.g.nodes[key]["order"])
    edge_key = f"trusts:{definition}:{descriptor.id}:{credential.issuer}"
    attrs = {
        "via": "presentation definition",
        "definition": definition,
        "descriptor": descriptor.id,
        "credential_type": credential.type_label,
        "ref": PD_TRUST_REF,
    }
    if not issuer_fields:
        r.edge(
            verifier,
            issuer,
            "trusts",
            exchange.seq,
            key=edge_key,
            constrained=False,
            rule=None,
            reason="no issuer constraint: any issuer is accepted",
            **attrs,
        )
        return
    outcomes = [f.explain(credential.document) for f in issuer_fields]
    rule = json.dumps(issuer_fields[0].filter.raw if issuer_fields[0].filter else None)
    r.edge(verifier, issuer, "trusts", exchange.seq, key=edge_key, constrained=True, rule=rule, **attrs)
    refused = next((o for o in outcomes if not o.passed), None)
    if refused is None:
        return
    why = next((a.reason for a in refused.attempts if a.reason), "refused by the issuer constraint")
    check = _refusing_check(r, credential)
    r.mark_broken(verifier, issuer, edge_key, check, f"issuer not trusted: {why}")
    if check is None:
        r.g.edges[verifier, issuer, edge_key]["ref"] = PD_TRUST_REF


def _refusing_check(r: Reader, credential: Credential) -> Check | None:
    """The failed PD match (wallet) or re-evaluation (AS) that names this credential."""
    for exchange in r.exchanges:
        for check in exchange.failed_checks:
            if check.id in ("client.pd_match", "token.pd_fulfil") and (
                credential.id in check.detail or credential.issuer in check.detail
            ):
                return check
    return None


def trust_lists(r: Reader) -> None:
    """``trusts`` edges from explicit trust lists (strict, PROTOCOL.md §3.11) and their refusals."""
    for fact in r.trace.facts("issuer_trusted"):
        if not fact.data.get("consulted", True):
            continue
        verifier = r.verifier(str(fact.data.get("verifier")), fact.seq)
        issuer = r.issuer(str(fact.data.get("issuer")), fact.seq)
        r.edge(
            verifier,
            issuer,
            "trusts",
            fact.seq,
            key=f"trusts:list:{fact.data.get('credential_type')}",
            via="trust list",
            credential_type=fact.data.get("credential_type"),
            constrained=True,
            ref=TRUST_LIST_REF,
        )
    for exchange in r.exchanges:
        for check in exchange.failed_checks:
            found = credential_cause(check)
            if found is None or found.kind != causes.UNTRUSTED:
                continue
            key = f"vc:{found.subject}"
            carrier = next((v for x, v in r.carriers.get(key, []) if x.seq == exchange.seq), None)
            if key not in r.g or carrier is None:
                continue
            credential = r.credentials[key]
            issuer = r.issuer(credential.issuer, exchange.seq)
            edge = r.edge(
                carrier,
                issuer,
                "trusts",
                exchange.seq,
                key=f"trusts:list:{credential.type_label}",
                via="trust list",
                credential_type=credential.type_label,
                constrained=True,
                ref=TRUST_LIST_REF,
            )
            r.mark_broken(
                carrier, issuer, edge, check, f"issuer not on the trust list for {credential.type_label}"
            )
