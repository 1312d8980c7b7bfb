"""Identities: a DID with its keys, and the did:web hosting every node and issuer does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nutssim.jose import KeyPair
from nutssim.messages import HttpRequest, HttpResponse, json_response, text_response
from nutssim.models.did import DIDDocument, document_for
from nutssim.parties.base import Context, Party
from nutssim.rng import SimRandom
from nutssim.specs.did import jwk_did, web_did


@dataclass
class Identity:
    """A DID and the keys it controls (the first key is its assertion key)."""

    did: str
    keys: list[KeyPair] = field(default_factory=list)
    deactivated: bool = False
    _served: tuple[tuple[str | None, ...], dict[str, Any]] | None = field(
        default=None, repr=False, compare=False
    )

    @classmethod
    def web(cls, host: str, path_id: str, rng: SimRandom, alg: str = "ES256") -> Identity:
        """A did:web identity ``did:web:<host>:iam:<path_id>`` with one fresh key."""
        did = web_did(host, "iam", path_id)
        return cls(did, [KeyPair.generate(rng, alg, kid=f"{did}#{rng.uuid()}")])

    @classmethod
    def jwk(cls, rng: SimRandom, alg: str = "ES256") -> Identity:
        """A did:jwk identity (a user's session wallet, PROTOCOL.md §2.4)."""
        key = KeyPair.generate(rng, alg)
        did = jwk_did(key.public_jwk())
        return cls(did, [key.with_kid(f"{did}#0")])

    @property
    def key(self) -> KeyPair:
        """The first assertionMethod key: what the node signs with (PROTOCOL.md §1.3)."""
        return self.keys[0]

    @property
    def method(self) -> str:
        """The DID method (``web``, ``jwk``, …)."""
        return self.did.split(":")[1]

    def document(self) -> DIDDocument:
        """The DID document that lists every key in every relationship (PROTOCOL.md §3.1)."""
        return document_for(self.did, [(k.kid or "", k.public_jwk()) for k in self.keys])

    def document_json(self) -> dict[str, Any]:
        """The served document as JSON, rebuilt only when the keys change."""
        kids = tuple(k.kid for k in self.keys)
        if self._served is None or self._served[0] != kids:
            self._served = (kids, self.document().to_json())
        return self._served[1]


class DidWebHost(Party):
    """A party that serves did:web documents for the identities it hosts."""

    #: ``Cache-Control`` of the DID documents (and their 404s); a nuts-node says ``max-age=300``
    #: (``vdr/api/v2/api.go cacheControlMaxAgeURLs``), another web server may say nothing.
    did_cache_control: str | None = None

    def __init__(self, id: str, name: str, host: str) -> None:
        super().__init__(id, name, host)
        self.identities: dict[str, Identity] = {}
        self.route("GET", "/iam/{path_id}/did.json", self.serve_did, "DID document (did:web)")
        self.route("GET", "/.well-known/did.json", self.serve_root_did, "DID document (did:web)")

    def host_identity(self, identity: Identity) -> Identity:
        """Serve ``identity``'s document from this host."""
        self.identities[identity.did] = identity
        return identity

    def new_identity(self, rng: SimRandom, alg: str = "ES256") -> Identity:
        """Create and serve a fresh ``did:web:<host>:iam:<uuid>`` identity."""
        return self.host_identity(Identity.web(self.host, rng.uuid(), rng, alg))

    def dids(self) -> tuple[str, ...]:
        """Every DID hosted here."""
        return tuple(self.identities)

    def serve_did(self, request: HttpRequest, ctx: Context, path_id: str) -> HttpResponse:
        """GET /iam/{id}/did.json."""
        return self._serve(web_did(self.host, "iam", path_id))

    def serve_root_did(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        """GET /.well-known/did.json."""
        return self._serve(web_did(self.host))

    def _serve(self, did: str) -> HttpResponse:
        identity = self.identities.get(did)
        cache = {"Cache-Control": self.did_cache_control} if self.did_cache_control else {}
        if identity is None or identity.deactivated:
            return text_response(404, "DID not found", headers=cache)
        document = identity.document_json()
        return json_response(200, document, headers={"Content-Type": "application/did+json", **cache})
