"""Credential issuers and trust anchors (a register that issues NutsOrganizationCredentials, …)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nutssim.errors import InputError, OAuthError, ProtocolError, SimulationError, did_you_mean
from nutssim.messages import HttpRequest, HttpResponse, json_response, text_response
from nutssim.models.credential import Credential, credential_document, organization_subject
from nutssim.parties.base import Context
from nutssim.parties.identity import DidWebHost, Identity
from nutssim.parties.vci_issuer import CredentialIssuerRole
from nutssim.rng import SimRandom
from nutssim.specs import bitstring_status_list as bsl
from nutssim.specs import statuslist2021 as sl
from nutssim.specs import vc_jwt

STATUS_LIST_VALIDITY = 24 * 3600  # the reference issues lists valid for 24 h
#: The register's list formats: ``ldp`` as the reference (JSON-LD, JsonWebSignature2020), ``jwt`` a
#: JWT VC as a non-reference register might serve (to show both interop directions).
STATUS_LIST_FORMATS = (sl.LDP, sl.JWT)
#: auth/api/iam/api.go cacheControlMaxAgeURLs: "/statuslist/:did/:page" gets max-age 5 min.
STATUS_LIST_CACHE_CONTROL = "max-age=300"
#: How a revocable credential's status is published: StatusList2021 (the reference's) or
#: Bitstring Status List v1.0 (GFI-003's).
STATUS_METHODS = ("statuslist2021", "bitstring")

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
        self._status_list_format = sl.LDP
        #: The signed list last served per format, with its expiry (reference: the stored credential).
        self._served: dict[str, tuple[str, int]] = {}
        self.route("GET", "/statuslist/{did}/{page}", self.serve_status_list, "status list (StatusList2021)")
        #: The Bitstring Status List v1.0 list (§2.2: at least 16 KB) and its indexes, apart from SL2021's.
        self.bsl_bits = bytearray(bsl.MIN_BYTES)
        self._bsl_index_of: dict[str, int] = {}
        self.route(
            "GET", "/bsl/{did}/{page}", self.serve_bitstring_list, "status list (Bitstring Status List)"
        )
        #: The OpenID4VCI 1.0 issuer endpoints (parties.vci_issuer); enrol organizations to use them.
        self.openid4vci = CredentialIssuerRole(self)

    def render_error(self, request: HttpRequest, error: ProtocolError) -> HttpResponse:
        """OpenID4VCI's token, nonce and credential endpoints answer errors as JSON whatever the Accept."""
        # RFC 6749 §5.2 and OpenID4VCI 1.0 §8.3.1: an error response is application/json.
        back_end = request.path.startswith("/openid4vci/") and request.path != "/openid4vci/authorize"
        if back_end and isinstance(error, OAuthError) and not error.redirect_uri:
            return json_response(error.status, error.body(), headers=error.headers)
        return super().render_error(request, error)

    @property
    def status_list_url(self) -> str:
        """Where this issuer's (single) revocation list is served (PROTOCOL.md §0)."""
        return f"{self.host}/statuslist/{self.did}/1"

    @property
    def status_list_format(self) -> str:
        """How this register serves its list: ``ldp`` (the reference) or ``jwt``."""
        return self._status_list_format

    @status_list_format.setter
    def status_list_format(self, value: str) -> None:
        if value not in STATUS_LIST_FORMATS:
            raise InputError(
                f"unknown status list format {value!r} for {self.name}",
                where="status_list_format",
                hint=did_you_mean(str(value), STATUS_LIST_FORMATS, listing=False)
                or "use 'ldp' (JSON-LD, as the reference) or 'jwt'",
            )
        self._status_list_format = value

    @property
    def did(self) -> str:
        """The issuer DID."""
        return self.identity.did

    def rotate_key(self, alg: str = "ES256") -> str:
        """Sign with a fresh key from now on (first in the DID document); the old keys stay listed."""
        from nutssim.jose import KeyPair

        key = KeyPair.generate(self._rng, alg, kid=f"{self.did}#{self._rng.uuid()}")
        self.identity.keys.insert(0, key)
        self._served.clear()  # the next status list is signed with the new key
        return key.kid or ""

    def remove_key(self, kid: str) -> None:
        """Drop ``kid`` from the DID document: what it signed no longer verifies."""
        if len(self.identity.keys) < 2 or kid == self.identity.key.kid:
            raise InputError(f"{self.name} cannot remove its signing key {kid!r}", hint="rotate_key() first")
        self.identity.keys[:] = [k for k in self.identity.keys if k.kid != kid]
        self._served.clear()

    def issue(
        self,
        document: dict[str, Any],
        holder: Subject | None = None,
        *,
        revocable: bool = False,
        format: str = "jwt_vc",
        status: str = "statuslist2021",
    ) -> Credential:
        """Sign ``document`` (as ``jwt_vc`` or ``ldp_vc``) and, if a holder is given, put it in its wallet.

        ``status`` says how a revocable credential's status is published: ``statuslist2021`` or
        ``bitstring`` (Bitstring Status List v1.0).
        """
        where = f"credential {document.get('id', '')}".strip() if isinstance(document, dict) else "credential"
        vc_jwt.validate_document(document, where=where)
        issuer = document["issuer"].get("id") if isinstance(document["issuer"], dict) else document["issuer"]
        if issuer != self.did:
            raise InputError(
                f"issuer {issuer!r} is not this issuer ({self.name})",
                where=f"{where}: /issuer",
                hint=f"use {self.did!r}; to forge one on purpose, sign with vc_jwt.issue_credential",
            )
        if revocable and status == "bitstring":
            document = self._with_bitstring_status(document, format)
        elif revocable:
            _check_status_method(status)
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
        status: str = "statuslist2021",
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
        return self.issue(document, holder, revocable=revocable, format=format, status=status)

    # -- revocation (StatusList2021, PROTOCOL.md §3.6) ---------------------------------------------
    def revoke(self, credential: Credential) -> None:
        """Set the credential's bit on this issuer's status list (StatusList2021 or Bitstring)."""
        if credential.id in self._bsl_index_of:
            self._set_bitstring_status(credential, 1)
            return
        self.status_bits.set(self._index(credential))
        self._served.clear()  # the reference re-issues its list on every revocation (Revoke)
        for callback in self.on_revoke:
            callback(self, credential, True)

    def unrevoke(self, credential: Credential) -> None:
        """Clear the credential's bit (revocation lists allow it; suspension-like use)."""
        if credential.id in self._bsl_index_of:
            self._set_bitstring_status(credential, 0)
            return
        self.status_bits.clear(self._index(credential))
        self._served.clear()
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
        """GET /statuslist/{did}/{page}: the signed StatusList2021Credential (JSON-LD, or a JWT VC)."""
        if not self.status_list_online:
            return text_response(503, "status list service unavailable")
        cache = {"Cache-Control": STATUS_LIST_CACHE_CONTROL}  # the middleware sets it on the path
        if request.url.split("?")[0] != self.status_list_url:
            return text_response(404, "status list not found", headers=cache)
        body = self._status_list_body(ctx.now())
        if self.status_list_format == sl.JWT:
            return text_response(200, body, "application/vc+jwt", headers=cache)
        # auth/api/iam/generated.go StatusList200JSONResponse: Content-Type application/json.
        return text_response(200, body, "application/json", headers=cache)

    def _status_list_body(self, now: int) -> str:
        """The stored list while it has a quarter of its validity left, else a newly signed one."""
        # vcr/revocation/statuslist2021_issuer.go Credential: the stored credential is returned while
        # now + minTimeUntilExpired (validity / 4) is before its expiry; otherwise it is re-issued.
        fmt = self.status_list_format
        served = self._served.get(fmt)
        if served is not None and now + STATUS_LIST_VALIDITY // 4 < served[1]:
            return served[0]
        expires = now + STATUS_LIST_VALIDITY
        document = sl.status_list_credential_document(
            self.did,
            self.status_list_url,
            self.status_bits,
            vc_jwt.to_rfc3339(now),
            credential_id=f"{self.did}#statuslist-1",
            expiration_date_str=vc_jwt.to_rfc3339(expires),
        )
        if fmt == sl.JWT:
            body = vc_jwt.issue_credential(document, self.identity.key)
        else:
            body = sl.go_json(self._sign_status_list(document, now))
        self._served[fmt] = (body, expires)
        return body

    def _sign_status_list(self, document: dict[str, Any], now: int) -> dict[str, Any]:
        """JsonWebSignature2020 over the list, as vcr/issuer/issuer.go buildJSONLDCredential signs it."""
        from nutssim.specs import jws2020

        # The reference signs [VC, StatusList2021] and then adds the JWS2020 context (LDProof.Sign's
        # AddContext); the proof terms need it defined here, and it does not change the list's N-Quads.
        key = self.identity.key
        unsigned = {**document, "@context": [*document["@context"], jws2020.JWS2020_CONTEXT]}
        signed = jws2020.sign_credential(unsigned, key, verification_method=key.kid or self.did, created=now)
        signed["proof"] = dict(sorted(signed["proof"].items()))  # go-did marshals the proof map sorted
        return signed

    # -- Bitstring Status List v1.0 (GFI-003) --------------------------------------------------------
    @property
    def bitstring_list_url(self) -> str:
        """Where this issuer's Bitstring Status List credential is served."""
        return f"{self.host}/bsl/{self.did}/1"

    def _with_bitstring_status(self, document: dict[str, Any], format: str) -> dict[str, Any]:
        """Give ``document`` a BitstringStatusListEntry at the next free index of the list."""
        if format != "jwt_vc":
            # The entry's terms are defined by the VC-DM 2.0 context only; a VC-DM 1.1 JSON-LD
            # credential cannot carry them through a safe-mode expansion.
            raise InputError(
                "a Bitstring Status List entry is issued on jwt_vc credentials only",
                where="status",
                hint="use format='jwt_vc', or status='statuslist2021' for ldp_vc",
            )
        index = len(self._bsl_index_of)
        self._bsl_index_of[str(document.get("id"))] = index
        return {**document, "credentialStatus": bsl.status_entry(self.bitstring_list_url, index)}

    def _set_bitstring_status(self, credential: Credential, value: int) -> None:
        bsl.set_status(self.bsl_bits, self._bsl_index_of[credential.id], value)
        for callback in self.on_revoke:
            callback(self, credential, bool(value))

    def serve_bitstring_list(self, request: HttpRequest, ctx: Context, did: str, page: str) -> HttpResponse:
        """GET /bsl/{did}/{page}: the BitstringStatusListCredential as a ``vc+jwt`` (VC-JOSE-COSE)."""
        if not self.status_list_online:
            return text_response(503, "status list service unavailable")
        cache = {"Cache-Control": STATUS_LIST_CACHE_CONTROL}
        if request.url.split("?")[0] != self.bitstring_list_url:
            return text_response(404, "status list not found", headers=cache)
        now = ctx.now()
        document = bsl.list_credential_document(
            self.did,
            self.bitstring_list_url,
            bytes(self.bsl_bits),
            vc_jwt.to_rfc3339(now),
            vc_jwt.to_rfc3339(now + STATUS_LIST_VALIDITY),
        )
        body = bsl.sign_list_credential(document, self.identity.key)
        return text_response(200, body, "application/vc+jwt", headers=cache)


def _check_status_method(status: str) -> None:
    if status not in STATUS_METHODS:
        raise InputError(
            f"unknown status method {status!r}",
            where="status",
            hint=did_you_mean(status, STATUS_METHODS, listing=False) or "use 'statuslist2021' or 'bitstring'",
        )
