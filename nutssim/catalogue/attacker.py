"""Reusable attacker moves for catalogue cases: on the wire, with stolen material, or with own keys.

Every move goes over the simulated network, so the trace shows it like any other
message. An ``Attacker`` is a party with its own ``did:web`` identity (served from its
host, so the victim's verifier can resolve its key), optional AS metadata of its own
choosing (audience injection, ATTACKS.md 3.2 #15) and a record of what reached it.

The moves, roughly in the order an attack needs them:

* steal: ``captured_request``, ``steal_token``, ``stolen_credentials`` read the trace
  (what an eavesdropper on the victim's connections sees).
* forge: ``resign`` (change a JWT and sign it again with a key of one's choosing),
  ``tamper_jwt`` (change it and keep the old signature), ``unsigned_jwt`` (``alg: none``),
  ``issue_jwt_vc`` and ``build_vp`` (credentials and presentations signed by any key),
  ``submission_for`` (a presentation submission for credentials in PD order).
* send: ``replay``, ``post_token``, ``present``, ``call_resource``, ``node_proof`` and
  ``own_proof`` (DPoP proofs from the victim's node or from the attacker's key).
* stand in the middle: ``RewriteResponse`` (change an answer on its way back) and
  ``strip_issuer_constraints`` (a PD without its ``$.issuer`` trust filter).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from nutssim import jose
from nutssim.catalogue.base import Observation, last_exchange, observe_response
from nutssim.messages import HttpRequest, HttpResponse, json_response, text_response
from nutssim.models.credential import Credential, credential_document
from nutssim.network import Delivery, PassThrough
from nutssim.parties.base import Context
from nutssim.parties.identity import DidWebHost, Identity
from nutssim.rng import SimRandom, b64url
from nutssim.specs import rfc9449, vc_jwt

if TYPE_CHECKING:
    from nutssim.scenarios import NodesWorld

ATTACKER_ID = "attacker"
ATTACKER_HOST = "https://attacker.example"
TOKEN = "token request"
RESOURCE = "resource request"


# -- the attacker party ----------------------------------------------------------------------------------
class Attacker(DidWebHost):
    """A party under the attacker's control: a did:web identity, AS metadata it chooses, what it received."""

    role = "attacker"

    def __init__(self, id: str, name: str, host: str, rng: SimRandom) -> None:
        super().__init__(id, name, host)
        self.identity: Identity = self.new_identity(rng)
        #: RFC 8414 metadata served for any subject path (None: 404, like an unknown AS).
        self.metadata: dict[str, Any] | None = None
        #: Every request that reached one of the attacker's routes.
        self.received: list[HttpRequest] = []
        self.route(
            "GET",
            "/.well-known/oauth-authorization-server/oauth2/{subject_id}",
            self.serve_metadata,
            "AS metadata (attacker)",
        )
        self.route("POST", "/oauth2/{subject_id}/token", self.token, "token request (attacker)")

    @property
    def did(self) -> str:
        """The attacker's own DID."""
        return self.identity.did

    @property
    def key(self) -> jose.KeyPair:
        """The attacker's signing key (its DID's first assertion key, so verifiers can resolve it)."""
        return self.identity.key

    def issuer(self, subject: str = "evil") -> str:
        """The OAuth identity the attacker claims as an AS (PROTOCOL.md §0 shape)."""
        return f"{self.host}/oauth2/{subject}"

    def serve_metadata(self, request: HttpRequest, ctx: Context, subject_id: str) -> HttpResponse:
        """Serve whatever metadata the attacker set."""
        self.received.append(request)
        if self.metadata is None:
            return text_response(404, "not found")
        return json_response(200, self.metadata)

    def token(self, request: HttpRequest, ctx: Context, subject_id: str) -> HttpResponse:
        """Keep what a client posts to the attacker's token endpoint and refuse it."""
        self.received.append(request)
        return json_response(400, {"error": "invalid_request", "error_description": "try again later"})


def attacker(world: NodesWorld, host: str = ATTACKER_HOST) -> Attacker:
    """The world's attacker party (added on first use, with a fresh did:web identity)."""
    sim = world.sim
    existing = next((p for p in sim.parties if isinstance(p, Attacker)), None)
    return existing or sim.add(Attacker(ATTACKER_ID, "Attacker", host, sim.rng))


# -- stealing from the trace -------------------------------------------------------------------------------
def captured_request(world: NodesWorld, label: str = TOKEN) -> HttpRequest:
    """The last request with ``label`` an eavesdropper saw (the run must have made one)."""
    exchange = last_exchange(world.sim.trace, label)
    if exchange is None:
        raise AssertionError(f"the run made no {label!r}: {world.sim.trace.labels()}")
    return exchange.request


def steal_token(world: NodesWorld) -> str:
    """The access token of the last successful token response in the trace."""
    for exchange in reversed(world.sim.trace.find(TOKEN)):
        body = exchange.response.json
        if exchange.response.ok and isinstance(body, dict) and body.get("access_token"):
            return str(body["access_token"])
    raise AssertionError("no token was issued in this run")


def stolen_credentials(world: NodesWorld) -> list[Credential]:
    """The credentials inside the last captured token request's VP (VCs travel in clear)."""
    assertion = captured_request(world).form["assertion"]
    vp = jose.decode(assertion).payload["vp"]
    return [vc_jwt.parse_credential(c) for c in vp["verifiableCredential"]]


# -- forging JWTs ----------------------------------------------------------------------------------------
def _apply(base: Mapping[str, Any], changes: Mapping[str, Any] | None) -> dict[str, Any]:
    out = dict(base)
    for name, value in (changes or {}).items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


def resign(
    token: str,
    key: jose.KeyPair,
    *,
    claims: Mapping[str, Any] | None = None,
    header: Mapping[str, Any] | None = None,
) -> str:
    """``token`` with ``claims``/``header`` changed (``None`` removes a member), signed again with ``key``."""
    decoded = jose.decode(token)
    new_header = _apply({k: v for k, v in decoded.header.items() if k != "alg"}, header)
    return jose.sign(new_header, _apply(decoded.payload, claims), key)


def tamper_jwt(token: str, *, claims: Mapping[str, Any]) -> str:
    """``token`` with ``claims`` changed but its old signature kept (so it no longer verifies)."""
    head, _, signature = token.split(".")
    payload = _apply(jose.decode(token).payload, claims)
    return f"{head}.{_b64json(payload)}.{signature}"


def unsigned_jwt(header: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
    """An unsecured JWT (RFC 7519 §6): ``alg: none`` and an empty signature."""
    return f"{_b64json({**header, 'alg': 'none'})}.{_b64json(claims)}."


def _b64json(value: Mapping[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


# -- forging credentials and presentations ----------------------------------------------------------------
def issue_jwt_vc(
    world: NodesWorld,
    key: jose.KeyPair,
    *,
    issuer: str,
    type: str,
    subject: dict[str, Any],
    issued_at: int | None = None,
    valid_for: int = 3600,
) -> Credential:
    """A JWT VC of ``type`` about ``subject`` claiming ``issuer``, signed by ``key`` (kid in the header)."""
    now = world.sim.clock.now() if issued_at is None else issued_at
    document = credential_document(
        id=f"{issuer}#{world.sim.rng.uuid()}",
        type=type,
        issuer=issuer,
        issuance_date=vc_jwt.to_rfc3339(now),
        expiration_date=vc_jwt.to_rfc3339(now + valid_for),
        subject=subject,
    )
    return vc_jwt.credential_from_jwt(vc_jwt.issue_credential(document, key))


def build_vp(
    world: NodesWorld,
    *,
    key: jose.KeyPair,
    holder: str,
    credentials: Sequence[Credential],
    audience: str | None = None,
    nonce: str | None = None,
    lifetime: int = 5,
    claims: Mapping[str, Any] | None = None,
    now: int | None = None,
) -> str:
    """A JWT VP over ``credentials`` signed by ``key`` as ``holder`` (PROTOCOL.md §1.3 shape).

    ``audience`` defaults to the world's AS; ``claims`` changes payload members before the
    signature (``None`` removes one).
    """
    rng = world.sim.rng
    token = vc_jwt.present(
        list(credentials),
        key,
        holder=holder,
        audience=audience or world.authorization_server.url,
        nonce=nonce or rng.token(),
        now=world.sim.clock.now() if now is None else now,
        lifetime=lifetime,
        jti=f"{holder}#{rng.uuid()}",
    )
    return resign(token, key, claims=claims) if claims else token


def submission_for(
    world: NodesWorld,
    credentials: Sequence[Credential],
    *,
    descriptors: Sequence[str] | None = None,
    prefix: str = "$",
    scope: str | None = None,
    positions: Sequence[int] | None = None,
) -> dict[str, Any]:
    """A submission mapping ``credentials`` (in PD descriptor order) into a JWT VP's ``verifiableCredential``.

    ``positions`` says where each credential sits in the VP (default: in order). The path
    shape is the one the profile's verifier resolves: under ``nuts-node`` the decoded view
    (``$.verifiableCredential[i]``, ``vcr/pe/util.go vpAsInterface``); under ``strict`` the
    JWT VP as sent, addressed as ``jwt_vp`` and nested into its claims (DIF PE v2
    §Processing of Submission Entries; ``pex.Semantics.decoded_jwt_vp_view``).
    """
    pd = world.authorization_server.policy.presentation_definition(scope or world.options["scope"])
    ids = list(descriptors) if descriptors is not None else [d.id for d in pd.input_descriptors]
    places = list(positions) if positions is not None else list(range(len(credentials)))
    spec_shape = world.sim.profile.strict
    entries = []
    for d, c, i in zip(ids, credentials, places, strict=False):
        if spec_shape:
            nested = {"id": d, "format": c.format, "path": f"$.vp.verifiableCredential[{i}]"}
            entries.append({"id": d, "format": "jwt_vp", "path": prefix, "path_nested": nested})
        else:
            entries.append({"id": d, "format": c.format, "path": f"{prefix}.verifiableCredential[{i}]"})
    return {"id": world.sim.rng.uuid(), "definition_id": pd.id, "descriptor_map": entries}


def self_attested_employee(world: NodesWorld, holder: str) -> Credential:
    """The employee credential a node completes from the EHR's template (PROTOCOL.md §1.3: no proof)."""
    from nutssim.parties.wallet import complete_self_attested
    from nutssim.scenarios.s2s import EMPLOYEE

    return complete_self_attested([EMPLOYEE], holder, world.sim.clock.now(), world.sim.rng)[0]


# -- sending ---------------------------------------------------------------------------------------------
def send(world: NodesWorld, request: HttpRequest, *, sender: str | None = None) -> Observation:
    """Deliver ``request`` now and observe its answer (checks that failed while handling it included)."""
    sender = sender or attacker(world).id
    trace = world.sim.trace
    since = trace.exchanges[-1].seq if trace.exchanges else 0
    response = world.sim.network.send(request, sender=sender)
    return observe_response(response, trace, since)


def replay(
    world: NodesWorld,
    request: HttpRequest,
    *,
    wait: int = 0,
    change: Callable[[HttpRequest], HttpRequest] | None = None,
    sender: str | None = None,
) -> Observation:
    """Send a captured ``request`` again ``wait`` seconds later (changed by ``change`` if given)."""
    world.sim.clock.advance(wait)
    return send(world, change(request) if change else request, sender=sender)


def token_endpoint(world: NodesWorld) -> str:
    """The token endpoint of the world's authorization server."""
    return f"{world.authorization_server.url}/token"


def token_form(
    world: NodesWorld,
    assertion: str,
    submission: Mapping[str, Any],
    *,
    client_id: str | None = None,
    scope: str | None = None,
) -> dict[str, str]:
    """The vp_token-bearer form of PROTOCOL.md §1.4 (client_id defaults to the requester's)."""
    return {
        "grant_type": "vp_token-bearer",
        "client_id": client_id or world.requester.url,
        "assertion": assertion,
        "presentation_submission": json.dumps(submission),
        "scope": scope or world.options["scope"],
    }


def post_token(
    world: NodesWorld,
    form: Mapping[str, str],
    *,
    dpop_key: jose.KeyPair | None = None,
    sender: str | None = None,
    url: str | None = None,
) -> Observation:
    """POST a token request straight to the AS, with a fresh DPoP proof by ``dpop_key`` if given."""
    url = url or token_endpoint(world)
    headers = {"Accept": "application/json"}
    if dpop_key is not None:
        headers["DPoP"] = own_proof(world, dpop_key, htm="POST", htu=url)
    return send(world, HttpRequest.post_form(url, form, headers), sender=sender)


def present(
    world: NodesWorld,
    *,
    key: jose.KeyPair,
    holder: str,
    credentials: Sequence[Credential],
    envelope: Callable[[str], str] | None = None,
    sender: str | None = None,
    **vp_options: Any,
) -> Observation:
    """Build a VP over ``credentials`` signed by ``key``, and request a token with it (DPoP by ``key``)."""
    vp = build_vp(world, key=key, holder=holder, credentials=credentials, **vp_options)
    form = token_form(world, envelope(vp) if envelope else vp, submission_for(world, credentials))
    return post_token(world, form, dpop_key=key, sender=sender)


def own_proof(
    world: NodesWorld,
    key: jose.KeyPair,
    *,
    htm: str,
    htu: str,
    token: str | None = None,
    iat: int | None = None,
) -> str:
    """A DPoP proof signed by ``key`` (with ``ath`` when a token is given)."""
    now = world.sim.clock.now() if iat is None else iat
    return rfc9449.make_proof(key, htm=htm, htu=htu, now=now, rng=world.sim.rng, access_token=token)


def node_proof(world: NodesWorld, *, htm: str, htu: str, token: str) -> str:
    """Ask the requester's node for a DPoP proof, as its EHR does (PROTOCOL.md §1.7 step 1)."""
    ehr, node = world.ehr, world.requester_node
    kid = quote(world.requester.identities[0].key.kid or "", safe="")
    request = HttpRequest.post_json(
        f"{node.internal_host}/internal/auth/v2/dpop/{kid}", {"htm": htm, "htu": htu, "token": token}
    )
    response = world.sim.network.send(request, sender=ehr.id)
    body = response.json
    if not (response.ok and isinstance(body, dict) and body.get("dpop")):
        raise AssertionError(f"the node made no proof: {response.status} {response.body[:200]}")
    return str(body["dpop"])


def call_resource(
    world: NodesWorld,
    token: str,
    *,
    proof: str | Sequence[str] | None = None,
    scheme: str = "DPoP",
    method: str = "GET",
    url: str | None = None,
    sender: str | None = None,
) -> Observation:
    """Call the world's resource server with ``token`` under ``scheme`` and zero, one or more DPoP proofs."""
    url = url or world.resource_server.resource_url
    headers: list[tuple[str, str]] = [("Authorization", f"{scheme} {token}")]
    proofs = [proof] if isinstance(proof, str) else list(proof or [])
    headers += [("DPoP", p) for p in proofs]
    return send(world, HttpRequest(method, url, tuple(headers)), sender=sender)


# -- in the middle ---------------------------------------------------------------------------------------
@dataclass
class RewriteResponse(PassThrough):
    """Change responses to requests that ``match`` on their way back (a man in the middle)."""

    match: Callable[[HttpRequest], bool]
    change: Callable[[HttpResponse], HttpResponse]
    acted: int = 0
    seen: list[HttpRequest] = field(default_factory=list)

    def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
        """Apply ``change`` to the answer of a matching request."""
        if not self.match(delivery.request):
            return response
        self.acted += 1
        self.seen.append(delivery.request)
        return self.change(response)


def rewrite_json(
    change: Callable[[dict[str, Any]], dict[str, Any]],
) -> Callable[[HttpResponse], HttpResponse]:
    """A response change that edits a JSON object body (other answers pass unchanged)."""

    def apply(response: HttpResponse) -> HttpResponse:
        body = response.json
        if not isinstance(body, dict):
            return response
        headers = {k: v for k, v in response.headers if k.lower() != "content-type"}
        return json_response(response.status, change(body), headers=headers)

    return apply


def strip_issuer_constraints(definition: dict[str, Any]) -> dict[str, Any]:
    """A copy of a PD JSON without any field that constrains ``$.issuer`` (PROTOCOL.md §3.11)."""
    out = json.loads(json.dumps(definition))
    for descriptor in out.get("input_descriptors") or []:
        constraints = descriptor.get("constraints") or {}
        fields: Iterable[dict[str, Any]] = constraints.get("fields") or []
        constraints["fields"] = [f for f in fields if "$.issuer" not in (f.get("path") or [])]
    return out


def is_pd_request(request: HttpRequest) -> bool:
    """Whether ``request`` fetches a presentation definition."""
    return request.method == "GET" and request.path.endswith("/presentation_definition")


def is_token_request(request: HttpRequest) -> bool:
    """Whether ``request`` is a token request (to any AS)."""
    return request.method == "POST" and request.path.endswith("/token")


def is_metadata_request(request: HttpRequest) -> bool:
    """Whether ``request`` fetches RFC 8414 metadata (either placement)."""
    return request.method == "GET" and "/.well-known/oauth-authorization-server" in request.path
