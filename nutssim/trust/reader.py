"""Reading a trace into the trust graph: the graph being built, its node and edge helpers, the first passes.

``Reader`` holds what the passes share (the graph, the credentials seen, which exchange
carried which credential to which verifier) and reads the party list, the issued
credentials and the presentations; ``breaks``, ``issuers``, ``tokens`` and ``labels`` add
the rest (``nutssim.trust.graph`` runs them in order).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from nutssim import jose
from nutssim.errors import NutsSimError
from nutssim.models.credential import Credential, Presentation
from nutssim.specs import vc_jwt
from nutssim.specs.presentation import parse_envelope
from nutssim.trace import Check, Exchange, Fact, PartyInfo, Trace


class Reader:
    """The graph being built from one trace, and what its passes share."""

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

    # -- nodes and edges ----------------------------------------------------------------------------------
    def node(self, key: str, kind: str, order: int, **attrs: Any) -> str:
        """Add a node (or keep the first one, its earliest ``order`` and attributes); return its key."""
        if key in self.g:
            data = self.g.nodes[key]
            data["order"] = min(data["order"], order)
            for name, value in attrs.items():
                data.setdefault(name, value)
        else:
            rank = self.g.number_of_nodes()  # insertion order breaks ties within one seq
            self.g.add_node(key, kind=kind, order=order, rank=rank, label=attrs.pop("label", key), **attrs)
        return key

    def edge(self, u: str, v: str, relation: str, order: int, *, key: str | None = None, **attrs: Any) -> str:
        """Add a link that holds (once per key); return its key."""
        key = key or relation
        if self.g.has_edge(u, v, key):
            data = self.g.edges[u, v, key]
            data["order"] = min(data["order"], order)
            return key
        self.g.add_edge(u, v, key=key, relation=relation, held=True, order=order, **attrs)
        return key

    def mark_broken(
        self, u: str, v: str, key: str, check: Check | None, reason: str = "", **attrs: Any
    ) -> None:
        """Record that a link did not hold, with the check that says so (the most specific one wins)."""
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

    def did(self, did: str, order: int) -> str:
        """A DID node, linked from the issuer or holder that controls it."""
        key = self.node(f"did:{did}", "did", order, label=short_did(did), did=did)
        owner = self.owner.get(did)
        controller = self.issuer(did, order) if owner and owner.role == "issuer" else self.holder(did, order)
        self.edge(controller, key, "controls", order)
        return key

    def issuer(self, did: str, order: int) -> str:
        """The node that issues as ``did``: an issuer party, a subject's holder node, or the bare DID."""
        owner = self.owner.get(did)
        if owner is not None and owner.role == "issuer":
            return self.node(
                f"issuer:{owner.id}",
                "issuer",
                order,
                party=owner.id,
                host=owner.host,
                dids=list(owner.dids),
                name=owner.name,
            )
        if owner is not None or did in self.subject_urls:
            return self.holder(did, order)
        return self.node(f"issuer:{did}", "issuer", order, did=did, dids=[did])

    def holder(self, did: str, order: int) -> str:
        """The wallet of one DID (a subject's, or a user's did:jwk)."""
        owner = self.owner.get(did)
        return self.node(
            f"holder:{did}",
            "holder",
            order,
            did=did,
            party=owner.id if owner else None,
            host=owner.host if owner else None,
        )

    def verifier(self, url: str, order: int) -> str:
        """An authorization server, by its issuer URL."""
        return self.node(f"verifier:{url}", "verifier", order, url=url, host=host_of(url))

    def credential(self, credential: Credential, order: int, holder: str | None = None) -> str:
        """A credential with its issuer, signing DID and holder links (added once)."""
        key = f"vc:{credential.id or _fingerprint(credential.raw)}"
        known = key in self.g
        self.credentials[key] = credential
        statuses = credential.document.get("credentialStatus")
        entries = statuses if isinstance(statuses, list) else [statuses] if isinstance(statuses, dict) else []
        subject = credential.subject_ids[0] if credential.subject_ids else None
        signed = credential.format == "jwt_vc" or credential.proof_type is not None
        self.node(
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
            self.edge(self.issuer(credential.issuer, order), key, "issued", order, self_attested=not signed)
        signer = _credential_signer(credential)
        if signer:
            self.edge(key, self.did(signer, order), "signed-with", order, kid=signer)
        if holder or subject:
            self.edge(key, self.holder(holder or subject or "", order), "holds", order)
        return key

    def issuer_of(self, key: str) -> str | None:
        """The node a credential or token was issued by."""
        return next((u for u, _, d in self.g.in_edges(key, data=True) if d["relation"] == "issued"), None)

    # -- passes --------------------------------------------------------------------------------------------
    def read_subjects(self) -> None:
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

    def read_issued_fact(self, fact: Fact) -> None:
        """A ``credential_issued`` fact: the credential as issued, and to whom."""
        try:
            credential = vc_jwt.parse_credential(fact.data.get("credential"))
        except NutsSimError:
            return
        holder = fact.data.get("holder")
        key = self.credential(credential, fact.seq, holder if isinstance(holder, str) else None)
        self.g.nodes[key]["issued_by_party"] = fact.party

    def read_presentations(self, exchange: Exchange) -> None:
        """The VPs of a token request (``assertion``, and ``client_assertion`` of the two-VP
        jwt-bearer grant) or of an OpenID4VP response (``vp_token``)."""
        if exchange.request.method != "POST" or "form-urlencoded" not in exchange.request.content_type:
            return
        form = exchange.request.form
        values = [form.get("assertion") or form.get("vp_token"), form.get("client_assertion")]
        if not any(values):
            return
        verifier = self.verifier(exchange.request.url.split("?")[0].rsplit("/", 1)[0], exchange.seq)
        failed = exchange.failed_checks
        firsts: list[str] = []
        for offset, value in enumerate(values):
            try:
                envelope = parse_envelope(value) if value else None
            except NutsSimError:
                envelope = None
            for index, vp in enumerate(envelope.presentations if envelope else ()):
                firsts.append(self._presentation(exchange, 100 * offset + index, vp, verifier, failed))
        if form.get("client_assertion") and len(firsts) == 2:
            self._binding(exchange, *firsts)

    def _binding(self, exchange: Exchange, organization_vp: str, provider_vp: str) -> None:
        """The two-VP grant's cross-VP binding (GFI-004): VP2 acts on VP1's behalf, checked or not."""
        check = find(exchange.checks, "token.cross_vp_binding")
        edge = self.edge(organization_vp, provider_vp, "bound-to", exchange.seq, checked=check is not None)
        if check is not None and not check.passed:
            self.mark_broken(organization_vp, provider_vp, edge, check, check.detail)

    def _presentation(
        self, exchange: Exchange, index: int, vp: Presentation, verifier: str, failed: tuple[Check, ...]
    ) -> str:
        """One VP: who presented it, what it carried, and whether the verifier took it (its node)."""
        seq = exchange.seq
        key = self.node(
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
        presenter = self.holder(vp.signer_did, seq) if vp.signer_did else None
        if presenter:
            self.edge(presenter, key, "presents", seq)
            self.edge(key, self.did(vp.signer_did, seq), "signed-with", seq, kid=vp.signer)
        contained = []
        for credential in vp.credentials:
            vc = self.credential(credential, seq)
            contained.append(vc)
            self.carriers.setdefault(vc, []).append((exchange, verifier))
            if presenter and vp.signer_did not in credential.subject_ids:
                edge = self.edge(vc, presenter, "holds", seq)
                self.mark_broken(
                    vc,
                    presenter,
                    edge,
                    find(failed, "token.signer_subject"),
                    "presentation signer is not credential subject",
                )
        self.g.nodes[key]["credentials"] = contained
        self.g.nodes[key]["label"] = f"VP ({vp.format})\n{len(contained)} credential(s)"
        edge = self.edge(key, verifier, "verified-by", seq, exchange=seq)
        if failed or not exchange.response.ok:
            check = failed[-1] if failed else None
            body = exchange.response.json
            described = body.get("error_description") if isinstance(body, dict) else None
            self.mark_broken(
                key,
                verifier,
                edge,
                check,
                str(described or (check.detail if check else "")),
                error=exchange.error,
            )
        return key


def short_did(did: str, keep: int = 6) -> str:
    """``did:web:register.example:iam:f5b16522-…`` → ``did:web:register.example:iam:f5b165…``."""
    if did.startswith("did:jwk:"):
        return f"did:jwk:{did[8 : 8 + keep]}…"
    head, _, tail = did.rpartition(":")
    return f"{head}:{tail[:keep]}…" if head and len(tail) > keep + 1 else did


def slug_title(slug: str) -> str:
    """``huisarts-west`` → ``Huisarts West``."""
    return " ".join(part.capitalize() for part in slug.replace("_", "-").split("-") if part)


def host_of(url: str) -> str:
    """The host (and port) of a URL."""
    return urlsplit(url).netloc or url


def find(checks: Iterable[Check], check_id: str) -> Check | None:
    """The first check with this id."""
    return next((c for c in checks if c.id == check_id), None)


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
    """An RFC 3339 date as epoch seconds, or None."""
    if not isinstance(value, str):
        return None
    try:
        return vc_jwt.from_rfc3339(value)
    except NutsSimError:
        return None


def _fingerprint(raw: Any) -> str:
    """A short stable id for a credential that has none."""
    text = raw if isinstance(raw, str) else json.dumps(raw, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
