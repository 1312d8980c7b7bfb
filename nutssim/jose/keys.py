"""Keys: EC P-256/384/521 and Ed25519 over jwcrypto JWKs, derived from the seeded source.

Signing uses deterministic ECDSA (RFC 6979) so the same seed gives the same signatures;
Ed25519 is deterministic by construction (RFC 8032).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from jwcrypto.jwk import JWK

from nutssim.jose.errors import AlgorithmNotAllowed, InvalidSignature, MalformedToken
from nutssim.rng import SimRandom, b64url

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

_EC_CURVES: dict[str, tuple[ec.EllipticCurve, str, hashes.HashAlgorithm, int]] = {
    "ES256": (ec.SECP256R1(), "P-256", hashes.SHA256(), 32),
    "ES384": (ec.SECP384R1(), "P-384", hashes.SHA384(), 48),
    "ES512": (ec.SECP521R1(), "P-521", hashes.SHA512(), 66),
}
_CRV_TO_ALG = {crv: alg for alg, (_, crv, _, _) in _EC_CURVES.items()}
# Built once: constructing an ECDSA object costs about 1 µs per signature (benchmarks/bench_jose.py).
_ECDSA_VERIFY = {alg: ec.ECDSA(hash_alg) for alg, (_, _, hash_alg, _) in _EC_CURVES.items()}
_ECDSA_SIGN = {
    alg: ec.ECDSA(hash_alg, deterministic_signing=True) for alg, (_, _, hash_alg, _) in _EC_CURVES.items()
}
_RSA_HASHES: dict[str, hashes.HashAlgorithm] = {
    "RS256": hashes.SHA256(),
    "PS256": hashes.SHA256(),
    "PS384": hashes.SHA384(),
    "PS512": hashes.SHA512(),
}


def thumbprint(jwk: dict[str, Any]) -> str:
    """Return the RFC 7638 SHA-256 thumbprint (base64url) of a public JWK."""
    required = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}
    kty = jwk.get("kty")
    if kty not in required:
        raise MalformedToken(f"unsupported JWK key type {kty!r}")
    try:
        members = {name: jwk[name] for name in required[kty]}
    except KeyError as exc:
        raise MalformedToken(f"JWK is missing member {exc.args[0]!r}") from None
    # RFC 7638 §3: required members only, lexicographic order, no whitespace.
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


@lru_cache(maxsize=4096)
def _verification_key(canonical_jwk: str) -> Any:
    """The cryptography key of a public JWK; keys are immutable, so parsing once is enough."""
    return JWK(**json.loads(canonical_jwk)).get_op_key("verify")


@dataclass(frozen=True)
class PublicKey:
    """A public verification key: its JWK and the ready-to-use cryptography object."""

    jwk: dict[str, Any]
    _key: Any = field(repr=False, compare=False)

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> PublicKey:
        """Parse a public JWK; a JWK that carries private members is refused."""
        if not isinstance(jwk, dict):
            raise MalformedToken("JWK must be a JSON object")
        if any(name in jwk for name in ("d", "p", "q", "dp", "dq", "qi", "oth")):
            raise MalformedToken("JWK contains private key material")
        try:
            key = _verification_key(json.dumps(jwk, sort_keys=True, separators=(",", ":")))
        except Exception as exc:  # jwcrypto raises several unrelated types for bad input
            raise MalformedToken(f"invalid JWK: {exc}") from None
        return cls(dict(jwk), key)

    @property
    def kty(self) -> str:
        """The JWK key type (EC, OKP, RSA)."""
        return str(self.jwk["kty"])

    def thumbprint(self) -> str:
        """Return the RFC 7638 thumbprint of this key."""
        return thumbprint(self.jwk)

    def default_alg(self) -> str:
        """Return the JWS algorithm this key signs with by default."""
        if self.kty == "EC":
            return _CRV_TO_ALG[str(self.jwk["crv"])]
        if self.kty == "OKP":
            return "EdDSA"
        return "PS256"

    def verify(self, alg: str, signing_input: bytes, signature: bytes) -> None:
        """Verify a raw JWS signature; raise ``InvalidSignature`` or ``AlgorithmNotAllowed``."""
        try:
            self._verify(alg, signing_input, signature)
        except _CryptoInvalidSignature:
            raise InvalidSignature("signature verification failed") from None

    def _verify(self, alg: str, signing_input: bytes, signature: bytes) -> None:
        key = self._key
        if alg in _EC_CURVES:
            _, crv, _, size = _EC_CURVES[alg]
            if not isinstance(key, ec.EllipticCurvePublicKey) or self.jwk.get("crv") != crv:
                raise AlgorithmNotAllowed(
                    f"algorithm {alg} does not fit a {self.kty} {self.jwk.get('crv')} key"
                )
            if len(signature) != 2 * size:
                raise _CryptoInvalidSignature()
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            key.verify(encode_dss_signature(r, s), signing_input, _ECDSA_VERIFY[alg])
        elif alg == "EdDSA":
            if not isinstance(key, ed25519.Ed25519PublicKey):
                raise AlgorithmNotAllowed(f"algorithm EdDSA does not fit a {self.kty} key")
            key.verify(signature, signing_input)
        elif alg in _RSA_HASHES:
            if not isinstance(key, rsa.RSAPublicKey):
                raise AlgorithmNotAllowed(f"algorithm {alg} does not fit a {self.kty} key")
            hash_alg = _RSA_HASHES[alg]
            key.verify(signature, signing_input, _rsa_padding(alg, hash_alg), hash_alg)
        else:
            raise AlgorithmNotAllowed(f"algorithm {alg!r} is not supported")


@dataclass(frozen=True)
class KeyPair:
    """A signing key with its public half; ``kid`` is set by whoever publishes it."""

    alg: str
    _private: Any = field(repr=False, compare=False)
    public: PublicKey = field(repr=False)
    kid: str | None = None

    @classmethod
    def generate(cls, rng: SimRandom, alg: str = "ES256", kid: str | None = None) -> KeyPair:
        """Derive a key from the seeded source, so the same seed gives the same key."""
        if alg in _EC_CURVES:
            curve = _EC_CURVES[alg][0]
            order = _curve_order(curve)
            scalar = int.from_bytes(rng.bytes(80), "big") % (order - 1) + 1
            private: Any = ec.derive_private_key(scalar, curve)
        elif alg == "EdDSA":
            private = ed25519.Ed25519PrivateKey.from_private_bytes(rng.bytes(32))
        else:
            raise AlgorithmNotAllowed(
                f"cannot generate {alg!r} keys: use ES256, ES384, ES512 or EdDSA "
                "(RSA-PSS signatures are randomised and would break seeded determinism)"
            )
        return cls.from_private(private, kid=kid, alg=alg)

    @classmethod
    def from_private(cls, private: Any, *, kid: str | None = None, alg: str | None = None) -> KeyPair:
        """Wrap an existing cryptography private key."""
        jwk = json.loads(JWK.from_pyca(private.public_key()).export_public())
        jwk.pop("kid", None)  # jwcrypto adds its thumbprint as kid; the key's kid is set by its publisher
        public = PublicKey(jwk, private.public_key())
        return cls(alg or public.default_alg(), private, public, kid)

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
        if self.alg in _EC_CURVES:
            size = _EC_CURVES[self.alg][3]
            der = self._private.sign(signing_input, _ECDSA_SIGN[self.alg])
            r, s = decode_dss_signature(der)
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")
        if self.alg in _RSA_HASHES:
            hash_alg = _RSA_HASHES[self.alg]
            pad = _rsa_padding(self.alg, hash_alg)
            rsa_signature: bytes = self._private.sign(signing_input, pad, hash_alg)
            return rsa_signature
        signature: bytes = self._private.sign(signing_input)
        return signature

    def private_pem(self) -> bytes:
        """Export the private key as unencrypted PKCS#8 PEM (for tests and other libraries)."""
        from cryptography.hazmat.primitives import serialization

        pem: bytes = self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return pem


def _rsa_padding(alg: str, hash_alg: hashes.HashAlgorithm) -> padding.AsymmetricPadding:
    """PKCS#1 v1.5 for RS*, PSS with salt = hash length for PS* (RFC 7518 §3.3, §3.5)."""
    if alg.startswith("RS"):
        return padding.PKCS1v15()
    return padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=hash_alg.digest_size)


def _curve_order(curve: ec.EllipticCurve) -> int:
    """Return the group order of a NIST curve."""
    orders = {
        "secp256r1": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
        "secp384r1": int(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
            16,
        ),
        "secp521r1": int(
            "01FF" + "FFFFFFFF" * 7 + "FFFFFFFA"
            "51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
            16,
        ),
    }
    return orders[curve.name]
