"""did:key resolution (W3C CCG did:key v0.7 §3.1), locally, as nuts-node ``vdr/didkey/resolver.go`` does it.

A did:key is ``did:key:z`` + base58btc(varint multicodec ‖ public key). The reference
(``Resolver.Resolve``) expands Ed25519, X25519, P-256/384/521 (compressed points) and RSA
(PKCS#1, at least 2048 bits) into a document with one JsonWebKey2020 method ``did#z…`` under
assertionMethod, authentication, keyAgreement, capabilityDelegation and capabilityInvocation;
it refuses bls12381 and secp256k1. The error texts are the reference's.
"""

from __future__ import annotations

import base58

from nutssim.jose.curves import P256, P384, P521, Curve
from nutssim.models.did import DIDDocument, VerificationMethod
from nutssim.rng import b64url as b64url_encode

LDS_JWS2020 = "https://w3c-ccg.github.io/lds-jws2020/contexts/lds-jws2020-v1.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
#: multicodec table codes (github.com/multiformats/multicodec table.csv).
ED25519, X25519, SECP256K1, BLS12_381_G2 = 0xED, 0xEC, 0xE7, 0xEB
P256_PUB, P384_PUB, P521_PUB, RSA_PUB = 0x1200, 0x1201, 0x1202, 0x1205
_EC = {P256_PUB: (P256, 33), P384_PUB: (P384, 49), P521_PUB: (P521, 67)}
INVALID_LENGTH = "invalid did:key: invalid public key length"


class DidKeyError(ValueError):
    """A did:key that does not decode to a supported key; the text is the reference's."""


def _uvarint(data: bytes) -> tuple[int, bytes]:
    """``binary.ReadUvarint``: the multicodec code and the bytes after it."""
    value = shift = 0
    for i, byte in enumerate(data[:10]):
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, data[i + 1 :]
        shift += 7
    raise DidKeyError(
        "did:key: invalid multicodec value: EOF"
        if len(data) < 10
        else "did:key: invalid multicodec value: overflow"
    )


def _ec_jwk(curve: Curve, raw: bytes) -> dict[str, str]:
    """A compressed SEC 1 point (§2.3.3) as a JWK; y from x (these curves have p ≡ 3 mod 4)."""
    if len(raw) != curve.size + 1 or raw[0] not in (2, 3):
        raise DidKeyError(INVALID_LENGTH if len(raw) != curve.size + 1 else "did:key: invalid EC point")
    x = int.from_bytes(raw[1:], "big")
    y = pow((x * x * x - 3 * x + curve.b) % curve.p, (curve.p + 1) // 4, curve.p)
    if y % 2 != raw[0] % 2:
        y = curve.p - y
    if not curve.contains(x, y):
        raise DidKeyError("did:key: invalid EC point")  # elliptic.UnmarshalCompressed returns nil
    size = curve.size
    return {
        "kty": "EC",
        "crv": curve.crv,
        "x": b64url_encode(x.to_bytes(size, "big")),
        "y": b64url_encode(y.to_bytes(size, "big")),
    }


def _der_integers(data: bytes) -> list[int]:
    """The INTEGERs of a DER SEQUENCE (X.690 §8.3), enough for a PKCS#1 RSAPublicKey (RFC 8017 A.1.1)."""

    def item(buf: bytes, at: int) -> tuple[int, int, int]:
        if at + 2 > len(buf):
            raise DidKeyError("did:key: invalid PKCS#1 encoded RSA public key: truncated")
        tag, length, at = buf[at], buf[at + 1], at + 2
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 4 or at + count > len(buf):
                raise DidKeyError("did:key: invalid PKCS#1 encoded RSA public key: bad length")
            length, at = int.from_bytes(buf[at : at + count], "big"), at + count
        if at + length > len(buf):
            raise DidKeyError("did:key: invalid PKCS#1 encoded RSA public key: truncated")
        return tag, at, at + length

    tag, start, end = item(data, 0)
    if tag != 0x30 or end != len(data):
        raise DidKeyError("did:key: invalid PKCS#1 encoded RSA public key: not a SEQUENCE")
    out, at = [], start
    while at < end:
        tag, start, at = item(data, at)
        if tag != 0x02:
            raise DidKeyError("did:key: invalid PKCS#1 encoded RSA public key: not an INTEGER")
        out.append(int.from_bytes(data[start:at], "big"))
    return out


def _rsa_jwk(raw: bytes) -> dict[str, str]:
    """``x509.ParsePKCS1PublicKey``, then the reference's 2048-bit floor."""
    numbers = _der_integers(raw)
    if len(numbers) != 2:
        raise DidKeyError("did:key: invalid PKCS#1 encoded RSA public key: want modulus and exponent")
    n, e = numbers
    if (n.bit_length() + 7) // 8 < 256:
        raise DidKeyError("did:key: RSA public key is too small (must be at least 2048 bits)")
    return {
        "kty": "RSA",
        "n": b64url_encode(n.to_bytes((n.bit_length() + 7) // 8, "big")),
        "e": b64url_encode(e.to_bytes((e.bit_length() + 7) // 8, "big")),
    }


def _base58btc(text: str) -> bytes:
    """base58btc (the Bitcoin alphabet); errors in mr-tron/base58 ``DecodeAlphabet``'s words."""
    if not text:
        raise DidKeyError("did:key: invalid base58btc: zero length string")
    bad = next((c for c in text if c not in base58.BITCOIN_ALPHABET.decode()), None)
    if bad is not None:
        raise DidKeyError(f"did:key: invalid base58btc: invalid base58 digit ({bad!r})")
    return base58.b58decode(text)


def public_jwk(did: str) -> dict[str, str]:
    """The public key a did:key encodes, as a JWK (``Resolver.Resolve``'s switch)."""
    encoded = did.removeprefix("did:key:")
    if not encoded or encoded[0] != "z":
        raise DidKeyError("did:key does not start with 'z'")
    data = _base58btc(encoded[1:])
    code, raw = _uvarint(data)
    if code == BLS12_381_G2:
        raise DidKeyError("did:key: bls12381 public keys are not supported")
    if code == SECP256K1:
        raise DidKeyError("did:key: secp256k1 public keys are not supported")
    if code in (ED25519, X25519):
        if len(raw) != 32:
            raise DidKeyError(INVALID_LENGTH)
        return {"kty": "OKP", "crv": "Ed25519" if code == ED25519 else "X25519", "x": b64url_encode(raw)}
    if code in _EC:
        return _ec_jwk(_EC[code][0], raw)
    if code == RSA_PUB:
        return _rsa_jwk(raw)
    raise DidKeyError(f"did:key: unsupported public key type: 0x{code:x}")


def document(did: str) -> DIDDocument:
    """The did:key document: one method ``did#z…`` in every relationship the reference adds it to."""
    jwk = public_jwk(did)
    kid = f"{did}#{did.removeprefix('did:key:')}"
    method = VerificationMethod(id=kid, controller=did, publicKeyJwk=jwk)
    return DIDDocument.model_validate(
        {
            "@context": [LDS_JWS2020, DID_V1],
            "id": did,
            "verificationMethod": [method.model_dump(by_alias=True)],
            "assertionMethod": [kid],
            "authentication": [kid],
            "keyAgreement": [kid],
            "capabilityDelegation": [kid],
            "capabilityInvocation": [kid],
        }
    )


def key_did(code: int, raw: bytes) -> str:
    """Build a did:key from a multicodec code and key bytes (the inverse, for tests and scenarios)."""
    prefix = bytearray()
    while True:
        byte, code = code & 0x7F, code >> 7
        prefix.append(byte | (0x80 if code else 0))
        if not code:
            break
    return "did:key:z" + base58.b58encode(bytes(prefix) + raw).decode()
