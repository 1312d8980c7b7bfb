"""Keys: EC P-256/384/521 and Ed25519 derived from the seeded source, public JWKs, RFC 7638 thumbprints.

Signing uses deterministic ECDSA (RFC 6979) so the same seed gives the same signatures;
Ed25519 is deterministic by construction (RFC 8032). The arithmetic is done by the crypto
backend (``nutssim.jose.backend``); parsing and checking JWKs, deriving scalars and building
JWKs happen here, once for both backends, so they accept the same keys with the same messages.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from nutssim.errors import SimulationError
from nutssim.jose import backend as _backend
from nutssim.jose.b64 import b64url_decode
from nutssim.jose.backend import (
    ECPublicNumbers,
    OKPPublicBytes,
    PrivateOps,
    PublicNumbers,
    PublicOps,
    RSAPublicNumbers,
)
from nutssim.jose.curves import CURVES, EC_ALGS, ED25519_SIZE, RSA_HASHES
from nutssim.jose.errors import AlgorithmNotAllowed, InvalidSignature, MalformedToken
from nutssim.rng import SimRandom, b64url

#: ``json.dumps(..., sort_keys=True, separators=(",", ":"))`` without an encoder built per call (same text).
_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode

#: Algorithms the reference accepts for DPoP, JAR, VCs and VPs (PROTOCOL.md §0).
SUPPORTED_ALGS: tuple[str, ...] = (
    "ES256",
    "EdDSA",
    "ES384",
    "ES512",
    "PS256",
    "PS384",
    "PS512",
    "RS256",
)

_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth")
# Curves a JWK may name that nutssim parses (as jwcrypto does) but that no supported alg fits.
_FOREIGN_CURVES = {"EC": {"secp256k1", "BP-256", "BP-384", "BP-512"}, "OKP": {"Ed448", "X25519", "X448"}}
_REQUIRED = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}


def thumbprint(jwk: dict[str, Any]) -> str:
    """Return the RFC 7638 SHA-256 thumbprint (base64url) of a public JWK."""
    kty = jwk.get("kty")
    if not isinstance(kty, str) or kty not in _REQUIRED:
        raise MalformedToken(f"unsupported JWK key type {kty!r}")
    try:
        members = {name: jwk[name] for name in _REQUIRED[kty]}
    except KeyError as exc:
        raise MalformedToken(f"JWK is missing member {exc.args[0]!r}") from None
    # RFC 7638 §3: required members only, lexicographic order, no whitespace.
    canonical = _canonical(members)
    return b64url(hashlib.sha256(canonical.encode()).digest())


# -- JWK members ⇄ numbers (RFC 7518 §6) --------------------------------------------------------------------
def _b64_member(jwk: dict[str, Any], name: str) -> bytes:
    """A required base64url member of a JWK, decoded strictly."""
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise MalformedToken(f"invalid JWK: member {name!r} is missing or not a string")
    try:
        return b64url_decode(value)
    except MalformedToken:
        raise MalformedToken(f"invalid JWK: member {name!r} is not base64url") from None


def _check_usage(jwk: dict[str, Any]) -> None:
    """A key whose ``use`` or ``key_ops`` rule out verifying signatures is refused (RFC 7517 §4.2, §4.3)."""
    use = jwk.get("use")
    if use is not None and use != "sig":
        raise MalformedToken(f'invalid JWK: "use" is {use!r}, not "sig"')
    ops = jwk.get("key_ops")
    if ops is not None and (not isinstance(ops, list) or "verify" not in ops):
        raise MalformedToken(f'invalid JWK: "key_ops" {ops!r} does not allow "verify"')


def _numbers_of(jwk: dict[str, Any]) -> PublicNumbers | None:
    """The public numbers of a JWK; ``None`` for a well-formed key that no supported alg fits."""
    kty = jwk.get("kty")
    _check_usage(jwk)
    if kty == "oct":  # parsed, as in the reference, but never a verification key
        _b64_member(jwk, "k")
        return None
    if kty == "RSA":
        n = int.from_bytes(_b64_member(jwk, "n"), "big")
        e = int.from_bytes(_b64_member(jwk, "e"), "big")
        # The checks OpenSSL makes on load, made here so both backends accept the same keys.
        if n < 3 or n % 2 == 0 or e < 3 or e >= n or e % 2 == 0:
            raise MalformedToken(
                "invalid JWK: RSA modulus or exponent out of range (n odd ≥ 3, e odd in [3, n))"
            )
        return RSAPublicNumbers(n, e)
    if kty not in ("EC", "OKP"):
        raise MalformedToken(f"invalid JWK: unsupported key type {kty!r}")
    crv = jwk.get("crv")
    if not isinstance(crv, str):
        raise MalformedToken(f'invalid JWK: "crv" {crv!r} is not a string')
    if crv in _FOREIGN_CURVES[kty]:
        _b64_member(jwk, "x")
        return None
    if kty == "OKP":
        if crv != "Ed25519":
            raise MalformedToken(f"invalid JWK: unknown OKP curve {crv!r}")
        raw = _b64_member(jwk, "x")
        if len(raw) != ED25519_SIZE:
            raise MalformedToken(f"invalid JWK: an Ed25519 key is {ED25519_SIZE} bytes, not {len(raw)}")
        return OKPPublicBytes("Ed25519", raw)
    curve = CURVES.get(crv)
    if curve is None:
        raise MalformedToken(f"invalid JWK: unknown EC curve {crv!r}")
    x = int.from_bytes(_b64_member(jwk, "x"), "big")
    y = int.from_bytes(_b64_member(jwk, "y"), "big")
    if not curve.contains(x, y):  # an off-curve point invites invalid-curve attacks
        raise MalformedToken(f"invalid JWK: the point is not on curve {curve.crv}")
    return ECPublicNumbers(curve.crv, x, y)


def _int_b64(value: int, size: int | None = None) -> str:
    """Base64urlUInt (RFC 7518 §2): big-endian, minimal unless ``size`` fixes the length."""
    length = size if size is not None else max(1, (value.bit_length() + 7) // 8)
    return b64url(value.to_bytes(length, "big"))


def _jwk_of(numbers: PublicNumbers) -> dict[str, Any]:
    """The public JWK of ``numbers``, members sorted (as jwcrypto exported them)."""
    if isinstance(numbers, ECPublicNumbers):
        size = CURVES[numbers.crv].size  # coordinates at full size (RFC 7518 §6.2.1.2)
        return {
            "crv": numbers.crv,
            "kty": "EC",
            "x": _int_b64(numbers.x, size),
            "y": _int_b64(numbers.y, size),
        }
    if isinstance(numbers, OKPPublicBytes):
        return {"crv": numbers.crv, "kty": "OKP", "x": b64url(numbers.x)}
    return {"e": _int_b64(numbers.e), "kty": "RSA", "n": _int_b64(numbers.n)}


@lru_cache(maxsize=4096)
def _verification_key(backend: str, canonical_jwk: str) -> tuple[PublicNumbers | None, PublicOps | None]:
    """The numbers and backend key of a public JWK; keys are immutable, so parsing once is enough."""
    numbers = _numbers_of(json.loads(canonical_jwk))
    if numbers is None:
        return None, None
    try:
        return numbers, _backend.load_backend(backend).public(numbers)
    except ValueError as exc:  # a library refusing what the shared checks let through
        raise MalformedToken(f"invalid JWK: {exc}") from None


def _fits(alg: str, numbers: PublicNumbers | None) -> bool:
    """Whether ``alg`` can sign with a key of ``numbers``."""
    if alg in EC_ALGS:
        return isinstance(numbers, ECPublicNumbers) and numbers.crv == EC_ALGS[alg].crv
    if alg == "EdDSA":
        return isinstance(numbers, OKPPublicBytes)
    return alg in RSA_HASHES and isinstance(numbers, RSAPublicNumbers)


@dataclass(frozen=True)
class PublicKey:
    """A public verification key: its JWK, its numbers and the backend's ready-to-use key."""

    jwk: dict[str, Any]
    _numbers: PublicNumbers | None = field(repr=False, compare=False)
    _ops: PublicOps | None = field(repr=False, compare=False)

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> PublicKey:
        """Parse a public JWK; a JWK that carries private members is refused."""
        if not isinstance(jwk, dict):
            raise MalformedToken("JWK must be a JSON object")
        if any(name in jwk for name in _PRIVATE_MEMBERS):
            raise MalformedToken("JWK contains private key material")
        try:
            canonical = _canonical(jwk)
        except (TypeError, ValueError) as exc:
            raise MalformedToken(f"invalid JWK: {exc}") from None
        numbers, ops = _verification_key(_backend.backend_name(), canonical)
        return cls(dict(jwk), numbers, ops)

    @classmethod
    def _of(cls, numbers: PublicNumbers, ops: PublicOps) -> PublicKey:
        """The public key of numbers a backend computed."""
        return cls(_jwk_of(numbers), numbers, ops)

    @property
    def kty(self) -> str:
        """The JWK key type (EC, OKP, RSA)."""
        return str(self.jwk["kty"])

    @property
    def backend(self) -> str | None:
        """The name of the crypto backend that verifies with this key (``None`` if nothing can)."""
        return None if self._ops is None else str(getattr(self._ops, "backend", "?"))

    def thumbprint(self) -> str:
        """Return the RFC 7638 thumbprint of this key."""
        return thumbprint(self.jwk)

    def default_alg(self) -> str:
        """Return the JWS algorithm this key signs with by default."""
        if self.kty == "EC":
            return CURVES[str(self.jwk["crv"])].alg
        if self.kty == "OKP":
            return "EdDSA"
        return "PS256"

    def verify(self, alg: str, signing_input: bytes, signature: bytes) -> None:
        """Verify a raw JWS signature; raise ``InvalidSignature`` or ``AlgorithmNotAllowed``."""
        if alg not in EC_ALGS and alg not in RSA_HASHES and alg != "EdDSA":
            raise AlgorithmNotAllowed(f"algorithm {alg!r} is not supported")
        if self._ops is None or not _fits(alg, self._numbers):
            crv = f" {self.jwk.get('crv')}" if alg in EC_ALGS else ""
            raise AlgorithmNotAllowed(f"algorithm {alg} does not fit a {self.kty}{crv} key")
        # RFC 7518 §3.4: an ECDSA JWS signature is exactly r || s at the curve's size.
        if alg in EC_ALGS and len(signature) != 2 * EC_ALGS[alg].size:
            raise InvalidSignature("signature verification failed")
        if not self._ops.verify(alg, signing_input, signature):
            raise InvalidSignature("signature verification failed")


@dataclass(frozen=True)
class KeyPair:
    """A signing key with its public half; ``kid`` is set by whoever publishes it."""

    alg: str
    _private: PrivateOps = field(repr=False, compare=False)
    public: PublicKey = field(repr=False)
    kid: str | None = None

    @classmethod
    def generate(cls, rng: SimRandom, alg: str = "ES256", kid: str | None = None) -> KeyPair:
        """Derive a key from the seeded source, so the same seed gives the same key on either backend."""
        backend = _backend.current_backend()
        if alg in EC_ALGS:
            curve = EC_ALGS[alg]
            # 80 bytes are ≥ 64 bits more than any order, so reducing mod n - 1 is unbiased enough
            # (FIPS 186-4 §B.4.1); shared code, so both backends get the same scalar.
            scalar = int.from_bytes(rng.bytes(80), "big") % (curve.n - 1) + 1
            private, numbers = backend.ec_private(curve.crv, scalar)
            public = PublicKey._of(numbers, backend.public(numbers))
        elif alg == "EdDSA":
            private, ed = backend.ed25519_private(rng.bytes(ED25519_SIZE))
            public = PublicKey._of(ed, backend.public(ed))
        else:
            raise AlgorithmNotAllowed(
                f"cannot generate {alg!r} keys: use ES256, ES384, ES512 or EdDSA "
                "(RSA-PSS signatures are randomised and would break seeded determinism)"
            )
        return cls(alg, private, public, kid)

    @classmethod
    def from_private(cls, private: object, *, kid: str | None = None, alg: str | None = None) -> KeyPair:
        """Wrap an existing private key of a backend's library (cryptography, or ecdsa's ``SigningKey``)."""
        names = (
            _backend.backend_name(),
            *(n for n in _backend.available_backends() if n != _backend.backend_name()),
        )
        for name in names:
            backend = _backend.load_backend(name)
            wrapped = backend.wrap_private(private)
            if wrapped is not None:
                ops, numbers = wrapped
                public = PublicKey._of(numbers, backend.public(numbers))
                chosen = alg or public.default_alg()
                if not _fits(chosen, numbers):
                    raise AlgorithmNotAllowed(f"algorithm {chosen} does not fit a {public.kty} key")
                return cls(chosen, ops, public, kid)
        raise SimulationError(
            f"cannot wrap a {type(private).__name__} as a signing key: "
            "hint: pass a cryptography EC/Ed25519/RSA private key or an ecdsa.SigningKey"
        )

    @property
    def backend(self) -> str:
        """The name of the crypto backend that signs with this key."""
        return str(getattr(self._private, "backend", "?"))

    def with_kid(self, kid: str) -> KeyPair:
        """Return the same key under another key id."""
        return KeyPair(self.alg, self._private, self.public, kid)

    def public_jwk(self, *, with_kid: bool = False, with_alg: bool = False) -> dict[str, Any]:
        """Return the public JWK, optionally with ``kid`` and ``alg`` members."""
        out = dict(self.public.jwk)
        if with_kid and self.kid:
            out["kid"] = self.kid
        if with_alg:
            out["alg"] = self.alg
        return out

    def thumbprint(self) -> str:
        """Return the RFC 7638 thumbprint of the public key."""
        return self.public.thumbprint()

    def sign(self, signing_input: bytes) -> bytes:
        """Sign with this key's ``alg``; the result is the raw JWS signature."""
        return self._private.sign(self.alg, signing_input)

    def private_pem(self) -> bytes:
        """Export the private key as unencrypted PKCS#8 PEM (for tests and other libraries)."""
        return self._private.private_pem()


def _curve_order(crv: str) -> int:
    """Return the group order of a NIST curve named by its JWK ``crv``."""
    return CURVES[crv].n
