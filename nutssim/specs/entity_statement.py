"""The signed OpenID configuration that binds a client_id URL to its DIDs (PROTOCOL.md §2.5).

``GET https://<node>/.well-known/openid-configuration/oauth2/<S>`` answers a JWT
(``application/entity-statement+jwt``, OpenID Federation 1.0 §3 style) signed with the
subject's first DID's assertion key: ``iss`` = ``sub`` = the entity id, ``iat``, ``exp``
(+1 h), ``jwks`` with one JWK per DID (``kid`` = DID URL of its assertion key) and
``metadata.openid_provider`` = the AS metadata. The fetcher verifies the signature with
the key resolved from the JWT ``kid``; the reference does not compare ``iss``/``sub``
with the URL (inferred), the ``strict`` option does (OpenID Federation 1.0 §3.1).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from nutssim import jose
from nutssim.errors import ProtocolError
from nutssim.messages import HttpRequest, HttpResponse, text_response
from nutssim.specs.did import DIDResolutionError, resolve_key

MEDIA_TYPE = "application/entity-statement+jwt"
TYP = "entity-statement+jwt"
VALIDITY = 3600
WELL_KNOWN = "/.well-known/openid-configuration"


class EntityStatementError(ProtocolError):
    """An entity statement could not be fetched or did not verify; the message says why."""

    check = "entity_statement"


@dataclass(frozen=True)
class EntityStatement:
    """A verified entity statement: its claims and the keys it lists."""

    raw: str
    kid: str
    claims: dict[str, Any]

    @property
    def keys(self) -> list[dict[str, Any]]:
        """The JWKs of ``jwks.keys``."""
        jwks = self.claims.get("jwks")
        keys = jwks.get("keys") if isinstance(jwks, dict) else None
        return [k for k in keys if isinstance(k, dict)] if isinstance(keys, list) else []

    def key(self, kid: str) -> dict[str, Any] | None:
        """The listed JWK with this ``kid``, if any."""
        return next((k for k in self.keys if k.get("kid") == kid), None)

    def metadata(self, kind: str = "openid_provider") -> dict[str, Any]:
        """One metadata block (``openid_provider``: the AS metadata)."""
        metadata = self.claims.get("metadata")
        block = metadata.get(kind) if isinstance(metadata, dict) else None
        return dict(block) if isinstance(block, dict) else {}


def url_for(entity_id: str) -> str:
    """The well-known URL of an entity id, path inserted after the host (RFC 8414 §3 placement)."""
    parts = urlsplit(entity_id)
    return f"{parts.scheme}://{parts.netloc}{WELL_KNOWN}{parts.path.rstrip('/')}"


def build(entity_id: str, keys: Iterable[jose.KeyPair], metadata: Mapping[str, Any], now: int) -> str:
    """Sign the statement with the first key; list every key with its kid (PROTOCOL.md §2.5)."""
    keys = list(keys)
    claims = {
        "iss": entity_id,
        "sub": entity_id,
        "iat": now,
        "exp": now + VALIDITY,
        "jwks": {"keys": [k.public_jwk(with_kid=True) for k in keys]},
        "metadata": {"openid_provider": dict(metadata)},
    }
    return jose.sign({"typ": TYP, "kid": keys[0].kid}, claims, keys[0])


def serve(token: str) -> HttpResponse:
    """The 200 response carrying a statement."""
    return text_response(200, token, MEDIA_TYPE)


def fetch(
    entity_id: str, now: int, *, strict: bool = False
) -> Generator[HttpRequest, HttpResponse, EntityStatement]:
    """GET and verify the statement of ``entity_id``: signature by its ``kid``'s DID key, time claims."""
    url = url_for(entity_id)
    response = yield HttpRequest.get(url, headers={"Accept": MEDIA_TYPE})
    if response.status != 200:
        raise EntityStatementError(f"{url} answered HTTP {response.status}")
    try:
        jws = jose.decode(response.body.strip())
        if not jws.kid:
            raise EntityStatementError("entity statement has no kid")
        key = yield from resolve_key(jws.kid)
        jws.verify(key)
        jose.check_times(jws.payload, now, require=("iat", "exp"))
    except (jose.JoseError, DIDResolutionError) as exc:
        raise EntityStatementError(f"invalid entity statement from {url}: {exc}") from None
    if strict and not (jws.payload.get("iss") == jws.payload.get("sub") == entity_id):
        raise EntityStatementError(f"entity statement iss/sub do not equal {entity_id}")
    return EntityStatement(jws.raw, jws.kid, jws.payload)
