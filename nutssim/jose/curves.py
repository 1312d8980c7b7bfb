"""The JWS algorithms nutssim signs with, and the NIST curve parameters shared by both backends.

Parameters are from FIPS 186-4 §D.1.2 (SEC 2 secp256r1, secp384r1, secp521r1); every curve here
has a = -3. Checking points and reducing scalars here, not in a backend, keeps the accepted
keys and the derived keys the same whichever library signs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Curve:
    """A short-Weierstrass prime curve ``y² = x³ - 3x + b (mod p)`` with group order ``n``."""

    crv: str  # JWK name (RFC 7518 §6.2.1.1)
    alg: str  # the JWS algorithm that signs with it (RFC 7518 §3.4)
    hash_name: str  # hashlib name of the algorithm's hash
    p: int
    b: int
    n: int

    @property
    def size(self) -> int:
        """Bytes in one coordinate, and in each of ``r`` and ``s`` of a JWS signature."""
        return (self.n.bit_length() + 7) // 8

    def contains(self, x: int, y: int) -> bool:
        """Whether the affine point ``(x, y)`` lies on the curve (SEC 1 §3.2.2.1 step 2 and 3)."""
        if not (0 <= x < self.p and 0 <= y < self.p):
            return False
        return (y * y - (x * x * x - 3 * x + self.b)) % self.p == 0


P256 = Curve(
    "P-256",
    "ES256",
    "sha256",
    p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)
P384 = Curve(
    "P-384",
    "ES384",
    "sha384",
    p=2**384 - 2**128 - 2**96 + 2**32 - 1,
    b=int(
        "B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF",
        16,
    ),
    n=int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
)
P521 = Curve(
    "P-521",
    "ES512",
    "sha512",
    p=2**521 - 1,
    b=int(
        "0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00",
        16,
    ),
    n=int(
        "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
        16,
    ),
)

#: The NIST curves by JWK ``crv`` name and by JWS algorithm.
CURVES: dict[str, Curve] = {curve.crv: curve for curve in (P256, P384, P521)}
EC_ALGS: dict[str, Curve] = {curve.alg: curve for curve in CURVES.values()}

#: RSA algorithms nutssim verifies (and signs with a wrapped key): hashlib name of each hash.
RSA_HASHES: dict[str, str] = {"RS256": "sha256", "PS256": "sha256", "PS384": "sha384", "PS512": "sha512"}

#: An Ed25519 public key or seed is 32 bytes, a signature 64 (RFC 8032 §5.1.5, §5.1.6).
ED25519_SIZE = 32
