"""Credential issuers and trust anchors (a register that issues NutsOrganizationCredentials, …)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nutssim.errors import InputError, SimulationError, did_you_mean
from nutssim.messages import HttpRequest, HttpResponse, text_response
from nutssim.models.credential import Credential, credential_document, organization_subject
from nutssim.parties.base import Context
from nutssim.parties.identity import DidWebHost, Identity
from nutssim.rng import SimRandom
from nutssim.specs import statuslist2021 as sl
from nutssim.specs import vc_jwt

STATUS_LIST_VALIDITY = 24 * 3600  # the reference issues lists valid for 24 h

if TYPE_CHECKING:
    from nutssim.parties.node import Subject


class Issuer(DidWebHost):
    """A party that issues credentials with its own did:web identity."""

    role = "issuer"

    def __init__(self, id: str, name: str, host: str, rng: SimRandom, clock_now: Any) -> None:
        super().__init__(id, name, host)
        self._rng = rng
        self._now = clock_now
        self.identity: Identity = self.new_identity(rng)
        self.issued: list[Credential] = []
        self.on_issue: list[Any] = []  # callbacks (issuer, credential, holder) for the trace
        self.on_revoke: list[Any] = []  # callbacks (issuer, credential) for the trace
        self.status_bits = sl.Bitstring()
        self._next_index = 0
        self._index_of: dict[str, int] = {}
        #: When False the status list URL answers 503 (a fault: the list server is down).
        self.status_list_online = True
        self.route("GET", "/statuslist/{did}/{page}", self.serve_status_list, "status list (StatusList2021)")

    @property
    def status_list_url(self) -> str:
        """Where this issuer's (single) revocation list is served (PROTOCOL.md §0)."""
        return f"{self.host}/statuslist/{self.did}/1"

    @property
    def did(self) -> str:
        """The issuer DID."""
        return self.identity.did

    def issue(
        self,
        document: dict[str, Any],
        holder: Subject | None = None,
        *,
        revocable: bool = False,
        format: str = "jwt_vc",
    ) -> Credential:
        """Sign ``document`` (as ``jwt_vc`` or ``ldp_vc``) and, if a holder is given, put it in its wallet."""
        where = f"credential {document.get('id', '')}".strip() if isinstance(document, dict) else "credential"
        vc_jwt.validate_document(document, where=where)
        issuer = document["issuer"].get("id") if isinstance(document["issuer"], dict) else document["issuer"]
        if issuer != self.did:
            raise InputError(
                f"issuer {issuer!r} is not this issuer ({self.name})",
                where=f"{where}: /issuer",
                hint=f"use {self.did!r}; to forge one on purpose, sign with vc_jwt.issue_credential",
            )
        if revocable:
            index = self._next_index
            self._next_index += 1
            self._index_of[str(document.get("id"))] = index
            document = {**document, "credentialStatus": sl.status_entry(self.status_list_url, index)}
            if sl.STATUS_LIST_CONTEXT not in document["@context"]:
                document["@context"] = [*document["@context"], sl.STATUS_LIST_CONTEXT]
        credential = self._sign(document, format)
        self.issued.append(credential)
        if holder is not None:
            holder.wallet.add(credential)
        for callback in self.on_issue:
            callback(self, credential, holder)
        return credential

    def _sign(self, document: dict[str, Any], format: str) -> Credential:
        key = self.identity.key
        if format == "jwt_vc":
            return vc_jwt.credential_from_jwt(vc_jwt.issue_credential(document, key))
        if format != "ldp_vc":
            raise InputError(
                f"cannot issue format {format!r}: use 'jwt_vc' or 'ldp_vc'",
                hint=did_you_mean(format, ("jwt_vc", "ldp_vc"), listing=False),
            )
        from nutssim.specs import jws2020

        if jws2020.JWS2020_CONTEXT not in document["@context"]:  # defines the proof terms
            document = {**document, "@context": [*document["@context"], jws2020.JWS2020_CONTEXT]}
        issued = vc_jwt.from_rfc3339(document["issuanceDate"])
        signed = jws2020.sign_credential(
            document, key, verification_method=key.kid or self.did, created=issued
        )
        return vc_jwt.credential_from_json(signed)

    def issue_organization_credential(
        self,
        holder: Subject,
        name: str | None = None,
        city: str = "Utrecht",
        *,
        valid_for: int | None = 365 * 24 * 3600,
        issued_at: int | None = None,
        subject_did: str | None = None,
        revocable: bool = True,
        format: str = "jwt_vc",
    ) -> Credential:
        """Issue a NutsOrganizationCredential (PROTOCOL.md §3.3) to ``holder``'s first DID."""
        now = self._now() if issued_at is None else issued_at
        document = credential_document(
            id=f"{self.did}#{self._rng.uuid()}",
            type="NutsOrganizationCredential",
            issuer=self.did,
            issuance_date=vc_jwt.to_rfc3339(now),
            expiration_date=vc_jwt.to_rfc3339(now + valid_for) if valid_for else None,
            subject=organization_subject(subject_did or holder.did, name or holder.name, city),
        )
        return self.issue(document, holder, revocable=revocable, format=format)

    # -- revocation (StatusList2021, PROTOCOL.md §3.6) ---------------------------------------------
    def revoke(self, credential: Credential) -> None:
        """Set the credential's bit on this issuer's status list."""
        self.status_bits.set(self._index(credential))
        for callback in self.on_revoke:
            callback(self, credential, True)

    def unrevoke(self, credential: Credential) -> None:
        """Clear the credential's bit (revocation lists allow it; suspension-like use)."""
        self.status_bits.clear(self._index(credential))
        for callback in self.on_revoke:
            callback(self, credential, False)

    def _index(self, credential: Credential) -> int:
        try:
            return self._index_of[credential.id]
        except KeyError:
            raise SimulationError(
                f"{credential.id} was not issued as revocable by {self.name}; issue it with revocable=True"
            ) from None

    def serve_status_list(self, request: HttpRequest, ctx: Context, did: str, page: str) -> HttpResponse:
        """GET /statuslist/{did}/{page}: the signed StatusList2021Credential as a JWT VC."""
        if not self.status_list_online:
            return text_response(503, "status list service unavailable")
        if request.url.split("?")[0] != self.status_list_url:
            return text_response(404, "status list not found")
        now = ctx.now()
        document = sl.status_list_credential_document(
            self.did,
            self.status_list_url,
            self.status_bits,
            vc_jwt.to_rfc3339(now),
            credential_id=f"{self.did}#statuslist-1",
            expiration_date_str=vc_jwt.to_rfc3339(now + STATUS_LIST_VALIDITY),
        )
        return text_response(200, vc_jwt.issue_credential(document, self.identity.key), "application/vc+jwt")
