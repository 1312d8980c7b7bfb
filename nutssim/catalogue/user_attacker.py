"""Reusable attacker moves for the user flow's catalogue cases (PROTOCOL.md §2).

The user flow runs through a browser, two nodes and a paused ``FlowRun``, so its moves
are about *when* to act as much as *what* to change:

* pause: ``run_to`` steps a flow until a given delivery is about to go (then ``flow.edit``
  changes it, as a man in the middle or a faulty party would).
* rewrite signed answers: ``ResignResponse`` changes a JWT answer (a request object) and
  signs it again with a key of the attacker's choosing; ``RewriteJwt`` changes it but keeps
  the old signature (or strips it: ``alg: none``); ``SwapKeyAfterJar`` serves another key
  behind the client's ``kid`` just while a request object is being verified.
* steal: ``code_at_callback`` reads the code the browser is about to take to the client;
  ``catch_codes`` gives the attacker a callback page that keeps every code it receives.
* redeem: ``redeem_code`` is the attacker's own ``authorization_code`` token request, with a
  DPoP proof of its own key.
* a second user: ``colleague_flow`` starts the flow for another employee in another
  browser (the attacker's own account, for injection into the victim's session).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from nutssim import jose
from nutssim.catalogue.attacker import attacker, own_proof, send, unsigned_jwt
from nutssim.catalogue.base import Observation
from nutssim.messages import HttpRequest, HttpResponse, text_response
from nutssim.network import Delivery, PassThrough, Tamper
from nutssim.parties.base import Context
from nutssim.rng import b64url
from nutssim.specs import rfc7636

if TYPE_CHECKING:
    from nutssim.scenarios import NodesWorld
    from nutssim.simulation import FlowRun

CALLBACK_PATH = "/cb"  # the attacker's page that collects codes


# -- pausing a flow -------------------------------------------------------------------------------------
def run_to(flow: FlowRun, label: str, receiver: str | None = None, nth: int = 1) -> Delivery:
    """Step ``flow`` until the ``nth`` pending delivery with ``label`` (to ``receiver``) is about to go."""
    seen = 0
    while flow.pending is not None:
        pending: Delivery = flow.pending
        if pending.label == label and (receiver is None or pending.receiver == receiver):
            seen += 1
            if seen == nth:
                return pending
        flow.step()
    raise AssertionError(f"the flow made no {label!r} to {receiver!r}: {flow.trace.labels()}")


def client_key(world: NodesWorld) -> jose.KeyPair:
    """The client's (node B's) signing key: JAR_1, the organization VP and DPoP proofs."""
    key: jose.KeyPair = world.requester.identities[0].key
    return key


def verifier_key(world: NodesWorld) -> jose.KeyPair:
    """The verifier's (node A's) signing key: JAR_2 and JAR_3."""
    key: jose.KeyPair = world.authorization_server.identities[0].key
    return key


def request_object_of(host: str) -> Callable[[HttpRequest], bool]:
    """Matches the fetch of a request object served by ``host`` (``request.jwt/{id}``, GET or POST)."""
    return lambda r: r.origin == host and "/request.jwt/" in r.path


def is_direct_post(request: HttpRequest) -> bool:
    """Whether ``request`` is a wallet's direct_post to a verifier's response_uri."""
    return request.method == "POST" and request.path.endswith("/response")


# -- rewriting signed answers -------------------------------------------------------------------------
@dataclass
class ResignResponse(PassThrough):
    """A man in the middle that edits a JWT answer (``change(header, claims)``) and signs it with ``key``."""

    match: Callable[[HttpRequest], bool]
    key: jose.KeyPair
    change: Callable[[dict[str, Any], dict[str, Any]], None]
    times: int = 1
    acted: int = 0

    def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
        """Re-sign the first ``times`` matching 200 answers."""
        if response.status != 200 or not self.match(delivery.request) or self.acted >= self.times:
            return response
        self.acted += 1
        jws = jose.decode(response.body)
        header, claims = {k: v for k, v in jws.header.items() if k != "alg"}, dict(jws.payload)
        self.change(header, claims)
        return replace(response, body=jose.sign(header, claims, self.key))


@dataclass
class RewriteJwt(PassThrough):
    """Changes a JWT answer's claims but keeps its old signature, or (``unsigned``) makes it ``alg: none``."""

    match: Callable[[HttpRequest], bool]
    change: Callable[[dict[str, Any]], None]
    unsigned: bool = False
    times: int = 1
    acted: int = 0

    def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
        """Rewrite the first ``times`` matching 200 answers."""
        if response.status != 200 or not self.match(delivery.request) or self.acted >= self.times:
            return response
        self.acted += 1
        jws = jose.decode(response.body)
        claims = dict(jws.payload)
        self.change(claims)
        if self.unsigned:
            return replace(response, body=unsigned_jwt(jws.header, claims))
        head, _, signature = response.body.split(".")
        payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
        return replace(response, body=f"{head}.{payload}.{signature}")


class SwapKeyAfterJar(PassThrough):
    """Serves the attacker's key behind B's kid in the DID document fetched right after JAR_1.

    Timing-targeted: only the resolution of the request object's ``kid`` sees the swapped key;
    the entity statement and every VP are verified against B's real key.
    """

    def __init__(self, host: str, key: jose.KeyPair) -> None:
        self.host, self.key, self.armed, self.done = host, key, False, False

    def on_request(self, delivery: Delivery) -> HttpRequest | HttpResponse | None:
        """Arm on the request-object fetch; disarm on anything but the DID document that follows."""
        request = delivery.request
        is_did = request.origin == self.host and request.path.endswith("did.json")
        self.armed = (self.armed and is_did) or (
            request.origin == self.host and "/request.jwt/" in request.path
        )
        return request

    def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
        """Swap the first verification key of the armed DID document."""
        request = delivery.request
        if self.done or not self.armed or not request.path.endswith("did.json"):
            return response
        self.done = True
        document = response.json
        document["verificationMethod"][0]["publicKeyJwk"] = self.key.public_jwk()
        # The man in the middle marks its forgery no-store, or the node's HTTP cache
        # (http/client/caching.go) would keep it for the next resolutions too (RFC 9111 §5.2.2.5).
        kept = tuple((k, v) for k, v in response.headers if k.lower() != "cache-control")
        return replace(response, body=json.dumps(document), headers=(*kept, ("Cache-Control", "no-store")))


def apply_claims(claims: dict[str, Any], changes: dict[str, Any]) -> None:
    """Set ``changes`` in ``claims`` (``None`` removes a claim)."""
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value


def rewrite_json_request(match: Callable[[HttpRequest], bool], changes: dict[str, Any]) -> Tamper:
    """A man in the middle that changes members of a JSON request body (the EHR's step 1, say)."""

    def change(request: HttpRequest) -> HttpRequest:
        body = dict(request.json) if isinstance(request.json, dict) else {}
        apply_claims(body, changes)
        return replace(request, body=json.dumps(body, separators=(",", ":")))

    return Tamper(match, change, times=1)


def rewrite_text_response(match: Callable[[HttpRequest], bool], change: Callable[[str], str]) -> PassThrough:
    """A man in the middle that edits the text of answers to matching requests."""

    @dataclass
    class _Rewrite(PassThrough):
        def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
            if response.status != 200 or not match(delivery.request):
                return response
            return replace(response, body=change(response.body))

    return _Rewrite()


# -- stealing and redeeming codes ------------------------------------------------------------------
@dataclass(frozen=True)
class CodeTheft:
    """What an attacker needs to redeem a code it diverted: its page, and a PKCE pair of its own."""

    redirect_uri: str
    verifier: str
    challenge: str


def catch_codes(world: NodesWorld) -> CodeTheft:
    """Give the attacker a page that keeps the codes it is sent, and a PKCE pair to go with them."""
    evil = attacker(world)
    page_url = f"{evil.host}{CALLBACK_PATH}"
    if evil.match(HttpRequest.get(page_url))[0] is None:

        def page(request: HttpRequest, ctx: Context) -> HttpResponse:
            evil.received.append(request)
            return text_response(200, "<!doctype html><p>Thanks.</p>", "text/html")

        evil.route("GET", CALLBACK_PATH, page, "attacker callback")
    verifier = rfc7636.make_verifier(world.sim.rng)
    return CodeTheft(page_url, verifier, rfc7636.s256(verifier))


def caught_code(world: NodesWorld) -> str | None:
    """The last code that reached the attacker's callback page."""
    for request in reversed(attacker(world).received):
        if request.path == CALLBACK_PATH and request.query.get("code"):
            return request.query["code"]
    return None


def code_at_callback(flow: FlowRun) -> tuple[Delivery, str]:
    """Run ``flow`` until the browser is about to take the code to the client; return it and the code."""
    pending = run_to(flow, "authorization callback")
    return pending, pending.request.query.get("code", "")


def redeem_code(
    world: NodesWorld,
    code: str,
    *,
    verifier: str | None,
    client_id: str | None = None,
    redirect_uri: str | None = None,
) -> Observation:
    """The attacker's own authorization_code token request, with a DPoP proof of its own key."""
    evil = attacker(world)
    url = f"{world.authorization_server.url}/token"
    form = {
        "grant_type": "authorization_code",
        "client_id": client_id or world.requester.url,
        "code": code,
        "redirect_uri": redirect_uri or world.requester_node.callback_url,
    }
    if verifier is not None:
        form["code_verifier"] = verifier
    proof = own_proof(world, evil.key, htm="POST", htu=url)
    request = HttpRequest.post_form(url, form, {"Accept": "application/json", "DPoP": proof})
    observed = send(world, request, sender=evil.id)
    return replace(
        observed, detail=f"the AS's answer (HTTP {observed.http_status}) to the attacker's token request"
    )


# -- a second user -------------------------------------------------------------------------------------
def colleague_flow(
    world: NodesWorld, user: dict[str, str], *, browser_id: str = "browser-attacker"
) -> FlowRun:
    """Start the user flow for another employee of the same practice, in a browser of their own."""
    sim = world.sim
    browser = sim.add_browser(id=browser_id, host=f"{browser_id}.invalid", name=f"Browser of {user['name']}")
    return sim.user_access(
        world.requester,
        world.authorization_server,
        world.options["scope"],
        preauthorized_user=dict(user),
        ehr=world.ehr,
        browser=browser,
        resource_server=world.resource_server,
        dpop=world.options.get("dpop", True),
    )
