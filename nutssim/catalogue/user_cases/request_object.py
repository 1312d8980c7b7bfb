"""User cases of the request object's signature, times and signer (§4.2 #40, #42; ATTACKS.md 3.4 #30)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from nutssim import jose
from nutssim.catalogue.attacker import attacker
from nutssim.catalogue.base import GRANTED, Case, Expect, Observation, register
from nutssim.catalogue.user_attacker import (
    CodeTheft,
    ResignResponse,
    RewriteJwt,
    SwapKeyAfterJar,
    apply_claims,
    catch_codes,
    caught_code,
    client_key,
    redeem_code,
    request_object_of,
)
from nutssim.catalogue.user_cases.common import (
    JAR,
    REQUEST_OBJECT,
    USER,
    at_as,
    denied,
    gp_host,
    mutate,
    user_case,
)
from nutssim.rng import SimRandom
from nutssim.scenarios import UserWorld
from nutssim.simulation import FlowRun

STAGE = USER.at(REQUEST_OBJECT)


# == §4.2 #40, #42, ATTACKS.md 3.4 #30: the request object's signature and times (steps 8–9) =============
def _divert(theft: CodeTheft) -> dict[str, Any]:
    """JAR_1 claims that send the code to the attacker's page, bound to the attacker's PKCE challenge."""
    return {"redirect_uri": theft.redirect_uri, "code_challenge": theft.challenge}


def _theft_outcome(world: UserWorld, flow: FlowRun, theft: CodeTheft) -> Observation:
    """The AS's error, or (when it took the forged request) the attacker redeeming the diverted code."""
    flow.finish()
    code = caught_code(world)
    if code is None:
        return at_as(world, flow)
    observed = redeem_code(world, code, verifier=theft.verifier, redirect_uri=theft.redirect_uri)
    return replace(observed, detail=f"the code reached {theft.redirect_uri}; {observed.detail}")


@STAGE.case(
    id="user-jar-tampered",
    title="Request object tampered on its way to the AS",
    attack="a man in the middle on the AS's fetch swaps redirect_uri and code_challenge, "
    "keeping B's signature",
    expected=denied("invalid_request_object", "request signature validation failed", "jar.signature"),
    refs=("PROTOCOL.md §4.2 #40", "ATTACKS.md 3.4 #30", JAR),
    control="jar_signature",
    vulnerable=GRANTED,
)
def jar_tampered(world: UserWorld) -> Observation:
    """§4.2 item 40 (tampered request object)."""
    theft = catch_codes(world)
    change = RewriteJwt(request_object_of(gp_host(world)), lambda c: c.update(_divert(theft)))
    return _theft_outcome(world, mutate(world, change), theft)


@STAGE.case(
    id="user-jar-alg-none",
    title="Request object with alg none",
    attack="a man in the middle serves an unsigned request object that diverts the code to the attacker",
    expected=denied("invalid_request_object", "request signature validation failed", "jar.signature"),
    refs=("ATTACKS.md 3.4 #30", "PROTOCOL.md §4.2 #40", JAR, "RFC 7519 §6"),
    control="jar_signature",
    vulnerable=GRANTED,
)
def jar_alg_none(world: UserWorld) -> Observation:
    """ATTACKS.md 3.4 #30: an unsigned (alg none) request object."""
    theft = catch_codes(world)
    change = RewriteJwt(request_object_of(gp_host(world)), lambda c: c.update(_divert(theft)), unsigned=True)
    return _theft_outcome(world, mutate(world, change), theft)


_JAR_REFUSED = denied("invalid_request_object", "request signature validation failed", "jar.signature")


def _jar_claims_case(
    id: str,
    title: str,
    attack: str,
    change: Callable[[int, dict[str, Any]], None],
    expected: dict[str, Expect] | None = None,
) -> Callable[[], Case]:
    def factory() -> Case:
        """§4.2 item 40: expired, too long-lived, or missing iss/iat/exp (re-signed by B's key)."""

        def act(world: UserWorld) -> Observation:
            now = world.sim.clock.now()
            resigned = ResignResponse(
                request_object_of(gp_host(world)), client_key(world), lambda h, c: change(now, c)
            )
            return at_as(world, mutate(world, resigned))

        return user_case(
            id,
            title,
            REQUEST_OBJECT,
            attack,
            act,
            expected or _JAR_REFUSED,
            ("PROTOCOL.md §4.2 #40", JAR, "RFC 7519 §4.1.4"),
            control="jar_signature",
            # The validity rules sit inside the signature validation: switched off with it.
            vulnerable=GRANTED,
        )

    return factory


register(
    _jar_claims_case(
        "user-jar-expired",
        "Expired request object",
        "a request object that expired 100 s ago is served (a replayed old object)",
        lambda now, c: c.update(iat=now - 400, exp=now - 100),
    )
)
register(
    _jar_claims_case(
        "user-jar-too-long",
        "Request object valid for more than 5 minutes",
        "the client signs a request object with exp − iat = 301 s",
        lambda now, c: c.update(exp=c["iat"] + 301),
        # The reference checks jwt.WithMaxDelta(300 s) with its 5 s skew (crypto/jwx.go:215,222
        # ParseJWT): 301 s passes there; strict holds the 5-minute bound exactly.
        {"nuts-node": Expect("granted"), "strict": _JAR_REFUSED["*"]},
    )
)
register(
    _jar_claims_case(
        "user-jar-missing-iss",
        "Request object without iss",
        "the client signs a request object without iss",
        lambda now, c: apply_claims(c, {"iss": None}),
    )
)
register(
    _jar_claims_case(
        "user-jar-missing-iat",
        "Request object without iat",
        "the client signs a request object without iat",
        lambda now, c: apply_claims(c, {"iat": None}),
    )
)
register(
    _jar_claims_case(
        "user-jar-missing-exp",
        "Request object without exp",
        "the client signs a request object without exp (valid forever)",
        lambda now, c: apply_claims(c, {"exp": None}),
    )
)


def _strict_jar_case(
    id: str,
    title: str,
    attack: str,
    change: Callable[[UserWorld, dict[str, Any], dict[str, Any]], None],
    **kw: Any,
) -> Callable[[], Case]:
    def factory() -> Case:
        """§4.2 item 40: what the reference does not check in a request object (typ, iss vs kid)."""

        def act(world: UserWorld) -> Observation:
            resigned = ResignResponse(
                request_object_of(gp_host(world)), client_key(world), lambda h, c: change(world, h, c)
            )
            return at_as(world, mutate(world, resigned))

        return user_case(
            id,
            title,
            REQUEST_OBJECT,
            attack,
            act,
            {
                # PROTOCOL.md §2.2 "Not checked (inferred)": the reference takes it, or refuses it otherwise.
                "nuts-node": kw.get("reference", Expect("granted")),
                "nuts-node-gf": kw.get("reference_gf", Expect("granted")),
                "strict": Expect("denied", "invalid_request_object", kw["description"], kw["check"]),
            },
            ("PROTOCOL.md §4.2 #40", "PROTOCOL.md §2.2 steps 7–9 (not checked)", kw["ref"]),
        )

    return factory


register(
    _strict_jar_case(
        "user-jar-untyped",
        "Request object without explicit typing",
        "the client signs a request object with typ JWT instead of oauth-authz-req+jwt",
        lambda world, h, c: h.update(typ="JWT"),
        description="request object typ must be oauth-authz-req+jwt",
        check="jar.typ",
        ref="RFC 9101 §10.8",
    )
)
register(
    _strict_jar_case(
        "user-jar-foreign-iss",
        "Request object whose iss is another DID than its signer",
        "the client's request object names the register's DID as iss, signed by B's key",
        lambda world, h, c: c.update(iss=world.register.did),
        description="request object iss does not match the signing key DID",
        check="jar.iss_kid",
        ref="RFC 9101 §10.2",
    )
)

register(
    _strict_jar_case(
        "user-jar-unknown-crit",
        "Request object with a critical header extension the server does not understand",
        "the client signs a request object whose crit lists an extension header (x-ext)",
        lambda world, h, c: h.update({"crit": ["x-ext"], "x-ext": True}),
        description="request object has a critical header that is not understood",
        check="jar.crit",
        # auth/api/iam/jar.go validate → crypto/jwx.go ParseJWT: jwx v3.2.0's jwt.ParseString with
        # one WithKey refuses any crit (PR #1793; jwx_text.crit_refusal) as a signature failure;
        # project-gf's jwx v2.1.6 never reads crit, so nuts-node-gf takes it (the default granted).
        reference=Expect(
            "denied", "invalid_request_object", "request signature validation failed", "jar.signature"
        ),
        ref="RFC 7515 §4.1.11",
    )
)


@STAGE.case(
    id="user-jar-foreign-signer",
    title="Request object signed by the attacker's DID claiming the victim's client_id",
    attack="the attacker signs a request object with its own did:web key and the victim's client_id",
    expected=denied("invalid_request_object", "client_id does not own signer key", "jar.signer_owned"),
    refs=("PROTOCOL.md §4.2 #42", "PROTOCOL.md §2.5", JAR),
    control="jar_signature",
    vulnerable=GRANTED,
)
def jar_foreign_signer(world: UserWorld) -> Observation:
    """§4.2 item 42 (attacker signs a JAR with its own DID key claiming the victim's client_id)."""
    theft = catch_codes(world)
    evil = attacker(world)

    def forge(header: dict[str, Any], claims: dict[str, Any]) -> None:
        # Consistent for the attacker (kid and iss are its own); only client_id names the victim.
        header["kid"] = evil.key.kid
        claims.update(iss=evil.did, **_divert(theft))

    return _theft_outcome(
        world, mutate(world, ResignResponse(request_object_of(gp_host(world)), evil.key, forge)), theft
    )


@STAGE.case(
    id="user-jar-key-mismatch",
    title="Request object signed by another key under the client's kid",
    attack="a man in the middle swaps the key behind B's kid in its DID document and signs JAR_1 with it",
    expected=denied(
        "invalid_request_object",
        "key mismatch between OpenID configuration and signer key",
        "jar.signer_key",
    ),
    refs=("PROTOCOL.md §4.2 #42", "PROTOCOL.md §2.5", "RFC 7638"),
    control="jar_signature",
    vulnerable=GRANTED,
)
def jar_key_mismatch(world: UserWorld) -> Observation:
    """§4.2 item 42 (kid listed in the entity statement, but the DID document serves another key)."""
    theft = catch_codes(world)
    forged = jose.KeyPair.generate(SimRandom(99), kid=client_key(world).kid)
    host = gp_host(world)
    resigned = ResignResponse(request_object_of(host), forged, lambda h, c: c.update(_divert(theft)))
    return _theft_outcome(world, mutate(world, resigned, SwapKeyAfterJar(host, forged)), theft)
