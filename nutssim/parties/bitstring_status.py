"""Bitstring Status List v1.0 on the verifier's side: how each profile treats a BitstringStatusListEntry.

``nuts-node``: the reference verifies StatusList2021 only; ``StatusList2021.Verify``
(``vcr/revocation/statuslist2021_verifier.go``) skips any other ``credentialStatus.type`` with
an Info log "Ignoring credentialStatus with unknown type", so a credential revoked on a
Bitstring Status List is accepted. Its validator (``vcr/credential/validator.go``
``validateCredentialStatus``) still asks every entry for an ``id`` and a ``type``.

``strict`` (GFI-003): the entry is checked (§2.1), the list is fetched and verified (a
``vc+jwt``, VC-JOSE-COSE), its content checked (§2.2, 16 KB minimum) and the entry's status
read; a set revocation or suspension status refuses the credential, and a list that cannot be
had or trusted fails closed, as the strict StatusList2021 client does.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import Any

from nutssim import causes, jose
from nutssim.causes import Cause
from nutssim.errors import ProtocolError
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.models.credential import Credential
from nutssim.models.did import did_of
from nutssim.specs import bitstring_status_list as bsl
from nutssim.specs import vc_jwt
from nutssim.specs.did import resolve_key
from nutssim.specs.vc_verify import VerificationFailed

REF = "Bitstring Status List v1.0 §3 (validate algorithm); GFI-003"
IGNORED_REF = "vcr/revocation/statuslist2021_verifier.go StatusList2021.Verify"
#: Purposes whose set status makes a credential unusable now (§2.1 statusPurpose).
DENYING = (bsl.REVOCATION, bsl.SUSPENSION)


def record_ignored(record: Callable[..., Any], credential: Credential, raw: Mapping[str, Any]) -> None:
    """The reference's Info log for a status type it does not know, as a passed check."""
    record(
        "vc.status_type",
        IGNORED_REF,
        True,
        f"{credential.id}: Ignoring credentialStatus with unknown type {raw.get('type')!r}",
    )


def bitstring_revoked(
    record: Callable[..., Any], credential: Credential, raw: Mapping[str, Any], now: int
) -> Generator[HttpRequest, HttpResponse, bool]:
    """Strict: whether the entry's status on its fetched, verified list revokes or suspends the credential."""
    try:
        entry = bsl.parse_entry(raw)
    except bsl.BitstringStatusError as exc:
        record("vc.status_entry", "Bitstring Status List v1.0 §2.1", False, str(exc))
        raise VerificationFailed(f"invalid credentialStatus: {exc}", check=exc.check) from None
    try:
        status_list = yield from fetch_list(entry.list_url, now)
        value = bsl.status_of(entry, status_list)
    except (bsl.BitstringStatusError, ProtocolError, jose.JoseError) as exc:
        cause = Cause(causes.STATUS_UNKNOWN, "status_list", entry.list_url, reason=str(exc))
        record("vc.revocation_list", f"{REF} (strict: fail closed)", False, str(exc), cause=cause)
        raise VerificationFailed(
            f"unable to check revocation status: {exc}",
            check="vc.revocation_list",
            kind=causes.STATUS_UNKNOWN,
        ) from None
    refused = value != 0 and entry.purpose in DENYING
    record(
        "vc.revocation",
        REF,
        not refused,
        f"{credential.id}: {entry.purpose} status {value} at index {entry.index} of {entry.list_url}",
        cause=Cause(causes.REVOKED, "credential", credential.id, reason=entry.list_url),
    )
    return refused


def fetch_list(url: str, now: int) -> Generator[HttpRequest, HttpResponse, bsl.StatusList]:
    """Dereference, verify and check a BitstringStatusListCredential (validate algorithm steps 1–6)."""
    response = yield HttpRequest.get(url, headers={"Accept": "application/vc+jwt"})
    if response.status > 299:
        raise bsl.BitstringStatusError(
            f"fetching {url} failed: HTTP {response.status}", code=bsl.RETRIEVAL, check="bsl.fetch"
        )
    try:
        jws = jose.decode(response.body.strip())
    except jose.JoseError as exc:
        raise bsl.BitstringStatusError(
            f"{url} is not a vc+jwt: {exc}", code=bsl.RETRIEVAL, check="bsl.parse"
        ) from None
    document = jws.payload
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    kid = jws.kid or ""
    if not isinstance(issuer_id, str) or did_of(kid) != issuer_id:
        raise bsl.BitstringStatusError(
            f"the list's signing key {kid!r} is not of its issuer {issuer_id!r}",
            code=bsl.VERIFICATION,
            check="bsl.signature",
        )
    key = yield from resolve_key(kid)
    jws.verify(key)
    _check_validity(document, now)
    return bsl.check_list_credential(document, url)


def _check_validity(document: Mapping[str, Any], now: int) -> None:
    """VC-DM 2.0 §4.9: the list credential is used only between validFrom and validUntil."""
    skew = jose.DEFAULT_SKEW
    for name, late in (("validFrom", False), ("validUntil", True)):
        value = document.get(name)
        if value is None:
            continue
        try:
            moment = vc_jwt.from_rfc3339(value) if isinstance(value, str) else None
        except vc_jwt.CredentialFormatError:
            moment = None
        if moment is None:
            raise bsl.BitstringStatusError(
                f"{name} is not a date-time", code=bsl.VERIFICATION, check="bsl.time"
            )
        if (moment + skew < now) if late else (moment > now + skew):
            raise bsl.BitstringStatusError(
                f"the list is not valid now ({name} {value})", code=bsl.VERIFICATION, check="bsl.time"
            )
