"""StatusList2021 on the network: issuers host their lists, verifiers fetch and cache them.

PROTOCOL.md §3.6: a verifier fetches the list named by a credential's
``statusListCredential`` (a traced message), keeps it 15 minutes, uses a stale copy
when a refresh fails, and under the reference **fails open**: only a confirmed set bit
means "revoked". The ``strict`` profile fails closed: a list that cannot be had makes
the credential unverifiable.

The wire format (FIDELITY.md "StatusList2021 wire format"): the reference reads the body with
``json.Unmarshal`` (``vcr/revocation/statuslist2021_verifier.go download``), so it takes the
JSON-LD list its own issuer serves (or a JWT quoted as a JSON string) and cannot parse a bare
JWT, which then fails open; ``strict`` takes both a JSON-LD and a JWT list, verified, and
fails closed on anything it cannot verify.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from nutssim import causes, jose
from nutssim.causes import Cause
from nutssim.errors import ProtocolError
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.models.credential import Credential
from nutssim.parties import bitstring_status
from nutssim.specs import jws2020, jwx_text, vc_jwt
from nutssim.specs import statuslist2021 as sl
from nutssim.specs.jsonld import LdProcessing
from nutssim.specs.vc_verify import VerificationFailed, check_validity_time, verify_credential_signature

LIST_MAX_AGE = 15 * 60  # maxAgeExternal


@dataclass
class CachedList:
    """A fetched, verified status list and when it was fetched."""

    status_list: sl.StatusList
    fetched_at: int
    expires: int | None = None  # the list credential's expirationDate


class StatusListClient:
    """Fetches, verifies and caches status lists for one verifier (implements ``StatusChecker``)."""

    def __init__(
        self,
        cache: dict[str, CachedList],
        *,
        fail_closed: bool,
        record: Callable[..., Any] | None = None,
        reference: bool | None = None,
        jwx: jwx_text.Words | None = jwx_text.V3_2_0,
    ) -> None:
        self.cache = cache
        self.fail_closed = fail_closed
        #: Read lists as the reference does (JSON only); by default the fail-open client is the reference.
        self.reference = not fail_closed if reference is None else reference
        #: Under the reference: its jwx (``Reference.jwx``), which decides a JWT list's ``crit`` and words.
        self.jwx = jwx
        #: ``Context.check``: (id, ref, passed, detail, cause=…).
        self.record: Callable[..., Any] = record or (lambda *a, **k: None)

    def is_revoked(self, credential: Credential, now: int) -> Generator[HttpRequest, HttpResponse, bool]:
        """True only when a revocation entry's bit is set (fail-open) or, strict, unknowable."""
        statuses = credential.document.get("credentialStatus")
        entries = statuses if isinstance(statuses, list) else ([statuses] if statuses else [])
        for raw in entries:
            if not self.reference and bitstring_status.bsl.is_entry(raw):  # strict: GFI-003
                if (yield from bitstring_status.bitstring_revoked(self.record, credential, raw, now)):
                    return True
                continue
            try:
                entry = sl.check_entry_syntax(raw, credential.document.get("@context"))
            except sl.StatusListError as exc:
                raise VerificationFailed(f"invalid credentialStatus: {exc}", check=exc.check) from None
            if entry is None:
                bitstring_status.record_ignored(self.record, credential, raw)
                continue
            if entry.purpose != sl.REVOCATION:
                continue
            status_list = yield from self._list(entry.list_url, now)
            if status_list is None:
                continue
            try:
                revoked = sl.is_listed(entry, status_list)
            except sl.StatusListError as exc:
                self._unknown(entry.list_url, str(exc))
                continue
            self.record(
                "vc.revocation",
                "StatusList2021 §6; PROTOCOL.md §3.6",
                not revoked,
                f"{credential.id}: bit {entry.index} of {entry.list_url} is {'set' if revoked else 'clear'}",
                cause=Cause(causes.REVOKED, "credential", credential.id, reason=entry.list_url),
            )
            if revoked:
                return True
        return False

    def _list(self, url: str, now: int) -> Generator[HttpRequest, HttpResponse, sl.StatusList | None]:
        cached = self.cache.get(url)
        # Reference statusList(): refresh when expired or older than 15 minutes (strictly).
        if (
            cached is not None
            and now - cached.fetched_at <= LIST_MAX_AGE
            and (cached.expires is None or cached.expires >= now)
        ):
            return cached.status_list
        try:
            status_list, expires = yield from fetch_status_list_credential(
                url, now, reference=self.reference, jwx=self.jwx
            )
        except ProtocolError as exc:
            if cached is not None:  # PROTOCOL.md §3.6: if refresh fails the stale copy is used
                self.record(
                    "vc.revocation_list", "PROTOCOL.md §3.6", True, f"refresh failed, stale copy used: {exc}"
                )
                return cached.status_list
            self._unknown(url, str(exc))
            return None
        self.cache[url] = CachedList(status_list, now, expires)
        return status_list

    def _unknown(self, url: str, why: str) -> None:
        if self.fail_closed:
            cause = Cause(causes.STATUS_UNKNOWN, "status_list", url, reason=why)
            self.record(
                "vc.revocation_list", "StatusList2021 §6 (strict: fail closed)", False, why, cause=cause
            )
            raise VerificationFailed(
                f"unable to check revocation status: {why}",
                check="vc.revocation_list",
                kind=causes.STATUS_UNKNOWN,
            )
        self.record(
            "vc.revocation_list",
            "PROTOCOL.md §3.6 (reference: fail open)",
            True,
            f"status list {url} unavailable, credential treated as not revoked: {why}",
        )


def fetch_status_list_credential(
    url: str, now: int, *, reference: bool = True, jwx: jwx_text.Words | None = jwx_text.V3_2_0
) -> Generator[HttpRequest, HttpResponse, tuple[sl.StatusList, int | None]]:
    """Fetch and verify a status list credential; return its list and its expirationDate (epoch)."""
    # The reference's download() sets no Accept header (http.NewRequest, then client.Do).
    headers = {} if reference else {"Accept": "application/json, application/vc+ld+json, application/vc+jwt"}
    response = yield HttpRequest.get(url, headers=headers)
    if response.status > 299:  # download: res.StatusCode > 299
        why = (
            f"fetching StatusList2021Credential from '{url}' failed"
            if reference
            else f"fetching {url} failed: HTTP {response.status}"
        )
        raise sl.StatusListError(why, check="statuslist.fetch")
    wire = sl.parse_status_list_body(response.body, reference=reference)
    try:
        credential = (
            vc_jwt.credential_from_jwt(wire.value, jwx_base64=reference)
            if wire.format == sl.JWT
            else vc_jwt.credential_from_json(wire.value)
        )
    except (jose.JoseError, vc_jwt.CredentialFormatError) as exc:
        raise sl.StatusListError(
            f"status list credential at {url} is invalid: {exc}", check="statuslist.parse"
        ) from None
    # verify(): content (validate, encodedList) first, then the signature; update(): then the subject id.
    status_list = sl.check_status_list_credential(credential.document, require_proof=wire.format == sl.LDP)
    try:
        yield from _verify_signature(credential, now, reference=reference, jwx=jwx)
    except (jose.JoseError, ProtocolError) as exc:
        raise sl.StatusListError(
            f"status list credential at {url} is invalid: {exc}", check="statuslist.credential"
        ) from None
    sl.check_list_is_for(status_list, url)
    expires = credential.document.get("expirationDate")
    return status_list, vc_jwt.from_rfc3339(expires) if isinstance(expires, str) else None


def _verify_signature(
    credential: Credential, now: int, *, reference: bool, jwx: jwx_text.Words | None = jwx_text.V3_2_0
) -> Generator[HttpRequest, HttpResponse, None]:
    """Issuer binding, time and signature of a list (vcr/verifier/signature_verifier.go VerifySignature)."""
    # The reference canonicalizes JSON-LD lists with json-gold (specs.jsonld LdProcessing.JSON_GOLD).
    ld_mode = LdProcessing.JSON_GOLD if reference else LdProcessing.SPEC
    if credential.format == "jwt_vc":
        # jwtSignature: kid DID == iss (IssuerKidValidator), signature, exp/nbf/iat at now (5 s skew).
        # jwx v3.2.0 (master) refuses crit there, project-gf's v2.1.6 never reads it; strict: by ld_mode.
        yield from verify_credential_signature(credential, ld_mode=ld_mode, jwx=jwx if reference else None)
        jose.check_times(jose.decode(credential.raw, jwx_base64=True).payload, now)  # re-read
    else:
        # jsonldProof: the verificationMethod's DID is the issuer, then ProofOptions.ValidAt(now, 5 s),
        # then the key and the JsonWebSignature2020 signature.
        found = credential.document.get("proof")
        proof: dict[str, Any] = found if isinstance(found, dict) else {}
        method = str(proof.get("verificationMethod") or "")
        if not method:
            raise VerificationFailed("missing proof", check="vc.proof")
        if method.split("#")[0] != credential.issuer:
            raise VerificationFailed("verification method is not of issuer", check="vc.kid")
        created, expires = jws2020.proof_times(proof)  # an absent created is Go's zero time: valid
        skew = jws2020.DEFAULT_SKEW
        if (created is not None and created > now + skew) or (expires is not None and expires + skew < now):
            raise VerificationFailed("presentation not valid at given time", check="vc.time")
        yield from verify_credential_signature(credential, ld_mode=ld_mode)
    if not reference:
        # VC-DM 1.1 §4.6/§4.7: the verifier checks the list credential's own validity period; the
        # reference does not (it only uses expirationDate to decide when to refresh its copy).
        check_validity_time(credential, now)
