"""s2s cases of a VP used again or elsewhere: replayed, forwarded, or sent to an AS it does not name.

PROTOCOL.md §4.2 items 11, 19 and 31; ATTACKS.md 3.1 #4/#8 and 3.2 #15/#19 (audience
injection through a malicious AS's metadata, a metadata issuer mismatch).
"""

from __future__ import annotations

from nutssim.catalogue.attacker import (
    RewriteResponse,
    attacker,
    captured_request,
    is_metadata_request,
    replay,
    rewrite_json,
)
from nutssim.catalogue.base import GRANTED, Expect, Observation, everywhere, observe_flow
from nutssim.catalogue.s2s_cases.common import (
    DPOP_INVALID,
    PRESENTATION,
    S2S,
    replay_token_request,
    vp_error,
)
from nutssim.parties.authorization_server import metadata as as_metadata
from nutssim.scenarios import S2SWorld
from nutssim.scenarios.s2s import EMPLOYEE
from nutssim.simulation import FlowRun

AUDIENCE = "presentation audience/domain is missing or does not match"

# == §4.2 items 19, 31: replay ===========================================================================
S2S.declare(
    id="s2s-vp-replay",
    title="Captured token request replayed within the nonce window",
    attack="an eavesdropper replays the token request (same VP, same nonce) 2 s later",
    control="vp_nonce_store",
    act=lambda world: replay_token_request(world, wait=2),
    expected=vp_error(PRESENTATION, "presentation nonce has already been used", "token.nonce_unused"),
    # strict still refuses: the replayed DPoP proof's jti was seen (RFC 9449 §11.1).
    vulnerable={"nuts-node": Expect("granted"), "strict": DPOP_INVALID},
    refs=("PROTOCOL.md §4.2 #19", "ATTACKS.md 3.1 #8", "RFC021 §4.4"),
)


@S2S.case(
    id="s2s-nonce-store-expiry",
    title="Replay after the nonce store forgot the nonce, inside the VP's window",
    attack="with the client's clock 5 s ahead, the captured token request is replayed 12 s later",
    # control None: the nonce store is on and still misses it, its 10 s ttl being shorter than the window.
    expected={
        "nuts-node": Expect("granted"),  # PROTOCOL.md §4.2 #31 (inferred edge case)
        # strict still refuses: the replayed DPoP proof's jti is remembered for 15 min (RFC 9449 §11.1).
        "strict": DPOP_INVALID,
    },
    refs=("PROTOCOL.md §4.2 #31", "RFC021 §4.4", "ATTACKS.md 3.1 #8"),
)
def nonce_store_expiry_replay(world: S2SWorld) -> Observation:
    """§4.2 item 31."""
    world.requester_node.clock_offset = 5  # the GP's clock runs 5 s ahead: nbf = t+5, exp = t+10
    world.run()
    # The AS burned the nonce at t for 10 s; at t+12 it is forgotten while the VP is valid until
    # exp + 5 s skew = t+15.
    return replay(world, captured_request(world), wait=12)


# == §4.2 item 11, ATTACKS.md 3.2 #15: the VP's audience =================================================
@S2S.case(
    id="s2s-vp-forwarded",
    title="VP minted for one authorization server presented to another",
    attack="the receiving AS (or a thief) forwards the VP to another AS that trusts the same credentials",
    control="vp_audience",
    expected=vp_error(PRESENTATION, AUDIENCE, "token.audience"),
    # strict still refuses: the DPoP proof's htu names the first AS's token endpoint (RFC 9449 §4.3).
    vulnerable={"nuts-node": Expect("granted"), "strict": DPOP_INVALID},
    refs=("PROTOCOL.md §4.2 #11", "ATTACKS.md 3.1 #4", "RFC021 §4.2.6"),
)
def vp_forwarded_to_other_as(world: S2SWorld) -> Observation:
    """§4.2 item 11, ATTACKS.md 3.1 #4 and 3.2 #15."""
    other = world.sim.add_node("kliniek.example").add_subject("Kliniek Zuid", id="kliniek-zuid")
    other.use_policy(world.authorization_server.policy)
    return replay_token_request(world, to=f"{other.url}/token")


@S2S.case(
    id="s2s-audience-injection",
    title="Malicious AS metadata names the honest AS's token endpoint",
    attack="the attacker's AS metadata points token_endpoint at the hospital, hoping the GP's VP "
    "will be valid there",
    control="vp_audience",
    # The client uses the issuer identifier (not the token endpoint) as aud, so the VP names the
    # attacker's AS and the honest AS refuses it (RFC021 §4.2.6; F4's advice).
    expected=vp_error(PRESENTATION, AUDIENCE, "token.audience"),
    vulnerable=GRANTED,
    refs=("ATTACKS.md 3.2 #15", "RFC021 §4.2.6", "RFC 8414 §3.3"),
)
def audience_injection(world: S2SWorld) -> Observation:
    """ATTACKS.md 3.2 #15: a malicious AS publishes the honest AS's token endpoint."""
    evil, honest = attacker(world), world.authorization_server
    evil.metadata = {
        **as_metadata(honest),
        "issuer": evil.issuer(),
        "token_endpoint": f"{honest.url}/token",
        "presentation_definition_endpoint": f"{honest.url}/presentation_definition",
    }
    # The GP's EHR is lured into asking the attacker's AS for a token. The client takes the
    # metadata (its issuer matches what was asked), fetches the honest PD and sends its VP to the
    # honest token endpoint — but with aud = the issuer it asked for, the attacker's.
    ehr, gp, rs = world.ehr, world.requester, world.resource_server
    process = ehr.service_access(
        gp.id, evil.issuer(), world.options["scope"], resource_url=rs.resource_url, credentials=[EMPLOYEE]
    )
    return observe_flow(FlowRun(world.sim, world.sim.start(process, ehr.id), "s2s"))


# == ATTACKS.md 3.2 #19: the metadata's issuer ===========================================================
@S2S.case(
    id="s2s-metadata-issuer-mismatch",
    title="AS metadata whose issuer is not the URL asked for",
    step="AS metadata",
    attack="a man in the middle answers the metadata request with another issuer",
    expected=everywhere(
        "denied",
        "server_error",
        "authorization server https://hospital.example/oauth2/ziekenhuis-oost returned an unexpected",
        "client.metadata_issuer",
    ),
    refs=("ATTACKS.md 3.2 #19", "RFC 8414 §3.3", "PROTOCOL.md §1.1"),
)
def metadata_issuer_mismatch(world: S2SWorld) -> Observation:
    """ATTACKS.md 3.2 #19."""
    evil = attacker(world).issuer()
    world.sim.network.interceptors.append(
        RewriteResponse(is_metadata_request, rewrite_json(lambda m: {**m, "issuer": evil}))
    )
    return observe_flow(world.run())
