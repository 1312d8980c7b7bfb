"""A resource server: the data holder's API in front of its node (PROTOCOL.md §1.7 steps 2–5).

It introspects every token at its node's internal API and, for DPoP-bound tokens, asks
the node to validate the proof. Under ``nuts-node`` it answers as the reference's nginx
script: 403 "Unauthorized" when the token is inactive or the proof invalid. Under
``strict`` it answers as RFC 6750 §3 and RFC 9449 §7.1 prescribe: 401 with a
``WWW-Authenticate`` challenge, and it checks the proof's ``iat`` window itself.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any

from nutssim import causes
from nutssim.causes import Cause
from nutssim.jose import SUPPORTED_ALGS
from nutssim.messages import HttpRequest, HttpResponse, json_response, text_response
from nutssim.parties.base import Context, Party, Process
from nutssim.specs import authzen, pep, rfc6750, rfc7662, rfc9449
from nutssim.specs.rfc6750 import INVALID_TOKEN
from nutssim.specs.rfc9449 import INVALID_DPOP_PROOF


def _challenge(scheme: str, error: str | None = None, description: str | None = None) -> str:
    """RFC 6750 §3 challenge; the DPoP scheme names its algorithms (RFC 9449 §7.1)."""
    algs = SUPPORTED_ALGS if scheme == rfc6750.DPOP else None
    return rfc6750.challenge(scheme, error, description, algs=algs)


class ResourceServer(Party):
    """Protected resources guarded by token introspection and DPoP validation."""

    role = "resource_server"

    def __init__(
        self,
        id: str,
        name: str,
        host: str,
        *,
        node_internal: str,
        required_scope: str | None = None,
        path: str = "/resource",
    ) -> None:
        super().__init__(id, name, host)
        self.node_internal = node_internal.rstrip("/")
        self.required_scope = required_scope
        self.resource_path = path
        self.route("GET", path, self.get_resource, "resource request")
        #: An AuthZEN PDP this RS asks about every request, as a PEP (nuts-knooppunt's pattern); None: none.
        self.pep_endpoint: str | None = None

    @property
    def resource_url(self) -> str:
        """The URL of the protected resource."""
        return f"{self.host}{self.resource_path}"

    def get_resource(self, request: HttpRequest, ctx: Context) -> Process:
        """GET the resource: authorization header, introspection, DPoP, scope (RFC 6750, RFC 9449 §7)."""
        scheme, token = rfc6750.authorization(request.header("Authorization"))
        if not token or scheme not in ("dpop", "bearer"):
            cause = Cause(causes.MISSING, "header", "Authorization", "DPoP or Bearer", scheme or None)
            ctx.check(
                "rs.authorization", "RFC 6750 §3; RFC 9449 §7.1", False, "no DPoP or Bearer token", cause
            )
            return self._unauthorized(ctx, None, None)
        response = yield HttpRequest.post_form(
            f"{self.node_internal}/internal/auth/v2/accesstoken/introspect", {"token": token}
        )
        info: dict[str, Any] = (
            response.json if response.ok and isinstance(response.json, dict) else {"active": False}
        )
        if not info.get("active"):
            ref = "RFC 7662 §2.2; PROTOCOL.md §1.7 step 5"
            ctx.check("rs.token_active", ref, False, "token is not active", Cause(causes.UNKNOWN, "token"))
            return self._refuse(ctx, INVALID_TOKEN, "the access token is not active", scheme)
        ctx.check("rs.token_active", "RFC 7662 §2.2", True, f"client {info.get('client_id')}")
        jkt = (info.get("cnf") or {}).get("jkt") if isinstance(info.get("cnf"), dict) else None
        if jkt:
            refusal = yield from self._check_dpop(request, ctx, scheme, token, jkt)
            if refusal is not None:
                return refusal
        if self.required_scope and self.required_scope not in str(info.get("scope", "")).split():
            cause = Cause(causes.NOT_ALLOWED, "token", "scope", self.required_scope, str(info.get("scope")))
            ctx.check("rs.scope", "RFC 6750 §3.1", False, f"scope {info.get('scope')!r}", cause)
            return json_response(
                403,
                rfc6750.error_body(rfc6750.INSUFFICIENT_SCOPE),
                headers={
                    "WWW-Authenticate": _challenge(
                        scheme.capitalize() if scheme == "bearer" else rfc6750.DPOP,
                        rfc6750.INSUFFICIENT_SCOPE,
                    )
                },
            )
        if self.pep_endpoint and ctx.profile.on("rs_pep"):
            refusal = yield from self._ask_pep(request, ctx, info)
            if refusal is not None:
                return refusal
        return json_response(200, _resource(info))

    def _ask_pep(
        self, request: HttpRequest, ctx: Context, info: dict[str, Any]
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse | None]:
        """Ask the PDP with the introspected claims; deny → 403, no usable answer → 502 (knooppunt PEP).

        nuts-knooppunt ``pep/nginx/js/authorize.js authorizeRequest`` answers 403 on a deny and 502
        when the PDP fails; the question here is nutssim's AuthZEN form (``specs/pep.py``).
        """
        body = pep.authzen_request(info, method=request.method, path=request.path)
        endpoint = (self.pep_endpoint or "").rstrip("/")
        response = yield HttpRequest.post_json(f"{endpoint}{authzen.EVALUATION_PATH}", body)
        answer = response.json if response.ok else None
        decision = answer.get("decision") if isinstance(answer, dict) else None
        status = pep.knooppunt_decision(200 if isinstance(decision, bool) else 502, {"allow": decision})
        ref = "nuts-knooppunt pep/nginx/js/authorize.js authorizeRequest; AuthZEN 1.0 §6"
        if status == 200:
            ctx.check("rs.pep", ref, True, f"PDP permits {request.method} {request.path}")
            return None
        why = "PDP denies" if status == 403 else f"no usable PDP answer (HTTP {response.status})"
        cause = Cause(causes.NOT_ALLOWED, "token", "scope", reason=why)
        ctx.check("rs.pep", ref, False, f"{why} {request.method} {request.path}", cause)
        return text_response(status, "Forbidden" if status == 403 else "Bad Gateway")

    def _check_dpop(
        self, request: HttpRequest, ctx: Context, scheme: str, token: str, jkt: str
    ) -> Generator[HttpRequest, HttpResponse, HttpResponse | None]:
        ref = "RFC 9449 §7.1; PROTOCOL.md §1.7 step 5"
        if scheme != "dpop":
            bound_ok = not ctx.profile.on("dpop_required")
            ctx.check(
                "rs.dpop_scheme",
                ref,
                bound_ok,
                "DPoP-bound token presented as Bearer"
                + ("" if not bound_ok else " (accepted: dpop_required control is off)"),
                Cause(causes.MISMATCH, "header", "Authorization", "DPoP", scheme.capitalize()),
            )
            return (
                None
                if bound_ok
                else self._refuse(ctx, INVALID_TOKEN, "DPoP-bound token requires the DPoP scheme", "dpop")
            )
        if not ctx.profile.on("dpop_proof"):
            ctx.check("rs.dpop_proof", ref, True, "skipped: dpop_proof control is off")
            return None
        if ctx.profile.strict and len(request.header_values("DPoP")) > 1:  # RFC 9449 §4.3 step 1
            cause = Cause(causes.INVALID, "header", "DPoP", reason="more than one DPoP header")
            ctx.check("rs.dpop_proof", "RFC 9449 §4.3 step 1", False, cause.reason, cause)
            return self._refuse(ctx, INVALID_DPOP_PROOF, "more than one DPoP header", "dpop")
        proof = request.header("DPoP") or ""
        body = {
            "dpop_proof": proof,
            "method": request.method,
            "thumbprint": jkt,
            "token": token,
            "url": request.url,
        }
        response = yield HttpRequest.post_json(f"{self.node_internal}/internal/auth/v2/dpop/validate", body)
        result = response.json if isinstance(response.json, dict) else {"valid": False, "reason": "no answer"}
        if not result.get("valid"):
            reason = str(result.get("reason", ""))
            ctx.check("rs.dpop_proof", ref, False, reason, Cause(causes.INVALID, "dpop_proof", reason=reason))
            return self._refuse(ctx, INVALID_DPOP_PROOF, str(result.get("reason", "")), "dpop")
        if ctx.profile.strict:  # RFC 9449 §11.1: the reference's validator has no iat window
            try:
                rfc9449.check_iat_window(rfc9449.parse_proof(proof, ctx.now()), ctx.now())
            except rfc9449.DPoPError as exc:
                cause = Cause(causes.TIME, "dpop_proof", "iat", reason=str(exc))
                ctx.check("rs.dpop_iat", "RFC 9449 §11.1", False, str(exc), cause)
                return self._refuse(ctx, INVALID_DPOP_PROOF, str(exc), "dpop")
        ctx.check("rs.dpop_proof", ref, True)
        return None

    def _refuse(self, ctx: Context, error: str, description: str, scheme: str) -> HttpResponse:
        if not ctx.profile.strict:  # the reference's nginx script: 403 "Unauthorized"
            return text_response(403, "Unauthorized")
        return self._unauthorized(
            ctx, error, description, rfc6750.DPOP if scheme == "dpop" else rfc6750.BEARER
        )

    def _unauthorized(
        self, ctx: Context, error: str | None, description: str | None, scheme: str = rfc6750.DPOP
    ) -> HttpResponse:
        body = rfc6750.error_body(error, description or "")
        challenges = [_challenge(scheme, error, description)]
        if error is None:
            challenges = [_challenge(rfc6750.DPOP), _challenge(rfc6750.BEARER)]
        return json_response(401, body, headers={"WWW-Authenticate": ", ".join(challenges)})


def _resource(info: dict[str, Any]) -> dict[str, Any]:
    """A small FHIR-like resource that names who asked, from the introspected claims."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": 1,
        "entry": [{"resource": {"resourceType": "Patient", "id": "patient-1"}}],
        "requested_by": rfc7662.requester_claims(info),
        "client_id": info.get("client_id"),
        "scope": info.get("scope"),
        "note": json.dumps({"bound": bool(info.get("cnf"))}),
    }
