"""The ``cryptography`` backend (OpenSSL): the default wherever the library imports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from nutssim.jose.backend import (
    ECPublicNumbers,
    OKPPublicBytes,
    PrivateOps,
    PublicNumbers,
    PublicOps,
    RSAPublicNumbers,
)
from nutssim.jose.curves import EC_ALGS, RSA_HASHES

_CURVE_OBJECTS: dict[str, ec.EllipticCurve] = {
    "P-256": ec.SECP256R1(),
    "P-384": ec.SECP384R1(),
    "P-521": ec.SECP521R1(),
}
_CRV_OF = {curve.name: crv for crv, curve in _CURVE_OBJECTS.items()}
_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}
# Built once: constructing an ECDSA object costs about 1 µs per signature (benchmarks/bench_jose.py).
_ECDSA_VERIFY = {alg: ec.ECDSA(_HASHES[curve.hash_name]) for alg, curve in EC_ALGS.items()}
# RFC 6979 deterministic nonces: the same key and input give the same signature, as in the pure backend.
_ECDSA_SIGN = {
    alg: ec.ECDSA(_HASHES[curve.hash_name], deterministic_signing=True) for alg, curve in EC_ALGS.items()
}
_PKCS8 = (serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _rsa_padding(alg: str) -> padding.AsymmetricPadding:
    """PKCS#1 v1.5 for RS*, PSS with salt = hash length for PS* (RFC 7518 §3.3, §3.5)."""
    if alg.startswith("RS"):
        return padding.PKCS1v15()
    hash_alg = _HASHES[RSA_HASHES[alg]]
    return padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=hash_alg.digest_size)


@dataclass(frozen=True)
class _Private:
    """A cryptography private key (EC, Ed25519 or RSA)."""

    key: Any
    backend = "cryptography"

    def sign(self, alg: str, data: bytes) -> bytes:
        """Return the raw JWS signature of ``data``."""
        if alg in EC_ALGS:
            r, s = decode_dss_signature(self.key.sign(data, _ECDSA_SIGN[alg]))
            size = EC_ALGS[alg].size
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")
        if alg in RSA_HASHES:
            signature: bytes = self.key.sign(data, _rsa_padding(alg), _HASHES[RSA_HASHES[alg]])
            return signature
        ed: bytes = self.key.sign(data)
        return ed

    def private_pem(self) -> bytes:
        """Return the key as unencrypted PKCS#8 PEM."""
        pem: bytes = self.key.private_bytes(*_PKCS8)
        return pem


@dataclass(frozen=True)
class _Public:
    """A cryptography public key (EC, Ed25519 or RSA)."""

    key: Any
    backend = "cryptography"

    def verify(self, alg: str, data: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` verifies; the caller checked its length for ECDSA."""
        try:
            if alg in EC_ALGS:
                size = EC_ALGS[alg].size
                r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
                self.key.verify(encode_dss_signature(r, s), data, _ECDSA_VERIFY[alg])
            elif alg in RSA_HASHES:
                self.key.verify(signature, data, _rsa_padding(alg), _HASHES[RSA_HASHES[alg]])
            else:
                self.key.verify(signature, data)
        except (InvalidSignature, ValueError):  # ValueError: a modulus too small for PSS with this hash
            return False
        return True


class CryptographyBackend:
    """ECDSA, Ed25519 and RSA through ``cryptography``."""

    name = "cryptography"

    def ec_private(self, crv: str, scalar: int) -> tuple[PrivateOps, ECPublicNumbers]:
        """Build the private key ``scalar`` on curve ``crv`` and return it with its public point."""
        key = ec.derive_private_key(scalar, _CURVE_OBJECTS[crv])
        point = key.public_key().public_numbers()
        return _Private(key), ECPublicNumbers(crv, point.x, point.y)

    def ed25519_private(self, seed: bytes) -> tuple[PrivateOps, OKPPublicBytes]:
        """Build the Ed25519 key of a 32-byte seed with its public key."""
        key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
        raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return _Private(key), OKPPublicBytes("Ed25519", raw)

    def public(self, numbers: PublicNumbers) -> PublicOps:
        """Build a verification key from validated numbers."""
        if isinstance(numbers, ECPublicNumbers):
            curve = _CURVE_OBJECTS[numbers.crv]
            return _Public(ec.EllipticCurvePublicNumbers(numbers.x, numbers.y, curve).public_key())
        if isinstance(numbers, OKPPublicBytes):
            return _Public(ed25519.Ed25519PublicKey.from_public_bytes(numbers.x))
        return _Public(rsa.RSAPublicNumbers(numbers.e, numbers.n).public_key())

    def wrap_private(self, private: object) -> tuple[PrivateOps, PublicNumbers] | None:
        """Adopt a cryptography EC (NIST curve), Ed25519 or RSA private key."""
        if isinstance(private, ec.EllipticCurvePrivateKey) and private.curve.name in _CRV_OF:
            point = private.public_key().public_numbers()
            return _Private(private), ECPublicNumbers(_CRV_OF[private.curve.name], point.x, point.y)
        if isinstance(private, ed25519.Ed25519PrivateKey):
            raw = private.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            return _Private(private), OKPPublicBytes("Ed25519", raw)
        if isinstance(private, rsa.RSAPrivateKey):
            numbers = private.public_key().public_numbers()
            return _Private(private), RSAPublicNumbers(numbers.n, numbers.e)
        return None


BACKEND = CryptographyBackend()
