"""The JSON the reference canonicalizes when it checks a JsonWebSignature2020 proof (``nuts-node`` only).

nuts-node does not canonicalize the JSON it received. It reads the proof into Go's
``LDProof`` struct and the credential into go-did v0.22.0's ``VerifiableCredential``,
then marshals them back (``vcr/signature/proof/jsonld.go LDProof.asCanonicalizableMap``,
``vcr/verifier/signature_verifier.go jsonldProof``). What that round trip changes is
signed or unsigned accordingly, so ``LdProcessing.JSON_GOLD`` canonicalizes these
views instead of the document:

- proof options: only the struct's members (unknown ones dropped, Go's case-insensitive
  key match), ``@context`` only the JWS2020 context, ``@type`` a copy of ``type``,
  ``proofPurpose``/``type``/``verificationMethod`` always present, an absent
  ``created`` Go's zero time, times re-written in Go's RFC3339Nano form;
- a credential: only go-did's members (``@context``, ``id``, ``type``, ``issuer``,
  ``issuanceDate``, ``expirationDate``, ``credentialStatus``, ``credentialSubject``,
  ``proof``), its dates in RFC3339Nano form. A presentation parsed from JSON is
  marshalled back byte for byte (go-did ``vc/vp.go MarshalJSON``), so it is not viewed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nutssim.errors import ProtocolError
from nutssim.specs.jsonld import JWS2020_CONTEXT

#: ``LDProof``'s JSON members (its embedded ``ProofOptions`` first), at d2ad162.
_PROOF_MEMBERS = (
    "created",
    "domain",
    "challenge",
    "expires",
    "proofPurpose",
    "nonce",
    "type",
    "verificationMethod",
)
#: Optional members (``*string``/``*time.Time`` with ``omitempty``): absent or null stays absent.
_OPTIONAL = frozenset({"domain", "challenge", "expires", "nonce"})
_TIMES = frozenset({"created", "expires"})
#: go-did v0.22.0 ``vc/vc.go VerifiableCredential``'s JSON members, in the order encoding/json writes them.
GO_VC_MEMBERS = (
    "@context",
    "id",
    "type",
    "issuer",
    "issuanceDate",
    "expirationDate",
    "credentialStatus",
    "credentialSubject",
    "proof",
)
#: Go's zero ``time.Time`` as ``MarshalJSON`` writes it: an absent ``created``.
GO_ZERO_TIME = "0001-01-01T00:00:00Z"
_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)


class ReferenceReadError(ProtocolError):
    """The reference could not read the proof or credential into its Go structs."""

    check = "jws2020.proof_format"


def go_rfc3339nano(text: object) -> str:
    """Re-write an RFC 3339 date-time as Go's ``time.Time.MarshalJSON`` does (RFC3339Nano).

    Fractions are cut to 9 digits with trailing zeros dropped, and a zero offset is ``Z``
    (Go keeps the parsed offset, so ``+01:00`` stays ``+01:00``).
    """
    match = _RFC3339.match(text) if isinstance(text, str) else None
    if match is None:
        raise ReferenceReadError(f"not an RFC 3339 date-time: {text!r}")
    date, clock, fraction, _zulu, sign, hours, minutes = match.groups()
    fraction = (fraction or "")[:9].rstrip("0")
    offset = "Z" if not sign or hours + minutes == "0000" else f"{sign}{hours}:{minutes}"
    return f"{date}T{clock}{'.' + fraction if fraction else ''}{offset}"


def _go_members(source: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The members Go's ``encoding/json`` reads into a struct: a case-insensitive match, the last key wins."""
    wanted = {name.lower(): name for name in names}
    found: dict[str, Any] = {}
    for key, value in source.items():
        name = wanted.get(key.lower())
        if name is not None:
            found[name] = value
    return found


def proof_options(proof: Mapping[str, Any]) -> dict[str, Any]:
    """The proof as ``LDProof.asCanonicalizableMap`` hands it to the canonicalizer (d2ad162)."""
    read = _go_members(proof, _PROOF_MEMBERS)
    options: dict[str, Any] = {}
    for name in _PROOF_MEMBERS:
        value = read.get(name)
        if value is None:  # absent or JSON null: Go leaves the zero value
            if name not in _OPTIONAL:
                options[name] = GO_ZERO_TIME if name == "created" else ""
            continue
        if not isinstance(value, str):
            raise ReferenceReadError(f"proof {name} must be a string, not {type(value).__name__}")
        options[name] = go_rfc3339nano(value) if name in _TIMES else value
    # determineProofContext: the JWS2020 context for JsonWebSignature2020, nothing usable otherwise.
    options["@context"] = [JWS2020_CONTEXT if options["type"] == "JsonWebSignature2020" else ""]
    options["@type"] = options["type"]
    return options


def created_or_zero(proof: Mapping[str, Any]) -> str:
    """The proof's ``created`` as the reference reads it: Go's zero time when absent."""
    return str(proof_options(proof)["created"])


def credential(document: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-LD credential as go-did v0.22.0 marshals it back: unknown members dropped, dates re-written."""
    view = _go_members(document, GO_VC_MEMBERS)
    # issuanceDate is a time.Time (always written, zero when absent); expirationDate a *time.Time.
    view["issuanceDate"] = go_rfc3339nano(view["issuanceDate"]) if view.get("issuanceDate") else GO_ZERO_TIME
    if view.get("expirationDate") is not None:
        view["expirationDate"] = go_rfc3339nano(view["expirationDate"])
    return view
