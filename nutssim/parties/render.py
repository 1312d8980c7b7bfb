"""Wire errors rendered from causes, one renderer per profile (ARCHITECTURE principles 7 and 11).

A party that refuses says *what* failed (an RFC021 §4.5 error kind, a ``Cause``); the
active profile's renderer says how that reads on the wire. ``nuts-node`` reproduces
the reference: every RFC021 failure is ``invalid_request`` and an error redirect
carries no ``state`` (PROTOCOL.md §7). ``strict`` follows the specifications: RFC021
§4.5's codes and RFC 6749 §4.1.2.1's ``state``. The descriptions are the reference's
under both, so a trace compares across profiles on the code alone.
"""

from __future__ import annotations

from typing import Any

from nutssim.causes import Cause
from nutssim.errors import OAuthError
from nutssim.profiles import Profile
from nutssim.specs import nuts_rfc021, vc_verify
from nutssim.specs.rfc6749 import INVALID_REQUEST
from nutssim.specs.rules import Rule

#: The reference's prefix of a VerifyVP failure at the token and response endpoints (PROTOCOL.md §3.5).
VERIFICATION_FAILED = "presentation(s) or credential(s) verification failed"


class NutsNodeRenderer:
    """The reference's wire errors (``nuts-node``)."""

    name = "nuts-node"

    def rfc021_code(self, kind: str) -> str:
        """The ``error`` of an RFC021 §4.5 failure of ``kind``: the reference answers invalid_request."""
        return INVALID_REQUEST

    def rfc021(self, kind: str, description: str, cause: Cause | None = None) -> OAuthError:
        """An RFC021 §4.5 failure (``nuts_rfc021.INVALID_*`` kind) as the wire error."""
        return OAuthError(self.rfc021_code(kind), description, cause=cause)

    def rule_error(
        self, rule: Rule, *, redirect_uri: str | None = None, state: str | None = None, **values: Any
    ) -> OAuthError:
        """The wire error of a failed ``rule``; an RFC021 §4.5 kind is rendered as this profile's code."""
        code = self.rfc021_code(rule.error) if rule.error in nuts_rfc021.KINDS else rule.error
        return rule.fail(code=code, redirect_uri=redirect_uri, state=state, **values)

    def verification_failed(self, cause: Cause) -> OAuthError:
        """VerifyVP refused: a credential's cause is ``invalid_verifiable_credentials``, else the VP's."""
        kind = (
            nuts_rfc021.INVALID_CREDENTIALS
            if cause.about == "credential"
            else nuts_rfc021.INVALID_PRESENTATION
        )
        return self.rfc021(kind, f"{VERIFICATION_FAILED}: {vc_verify.describe(cause)}", cause)

    def error_state(self, state: str | None) -> str | None:
        """The ``state`` an error redirect carries: none in the reference."""
        return None


class StrictRenderer(NutsNodeRenderer):
    """The specifications' wire errors (``strict``)."""

    name = "strict"

    def rfc021_code(self, kind: str) -> str:
        """RFC021 §4.5: the kind is the code."""
        return kind

    def error_state(self, state: str | None) -> str | None:
        """RFC 6749 §4.1.2.1: an error redirect carries the client's ``state``."""
        return state or None


Renderer = NutsNodeRenderer
_RENDERERS: dict[str, Renderer] = {"nuts-node": NutsNodeRenderer(), "strict": StrictRenderer()}


def renderer_for(profile: Profile) -> Renderer:
    """The renderer of a profile; every version of the reference (``nuts-node-gf``) renders as nuts-node."""
    return _RENDERERS[profile.family]
