"""Catalogue cases of resource access with DPoP and introspection (PROTOCOL.md §4.2 items 64–73).

Every case starts from a granted service-to-service run, then acts on the resource
server (RS) the way a thief, a replaying eavesdropper or a faulty client would. Under
``nuts-node`` the RS answers as the reference's nginx script: HTTP 403 with the text
"Unauthorized", which ``observe_response`` reports as error ``http_403``. Under
``strict`` it answers as RFC 6750 §3 and RFC 9449 §7.1 prescribe: 401 with a JSON error
and a ``WWW-Authenticate`` challenge. The failing check is the one the node's
``/dpop/validate`` (``dpop.*``), introspection (``introspect.*``) or the RS (``rs.*``)
recorded.
"""

from __future__ import annotations

from collections.abc import Callable

from nutssim.catalogue.attacker import (
    RESOURCE,
    attacker,
    call_resource,
    captured_request,
    is_token_request,
    node_proof,
    own_proof,
    replay,
    resign,
    send,
    steal_token,
)
from nutssim.catalogue.base import GRANTED, Expect, Family, Observation, last_exchange, observe_flow
from nutssim.jose import KeyPair
from nutssim.messages import HttpRequest
from nutssim.network import Tamper
from nutssim.scenarios import S2SWorld

#: Every resource case: a granted s2s run, then the resource server (or the token endpoint) is attacked.
RES = Family(S2SWorld, flow="resource", scenario="s2s", step=RESOURCE)
NOT_AUTHORIZED = "Unauthorized"  # the reference nginx script's 403 body (PROTOCOL.md §1.7 step 5)


def refused(reason: str, check: str, *, error: str = "invalid_dpop_proof") -> dict[str, Expect]:
    """The RS refuses: 403 "Unauthorized" (nuts-node) or 401 with ``error``/``reason`` (strict)."""
    return {
        "nuts-node": Expect("denied", "http_403", NOT_AUTHORIZED, check),
        "strict": Expect("denied", error, reason, check),
    }


def good_run(world: S2SWorld) -> tuple[str, str]:
    """Run the granted flow; return its access token and the resource URL."""
    world.run()
    return steal_token(world), world.resource_server.resource_url


def gp_key(world: S2SWorld) -> KeyPair:
    """The requester's signing key: the key its DPoP-bound tokens are bound to."""
    key: KeyPair = world.requester.identities[0].key
    return key


# == §4.2 #64–68: proofs that do not fit ===============================================================
@RES.case(
    id="res-stolen-token",
    title="Stolen DPoP-bound token used with the thief's own proof",
    attack="the attacker steals the access token and signs a DPoP proof with its own key",
    control="dpop_proof",
    expected=refused("jkt mismatch", "dpop.jkt"),
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #64", "RFC 9449 §7.1", "ATTACKS.md 3.6 #53"),
)
def stolen_token_attacker_proof(world: S2SWorld) -> Observation:
    """§4.2 item 64."""
    token, url = good_run(world)
    evil = attacker(world)
    proof = own_proof(world, evil.key, htm="GET", htu=url, token=token)
    return call_resource(world, token, proof=proof)


@RES.case(
    id="res-proof-other-method",
    title="Proof made for DELETE presented on GET",
    attack="the attacker reuses a captured token and proof with another HTTP method",
    control="dpop_proof",
    expected=refused("method mismatch, token: DELETE, given: GET", "dpop.htm"),
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #65", "RFC 9449 §4.3 step 8", "ATTACKS.md 3.6 #51"),
)
def proof_other_method(world: S2SWorld) -> Observation:
    """§4.2 item 65."""
    token, url = good_run(world)
    # A proof captured from a DELETE on the resource, used for a GET.
    proof = node_proof(world, htm="DELETE", htu=url, token=token)
    return call_resource(world, token, proof=proof)


@RES.case(
    id="res-proof-other-url",
    title="Proof made for another URL",
    attack="the attacker reuses a captured token and proof on another resource",
    control="dpop_proof",
    expected=refused(
        "url mismatch, token: https://api.hospital.example/other, given: https://api.hospital.example/resource",
        "dpop.htu",
    ),
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #66", "RFC 9449 §4.3 step 9", "ATTACKS.md 3.6 #51"),
)
def proof_other_url(world: S2SWorld) -> Observation:
    """§4.2 item 66."""
    token, url = good_run(world)
    other = url.replace("/resource", "/other")
    return call_resource(world, token, proof=node_proof(world, htm="GET", htu=other, token=token))


@RES.case(
    id="res-proof-htu-normalised",
    title="Proof whose htu names the same URL with port, query and fragment",
    attack="none: a robustness check that equal URLs compare equal",
    expected=GRANTED,
    refs=("ATTACKS.md 3.6 #51", "PROTOCOL.md §5 vector 7", "RFC 9449 §4.3 step 9"),
)
def proof_htu_normalised(world: S2SWorld) -> Observation:
    """ATTACKS.md 3.6 #51: htu compared without port, query and fragment (PROTOCOL.md §5 vector 7)."""
    token, url = good_run(world)
    spelled = url.replace("api.hospital.example", "api.hospital.example:443") + "?_count=1#top"
    return call_resource(world, token, proof=node_proof(world, htm="GET", htu=spelled, token=token))


@RES.case(
    id="res-proof-missing-ath",
    title="Proof without ath",
    attack="the proof carries no access-token hash",
    control="dpop_proof",
    expected=refused("missing ath claim", "dpop.ath"),
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #67", "RFC 9449 §4.3 step 12", "ATTACKS.md 3.6 #49"),
)
def proof_missing_ath(world: S2SWorld) -> Observation:
    """§4.2 item 67 (no ath)."""
    token, url = good_run(world)
    # Signed by the token's own key but without ath: such a proof fits any token bound to that key.
    proof = own_proof(world, gp_key(world), htm="GET", htu=url)
    return call_resource(world, token, proof=proof)


@RES.case(
    id="res-proof-wrong-ath",
    title="Proof made for another access token",
    attack="a captured proof of another token (same key) is presented with this token",
    control="dpop_proof",
    expected=refused("ath/token claim mismatch", "dpop.ath"),
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #67", "RFC 9449 §4.3 step 12", "ATTACKS.md 3.6 #53"),
)
def proof_wrong_ath(world: S2SWorld) -> Observation:
    """§4.2 item 67 (ath of another token)."""
    token, url = good_run(world)
    proof = node_proof(world, htm="GET", htu=url, token="an-earlier-token-of-the-same-client")
    return call_resource(world, token, proof=proof)


@RES.case(
    id="res-proof-replay",
    title="Captured resource request replayed a minute later",
    attack="an eavesdropper replays the EHR's request: same token, same proof (same jti)",
    control="dpop_proof",
    expected=refused("jti already used", "dpop.jti_replay"),
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #68", "RFC 9449 §11.1", "ATTACKS.md 3.6 #52"),
)
def proof_jti_replay(world: S2SWorld) -> Observation:
    """§4.2 item 68."""
    world.run()
    return replay(world, captured_request(world, RESOURCE), wait=60)


@RES.case(
    id="res-two-dpop-headers",
    title="Resource request with two DPoP headers",
    attack="a second DPoP header (another key's proof) follows the valid one",
    expected={
        # Inferred: nginx hands the script the first DPoP header, which is valid.
        "nuts-node": Expect("granted"),
        # RFC 9449 §4.3 step 1: not more than one DPoP header field.
        "strict": Expect("denied", "invalid_dpop_proof", "more than one DPoP header", "rs.dpop_proof"),
    },
    refs=("ATTACKS.md 3.6 #48", "RFC 9449 §4.3 step 1"),
)
def two_dpop_headers(world: S2SWorld) -> Observation:
    """ATTACKS.md 3.6 #48 at the resource server."""
    token, url = good_run(world)
    proof = node_proof(world, htm="GET", htu=url, token=token)
    decoy = own_proof(world, attacker(world).key, htm="GET", htu=url, token=token)
    return call_resource(world, token, proof=[proof, decoy])


# == §4.2 #69–71: tokens ===============================================================================
@RES.case(
    id="res-token-expired",
    title="Access token used after 16 minutes",
    attack="the EHR (or a thief) uses the token after its 900 s lifetime, with a fresh proof",
    expected=refused("the access token is not active", "introspect.active", error="invalid_token"),
    refs=("PROTOCOL.md §4.2 #69", "RFC 7662 §2.2", "PROTOCOL.md §0 (accessTokenValidity)"),
)
def token_expired(world: S2SWorld) -> Observation:
    """§4.2 item 69."""
    token, url = good_run(world)
    world.sim.clock.advance(16 * 60)  # past the 15 min access-token lifetime
    return call_resource(world, token, proof=node_proof(world, htm="GET", htu=url, token=token))


@RES.case(
    id="res-introspection-json",
    title="Introspection request with a JSON body",
    step="introspection",
    attack='a resource server posts {"token": …} as JSON to the introspection endpoint',
    expected={
        "*": Expect(
            "denied",
            "http_415",
            "Content-Type MUST be set to application/x-www-form-urlencoded",
            "introspect.content_type",
        )
    },
    refs=("PROTOCOL.md §4.2 #70", "PROTOCOL.md §1.7 step 3", "RFC 7662 §2.1"),
)
def introspection_json_body(world: S2SWorld) -> Observation:
    """§4.2 item 70."""
    token, _ = good_run(world)
    node, rs = world.authorization_server_node, world.resource_server
    request = HttpRequest.post_json(
        f"{node.internal_host}/internal/auth/v2/accesstoken/introspect", {"token": token}
    )
    return send(world, request, sender=rs.id)


@RES.case(
    id="res-bearer-downgrade",
    title="EHR asks for a Bearer token instead of DPoP",
    attack="the client chooses token_type Bearer: the token has no cnf and works for whoever holds it",
    # PROTOCOL.md §1.6, §4.2 #71: the AS never forces DPoP and this RS accepts bearer tokens;
    # whether to refuse unbound tokens is the RS's policy (RFC 9449 §7.2), not modelled as a control.
    expected=GRANTED,
    refs=("PROTOCOL.md §4.2 #71", "PROTOCOL.md §1.6", "RFC 9449 §7.2"),
)
def bearer_downgrade(world: S2SWorld) -> Observation:
    """§4.2 item 71."""
    observed = observe_flow(world.run(dpop=False))
    token = last_exchange(world.sim.trace, "token request")
    introspection = last_exchange(world.sim.trace, "introspection")
    token_type = token.response.json.get("token_type") if token and token.response.json else None
    body = introspection.response.json if introspection else None
    bound = isinstance(body, dict) and "cnf" in body
    if token_type != "Bearer" or bound:
        return Observation("denied", "not_reproduced", f"token_type {token_type!r}, cnf present: {bound}")
    return observed


@RES.case(
    id="res-dpop-token-as-bearer",
    title="Stolen DPoP-bound token sent as Bearer without a proof",
    attack="the thief presents the bound token under the Bearer scheme, skipping the proof",
    control="dpop_required",
    expected=refused("DPoP-bound token requires the DPoP scheme", "rs.dpop_scheme", error="invalid_token"),
    vulnerable=GRANTED,
    refs=("ATTACKS.md 3.6 #54", "RFC 9449 §7.1", "PROTOCOL.md §1.7 step 5"),
)
def dpop_token_as_bearer(world: S2SWorld) -> Observation:
    """ATTACKS.md 3.6 #54."""
    token, _ = good_run(world)
    return call_resource(world, token, scheme="Bearer")


# == §4.2 #72–73: what the reference does not check ====================================================
@RES.case(
    id="res-old-proof",
    title="Unused proof presented ten minutes after it was made",
    attack="a pre-computed (leaked) proof with a fresh jti is used long after its iat",
    control="dpop_proof",
    expected={
        "nuts-node": Expect("granted"),  # PROTOCOL.md §4.2 #72: /dpop/validate has no iat window
        "strict": Expect(
            "denied", "invalid_dpop_proof", "proof iat is 600 s old (window 60 s)", "rs.dpop_iat"
        ),
    },
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #72", "RFC 9449 §11.1", "ATTACKS.md 3.6 #52"),
)
def old_proof(world: S2SWorld) -> Observation:
    """§4.2 item 72."""
    token, url = good_run(world)
    proof = node_proof(world, htm="GET", htu=url, token=token)  # made now, never used
    world.sim.clock.advance(10 * 60)  # used ten minutes later (the token lives 15)
    return call_resource(world, token, proof=proof)


def _reshape_token_proof(world: S2SWorld) -> Callable[[HttpRequest], HttpRequest]:
    def change(request: HttpRequest) -> HttpRequest:
        proof = request.header("DPoP") or ""
        wrong = {"htm": "GET", "htu": "https://elsewhere.example/oauth2/x/token"}
        return request.with_headers(DPoP=resign(proof, gp_key(world), claims=wrong))

    return change


@RES.case(
    id="res-token-proof-wrong-htm-htu",
    title="Token-endpoint DPoP proof made for GET on another URL",
    step="token request",
    attack="the client's token-request proof names htm GET and another server's token endpoint",
    control="dpop_proof",
    expected={
        "nuts-node": Expect("granted"),  # PROTOCOL.md §4.2 #73, §7: the AS only parses the proof
        "strict": Expect("denied", "invalid_dpop_proof", "DPoP header is invalid", "token.dpop"),
    },
    vulnerable=GRANTED,
    refs=("PROTOCOL.md §4.2 #73", "RFC 9449 §4.3 steps 8–9", "PROTOCOL.md §7"),
)
def token_proof_wrong_htm_htu(world: S2SWorld) -> Observation:
    """§4.2 item 73."""
    world.sim.network.interceptors.append(Tamper(is_token_request, _reshape_token_proof(world)))
    return observe_flow(world.run())
