"""The ``authorization_code`` grant of a node's AS (PROTOCOL.md §2.2 steps 19 and 22).

The verifier role opens an ``AuthzSession`` per authorization request and, once every
definition of the scope's profile is fulfilled, has this grant issue a one-minute,
single-use code bound to the client. The AS's token endpoint hands an
``authorization_code`` request here: code, verifier and client present; the code live
(burned now); client, redirect_uri, PKCE and DPoP; then the token, whose claims are the
field ids of every fulfilled definition.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from nutssim.errors import OAuthError
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.models.credential import Credential
from nutssim.parties.base import Context, Flow, expect_rule
from nutssim.parties.core import Subject
from nutssim.parties.tokens import TokenService, access_token_response, policy_scope
from nutssim.specs import openid4vp, pex, rfc7636, scope_policy
from nutssim.specs.openid4vp import FLOW_TIMEOUT, ORGANIZATION
from nutssim.stores import ExpiringMap

_STEP22 = "PROTOCOL.md §2.2 step 22"
SCOPE_POLICY_CHECK = "code_token.scope_policy"
REF_4202 = "nuts-node auth/api/iam/openid4vp.go handleAccessTokenRequest (issue #4202)"
REF_APPLIED = "PROTOCOL.md §3.8; policy/scope_granter.go NewScopeGranter (strict: issue #4202 closed)"


@dataclass(frozen=True)
class Fulfilment:
    """One definition answered: by which wallet, with which credentials and presentations."""

    owner: str
    definition: pex.CanonicalDefinition
    credentials: dict[str, Credential]
    submission: dict[str, Any]
    presentations: tuple[Any, ...]
    signer: str


@dataclass
class AuthzSession:
    """The AS's OAuth session under its verifier state VS (1 min, PROTOCOL.md §2.2 step 7)."""

    client_id: str
    scope: str
    subject_id: str
    client_state: str
    redirect_uri: str
    required: list[tuple[str, pex.PresentationDefinition]]
    code_challenge: str
    code_challenge_method: str
    fulfilled: dict[str, Fulfilment] = field(default_factory=dict)

    def next(self) -> tuple[str, pex.PresentationDefinition] | None:
        """The next definition to ask for: organization first, then user."""
        return next(((o, d) for o, d in self.required if d.id not in self.fulfilled), None)


class CodeGrant:
    """The codes the AS issued and their redemption at the token endpoint."""

    def __init__(self, tokens: TokenService) -> None:
        self.tokens = tokens
        self.authorization_codes: ExpiringMap[str, AuthzSession] = ExpiringMap(FLOW_TIMEOUT)

    def issue_code(self, ctx: Context, authz: AuthzSession) -> str:
        """Step 19: a one-minute code for a session whose definitions are all fulfilled."""
        code = ctx.rng.token()
        self.authorization_codes.put(code, authz, ctx.now())
        ctx.fact("authorization_code_issued", client_id=authz.client_id, ttl=FLOW_TIMEOUT)
        return code

    def token(self, request: HttpRequest, ctx: Context, subject: Subject) -> Flow:
        """Code, verifier, client_id present; code live (burned now); client, PKCE, DPoP; the token."""
        form = request.form
        pkce = ctx.profile.on("pkce")
        expect_rule(ctx, bool(form.get("code")), openid4vp.T_CODE)
        expect_rule(ctx, bool(form.get("code_verifier")) or not pkce, openid4vp.T_VERIFIER)
        expect_rule(ctx, bool(form.get("client_id")), openid4vp.T_CLIENT_ID)
        authz = self._take_code(ctx, form["code"])
        expect_rule(
            ctx,
            authz.client_id == form["client_id"],
            openid4vp.T_CLIENT_MATCH,
            expected=authz.client_id,
            actual=form["client_id"],
        )
        _check_redirect_uri(ctx, form.get("redirect_uri", ""), authz.redirect_uri)
        _check_verifier(ctx, form.get("code_verifier", ""), authz)
        jkt = self.tokens.check_dpop(ctx, request)
        fulfilled = list(authz.fulfilled.values())
        try:
            claims = pex.extract_claims([(f.definition, f.credentials) for f in fulfilled]).claims
        except pex.DuplicateMappedField as exc:
            expect_rule(ctx, False, openid4vp.T_CREATE, reason=exc.reference_text)
        ctx.check(openid4vp.T_CREATE.id, openid4vp.T_CREATE.ref, True, ", ".join(sorted(claims)))
        organization = next((f for f in fulfilled if f.owner == ORGANIZATION), None)
        signer = organization.signer if organization else None
        scope = yield from _granted_scope(ctx, subject, authz.scope, signer, claims)
        record = self.tokens.issue(
            ctx,
            subject,
            client_id=authz.client_id,
            scope=scope,
            jkt=jkt,
            claims=claims,
            subject_did=organization.signer if organization else None,
            vps=[vp for f in fulfilled for vp in f.presentations],
            submissions={f.definition.id: f.submission for f in fulfilled},
            definitions={f.owner: pex.dump(f.definition.definition) for f in fulfilled},
        )
        return access_token_response(record, strict=ctx.profile.strict)

    def _take_code(self, ctx: Context, code: str) -> AuthzSession:
        """The code's session; the code is deleted once presented, whatever follows (step 22)."""
        single_use = ctx.profile.on("code_single_use")
        codes = self.authorization_codes
        authz = (codes.pop if single_use else codes.get)(code, ctx.now())
        if single_use:
            ctx.fact("authorization_code_burned", known=authz is not None)
        expect_rule(ctx, authz is not None, openid4vp.T_CODE_VALID)
        if not single_use:
            ctx.check(
                "code_token.single_use", openid4vp.T_CODE_VALID.ref, True, "skipped: code_single_use is off"
            )
        assert authz is not None
        return authz


def _check_redirect_uri(ctx: Context, given: str, expected: str) -> None:
    """RFC 6749 §4.1.3 under strict; the reference does not compare (PROTOCOL.md §4.2 item 63)."""
    rule = openid4vp.T_REDIRECT_URI
    if not ctx.profile.strict:
        ctx.check(rule.id, f"{_STEP22} (not compared by the reference)", True, f"given {given!r}")
        return
    expect_rule(ctx, given == expected, rule, detail=f"given {given!r}, authorized {expected!r}")


def _check_verifier(ctx: Context, verifier: str, authz: AuthzSession) -> None:
    """RFC 7636 §4.6: S256(code_verifier) equals the challenge (strict: the verifier's syntax too)."""
    ref = f"RFC 7636 §4.6; {_STEP22}"
    if not ctx.profile.on("pkce"):
        ctx.check("pkce.verifier", ref, True, "skipped: pkce control is off")
        return
    try:
        if ctx.profile.strict:
            rfc7636.check_verifier_syntax(verifier)
        rfc7636.verify(verifier, authz.code_challenge, authz.code_challenge_method)
    except OAuthError as exc:
        ctx.fail(exc.check, ref, exc)
    ctx.check("pkce.verifier", ref, True, "S256(code_verifier) = code_challenge")


def _granted_scope(
    ctx: Context, subject: Subject, requested: str, signer: str | None, claims: dict[str, Any]
) -> Generator[HttpRequest, HttpResponse, str]:
    """The token's scope: the requested one under nuts-node (issue #4202), the scope policy's under strict.

    The reference issues ``oauthSession.Scope``, the scope string of the authorization request
    (``auth/api/iam/openid4vp.go handleAccessTokenRequest``, ``createAccessToken``): no
    ``ScopeGranter`` runs, so ``profile-only`` lets extra scopes through and ``dynamic`` never asks
    the PDP (nuts-node issue #4202). Strict applies the policy as the s2s grant does (PROTOCOL.md
    §3.8), unless the control ``user_scope_policy`` is off.
    """
    if not (ctx.profile.strict and ctx.profile.on("user_scope_policy")) or subject.policy is None:
        ctx.check(SCOPE_POLICY_CHECK, REF_4202, True, f"not applied (issue #4202): {requested}")
        return requested
    found = subject.policy.find_profile(requested)
    endpoint = subject.node.authzen_endpoint
    try:
        scope_policy.construct(found, evaluator=bool(endpoint))
    except OAuthError as exc:
        ctx.check(SCOPE_POLICY_CHECK, REF_APPLIED, False, exc.description)
        raise
    return (yield from policy_scope(ctx, found, signer, claims, endpoint, reference=False))
