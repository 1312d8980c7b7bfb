"""W3C StatusList2021: the bitstring, credentialStatus entries and status list credentials.

Rules and error texts follow PROTOCOL.md §3.6 (the reference's syntax and content checks);
the signature of a status list credential is checked elsewhere, by whoever verifies VCs.
Note one choice: ``credentialSubject.id`` is the list URL itself, not ``<url>#list`` as in the
W3C draft's example, because the reference refuses a list whose subject id differs from the
``statusListCredential`` URL it fetched.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from nutssim.errors import ProtocolError, SimulationError
from nutssim.limits import MAX_DECODED_BYTES
from nutssim.specs.ld_reference import GO_VC_MEMBERS

VC_CONTEXT_V1 = "https://www.w3.org/2018/credentials/v1"
STATUS_LIST_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"
ENTRY_TYPE = "StatusList2021Entry"
CREDENTIAL_TYPE = "StatusList2021Credential"
SUBJECT_TYPE = "StatusList2021"
REVOCATION = "revocation"
#: Reference ``defaultBitstringLengthInBytes`` × 8 (PROTOCOL.md §0): 16 KiB of herd privacy.
DEFAULT_SIZE = 131072

_B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_GO_ATOI = re.compile(r"[+-]?[0-9]+")
_INT64_MAX = 2**63 - 1


class StatusListError(ProtocolError):
    """A status list rule failed; ``check`` names it (``statuslist.entry``, ``statuslist.index``, …)."""

    check = "statuslist"


class Bitstring:
    """A status list bitstring: bit ``i`` is byte ``i // 8``, mask ``1 << (7 - i % 8)`` (MSB first)."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size <= 0 or size % 8:
            raise SimulationError(f"a status list holds a positive multiple of 8 entries, not {size!r}")
        self._bytes = bytearray(size // 8)

    @classmethod
    def from_bytes(cls, data: bytes) -> Bitstring:
        """Wrap an uncompressed bitstring."""
        bits = cls.__new__(cls)
        bits._bytes = bytearray(data)
        return bits

    @property
    def size(self) -> int:
        """Number of entries (bits)."""
        return len(self._bytes) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        """Return (byte offset, mask) of ``index``; refuse indexes outside the list."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.size:
            raise StatusListError("index not in status list", check="statuslist.index")
        return index // 8, 1 << (7 - index % 8)

    def get(self, index: int) -> bool:
        """Return whether bit ``index`` is set."""
        offset, mask = self._locate(index)
        return bool(self._bytes[offset] & mask)

    def set(self, index: int) -> None:
        """Set bit ``index`` (revoke the credential at that index)."""
        offset, mask = self._locate(index)
        self._bytes[offset] |= mask

    def clear(self, index: int) -> None:
        """Clear bit ``index``."""
        offset, mask = self._locate(index)
        self._bytes[offset] &= ~mask & 0xFF

    def set_indices(self) -> Iterator[int]:
        """Yield every set index in ascending order."""
        for offset, byte in enumerate(self._bytes):
            if byte:
                yield from (offset * 8 + bit for bit in range(8) if byte & (0x80 >> bit))

    def to_bytes(self) -> bytes:
        """Return the uncompressed bitstring."""
        return bytes(self._bytes)

    def encode(self) -> str:
        """Return the ``encodedList``: base64url without padding of GZIP(bitstring) (PROTOCOL.md §3.6)."""
        return base64.urlsafe_b64encode(gzip_pinned(bytes(self._bytes))).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str, *, max_bytes: int = MAX_DECODED_BYTES) -> Bitstring:
        """Decode an ``encodedList``; padded base64url is accepted too, like the reference."""
        if not isinstance(encoded, str) or not _B64URL.fullmatch(encoded):
            raise StatusListError("encodedList is not base64url", check="statuslist.encoding")
        try:
            compressed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise StatusListError("encodedList is not base64url", check="statuslist.encoding") from None
        return cls.from_bytes(gunzip_bounded(compressed, max_bytes))

    def __eq__(self, other: object) -> bool:
        """Bitstrings are equal when their bytes are."""
        return isinstance(other, Bitstring) and self._bytes == other._bytes

    def __hash__(self) -> int:
        """Refused: a Bitstring is mutable (``set``), so it must not be a dict key."""
        raise TypeError("unhashable type: 'Bitstring' (it is mutable)")

    def __repr__(self) -> str:
        """Show the size and the first few set indexes."""
        shown = [index for index, _ in zip(self.set_indices(), range(5), strict=False)]
        return f"Bitstring(size={self.size}, set={shown}{'…' if len(shown) == 5 else ''})"


def gzip_pinned(data: bytes) -> bytes:
    """GZIP ``data`` with a pinned header, so a signed list has the same bytes on every platform."""
    # gzip.compress(mtime=0) lets zlib write its build's OS byte (03 on Linux, ff in Pyodide). The
    # header is written here instead (RFC 1952 §2.3): magic, CM=8 deflate, no flags, MTIME 0, XFL 2
    # (level 9), OS 255 "unknown" (what Go's compress/gzip in the reference and CPython's own writer
    # use). Shared by StatusList2021 and Bitstring Status List v1.0 (specs.bitstring_status_list).
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)  # raw deflate: no zlib header
    body = deflate.compress(data) + deflate.flush()
    trailer = zlib.crc32(data).to_bytes(4, "little") + (len(data) & 0xFFFFFFFF).to_bytes(4, "little")
    return header + body + trailer


def gunzip_bounded(data: bytes, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """Decompress every gzip member of ``data``, refusing output beyond ``max_bytes``."""
    if not data:
        raise StatusListError("encodedList is not gzip data: empty", check="statuslist.encoding")
    out = bytearray()
    try:
        while data:
            member = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += member.decompress(data, max_bytes + 1 - len(out))
            if len(out) > max_bytes:
                raise StatusListError(
                    f"encodedList expands beyond {max_bytes} bytes", check="statuslist.encoding"
                )
            if not member.eof:
                raise StatusListError("encodedList is not gzip data: truncated", check="statuslist.encoding")
            data = member.unused_data
    except zlib.error as exc:
        raise StatusListError(f"encodedList is not gzip data: {exc}", check="statuslist.encoding") from None
    return bytes(out)


# --- credentialStatus entries -----------------------------------------------------------------


@dataclass(frozen=True)
class StatusEntry:
    """A syntactically valid StatusList2021Entry."""

    id: str
    purpose: str
    index: int
    list_url: str


def status_entry(list_url: str, index: int, purpose: str = REVOCATION) -> dict[str, str]:
    """Return the ``credentialStatus`` object for ``index`` on the list at ``list_url``."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise SimulationError(f"a status list index is a non-negative integer, not {index!r}")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),  # a string, per the StatusList2021 draft
        "statusListCredential": list_url,
    }


def check_entry_syntax(entry: Mapping[str, Any], vc_contexts: object) -> StatusEntry | None:
    """Check one ``credentialStatus`` as the reference does; None for other status types."""
    # Reference credential validator (PROTOCOL.md §3.6); callers prefix "invalid credentialStatus: ".
    if not isinstance(entry, Mapping):
        raise StatusListError("credentialStatus must be an object", check="statuslist.entry")
    if not entry.get("id"):
        raise StatusListError("credentialStatus.id is required", check="statuslist.entry")
    if not entry.get("type"):
        raise StatusListError("credentialStatus.type is required", check="statuslist.entry")
    if entry["type"] != ENTRY_TYPE:
        return None  # other status types are not checked (nor used) by the reference
    if STATUS_LIST_CONTEXT not in _uris(vc_contexts):
        raise StatusListError("StatusList2021 context is required", check="statuslist.context")
    fields = {name: _entry_string(entry, name) for name in _ENTRY_FIELDS}
    if fields["id"] == fields["statusListCredential"]:
        raise StatusListError(
            "StatusList2021Entry.id is the same as the StatusList2021Entry.statusListCredential",
            check="statuslist.entry",
        )
    if not fields["statusPurpose"]:
        raise StatusListError("StatusList2021Entry.statusPurpose is required", check="statuslist.entry")
    index = _parse_index(fields["statusListIndex"])
    url = urlsplit(fields["statusListCredential"])
    if not url.scheme or not url.netloc:
        raise StatusListError(
            "parse StatusList2021Entry.statusListCredential URL: url must contain scheme and host",
            check="statuslist.entry",
        )
    return StatusEntry(fields["id"], fields["statusPurpose"], index, fields["statusListCredential"])


_ENTRY_FIELDS = ("id", "statusPurpose", "statusListIndex", "statusListCredential")


def _entry_string(entry: Mapping[str, Any], name: str) -> str:
    """Return a string member of an entry ('' if absent); a non-string is a decoding error."""
    value = entry.get(name, "")
    if not isinstance(value, str):
        raise StatusListError(f"StatusList2021Entry.{name} must be a string", check="statuslist.entry")
    return value


def _parse_index(text: str) -> int:
    """Parse ``statusListIndex`` as a non-negative decimal integer (as Go's strconv.Atoi)."""
    if not _GO_ATOI.fullmatch(text) or not 0 <= int(text) <= _INT64_MAX:
        raise StatusListError("invalid StatusList2021Entry.statusListIndex", check="statuslist.entry")
    return int(text)


def _uris(value: object) -> list[str]:
    """Return the string members of a JSON-LD ``@context`` or ``type`` value."""
    items: Iterable[object] = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [item for item in items if isinstance(item, str)]


# --- status list credentials ------------------------------------------------------------------


@dataclass(frozen=True)
class StatusList:
    """The content of an accepted status list credential."""

    id: str
    purpose: str
    bits: Bitstring


def status_list_credential_document(
    issuer: str,
    list_url: str,
    bitstring: Bitstring,
    issuance_date_str: str,
    purpose: str = REVOCATION,
    *,
    credential_id: str | None = None,
    expiration_date_str: str | None = None,
) -> dict[str, Any]:
    """Return an unsigned StatusList2021Credential for the list served at ``list_url``."""
    # The reference gives the VC the id <issuer DID>#<uuid> and 24 h validity; without a random
    # source here the id defaults to the list URL, as in the W3C draft's example.
    # Members in the order go-did marshals them (struct order; a subject map's keys sorted), so the
    # JSON-LD list served by the register has the bytes the reference's
    # (vcr/revocation/statuslist2021_issuer.go buildAndSignVC) would have.
    document: dict[str, Any] = {
        "@context": [VC_CONTEXT_V1, STATUS_LIST_CONTEXT],
        "id": credential_id or list_url,
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer,
        "issuanceDate": issuance_date_str,
    }
    if expiration_date_str is not None:
        document["expirationDate"] = expiration_date_str
    document["credentialSubject"] = {
        "encodedList": bitstring.encode(),
        "id": list_url,
        "statusPurpose": purpose,
        "type": SUBJECT_TYPE,
    }
    return document


# --- the wire format ----------------------------------------------------------------------------

LDP, JWT = "ldp", "jwt"


def go_json(document: Mapping[str, Any]) -> str:
    """A VC as the reference's ``json.NewEncoder(w).Encode`` writes it: compact, Go member order, newline."""
    # Known members in struct order, nested maps with sorted keys (Go marshals maps sorted), and
    # encoding/json's HTML escaping of <, > and & (the StatusList200JSONResponse writer).
    ordered = [k for k in GO_VC_MEMBERS if k in document] + [k for k in document if k not in GO_VC_MEMBERS]
    members = [
        json.dumps(k)
        + ":"
        + json.dumps(document[k], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        for k in ordered
    ]
    text = "{" + ",".join(members) + "}"
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


@dataclass(frozen=True)
class WireList:
    """A fetched status list credential before verification: its format and its content."""

    format: str  # LDP (a JSON object) or JWT (a compact JWS)
    value: Any  # the JSON object, or the JWT text


def parse_status_list_body(body: str, *, reference: bool) -> WireList:
    """Read a status list response body: under the reference as ``json.Unmarshal``, else JSON-LD or JWT."""
    if reference:
        # statuslist2021_verifier.go download: json.Unmarshal(body, &vc.VerifiableCredential). The body
        # must be JSON; go-did's UnmarshalJSON then reads an object as JSON-LD and a JSON *string*
        # as a JWT. A bare compact JWT is not JSON, so it fails here (and the verifier fails open).
        value = _go_unmarshal(body)
    else:
        # StatusList2021 §5 step 5 only asks that the list be dereferenced and its proofs verify:
        # strict accepts the JSON-LD form (VC-DM 1.1 §6.3.2) and the JWT form (§6.3.1), bare or quoted.
        text = body.strip()
        value = _go_unmarshal(text) if text[:1] in ("{", '"') else text
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            value = _go_unmarshal(text)
        else:
            return WireList(JWT, text)
    if not isinstance(value, dict):
        raise StatusListError(
            f"json: cannot unmarshal {_go_kind(value)} into Go value of type vc.VerifiableCredential",
            check="statuslist.parse",
        )
    return WireList(LDP, value)


def _go_unmarshal(text: str) -> Any:
    """``json.loads`` with Go's words for the two usual failures (empty input, a non-JSON first byte)."""
    stripped = text.strip()
    if not stripped:
        raise StatusListError("unexpected end of JSON input", check="statuslist.parse")
    if stripped[0] not in '{["-0123456789tfn':
        raise StatusListError(
            f"invalid character {stripped[0]!r} looking for beginning of value", check="statuslist.parse"
        )
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError) as exc:
        raise StatusListError(f"invalid JSON: {exc}", check="statuslist.parse") from None


def _go_kind(value: object) -> str:
    """Go's name for the JSON kind of ``value`` in an UnmarshalTypeError."""
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else type(value).__name__


def check_status_list_credential(
    document: Mapping[str, Any], *, list_url: str | None = None, require_proof: bool = True
) -> StatusList:
    """Check a fetched status list credential's content as the reference does (PROTOCOL.md §3.6)."""
    # ``require_proof``: JSON-LD credentials must carry a proof; pass False for the decoded
    # ``vc`` of a JWT credential, or for an unsigned document under construction.
    _check_credential_shape(document, require_proof)
    subject = _single_subject(document.get("credentialSubject"))
    if subject.get("type") != SUBJECT_TYPE:
        raise _bad(f"credentialSubject.type '{SUBJECT_TYPE}' is required")
    purpose, encoded, subject_id = (
        _subject_string(subject, k) for k in ("statusPurpose", "encodedList", "id")
    )
    if not purpose:
        raise _bad("credentialSubject.statusPurpose is required")
    if not encoded:
        raise _bad("credentialSubject.encodedList is required")
    try:
        bits = Bitstring.decode(encoded)
    except StatusListError as exc:
        raise StatusListError(f"credentialSubject.encodedList is invalid: {exc}", check=exc.check) from None
    status_list = StatusList(subject_id, purpose, bits)
    if list_url is not None:
        check_list_is_for(status_list, list_url)
    return status_list


def check_list_is_for(status_list: StatusList, list_url: str) -> None:
    """The reference's ``update``: the list's subject id must be the URL it was fetched from."""
    if status_list.id != list_url:
        raise StatusListError(
            f"status list: wrong credential: expected '{list_url}', got '{status_list.id}'",
            check="statuslist.wrong_credential",
        )


def _check_credential_shape(document: Mapping[str, Any], require_proof: bool) -> None:
    """Contexts, types, id, issuanceDate, proof and no credentialStatus, in the reference's order."""
    if not isinstance(document, Mapping):
        raise _bad("a status list credential must be a JSON object")
    contexts, types = _uris(document.get("@context")), _uris(document.get("type"))
    if VC_CONTEXT_V1 not in contexts:
        raise _bad("default context is required")
    if STATUS_LIST_CONTEXT not in contexts:
        raise _bad(f"context '{STATUS_LIST_CONTEXT}' is required")
    if "VerifiableCredential" not in types:
        raise _bad("type 'VerifiableCredential' is required")
    if CREDENTIAL_TYPE not in types:
        raise _bad(f"type '{CREDENTIAL_TYPE}' is required")
    if len(types) > 2:
        raise _bad("StatusList2021Credential contains other types")
    if not document.get("id"):
        raise _bad("'ID' is required")
    if not document.get("issuanceDate"):
        raise _bad("issuanceDate is required")
    if require_proof and not document.get("proof"):
        raise _bad("'proof' is required for JSON-LD credentials")
    # The reference refuses these to avoid loops in status resolution; the draft allows them.
    if document.get("credentialStatus") is not None:
        raise _bad("StatusList2021Credential with a CredentialStatus is not supported")


def _single_subject(value: object) -> Mapping[str, Any]:
    """Return the one credentialSubject (an object, or a list holding exactly one)."""
    subjects = value if isinstance(value, list) else [value] if value is not None else []
    if len(subjects) != 1 or not isinstance(subjects[0], Mapping):
        raise _bad("single credentialSubject expected")
    return subjects[0]


def _subject_string(subject: Mapping[str, Any], name: str) -> str:
    """Return a string member of the subject; a non-string is a decoding error."""
    value = subject.get(name, "")
    if not isinstance(value, str):
        raise _bad(f"credentialSubject.{name} must be a string")
    return value


def _bad(message: str) -> StatusListError:
    """Return a status list credential content failure."""
    return StatusListError(message, check="statuslist.credential")


def is_listed(entry: StatusEntry, status_list: StatusList) -> bool:
    """Return whether ``entry``'s bit is set in ``status_list``; purposes must agree."""
    if status_list.purpose != entry.purpose:
        # A lookup failure; under the reference's fail-open policy (PROTOCOL.md §3.6) the
        # verifier only logs it, so the text never reaches the wire.
        raise StatusListError(
            f"StatusList2021Credential.credentialSubject.statusPurpose='{status_list.purpose}' "
            f"does not match vc.credentialStatus.statusPurpose='{entry.purpose}'",
            check="statuslist.purpose",
        )
    return status_list.bits.get(entry.index)
