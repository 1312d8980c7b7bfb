"""A tiny world of in-test parties that produces realistic traces for the views.

It does not depend on the real flows: a GP node asks a hospital node for a token with a
signed VP (a nested JWT VC and a JSON-LD VC inside) and a DPoP proof; the hospital
resolves DID documents while handling it (nested exchanges), records checks and facts,
and either grants or refuses (``invalid_request``). A browser run follows redirects
through an authorize endpoint that fetches a signed request object.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

from nutssim.errors import OAuthError
from nutssim.jose import KeyPair, sign
from nutssim.messages import HttpRequest, HttpResponse, json_response, redirect, text_response
from nutssim.parties.base import Context, Party
from nutssim.simulation import Simulation
from nutssim.specs.rfc9449 import ath, make_proof
from nutssim.trace import Trace

GP = "https://gp.example"
HOSPITAL = "https://hospital.example"
API = "https://api.hospital.example"
REGISTER = "https://register.example"
GP_DID = "did:web:gp.example:iam:1"
REGISTER_DID = "did:web:register.example"
AS_URL = f"{HOSPITAL}/oauth2/hospital"


def new_sim(seed: int = 1) -> Simulation:
    """A simulation that lets a party's bug surface as a test failure."""
    return Simulation(seed=seed, raise_party_exceptions=True)


def did_document(did: str, key: KeyPair) -> dict[str, Any]:
    """A minimal did:web document listing one key."""
    method = {"id": key.kid, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": key.public_jwk()}
    return {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [method],
        "assertionMethod": [key.kid],
    }


class Browser(Party):
    """The user's browser: sends requests, serves nothing."""

    role = "browser"


class Ehr(Party):
    """The calling application; serves nothing."""

    role = "ehr"


class Register(Party):
    """A credential issuer serving its did:web document."""

    role = "issuer"

    def __init__(self, key: KeyPair) -> None:
        super().__init__("register", "Zorgregister", REGISTER)
        self.key = key
        self.route("GET", "/.well-known/did.json", self.did, "DID document (did:web)")

    def dids(self) -> tuple[str, ...]:
        return (REGISTER_DID,)

    def did(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        return json_response(
            200, did_document(REGISTER_DID, self.key), {"Content-Type": "application/did+json"}
        )


class GpNode(Party):
    """The requesting node: internal API for its EHR, did:web documents, client side of the flows."""

    role = "node"

    def __init__(self, key: KeyPair, register_key: KeyPair) -> None:
        super().__init__("gp", "Huisarts West (node)", GP)
        self.key = key
        self.register_key = register_key
        self.seen: list[HttpRequest] = []
        self.route(
            "POST",
            "/internal/auth/v2/gp/request-service-access-token",
            self.service_access,
            "request service access token",
        )
        self.route("GET", "/iam/1/did.json", self.did, "DID document (did:web)")
        self.route("GET", "/oauth2/gp/user", self.user, "user landing page")
        self.route("GET", "/oauth2/gp/request.jwt/{id}", self.request_object, "request object (JAR)")
        self.route("GET", "/oauth2/callback", self.callback, "callback")

    def dids(self) -> tuple[str, ...]:
        return (GP_DID,)

    def did(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        return json_response(200, did_document(GP_DID, self.key), {"Content-Type": "application/did+json"})

    def service_access(
        self, request: HttpRequest, ctx: Context
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        self.seen.append(request)
        body = request.json or {}
        scope = str(body.get("scope", ""))
        meta = yield HttpRequest.get(f"{HOSPITAL}/.well-known/oauth-authorization-server/oauth2/hospital")
        token_endpoint = str((meta.json or {}).get("token_endpoint", f"{AS_URL}/token"))
        yield HttpRequest.get(f"{AS_URL}/presentation_definition", {"scope": scope})
        proof = make_proof(self.key, htm="POST", htu=token_endpoint, now=ctx.now(), rng=ctx.rng)
        form = {
            "grant_type": "vp_token-bearer",
            "client_id": f"{GP}/oauth2/gp",
            "scope": scope,
            "assertion": self.presentation(ctx),
            "presentation_submission": json.dumps(SUBMISSION),
        }
        answer = yield HttpRequest.post_form(
            token_endpoint, form, {"DPoP": proof, "Accept": "application/json"}
        )
        if not answer.ok:
            return json_response(400, answer.json or {"error": "server_error"})
        return json_response(200, {**(answer.json or {}), "dpop_kid": self.key.kid})

    def presentation(self, ctx: Context) -> str:
        now = ctx.now()
        vc = sign(
            {"kid": f"{REGISTER_DID}#key-1", "typ": "JWT"},
            {
                "iss": REGISTER_DID,
                "sub": GP_DID,
                "jti": f"{REGISTER_DID}#vc-1",
                "nbf": now - 86400,
                "exp": now + 365 * 86400,
                "vc": {
                    "@context": ["https://www.w3.org/2018/credentials/v1"],
                    "type": ["VerifiableCredential", "NutsOrganizationCredential"],
                    "credentialSubject": {
                        "id": GP_DID,
                        "organization": {"name": "Huisarts West", "city": "Utrecht"},
                    },
                },
            },
            self.register_key,
        )
        employee = {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "id": f"{GP_DID}#emp-1",
            "type": ["VerifiableCredential", "NutsEmployeeCredential"],
            "issuer": GP_DID,
            "issuanceDate": "2025-01-01T00:00:00Z",
            "credentialSubject": {
                "id": GP_DID,
                "name": "J. <script>alert(1)</script> Doe",
                "roleName": "Huisarts",
                "identifier": "123456",
            },
        }
        return sign(
            {"kid": self.key.kid, "typ": "JWT"},
            {
                "iss": GP_DID,
                "sub": GP_DID,
                "jti": f"{GP_DID}#vp-1",
                "aud": AS_URL,
                "nonce": ctx.rng.token(),
                "iat": now,
                "nbf": now,
                "exp": now + 5,
                "vp": {
                    "@context": ["https://www.w3.org/2018/credentials/v1"],
                    "type": ["VerifiablePresentation"],
                    "verifiableCredential": [vc, employee],
                },
            },
            self.key,
        )

    def user(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        target = f"{AS_URL}/authorize?client_id={GP}/oauth2/gp&request_uri={GP}/oauth2/gp/request.jwt/r1"
        return redirect(target)

    def request_object(self, request: HttpRequest, ctx: Context, id: str) -> HttpResponse:
        now = ctx.now()
        jar = sign(
            {"kid": self.key.kid, "typ": "oauth-authz-req+jwt"},
            {
                "iss": f"{GP}/oauth2/gp",
                "aud": AS_URL,
                "client_id": f"{GP}/oauth2/gp",
                "response_type": "code",
                "scope": "zorgtoepassing",
                "state": "state-1",
                "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                "code_challenge_method": "S256",
                "redirect_uri": f"{GP}/oauth2/callback",
                "iat": now,
                "exp": now + 300,
            },
            self.key,
        )
        return text_response(200, jar, "application/oauth-authz-req+jwt")

    def callback(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        if "error" in request.query:
            return text_response(400, f"login failed: {request.query['error']}", "text/html")
        return text_response(200, "<p>logged in</p>", "text/html")


SUBMISSION = {
    "id": "sub-1",
    "definition_id": "pd_care_organization",
    "descriptor_map": [{"id": "org", "format": "jwt_vc", "path": "$.verifiableCredential[0]"}],
}


class HospitalNode(Party):
    """The authorization server: metadata, PD, token endpoint (resolves DIDs), introspection, authorize."""

    role = "node"

    def __init__(self, fail: bool = False) -> None:
        super().__init__("hospital", "Ziekenhuis Oost (node)", HOSPITAL)
        self.fail = fail
        self.tokens: dict[str, str] = {}
        self.route(
            "GET",
            "/.well-known/oauth-authorization-server/oauth2/hospital",
            self.metadata,
            "authorization server metadata",
        )
        self.route("GET", "/oauth2/hospital/presentation_definition", self.pd, "presentation definition")
        self.route("POST", "/oauth2/hospital/token", self.token, "token request")
        self.route("POST", "/internal/auth/v2/accesstoken/introspect", self.introspect, "introspection")
        self.route("GET", "/oauth2/hospital/authorize", self.authorize, "authorize")

    def metadata(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        return json_response(
            200,
            {
                "issuer": AS_URL,
                "token_endpoint": f"{AS_URL}/token",
                "presentation_definition_endpoint": f"{AS_URL}/presentation_definition",
            },
        )

    def pd(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        return json_response(200, {"id": "pd_care_organization", "input_descriptors": [{"id": "org"}]})

    def token(self, request: HttpRequest, ctx: Context) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        ctx.check("s2s.params", "RFC021 §3.1", True)
        ctx.check("s2s.vp.audience", "RFC021 §4.2.3; PROTOCOL.md §1.5 #9", True)
        yield HttpRequest.get(f"{GP}/iam/1/did.json")
        yield HttpRequest.get(f"{REGISTER}/.well-known/did.json")
        ctx.fact("nonce_burned", nonce="abc123", holder=GP_DID)
        if self.fail:
            ctx.fail(
                "s2s.vp.nonce",
                "PROTOCOL.md §1.5 #14",
                OAuthError("invalid_request", "presentation nonce has already been used"),
                "nonce abc123 seen 3 s ago",
            )
        ctx.check("s2s.vp.signature", "PROTOCOL.md §3.5", True)
        token = ctx.rng.token()
        self.tokens[token] = "eoverdracht"
        ctx.fact("token_issued", token=token, client_id=f"{GP}/oauth2/gp", scope="eoverdracht")
        return json_response(
            200, {"access_token": token, "token_type": "DPoP", "expires_in": 900, "scope": "eoverdracht"}
        )

    def introspect(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        token = request.form.get("token", "")
        if token not in self.tokens:
            return json_response(200, {"active": False})
        return json_response(
            200,
            {
                "active": True,
                "iss": AS_URL,
                "scope": self.tokens[token],
                "iat": ctx.now(),
                "exp": ctx.now() + 900,
                "cnf": {"jkt": "abc"},
            },
        )

    def authorize(
        self, request: HttpRequest, ctx: Context
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        jar = yield HttpRequest.get(request.query.get("request_uri", ""))
        ctx.check("jar.signature", "RFC 9101 §6.2", jar.ok)
        if self.fail:
            ctx.check("user.consent", "PROTOCOL.md §2.2", False, "user declined")
            raise OAuthError(
                "access_denied", "user declined", redirect_uri=f"{GP}/oauth2/callback", state="state-1"
            )
        return redirect(f"{GP}/oauth2/callback?code=code-1&state=state-1")


class Api(Party):
    """The resource server: introspects the DPoP-bound token at the hospital node."""

    role = "resource_server"

    def __init__(self) -> None:
        super().__init__("api", "API Ziekenhuis Oost", API)
        self.route("GET", "/resource", self.resource, "resource request")

    def resource(
        self, request: HttpRequest, ctx: Context
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse]:
        token = (request.header("Authorization") or "").partition(" ")[2]
        info = yield HttpRequest.post_form(
            f"{HOSPITAL}/internal/auth/v2/accesstoken/introspect", {"token": token}
        )
        if not (info.json or {}).get("active"):
            ctx.check("rs.active", "RFC 7662 §2.2", False, "token is not active")
            return text_response(403, "Unauthorized")
        ctx.check("rs.active", "RFC 7662 §2.2", True)
        return json_response(200, {"patient": "Jan Jansen", "records": 3})


class World:
    """The parties of one simulation and the processes that drive them."""

    def __init__(self, fail: bool = False, seed: int = 1) -> None:
        self.sim = new_sim(seed)
        rng = self.sim.rng
        self.gp_key = KeyPair.generate(rng, kid=f"{GP_DID}#key-1")
        self.register_key = KeyPair.generate(rng, kid=f"{REGISTER_DID}#key-1")
        self.gp = self.sim.add(GpNode(self.gp_key, self.register_key))
        self.hospital = self.sim.add(HospitalNode(fail))
        self.api = self.sim.add(Api())
        self.register = self.sim.add(Register(self.register_key))
        self.ehr = self.sim.add(Ehr("ehr", "EHR Huisarts West", "https://ehr.gp.example"))
        self.browser = self.sim.add(Browser("browser", "Browser", "https://browser.invalid"))
        self.sim.trace.meta["scenario"] = "views-mini" + ("-fail" if fail else "")

    @property
    def trace(self) -> Trace:
        return self.sim.trace

    def s2s(self, scope: str = "eoverdracht") -> Generator[HttpRequest, HttpResponse, dict[str, Any]]:
        """The EHR's process: get a token from its node, then call the API with DPoP."""
        answer = yield HttpRequest.post_json(
            f"{GP}/internal/auth/v2/gp/request-service-access-token",
            {"authorization_server": AS_URL, "scope": scope},
        )
        if not answer.ok:
            return {"status": "denied", "error": answer.json}
        token = str(answer.json["access_token"])
        proof = make_proof(
            self.gp_key,
            htm="GET",
            htu=f"{API}/resource",
            now=self.sim.clock.now(),
            rng=self.sim.rng,
            access_token=token,
        )
        assert ath(token)
        resource = yield HttpRequest.get(
            f"{API}/resource", headers={"Authorization": f"DPoP {token}", "DPoP": proof}
        )
        return {"status": "granted" if resource.ok else "denied", "resource": resource.status}

    def login(self) -> Generator[HttpRequest, HttpResponse, int]:
        """The browser's process: follow redirects from the user landing page to the callback."""
        response = yield HttpRequest.get(f"{GP}/oauth2/gp/user", {"token": "T"})
        while response.is_redirect:
            response = yield HttpRequest.get(str(response.location))
        return response.status

    def run_s2s(self, **kwargs: Any) -> dict[str, Any]:
        """Run the s2s process to its end and record the outcome."""
        result: dict[str, Any] = self.sim.start(self.s2s(**kwargs), "ehr").finish()
        self.trace.outcome = {"status": result["status"]}
        if result["status"] == "denied":
            self.trace.outcome["error"] = result.get("error")
        return result

    def run_login(self) -> int:
        """Run the browser process to its end."""
        status: int = self.sim.start(self.login(), "browser").finish()
        return status


def good_trace() -> Trace:
    """A granted run: login through redirects, then the s2s flow with nested DID lookups."""
    world = World()
    world.run_login()
    world.sim.clock.advance(2)
    world.run_s2s()
    return world.trace


def failure_trace() -> Trace:
    """A refused run: login denied by redirect, token request refused with invalid_request."""
    world = World(fail=True)
    world.run_login()
    world.run_s2s()
    return world.trace


def long_trace(repeats: int = 3) -> Trace:
    """About 30 exchanges: the login and the s2s flow three times, the last one failing."""
    world = World()
    world.run_login()
    for i in range(repeats):
        world.sim.clock.advance(3)
        if i == repeats - 1:
            world.hospital.fail = True
        world.run_s2s()
    return world.trace
