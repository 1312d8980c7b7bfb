"""OpenID4VCI issuance cases (issue #21 item 1): the register's checks on what the wallet sends.

Each is a mutation of a good ``vci-bootstrap`` issuance (``access=False``: the flow ends when
the wallet holds the credential, so "granted" means *a credential was issued*): a captured
credential request sent again, late or at once (its ``c_nonce``); a key proof re-signed by
another key; ``authorization_details`` for a type the practice is not enrolled for; and an
intercepted authorization code redeemed without the PKCE verifier, with which a thief gets
the practice's credential bound to its own DID. Spec clauses: OpenID4VCI 1.0 §5.1.1, §7,
§8.2, §8.3.1.2, Appendix F.1; RFC 7636 §4.6; RFC 9396 §5; ATTACKS.md 3.3 #21 and source C8 (the conformance
suite's ``vci10issuer`` ``VCIIssuerFailOn*`` tests).
"""

from __future__ import annotations

from collections.abc import Callable

from nutssim import jose
from nutssim.catalogue.attacker import attacker, captured_request, replay
from nutssim.catalogue.base import GRANTED, Expect, Family, Observation, observe_flow, observe_response
from nutssim.messages import HttpRequest, HttpResponse, text_response
from nutssim.models.did import did_of
from nutssim.network import Tamper
from nutssim.parties.vci_issuer import NONCE_TTL
from nutssim.scenarios.vci import VciWorld
from nutssim.specs import openid4vci as vci
from nutssim.specs.rfc6749 import AUTHORIZATION_CODE

CREDENTIAL = "credential request"
VCI = Family(VciWorld, flow="vci", scenario="vci-bootstrap", step=CREDENTIAL)
ISSUANCE = {"access": False}
RETRIEVE = "failed to retrieve the credential from https://register.example/openid4vci/credential"


def _issued(world: VciWorld) -> None:
    """Run the good issuance (the wallet is filled; the eavesdropper saw every message)."""
    result = world.run()
    assert result.result is not None and result.result.granted, world.sim.trace.labels()


def nonce_error(description: str) -> dict[str, Expect]:
    """The credential endpoint's invalid_nonce (§8.3.1.2) under every profile."""
    return {"*": Expect("denied", vci.INVALID_NONCE, description, "vci.proof.nonce")}


# == §7, §8.3.1.2: the c_nonce ===========================================================================
@VCI.case(
    id="vci-stale-nonce",
    title="Credential request whose key proof carries a stale c_nonce",
    attack="a captured credential request is sent again two minutes later, its c_nonce no longer fresh",
    control="vci_nonce",
    expected=nonce_error("c_nonce has expired"),
    vulnerable=GRANTED,  # a second credential, from a proof minted for another request
    refs=("OpenID4VCI 1.0 §7.2", "OpenID4VCI 1.0 §8.3.1.2", "ATTACKS.md C8"),
    options=ISSUANCE,
)
def stale_nonce(world: VciWorld) -> Observation:
    """A proof outlives its c_nonce (60 s) but not its access token (300 s)."""
    _issued(world)
    request = captured_request(world, CREDENTIAL)
    return replay(world, request, wait=2 * NONCE_TTL)


def _replayed(world: VciWorld) -> Observation:
    """The captured credential request, again, 2 s later."""
    _issued(world)
    return replay(world, captured_request(world, CREDENTIAL), wait=2)


VCI.declare(
    id="vci-credential-replay",
    title="Captured credential request replayed",
    attack="an eavesdropper sends the wallet's credential request (token and key proof) again 2 s later",
    control="vci_nonce",
    act=_replayed,
    expected=nonce_error("c_nonce has already been used"),
    vulnerable=GRANTED,
    refs=("OpenID4VCI 1.0 §7", "OpenID4VCI 1.0 §8.3.1.2", "ATTACKS.md C8"),
    options=ISSUANCE,
)


# == Appendix F.1: the key proof's signature =============================================================
def _resign_proof(
    key_for: Callable[[jose.CompactJWS], jose.KeyPair], extra: dict[str, object] | None = None
) -> Callable[[HttpRequest], HttpRequest]:
    """A change: the credential request's proof, ``extra`` headers added, re-signed by ``key_for(proof)``."""

    def change(request: HttpRequest) -> HttpRequest:
        body = request.json if isinstance(request.json, dict) else {}
        proof = jose.decode(body["proofs"]["jwt"][0])
        header = {**{k: v for k, v in proof.header.items() if k != "alg"}, **(extra or {})}
        forged = jose.sign(header, proof.payload, key_for(proof))
        return HttpRequest.post_json(
            request.url, {**body, "proofs": {"jwt": [forged]}}, dict(request.headers)
        )

    return change


def _is_credential_request(request: HttpRequest) -> bool:
    return request.method == "POST" and request.path == "/openid4vci/credential"


@VCI.case(
    id="vci-proof-other-key",
    title="Key proof naming the wallet's key but signed by another",
    attack="a man in the middle re-signs the wallet's key proof with its own key, keeping the kid",
    step=CREDENTIAL,
    control="vci_proof_signature",
    # The wallet retries only on invalid_nonce; an invalid_proof ends the flow at the EHR.
    expected={"*": Expect("denied", "server_error", RETRIEVE, "vci.proof.signature")},
    vulnerable=GRANTED,
    refs=("OpenID4VCI 1.0 Appendix F.1", "OpenID4VCI 1.0 §8.2", "ATTACKS.md C8"),
    options=ISSUANCE,
)
def proof_by_other_key(world: VciWorld) -> Observation:
    """The issuer must verify the proof with the key its kid names."""
    other = jose.KeyPair.generate(world.sim.rng.child("forger"), "ES256")
    world.sim.network.interceptors.append(Tamper(_is_credential_request, _resign_proof(lambda _: other)))
    return observe_flow(world.start())


@VCI.case(
    id="vci-proof-unknown-crit",
    title="Key proof with a critical header extension the issuer does not understand",
    attack="a faulty or patched wallet puts crit: [x-ext] in its key proof, signed by its own key",
    step=CREDENTIAL,
    control="vci_proof_signature",
    # RFC 7515 §4.1.11: MUST reject. The wallet retries only on invalid_nonce; invalid_proof ends it.
    expected={"*": Expect("denied", "server_error", RETRIEVE, "vci.proof.crit")},
    vulnerable=GRANTED,
    refs=("RFC 7515 §4.1.11", "OpenID4VCI 1.0 Appendix F.1", "ATTACKS.md C8"),
    options=ISSUANCE,
)
def proof_unknown_crit(world: VciWorld) -> Observation:
    """A conformance negative test: an unknown critical header makes the key proof invalid."""

    def own_key(proof: jose.CompactJWS) -> jose.KeyPair:
        return world.requester.wallet.identity(did_of(proof.kid or "")).key

    crit = _resign_proof(own_key, {"crit": ["x-ext"], "x-ext": True})
    world.sim.network.interceptors.append(Tamper(_is_credential_request, crit))
    return observe_flow(world.start())


# == RFC 9396 §5: authorization_details ==================================================================
VCI.declare(
    id="vci-authorization-details-other-type",
    title="authorization_details for a credential type the practice is not enrolled for",
    step="credential authorization request",
    attack="the EHR asks the register for a HealthcareProviderCredential it may not be issued",
    control="vci_entitlement",
    act=lambda world: observe_flow(world.run()),
    expected={
        "*": Expect(
            "denied",
            "access_denied",
            "https://gp.example/oauth2/huisarts-west may not be issued HealthcareProviderCredential_jwt",
            "vci.authorize.entitlement",
        )
    },
    vulnerable=GRANTED,
    refs=("RFC 9396 §5", "OpenID4VCI 1.0 §5.1.1", "ATTACKS.md C8"),
    options={**ISSUANCE, "configuration": "HealthcareProviderCredential_jwt"},
)


# == RFC 7636: the code without its verifier ============================================================
@VCI.case(
    id="vci-pkce-missing",
    title="Intercepted authorization code redeemed without the PKCE verifier",
    step="credential token request",
    attack="the attacker catches the code on its way to the node's callback and redeems it without a "
    "code_verifier, then asks for the credential with a proof by its own key",
    control="pkce",
    expected={"*": Expect("denied", "invalid_grant", "code_verifier is required", "vci.token.pkce")},
    # Without PKCE the attacker holds the practice's credential, bound to the attacker's DID.
    vulnerable=GRANTED,
    refs=("RFC 7636 §1", "RFC 7636 §4.6", "RFC 9700 §2.1.1", "ATTACKS.md 3.3 #21"),
    options=ISSUANCE,
)
def pkce_missing(world: VciWorld) -> Observation:
    """RFC 7636 §1: the code interception attack, against the issuer's token endpoint."""
    caught: list[HttpRequest] = []

    def intercept(request: HttpRequest) -> HttpResponse:
        caught.append(request)
        return text_response(200, "<!doctype html><p>thanks</p>", "text/html")

    world.sim.network.interceptors.append(Tamper(lambda r: r.path == "/oauth2/callback", intercept, times=1))
    world.run()
    if not caught:
        raise AssertionError(f"the browser never reached the callback: {world.sim.trace.labels()}")
    evil, register = attacker(world), world.register
    form = {
        "grant_type": AUTHORIZATION_CODE,
        "code": caught[0].query.get("code", ""),
        "redirect_uri": world.requester_node.callback_url,
        "client_id": world.requester.url,  # public: it is in the authorization URL
    }
    trace = world.sim.trace
    since = trace.exchanges[-1].seq
    token = world.sim.network.send(
        HttpRequest.post_form(f"{register.host}/openid4vci/token", form), sender=evil.id
    )
    body = token.json if token.ok and isinstance(token.json, dict) else None
    if body is None:
        return observe_response(token, trace, since)
    nonce = world.sim.network.send(HttpRequest("POST", f"{register.host}/openid4vci/nonce"), sender=evil.id)
    c_nonce = nonce.json.get("c_nonce", "") if isinstance(nonce.json, dict) else ""
    proof = vci.make_proof(
        evil.identity.key,
        audience=register.host,
        now=world.sim.clock.now(),
        nonce=c_nonce,
        issuer=world.requester.url,
    )
    identifier = body["authorization_details"][0]["credential_identifiers"][0]
    request = HttpRequest.post_json(
        f"{register.host}/openid4vci/credential",
        {"credential_identifier": identifier, "proofs": {"jwt": [proof]}},
        {"Authorization": f"Bearer {body['access_token']}"},
    )
    return observe_response(world.sim.network.send(request, sender=evil.id), trace, since)
