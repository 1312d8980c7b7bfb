"""Find, decode and (where the trace allows) verify every JWT and credential in an exchange.

Everything here reads attacker-controlled text: the search is bounded in depth and count,
and a token that does not decode is simply not a token.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from nutssim.jose import CompactJWS, JoseError, PublicKey, b64url_decode, decode
from nutssim.limits import MAX_TOKENS
from nutssim.limits import TOKENS_MAX_DEPTH as MAX_DEPTH
from nutssim.trace import Exchange, Trace

#: Three parts as the reference's jwx reads them: base64url, or padded / standard base64 (jose.decode).
_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_+/-]{2,}={0,2}\.[A-Za-z0-9_+/-]{2,}={0,2}\.[A-Za-z0-9_+/-]*={0,2}$")
_CREDENTIAL_TYPES = ("VerifiableCredential", "VerifiablePresentation")


@dataclass
class Token:
    """A decoded JWT or JSON-LD credential/presentation found in a message."""

    number: str
    where: str
    kind: str  # "jwt" or "json-ld"
    title: str
    raw: str
    header: dict[str, Any]
    payload: dict[str, Any]
    signature: str
    verified: bool | None = None
    children: list[Token] = field(default_factory=list)

    def walk(self) -> Iterator[Token]:
        """This token and every nested one, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def looks_like_jwt(value: object) -> bool:
    """Three base64url parts whose first two decode to JSON objects."""
    if not isinstance(value, str) or len(value) > 1_000_000 or not _JWT_SHAPE.match(value):
        return False
    try:
        decode(value, jwx_base64=True)  # a view shows what a reference node would read
    except JoseError:
        return False
    return True


def is_credential_object(value: object) -> bool:
    """A JSON-LD verifiable credential or presentation."""
    if not isinstance(value, dict) or "@context" not in value:
        return False
    types = value.get("type")
    types = types if isinstance(types, list) else [types]
    return any(t in _CREDENTIAL_TYPES for t in types)


class _Finder:
    """Collects tokens in discovery order, numbering them ``1``, ``2``, ``2.1`` …"""

    def __init__(self, keys: dict[str, tuple[dict[str, Any], int]]) -> None:
        self.keys = keys
        self.seen: set[str] = set()
        self.count = 0

    def scan(self, value: object, where: str, parent: Token | None, out: list[Token], depth: int = 0) -> None:
        """Look for tokens in ``value``."""
        if depth > MAX_DEPTH or self.count >= MAX_TOKENS:
            return
        if isinstance(value, str):
            self._scan_text(value, where, parent, out, depth)
        elif isinstance(value, dict) and is_credential_object(value):
            self._add(self._jsonld(value, where, parent, out), parent, out, depth)
        elif isinstance(value, dict):
            for key, item in list(value.items())[:200]:
                self.scan(item, f"{where}.{key}" if where else str(key), parent, out, depth + 1)
        elif isinstance(value, list):
            for i, item in enumerate(value[:200]):
                self.scan(item, f"{where}[{i}]", parent, out, depth + 1)

    def _scan_text(self, text: str, where: str, parent: Token | None, out: list[Token], depth: int) -> None:
        stripped = text.strip()
        if looks_like_jwt(stripped):
            if stripped not in self.seen:
                self._add(self._jwt(stripped, where, parent, out), parent, out, depth)
        elif stripped[:1] in "{[":
            try:
                parsed = json.loads(stripped)
            except (ValueError, RecursionError):
                return
            self.scan(parsed, where, parent, out, depth + 1)
        elif "?" in stripped and ("://" in stripped or stripped.startswith("openid4vp:")):
            for key, item in parse_qsl(urlsplit(stripped).query, keep_blank_values=True)[:100]:
                self.scan(item, f"{where} → {key}", parent, out, depth + 1)

    def _number(self, parent: Token | None, siblings: list[Token]) -> str:
        index = len(siblings) + 1
        return f"{parent.number}.{index}" if parent else str(index)

    def _add(self, token: Token, parent: Token | None, out: list[Token], depth: int) -> None:
        self.count += 1
        out.append(token)
        for key, item in list(token.payload.items())[:200]:
            if key == "proof" and token.kind == "json-ld":
                continue
            if key in ("vp", "vc") and isinstance(item, dict):  # the JWT's own VP/VC body, not a nested one
                for inner, value in list(item.items())[:200]:
                    self.scan(value, f"{key}.{inner}", token, token.children, depth + 2)
            else:
                self.scan(item, key, token, token.children, depth + 1)

    def _jwt(self, raw: str, where: str, parent: Token | None, out: list[Token]) -> Token:
        self.seen.add(raw)
        jws = decode(raw, jwx_base64=True)
        status, verified = verify_status(jws, self.keys)
        return Token(
            self._number(parent, out),
            where,
            "jwt",
            jwt_title(jws),
            raw,
            jws.header,
            jws.payload,
            status,
            verified,
        )

    def _jsonld(self, doc: dict[str, Any], where: str, parent: Token | None, out: list[Token]) -> Token:
        try:
            raw = json.dumps(doc, ensure_ascii=False)
        except (RecursionError, ValueError):
            raw = "(nested too deep to show)"
        proof = doc.get("proof")
        status = (
            "not verified here (JSON-LD proof: needs canonicalisation)" if proof else "no proof (unsigned)"
        )
        return Token(self._number(parent, out), where, "json-ld", jsonld_title(doc), raw, {}, doc, status)


def find_tokens(exchange: Exchange, trace: Trace | None = None) -> list[Token]:
    """Every JWT and JSON-LD credential in an exchange's request and response, nested ones as children."""
    finder = _Finder(trace_keys(trace, exchange) if trace is not None else {})
    out: list[Token] = []
    request, response = exchange.request, exchange.response
    for name, value in request.headers:
        finder.scan(_header_token(value), f"request header {name}", None, out)
    for key, value in request.query_pairs:
        finder.scan(value, f"request query {key}", None, out)
    for key, value in request.form_pairs:
        finder.scan(value, f"request form {key}", None, out)
    if not request.form_pairs and request.body:
        finder.scan(request.body, "request body", None, out)
    for name, value in response.headers:
        finder.scan(
            _header_token(value) if name.lower() != "location" else value,
            f"response header {name}",
            None,
            out,
        )
    if response.body:
        finder.scan(response.body, "response body", None, out)
    return out


def tokens_in(value: object, where: str = "input", trace: Trace | None = None) -> list[Token]:
    """Every JWT and JSON-LD credential in one value (a token, JSON text or value), nested as children."""
    finder = _Finder(trace_keys(trace) if trace is not None else {})
    out: list[Token] = []
    finder.scan(_header_token(value) if isinstance(value, str) else value, where, None, out)
    return out


def _header_token(value: str) -> str:
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() in ("dpop", "bearer") and rest else value


def jwt_title(jws: CompactJWS) -> str:
    """What kind of JWT this is, for a heading."""
    typ = str(jws.header.get("typ", "")).lower()
    payload = jws.payload
    if typ == "dpop+jwt":
        return "DPoP proof"
    if "vp" in payload:
        return "verifiable presentation (JWT)"
    if "vc" in payload:
        return "verifiable credential (JWT)"
    if typ == "oauth-authz-req+jwt" or "response_type" in payload:
        return "request object (JAR)"
    if "entity-statement" in typ or ("jwks" in payload and "metadata" in payload):
        return "entity statement"
    return "JWT"


def jsonld_title(doc: dict[str, Any]) -> str:
    """What kind of JSON-LD document this is: its most specific type."""
    types = doc.get("type")
    types = [str(t) for t in (types if isinstance(types, list) else [types]) if t]
    base = "verifiable presentation" if "VerifiablePresentation" in types else "verifiable credential"
    specific = [t for t in types if t not in _CREDENTIAL_TYPES]
    return f"{specific[0]} ({base}, JSON-LD)" if specific else f"{base} (JSON-LD)"


# -- signatures ---------------------------------------------------------------------------------


def verify_status(jws: CompactJWS, keys: dict[str, tuple[dict[str, Any], int]]) -> tuple[str, bool | None]:
    """Verify the signature if the token or the trace carries the key; say what was done."""
    header = jws.header
    if jws.alg.lower() == "none" or not jws.alg:
        return "UNSIGNED (alg none)", False
    if isinstance(header.get("jwk"), dict):
        return _verify(jws, header["jwk"], "the key in its own jwk header (proves possession, not identity)")
    kid = jws.kid or ""
    if kid.startswith("did:jwk:"):
        jwk = did_jwk_key(kid)
        if jwk is not None:
            return _verify(jws, jwk, "the key inside its did:jwk")
    if kid in keys:
        jwk, seq = keys[kid]
        return _verify(jws, jwk, f"key {kid} from the DID document served in exchange #{seq}")
    if kid:
        return f"not verified here (key {kid} is not in this trace)", None
    return "not verified here (no kid, no jwk)", None


def _verify(jws: CompactJWS, jwk: dict[str, Any], source: str) -> tuple[str, bool | None]:
    try:
        jws.verify(PublicKey.from_jwk(jwk))
    except JoseError as exc:
        return f"INVALID against {source}: {exc}", False
    return f"valid, checked against {source}", True


def did_jwk_key(did_url: str) -> dict[str, Any] | None:
    """The JWK inside a ``did:jwk`` (or one of its DID URLs)."""
    encoded = did_url.split("#", 1)[0].removeprefix("did:jwk:")
    try:
        value = json.loads(b64url_decode(encoded))
    except (JoseError, ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


#: Per trace: (its length, the exchange asked about) and the keys found for it.
_KEY_CACHE: weakref.WeakKeyDictionary[
    Trace, tuple[tuple[int, int | None], dict[str, tuple[dict[str, Any], int]]]
] = weakref.WeakKeyDictionary()


def trace_keys(trace: Trace, exchange: Exchange | None = None) -> dict[str, tuple[dict[str, Any], int]]:
    """Public keys served in DID documents in the trace: key id → (JWK, exchange seq).

    A DID is often resolved more than once in a run. For the tokens of ``exchange`` the document
    named is the one their verifier used: fetched while handling it (a request's tokens, checked by
    its receiver), else the first one its sender fetched after it (a response's tokens, checked by
    the requester), else the latest one before it, else the first one after it.
    """
    seq = exchange.seq if exchange is not None else None
    cache_key = (len(trace), seq)
    cached = _KEY_CACHE.get(trace)
    if cached and cached[0] == cache_key:
        return cached[1]
    inside = _descendants(trace, seq) if seq is not None else set()
    ranked: dict[str, tuple[tuple[int, int], dict[str, Any], int]] = {}
    for candidate in trace.exchanges:
        doc = candidate.response.json
        if not (isinstance(doc, dict) and isinstance(doc.get("verificationMethod"), list)):
            continue
        if seq is None or candidate.seq in inside:
            rank = (3, candidate.seq)
        elif exchange is not None and candidate.seq > seq and candidate.sender == exchange.sender:
            rank = (2, -candidate.seq)
        elif candidate.seq < seq:
            rank = (1, candidate.seq)
        else:
            rank = (0, -candidate.seq)
        for kid, (jwk, at) in _document_keys(doc, candidate.seq).items():
            if kid not in ranked or rank > ranked[kid][0]:
                ranked[kid] = (rank, jwk, at)
    keys = {kid: (jwk, at) for kid, (_, jwk, at) in ranked.items()}
    _KEY_CACHE[trace] = (cache_key, keys)
    return keys


def _descendants(trace: Trace, seq: int) -> set[int]:
    """The seqs of the exchanges made while handling exchange ``seq``, at any depth."""
    found = {seq}
    for candidate in trace.exchanges:  # parents come before their children
        if candidate.parent in found:
            found.add(candidate.seq)
    return found - {seq}


def _document_keys(doc: dict[str, Any], seq: int) -> dict[str, tuple[dict[str, Any], int]]:
    out: dict[str, tuple[dict[str, Any], int]] = {}
    did = str(doc.get("id", ""))
    for method in doc["verificationMethod"][:100]:
        if isinstance(method, dict) and isinstance(method.get("publicKeyJwk"), dict):
            kid = str(method.get("id", ""))
            out[did + kid if kid.startswith("#") else kid] = (method["publicKeyJwk"], seq)
    return out
