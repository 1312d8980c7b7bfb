"""Breaks that a verifier's checks name: a refused credential's link, revocations noticed or missed.

PROTOCOL.md §3.5: VerifyVP refuses with ``invalid VC (id=…): <cause>``; the cause says
which link broke (revoked, expired, status unknown, signature, validation). §3.6: a
credential revoked at its issuer gets a ``revoked`` edge even when no verifier noticed.
"""

from __future__ import annotations

import re

from nutssim.trace import Check, Exchange, Fact
from nutssim.trust.reader import Reader, find

INVALID_VC = re.compile(r"invalid VC \(id=(?P<id>[^)]*)\): (?P<cause>.*)", re.DOTALL)
_SIGNATURE_CAUSES = ("signature", "signing key DID", "verification method is not of issuer", "proof")


def verification_failures(r: Reader, exchange: Exchange) -> None:
    """Attach a VerifyVP failure on one credential to the link it broke (PROTOCOL.md §3.5)."""
    if not any(x.seq == exchange.seq for carried in r.carriers.values() for x, _ in carried):
        return  # only the verifier that received the VP knows why it refused it
    for check in exchange.failed_checks:
        found = INVALID_VC.search(check.detail)
        if check.id != "token.verify_vp" and not found:
            continue
        if not found:
            _signature_break(r, exchange, check)
            continue
        key = f"vc:{found.group('id')}"
        if key not in r.g:
            continue
        _credential_break(r, exchange, key, found.group("cause"), check)


def _credential_break(r: Reader, exchange: Exchange, key: str, cause: str, check: Check) -> None:
    """The link a VerifyVP cause names: revoked, expired, status unknown, signature or content."""
    issuer = r.issuer_of(key)
    if issuer is None:
        return
    order = exchange.seq
    if cause.startswith("credential is revoked"):
        edge = r.edge(issuer, key, "revoked", order)
        specific = next(
            (
                c
                for c in exchange.failed_checks
                if c.id == "vc.revocation" and c.detail.startswith(r.g.nodes[key]["credential_id"])
            ),
            check,
        )
        r.mark_broken(issuer, key, edge, specific, noticed=True)
    elif cause.startswith("credential not valid at given time"):
        expires = r.g.nodes[key].get("expires_at")
        if expires is not None and expires < exchange.time:
            edge = r.edge(issuer, key, "expired", order)
            r.mark_broken(issuer, key, edge, check, cause, noticed=True)
        else:
            r.mark_broken(issuer, key, "issued", check, cause)
    elif cause.startswith("credential issuer is untrusted"):
        return  # a trusts edge (issuers.trust_lists)
    elif cause.startswith("unable to check revocation status"):
        specific = find(exchange.failed_checks, "vc.revocation_list") or check
        r.mark_broken(issuer, key, "issued", specific, cause)
    elif any(marker in cause for marker in _SIGNATURE_CAUSES):
        targets = [
            (v, k)
            for _, v, k, d in r.g.out_edges(key, keys=True, data=True)
            if d["relation"] == "signed-with"
        ]
        for target, edge in targets or [(issuer, "issued")]:
            if targets:
                r.mark_broken(key, target, edge, check, cause)
            else:
                r.mark_broken(issuer, key, edge, check, cause)
    else:
        r.mark_broken(issuer, key, "issued", check, cause)


def _signature_break(r: Reader, exchange: Exchange, check: Check) -> None:
    """A VP-level signature failure breaks the VP's signed-with link."""
    if not any(marker in check.detail for marker in _SIGNATURE_CAUSES):
        return
    for node in r.g.nodes:
        if r.g.nodes[node].get("kind") == "presentation" and r.g.nodes[node].get("exchange") == exchange.seq:
            for _, target, edge, data in list(r.g.out_edges(node, keys=True, data=True)):
                if data["relation"] == "signed-with":
                    r.mark_broken(node, target, edge, check)


def revocations(r: Reader) -> None:
    """A credential revoked at its issuer gets a ``revoked`` edge, noticed or not (PROTOCOL.md §3.6)."""
    state: dict[str, Fact] = {}
    for fact in r.trace.events:
        if isinstance(fact, Fact) and fact.type in ("credential_revoked", "credential_unrevoked"):
            state[f"vc:{fact.data.get('id')}"] = fact
    for key, fact in state.items():
        issuer = r.issuer_of(key) if key in r.g else None
        if fact.type != "credential_revoked" or issuer is None:
            continue
        edge = r.edge(issuer, key, "revoked", fact.seq, revoked_at=fact.time)
        data = r.g.edges[issuer, key, edge]
        if not data["held"]:
            continue  # a verifier noticed it (_credential_break)
        let_through, reason = _missed_revocation(r, key, fact)
        data.update(
            held=False,
            noticed=False,
            check=let_through.id if let_through else None,
            ref=let_through.ref if let_through else "PROTOCOL.md §3.6",
            reason=reason,
        )


def _missed_revocation(r: Reader, key: str, fact: Fact) -> tuple[Check | None, str]:
    """The check that let a revoked credential through after its revocation, and why."""
    later = [x for x, _ in r.carriers.get(key, []) if x.seq > fact.seq]
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
