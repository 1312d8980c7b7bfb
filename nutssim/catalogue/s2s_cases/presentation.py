"""s2s cases of the VP itself: its times, replay values, signature and signing key.

PROTOCOL.md §4.2 items 6–7 (lifetime), 18 (nonce), 21–23 (signature, delay, key); ATTACKS.md
3.1 #2/#5/#6/#7 (iss/sub, iat, jti) and 3.2 #18 (an unsigned VP). Cases that need a VP the
honest client would not build re-sign the token request's VP with the GP's key (a faulty or
patched client) or post their own (``attacker.post_token``).
"""

from __future__ import annotations

import json

from nutssim import jose
from nutssim.catalogue.attacker import (
    attacker,
    build_vp,
    captured_request,
    post_token,
    stolen_credentials,
    tamper_jwt,
    token_form,
    unsigned_jwt,
)
from nutssim.catalogue.base import GRANTED, Expect, Observation, observe_flow
from nutssim.catalogue.s2s_cases.common import (
    PRESENTATION,
    S2S,
    TOKEN,
    VERIFY_FAILED,
    hold_before,
    jwx_vp_error,
    resign_vp,
    resigning,
    tamper_token_request,
    vp_error,
)
from nutssim.scenarios import S2SWorld

#: jwx v3.2.0's wrapper of a time-claim failure under crypto/jwx.go ParseJWT (specs/jwx_text.py).
# == §4.2 items 6–7, ATTACKS.md 3.1 #5–6: the VP's times =================================================
S2S.declare(
    id="s2s-vp-without-exp",
    title="VP without exp",
    attack="the client signs a VP without an expiry (replayable forever)",
    act=resigning(exp=None),
    expected=vp_error(PRESENTATION, "presentation is missing creation or expiration date", "token.vp_dates"),
    refs=("PROTOCOL.md §4.2 #6", "RFC021 §4.2.8", "ATTACKS.md 3.1 #5"),
)


@S2S.case(
    id="s2s-vp-long-lived",
    title="VP valid for 60 s",
    attack="the client signs a VP with exp = nbf + 60 s: a long replay window",
    control="vp_max_lifetime",
    expected=vp_error(PRESENTATION, "presentation is valid for too long (max 5s)", "token.vp_lifetime"),
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #7", "RFC021 §4.2.9", "ATTACKS.md 3.1 #6"),
)
def vp_long_lived(world: S2SWorld) -> Observation:
    """§4.2 item 7."""
    return tamper_token_request(world, resign_vp(world, exp=world.sim.clock.now() + 60))


@S2S.case(
    id="s2s-vp-old-iat",
    title="VP whose iat is 60 s before its nbf",
    attack="the VP says it was issued 60 s ago but is 'not before' now: exp − iat = 65 s",
    control="vp_max_lifetime",
    expected={
        # PROTOCOL.md §1.5 #6: the reference measures from nbf and ignores iat.
        "nuts-node": Expect("granted"),
        # RFC021 §4.2.7–9: iat is the creation time, and exp − iat must be ≤ 5 s.
        "strict": Expect(
            "denied", PRESENTATION, "presentation is valid for too long (max 5s)", "token.vp_lifetime"
        ),
    },
    vulnerable=GRANTED,
    refs=("ATTACKS.md 3.1 #6", "RFC021 §4.2.7–9", "PROTOCOL.md §1.5 #6–7"),
)
def vp_old_iat(world: S2SWorld) -> Observation:
    """ATTACKS.md 3.1 #6: exp − iat > 5 s while exp − nbf = 5 s."""
    return tamper_token_request(world, resign_vp(world, iat=world.sim.clock.now() - 60))


@S2S.case(
    id="s2s-vp-iat-future",
    title="VP issued 60 s in the future",
    attack="the VP's iat lies beyond the 5 s clock skew",
    expected=jwx_vp_error(PRESENTATION, lambda w: w.claim_failed(w.issued_in_future), "token.verify_vp"),
    refs=("ATTACKS.md 3.1 #5", "RFC021 §4.2.7", "PROTOCOL.md §3.5 step 2"),
)
def vp_iat_in_future(world: S2SWorld) -> Observation:
    """ATTACKS.md 3.1 #5."""
    return tamper_token_request(world, resign_vp(world, iat=world.sim.clock.now() + 60))


S2S.declare(
    id="s2s-vp-delayed",
    title="Token request delivered 11 s late (VP expired)",
    attack="the token request is held 11 s on the wire: past exp (5 s) plus the 5 s skew",
    act=lambda world: hold_before(world, TOKEN, 11),
    expected=jwx_vp_error(PRESENTATION, lambda w: w.claim_failed(w.expired), "token.verify_vp"),
    refs=("PROTOCOL.md §4.2 #22", "RFC021 §4.2.8", "ATTACKS.md 3.1 #5"),
)


# == ATTACKS.md 3.1 #2, §4.2 item 18: who the VP names, and its replay values ===========================
@S2S.case(
    id="s2s-vp-iss-not-sub",
    title="JWT VP whose sub differs from iss",
    attack="the VP's sub names another DID than its iss (the signer)",
    expected={
        "nuts-node": Expect("granted"),  # PROTOCOL.md §1.5, §7: sub is ignored
        "strict": Expect("denied", PRESENTATION, "presentation iss must equal sub", "token.iss_sub"),
    },
    refs=("ATTACKS.md 3.1 #2", "RFC021 §4.2.3", "PROTOCOL.md §7"),
)
def vp_iss_not_sub(world: S2SWorld) -> Observation:
    """ATTACKS.md 3.1 #2."""
    return tamper_token_request(world, resign_vp(world, sub=attacker(world).did))


NONCE_MISSING = Expect(
    "denied", "invalid_request", "presentation has invalid/missing nonce", "token.nonce_present"
)
S2S.declare(
    id="s2s-vp-without-nonce",
    title="VP without nonce (jti kept)",
    attack="the client signs a VP without the nonce claim",
    act=resigning(nonce=None),
    # RFC021 §4.2.10, §4.4: the unique value is jti, which is still there.
    expected={"nuts-node": NONCE_MISSING, "strict": Expect("granted")},
    refs=("PROTOCOL.md §4.2 #18", "RFC021 §4.2.10", "ATTACKS.md 3.1 #7"),
)
S2S.declare(
    id="s2s-vp-without-jti",
    title="VP without nonce and jti",
    attack="the VP has no replay value at all",
    act=resigning(nonce=None, jti=None),
    expected={
        "nuts-node": NONCE_MISSING,
        "strict": Expect("denied", PRESENTATION, "presentation has no jti", "token.jti"),
    },
    refs=("ATTACKS.md 3.1 #7", "RFC021 §4.2.10", "PROTOCOL.md §4.2 #18"),
)


# == §4.2 items 21, 23, ATTACKS.md 3.2 #18: the signature and the key ====================================
@S2S.case(
    id="s2s-vp-tampered",
    title="Captured VP replayed with a fresh nonce and jti, signature not redone",
    attack="an eavesdropper edits the captured VP's nonce and jti to dodge the nonce store",
    control="vp_signature",
    expected=vp_error(PRESENTATION, f"{VERIFY_FAILED}unable to validate JWT signature: ", "token.verify_vp"),
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #21", "ATTACKS.md 3.1 #1", "ATTACKS.md 3.2 #18", "RFC021 §4.2.4"),
)
def vp_tampered(world: S2SWorld) -> Observation:
    """§4.2 item 21, ATTACKS.md 3.2 #18 (unchecked signature)."""
    world.run()
    captured = captured_request(world)
    holder = jose.decode(captured.form["assertion"]).payload["iss"]
    # Give the captured VP a fresh nonce and jti (the replay values) without re-signing it,
    # and bind the token to the attacker's own DPoP key.
    fresh = {"nonce": world.sim.rng.token(), "jti": f"{holder}#{world.sim.rng.uuid()}"}
    form = {**captured.form, "assertion": tamper_jwt(captured.form["assertion"], claims=fresh)}
    return post_token(world, form, dpop_key=attacker(world).key)


@S2S.case(
    id="s2s-vp-alg-none",
    title="Unsigned (alg none) VP in the GP's name with its stolen credentials",
    attack="the attacker wraps the GP's captured credentials in an alg-none VP naming the GP's key",
    control="vp_signature",
    expected=vp_error(
        PRESENTATION,
        f"{VERIFY_FAILED}unable to validate JWT signature: unsecured JWS (alg none) is not accepted",
        "token.verify_vp",
    ),
    vulnerable=GRANTED,
    refs=("ATTACKS.md 3.2 #18", "RFC021 §4.2.4", "RFC 7515 §4.1.1"),
)
def vp_alg_none(world: S2SWorld) -> Observation:
    """ATTACKS.md 3.2 #18: an unsecured VP in the victim's name."""
    world.run()
    captured = captured_request(world)
    vp = jose.decode(captured.form["assertion"])
    rng, now = world.sim.rng, world.sim.clock.now()
    claims = {
        **vp.payload,
        "jti": f"{vp.payload['iss']}#{rng.uuid()}",
        "nonce": rng.token(),
        "nbf": now,
        "iat": now,
        "exp": now + 5,
    }
    form = {**captured.form, "assertion": unsigned_jwt(vp.header, claims)}
    return post_token(world, form, dpop_key=attacker(world).key)


#: signature_verifier.go jwtSignature: the key lookup's error, wrapped twice; a DID without the key
#: is ResolveKeyByID's ErrKeyNotFound, a did:web document gone is vdr/didweb/web.go Resolve's words.
SIGNING_KEY = f"{VERIFY_FAILED}unable to validate JWT signature: unable to resolve signing key: "
UNRESOLVABLE = vp_error(PRESENTATION, f"{SIGNING_KEY}key not found in DID document", "token.verify_vp")
HOLDER_GONE = vp_error(
    PRESENTATION, f"{SIGNING_KEY}did:web non-ok HTTP status: 404 Not Found", "token.verify_vp"
)


@S2S.case(
    id="s2s-vp-foreign-key",
    title="VP in the GP's name signed with a key not in its DID document",
    attack="the attacker signs a VP as the GP with its own key under a made-up GP key id",
    control="vp_signature",
    expected=UNRESOLVABLE,
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #23", "ATTACKS.md 3.1 #1", "RFC021 §4.2.4"),
)
def vp_foreign_key(world: S2SWorld) -> Observation:
    """§4.2 item 23."""
    world.run()
    gp, evil = world.requester, attacker(world)
    stolen = stolen_credentials(world)
    # The attacker signs in the GP's name, pointing kid at a key id the GP's DID document does not list.
    forged_key = evil.key.with_kid(f"{gp.did}#{world.sim.rng.uuid()}")
    vp = build_vp(world, key=forged_key, holder=gp.did, credentials=stolen)
    submission = json.loads(captured_request(world).form["presentation_submission"])
    return post_token(world, token_form(world, vp, submission), dpop_key=evil.key)


@S2S.case(
    id="s2s-holder-did-deactivated",
    title="Holder DID no longer resolvable",
    attack="the GP's did:web document is gone (404) when the AS resolves the VP's key",
    expected=HOLDER_GONE,
    refs=("PROTOCOL.md §4.2 #23", "PROTOCOL.md §3.1"),
)
def holder_did_deactivated(world: S2SWorld) -> Observation:
    """§4.2 item 23 (DID unresolvable)."""
    world.requester.identities[0].deactivated = True
    return observe_flow(world.run())
