"""s2s cases of a critical JWS extension in the VP or a credential (RFC 7515 §4.1.11, issue #18 item 4).

A JWS whose ``crit`` header lists an extension the recipient does not understand MUST be
rejected; nutssim understands none in a VC or VP. The reference parses the VP and VCs with
jwx v3.2.0's ``jwt.ParseString`` and one ``WithKey`` (``crypto/jwx.go ParseJWT``), whose fast
path refuses ``crit`` and retries with crit validation and no declared extension (jwx PR #1793,
``jwx_text.crit_refusal``): it denies, after resolving the signing key, in jwx's words.
``nuts-node-gf`` grants: the project-gf branch's go.mod has jwx v2.1.6, which stores ``crit``
and never reads it (``jwx_text.V2_1_6``). ``strict`` refuses too, before
any lookup (``presentation.check_critical_headers``). Both tokens are re-signed by the key
their ``kid`` names (a faulty or patched wallet, or issuer), so only the header differs.
With ``vp_signature`` off nothing about the JWS is checked: granted. ATTACKS.md 3.1 #1 (the
VP signature) and 3.6 #50 (the same rule on the DPoP proof).
"""

from __future__ import annotations

from typing import Any

from nutssim.catalogue.attacker import resign
from nutssim.catalogue.base import GRANTED, Expect, Observation
from nutssim.catalogue.s2s_cases.common import (
    CREDENTIALS,
    INVALID_VC,
    PRESENTATION,
    S2S,
    VERIFY_FAILED,
    gp_key,
    observe_vc_flow,
    org_credential,
    replace_org_credential,
    tamper_token_request,
)
from nutssim.messages import HttpRequest
from nutssim.scenarios import S2SWorld
from nutssim.specs import jwx_text, vc_jwt

#: The critical extension both cases add: a header name no JWS or VC specification defines.
CRIT_HEADER: dict[str, Any] = {"crit": ["x-ext"], "x-ext": True}
NOT_UNDERSTOOD = (
    "unable to validate JWT signature: critical header 'x-ext' is not understood (RFC 7515 §4.1.11)"
)
#: jwx v3.2.0's refusal (``jws/verify.go validateCritical`` behind ``jwt/jwt.go verifyJWS``).
JWX_NOT_DECLARED = (
    f"unable to validate JWT signature: {jwx_text.CRIT_REFUSED}"
    '"crit" header references extension "x-ext", but the recipient has not declared support for it '
    '(use jws.WithCritExtension("x-ext"))'
)


@S2S.case(
    id="s2s-vp-unknown-crit",
    title="JWT VP with a critical header extension the authorization server does not understand",
    attack="the VP's crit lists an extension header (x-ext); the VP is re-signed by the GP's key",
    control="vp_signature",
    expected={
        "nuts-node-gf": Expect("granted"),  # project-gf's jwx v2.1.6 never reads crit
        "nuts-node": Expect(
            "denied", "invalid_request", f"{VERIFY_FAILED}{JWX_NOT_DECLARED}", "token.verify_vp"
        ),
        "strict": Expect("denied", PRESENTATION, f"{VERIFY_FAILED}{NOT_UNDERSTOOD}", "token.verify_vp"),
    },
    vulnerable=GRANTED,
    refs=("RFC 7515 §4.1.11", "RFC021 §4.2.4", "PROTOCOL.md §3.5", "ATTACKS.md 3.1 #1"),
)
def vp_unknown_crit(world: S2SWorld) -> Observation:
    """The token request's VP with ``crit: ["x-ext"]``, signed again by the GP."""

    def change(request: HttpRequest) -> HttpRequest:
        vp = resign(request.form["assertion"], gp_key(world), header=CRIT_HEADER)
        return request.with_form(assertion=vp)

    return tamper_token_request(world, change)


@S2S.case(
    id="s2s-vc-unknown-crit",
    title="JWT VC with a critical header extension the authorization server does not understand",
    attack="the register signs the GP's organization credential with crit listing an extension (x-ext)",
    control="vp_signature",
    expected={
        "nuts-node-gf": Expect("granted"),  # project-gf's jwx v2.1.6 never reads crit
        "nuts-node": Expect(
            "denied", "invalid_request", f"{INVALID_VC}{VERIFY_FAILED}{JWX_NOT_DECLARED}", "token.verify_vp"
        ),
        "strict": Expect(
            "denied", CREDENTIALS, f"{INVALID_VC}{VERIFY_FAILED}{NOT_UNDERSTOOD}", "token.verify_vp"
        ),
    },
    vulnerable=GRANTED,
    refs=("RFC 7515 §4.1.11", "VC-DM 1.1 §6.3.1", "PROTOCOL.md §3.5", "ATTACKS.md 3.1 #11"),
)
def vc_unknown_crit(world: S2SWorld) -> Observation:
    """The GP's organization credential re-signed by the register with ``crit: ["x-ext"]``."""
    token = org_credential(world).raw
    assert isinstance(token, str), "the s2s world's organization credential is a JWT VC"
    resigned = resign(token, world.register.identity.key, header=CRIT_HEADER)
    replace_org_credential(world, vc_jwt.credential_from_jwt(resigned))
    return observe_vc_flow(world)
