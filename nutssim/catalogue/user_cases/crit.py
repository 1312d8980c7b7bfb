"""User-flow case of a critical JWS extension in the organization wallet's VP (RFC 7515 §4.1.11, issue #18).

The verifier's VerifyVP is the AS's (``presentation_checks.PresentationVerifier``): the reference
refuses a VP whose ``crit`` lists an extension in jwx v3.2.0's words (``jwx_text.crit_refusal``),
strict in its own. The s2s twins are ``s2s_cases/crit.py``. Beside it, a VP whose signature is
padded: the reference's jwx reads it, RFC 7515 §2 does not (``s2s_cases/encoding.py``).
"""

from __future__ import annotations

from nutssim.catalogue.attacker import resign
from nutssim.catalogue.base import GRANTED, Expect, Observation
from nutssim.catalogue.s2s_cases.common import VERIFY_FAILED
from nutssim.catalogue.s2s_cases.crit import CRIT_HEADER, JWX_NOT_DECLARED, NOT_UNDERSTOOD
from nutssim.catalogue.s2s_cases.encoding import padded, read_by_the_reference
from nutssim.catalogue.user_attacker import client_key
from nutssim.catalogue.user_cases.common import DIRECT_POST, USER, edit_post, observe_at
from nutssim.scenarios import UserWorld

STAGE = USER.at(DIRECT_POST)
INVALID_VP_TOKEN = Expect("denied", "invalid_request", "invalid vp_token", "response.vp_token")


@STAGE.case(
    id="user-vp-unknown-crit",
    title="OpenID4VP VP with a critical header extension the verifier does not understand",
    attack="the organization wallet's VP lists an extension header (x-ext) in crit, re-signed by its key",
    control="vp_signature",
    expected={
        "nuts-node-gf": Expect("granted"),  # project-gf's jwx v2.1.6 never reads crit
        "nuts-node": Expect(
            "denied", "invalid_request", f"{VERIFY_FAILED}{JWX_NOT_DECLARED}", "token.verify_vp"
        ),
        "strict": Expect("denied", "invalid_request", f"{VERIFY_FAILED}{NOT_UNDERSTOOD}", "token.verify_vp"),
    },
    vulnerable=GRANTED,
    refs=("RFC 7515 §4.1.11", "OpenID4VP §6.5", "PROTOCOL.md §3.5", "ATTACKS.md 3.5 #41"),
)
def user_vp_unknown_crit(world: UserWorld) -> Observation:
    """The first direct_post's VP with ``crit: ["x-ext"]``, signed again by the organization's key."""
    key = client_key(world)
    flow = edit_post(
        world,
        lambda p: p.request.with_form(vp_token=resign(p.request.form["vp_token"], key, header=CRIT_HEADER)),
    )
    return observe_at(world, DIRECT_POST, flow=flow)


@STAGE.case(
    id="user-vp-padded-signature",
    title="OpenID4VP VP whose signature segment carries base64 padding",
    attack="the organization wallet's VP has '=' padding after its signature (a non-conformant encoder)",
    # The verifier parses the vp_token as the AS parses an assertion (profiles.Reference.jwx_base64):
    # jwx's auto-detecting decoder takes the padding; RFC 7515 §2 does not (s2s_cases/encoding.py).
    expected=read_by_the_reference(INVALID_VP_TOKEN),
    refs=("RFC 7515 §2", "OpenID4VP §6.5", "ATTACKS.md 3.5 #41"),
)
def user_vp_padded_signature(world: UserWorld) -> Observation:
    """The first direct_post's VP with ``==`` after its signature: same bytes, another text."""
    flow = edit_post(world, lambda p: p.request.with_form(vp_token=padded(p.request.form["vp_token"])))
    return observe_at(world, DIRECT_POST, flow=flow)
