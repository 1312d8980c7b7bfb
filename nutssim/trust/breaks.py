"""Breaks that a verifier's checks name: a refused credential's link, revocations noticed or missed.

PROTOCOL.md §3.5: VerifyVP refuses a credential or the presentation; the check's
structured cause (``nutssim.causes``) says which link broke by its kind (revoked,
expired, status unknown, signature, validation) and, for a credential, which one.
§3.6: a credential revoked at its issuer gets a ``revoked`` edge even when no verifier
noticed.
"""

from __future__ import annotations

from nutssim import causes
from nutssim.causes import Cause
from nutssim.trace import Check, Exchange, Fact
from nutssim.trust.reader import Reader, find


def credential_cause(check: Check) -> Cause | None:
    """The cause of a check that refused one credential (VerifyVP's ``invalid VC``), else None."""
    cause = check.cause
    return cause if cause is not None and cause.about == "credential" and cause.subject else None


def verification_failures(r: Reader, exchange: Exchange) -> None:
    """Attach a VerifyVP failure on one credential to the link it broke (PROTOCOL.md §3.5)."""
    if not any(x.seq == exchange.seq for carried in r.carriers.values() for x, _ in carried):
        return  # only the verifier that received the VP knows why it refused it
    for check in exchange.failed_checks:
        found = credential_cause(check)
        if check.id != "token.verify_vp" and not found:
            continue
        if not found:
            _signature_break(r, exchange, check)
            continue
        key = f"vc:{found.subject}"
        if key not in r.g:
            continue
        _credential_break(r, exchange, key, found, check)


def _credential_break(r: Reader, exchange: Exchange, key: str, found: Cause, check: Check) -> None:
    """The link a VerifyVP cause names: revoked, expired, status unknown, signature or content."""
    issuer = r.issuer_of(key)
    if issuer is None:
        return
    order = exchange.seq
    cause = found.reason  # the reference's words, shown as the reason of the break
    if found.kind == causes.REVOKED:
        edge = r.edge(issuer, key, "revoked", order)
        specific = next(
            (
                c
                for c in exchange.failed_checks
                if c.id == "vc.revocation"
                and c.cause is not None
                and c.cause.subject == r.g.nodes[key]["credential_id"]
            ),
            check,
        )
        r.mark_broken(issuer, key, edge, specific, noticed=True)
    elif found.kind == causes.TIME:
        expires = r.g.nodes[key].get("expires_at")
        if expires is not None and expires < exchange.time:
            edge = r.edge(issuer, key, "expired", order)
            r.mark_broken(issuer, key, edge, check, cause, noticed=True)
        else:
            r.mark_broken(issuer, key, "issued", check, cause)
    elif found.kind == causes.UNTRUSTED:
        return  # a trusts edge (issuers.trust_lists)
    elif found.kind == causes.STATUS_UNKNOWN:
        specific = find(exchange.failed_checks, "vc.revocation_list") or check
        r.mark_broken(issuer, key, "issued", specific, cause)
    elif found.kind == causes.SIGNATURE:
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
    if check.cause is None or check.cause.kind != causes.SIGNATURE:
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
