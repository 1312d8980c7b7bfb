"""StatusList2021 on the network: issuers host their lists, verifiers fetch and cache them.

PROTOCOL.md §3.6: a verifier fetches the list named by a credential's
``statusListCredential`` (a traced message), keeps it 15 minutes, uses a stale copy
when a refresh fails, and under the reference **fails open**: only a confirmed set bit
means "revoked". The ``strict`` profile fails closed: a list that cannot be had makes
the credential unverifiable.
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
from nutssim.specs import statuslist2021 as sl
from nutssim.specs import vc_jwt
from nutssim.specs.vc_verify import VerificationFailed, verify_credential_signature

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
    ) -> None:
        self.cache = cache
        self.fail_closed = fail_closed
        #: ``Context.check``: (id, ref, passed, detail, cause=…).
        self.record: Callable[..., Any] = record or (lambda *a, **k: None)

    def is_revoked(self, credential: Credential, now: int) -> Generator[HttpRequest, HttpResponse, bool]:
        """True only when a revocation entry's bit is set (fail-open) or, strict, unknowable."""
        statuses = credential.document.get("credentialStatus")
        entries = statuses if isinstance(statuses, list) else ([statuses] if statuses else [])
        for raw in entries:
            try:
                entry = sl.check_entry_syntax(raw, credential.document.get("@context"))
            except sl.StatusListError as exc:
                raise VerificationFailed(f"invalid credentialStatus: {exc}", check=exc.check) from None
            if entry is None or entry.purpose != sl.REVOCATION:
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
            status_list, expires = yield from fetch_status_list_credential(url)
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
    url: str,
) -> Generator[HttpRequest, HttpResponse, tuple[sl.StatusList, int | None]]:
    """Fetch and verify a status list credential; return its list and its expirationDate (epoch)."""
    response = yield HttpRequest.get(url, headers={"Accept": "application/vc+jwt, application/json"})
    if not response.ok:
        raise sl.StatusListError(f"fetching {url} failed: HTTP {response.status}", check="statuslist.fetch")
    try:
        credential = vc_jwt.credential_from_jwt(response.body.strip())
        # PROTOCOL.md §3.2: the signing key must belong to the list's issuer (kid DID == iss).
        yield from verify_credential_signature(credential)
    except (jose.JoseError, vc_jwt.CredentialFormatError, VerificationFailed) as exc:
        raise sl.StatusListError(
            f"status list credential at {url} is invalid: {exc}", check="statuslist.credential"
        ) from None
    status_list = sl.check_status_list_credential(credential.document, list_url=url, require_proof=False)
    expires = credential.document.get("expirationDate")
    return status_list, vc_jwt.from_rfc3339(expires) if isinstance(expires, str) else None
