"""The credential issuer side of OpenID4VCI 1.0, as a role of an ``Issuer`` (a register).

It serves its metadata (§12.2), runs its own authorization server (authorization code with
``authorization_details`` and PKCE, §5–§6), a nonce endpoint (§7) and the credential endpoint
(§8), which checks the JWT key proof (Appendix F.1) and binds the credential to the DID whose
key signed it. Who may be issued what is the register's *enrolment* (``enrol``): an
organization's OAuth client id and the claims the register vouches for, which a real register
establishes out of band (a KvK or AGB lookup, a smart card login); the browser that reaches the
authorization endpoint is taken to be that organization's user.

The controls: ``pkce`` (a code is bound to an S256 challenge and redeemed only with its
verifier), ``vci_nonce`` (a proof carries a fresh, unused ``c_nonce``), ``vci_proof_signature``
(the proof is verified with the key its ``kid`` names) and ``vci_entitlement`` (only the
configurations an organization is enrolled for are authorized).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, Protocol

from nutssim import jose
from nutssim.errors import OAuthError, ProtocolError
from nutssim.messages import HttpRequest, HttpResponse, json_response, redirect, with_query
from nutssim.models.credential import Credential, credential_document, organization_subject
from nutssim.models.did import did_of
from nutssim.parties.base import Context, Process, expect_rule, fail_rule
from nutssim.specs import openid4vci as vci
from nutssim.specs import rfc7636, vc_jwt
from nutssim.specs.did import DIDResolutionError, resolve_key
from nutssim.specs.rfc6749 import AUTHORIZATION_CODE
from nutssim.stores import ExpiringMap

CODE_TTL = 60  # seconds an authorization code lives (RFC 6749 §4.1.2: "short lifetime")
TOKEN_TTL = 300  # the access token's expires_in
NONCE_TTL = 60  # a c_nonce is fresh for a minute
PROOF_MAX_AGE = 300  # how old a proof's iat may be
ORGANIZATION_CONFIGURATION = "NutsOrganizationCredential_jwt"


class IssuingParty(Protocol):
    """What this role needs of its ``parties.issuer.Issuer``: its host, DID, routes and signing."""

    host: str

    @property
    def did(self) -> str:
        """The issuer DID."""
        ...

    def route(self, method: str, template: str, handler: Any, label: str) -> None:
        """Serve a route."""
        ...

    def issue(self, document: dict[str, Any], *, revocable: bool = False) -> Credential:
        """Sign a credential document."""
        ...


@dataclass
class Enrolment:
    """An organization the register knows: its client id, name, city and what it may be issued."""

    client_id: str
    name: str
    city: str
    configurations: set[str] = field(default_factory=lambda: {ORGANIZATION_CONFIGURATION})


@dataclass(frozen=True)
class CodeGrant:
    """What an authorization code stands for."""

    client_id: str
    redirect_uri: str
    challenge: str
    configurations: tuple[str, ...]


@dataclass(frozen=True)
class TokenGrant:
    """What an access token authorizes: per credential identifier, its configuration."""

    client_id: str
    identifiers: dict[str, str]


@dataclass
class NonceState:
    """A ``c_nonce``: when it was issued and whether a proof used it."""

    issued_at: int
    used: bool = False


class CredentialIssuerRole:
    """OpenID4VCI issuer endpoints on an ``Issuer``."""

    def __init__(self, issuer: IssuingParty) -> None:
        self.issuer = issuer
        self.configurations: dict[str, dict[str, Any]] = {
            ORGANIZATION_CONFIGURATION: vci.configuration("NutsOrganizationCredential"),
            "HealthcareProviderCredential_jwt": vci.configuration("HealthcareProviderCredential"),
        }
        self.enrolments: dict[str, Enrolment] = {}
        #: How long a credential it issues is valid (a register's choice; a year by default).
        self.valid_for = 365 * 24 * 3600
        self.offers: dict[str, dict[str, Any]] = {}
        self.codes: ExpiringMap[str, CodeGrant] = ExpiringMap(CODE_TTL)
        self.tokens: ExpiringMap[str, TokenGrant] = ExpiringMap(TOKEN_TTL)
        # Kept ten times longer than they are fresh, so a late proof is told "expired", not "unknown".
        self.nonces: ExpiringMap[str, NonceState] = ExpiringMap(10 * NONCE_TTL)
        route = issuer.route
        route("GET", vci.WELL_KNOWN_ISSUER, self.serve_metadata, "credential issuer metadata")
        route("GET", vci.WELL_KNOWN_AS, self.serve_as_metadata, "issuer AS metadata")
        route("GET", "/openid4vci/offer/{offer_id}", self.serve_offer, "credential offer")
        route("GET", "/openid4vci/authorize", self.authorize, "credential authorization request")
        route("POST", "/openid4vci/token", self.token, "credential token request")
        route("POST", "/openid4vci/nonce", self.nonce, "nonce request")
        route("POST", "/openid4vci/credential", self.credential, "credential request")

    @property
    def identifier(self) -> str:
        """The Credential Issuer Identifier (§12.2.1): the register's https URL."""
        return self.issuer.host

    def enrol(self, client_id: str, name: str, city: str = "Utrecht", *configurations: str) -> Enrolment:
        """Let ``client_id`` (an organization's OAuth identity) be issued ``configurations`` about it."""
        enrolment = Enrolment(client_id, name, city, set(configurations or {ORGANIZATION_CONFIGURATION}))
        self.enrolments[client_id] = enrolment
        return enrolment

    def offer(self, *configurations: str) -> str:
        """Publish a Credential Offer (§4.1) and return its ``credential_offer_uri`` (§4.1.3)."""
        offer_id = str(len(self.offers) + 1)
        chosen = list(configurations or (ORGANIZATION_CONFIGURATION,))
        self.offers[offer_id] = vci.credential_offer(self.identifier, chosen)
        return f"{self.identifier}/openid4vci/offer/{offer_id}"

    def serve_offer(self, request: HttpRequest, ctx: Context, offer_id: str) -> HttpResponse:
        """GET /openid4vci/offer/{id}: the offer by reference (§4.1.3), JSON."""
        found = self.offers.get(offer_id)
        if found is None:
            return json_response(404, {"error": "not_found"})
        return json_response(200, found)

    # -- metadata ---------------------------------------------------------------------------------------
    def serve_metadata(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        """GET /.well-known/openid-credential-issuer (§12.2.2)."""
        return json_response(200, vci.issuer_metadata(self.identifier, self.configurations))

    def serve_as_metadata(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        """GET /.well-known/oauth-authorization-server (RFC 8414 §3)."""
        return json_response(200, vci.authorization_server_metadata(self.identifier))

    # -- §5: the authorization endpoint -------------------------------------------------------------------
    def authorize(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        """GET /openid4vci/authorize: client and redirect first (no redirect on those), then the rest."""
        query = request.query
        client_id, redirect_uri, state = (
            query.get("client_id", ""),
            query.get("redirect_uri", ""),
            query.get("state"),
        )
        enrolment = self.enrolments.get(client_id)
        # RFC 6749 §4.1.2.1: with an unknown client or redirect URI the AS must not redirect.
        ok = enrolment is not None and redirect_uri.startswith(client_id.split("/oauth2/")[0] + "/")
        ctx.expect(
            ok,
            "vci.authorize.client",
            "RFC 6749 §4.1.2.1",
            OAuthError("invalid_request", "unknown client_id or redirect_uri"),
        )
        assert enrolment is not None
        expect_rule(
            ctx,
            query.get("response_type") == "code",
            vci.AUTHZ_RESPONSE_TYPE,
            redirect_uri=redirect_uri,
            state=state,
        )
        challenge = query.get("code_challenge", "")
        if ctx.profile.on("pkce"):
            has_pkce = bool(challenge) and query.get("code_challenge_method") == rfc7636.S256
            expect_rule(ctx, has_pkce, vci.AUTHZ_PKCE, redirect_uri=redirect_uri, state=state)
        try:
            details = vci.parse_authorization_details(query.get("authorization_details"))
        except vci.DetailsError as exc:
            fail_rule(ctx, vci.AUTHZ_DETAILS, why=str(exc), redirect_uri=redirect_uri, state=state)
        for detail in details:
            known = detail.configuration_id in self.configurations
            expect_rule(
                ctx,
                known,
                vci.AUTHZ_DETAILS,
                why=f"unknown {detail.configuration_id}",
                redirect_uri=redirect_uri,
                state=state,
            )
            if ctx.profile.on("vci_entitlement"):
                entitled = detail.configuration_id in enrolment.configurations
                values: dict[str, Any] = {"client_id": client_id, "configuration": detail.configuration_id}
                expect_rule(
                    ctx, entitled, vci.AUTHZ_ENTITLED, redirect_uri=redirect_uri, state=state, **values
                )
        code = ctx.rng.token()
        configurations = tuple(d.configuration_id for d in details)
        self.codes.put(code, CodeGrant(client_id, redirect_uri, challenge, configurations), ctx.now())
        ctx.fact("authorization_code_issued", client_id=client_id, configurations=list(configurations))
        params = {"code": code, **({"state": state} if state else {})}
        return redirect(with_query(redirect_uri, params))

    # -- §6: the token endpoint ---------------------------------------------------------------------------
    def token(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        """POST /openid4vci/token: authorization_code with the PKCE verifier; authorization_details back."""
        form = request.form
        expect_rule(ctx, form.get("grant_type") == AUTHORIZATION_CODE, vci.TOKEN_GRANT)
        grant = self.codes.pop(form.get("code", ""), ctx.now())  # single use
        expect_rule(ctx, grant is not None, vci.TOKEN_CODE)
        assert grant is not None
        same = form.get("client_id") == grant.client_id and form.get("redirect_uri") == grant.redirect_uri
        expect_rule(
            ctx, same, vci.TOKEN_CLIENT, why="client_id or redirect_uri differs from the authorization"
        )
        if ctx.profile.on("pkce"):
            verifier = form.get("code_verifier", "")
            expect_rule(ctx, bool(verifier), vci.TOKEN_PKCE, why="code_verifier is required")
            try:
                rfc7636.verify(verifier, grant.challenge)
            except OAuthError:
                fail_rule(ctx, vci.TOKEN_PKCE, why="invalid code_verifier")
        identifiers = {f"{c}-{ctx.rng.token()[:8]}": c for c in grant.configurations}
        access_token = ctx.rng.token()
        self.tokens.put(access_token, TokenGrant(grant.client_id, identifiers), ctx.now())
        ctx.fact("access_token_issued", client_id=grant.client_id, credential_identifiers=list(identifiers))
        details = [
            {"type": vci.OPENID_CREDENTIAL, "credential_configuration_id": c, "credential_identifiers": [i]}
            for i, c in identifiers.items()
        ]
        body = {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_TTL}
        return json_response(
            200, {**body, "authorization_details": details}, headers={"Cache-Control": "no-store"}
        )

    # -- §7: the nonce endpoint -----------------------------------------------------------------------------
    def nonce(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        """POST /openid4vci/nonce: a fresh c_nonce, not to be cached (§7.2)."""
        value = ctx.rng.token()
        self.nonces.put(value, NonceState(ctx.now()), ctx.now())
        return json_response(200, {"c_nonce": value}, headers={"Cache-Control": "no-store"})

    # -- §8: the credential endpoint ------------------------------------------------------------------------
    def credential(self, request: HttpRequest, ctx: Context) -> Process:
        """POST /openid4vci/credential: access token, request, proof (shape, nonce, signature), then issue."""
        grant = self._grant(request, ctx)
        body = request.json if isinstance(request.json, dict) else None
        expect_rule(ctx, body is not None, vci.CREDENTIAL_REQUEST, why="the request must be a JSON object")
        assert body is not None
        configuration = self._requested(ctx, grant, body)
        key_did = yield from self._check_proof(ctx, grant, body)
        credential = self._issue(ctx, grant, configuration, key_did)
        return json_response(
            200, {"credentials": [{"credential": credential}]}, headers={"Cache-Control": "no-store"}
        )

    def _grant(self, request: HttpRequest, ctx: Context) -> TokenGrant:
        auth = request.header("Authorization") or ""
        token = auth[7:] if auth.startswith("Bearer ") else ""
        grant = self.tokens.get(token, ctx.now()) if token else None
        why = "missing bearer token" if not token else "unknown or expired access token"
        if grant is None:
            error = ctx.render.rule_error(vci.ACCESS_TOKEN, why=why)
            error.headers = {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{why}"'}
            ctx.fail(vci.ACCESS_TOKEN.id, vci.ACCESS_TOKEN.ref, error, why)
        assert grant is not None
        ctx.check(vci.ACCESS_TOKEN.id, vci.ACCESS_TOKEN.ref, True)
        return grant

    def _requested(self, ctx: Context, grant: TokenGrant, body: dict[str, Any]) -> str:
        """§8.2: one of credential_identifier and credential_configuration_id, authorized by the token."""
        identifier, configuration = body.get("credential_identifier"), body.get("credential_configuration_id")
        one = (identifier is None) != (configuration is None)
        why = "exactly one of credential_identifier and credential_configuration_id is required"
        expect_rule(ctx, one, vci.CREDENTIAL_REQUEST, why=why)
        if identifier is not None:
            found = grant.identifiers.get(identifier) if isinstance(identifier, str) else None
            expect_rule(ctx, found is not None, vci.CREDENTIAL_IDENTIFIER, value=str(identifier)[:80])
            assert found is not None
            return found
        # §8.2: with credential_identifiers in the token response, the identifier must be used.
        expect_rule(ctx, not grant.identifiers, vci.CREDENTIAL_REQUEST, why="use the credential_identifier")
        authorized = configuration in grant.identifiers.values()
        expect_rule(ctx, authorized, vci.CREDENTIAL_AUTHORIZED, configuration=str(configuration)[:80])
        return str(configuration)

    def _check_proof(
        self, ctx: Context, grant: TokenGrant, body: dict[str, Any]
    ) -> Generator[HttpRequest, HttpResponse, str]:
        """Appendix F.1 and §8.2: one JWT proof, its shape, its c_nonce, its signature; the DID it binds."""
        proofs = body.get("proofs")
        jwts = proofs.get("jwt") if isinstance(proofs, dict) else None
        single = isinstance(jwts, list) and len(jwts) == 1 and isinstance(jwts[0], str)
        expect_rule(ctx, single, vci.PROOF, why="proofs.jwt must hold exactly one JWT proof")
        assert isinstance(jwts, list)
        try:
            proof = vci.check_proof_shape(
                jwts[0], audience=self.identifier, now=ctx.now(), max_age=PROOF_MAX_AGE
            )
        except ValueError as exc:
            fail_rule(ctx, vci.PROOF, why=str(exc))
        if ctx.profile.strict:
            # Appendix F.1: iss, when present, is the client_id; the reference's wallet puts its DID
            # there (openid4vciProof), which only a lenient issuer accepts.
            iss = proof.jws.payload.get("iss")
            expect_rule(ctx, iss in (None, grant.client_id), vci.PROOF, why="proof iss must be the client_id")
        if ctx.profile.on("vci_nonce"):
            self._use_nonce(ctx, proof.nonce)
        if ctx.profile.on("vci_proof_signature"):
            try:
                key = yield from resolve_key(proof.kid)
                # RFC 7515 §4.1.11: an extension the issuer does not understand makes the JWS
                # invalid (as jwx v3.2.0 refuses any crit, FIDELITY.md "crit on VP/VC JWTs").
                jose.check_crit(proof.jws.header)
                proof.jws.verify(key)
            except jose.CriticalHeaderNotUnderstood as exc:
                fail_rule(ctx, vci.PROOF_CRIT, why=str(exc))
            except (DIDResolutionError, jose.JoseError, ProtocolError) as exc:
                fail_rule(ctx, vci.PROOF_SIGNATURE, why=f"proof signature does not verify: {exc}")
            ctx.check(vci.PROOF_SIGNATURE.id, vci.PROOF_SIGNATURE.ref, True, proof.kid)
        return did_of(proof.kid)

    def _use_nonce(self, ctx: Context, nonce: str) -> None:
        """§7: the proof's nonce is a c_nonce this issuer gave out, still fresh, not yet used."""
        state = self.nonces.get(nonce, ctx.now()) if nonce else None
        if state is None:
            why = "proof nonce is missing" if not nonce else "proof nonce is not a c_nonce of this issuer"
        elif ctx.now() > state.issued_at + NONCE_TTL:
            why = "c_nonce has expired"
        elif state.used:
            why = "c_nonce has already been used"
        else:
            why = ""
        expect_rule(ctx, not why, vci.PROOF_NONCE, why=why)
        assert state is not None
        state.used = True
        ctx.fact("c_nonce_burned", nonce=nonce)

    def _issue(self, ctx: Context, grant: TokenGrant, configuration: str, holder_did: str) -> str:
        """Sign the enrolled organization's credential for ``holder_did`` (the key proof's DID)."""
        enrolment = self.enrolments[grant.client_id]
        credential_type = self.configurations[configuration]["credential_definition"]["type"][-1]
        now = ctx.now()
        document = credential_document(
            id=f"{self.issuer.did}#{ctx.rng.uuid()}",
            type=credential_type,
            issuer=self.issuer.did,
            issuance_date=vc_jwt.to_rfc3339(now),
            expiration_date=vc_jwt.to_rfc3339(now + self.valid_for),
            subject=organization_subject(holder_did, enrolment.name, enrolment.city),
        )
        credential = self.issuer.issue(document, revocable=True)
        return str(credential.raw)
