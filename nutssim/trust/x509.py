"""The certificate chain behind a did:x509 issuer (Nuts RFC023), read from the credentials' ``x5c`` headers.

For every JWT credential carrying ``x5c`` the pass adds one ``certificate`` node per chain
member (root CA, intermediate CA, leaf; columns left of the issuers) with ``issued`` edges
down the chain and a ``certifies`` edge from the leaf to the did:x509 issuer, so the graph
shows trust running from the root to the token. A ``certificate_revoked`` fact gives a
``revoked`` edge from the issuing CA's certificate to the revoked one: broken and noticed when
the verifier's CRL check (``vc.x509.crl``) refused it, a warning when it let it through (the
reference's soft-fail). A certificate past its notAfter when the verifier looked gets an
``expired`` edge. The did:x509 DID itself is controlled by its issuer node, not a wallet.
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from nutssim import jose
from nutssim.errors import NutsSimError
from nutssim.rng import b64url
from nutssim.trace import Check, Exchange, Fact
from nutssim.trust.reader import Reader

#: Column titles of the chain, root first (the layout's negative columns).
ROLES = ("root", "intermediate", "leaf")
_CRL = "vc.x509.crl"


def chains(r: Reader) -> None:
    """Add the chain of every x5c-carrying credential, and its revocations and expiries."""
    revoked = _revoked_serials(r)
    for key, credential in list(r.credentials.items()):
        issuer = r.issuer_of(key)
        x5c = _x5c(credential.raw)
        if issuer is None or not x5c:
            continue
        certs = _parse(x5c)
        if not certs:
            continue
        order = r.g.nodes[key]["order"]
        last = len(certs) - 1
        nodes = [
            _certificate(r, cert, order, 2 if i == 0 else 0 if i == last else 1)
            for i, cert in enumerate(certs)
        ]
        for child, parent in itertools.pairwise(nodes):
            r.edge(parent, child, "issued", order)
        r.edge(nodes[0], issuer, "certifies", order)
        r.g.nodes[issuer]["x509"] = _organization(credential.subjects)
        _own_did(r, credential.issuer, issuer)
        for child, parent, cert in zip(nodes, nodes[1:], certs, strict=False):
            fact = revoked.get(cert.serial_number)
            if fact is not None:
                _revocation(r, key, parent, child, fact)
            _expiry(r, key, parent, child, cert)


def _organization(subjects: list[dict[str, Any]]) -> str:
    """The organization an X509Credential's subject names (``subject.O``), for the issuer's label."""
    first = subjects[0] if subjects else {}
    subject = first.get("subject") if isinstance(first, dict) else None
    name = subject.get("O") if isinstance(subject, dict) else None
    return name if isinstance(name, str) and name else "did:x509"


def _x5c(raw: Any) -> list[str] | None:
    if not isinstance(raw, str):
        return None
    try:
        value = jose.decode(raw).header.get("x5c")
    except NutsSimError:
        return None
    return value if isinstance(value, list) and all(isinstance(c, str) for c in value) else None


def _parse(x5c: list[str]) -> list[Any]:
    """The chain as cryptography certificates; nothing where cryptography is missing or a member is bad."""
    try:
        from nutssim.specs.did_x509 import parse_chain
    except ImportError:
        return []

    try:
        return parse_chain(x5c)  # a did:x509 chain has two certificates or more
    except NutsSimError:
        return []


def _certificate(r: Reader, cert: Any, order: int, place: int) -> str:
    """One certificate node: subject CN, role by place (0 root, 1 intermediate, 2 leaf), fingerprint."""
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    fingerprint = b64url(hashlib.sha256(cert.public_bytes(Encoding.DER)).digest())
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common = str(names[-1].value) if names else cert.subject.rfc4514_string()
    role = ROLES[place]
    return r.node(
        f"cert:{fingerprint}",
        "certificate",
        order,
        label=f"{common}\n{role} · sha256:{fingerprint[:6]}…",
        column=place - 3,
        role=role,
        serial=cert.serial_number,
        subject=cert.subject.rfc4514_string(),
        fingerprint=fingerprint,
        not_after=int(cert.not_valid_after_utc.timestamp()),
    )


def _own_did(r: Reader, did: str, issuer: str) -> None:
    """The did:x509 DID is the issuer's (the leaf key's), not an unknown wallet's."""
    holder = f"holder:{did}"
    only_controls = holder in r.g and all(
        d["relation"] == "controls" for _, _, d in r.g.out_edges(holder, data=True)
    )
    if only_controls and not any(True for _ in r.g.in_edges(holder)):
        r.g.remove_node(holder)
    target = f"did:{did}"
    if target in r.g:
        r.edge(issuer, target, "controls", r.g.nodes[target]["order"])


def _revoked_serials(r: Reader) -> dict[int, Fact]:
    """The last ``certificate_revoked`` fact per serial."""
    found: dict[int, Fact] = {}
    for event in r.trace.events:
        if isinstance(event, Fact) and event.type == "certificate_revoked":
            serial = event.data.get("serial")
            if isinstance(serial, int):
                found[serial] = event
    return found


def _crl_checks(r: Reader, key: str, after: int) -> list[tuple[Exchange, Check]]:
    return [(x, c) for x, _ in r.carriers.get(key, []) if x.seq > after for c in x.checks if c.id == _CRL]


def _revocation(r: Reader, key: str, parent: str, child: str, fact: Fact) -> None:
    """A revoked certificate: noticed by a failed CRL check, else a gap the verifier let through."""
    edge = r.edge(parent, child, "revoked", fact.seq, revoked_at=fact.time, certificate=True)
    checks = _crl_checks(r, key, fact.seq)
    failed = next((c for _, c in checks if not c.passed), None)
    if failed is not None:
        r.mark_broken(parent, child, edge, failed, noticed=True)
        _drop_credential_revocation(r, key)
        return
    passed = next((c for _, c in checks if c.passed and "soft-fail" in c.detail), None)
    reason = (
        f"revoked at the CA, not noticed: {passed.detail}" if passed else "revoked at the CA, not noticed"
    )
    data = r.g.edges[parent, child, edge]
    data.update(held=False, noticed=False, check=passed.id if passed else None, reason=reason)
    data["ref"] = passed.ref if passed else "RFC 5280 §6.3"


def _drop_credential_revocation(r: Reader, key: str) -> None:
    """The CRL revoked the certificate, not the credential: move the break off the credential."""
    for issuer, _, edge, data in list(r.g.in_edges(key, keys=True, data=True)):
        if data["relation"] == "revoked" and data.get("check") in (_CRL, "token.verify_vp"):
            r.g.remove_edge(issuer, key, edge)


def _expiry(r: Reader, key: str, parent: str, child: str, cert: Any) -> None:
    """A certificate past its notAfter at a verification that failed on it."""
    not_after = int(cert.not_valid_after_utc.timestamp())
    for exchange, _ in r.carriers.get(key, []):
        if exchange.time <= not_after:
            continue
        check = next((c for c in exchange.failed_checks if "certificate has expired" in c.detail), None)
        if check is not None:
            edge = r.edge(parent, child, "expired", exchange.seq, certificate=True)
            r.mark_broken(parent, child, edge, check, "certificate expired", noticed=True)
            return
