"""Labels: one or two short lines per node, from what the trace says about it."""

from __future__ import annotations

from typing import Any

from nutssim.trust.reader import Reader, host_of, short_did, slug_title


def labels(r: Reader) -> None:
    """Give every issuer, holder, verifier and credential its reader-facing label."""
    for key, data in r.g.nodes(data=True):
        kind = data["kind"]
        if kind == "issuer" and data.get("x509"):
            # nutssim.trust.x509: a did:x509 issuer is the organization its certificate names.
            ca = str(data["did"]).split("::")[0].rsplit(":", 1)[-1][:6]
            data["label"] = f"{data['x509']}\ndid:x509 · CA sha256:{ca}…"
        elif kind == "issuer":
            data["label"] = (
                f"{data['name']}\n{host_of(data['host'])}"
                if data.get("name")
                else f"issuer\n{short_did(data['did'])}"
            )
        elif kind == "holder":
            data["label"] = _holder_label(r, key, data)
        elif kind == "verifier":
            url = data["url"]
            data["label"] = f"{slug_title(url.rstrip('/').rsplit('/', 1)[-1])}\n{host_of(url)}"
        elif kind == "credential":
            data["label"] = _credential_label(data)


def _holder_label(r: Reader, key: str, data: dict[str, Any]) -> str:
    """The organization name a holder's credentials give, else its subject or party, and its host."""
    did = data["did"]
    names = [
        r.credentials[c].subjects[0].get("organization", {}).get("name")
        for c, _, d in r.g.in_edges(key, data=True)
        if d["relation"] == "holds"
        and c in r.credentials
        and r.credentials[c].subjects
        and isinstance(r.credentials[c].subjects[0].get("organization"), dict)
    ]
    held = [
        r.credentials[c].subjects[0]
        for c, _, d in r.g.in_edges(key, data=True)
        if d["relation"] == "holds" and c in r.credentials and r.credentials[c].subjects
    ]
    # A service provider's credential names the provider itself (the two-VP grant's VP2 signer).
    names += [s.get("name") for s in held]
    name = next((n for n in names if isinstance(n, str) and n), None)
    url = r.subject_urls.get(did)
    if name is None and url:
        name = slug_title(url.rsplit("/", 1)[-1])
    if did.startswith("did:jwk:"):
        return f"{name or 'user wallet'}\n{short_did(did)}"
    owner = r.owner.get(did)
    if owner is None:
        return f"{name or short_did(did)}\nunknown DID"
    return f"{name or owner.name}\n{host_of(owner.host)}"


def _credential_label(data: dict[str, Any]) -> str:
    """``Organization credential`` over ``jwt_vc · status #0`` (or self-issued, self-attested)."""
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
