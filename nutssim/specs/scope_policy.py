"""Scope policies: which of the requested scopes a token gets (``policy/scope_granter.go``).

A credential profile's ``scope_policy`` (PROTOCOL.md §3.8) decides what happens to the
scopes requested besides the profile scope: ``profile-only`` refuses them, ``passthrough``
grants them, ``dynamic`` asks an AuthZEN PDP about every scope in one batch
(``authzenScopeEvaluator.EvaluateScopes``): a denied profile scope is ``access_denied``, a
denied other scope is dropped, and a PDP that errs, is unreachable or answers badly is
``server_error`` "policy decision point unavailable". The token's ``scope`` is the granted
string (PROTOCOL.md §1.6), never the requested one.

How the authorization server uses this module (s2s ``vp_token-bearer``, PROTOCOL.md §1.5)::

    # at start-up (policy/local.go LocalPDP.Configure): refuse dynamic without an endpoint
    scope_policy.check_startup(subject.policy, authzen_endpoint)          # raises ScopePolicyConfigError

    # check #11, right after the scope → profile lookup (found = policy.find_profile(scope))
    scope_policy.construct(found, evaluator=bool(authzen_endpoint))      # raises OAuthError

    # check #18, after the VPs are verified and the PD field values resolved (#17):
    outcome = yield from scope_policy.grant(
        found,
        subject_did=signer_did,        # the VP signer = credentialSubject.id (s2s_vptoken.go)
        claims=claims,                 # the PD field-id → value map (the introspection claims)
        endpoint=authzen_endpoint,     # policy.authzen.endpoint, the PDP's base URL
        reference=not ctx.profile.strict,
        call=scope_policy.pdp_call(ctx),  # the 10 s timeout, strict's X-Request-ID, fail-open control
    )
    for check in outcome.checks:
        ctx.check(*check)
    if outcome.error:
        raise outcome.error            # access_denied / server_error, check id already set
    granted = outcome.scope            # the token's scope and the token response's scope

``grant`` is a sans-IO process: for ``profile-only`` and ``passthrough`` it returns without
yielding; for ``dynamic`` it yields the one AuthZEN batch (``POST {endpoint}/access/v1/evaluations``)
and reads the answer. The PDP sees: subject ``{type: "organization", id: <signer DID>,
properties: {organization: <claims>}}``, action ``{name: "request_scope"}``, context
``{policy: <profile scope>}``, and one evaluation per scope, profile scope first, with
resource ``{type: "scope", id: <scope>}``.

``reference=True`` reproduces nuts-node at d2ad162; ``False`` (strict) reads the PDP's answer as
AuthZEN 1.0 prescribes (``authzen.read_evaluations_response``) and treats the requested scopes
as the set RFC 6749 §3.3 makes them: a repeated scope is asked once, where the reference
refuses the duplicate resource id before sending and so answers ``server_error``.
The auth-code flow does not apply the policy at all in the reference (issue #4202):
``parties/code_grant.py`` reproduces that under ``nuts-node`` and calls this module under strict.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

from nutssim.errors import InputError, OAuthError
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.specs import authzen
from nutssim.specs.nuts_policy import SCOPE_POLICIES, CredentialProfile, ProfileMatch

PROFILE_ONLY, PASSTHROUGH, DYNAMIC = SCOPE_POLICIES
UNAVAILABLE = "policy decision point unavailable"  # scope_granter.go dynamicGranter.Grant
REF_CONSTRUCT = "PROTOCOL.md §3.8; §1.5 #11; policy/scope_granter.go NewScopeGranter"
REF_GRANT = "PROTOCOL.md §3.8; §1.5 #18; policy/scope_granter.go dynamicGranter.Grant"
REF_PDP = "AuthZEN 1.0 §7.2, §10.1; policy/authzen/client.go Client.Evaluate"
REF_FAIL_OPEN = "AuthZEN 1.0 §7.2.1 (decisions default to closed); control pdp_fail_closed off"
AUTHZEN_TIMEOUT = 10  # seconds; policy/local.go authzenTimeout

#: One check as ``Context.check`` takes it: (id, ref, passed, detail).
CheckRecord = tuple[str, str, bool, str]


class ScopePolicyConfigError(InputError):
    """The node refuses to start: a profile's scope policy cannot be served as configured."""


def check_startup(profiles: Mapping[str, CredentialProfile], authzen_endpoint: str | None) -> None:
    """``policy/local.go LocalPDP.Configure``: ``dynamic`` needs ``policy.authzen.endpoint``.

    Go ranges over a map, so which profile the reference names first is random; we name the
    first in policy order.
    """
    if authzen_endpoint:
        return
    for scope, profile in profiles.items():
        if profile.scope_policy == DYNAMIC:
            raise ScopePolicyConfigError(
                f'credential profile "{scope}" has scope_policy "{DYNAMIC}" but no AuthZen endpoint is '
                "configured (policy.authzen.endpoint)",
                where=profile.source or f"scope '{scope}'",
                hint="configure an AuthZEN PDP endpoint, or use scope_policy 'profile-only' or 'passthrough'",
            )


def construct(match: ProfileMatch, *, evaluator: bool) -> None:
    """``NewScopeGranter``: refuse early, before any VP is verified (fail fast)."""
    policy = match.scope_policy
    if policy == PROFILE_ONLY and match.other_scopes:
        raise OAuthError(
            "invalid_scope",
            "scope policy 'profile-only' does not allow additional scopes",
            check="token.scope_policy",
        )
    if policy == DYNAMIC and not evaluator:  # LocalPDP.Configure should have refused already
        raise OAuthError(
            "server_error",
            "dynamic scope policy configured but no ScopeEvaluator available",
            check="token.scope_policy",
        )
    if policy not in SCOPE_POLICIES:
        raise OAuthError("server_error", f"unsupported scope policy: {policy}", check="token.scope_policy")


def static_scope(match: ProfileMatch) -> str:
    """``profileOnlyGranter`` / ``passthroughGranter``: the profile scope (and the others, passthrough)."""
    if match.scope_policy == PASSTHROUGH:
        return " ".join([match.scope, *match.other_scopes])
    return match.scope


def scopes_to_evaluate(match: ProfileMatch, *, reference: bool = True) -> list[str]:
    """The profile scope first, then the others (``dynamicGranter.Grant``); strict asks each scope once."""
    scopes = [match.scope, *match.other_scopes]
    return scopes if reference else list(dict.fromkeys(scopes))


def evaluations_request(
    match: ProfileMatch, subject_did: str, claims: Mapping[str, Any], *, reference: bool = True
) -> dict[str, Any]:
    """The AuthZEN batch for a dynamic grant (``authzenScopeEvaluator.EvaluateScopes``)."""
    return authzen.scope_evaluations_request(
        subject_did, claims, match.scope, scopes_to_evaluate(match, reference=reference)
    )


def granted_scope(match: ProfileMatch, decisions: Mapping[str, bool]) -> str:
    """``dynamicGranter.Grant`` once answered: profile scope denied → access_denied; others dropped."""
    if not decisions.get(match.scope, False):
        raise OAuthError(
            "access_denied",
            f"PDP denied credential profile scope {json.dumps(match.scope)}",
            check="token.grant_scopes",
        )
    granted = [match.scope] + [s for s in match.other_scopes if decisions.get(s, False)]
    return " ".join(granted)


def unavailable(cause: str) -> OAuthError:
    """The generic answer for any PDP failure: no PDP internals reach the client (scope_granter.go)."""
    return OAuthError("server_error", UNAVAILABLE, check="token.pdp")


@dataclass
class Grant:
    """What granting decided: the scope string or an OAuth error, the PDP's decisions, the checks."""

    scope: str | None = None
    error: OAuthError | None = None
    decisions: dict[str, authzen.Decision] = field(default_factory=dict)
    checks: list[CheckRecord] = field(default_factory=list)


@dataclass(frozen=True)
class PdpCall:
    """How the AS calls its PDP: the clock it times the call with, and the controls that shape it."""

    #: The AS's clock; with it a call slower than ``timeout`` fails as the reference's client does.
    now: Callable[[], int] | None = None
    #: ``policy/local.go authzenTimeout``: the PDP client's HTTP timeout, 10 s.
    timeout: int = AUTHZEN_TIMEOUT
    #: A fresh ``X-Request-ID`` the answer must echo (AuthZEN 1.0 §10.1.3); the reference sends none.
    request_id: str | None = None
    #: The vulnerable variant (control ``pdp_fail_closed`` off): a failed call grants what was asked.
    fail_open: bool = False


def pdp_call(ctx: Any) -> PdpCall:
    """The call a node's AS makes: timed by its clock; strict sends a request id; controls as switched.

    ``ctx`` is the handler's context (``now``, ``rng``, ``profile``); specs know no parties, so it is
    read by shape.
    """
    return PdpCall(
        now=ctx.now,
        request_id=ctx.rng.uuid() if ctx.profile.strict else None,
        fail_open=not ctx.profile.on("pdp_fail_closed"),
    )


def grant(
    match: ProfileMatch,
    *,
    subject_did: str,
    claims: Mapping[str, Any],
    endpoint: str | None,
    reference: bool = True,
    call: PdpCall = PdpCall(),
) -> Generator[HttpRequest, HttpResponse, Grant]:
    """Grant scopes under the profile's scope policy; asks the PDP (one request) only under ``dynamic``."""
    outcome = Grant()
    if match.scope_policy != DYNAMIC:
        outcome.scope = static_scope(match)
        outcome.checks.append(
            ("token.grant_scopes", REF_GRANT, True, f"{match.scope_policy}: {outcome.scope}")
        )
        return outcome
    if not endpoint:
        outcome.error = unavailable("no endpoint")
        outcome.checks.append(("token.pdp", REF_PDP, False, "no AuthZEN endpoint configured"))
        return outcome
    body = evaluations_request(match, subject_did, claims, reference=reference)
    try:
        request = authzen.evaluations_http_request(endpoint, body, reference=reference)
    except authzen.AuthZenError as exc:
        return _pdp_failed(outcome, match, exc, call)
    if call.request_id is not None:
        request = request.with_headers(**{"X-Request-ID": call.request_id})
    started = call.now() if call.now else 0
    response = yield request
    try:
        _check_timely(call, started, request.url)
        answers = authzen.read_evaluations_response(response, len(body["evaluations"]), reference=reference)
        _check_echo(call, response)
    except authzen.AuthZenError as exc:
        return _pdp_failed(outcome, match, exc, call)
    return _decide(outcome, match, body, answers)


def _check_timely(call: PdpCall, started: int, url: str) -> None:
    """``httpClient.New(authzenTimeout)``: an answer later than the timeout is Go's deadline error."""
    if call.now is None or call.now() - started <= call.timeout:
        return
    raise authzen.AuthZenError(
        "transport",
        f'authzen: execute request: Post "{url}": context deadline exceeded '
        "(Client.Timeout exceeded while awaiting headers)",
        status=502,
    )


def _check_echo(call: PdpCall, response: HttpResponse) -> None:
    """AuthZEN 1.0 §10.1.3: the PDP echoes the PEP's request id; another id is another request's answer."""
    if call.request_id is None:
        return
    echoed = response.header("X-Request-ID")
    if echoed != call.request_id:
        raise authzen.AuthZenError(
            "request_id",
            f"answer X-Request-ID {echoed!r} does not echo the request's {call.request_id!r} (§10.1.3)",
            status=502,
        )


def _pdp_failed(outcome: Grant, match: ProfileMatch, exc: authzen.AuthZenError, call: PdpCall) -> Grant:
    outcome.checks.append(("token.pdp", REF_PDP, False, str(exc)))
    if call.fail_open:  # control pdp_fail_closed off: no decision, and everything asked is granted
        outcome.scope = " ".join([match.scope, *match.other_scopes])
        outcome.checks.append(
            ("token.grant_scopes", REF_FAIL_OPEN, True, f"fail-open without a decision: {outcome.scope}")
        )
        return outcome
    outcome.error = unavailable(str(exc))
    return outcome


def _decide(
    outcome: Grant, match: ProfileMatch, body: Mapping[str, Any], answers: tuple[authzen.Decision, ...]
) -> Grant:
    scopes = [item["resource"]["id"] for item in body["evaluations"]]
    outcome.decisions = dict(zip(scopes, answers, strict=True))  # client.go: by index
    outcome.checks.append(("token.pdp", REF_PDP, True, _describe(outcome.decisions)))
    try:
        outcome.scope = granted_scope(match, {s: d.decision for s, d in outcome.decisions.items()})
    except OAuthError as exc:
        outcome.error = exc
        outcome.checks.append(("token.grant_scopes", REF_GRANT, False, exc.description))
        return outcome
    dropped = [s for s in match.other_scopes if not outcome.decisions[s].decision]
    detail = f"dynamic: {outcome.scope}" + (f" (dropped: {' '.join(dropped)})" if dropped else "")
    outcome.checks.append(("token.grant_scopes", REF_GRANT, True, detail))
    return outcome


def _describe(decisions: Mapping[str, authzen.Decision]) -> str:
    parts = []
    for scope, d in decisions.items():
        reason = f" ({d.reason})" if d.reason else ""
        parts.append(f"{scope}={'permit' if d.decision else 'deny'}{reason}")
    return ", ".join(parts)
