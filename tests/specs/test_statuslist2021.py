"""StatusList2021: the spec's empty-list vector, bit layout, entries and list credentials."""

from __future__ import annotations

import base64
import gzip
import re
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nutssim.errors import SimulationError
from nutssim.specs import statuslist2021 as sl
from nutssim.specs.statuslist2021 import Bitstring, StatusListError

# StatusList2021 empty list (PROTOCOL.md §5 item 6).
EMPTY_LIST = "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
LIST_URL = "https://nodeA/statuslist/did:web:nodeA:iam:1/1"
ISSUER = "did:web:nodeA:iam:1"
CONTEXTS = [sl.VC_CONTEXT_V1, sl.STATUS_LIST_CONTEXT]


# --- bitstring ----------------------------------------------------------------------------------


def test_empty_list_vector_decodes_to_16384_zero_bytes():
    bits = Bitstring.decode(EMPTY_LIST)
    assert bits.to_bytes() == bytes(16384)
    assert bits.size == sl.DEFAULT_SIZE == 131072
    assert bits == Bitstring()
    assert list(bits.set_indices()) == []


def test_padded_encoding_accepted():
    bits = Bitstring()
    index = 0
    while len(bits.encode()) % 4 == 0:  # find a list whose base64 needs padding
        bits.set(index)
        index += 1
    unpadded = bits.encode()
    padded = base64.urlsafe_b64encode(base64.urlsafe_b64decode(unpadded + "==")).decode()
    assert padded.endswith("=") and padded.rstrip("=") == unpadded
    assert Bitstring.decode(padded) == Bitstring.decode(unpadded) == bits


@pytest.mark.parametrize(
    ("index", "offset", "mask"), [(94567, 11820, 0x01), (0, 0, 0x80), (7, 0, 0x01), (8, 1, 0x80)]
)
def test_bit_layout_msb_first(index, offset, mask):
    bits = Bitstring()
    bits.set(index)
    raw = bits.to_bytes()
    assert raw[offset] == mask
    assert sum(raw) == mask
    assert bits.get(index)
    assert list(bits.set_indices()) == [index]


def test_set_and_clear_round_trip():
    bits = Bitstring()
    for index in (0, 1, 94567, 131071):
        bits.set(index)
        bits.set(index)  # idempotent
    assert list(bits.set_indices()) == [0, 1, 94567, 131071]
    bits.clear(1)
    bits.clear(1)
    assert not bits.get(1) and bits.get(0)
    assert Bitstring.decode(bits.encode()) == bits
    for index in (0, 94567, 131071):
        bits.clear(index)
    assert bits == Bitstring()


@pytest.mark.parametrize("index", [131072, -1, 10**9, True, "3"])
def test_index_not_in_status_list(index):
    bits = Bitstring()
    for operation in (bits.get, bits.set, bits.clear):
        with pytest.raises(StatusListError, match=r"^index not in status list$") as info:
            operation(index)
        assert info.value.check == "statuslist.index"


def test_encode_is_deterministic_unpadded_base64url_of_gzip():
    bits = Bitstring()
    bits.set(42)
    encoded = bits.encode()
    assert encoded == bits.encode()
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0"  # gzip magic, mtime 0
    assert gzip.decompress(raw) == bits.to_bytes()


def test_gzip_header_is_pinned_not_the_platforms():
    """The signed encodedList has one gzip header on every platform: OS byte ff, not zlib's build OS."""
    for bits in (Bitstring(), Bitstring(16), Bitstring.from_bytes(bytes(range(256)) * 9)):
        raw = base64.urlsafe_b64decode(bits.encode() + "==")
        # ID1 ID2 CM FLG | MTIME (4) | XFL OS  (RFC 1952 §2.3)
        assert raw[:10] == bytes.fromhex("1f8b08000000000002ff")
        assert gzip.decompress(raw) == bits.to_bytes()
        assert raw[-8:] == zlib.crc32(bits.to_bytes()).to_bytes(4, "little") + len(bits.to_bytes()).to_bytes(
            4, "little"
        )
        # The deflate stream is zlib's level 9: the same body gzip.compress writes, only the header differs.
        assert raw[10:] == gzip.compress(bits.to_bytes(), compresslevel=9, mtime=0)[10:]


def test_small_lists_and_bad_sizes():
    assert Bitstring(8).size == 8
    for size in (0, 7, -8):
        with pytest.raises(SimulationError):
            Bitstring(size)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "not base64!",
        "H4sI+AAA",
        "AAAA",
        base64.urlsafe_b64encode(b"plain text").decode(),
        EMPTY_LIST[:-8],
        None,
    ],
)
def test_decode_refuses_garbage(encoded):
    with pytest.raises(StatusListError) as info:
        Bitstring.decode(encoded)
    assert info.value.check == "statuslist.encoding"


def test_decode_refuses_trailing_garbage_but_accepts_two_members():
    member = base64.urlsafe_b64decode(EMPTY_LIST + "==")
    two = base64.urlsafe_b64encode(member + gzip.compress(b"\x80", mtime=0)).decode()
    assert Bitstring.decode(two).size == 16385 * 8
    junk = base64.urlsafe_b64encode(member + b"junk").decode()
    with pytest.raises(StatusListError):
        Bitstring.decode(junk)


def test_decode_bounds_the_expanded_size():
    bomb = base64.urlsafe_b64encode(gzip.compress(bytes(1 << 20), mtime=0)).decode()
    assert Bitstring.decode(bomb).size == 8 << 20
    with pytest.raises(StatusListError, match="expands beyond"):
        Bitstring.decode(bomb, max_bytes=1 << 19)


@settings(max_examples=50, deadline=None)
@given(
    st.integers(min_value=1, max_value=2048).flatmap(
        lambda n: st.tuples(
            st.just(n * 8), st.sets(st.integers(min_value=0, max_value=n * 8 - 1), max_size=64)
        )
    )
)
def test_decode_encode_round_trip(size_and_indices):
    size, indices = size_and_indices
    bits = Bitstring(size)
    for index in indices:
        bits.set(index)
    decoded = Bitstring.decode(bits.encode())
    assert decoded == bits
    assert set(decoded.set_indices()) == indices


# --- entries ------------------------------------------------------------------------------------


def test_status_entry_shape():
    assert sl.status_entry(LIST_URL, 94567) == {
        "id": f"{LIST_URL}#94567",
        "type": "StatusList2021Entry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    assert sl.status_entry(LIST_URL, 0, "suspension")["statusPurpose"] == "suspension"
    with pytest.raises(SimulationError):
        sl.status_entry(LIST_URL, -1)


def test_entry_syntax_accepts_a_made_entry():
    entry = sl.check_entry_syntax(sl.status_entry(LIST_URL, 5), CONTEXTS)
    assert entry == sl.StatusEntry(f"{LIST_URL}#5", "revocation", 5, LIST_URL)


def test_entry_of_another_type_is_ignored():
    assert sl.check_entry_syntax({"id": "x", "type": "RevocationList2020Status"}, []) is None


@pytest.mark.parametrize(
    ("change", "contexts", "message", "check"),
    [
        ({"id": ""}, CONTEXTS, "credentialStatus.id is required", "statuslist.entry"),
        ({"type": ""}, CONTEXTS, "credentialStatus.type is required", "statuslist.entry"),
        ({}, [sl.VC_CONTEXT_V1], "StatusList2021 context is required", "statuslist.context"),
        ({}, sl.VC_CONTEXT_V1, "StatusList2021 context is required", "statuslist.context"),
        (
            {"id": LIST_URL},
            CONTEXTS,
            "StatusList2021Entry.id is the same as the StatusList2021Entry.statusListCredential",
            "statuslist.entry",
        ),
        (
            {"statusPurpose": ""},
            CONTEXTS,
            "StatusList2021Entry.statusPurpose is required",
            "statuslist.entry",
        ),
        (
            {"statusListIndex": "-1"},
            CONTEXTS,
            "invalid StatusList2021Entry.statusListIndex",
            "statuslist.entry",
        ),
        (
            {"statusListIndex": "one"},
            CONTEXTS,
            "invalid StatusList2021Entry.statusListIndex",
            "statuslist.entry",
        ),
        (
            {"statusListIndex": " 1"},
            CONTEXTS,
            "invalid StatusList2021Entry.statusListIndex",
            "statuslist.entry",
        ),
        (
            {"statusListIndex": 5},
            CONTEXTS,
            "StatusList2021Entry.statusListIndex must be a string",
            "statuslist.entry",
        ),
        (
            {"statusListCredential": "not a URL", "id": "x#1"},
            CONTEXTS,
            "parse StatusList2021Entry.statusListCredential URL: url must contain scheme and host",
            "statuslist.entry",
        ),
    ],
)
def test_entry_syntax_refusals(change, contexts, message, check):
    entry = {**sl.status_entry(LIST_URL, 5), **change}
    with pytest.raises(StatusListError) as info:
        sl.check_entry_syntax(entry, contexts)
    assert (str(info.value), info.value.check) == (message, check)


def test_entry_index_accepts_go_atoi_forms():
    assert (
        sl.check_entry_syntax({**sl.status_entry(LIST_URL, 5), "statusListIndex": "+007"}, CONTEXTS).index
        == 7
    )


# --- status list credentials ------------------------------------------------------------------


def _document(bits: Bitstring | None = None, **changes) -> dict:
    document = sl.status_list_credential_document(
        ISSUER, LIST_URL, bits or Bitstring(), "2025-01-01T00:00:00Z"
    )
    document["proof"] = {"type": "JsonWebSignature2020"}
    document.update(changes)
    return document


def test_document_shape():
    bits = Bitstring()
    bits.set(3)
    document = sl.status_list_credential_document(
        ISSUER, LIST_URL, bits, "2025-01-01T00:00:00Z", expiration_date_str="2025-01-02T00:00:00Z"
    )
    assert document == {
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": ISSUER,
        "issuanceDate": "2025-01-01T00:00:00Z",
        "expirationDate": "2025-01-02T00:00:00Z",
        "credentialSubject": {
            "id": LIST_URL,
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": bits.encode(),
        },
    }
    other = sl.status_list_credential_document(ISSUER, LIST_URL, bits, "x", credential_id=f"{ISSUER}#u")
    assert other["id"] == f"{ISSUER}#u"


def test_check_accepts_the_document_and_returns_its_list():
    bits = Bitstring()
    bits.set(94567)
    status_list = sl.check_status_list_credential(_document(bits), list_url=LIST_URL)
    assert status_list == sl.StatusList(LIST_URL, "revocation", bits)
    unsigned = sl.status_list_credential_document(ISSUER, LIST_URL, bits, "2025-01-01T00:00:00Z")
    assert sl.check_status_list_credential(unsigned, require_proof=False).bits == bits
    as_list = _document(credentialSubject=[_document()["credentialSubject"]])
    sl.check_status_list_credential(as_list)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"@context": [sl.STATUS_LIST_CONTEXT]}, "default context is required"),
        ({"@context": sl.VC_CONTEXT_V1}, "context 'https://w3id.org/vc/status-list/2021/v1' is required"),
        ({"type": ["StatusList2021Credential"]}, "type 'VerifiableCredential' is required"),
        ({"type": "VerifiableCredential"}, "type 'StatusList2021Credential' is required"),
        (
            {"type": ["VerifiableCredential", "StatusList2021Credential", "Other"]},
            "StatusList2021Credential contains other types",
        ),
        ({"id": None}, "'ID' is required"),
        ({"issuanceDate": ""}, "issuanceDate is required"),
        ({"proof": None}, "'proof' is required for JSON-LD credentials"),
        (
            {"credentialStatus": sl.status_entry("https://x/list", 1)},
            "StatusList2021Credential with a CredentialStatus is not supported",
        ),
        ({"credentialSubject": []}, "single credentialSubject expected"),
        ({"credentialSubject": [{}, {}]}, "single credentialSubject expected"),
        ({"credentialSubject": "x"}, "single credentialSubject expected"),
    ],
)
def test_check_credential_refusals(changes, message):
    with pytest.raises(StatusListError) as info:
        sl.check_status_list_credential(_document(**changes))
    assert (str(info.value), info.value.check) == (message, "statuslist.credential")


@pytest.mark.parametrize(
    ("subject_changes", "message"),
    [
        ({"type": "StatusList2021Credential"}, "credentialSubject.type 'StatusList2021' is required"),
        ({"statusPurpose": ""}, "credentialSubject.statusPurpose is required"),
        ({"encodedList": ""}, "credentialSubject.encodedList is required"),
    ],
)
def test_check_subject_refusals(subject_changes, message):
    document = _document()
    document["credentialSubject"].update(subject_changes)
    with pytest.raises(StatusListError, match=f"^{re.escape(message)}$"):
        sl.check_status_list_credential(document)


def test_check_refuses_undecodable_list_and_wrong_subject():
    document = _document()
    document["credentialSubject"]["encodedList"] = "AAAA"
    with pytest.raises(StatusListError, match=r"^credentialSubject\.encodedList is invalid: ") as info:
        sl.check_status_list_credential(document)
    assert info.value.check == "statuslist.encoding"
    with pytest.raises(StatusListError) as wrong:
        sl.check_status_list_credential(_document(), list_url="https://nodeA/statuslist/other/1")
    assert str(wrong.value) == (
        f"status list: wrong credential: expected 'https://nodeA/statuslist/other/1', got '{LIST_URL}'"
    )
    assert wrong.value.check == "statuslist.wrong_credential"


def test_is_listed_end_to_end():
    bits = Bitstring()
    bits.set(94567)
    status_list = sl.check_status_list_credential(_document(bits), list_url=LIST_URL)
    revoked = sl.check_entry_syntax(sl.status_entry(LIST_URL, 94567), CONTEXTS)
    fine = sl.check_entry_syntax(sl.status_entry(LIST_URL, 94566), CONTEXTS)
    beyond = sl.check_entry_syntax(sl.status_entry(LIST_URL, 131072), CONTEXTS)
    assert sl.is_listed(revoked, status_list)
    assert not sl.is_listed(fine, status_list)
    with pytest.raises(StatusListError, match=r"^index not in status list$"):
        sl.is_listed(beyond, status_list)
    suspended = sl.check_entry_syntax(sl.status_entry(LIST_URL, 94567, "suspension"), CONTEXTS)
    with pytest.raises(StatusListError) as info:
        sl.is_listed(suspended, status_list)
    assert info.value.check == "statuslist.purpose"


# --- the wire format (FIDELITY.md "StatusList2021 wire format") -----------------------------------
JWT_TEXT = "eyJhbGciOiJFUzI1NiJ9.eyJ2YyI6e319.c2ln"


@pytest.mark.parametrize("reference", [True, False])
def test_statuslist2021_wire_format_json_ld_body(reference):
    """An object is a JSON-LD list under both readings."""
    wire = sl.parse_status_list_body('{"id": "x"}\n', reference=reference)
    assert (wire.format, wire.value) == (sl.LDP, {"id": "x"})


@pytest.mark.parametrize("body", [JWT_TEXT, f" {JWT_TEXT}\n"])
def test_statuslist2021_wire_format_bare_jwt_body(body):
    """The reference json.Unmarshals the body: a bare JWT is no JSON (Go's words); strict reads it."""
    with pytest.raises(StatusListError, match=r"^invalid character 'e' looking for beginning of value$"):
        sl.parse_status_list_body(body, reference=True)
    assert sl.parse_status_list_body(body, reference=False) == sl.WireList(sl.JWT, JWT_TEXT)


@pytest.mark.parametrize("reference", [True, False])
def test_statuslist2021_wire_format_quoted_jwt_body(reference):
    """go-did's UnmarshalJSON reads a JSON string as a JWT (or, starting with '{', as JSON-LD)."""
    assert sl.parse_status_list_body(f'"{JWT_TEXT}"', reference=reference) == sl.WireList(sl.JWT, JWT_TEXT)
    quoted_object = '"{\\"id\\": \\"x\\"}"'
    assert sl.parse_status_list_body(quoted_object, reference=reference) == sl.WireList(sl.LDP, {"id": "x"})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "unexpected end of JSON input"),
        ("[]", "cannot unmarshal array into Go value of type vc.VerifiableCredential"),
        ("42", "cannot unmarshal number"),
        ('{"id": ', "invalid JSON"),
    ],
)
def test_statuslist2021_wire_format_unreadable_bodies(body, message):
    """Bodies that are no credential at all are refused by the reference reading with a parse error."""
    with pytest.raises(StatusListError, match=re.escape(message)) as caught:
        sl.parse_status_list_body(body, reference=True)
    assert caught.value.check == "statuslist.parse"


def test_statuslist2021_wire_format_go_json_member_order_and_escaping():
    """json.Encoder output: go-did's member order, sorted nested maps, HTML escaped, one line."""
    document = sl.status_list_credential_document(
        "did:web:a", "https://a/l", Bitstring(8), "2025-01-01T00:00:00Z"
    )
    document["proof"] = {"type": "JsonWebSignature2020", "created": "<&>"}
    text = sl.go_json({"extra": 1, **document})
    assert text.endswith("}\n") and "\n" not in text[:-1]
    assert text.startswith('{"@context":[') and text.index('"issuanceDate"') < text.index(
        '"credentialSubject"'
    )
    assert text.index('"proof"') < text.index('"extra"')
    assert '"proof":{"created":"\\u003c\\u0026\\u003e","type":"JsonWebSignature2020"}' in text
    assert '"credentialSubject":{"encodedList":' in text
