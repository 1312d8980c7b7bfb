"""W3C Bitstring Status List v1.0 (Recommendation, 2025): entries, status lists and their encoding.

The GF implementation guide mandates it (GFI-003, as issue #21 quotes it); the reference verifies
only StatusList2021 and ignores any other ``credentialStatus`` type
(``vcr/revocation/statuslist2021_verifier.go`` ``StatusList2021.Verify``). This module knows the
wire: the ``BitstringStatusListEntry`` (§2.1), the ``BitstringStatusListCredential`` (§2.2), the
``encodedList`` (Multibase ``u`` + base64url without padding of GZIP(bitstring), at least 16 KB
uncompressed) and the validate algorithm's errors (§3, "Processing Errors"). Every parser is
total: hostile input raises ``BitstringStatusError`` with the spec's error name as ``code``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from nutssim import jose
from nutssim.errors import ProtocolError, SimulationError
from nutssim.limits import MAX_STATUS_SIZE
from nutssim.specs.statuslist2021 import MAX_DECODED_BYTES, StatusListError, gunzip_bounded, gzip_pinned

VC_CONTEXT_V2 = "https://www.w3.org/ns/credentials/v2"
ENTRY_TYPE = "BitstringStatusListEntry"
CREDENTIAL_TYPE = "BitstringStatusListCredential"
SUBJECT_TYPE = "BitstringStatusList"
REVOCATION, SUSPENSION = "revocation", "suspension"
#: §2.2 encodedList: "The uncompressed bitstring MUST be at least 16KB in size" (131072 entries).
MIN_BYTES = 16 * 1024
#: The JOSE ``typ`` of a credential secured as VC-JOSE-COSE (§3.1.1 there): ``vc+jwt``.
JWT_TYP = "vc+jwt"

# The validate algorithm's error names (§3 "Processing Errors").
RETRIEVAL = "STATUS_RETRIEVAL_ERROR"
VERIFICATION = "STATUS_VERIFICATION_ERROR"
LENGTH = "STATUS_LIST_LENGTH_ERROR"
RANGE = "RANGE_ERROR"
MALFORMED = "MALFORMED_VALUE_ERROR"

_B64URL_NOPAD = re.compile(r"[A-Za-z0-9_-]*")
_DECIMAL = re.compile(r"[0-9]+")


class BitstringStatusError(ProtocolError):
    """A Bitstring Status List rule failed; ``code`` is the spec's error name, ``check`` the rule id."""

    check = "bsl"

    def __init__(self, message: str, *, code: str = MALFORMED, check: str = "bsl") -> None:
        super().__init__(f"{code}: {message}", check=check)
        self.code = code


# --- the encodedList -----------------------------------------------------------------------------
def encode_list(bitstring: bytes) -> str:
    """§2.2 encodedList: ``u`` (Multibase base64url) + base64url, no padding, of GZIP(bitstring)."""
    body = base64.urlsafe_b64encode(gzip_pinned(bitstring)).rstrip(b"=").decode("ascii")
    return "u" + body


def decode_list(encoded: object, *, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """The uncompressed bitstring of an ``encodedList``; refuses anything but Multibase ``u``."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise BitstringStatusError(
            "encodedList is not Multibase base64url ('u' prefix)", check="bsl.encoding"
        )
    text = encoded[1:]
    # §2.2 says "with no padding": a padded value is not the Multibase base64url alphabet.
    if not _B64URL_NOPAD.fullmatch(text) or len(text) % 4 == 1:
        raise BitstringStatusError("encodedList is not base64url without padding", check="bsl.encoding")
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise BitstringStatusError("encodedList is not base64url", check="bsl.encoding") from None
    try:
        return gunzip_bounded(compressed, max_bytes)
    except StatusListError as exc:
        raise BitstringStatusError(str(exc), check="bsl.encoding") from None


def status_at(bitstring: bytes, index: int, size: int = 1) -> int:
    """The ``size``-bit status at position ``index`` (§3 bitstring expansion: left-most bit is index 0)."""
    start = index * size
    if index < 0 or start + size > len(bitstring) * 8:
        raise BitstringStatusError(
            f"statusListIndex {index} × statusSize {size} is outside a list of {len(bitstring) * 8} bits",
            code=RANGE,
            check="bsl.range",
        )
    value = 0
    for bit in range(start, start + size):
        value = (value << 1) | ((bitstring[bit // 8] >> (7 - bit % 8)) & 1)
    return value


def set_status(bitstring: bytearray, index: int, value: int, size: int = 1) -> None:
    """Write ``value`` into the ``size`` bits at ``index`` (the issuer's side of ``status_at``)."""
    status_at(bytes(bitstring), index, size)  # the same bounds
    if not 0 <= value < 2**size:
        raise SimulationError(f"status value {value} does not fit in {size} bit(s)")
    for offset in range(size):
        bit = index * size + offset
        mask = 0x80 >> (bit % 8)
        if (value >> (size - 1 - offset)) & 1:
            bitstring[bit // 8] |= mask
        else:
            bitstring[bit // 8] &= ~mask & 0xFF


# --- credentialStatus entries (§2.1) ----------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """A syntactically valid BitstringStatusListEntry."""

    purpose: str
    index: int
    list_url: str
    size: int = 1
    id: str | None = None


def is_entry(raw: object) -> bool:
    """Whether a ``credentialStatus`` member claims to be a BitstringStatusListEntry."""
    return isinstance(raw, Mapping) and raw.get("type") == ENTRY_TYPE


def status_entry(list_url: str, index: int, purpose: str = REVOCATION) -> dict[str, str]:
    """The ``credentialStatus`` for ``index`` on the list at ``list_url`` (statusSize 1, so omitted)."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise SimulationError(f"a status list index is a non-negative integer, not {index!r}")
    # The id is optional in §2.1, but the reference's validator refuses a credentialStatus
    # without one (vcr/credential/validator.go validateCredentialStatus), so the register sets it.
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def parse_entry(raw: object) -> Entry:
    """Check one BitstringStatusListEntry against §2.1; every failure is a MALFORMED_VALUE_ERROR."""
    if not isinstance(raw, Mapping) or raw.get("type") != ENTRY_TYPE:
        raise _entry_error(f"type must be {ENTRY_TYPE}")
    purpose = raw.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise _entry_error("statusPurpose must be a non-empty string")
    index_text = raw.get("statusListIndex")
    # "an arbitrary size integer greater than or equal to 0, expressed as a string in base 10"
    if not isinstance(index_text, str) or not _DECIMAL.fullmatch(index_text) or len(index_text) > 20:
        raise _entry_error("statusListIndex must be a base-10 integer string >= 0")
    url = raw.get("statusListCredential")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("https", "http") or not parts.netloc:
        raise _entry_error("statusListCredential must be a URL")
    entry_id = raw.get("id")
    if entry_id is not None and (not isinstance(entry_id, str) or entry_id == url):
        raise _entry_error("id, if present, is a URL other than the status list's")
    size = _status_size(raw)
    return Entry(purpose, int(index_text), str(url), size, entry_id)


def _status_size(raw: Mapping[str, Any]) -> int:
    """statusSize (default 1) and, above 1, a statusMessage array of 2**statusSize entries (§2.1)."""
    size = raw.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise _entry_error("statusSize must be an integer greater than zero")
    if size > MAX_STATUS_SIZE:
        raise _entry_error(f"statusSize above {MAX_STATUS_SIZE} is not supported (simulator bound)")
    messages = raw.get("statusMessage")
    if size > 1 and not isinstance(messages, list):
        raise _entry_error("statusMessage is required when statusSize is greater than 1")
    if messages is not None:
        if not isinstance(messages, list) or len(messages) != 2**size:
            raise _entry_error(f"statusMessage must list {2**size} values for statusSize {size}")
        if not all(isinstance(m, Mapping) and "status" in m and "message" in m for m in messages):
            raise _entry_error("each statusMessage needs 'status' and 'message'")
    return size


def _entry_error(why: str) -> BitstringStatusError:
    return BitstringStatusError(f"BitstringStatusListEntry: {why}", check="bsl.entry")


# --- status list credentials (§2.2) ----------------------------------------------------------------
@dataclass(frozen=True)
class StatusList:
    """The content of an accepted BitstringStatusListCredential."""

    id: str
    purposes: tuple[str, ...]
    bitstring: bytes


def list_credential_document(
    issuer: str,
    list_url: str,
    bitstring: bytes,
    valid_from: str,
    valid_until: str | None = None,
    purpose: str = REVOCATION,
) -> dict[str, Any]:
    """An unsigned BitstringStatusListCredential (VC-DM 2.0) for the list served at ``list_url``."""
    document: dict[str, Any] = {
        "@context": [VC_CONTEXT_V2],
        "id": list_url,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": valid_from,
    }
    if valid_until is not None:
        document["validUntil"] = valid_until
    document["credentialSubject"] = {
        "id": f"{list_url}#list",
        "type": SUBJECT_TYPE,
        "statusPurpose": purpose,
        "encodedList": encode_list(bitstring),
    }
    return document


def sign_list_credential(document: dict[str, Any], key: jose.KeyPair) -> str:
    """Secure the list as VC-JOSE-COSE does: a JWS whose payload is the credential, ``typ: vc+jwt``."""
    header = {"typ": JWT_TYP, **({"kid": key.kid} if key.kid else {})}
    return jose.sign(header, document, key)


def check_list_credential(document: object, list_url: str) -> StatusList:
    """§2.2 and the validate algorithm's content steps: types, subject, purpose, encodedList, length."""
    if not isinstance(document, Mapping):
        raise _list_error("a status list credential must be a JSON object")
    types = document.get("type")
    if not isinstance(types, list) or CREDENTIAL_TYPE not in types:
        raise _list_error(f"type must include {CREDENTIAL_TYPE}")
    if document.get("id") != list_url:
        raise _list_error(f"id {document.get('id')!r} is not the statusListCredential URL {list_url!r}")
    subject = document.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("type") != SUBJECT_TYPE:
        raise _list_error(f"credentialSubject.type must be {SUBJECT_TYPE}")
    purposes = subject.get("statusPurpose")
    listed = [purposes] if isinstance(purposes, str) else purposes
    if not isinstance(listed, list) or not listed or not all(isinstance(p, str) and p for p in listed):
        raise _list_error("credentialSubject.statusPurpose must be one or more strings")
    bitstring = decode_list(subject.get("encodedList"))
    if len(bitstring) < MIN_BYTES:
        raise BitstringStatusError(
            f"the list holds {len(bitstring)} bytes, fewer than the {MIN_BYTES} required",
            code=LENGTH,
            check="bsl.length",
        )
    return StatusList(str(subject.get("id", "")), tuple(listed), bitstring)


def _list_error(why: str) -> BitstringStatusError:
    return BitstringStatusError(
        f"BitstringStatusListCredential: {why}", code=VERIFICATION, check="bsl.credential"
    )


def status_of(entry: Entry, status_list: StatusList) -> int:
    """The entry's status value; the list must serve the entry's purpose (validate algorithm)."""
    if entry.purpose not in status_list.purposes:
        raise BitstringStatusError(
            f"statusPurpose {entry.purpose!r} is not among the list's {list(status_list.purposes)}",
            code=VERIFICATION,
            check="bsl.purpose",
        )
    return status_at(status_list.bitstring, entry.index, entry.size)
