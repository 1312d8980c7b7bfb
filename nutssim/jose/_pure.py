"""The pure-Python backend: the ``ecdsa`` package (RFC 6979 ECDSA, RFC 8032 Ed25519) and RFC 8017 RSA.

Chosen where ``cryptography`` has no wheel (Pyodide). It must give the bytes OpenSSL gives:
RFC 6979 fixes the ECDSA nonce, neither library normalises ``s`` to the low half (JWS has no
low-s rule, RFC 7518 §3.4), and Ed25519 signatures are deterministic by construction.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ecdsa
from ecdsa import der
from ecdsa.ellipticcurve import Point, PointEdwards
from ecdsa.util import sigdecode_string, sigencode_string

from nutssim.jose import _rsa
from nutssim.jose.backend import (
    ECPublicNumbers,
    OKPPublicBytes,
    PrivateOps,
    PublicNumbers,
    PublicOps,
)
from nutssim.jose.curves import CURVES, EC_ALGS, ED25519_SIZE, RSA_HASHES

_CURVE_OBJECTS: dict[str, ecdsa.curves.Curve] = {
    "P-256": ecdsa.NIST256p,
    "P-384": ecdsa.NIST384p,
    "P-521": ecdsa.NIST521p,
}
_CRV_OF = {curve.name: crv for crv, curve in _CURVE_OBJECTS.items()}
_HASHFUNC: dict[str, Callable[..., Any]] = {
    crv: getattr(hashlib, curve.hash_name) for crv, curve in CURVES.items()
}


@dataclass(frozen=True)
class _Private:
    """An ``ecdsa`` signing key on a NIST curve or Ed25519."""

    key: ecdsa.SigningKey
    backend = "pure"

    def sign(self, alg: str, data: bytes) -> bytes:
        """Return the raw JWS signature of ``data`` (``r || s`` at full size for ECDSA)."""
        if alg in EC_ALGS:
            # sign_deterministic is RFC 6979 §3.2 with the JWS hash; sigencode_string pads r and s
            # to the order's byte length, as RFC 7518 §3.4 wants.
            hashfunc = _HASHFUNC[EC_ALGS[alg].crv]
            signature: bytes = self.key.sign_deterministic(
                data, hashfunc=hashfunc, sigencode=sigencode_string
            )
            return signature
        ed: bytes = self.key.sign_deterministic(data)  # pure EdDSA, RFC 8032 §5.1.6
        return ed

    def private_pem(self) -> bytes:
        """Return the key as unencrypted PKCS#8 PEM, the bytes OpenSSL writes."""
        pkcs8: bytes = self.key.to_der(format="pkcs8")
        if self.key.curve == ecdsa.Ed25519:
            return _pem(pkcs8)
        # ecdsa labels an EC PrivateKeyInfo version 1, which RFC 5958 §2 reserves for keys that carry
        # the outer publicKey field; OpenSSL refuses it. Version 0 is PKCS#8 v1 (RFC 5208 §5).
        body, _ = der.remove_sequence(pkcs8)
        _, rest = der.remove_integer(body)
        return _pem(der.encode_sequence(der.encode_integer(0), rest))


def _pem(data: bytes) -> bytes:
    """PEM of a PKCS#8 key with 64-character lines (RFC 7468 §2), as OpenSSL writes it."""
    text = base64.b64encode(data)
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return b"-----BEGIN PRIVATE KEY-----\n" + b"\n".join(lines) + b"\n-----END PRIVATE KEY-----\n"


@dataclass(frozen=True)
class _PublicEC:
    """An ``ecdsa`` verifying key on a NIST curve."""

    key: ecdsa.VerifyingKey
    hashfunc: Callable[..., Any]
    backend = "pure"

    def verify(self, alg: str, data: bytes, signature: bytes) -> bool:
        """Return whether the ``r || s`` signature verifies (r and s in [1, n-1], SEC 1 §4.1.4)."""
        try:
            return bool(self.key.verify(signature, data, hashfunc=self.hashfunc, sigdecode=sigdecode_string))
        except ecdsa.BadSignatureError:
            return False


@dataclass(frozen=True)
class _PublicEd25519:
    """An Ed25519 public key; ``None`` when its 32 bytes are no curve point (nothing verifies then)."""

    key: ecdsa.VerifyingKey | None
    backend = "pure"

    def verify(self, alg: str, data: bytes, signature: bytes) -> bool:
        """RFC 8032 §5.1.7, refusing a non-canonical R encoding as OpenSSL does (it compares bytes)."""
        if self.key is None or len(signature) != 2 * ED25519_SIZE:
            return False
        try:
            point = PointEdwards.from_bytes(ecdsa.Ed25519.curve, signature[:ED25519_SIZE])
            if point.to_bytes() != signature[:ED25519_SIZE]:
                return False
            return bool(self.key.verify(signature, data))
        except (ecdsa.BadSignatureError, ecdsa.MalformedPointError, ValueError):
            return False


@dataclass(frozen=True)
class _PublicRSA:
    """An RSA public key, verified with the RFC 8017 code in ``_rsa``."""

    n: int
    e: int
    backend = "pure"

    def verify(self, alg: str, data: bytes, signature: bytes) -> bool:
        """RS256 is PKCS#1 v1.5, PS* is PSS with MGF1 and salt = hash length (RFC 7518 §3.3, §3.5)."""
        check = _rsa.verify_pkcs1v15 if alg.startswith("RS") else _rsa.verify_pss
        return check(self.n, self.e, RSA_HASHES[alg], data, signature)


class PureBackend:
    """ECDSA and Ed25519 through the pure-Python ``ecdsa`` package, RSA verification through ``_rsa``."""

    name = "pure"

    def ec_private(self, crv: str, scalar: int) -> tuple[PrivateOps, ECPublicNumbers]:
        """Build the private key ``scalar`` on curve ``crv`` and return it with its public point."""
        key = ecdsa.SigningKey.from_secret_exponent(
            scalar, curve=_CURVE_OBJECTS[crv], hashfunc=_HASHFUNC[crv]
        )
        point = key.get_verifying_key().pubkey.point
        return _Private(key), ECPublicNumbers(crv, point.x(), point.y())

    def ed25519_private(self, seed: bytes) -> tuple[PrivateOps, OKPPublicBytes]:
        """Build the Ed25519 key of a 32-byte seed with its public key."""
        key = ecdsa.SigningKey.from_string(seed, curve=ecdsa.Ed25519)
        return _Private(key), OKPPublicBytes("Ed25519", key.get_verifying_key().to_string())

    def public(self, numbers: PublicNumbers) -> PublicOps:
        """Build a verification key from validated numbers."""
        if isinstance(numbers, ECPublicNumbers):
            curve = _CURVE_OBJECTS[numbers.crv]
            point = Point(curve.curve, numbers.x, numbers.y, curve.order)
            key = ecdsa.VerifyingKey.from_public_point(point, curve=curve, hashfunc=_HASHFUNC[numbers.crv])
            return _PublicEC(key, _HASHFUNC[numbers.crv])
        if isinstance(numbers, OKPPublicBytes):
            try:
                ed = ecdsa.VerifyingKey.from_string(numbers.x, curve=ecdsa.Ed25519)
            except (ecdsa.MalformedPointError, ValueError):
                # OpenSSL loads any 32 bytes and fails at verification; so does this backend.
                return _PublicEd25519(None)
            return _PublicEd25519(ed)
        return _PublicRSA(numbers.n, numbers.e)

    def wrap_private(self, private: object) -> tuple[PrivateOps, PublicNumbers] | None:
        """Adopt an ``ecdsa.SigningKey`` on a NIST curve or Ed25519."""
        if not isinstance(private, ecdsa.SigningKey):
            return None
        if private.curve == ecdsa.Ed25519:
            return _Private(private), OKPPublicBytes("Ed25519", private.get_verifying_key().to_string())
        crv = _CRV_OF.get(private.curve.name)
        if crv is None:
            return None
        point = private.get_verifying_key().pubkey.point
        return _Private(private), ECPublicNumbers(crv, point.x(), point.y())


BACKEND = PureBackend()
