"""The trust graph of a run: who issued, holds, presents, trusts and revoked what, read from its trace.

Theory of operation. Everything comes from the trace (ARCHITECTURE principle 3): the
party list, the ``credential_issued`` / ``credential_revoked`` / ``token_issued`` /
``issuer_trusted`` facts, the raw VPs in token requests (``assertion``) and OpenID4VP
responses (``vp_token``), the presentation definitions served, the introspection
answers, and the checks each party recorded. Nothing is asked of a party.

Nodes (attribute ``kind``): ``issuer`` (a party in the issuer role, or an unknown issuer
DID), ``did``, ``credential`` (with its status entries), ``holder`` (a wallet: one DID of
a subject, or a user's did:jwk), ``presentation``, ``verifier`` (an authorization server,
by its issuer URL), ``token`` and ``claim`` (an introspection claim). Every node has a
``label`` (one or two short lines) and ``order``, the trace seq where it first appears.

Edges (attribute ``relation``) point along the chain of trust, from issuer to token:
``issued`` (issuer → credential, verifier → token), ``signed-with`` (credential or VP →
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

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from nutssim import jose
from nutssim.errors import NutsSimError
from nutssim.models.credential import Credential, Presentation
from nutssim.specs import pex, vc_jwt
from nutssim.specs.presentation import parse_envelope
from nutssim.trace import Check, Exchange, Fact, PartyInfo, Trace

KINDS = ("issuer", "did", "credential", "holder", "presentation", "verifier", "token", "claim")
RELATIONS = (
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
_INVALID_VC = re.compile(r"invalid VC \(id=(?P<id>[^)]*)\): (?P<cause>.*)", re.DOTALL)
_ISSUER_PATHS = frozenset({"$.issuer", "$.issuer.id", "$['issuer']"})
_SIGNATURE_CAUSES = ("signature", "signing key DID", "verification method is not of issuer", "proof")
PD_TRUST_REF = "PROTOCOL.md §3.11; DIF PE v2 §Input Descriptor (filter)"
TRUST_LIST_REF = "PROTOCOL.md §3.11 (strict: explicit trusted-issuer list)"


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
    return _Builder(_trace_of(source)).build()


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
    for candidate in (
        source,
        getattr(source, "trace", None),
        getattr(getattr(source, "sim", None), "trace", None),
    ):
        if isinstance(candidate, Trace):
            return candidate
    raise TypeError(f"trust_graph needs a Simulation, World, FlowRun or Trace, not {type(source).__name__}")


def short_did(did: str, keep: int = 6) -> str:
    """``did:web:register.example:iam:f5b16522-…`` → ``did:web:register.example:iam:f5b165…``."""
    if did.startswith("did:jwk:"):
        return f"did:jwk:{did[8 : 8 + keep]}…"
    head, _, tail = did.rpartition(":")
    return f"{head}:{tail[:keep]}…" if head and len(tail) > keep + 1 else did


def _slug_title(slug: str) -> str:
    return " ".join(part.capitalize() for part in slug.replace("_", "-").split("-") if part)


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


class _Builder:
    """Reads one trace into a ``MultiDiGraph``, one pass per kind of evidence."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.g = nx.MultiDiGraph(
            scenario=trace.meta.get("scenario"),
            profile=trace.meta.get("profile"),
            seed=trace.meta.get("seed"),
            outcome=trace.outcome,
        )
        self.owner: dict[str, PartyInfo] = {d: p for p in trace.parties.values() for d in p.dids}
        self.credentials: dict[str, Credential] = {}
        self.exchanges = trace.exchanges
        self.by_seq: dict[int, Exchange] = {x.seq: x for x in self.exchanges}
        self.subject_urls: dict[str, str] = {}  # holder DID → OAuth identity URL
        self.carriers: dict[str, list[tuple[Exchange, str]]] = {}  # credential node → (exchange, verifier)

    def build(self) -> nx.MultiDiGraph:
        """Run every pass and return the graph."""
        self._subjects()
        for fact in self.trace.facts("credential_issued"):
            self._issued_fact(fact)
        for exchange in self.exchanges:
            self._presentations(exchange)
        for exchange in self.exchanges:
            self._verification_failures(exchange)
        self._revocations()
        for exchange in self.exchanges:
            self._definition_trust(exchange)
        self._trust_lists()
        self._tokens()
        self._labels()
        return self.g

    # -- nodes -----------------------------------------------------------------------------------------------
    def _node(self, key: str, kind: str, order: int, **attrs: Any) -> str:
        if key in self.g:
            data = self.g.nodes[key]
            data["order"] = min(data["order"], order)
            for name, value in attrs.items():
                data.setdefault(name, value)
        else:
            rank = self.g.number_of_nodes()  # insertion order breaks ties within one seq
            self.g.add_node(key, kind=kind, order=order, rank=rank, label=attrs.pop("label", key), **attrs)
        return key

    def _edge(
        self, u: str, v: str, relation: str, order: int, *, key: str | None = None, **attrs: Any
    ) -> str:
        key = key or relation
        if self.g.has_edge(u, v, key):
            data = self.g.edges[u, v, key]
            data["order"] = min(data["order"], order)
            return key
        self.g.add_edge(u, v, key=key, relation=relation, held=True, order=order, **attrs)
        return key

    def _break(self, u: str, v: str, key: str, check: Check | None, reason: str = "", **attrs: Any) -> None:
        data = self.g.edges[u, v, key]
        if not data["held"] and data.get("check") and check is None:
            return  # keep the more specific check already attached
        data.update(
            held=False,
            check=check.id if check else None,
            ref=check.ref if check else data.get("ref", ""),
            reason=reason or (check.detail if check else ""),
            **attrs,
        )

    def _did(self, did: str, order: int) -> str:
        key = self._node(f"did:{did}", "did", order, label=short_did(did), did=did)
        owner = self.owner.get(did)
        controller = (
            self._issuer(did, order) if owner and owner.role == "issuer" else self._holder(did, order)
        )
        self._edge(controller, key, "controls", order)
        return key

    def _issuer(self, did: str, order: int) -> str:
        """The node that issues as ``did``: an issuer party, a subject's holder node, or the bare DID."""
        owner = self.owner.get(did)
        if owner is not None and owner.role == "issuer":
            return self._node(
                f"issuer:{owner.id}",
                "issuer",
                order,
                party=owner.id,
                host=owner.host,
                dids=list(owner.dids),
                name=owner.name,
            )
        if owner is not None or did in self.subject_urls:
            return self._holder(did, order)
        return self._node(f"issuer:{did}", "issuer", order, did=did, dids=[did])

    def _holder(self, did: str, order: int) -> str:
        owner = self.owner.get(did)
        return self._node(
            f"holder:{did}",
            "holder",
            order,
            did=did,
            party=owner.id if owner else None,
            host=owner.host if owner else None,
        )

    def _verifier(self, url: str, order: int) -> str:
        return self._node(f"verifier:{url}", "verifier", order, url=url, host=_host(url))

    def _credential(self, credential: Credential, order: int, holder: str | None = None) -> str:
        key = f"vc:{credential.id or _fingerprint(credential.raw)}"
        known = key in self.g
        self.credentials[key] = credential
        statuses = credential.document.get("credentialStatus")
        entries = statuses if isinstance(statuses, list) else [statuses] if isinstance(statuses, dict) else []
        subject = credential.subject_ids[0] if credential.subject_ids else None
        signed = credential.format == "jwt_vc" or credential.proof_type is not None
        self._node(
            key,
            "credential",
            order,
            credential_id=credential.id,
            type=credential.type_label,
            format=credential.format,
            issuer=credential.issuer,
            subject=subject,
            status=entries,
            signed=signed,
            self_issued=bool(subject) and subject == credential.issuer,
            issued_at=_time(credential.document.get("issuanceDate")),
            expires_at=_time(credential.document.get("expirationDate")),
            raw=credential.raw,
        )
        if known:
            return key
        if credential.issuer:
            self._edge(self._issuer(credential.issuer, order), key, "issued", order, self_attested=not signed)
        signer = _credential_signer(credential)
        if signer:
            self._edge(key, self._did(signer, order), "signed-with", order, kid=signer)
        if holder or subject:
            self._edge(key, self._holder(holder or subject or "", order), "holds", order)
        return key

    # -- passes ----------------------------------------------------------------------------------------------
    def _subjects(self) -> None:
        """Holder DID → subject URL, from the request that had a wallet build a VP."""
        for fact in self.trace.facts("presentation_built"):
            holder, parent = str(fact.data.get("holder", "")), self.by_seq.get(fact.parent or -1)
            owner = self.owner.get(holder)
            if parent is None or owner is None:
                continue
            match = re.search(
                r"/(?:internal/auth/v2|oauth2)/([^/]+)/", urlsplit(parent.request.url).path + "/"
            )
            if match:
                self.subject_urls.setdefault(holder, f"{owner.host}/oauth2/{match.group(1)}")

    def _issued_fact(self, fact: Fact) -> None:
        try:
            credential = vc_jwt.parse_credential(fact.data.get("credential"))
        except NutsSimError:
            return
        holder = fact.data.get("holder")
        key = self._credential(credential, fact.seq, holder if isinstance(holder, str) else None)
        self.g.nodes[key]["issued_by_party"] = fact.party

    def _presentations(self, exchange: Exchange) -> None:
        if exchange.request.method != "POST" or "form-urlencoded" not in exchange.request.content_type:
            return
        form = exchange.request.form
        value = form.get("assertion") or form.get("vp_token")
        if not value:
            return
        try:
            envelope = parse_envelope(value)
        except NutsSimError:
            return
        verifier = self._verifier(exchange.request.url.split("?")[0].rsplit("/", 1)[0], exchange.seq)
        failed = exchange.failed_checks
        for index, vp in enumerate(envelope.presentations):
            self._presentation(exchange, index, vp, verifier, failed)

    def _presentation(
        self, exchange: Exchange, index: int, vp: Presentation, verifier: str, failed: tuple[Check, ...]
    ) -> None:
        seq = exchange.seq
        key = self._node(
            f"vp:{seq}:{index}",
            "presentation",
            seq,
            format=vp.format,
            signer=vp.signer,
            holder=vp.holder,
            audience=list(vp.audience),
            nonce=vp.nonce,
            exchange=seq,
            raw=vp.raw,
        )
        presenter = self._holder(vp.signer_did, seq) if vp.signer_did else None
        if presenter:
            self._edge(presenter, key, "presents", seq)
            self._edge(key, self._did(vp.signer_did, seq), "signed-with", seq, kid=vp.signer)
        contained = []
        for credential in vp.credentials:
            vc = self._credential(credential, seq)
            contained.append(vc)
            self.carriers.setdefault(vc, []).append((exchange, verifier))
            if presenter and vp.signer_did not in credential.subject_ids:
                edge = self._edge(vc, presenter, "holds", seq)
                self._break(
                    vc,
                    presenter,
                    edge,
                    _find(failed, "token.signer_subject"),
                    "presentation signer is not credential subject",
                )
        self.g.nodes[key]["credentials"] = contained
        self.g.nodes[key]["label"] = f"VP ({vp.format})\n{len(contained)} credential(s)"
        edge = self._edge(key, verifier, "verified-by", seq, exchange=seq)
        if failed or not exchange.response.ok:
            check = failed[-1] if failed else None
            body = exchange.response.json
            described = body.get("error_description") if isinstance(body, dict) else None
            self._break(
                key,
                verifier,
                edge,
                check,
                str(described or (check.detail if check else "")),
                error=exchange.error,
            )

    def _verification_failures(self, exchange: Exchange) -> None:
        """Attach a VerifyVP failure on one credential to the link it broke (PROTOCOL.md §3.5)."""
        if not any(x.seq == exchange.seq for carried in self.carriers.values() for x, _ in carried):
            return  # only the verifier that received the VP knows why it refused it
        for check in exchange.failed_checks:
            found = _INVALID_VC.search(check.detail)
            if check.id != "token.verify_vp" and not found:
                continue
            if not found:
                self._signature_break(exchange, check)
                continue
            key = f"vc:{found.group('id')}"
            if key not in self.g:
                continue
            self._credential_break(exchange, key, found.group("cause"), check)

    def _issuer_of(self, key: str) -> str | None:
        return next((u for u, _, d in self.g.in_edges(key, data=True) if d["relation"] == "issued"), None)

    def _credential_break(self, exchange: Exchange, key: str, cause: str, check: Check) -> None:
        issuer = self._issuer_of(key)
        if issuer is None:
            return
        order = exchange.seq
        if cause.startswith("credential is revoked"):
            edge = self._edge(issuer, key, "revoked", order)
            specific = next(
                (
                    c
                    for c in exchange.failed_checks
                    if c.id == "vc.revocation" and c.detail.startswith(self.g.nodes[key]["credential_id"])
                ),
                check,
            )
            self._break(issuer, key, edge, specific, noticed=True)
        elif cause.startswith("credential not valid at given time"):
            expires = self.g.nodes[key].get("expires_at")
            if expires is not None and expires < exchange.time:
                edge = self._edge(issuer, key, "expired", order)
                self._break(issuer, key, edge, check, cause, noticed=True)
            else:
                self._break(issuer, key, "issued", check, cause)
        elif cause.startswith("credential issuer is untrusted"):
            return  # drawn as a trusts edge by _trust_lists
        elif cause.startswith("unable to check revocation status"):
            specific = _find(exchange.failed_checks, "vc.revocation_list") or check
            self._break(issuer, key, "issued", specific, cause)
        elif any(marker in cause for marker in _SIGNATURE_CAUSES):
            targets = [
                (v, k)
                for _, v, k, d in self.g.out_edges(key, keys=True, data=True)
                if d["relation"] == "signed-with"
            ]
            for target, edge in targets or [(issuer, "issued")]:
                if targets:
                    self._break(key, target, edge, check, cause)
                else:
                    self._break(issuer, key, edge, check, cause)
        else:
            self._break(issuer, key, "issued", check, cause)

    def _signature_break(self, exchange: Exchange, check: Check) -> None:
        """A VP-level signature failure breaks the VP's signed-with link."""
        if not any(marker in check.detail for marker in _SIGNATURE_CAUSES):
            return
        for node in self.g.nodes:
            if (
                self.g.nodes[node].get("kind") == "presentation"
                and self.g.nodes[node].get("exchange") == exchange.seq
            ):
                for _, target, edge, data in list(self.g.out_edges(node, keys=True, data=True)):
                    if data["relation"] == "signed-with":
                        self._break(node, target, edge, check)

    def _revocations(self) -> None:
        """A credential revoked at its issuer gets a ``revoked`` edge, noticed or not (PROTOCOL.md §3.6)."""
        state: dict[str, Fact] = {}
        for fact in self.trace.events:
            if isinstance(fact, Fact) and fact.type in ("credential_revoked", "credential_unrevoked"):
                state[f"vc:{fact.data.get('id')}"] = fact
        for key, fact in state.items():
            issuer = self._issuer_of(key) if key in self.g else None
            if fact.type != "credential_revoked" or issuer is None:
                continue
            edge = self._edge(issuer, key, "revoked", fact.seq, revoked_at=fact.time)
            data = self.g.edges[issuer, key, edge]
            if not data["held"]:
                continue  # a verifier noticed it (_credential_break)
            let_through, reason = self._missed_revocation(key, fact)
            data.update(
                held=False,
                noticed=False,
                check=let_through.id if let_through else None,
                ref=let_through.ref if let_through else "PROTOCOL.md §3.6",
                reason=reason,
            )

    def _missed_revocation(self, key: str, fact: Fact) -> tuple[Check | None, str]:
        later = [x for x, _ in self.carriers.get(key, []) if x.seq > fact.seq]
        if not later:
            return None, "revoked at the issuer; not presented since"
        for exchange in later:
            for check in exchange.checks:
                if check.id not in ("vc.revocation_list", "vc.revocation"):
                    continue
                if check.passed:
                    return check, f"revoked at the issuer, not noticed: {check.detail}"
                return check, f"revoked at the issuer, status unknown to the verifier: {check.detail}"
        if not any(c.id.startswith("vc.revocation") for x in later for c in x.checks):
            return None, "revoked at the issuer, not noticed: the verifier did not check revocation"
        return None, "revoked at the issuer, not noticed"

    def _definition_trust(self, exchange: Exchange) -> None:
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
        verifier = self._verifier(base.rsplit("/", 1)[0], exchange.seq)
        requester = self.trace.parties.get(exchange.sender)
        dids = set(requester.dids) if requester else set()
        for key in sorted(self.credentials, key=lambda k: self.g.nodes[k]["order"]):
            data = self.g.nodes[key]
            if data.get("subject") in dids and data.get("signed"):
                for descriptor in definition.descriptors:
                    self._descriptor_trust(exchange, verifier, definition.id, descriptor, key)

    def _descriptor_trust(
        self, exchange: Exchange, verifier: str, definition: str, descriptor: Any, key: str
    ) -> None:
        credential = self.credentials[key]
        issuer_fields = [f for f in descriptor.fields if {p.text for p in f.paths} & _ISSUER_PATHS]
        others = [f for f in descriptor.fields if f not in issuer_fields and not f.id]
        if not all(f.evaluate(credential.document)[0] for f in others):
            return  # the descriptor asks for another kind of credential
        issuer = self._issuer(credential.issuer, self.g.nodes[key]["order"])
        edge_key = f"trusts:{definition}:{descriptor.id}:{credential.issuer}"
        attrs = {
            "via": "presentation definition",
            "definition": definition,
            "descriptor": descriptor.id,
            "credential_type": credential.type_label,
            "ref": PD_TRUST_REF,
        }
        if not issuer_fields:
            self._edge(
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
        self._edge(
            verifier, issuer, "trusts", exchange.seq, key=edge_key, constrained=True, rule=rule, **attrs
        )
        refused = next((o for o in outcomes if not o.passed), None)
        if refused is None:
            return
        why = next((a.reason for a in refused.attempts if a.reason), "refused by the issuer constraint")
        check = self._refusing_check(credential)
        self._break(verifier, issuer, edge_key, check, f"issuer not trusted: {why}")
        if check is None:
            self.g.edges[verifier, issuer, edge_key]["ref"] = PD_TRUST_REF

    def _refusing_check(self, credential: Credential) -> Check | None:
        for exchange in self.exchanges:
            for check in exchange.failed_checks:
                if check.id in ("client.pd_match", "token.pd_fulfil") and (
                    credential.id in check.detail or credential.issuer in check.detail
                ):
                    return check
        return None

    def _trust_lists(self) -> None:
        """``trusts`` edges from explicit trust lists (strict, PROTOCOL.md §3.11) and their refusals."""
        for fact in self.trace.facts("issuer_trusted"):
            if not fact.data.get("consulted", True):
                continue
            verifier = self._verifier(str(fact.data.get("verifier")), fact.seq)
            issuer = self._issuer(str(fact.data.get("issuer")), fact.seq)
            self._edge(
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
        for exchange in self.exchanges:
            for check in exchange.failed_checks:
                found = _INVALID_VC.search(check.detail)
                if not found or not found.group("cause").startswith("credential issuer is untrusted"):
                    continue
                key = f"vc:{found.group('id')}"
                carrier = next((v for x, v in self.carriers.get(key, []) if x.seq == exchange.seq), None)
                if key not in self.g or carrier is None:
                    continue
                credential = self.credentials[key]
                issuer = self._issuer(credential.issuer, exchange.seq)
                edge = self._edge(
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
                self._break(
                    carrier, issuer, edge, check, f"issuer not on the trust list for {credential.type_label}"
                )

    def _tokens(self) -> None:
        """Tokens, whom they were issued to, and the claims introspection revealed (PROTOCOL.md §1.6–1.7)."""
        by_value: dict[str, str] = {}
        for fact in self.trace.facts("token_issued"):
            parent = self.by_seq.get(fact.parent or -1)
            body = parent.response.json if parent else None
            value = body.get("access_token") if isinstance(body, dict) else None
            token_type, scope = fact.data.get("token_type", ""), fact.data.get("scope", "")
            key = self._node(
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
            verifier = self._verifier(str(fact.data.get("issuer")), fact.seq)
            self._edge(verifier, key, "issued", fact.seq)
            to = self._token_holder(parent, str(fact.data.get("client_id", "")))
            if to:
                self._edge(key, to, "token-issued-to", fact.seq, client_id=fact.data.get("client_id"))
        for exchange in self.exchanges:
            if exchange.label.startswith("introspection") and exchange.request.method == "POST":
                self._introspection(exchange, by_value)

    def _token_holder(self, parent: Exchange | None, client_id: str) -> str | None:
        if parent is not None:
            presented = [
                n
                for n, d in self.g.nodes(data=True)
                if d.get("kind") == "presentation" and d.get("exchange") == parent.seq
            ]
            for vp in presented:
                for source, _, data in self.g.in_edges(vp, data=True):
                    if data["relation"] == "presents":
                        return str(source)
        did = next((d for d, url in self.subject_urls.items() if url == client_id), None)
        return f"holder:{did}" if did and f"holder:{did}" in self.g else None

    def _introspection(self, exchange: Exchange, by_value: dict[str, str]) -> None:
        token = by_value.get(str(exchange.request.form.get("token", "")))
        body = exchange.response.json
        if token is None or not isinstance(body, dict):
            return
        if body.get("active") is not True:
            verifier = self._issuer_of(token)
            if verifier is None:
                return
            edge = self._edge(verifier, token, "expired", exchange.seq)
            self._break(
                verifier,
                token,
                edge,
                _find(exchange.checks, "introspect.active"),
                "unknown or expired token",
                noticed=True,
            )
            return
        for name, value in body.items():
            if name in TOKEN_MEMBERS:
                continue
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            claim = self._node(
                f"claim:{token}:{name}",
                "claim",
                exchange.seq,
                label=f"{name}\n= {text}",
                name=name,
                value=value,
            )
            self._edge(token, claim, "claims", exchange.seq)

    # -- labels ----------------------------------------------------------------------------------------------
    def _labels(self) -> None:
        for key, data in self.g.nodes(data=True):
            kind = data["kind"]
            if kind == "issuer":
                data["label"] = (
                    f"{data['name']}\n{_host(data['host'])}"
                    if data.get("name")
                    else f"issuer\n{short_did(data['did'])}"
                )
            elif kind == "holder":
                data["label"] = self._holder_label(key, data)
            elif kind == "verifier":
                url = data["url"]
                data["label"] = f"{_slug_title(url.rstrip('/').rsplit('/', 1)[-1])}\n{_host(url)}"
            elif kind == "credential":
                data["label"] = _credential_label(data)

    def _holder_label(self, key: str, data: dict[str, Any]) -> str:
        did = data["did"]
        names = [
            self.credentials[c].subjects[0].get("organization", {}).get("name")
            for c, _, d in self.g.in_edges(key, data=True)
            if d["relation"] == "holds"
            and c in self.credentials
            and self.credentials[c].subjects
            and isinstance(self.credentials[c].subjects[0].get("organization"), dict)
        ]
        name = next((n for n in names if isinstance(n, str) and n), None)
        url = self.subject_urls.get(did)
        if name is None and url:
            name = _slug_title(url.rsplit("/", 1)[-1])
        if did.startswith("did:jwk:"):
            return f"{name or 'user wallet'}\n{short_did(did)}"
        owner = self.owner.get(did)
        if owner is None:
            return f"{name or short_did(did)}\nunknown DID"
        return f"{name or owner.name}\n{_host(owner.host)}"


def _credential_label(data: dict[str, Any]) -> str:
    type_ = str(data.get("type") or "credential")
    short = type_.removeprefix("Nuts").removesuffix("Credential") or type_
    if data.get("self_issued"):
        how = "self-issued" if data.get("signed") else "self-attested"
    else:
        how = data.get("format", "")
    if data.get("status"):
        entry = data["status"][0] if isinstance(data["status"][0], dict) else {}
        how = f"{how} · status #{entry.get('statusListIndex', '?')}"
    return f"{short} credential\n{how}"


def _credential_signer(credential: Credential) -> str | None:
    """The DID of the key that signed a credential (JWT ``kid`` or LD ``verificationMethod``)."""
    if credential.format == "jwt_vc" and isinstance(credential.raw, str):
        try:
            kid = jose.decode(credential.raw).kid
        except NutsSimError:
            return None
        return (kid or credential.issuer).split("#", 1)[0] or None
    proof = credential.document.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    return str(method).split("#", 1)[0] if method else None


def _time(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return vc_jwt.from_rfc3339(value)
    except NutsSimError:
        return None


def _fingerprint(raw: Any) -> str:
    import hashlib

    text = raw if isinstance(raw, str) else json.dumps(raw, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _find(checks: Iterable[Check], check_id: str) -> Check | None:
    return next((c for c in checks if c.id == check_id), None)
