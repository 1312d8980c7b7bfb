"""The seeded random source: same seed, same stream; formats of tokens and uuids."""

from __future__ import annotations

import re
import uuid

from nutssim.rng import SimRandom, b64url


def test_same_seed_gives_same_stream():
    """Two sources with one seed produce the same bytes, tokens, uuids and integers."""
    a, b = SimRandom(7), SimRandom(7)
    assert [a.bytes(8), a.token(), a.uuid(), a.randbelow(1000)] == [
        b.bytes(8),
        b.token(),
        b.uuid(),
        b.randbelow(1000),
    ]


def test_different_seeds_differ():
    """Different seeds give different streams."""
    assert SimRandom(1).token() != SimRandom(2).token()


def test_token_is_43_base64url_characters():
    """A token is 32 random bytes as 43 base64url characters without padding (PROTOCOL.md §0)."""
    token = SimRandom(0).token()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)


def test_uuid_is_version_4():
    """``uuid`` returns a canonical version-4 UUID string."""
    value = SimRandom(0).uuid()
    parsed = uuid.UUID(value)
    assert parsed.version == 4
    assert str(parsed) == value


def test_randbelow_stays_in_range():
    """``randbelow(n)`` returns integers in ``[0, n)``."""
    rng = SimRandom(3)
    values = {rng.randbelow(3) for _ in range(200)}
    assert values == {0, 1, 2}


def test_child_streams_depend_on_seed_and_label_only():
    """A child stream is fixed by seed and label, not by how much the parent has drawn."""
    parent = SimRandom(5)
    first = parent.child("keys").token()
    parent.bytes(100)
    assert parent.child("keys").token() == first
    assert parent.child("nonces").token() != first
    assert SimRandom(6).child("keys").token() != first


def test_b64url_has_no_padding_and_url_safe_alphabet():
    """``b64url`` uses ``-`` and ``_`` and drops ``=`` (RFC 7515 §2)."""
    assert b64url(b"\xfb\xff") == "-_8"
    assert b64url(b"") == ""
