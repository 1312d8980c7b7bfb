"""RFC 8414, authorization server metadata: the well-known locations, the document, its member types.

The document a Nuts AS serves (PROTOCOL.md §1.1) mixes RFC 8414 §2 members with those of
OpenID4VP (``vp_formats``…), DPoP (RFC 9449 §5.1) and JAR (RFC 9101 §10.5); ``document``
builds it in the reference's member order from what the node supports.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final
from urllib.parse import urlsplit

from nutssim.specs import did

#: §3: the well-known suffix.
WELL_KNOWN: Final = "/.well-known/oauth-authorization-server"

#: §2 members a client reads, with the JSON type each must have.
MEMBER_TYPES: Final[dict[str, type]] = {
    "issuer": str,
    "authorization_endpoint": str,
    "token_endpoint": str,
    "presentation_definition_endpoint": str,
    "did_methods_supported": list,
    "client_id_schemes_supported": list,
    "vp_formats_supported": dict,
    "vp_formats": dict,
}


def locations(issuer: str) -> list[str]:
    """§3.1: the "insert" placement (path after the well-known suffix), then the "append" one."""
    parts = urlsplit(issuer)
    return [
        f"{parts.scheme}://{parts.netloc}{WELL_KNOWN}{parts.path}",
        f"{issuer.rstrip('/')}{WELL_KNOWN}",
    ]


def issuer_matches(document: dict[str, Any], issuer: str) -> bool:
    """§3.3: the ``issuer`` of the document is the one the client asked for, compared exactly."""
    return document.get("issuer") == issuer


def type_errors(document: dict[str, Any]) -> list[str]:
    """The members of a metadata document whose JSON type is wrong (null counts as absent)."""
    return [
        name
        for name, kind in MEMBER_TYPES.items()
        if document.get(name) is not None and not isinstance(document[name], kind)
    ]


def document(
    issuer: str,
    *,
    authorization_endpoint: bool,
    grant_types: Iterable[str],
    algs: Iterable[str],
    vp_formats: dict[str, Any],
) -> dict[str, Any]:
    """The metadata of a Nuts AS at ``issuer``, members in the reference's order (PROTOCOL.md §1.1)."""
    algs = list(algs)
    out: dict[str, Any] = {"issuer": issuer}
    if authorization_endpoint:
        out["authorization_endpoint"] = f"{issuer}/authorize"
    out.update(
        {
            "token_endpoint": f"{issuer}/token",
            "presentation_definition_endpoint": f"{issuer}/presentation_definition",
            "grant_types_supported": list(grant_types),
            "response_types_supported": ["code", "vp_token"],
            "response_modes_supported": ["query", "direct_post"],
            "client_id_schemes_supported": ["entity_id"],
            # the reference's list, less the methods nutssim cannot resolve (FIDELITY.md "DID methods")
            "did_methods_supported": [m for m in ("jwk", "key", "x509", "web") if m in did.METHODS],
            "dpop_signing_alg_values_supported": algs,
            "request_object_signing_alg_values_supported": algs,
            "require_signed_request_object": True,
            "pre-authorized_grant_anonymous_access_supported": True,
            "presentation_definition_uri_supported": True,
        }
    )
    out["vp_formats"] = vp_formats
    out["vp_formats_supported"] = vp_formats
    return out
