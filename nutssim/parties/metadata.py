"""What a node serves about a subject's authorization server (RFC 8414, PROTOCOL.md §1.1).

Read by the AS (its metadata endpoint), the verifier (the wallet metadata it offers) and
the user client (the entity statement of §2.5), so it lives beside them, not in one.
"""

from __future__ import annotations

from typing import Any

from nutssim.jose import SUPPORTED_ALGS
from nutssim.parties.core import Subject
from nutssim.specs import nuts_rfc021, openid4vp, rfc8414
from nutssim.specs.rfc6749 import AUTHORIZATION_CODE


def metadata(subject: Subject) -> dict[str, Any]:
    """RFC 8414 metadata of a subject's AS, fields as the reference serves them (PROTOCOL.md §1.1)."""
    node = subject.node
    return rfc8414.document(
        subject.url,
        authorization_endpoint=node.authorization_endpoint_enabled,
        grant_types=[AUTHORIZATION_CODE, nuts_rfc021.GRANT_TYPE],
        algs=SUPPORTED_ALGS,
        vp_formats=openid4vp.vp_formats_supported(node.vp_formats),
    )
