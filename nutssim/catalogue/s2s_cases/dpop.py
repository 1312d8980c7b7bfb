"""s2s cases of the token endpoint's DPoP proof, and of clock skew between the nodes.

PROTOCOL.md §4.2 item 20 and ATTACKS.md 3.6 #48/#50 (the proof's header, count and shape);
PROTOCOL.md §0 (5 s JWT skew, 5 s VP lifetime) and §4.2 #72 for the clocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from nutssim import jose
from nutssim.catalogue.attacker import attacker, own_proof, resign, unsigned_jwt
from nutssim.catalogue.base import GRANTED, Expect, Observation, observe_flow
from nutssim.catalogue.s2s_cases.common import (
    DPOP_INVALID,
    PRESENTATION,
    S2S,
    gp_key,
    jwx_vp_error,
    tamper_token_request,
)
from nutssim.messages import HttpRequest
from nutssim.scenarios import S2SWorld


# == §4.2 item 20, ATTACKS.md 3.6 #48, #50: the proof ====================================================
@S2S.case(
    id="s2s-dpop-wrong-typ",
    title="Token-endpoint DPoP proof with typ JWT",
    attack="the DPoP proof's typ is 'JWT' instead of 'dpop+jwt'",
    expected={"*": DPOP_INVALID},
    refs=("PROTOCOL.md §4.2 #20", "RFC 9449 §4.3 step 4", "ATTACKS.md 3.6 #50"),
)
def dpop_wrong_typ(world: S2SWorld) -> Observation:
    """§4.2 item 20: the proof re-signed by the GP's key with another typ."""
    header: dict[str, Any] = {"typ": "JWT"}

    def change(request: HttpRequest) -> HttpRequest:
        return request.with_headers(DPoP=resign(request.header("DPoP") or "", gp_key(world), header=header))

    return tamper_token_request(world, change)


def _unsigned(request: HttpRequest) -> HttpRequest:
    proof = jose.decode(request.header("DPoP") or "")
    return request.with_headers(DPoP=unsigned_jwt(proof.header, proof.payload))


S2S.declare(
    id="s2s-dpop-alg-none",
    title="Token-endpoint DPoP proof with alg none",
    attack="the DPoP proof is an unsecured JWT (alg none, no signature)",
    act=lambda world: tamper_token_request(world, _unsigned),
    expected={"*": DPOP_INVALID},
    refs=("PROTOCOL.md §4.2 #20", "RFC 9449 §4.3 step 5", "ATTACKS.md 3.6 #50"),
)


@S2S.case(
    id="s2s-dpop-unknown-crit",
    title="Token-endpoint DPoP proof with a critical extension the server does not understand",
    attack="the DPoP proof's crit lists an extension header (x-ext), re-signed by the GP's key",
    # crypto/dpop/dpop.go Parse ends in jwt.ParseString(s, jwt.WithKey(alg, jwk)), which jwx
    # v3.2.0 makes refuse any crit (PR #1793; jwx_text.crit_refusal): the token endpoint answers
    # "DPoP header is invalid", as strict does for RFC 7515 §4.1.11's MUST reject.
    # project-gf's jwx v2.1.6 stores crit and never reads it: granted there.
    expected={"nuts-node": DPOP_INVALID, "nuts-node-gf": Expect("granted"), "strict": DPOP_INVALID},
    refs=("RFC 7515 §4.1.11", "RFC 9449 §4.3 step 2", "ATTACKS.md 3.6 #50"),
)
def dpop_unknown_crit(world: S2SWorld) -> Observation:
    """A conformance negative test: an unknown critical header makes the JWS invalid."""
    header: dict[str, Any] = {"crit": ["x-ext"], "x-ext": True}

    def change(request: HttpRequest) -> HttpRequest:
        return request.with_headers(DPoP=resign(request.header("DPoP") or "", gp_key(world), header=header))

    return tamper_token_request(world, change)


@S2S.case(
    id="s2s-dpop-two-headers",
    title="Token request with two DPoP headers",
    attack="a second DPoP header (another key's proof) is added to the token request",
    # The reference reads only the first DPoP header (auth/api/iam/dpop.go:111 dpopFromRequest,
    # http.Header.Get): the client's own proof is first, so the token is issued bound to its key.
    expected={"nuts-node": Expect("granted"), "strict": DPOP_INVALID},
    refs=("ATTACKS.md 3.6 #48", "RFC 9449 §4.3 step 1", "PROTOCOL.md §1.5 #15", "auth/api/iam/dpop.go:111"),
)
def dpop_two_headers(world: S2SWorld) -> Observation:
    """ATTACKS.md 3.6 #48 at the token endpoint."""

    def change(request: HttpRequest) -> HttpRequest:
        extra = own_proof(world, attacker(world).key, htm="POST", htu=request.url)
        return replace(request, headers=(*request.headers, ("DPoP", extra)))

    return tamper_token_request(world, change)


# == clock skew between nodes (PROTOCOL.md §0: 5 s JWT skew, 5 s VP lifetime) ============================
def _skewed(offset: int) -> Callable[[S2SWorld], Observation]:
    def act(world: S2SWorld) -> Observation:
        world.requester_node.clock_offset = offset
        return observe_flow(world.run())

    return act


def _skew_case(
    offset: int, expected: dict[str, Expect], scenario: str = "s2s-bearer", note: str = ""
) -> None:
    """Declare the case of the GP node's clock ``offset`` seconds off the hospital's."""
    sign = "ahead" if offset > 0 else "behind"
    suffix = "-dpop" if scenario == "s2s" else ""
    S2S.declare(
        id=f"s2s-clock-{sign}-{abs(offset)}s{suffix}",
        title=f"Requester's clock {abs(offset)} s {sign}{note}",
        attack=f"the GP node's clock runs {abs(offset)} s {sign} of the hospital's",
        act=_skewed(offset),
        expected=expected,
        refs=(
            "PROTOCOL.md §0 (DefaultJWTClockSkew, s2sMaxClockSkew)",
            "RFC021 §4.2.7–8",
            "ATTACKS.md 3.1 #5",
        ),
        scenario=scenario,
    )


# jwx through crypto/jwx.go ParseJWT, whole (specs/jwx_text.py; v3.2.0 on master, v2.1.6 on
# project-gf): its validators run iat, exp, nbf in that order, so a VP whose iat = nbf lies beyond
# the skew reads as an iat failure.
ISSUED_IN_FUTURE = jwx_vp_error(PRESENTATION, lambda w: w.claim_failed(w.issued_in_future), "token.verify_vp")
EXPIRED = jwx_vp_error(PRESENTATION, lambda w: w.claim_failed(w.expired), "token.verify_vp")

_skew_case(5, GRANTED)  # at the limit: nbf 5 s ahead is within the skew
_skew_case(6, ISSUED_IN_FUTURE)  # beyond: iat before nbf
# The VP lives 5 s and the skew adds 5 s: valid while now is *before* exp + skew (RFC 7519 §4.1.4;
# jwx `!now.Before(exp.Add(skew))`), so a clock 9 s behind is accepted and 10 s is not.
_skew_case(-9, GRANTED)
_skew_case(-10, EXPIRED)  # at lifetime plus skew: expired
_skew_case(-11, EXPIRED)  # beyond it
# With DPoP the proof's iat trips first (PROTOCOL.md §4.2 #72).
_skew_case(6, {"*": DPOP_INVALID}, scenario="s2s", note=" (DPoP)")
# A proof dated 1…5 s ahead: jwx parses it with skew 0 in the reference (crypto/dpop/dpop.go:154
# Parse) and refuses; RFC 9449 §11.1 asks for a reasonable clock-skew allowance (strict: 5 s).
_skew_case(3, {"nuts-node": DPOP_INVALID, "strict": Expect("granted")}, scenario="s2s", note=" (DPoP)")
