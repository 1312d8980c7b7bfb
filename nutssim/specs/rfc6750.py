"""RFC 6750, bearer tokens: the Authorization header, error codes and ``WWW-Authenticate`` challenges.

RFC 9449 §7.1 reuses the challenge syntax for the ``DPoP`` scheme and adds ``algs``;
both schemes are built here (``challenge``), so a resource server only says which.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from nutssim.specs.rfc6749 import INVALID_REQUEST

# -- error codes (§3.1) ---------------------------------------------------------------------
INVALID_TOKEN: Final = "invalid_token"
INSUFFICIENT_SCOPE: Final = "insufficient_scope"
#: §3.1: the status each error code is answered with.
STATUS: Final = {INVALID_REQUEST: 400, INVALID_TOKEN: 401, INSUFFICIENT_SCOPE: 403}

BEARER: Final = "Bearer"
DPOP: Final = "DPoP"  # RFC 9449 §7.1


def authorization(header: str | None) -> tuple[str, str]:
    """§2.1: split an ``Authorization`` value into (lower-cased scheme, token)."""
    scheme, _, token = (header or "").partition(" ")
    return scheme.lower(), token.strip()


def challenge(
    scheme: str,
    error: str | None = None,
    description: str | None = None,
    *,
    algs: Iterable[str] | None = None,
) -> str:
    """§3: one ``WWW-Authenticate`` challenge; ``algs`` is RFC 9449 §7.1's parameter of the DPoP scheme."""
    params = []
    if algs is not None:
        params.append(f'algs="{" ".join(algs)}"')
    if error:
        params.append(f'error="{error}"')
    if description:
        params.append(f'error_description="{description}"')
    return f"{scheme} {', '.join(params)}".strip()


def error_body(error: str | None, description: str = "") -> dict[str, Any]:
    """The JSON body of a refusal: §3's error and description (``invalid_request`` when none, §3.1)."""
    if not error:
        return {"error": INVALID_REQUEST}
    out: dict[str, Any] = {"error": error}
    if description:
        out["error_description"] = description
    return out
