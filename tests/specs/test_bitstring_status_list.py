"""Bitstring Status List v1.0: the encoding, entries, list credentials and bounds."""

from __future__ import annotations

import base64
import gzip

import pytest

from nutssim.specs import bitstring_status_list as bsl
from nutssim.specs import statuslist2021 as sl

URL = "https://register.example/bsl/did:web:register.example/1"


def _entry(**changes: object) -> dict[str, object]:
    return {**bsl.status_entry(URL, 5), **changes}


def test_encoded_list_is_multibase_base64url_of_pinned_gzip() -> None:
    bits = bytearray(bsl.MIN_BYTES)
    bsl.set_status(bits, 3, 1)
    encoded = bsl.encode_list(bytes(bits))
    assert encoded.startswith("u") and "=" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert raw[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # mtime 0, OS 255: same bytes everywhere
    assert gzip.decompress(raw) == bytes(bits)
    assert bsl.decode_list(encoded) == bytes(bits)
    assert sl.gzip_pinned(b"x") == sl.gzip_pinned(b"x")  # the helper StatusList2021 shares


@pytest.mark.parametrize(
    ("encoded", "why"),
    [
        ("H4sI", "'u' prefix"),
        ("u" + "A" * 5, "without padding"),
        ("uAA==", "without padding"),
        ("u!!!!", "without padding"),
        ("uAAAA", "not gzip data"),
        (None, "'u' prefix"),
    ],
)
def test_decode_refuses_what_is_not_the_encoding(encoded: object, why: str) -> None:
    with pytest.raises(bsl.BitstringStatusError, match=why):
        bsl.decode_list(encoded)


def test_decode_is_bounded() -> None:
    bomb = bsl.encode_list(bytes(64 * 1024))
    with pytest.raises(bsl.BitstringStatusError, match="expands beyond 1000 bytes"):
        bsl.decode_list(bomb, max_bytes=1000)


def test_status_at_reads_msb_first_and_multi_bit_values() -> None:
    bits = bytearray(4)
    bsl.set_status(bits, 1, 0b10, size=2)  # bits 2 and 3
    assert bits[0] == 0b0010_0000
    assert bsl.status_at(bytes(bits), 1, 2) == 2
    assert bsl.status_at(bytes(bits), 0, 2) == 0
    with pytest.raises(bsl.BitstringStatusError, match="RANGE_ERROR: statusListIndex 16 × statusSize 2"):
        bsl.status_at(bytes(bits), 16, 2)


def test_entry_parses_and_defaults_status_size() -> None:
    entry = bsl.parse_entry(_entry())
    assert (entry.purpose, entry.index, entry.list_url, entry.size) == ("revocation", 5, URL, 1)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"statusListIndex": 5}, "statusListIndex must be a base-10 integer string"),
        ({"statusListIndex": "-1"}, "statusListIndex must be a base-10 integer string"),
        ({"statusListIndex": "9" * 40}, "statusListIndex must be a base-10 integer string"),
        ({"statusPurpose": ""}, "statusPurpose must be a non-empty string"),
        ({"statusListCredential": "not a url"}, "statusListCredential must be a URL"),
        ({"id": URL}, "id, if present, is a URL other than the status list's"),
        ({"statusSize": 0}, "statusSize must be an integer greater than zero"),
        ({"statusSize": True}, "statusSize must be an integer greater than zero"),
        ({"statusSize": 2}, "statusMessage is required when statusSize is greater than 1"),
        ({"statusSize": 2, "statusMessage": [{"status": "0x0", "message": "ok"}]}, "must list 4 values"),
        ({"statusSize": 64}, "simulator bound"),
    ],
)
def test_entry_refuses_malformed_values(changes: dict[str, object], why: str) -> None:
    with pytest.raises(bsl.BitstringStatusError, match=f"MALFORMED_VALUE_ERROR: .*{why}"):
        bsl.parse_entry(_entry(**changes))


def test_list_credential_round_trip_and_length_rule() -> None:
    bits = bytearray(bsl.MIN_BYTES)
    bsl.set_status(bits, 5, 1)
    document = bsl.list_credential_document(
        "did:web:register.example", URL, bytes(bits), "2026-01-01T00:00:00Z"
    )
    status_list = bsl.check_list_credential(document, URL)
    assert bsl.status_of(bsl.parse_entry(_entry()), status_list) == 1
    short = bsl.list_credential_document("did:web:register.example", URL, bytes(1024), "2026-01-01T00:00:00Z")
    with pytest.raises(bsl.BitstringStatusError, match="STATUS_LIST_LENGTH_ERROR: the list holds 1024 bytes"):
        bsl.check_list_credential(short, URL)
    with pytest.raises(
        bsl.BitstringStatusError, match="STATUS_VERIFICATION_ERROR: statusPurpose 'suspension'"
    ):
        bsl.status_of(bsl.parse_entry(_entry(statusPurpose="suspension")), status_list)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (
            lambda d: d.update(type=["VerifiableCredential"]),
            "type must include BitstringStatusListCredential",
        ),
        (lambda d: d.update(id="https://elsewhere.example/1"), "is not the statusListCredential URL"),
        (lambda d: d["credentialSubject"].update(type="StatusList2021"), "credentialSubject.type must be"),
        (lambda d: d["credentialSubject"].update(statusPurpose=[]), "one or more strings"),
        (lambda d: d.update(credentialSubject="x"), "credentialSubject.type must be"),
    ],
)
def test_list_credential_content_rules(change: object, why: str) -> None:
    document = bsl.list_credential_document(
        "did:web:r.example", URL, bytes(bsl.MIN_BYTES), "2026-01-01T00:00:00Z"
    )
    change(document)  # type: ignore[operator]
    with pytest.raises(bsl.BitstringStatusError, match=why):
        bsl.check_list_credential(document, URL)
