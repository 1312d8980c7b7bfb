"""The envelope of a presentation submission: JWT VPs decoded, without verification.

``envelope_view`` is the reference's view (``vcr/pe/util.go vpAsInterface``): top-level JWT
VPs replaced by their ``vp`` claim with ``jti`` as the VP id (PROTOCOL.md §1.3);
``decode_jwt_claims`` is what the spec's reading decodes a ``jwt_vp`` value to (its claims
set). Signatures are checked elsewhere (PROTOCOL.md §3.5).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

DecodePresentation = Callable[[Any], Any]
"""``decode(value)``: a VP (JWT string or object) → its JSON (a mapping, or anything with ``.document``)."""


def envelope_view(envelope: Any, decode: DecodePresentation | None = None) -> Any:
    """The JSON the descriptor-map paths address: JWT VPs replaced by their JSON (PROTOCOL.md §1.3)."""
    decode = decode or decode_jwt_vp
    if isinstance(envelope, list):
        return [decoded_view(v, decode) if isinstance(v, str) else v for v in envelope]
    return decoded_view(envelope, decode) if isinstance(envelope, str) else envelope


def decode_jwt_claims(token: Any) -> dict[str, Any]:
    """The claims set of a compact JWT, decoded without verification (signatures are §3.5's job)."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise ValueError("not a compact JWT")
    payload = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"JWT payload is not base64url JSON: {exc}") from None
    if not isinstance(claims, dict):
        raise ValueError("JWT payload is not a JSON object")
    return claims


def decode_jwt_vp(token: Any) -> dict[str, Any]:
    """The ``vp`` claim of a JWT VP, decoded without verification (signatures are §3.5's job)."""
    claims = decode_jwt_claims(token)
    vp = claims.get("vp")
    if not isinstance(vp, dict):
        raise ValueError("JWT VP has no 'vp' claim object")
    # As the reference's envelope view: the `vp` claim, with `jti` as the VP id.
    return {**vp, "id": claims["jti"]} if "jti" in claims else vp


def decoded_view(value: Any, decode: DecodePresentation) -> Any:
    """The JSON of one decoded presentation (a decoder may return an object with ``.document``)."""
    result = decode(value)
    return getattr(result, "document", result)
