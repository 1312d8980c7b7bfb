"""s2s cases of the token request's form: parameters, grant, subject, scope and client_id.

PROTOCOL.md §4.2 items 1–5 and 15 (form, envelope and submission), 12–14 and 29 (scope and
scope policy), 32 (an arbitrary client_id).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from nutssim.catalogue.base import GRANTED, Observation, everywhere, last_exchange, observe_flow
from nutssim.catalogue.s2s_cases.common import (
    PRESENTATION,
    S2S,
    SUBMISSION,
    tamper_token_request,
    tampering,
    vp_error,
)
from nutssim.messages import HttpRequest
from nutssim.scenarios import S2SWorld
from nutssim.scenarios.s2s import shipped_policy

# == §4.2 items 1–5: form and envelope ===================================================================
S2S.declare(
    id="s2s-missing-client-id",
    title="Token request without client_id",
    attack="a client (or a proxy) leaves out client_id",
    act=tampering(lambda r: r.with_form(client_id=None)),
    expected=everywhere("denied", "invalid_request", "missing required parameters", "token.params"),
    refs=("PROTOCOL.md §4.2 #1", "RFC021 §3"),
)
S2S.declare(
    id="s2s-unsupported-grant-type",
    title="Token request with grant_type=client_credentials",
    attack="the client asks for a grant the Nuts AS does not implement",
    act=tampering(lambda r: r.with_form(grant_type="client_credentials")),
    expected=everywhere(
        "denied",
        "unsupported_grant_type",
        "grant_type 'client_credentials' is not supported",
        "token.grant_type",
    ),
    refs=("PROTOCOL.md §4.2 #2", "PROTOCOL.md §1.5 #2", "RFC 6749 §5.2"),
)
S2S.declare(
    id="s2s-unknown-subject",
    title="Token request to a subject the node does not host",
    attack="the token request goes to /oauth2/<unknown subject>/token",
    act=tampering(lambda r: replace(r, url=r.url.replace("/ziekenhuis-oost/", "/niemand/"))),
    expected=everywhere("denied", "invalid_request", "subject not found", "token.subject"),
    refs=("PROTOCOL.md §4.2 #3", "PROTOCOL.md §1.5 #1"),
)
S2S.declare(
    id="s2s-garbage-assertion",
    title="Assertion that is not a verifiable presentation",
    attack="the assertion parameter holds garbage",
    act=tampering(lambda r: r.with_form(assertion="not-a-presentation")),
    expected=vp_error(PRESENTATION, "assertion parameter is invalid: ", "token.assertion"),
    refs=("PROTOCOL.md §4.2 #4", "PROTOCOL.md §1.5 #4", "RFC021 §3", "ATTACKS.md 3.1 #13"),
)


def _submission_changed(change: Callable[[dict[str, Any]], object]) -> Callable[[HttpRequest], HttpRequest]:
    """A token-request change: ``change`` applied to the decoded presentation_submission."""

    def edit(request: HttpRequest) -> HttpRequest:
        submission = json.loads(request.form["presentation_submission"])
        change(submission)
        return request.with_form(presentation_submission=json.dumps(submission))

    return edit


S2S.declare(
    id="s2s-submission-schema",
    title="Presentation submission without descriptor_map",
    attack="the submission is not valid against the PE v2 schema",
    act=tampering(_submission_changed(lambda s: s.pop("descriptor_map"))),
    # ATTACKS.md 3.1 #13: RFC021 §4.5 says invalid_presentation_submission; the node says invalid_request.
    expected=vp_error(SUBMISSION, "invalid presentation submission: ", "token.submission"),
    refs=("PROTOCOL.md §4.2 #5", "DIF PE v2 §Presentation Submission", "ATTACKS.md 3.1 #13"),
)
S2S.declare(
    id="s2s-other-definition-id",
    title="Submission for a PD the scope does not require",
    attack="the submission's definition_id names another PD",
    act=tampering(_submission_changed(lambda s: s.update(definition_id="pd_something_else"))),
    expected=vp_error(
        SUBMISSION,
        "presentation definition being fulfilled is not required: pd_something_else",
        "token.pd_fulfil",
    ),
    refs=("PROTOCOL.md §4.2 #15", "RFC021 §4.1.3", "ATTACKS.md 3.1 #9"),
)


# == §4.2 items 12–14, 29: scope and scope policy ========================================================
S2S.declare(
    id="s2s-unknown-scope",
    title="Token request for a scope no policy maps",
    attack="the token request asks for scope 'onbekend'",
    act=tampering(lambda r: r.with_form(scope="onbekend")),
    expected=everywhere(
        "denied",
        "invalid_scope",
        "unsupported scope (onbekend) for presentation exchange: not found",
        "token.scope",
    ),
    refs=("PROTOCOL.md §4.2 #12", "PROTOCOL.md §3.8", "ATTACKS.md 3.1 #10"),
)


def _two_profiles() -> dict[str, Any]:
    policy = shipped_policy("eoverdracht")
    policy["verwijzing"] = copy.deepcopy(policy["eoverdracht"])
    policy["verwijzing"]["organization"]["id"] = "pd_verwijzing"
    return policy


S2S.declare(
    id="s2s-two-profile-scopes",
    title="Scope naming two credential profiles",
    attack="the token request asks for 'eoverdracht verwijzing', two profile scopes",
    act=tampering(lambda r: r.with_form(scope="eoverdracht verwijzing")),
    expected=everywhere(
        "denied",
        "invalid_scope",
        "unsupported scope (eoverdracht verwijzing) for presentation exchange: "
        "multiple credential profile scopes found",
        "token.scope",
    ),
    refs=("PROTOCOL.md §4.2 #13", "PROTOCOL.md §3.8", "ATTACKS.md 3.1 #10"),
    options={"policy": _two_profiles()},
)
S2S.declare(
    id="s2s-extra-scope",
    title="Extra scope under a profile-only policy",
    attack="the EHR asks for 'eoverdracht admin'",
    act=lambda world: observe_flow(world.run(scope="eoverdracht admin")),
    expected=everywhere(
        "denied",
        "invalid_scope",
        "scope policy 'profile-only' does not allow additional scopes",
        "token.scope_policy",
    ),
    refs=("PROTOCOL.md §4.2 #14", "PROTOCOL.md §3.8", "ATTACKS.md 3.1 #10"),
)


def _dynamic() -> dict[str, Any]:
    policy = shipped_policy("eoverdracht")
    policy["eoverdracht"]["scope_policy"] = "dynamic"
    return policy


#: nuts-node policy/local.go LocalPDP.Configure: the node does not start (scope_policy.check_startup).
NO_PDP_AT_STARTUP = (
    'credential profile "eoverdracht" has scope_policy "dynamic" but no AuthZen endpoint is configured'
)


def start_up(world: S2SWorld) -> Observation:
    """Run the flow; a node that refuses to start (``Simulation.check_startup``) is a denial at start-up."""
    from nutssim.specs.scope_policy import ScopePolicyConfigError

    try:
        return observe_flow(world.run())
    except ScopePolicyConfigError as exc:
        text = str(exc)
        message = text[len(exc.where) + 2 :] if exc.where else text
        return Observation("denied", "startup", message, ("node.startup",), detail=text)


S2S.declare(
    id="s2s-dynamic-scope-policy",
    title="Profile with scope_policy dynamic and no policy decision point",
    attack="the AS is configured for AuthZen decisions but has no PDP",
    control="startup_checks",
    act=start_up,
    # The reference refuses to start the node (policy/local.go LocalPDP.Configure); so does strict.
    # With the start-up check off the node runs and the token request meets PROTOCOL.md §1.5 #11:
    # the dynamic policy has no ScopeEvaluator (policy/scope_granter.go NewScopeGranter).
    expected=everywhere("denied", "startup", NO_PDP_AT_STARTUP, "node.startup"),
    vulnerable=everywhere(
        "denied",
        "server_error",
        "dynamic scope policy configured but no ScopeEvaluator available",
        "token.scope_policy",
    ),
    refs=("PROTOCOL.md §4.2 #29", "PROTOCOL.md §1.5 #11", "PROTOCOL.md §3.8"),
    options={"policy": _dynamic()},
)


# == §4.2 item 32: client_id =============================================================================
FORGED_CLIENT = "https://evil.example/oauth2/mallory"


@S2S.case(
    id="s2s-arbitrary-client-id",
    title="Arbitrary client_id in the token request",
    attack="the token request names client_id https://evil.example/oauth2/mallory",
    # PROTOCOL.md §1.4, §7: client_id is required but authenticated by nothing (RFC021 does not
    # define it), so it reaches introspection as sent; the RS must not authorize on it.
    expected=GRANTED,
    refs=("PROTOCOL.md §4.2 #32", "PROTOCOL.md §1.4", "PROTOCOL.md §7"),
)
def arbitrary_client_id(world: S2SWorld) -> Observation:
    """Granted only when introspection shows the forged client_id as sent."""
    observed = tamper_token_request(world, lambda r: r.with_form(client_id=FORGED_CLIENT))
    introspected = last_exchange(world.sim.trace, "introspection")
    body = introspected.response.json if introspected else None
    shown = body.get("client_id") if isinstance(body, dict) else None
    if observed.status == "granted" and shown != FORGED_CLIENT:
        return Observation("denied", "not_reproduced", f"introspection shows client_id {shown!r}")
    return replace(observed, detail=f"introspection client_id {shown!r}")
