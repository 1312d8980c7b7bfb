"""RSA signature verification in pure Python (RFC 8017), for the pure backend.

nutssim never makes RSA keys (PSS is randomised, which would break seeded determinism), but it
verifies RS256 and PS256/384/512 signatures made by others, so the pure backend needs these two
verification operations and nothing else.
"""

from __future__ import annotations

import hashlib
import hmac

# RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest itself.
_DIGEST_INFO = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


def _rsavp1(n: int, e: int, signature: bytes) -> int | None:
    """RSAVP1 (RFC 8017 §5.2.2) after the length check of §8.2.2 step 1; ``None`` if out of range."""
    if len(signature) != (n.bit_length() + 7) // 8:
        return None
    s = int.from_bytes(signature, "big")
    if s >= n:
        return None
    return pow(s, e, n)


def verify_pkcs1v15(n: int, e: int, hash_name: str, message: bytes, signature: bytes) -> bool:
    """RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 §8.2.2), comparing the whole encoded message."""
    m = _rsavp1(n, e, signature)
    if m is None:
        return False
    k = len(signature)
    t = _DIGEST_INFO[hash_name] + hashlib.new(hash_name, message).digest()
    if k < len(t) + 11:  # §9.2 step 3: "intended encoded message length too short"
        return False
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(m.to_bytes(k, "big"), expected)


def _mgf1(seed: bytes, length: int, hash_name: str) -> bytes:
    """MGF1 (RFC 8017 §B.2.1)."""
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hashlib.new(hash_name, seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return bytes(out[:length])


def verify_pss(n: int, e: int, hash_name: str, message: bytes, signature: bytes) -> bool:
    """RSASSA-PSS-VERIFY with MGF1 and salt length = hash length (RFC 8017 §8.1.2, §9.1.2; RFC 7518 §3.5)."""
    m = _rsavp1(n, e, signature)
    if m is None:
        return False
    em_bits = n.bit_length() - 1
    em_len = (em_bits + 7) // 8
    if m >> (8 * em_len):  # §8.1.2 step 2c: the integer does not fit emLen octets
        return False
    em = m.to_bytes(em_len, "big")
    h_len = s_len = hashlib.new(hash_name).digest_size
    if em_len < h_len + s_len + 2 or em[-1] != 0xBC:  # §9.1.2 steps 3 and 4
        return False
    masked_db, h = em[: em_len - h_len - 1], em[em_len - h_len - 1 : -1]
    top_bits = 8 * em_len - em_bits
    if top_bits and masked_db[0] >> (8 - top_bits):  # step 6: the unused top bits are zero
        return False
    db = bytearray(a ^ b for a, b in zip(masked_db, _mgf1(h, len(masked_db), hash_name), strict=True))
    db[0] &= 0xFF >> top_bits  # step 9
    padding_len = em_len - h_len - s_len - 2
    if any(db[:padding_len]) or db[padding_len] != 0x01:  # step 10
        return False
    salt = bytes(db[-s_len:])
    m_hash = hashlib.new(hash_name, message).digest()
    h_check = hashlib.new(hash_name, b"\x00" * 8 + m_hash + salt).digest()  # steps 12 and 13
    return hmac.compare_digest(h, h_check)
