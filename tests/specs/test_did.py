"""DID resolution: did:web over the simulated network, did:jwk locally, relationships (PROTOCOL.md §3.1)."""

from __future__ import annotations

import pytest

from nutssim.jose import KeyPair, PublicKey
from nutssim.messages import HttpRequest, HttpResponse, json_response
from nutssim.models.did import DIDDocument, DIDDocumentError, VerificationMethod, did_of, document_for
from nutssim.parties.base import Context, Party
from nutssim.parties.identity import DidWebHost, Identity
from nutssim.rng import SimRandom
from nutssim.specs.did import (
    DIDResolutionError,
    jwk_did,
    jwk_document,
    resolve,
    resolve_key,
    web_did,
    web_url,
)


class StaticDidHost(Party):
    """Serves a fixed body at every ``/iam/{path_id}/did.json`` (for documents the node would not serve)."""

    def __init__(self, host: str, body: dict, content_type: str = "application/did+json") -> None:
        super().__init__("static", "Static", host)
        self.body, self.content_type = body, content_type
        self.route("GET", "/iam/{path_id}/did.json", self.serve, "DID document (did:web)")

    def serve(self, request: HttpRequest, ctx: Context, path_id: str) -> HttpResponse:
        return json_response(200, self.body, headers={"Content-Type": self.content_type})


# -- did:web ↔ URL -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:node-a.example:iam:123", "https://node-a.example/iam/123/did.json"),
        ("did:web:node-a.example%3A8443:iam:123", "https://node-a.example:8443/iam/123/did.json"),
        ("did:web:node-a.example%3a8443", "https://node-a.example:8443/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
    ],
)
def test_did_web_maps_to_url(did, url):
    """A did:web maps to its URL: colons to path segments, ``%3A`` to a port, a bare host to .well-known."""
    assert web_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:web:a.example:",
        "did:web::iam:1",
        "did:web:a.example::1",
        "did:jwk:abc",
        "web:a.example",
        "did:web:evil.example%2Fpath",
        "did:web:victim.example%40evil.example",
        "did:web:a.example%3Fx",
    ],
)
def test_invalid_did_web_is_refused(did):
    """Empty segments, other methods and hosts that smuggle a path, user info or query are refused."""
    with pytest.raises(DIDResolutionError):
        web_url(did)


@pytest.mark.parametrize(
    ("host", "path", "did"),
    [
        ("https://node-a.example", ("iam", "1"), "did:web:node-a.example:iam:1"),
        ("https://node-a.example:8443", ("iam", "1"), "did:web:node-a.example%3A8443:iam:1"),
        ("https://node-a.example", (), "did:web:node-a.example"),
        ("node-a.example", (), "did:web:node-a.example"),
    ],
)
def test_web_did_builds_the_did_and_round_trips(host, path, did):
    """``web_did`` builds a did:web from a host URL (a port becomes ``%3A``), and ``web_url`` maps it back."""
    assert web_did(host, *path) == did
    origin = host if "://" in host else f"https://{host}"
    assert web_url(did).startswith(origin + "/")


def test_did_of_strips_fragment_and_query():
    """``did_of`` returns the DID part of a DID URL."""
    assert did_of("did:web:a.example:iam:1#key-1") == "did:web:a.example:iam:1"
    assert did_of("did:web:a.example:iam:1?versionId=2#k") == "did:web:a.example:iam:1"
    assert did_of("did:web:a.example") == "did:web:a.example"


# -- did:web over the network --------------------------------------------------------------------------------
def test_did_web_resolves_through_the_network(sim, make_identity):
    """A did:web document is fetched from its host party, and the exchange is in the trace."""
    identity = make_identity("https://node-a.example")
    document = sim.run(resolve(identity.did), "verifier")
    assert document.id == identity.did
    assert document.public_key(identity.key.kid).jwk == identity.key.public_jwk()
    (exchange,) = sim.trace.exchanges
    assert exchange.label == "DID document (did:web)"
    assert (exchange.sender, exchange.receiver) == ("verifier", "node-a")
    assert exchange.request.url == web_url(identity.did)
    assert exchange.request.header("Accept") == "application/did+json"
    assert exchange.response.status == 200
    assert exchange.response.content_type == "application/did+json"
    assert exchange.response.json == document.to_json()


def test_served_document_has_the_node_shape(sim, make_identity):
    """The served document lists the key as JsonWebKey2020 in all four relationships (PROTOCOL.md §3.1)."""
    identity = make_identity()
    body = sim.run(resolve(identity.did), "verifier").to_json()
    kid = identity.key.kid
    assert body["@context"][0] == "https://www.w3.org/ns/did/v1"
    assert body["verificationMethod"] == [
        {
            "id": kid,
            "type": "JsonWebKey2020",
            "controller": identity.did,
            "publicKeyJwk": identity.key.public_jwk(),
        }
    ]
    for relationship in ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation"):
        assert body[relationship] == [kid]
    assert set(body["verificationMethod"][0]["publicKeyJwk"]) == {"kty", "crv", "x", "y"}


def test_root_did_web_resolves_from_well_known(sim, make_host):
    """A root ``did:web:<host>`` is served from ``/.well-known/did.json``."""
    host = make_host("https://issuer.example")
    did = web_did(host.host)
    host.host_identity(Identity(did, [KeyPair.generate(sim.rng, kid=f"{did}#0")]))
    key = sim.run(resolve_key(f"{did}#0"), "verifier")
    assert isinstance(key, PublicKey)
    assert sim.trace.exchanges[0].request.url == "https://issuer.example/.well-known/did.json"


def test_did_web_with_port_resolves(sim, make_identity):
    """A did:web whose host has a port (``%3A``) resolves from that origin."""
    identity = make_identity("https://node-a.example:8443")
    assert identity.did.startswith("did:web:node-a.example%3A8443:iam:")
    assert sim.run(resolve(identity.did), "verifier").id == identity.did


def test_unknown_path_id_is_404(sim, make_identity):
    """A did:web whose path id the host does not know answers 404, and resolution says so."""
    make_identity("https://node-a.example")
    with pytest.raises(DIDResolutionError, match="answered HTTP 404"):
        sim.run(resolve("did:web:node-a.example:iam:nobody"), "verifier")
    assert sim.trace.exchanges[0].response.status == 404


def test_deactivated_identity_is_not_served(sim, make_identity):
    """A deactivated identity's document is no longer served (404)."""
    identity = make_identity()
    identity.deactivated = True
    with pytest.raises(DIDResolutionError, match="HTTP 404"):
        sim.run(resolve(identity.did), "verifier")


def test_document_of_another_did_is_refused(sim, make_identity):
    """A host serving another DID's document under the requested path fails the ``id`` check."""
    other = make_identity("https://node-a.example")
    sim.add(StaticDidHost("https://evil.example", other.document().to_json()))
    with pytest.raises(DIDResolutionError, match="does not match the DID"):
        sim.run(resolve("did:web:evil.example:iam:1"), "verifier")


def test_wrong_content_type_is_refused(sim, make_identity):
    """A document served as ``text/plain`` is refused, naming the content type."""
    identity = Identity.web("https://plain.example", "1", SimRandom(0))
    sim.add(StaticDidHost("https://plain.example", identity.document().to_json(), "text/plain"))
    with pytest.raises(DIDResolutionError, match="content type 'text/plain'"):
        sim.run(resolve(identity.did), "verifier")


@pytest.mark.parametrize(
    "content_type", ["application/did+json", "application/did+ld+json", "application/json"]
)
def test_accepted_content_types(sim, content_type):
    """did+json, did+ld+json and plain JSON are accepted content types."""
    identity = Identity.web("https://json.example", "1", SimRandom(0))
    sim.add(StaticDidHost("https://json.example", identity.document().to_json(), content_type))
    assert sim.run(resolve(identity.did), "verifier").id == identity.did


def test_malformed_document_is_refused(sim):
    """A JSON object that is not a DID document is refused with the place that is wrong."""
    sim.add(StaticDidHost("https://bad.example", {"verificationMethod": []}))
    with pytest.raises(DIDResolutionError, match="invalid DID document at /id"):
        sim.run(resolve("did:web:bad.example:iam:1"), "verifier")


def test_unknown_host_is_unreachable(sim):
    """Resolving a did:web whose host has no party gets a network 502 and an 'unreachable' error."""
    with pytest.raises(DIDResolutionError, match="unreachable"):
        sim.run(resolve("did:web:nowhere.example:iam:1"), "verifier")
    (exchange,) = sim.trace.exchanges
    assert exchange.response.status == 502
    assert exchange.response.header("X-Nutssim-Network")


def test_dropped_resolution_is_unreachable(sim, make_identity):
    """A resolution request dropped on the wire fails as unreachable."""
    identity = make_identity()
    run = sim.start(resolve(identity.did), "verifier")
    with pytest.raises(DIDResolutionError, match="unreachable"):
        run.drop()
    assert sim.trace.exchanges[0].response.status == 504


def test_unsupported_method_is_refused(sim):
    """A DID method nutssim cannot resolve (did:nuts) fails without any message."""
    with pytest.raises(DIDResolutionError, match="'nuts' is not supported"):
        sim.run(resolve("did:nuts:abc"), "verifier")
    assert sim.trace.exchanges == []


# -- relationships -------------------------------------------------------------------------------------------
def test_key_only_in_authentication_is_not_an_assertion_key(sim):
    """``resolve_key(..., "assertionMethod")`` refuses a key listed only under ``authentication``."""
    did = "did:web:split.example:iam:1"
    signer, login = KeyPair.generate(SimRandom(1)), KeyPair.generate(SimRandom(2))
    document = DIDDocument(
        id=did,
        verificationMethod=[
            VerificationMethod(id=f"{did}#sign", controller=did, publicKeyJwk=signer.public_jwk()),
            VerificationMethod(id=f"{did}#login", controller=did, publicKeyJwk=login.public_jwk()),
        ],
        assertionMethod=[f"{did}#sign"],
        authentication=[f"{did}#login"],
    )
    sim.add(StaticDidHost("https://split.example", document.to_json()))
    assert sim.run(resolve_key(f"{did}#sign", "assertionMethod"), "v").jwk == signer.public_jwk()
    with pytest.raises(DIDResolutionError, match="not an assertionMethod key"):
        sim.run(resolve_key(f"{did}#login", "assertionMethod"), "v")
    assert sim.run(resolve_key(f"{did}#login", "authentication"), "v").jwk == login.public_jwk()
    with pytest.raises(DIDResolutionError, match="not found"):
        sim.run(resolve_key(f"{did}#missing"), "v")


def test_relative_ids_and_embedded_methods():
    """Relative ``#frag`` ids and methods embedded in a relationship resolve against the document id."""
    did = "did:web:a.example"
    key = KeyPair.generate(SimRandom(3))
    document = DIDDocument.parse(
        {
            "id": did,
            "verificationMethod": [
                {"id": "#k1", "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": key.public_jwk()}
            ],
            "assertionMethod": [
                "#k1",
                {
                    "id": f"{did}#k2",
                    "type": "JsonWebKey2020",
                    "controller": did,
                    "publicKeyJwk": key.public_jwk(),
                },
            ],
        }
    )
    assert document.public_key(f"{did}#k1").jwk == key.public_jwk()
    assert document.public_key(f"{did}#k2").jwk == key.public_jwk()
    assert document.first_key_id() == f"{did}#k1"
    with pytest.raises(DIDDocumentError, match="no authentication key"):
        document.first_key_id("authentication")


def test_document_for_lists_keys_in_every_relationship():
    """``document_for`` builds the node's document shape for several keys."""
    keys = [KeyPair.generate(SimRandom(i)) for i in range(2)]
    document = document_for(
        "did:web:a.example",
        [("did:web:a.example#1", keys[0].public_jwk()), ("did:web:a.example#2", keys[1].public_jwk())],
    )
    assert document.to_json()["capabilityDelegation"] == ["did:web:a.example#1", "did:web:a.example#2"]
    assert document.in_relationship("did:web:a.example#2", "capabilityInvocation")


# -- did:jwk -------------------------------------------------------------------------------------------------
def test_did_jwk_round_trip(sim):
    """A did:jwk expands locally (no message) to a document whose ``#0`` key is the encoded JWK."""
    identity = Identity.jwk(SimRandom(7))
    assert identity.method == "jwk"
    assert identity.did == jwk_did(identity.key.public_jwk())
    assert identity.key.kid == f"{identity.did}#0"
    document = sim.run(resolve(identity.did), "verifier")
    assert document == jwk_document(identity.did)
    assert sim.run(resolve_key(identity.key.kid), "verifier").jwk == identity.key.public_jwk()
    assert document.in_relationship(f"{identity.did}#0", "assertionMethod")
    assert sim.trace.exchanges == []


def test_did_jwk_of_an_eddsa_key(sim):
    """A did:jwk works for Ed25519 keys too."""
    identity = Identity.jwk(SimRandom(7), "EdDSA")
    assert sim.run(resolve_key(identity.key.kid), "v").kty == "OKP"


@pytest.mark.parametrize("suffix", ["", "not-base64!", "bm90IGpzb24", "WzFd", "e30"])
def test_invalid_did_jwk_is_refused(suffix):
    """A did:jwk that is not base64url of a public JWK object is refused."""
    with pytest.raises(DIDResolutionError, match="invalid did:jwk"):
        jwk_document("did:jwk:" + suffix)


def test_did_jwk_with_private_key_is_refused():
    """A did:jwk that encodes a private key is refused."""
    key = KeyPair.generate(SimRandom(1))
    private = {**key.public_jwk(), "d": "AAAA"}
    with pytest.raises(DIDResolutionError):
        jwk_document(jwk_did(private))


def test_identity_document_and_hosting(sim, make_host):
    """A host serves exactly the identities it hosts and lists their DIDs for the trace."""
    host = make_host("https://node-b.example")
    identity = host.new_identity(sim.rng)
    assert isinstance(host, DidWebHost)
    assert host.dids() == (identity.did,)
    assert identity.did.startswith("did:web:node-b.example:iam:")
    assert identity.key.kid.startswith(identity.did + "#")
    sim.describe(host)
    assert sim.trace.parties[host.id].dids == (identity.did,)
