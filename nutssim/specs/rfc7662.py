"""RFC 7662, token introspection: the request, the response and the members it reserves.

The reference adds the PD field ids of the fulfilled definitions as top-level members
of the response (PROTOCOL.md §1.7, §3.10); a field id that names a member of §2.2 would
overwrite it, so such a definition breaks introspection: ``RESERVED_CLAIMS`` is the one
list both the AS and the PD checks read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from nutssim.messages import FORM

#: §2.1: the request is form-encoded; the reference's refusal text for any other type.
CONTENT_TYPE: Final = FORM
CONTENT_TYPE_TEXT: Final = "Content-Type MUST be set to application/x-www-form-urlencoded"
#: §2.2 members the reference sets itself, which a PD field id must not name (PROTOCOL.md §3.10).
RESERVED_CLAIMS: Final = frozenset({"iss", "sub", "exp", "iat", "active", "client_id", "scope"})
#: Every member that describes the token rather than the requester (``cnf``: RFC 7800 §3, RFC 9449 §6.2).
TOKEN_MEMBERS: Final = RESERVED_CLAIMS | {"cnf"}
#: §2.2: the whole answer for an unknown, expired or revoked token.
INACTIVE: Final = {"active": False}


def reserved_clashes(claims: Iterable[str]) -> list[str]:
    """The claim names that collide with reserved members, sorted."""
    return sorted(set(claims) & RESERVED_CLAIMS)


def requester_claims(info: dict[str, Any]) -> dict[str, Any]:
    """The members of an introspection response that are not about the token itself."""
    return {k: v for k, v in info.items() if k not in TOKEN_MEMBERS}


def active_body(
    *, issuer: str, client_id: str, scope: str, issued_at: int, expiration: int, jkt: str | None
) -> dict[str, Any]:
    """§2.2 members of an active token, in the reference's order; ``cnf.jkt`` for a DPoP-bound one."""
    body: dict[str, Any] = {
        "active": True,
        "iss": issuer,
        "client_id": client_id,
        "scope": scope,
        "iat": issued_at,
        "exp": expiration,
    }
    if jkt:
        body["cnf"] = {"jkt": jkt}  # RFC 9449 §6.2
    return body
