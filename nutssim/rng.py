"""The seeded random source: every id, nonce, code, state, verifier and key comes from here."""

from __future__ import annotations

import base64
import hashlib
import random
import uuid


def b64url(data: bytes) -> str:
    """Encode bytes as base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class SimRandom:
    """Deterministic randomness for one simulation; the same seed gives the same stream."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._random = random.Random(seed)

    def bytes(self, n: int) -> bytes:
        """Return ``n`` random bytes."""
        return self._random.randbytes(n)

    def token(self) -> str:
        """Return 32 random bytes as 43 base64url characters, as the reference's GenerateNonce."""
        return b64url(self.bytes(32))

    def uuid(self) -> str:
        """Return a random (version 4) UUID string."""
        return str(uuid.UUID(bytes=self.bytes(16), version=4))

    def randbelow(self, n: int) -> int:
        """Return a random integer in ``[0, n)``."""
        return self._random.randrange(n)

    def child(self, label: str) -> SimRandom:
        """Return an independent stream derived from this one and a label."""
        return SimRandom(_derive(self.seed, label))


def _derive(seed: int, label: str) -> int:
    """Derive a child seed that does not depend on Python's hash randomisation."""
    digest = hashlib.sha256(f"{seed}/{label}".encode()).digest()
    return int.from_bytes(digest[:8], "big")
