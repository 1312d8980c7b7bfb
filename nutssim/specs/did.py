"""DID resolution: did:web over the simulated network, did:jwk and did:key locally (PROTOCOL.md §3.1).

Resolution is a *process*: it yields the HTTP request for a did:web document and is
sent the response, so every resolution appears in the trace and can fail or be
attacked like any other message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator
from functools import lru_cache
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from nutssim.errors import ProtocolError
from nutssim.jose import PublicKey, b64url_decode
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.models.did import DIDDocument, DIDDocumentError, VerificationMethod, did_of
from nutssim.rng import b64url
from nutssim.specs import did_key

DID_CONTENT_TYPES = ("application/did+json", "application/did+ld+json", "application/json")
#: A did:web host after percent-decoding: a domain name and an optional port (did:web spec §3.2).
_WEB_HOST = re.compile(r"[A-Za-z0-9._-]+(:[0-9]{1,5})?")


#: The DID methods ``resolve`` handles; the AS metadata advertises only these.
METHODS: tuple[str, ...] = ("jwk", "key", "web")


class DIDResolutionError(ProtocolError):
    """A DID could not be resolved; the message says why, ``reference`` how a reference node words it."""

    check = "did.resolve"

    def __init__(self, message: str, *, reference: str = "") -> None:
        super().__init__(message)
        self.reference = reference or message


class KeyNotFound(DIDResolutionError):
    """The DID resolved, but the DID URL is not one of its keys under the relationship asked for."""


# -- did:web ------------------------------------------------------------------------------------
def web_url(did: str) -> str:
    """Map a did:web DID to its document URL (did:web method spec §3.2)."""
    if not did.startswith("did:web:"):
        raise DIDResolutionError(f"not a did:web DID: {did}")
    segments = did[len("did:web:") :].split(":")
    host = unquote(segments[0])
    if not _WEB_HOST.fullmatch(host) or any(not s for s in segments):
        raise DIDResolutionError(f"invalid did:web DID: {did}")
    path = "/".join(segments[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def web_did(host_url: str, *path: str) -> str:
    """Build a did:web DID for a host URL and optional path segments (a port becomes %3A)."""
    netloc = urlsplit(host_url).netloc or host_url
    return ":".join(["did:web", quote(netloc, safe=""), *path])


def resolve(did: str) -> Generator[HttpRequest, HttpResponse, DIDDocument]:
    """Resolve a DID to its document; did:web over the network, did:jwk and did:key locally."""
    method = did.split(":")[1] if did.count(":") >= 2 else ""
    if method == "jwk":
        return jwk_document(did)
    if method == "key":
        return key_document(did)
    if method != "web":
        raise DIDResolutionError(  # vdr/resolver/did.go DIDResolverRouter.Resolve
            f"unable to resolve {did}: DID method {method!r} is not supported",
            reference="DID method not supported",
        )
    url = web_url(did)
    response = yield HttpRequest.get(url, headers={"Accept": "application/did+json"})
    return _web_document(did, url, response)


def _web_document(did: str, url: str, response: HttpResponse) -> DIDDocument:
    if response.header("X-Nutssim-Network"):
        raise DIDResolutionError(f"unable to resolve {did}: {url} is unreachable ({response.body})")
    # The reference's words are vdr/didweb/web.go Resolver.Resolve's (Go's "404 Not Found" Status).
    if not response.ok:
        raise DIDResolutionError(
            f"unable to resolve {did}: {url} answered HTTP {response.status}",
            reference=f"did:web non-ok HTTP status: {response.status} {_status_text(response.status)}",
        )
    if response.content_type not in DID_CONTENT_TYPES:
        raise DIDResolutionError(
            f"unable to resolve {did}: {url} answered content type {response.content_type or 'none'!r}, "
            f"expected one of {', '.join(DID_CONTENT_TYPES)}",
            reference=(
                f"did:web unsupported content-type: {response.content_type}"
                if response.content_type
                else "did:web invalid content-type: mime: no media type"
            ),
        )
    try:
        document = _parse_document(response.body)
    except DIDDocumentError as exc:
        raise DIDResolutionError(
            f"unable to resolve {did}: {exc}", reference="did:web document could not be parsed as JSON"
        ) from None
    if document.id != did:
        raise DIDResolutionError(
            f"unable to resolve {did}: document id {document.id!r} does not match the DID",
            reference=f"did:web document ID mismatch: {document.id} != {did}",
        )
    return document


def _status_text(status: int) -> str:
    """Go's ``http.StatusText`` (the IANA reason phrase; empty for an unregistered code)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


@lru_cache(maxsize=1024)
def _parse_document(body: str) -> DIDDocument:
    """Parse a served document; the same bytes give the same (never mutated) document."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise DIDDocumentError("the response is not a JSON object")
    return DIDDocument.parse(data)


def resolve_key(
    did_url: str, relationship: str = "assertionMethod"
) -> Generator[HttpRequest, HttpResponse, PublicKey]:
    """Resolve a DID URL to the public key of a method listed under ``relationship``."""
    document = yield from resolve(did_of(did_url))
    try:
        return document.public_key(did_url, relationship)
    except DIDDocumentError as exc:
        raise KeyNotFound(f"unable to resolve {did_url}: {exc}") from None


# -- did:jwk ------------------------------------------------------------------------------------
def jwk_did(jwk: dict[str, Any]) -> str:
    """Build a did:jwk from a public JWK (did:jwk spec §2; compact JSON, base64url)."""
    return "did:jwk:" + b64url(json.dumps(jwk, separators=(",", ":")).encode())


def jwk_document(did: str) -> DIDDocument:
    """Expand a did:jwk into its document: one key ``#0`` in every relationship."""
    try:
        jwk = json.loads(b64url_decode(did[len("did:jwk:") :]))
        PublicKey.from_jwk(jwk)
    except (ValueError, ProtocolError, TypeError):
        raise DIDResolutionError(f"unable to resolve {did}: invalid did:jwk") from None
    kid = f"{did}#0"
    vm = VerificationMethod(id=kid, controller=did, publicKeyJwk=jwk)
    return DIDDocument(
        id=did,
        verificationMethod=[vm],
        assertionMethod=[kid],
        authentication=[kid],
        capabilityInvocation=[kid],
        capabilityDelegation=[kid],
    )


# -- did:key (vdr/didkey/resolver.go) ---------------------------------------------------------------
def key_document(did: str) -> DIDDocument:
    """Expand a did:key locally (``specs/did_key.py``); an undecodable one fails to resolve."""
    try:
        return did_key.document(did)
    except did_key.DidKeyError as exc:
        raise DIDResolutionError(f"unable to resolve {did}: {exc}") from None
