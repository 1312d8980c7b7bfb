"""Cases of the scope policies and their PDP (issue #20 item 4; PROTOCOL.md §3.8, §4.2 #29).

The hospital's ``eoverdracht`` profile has ``scope_policy: dynamic`` and its node asks a Rego
PDP (``scenarios/pdp.py``); the EHR asks for three extra scopes, of which the shipped
``scopes.rego`` permits two and never ``patient/Secret.read``. An attack here wants that
scope in the token: ``observe_scope`` reports "granted" only when the introspected token
carries it, and ``scope_not_granted`` when the flow was granted without it.

Controls: ``pdp_channel_tls`` (the AS→PDP link authenticates the PDP: an on-path party can
break the connection, never change or replay an answer), ``pdp_fail_closed`` (no decision,
no token), ``user_scope_policy`` (strict: the authorization-code flow applies the scope policy,
closing nuts-node issue #4202), ``rs_pep`` (the resource server asks the same PDP about every
request with the introspected claims, nuts-knooppunt's PEP). The reference sends no
``X-Request-ID``, so a replayed answer is read as the answer (``policy/authzen/client.go
Client.Evaluate``); strict sends one and refuses an answer that does not echo it (AuthZEN 1.0
§10.1.3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from nutssim.catalogue.base import GRANTED, Expect, Family, Observation, everywhere, observe_flow
from nutssim.catalogue.user_cases.common import TOKEN as USER_TOKEN
from nutssim.catalogue.user_cases.common import observe_at
from nutssim.messages import HttpRequest, HttpResponse, json_response, text_response
from nutssim.network import Delivery, PassThrough
from nutssim.scenarios.pdp import PdpWorld, UserPdpWorld
from nutssim.simulation import FlowRun
from nutssim.specs import authzen
from nutssim.specs.scope_policy import UNAVAILABLE

EVALUATIONS = "AuthZEN access evaluations"
#: Every PDP case: a mutation of a ``s2s-dynamic-scope`` run, most at the AS's call to its PDP.
PDP = Family(PdpWorld, flow="s2s", scenario="s2s-dynamic-scope", step=EVALUATIONS)
USER_PDP = Family(UserPdpWorld, flow="user", scenario="user-dynamic-scope", step=USER_TOKEN)

FORBIDDEN = "patient/Secret.read"  # never permitted by scopes.rego
ALLOWED = "eoverdracht patient/Observation.read patient/Condition.read"
#: Go's crypto/tls alert when a record fails its MAC: what a changed or replayed TLS record gets.
TLS_ALERT = "local error: tls: bad record MAC"
DOWN = Expect("denied", "server_error", UNAVAILABLE, "token.pdp")
SECRET = Expect("granted")  # the attacker's aim: the token carries patient/Secret.read
SECRET_GRANTED = {"*": SECRET}
REFS = ("PROTOCOL.md §4.2 #29", "PROTOCOL.md §3.8", "PROTOCOL.md §1.5 #18")


# == observing ===========================================================================================
def granted_scope(world: PdpWorld | UserPdpWorld) -> str:
    """What the AS granted: the introspected token's ``scope`` ("" when no token was issued)."""
    introspection = (world.sim.trace.outcome or {}).get("introspection") or {}
    return str(introspection.get("scope", ""))


def observe_scope(world: PdpWorld | UserPdpWorld, flow: FlowRun, forbidden: str = FORBIDDEN) -> Observation:
    """Granted when the token carries ``forbidden``; ``scope_not_granted`` when granted without it."""
    observed = observe_flow(flow)
    if observed.status != "granted":
        return observed
    scope = granted_scope(world)
    if forbidden in scope.split():
        return replace(observed, detail=f"token scope: {scope}")
    return Observation("denied", "scope_not_granted", f"token scope: {scope}", observed.failed_checks)


def good_run_flow(world: PdpWorld) -> Observation:
    """Run the flow as declared; a refused resource request is the observation (``http_<status>``)."""
    flow = world.run()
    observed = observe_flow(flow)
    result = flow.result
    if result is None or result.resource_status in (None, 200):
        return observed
    body = result.responses["resource"].body
    failed = observed.failed_checks
    return Observation("denied", f"http_{result.resource_status}", body[:200], failed, result.resource_status)


def is_pdp_call(request: HttpRequest) -> bool:
    """The AS's batch request to its PDP."""
    return request.path == authzen.EVALUATIONS_PATH


# == on the AS→PDP link ==================================================================================
@dataclass
class OnPathToPdp(PassThrough):
    """A party between the AS and its PDP that changes answers (``change``) or answers itself (``replay``).

    With ``tls`` (control ``pdp_channel_tls``) the link authenticates the PDP and protects every
    record: a changed or replayed record fails its MAC and the connection drops, so the AS's client
    sees a failed call (``X-Nutssim-Network``), never the attacker's answer.
    """

    tls: bool
    change: Callable[[HttpResponse], HttpResponse] | None = None
    replay: HttpResponse | None = None
    recorded: list[HttpResponse] = field(default_factory=list)

    def on_request(self, delivery: Delivery) -> HttpRequest | HttpResponse | None:
        """Answer a PDP call with the replayed answer (or break the TLS connection)."""
        if self.replay is not None and is_pdp_call(delivery.request):
            return _broken() if self.tls else self.replay
        return delivery.request

    def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
        """Record every PDP answer; change it when asked (or break the TLS connection)."""
        if not is_pdp_call(delivery.request):
            return response
        self.recorded.append(response)
        if self.change is None:
            return response
        return _broken() if self.tls else self.change(response)


def _broken() -> HttpResponse:
    return text_response(502, TLS_ALERT, headers={"X-Nutssim-Network": TLS_ALERT})


def set_decisions(*decisions: bool) -> Callable[[HttpResponse], HttpResponse]:
    """An answer change: the batch's decisions replaced, in order (the rest of the answer kept)."""

    def change(response: HttpResponse) -> HttpResponse:
        headers = {k: v for k, v in response.headers if k.lower() != "content-type"}
        body = authzen.evaluations_body([authzen.Decision(d) for d in decisions])
        return json_response(response.status, body, headers=headers)

    return change


def on_path(world: PdpWorld, **attack: Any) -> OnPathToPdp:
    """Put an on-path party on the AS→PDP link; TLS as the control ``pdp_channel_tls`` says."""
    mitm = OnPathToPdp(tls=world.sim.profile.on("pdp_channel_tls"), **attack)
    world.sim.network.interceptors.append(mitm)
    return mitm


@dataclass
class SlowLink(PassThrough):
    """The PDP's answer arrives ``seconds`` late (a slow PDP or a congested link)."""

    clock: Any
    seconds: int

    def on_response(self, delivery: Delivery, response: HttpResponse) -> HttpResponse:
        """Hold the PDP's answer: the simulated time moves on while the AS waits."""
        if is_pdp_call(delivery.request):
            self.clock.advance(self.seconds)
        return response


def slow_pdp(seconds: int) -> Callable[[PdpWorld], Observation]:
    """The act of a case whose PDP answers ``seconds`` after it was asked."""

    def act(world: PdpWorld) -> Observation:
        world.sim.network.interceptors.append(SlowLink(world.sim.clock, seconds))
        return observe_flow(world.run())

    return act


def shipped_rego(name: str) -> str:
    """The path of a Rego policy shipped in ``nutssim/data/rego/``."""
    return str(resources.files("nutssim") / "data" / "rego" / name)


# == the answer changed on the wire =====================================================================
@PDP.case(
    id="s2s-pdp-answer-tampered",
    title="PDP answer changed on the wire: every scope permitted",
    attack="an on-path party between the AS and its PDP flips every decision of the batch to true",
    control="pdp_channel_tls",
    # With TLS the changed record fails its MAC: the call fails and the AS refuses (fail closed).
    expected={"*": DOWN},
    # AuthZEN answers are not signed: nothing but the channel says who decided (§11).
    vulnerable=SECRET_GRANTED,
    refs=(*REFS, "AuthZEN 1.0 §11"),
)
def answer_tampered(world: PdpWorld) -> Observation:
    """The MITM permits patient/Secret.read."""
    on_path(world, change=set_decisions(True, True, True, True))
    return observe_scope(world, world.run())


@PDP.case(
    id="s2s-pdp-answer-tampered-deny",
    title="PDP answer changed on the wire: the profile scope denied",
    attack="an on-path party flips the profile scope's decision to false (a denial of service)",
    control="pdp_channel_tls",
    expected={"*": DOWN},
    vulnerable=everywhere(
        "denied", "access_denied", 'PDP denied credential profile scope "eoverdracht"', "token.grant_scopes"
    ),
    refs=(*REFS, "AuthZEN 1.0 §11"),
)
def answer_tampered_deny(world: PdpWorld) -> Observation:
    """A denied profile scope is access_denied (scope_granter.go dynamicGranter.Grant)."""
    on_path(world, change=set_decisions(False, True, True, False))
    return observe_flow(world.run())


@PDP.case(
    id="s2s-pdp-answer-replayed",
    title="PDP answer recorded for one request replayed for another",
    attack="an on-path party records the PDP's all-permit answer to an earlier token request and "
    "answers a later request (asking patient/Secret.read) with it",
    control="pdp_channel_tls",
    expected={"*": DOWN},
    # nuts-node sends no request id and reads any well-formed answer (client.go Client.Evaluate);
    # strict sends X-Request-ID and the replayed answer echoes the earlier one (AuthZEN §10.1.3).
    vulnerable={"*": SECRET, "strict": DOWN},
    refs=(*REFS, "AuthZEN 1.0 §10.1.3", "AuthZEN 1.0 §11"),
)
def answer_replayed(world: PdpWorld) -> Observation:
    """Two token requests; the second gets the first's answer."""
    mitm = OnPathToPdp(tls=False)  # recording needs no break-in: the first run is untouched
    world.sim.network.interceptors.append(mitm)
    world.run(scope=ALLOWED)  # three scopes, all permitted
    world.sim.network.interceptors.remove(mitm)
    on_path(world, replay=mitm.recorded[-1])
    return observe_scope(world, world.run(scope=f"eoverdracht patient/Observation.read {FORBIDDEN}"))


# == the PDP down, slow or short =========================================================================
PDP.declare(
    id="s2s-pdp-down-profile-only",
    title="PDP down under scope_policy profile-only",
    attack="the PDP answers 503; the profile's scope policy is profile-only, the EHR asks the profile scope",
    control="pdp_fail_closed",
    act=lambda world: observe_flow(world.run(scope="eoverdracht")),
    # profileOnlyGranter never asks the PDP: its state does not matter.
    expected=GRANTED,
    vulnerable=GRANTED,
    refs=REFS,
    scenario="s2s-pdp-down",
    options={"scope_policy": "profile-only"},
)

PDP.declare(
    id="s2s-pdp-down-passthrough",
    title="PDP down under scope_policy passthrough",
    attack="the PDP answers 503; the profile's scope policy is passthrough",
    control="pdp_fail_closed",
    # passthroughGranter grants every requested scope unasked, patient/Secret.read too: by design.
    act=lambda world: observe_scope(world, world.run()),
    expected=GRANTED,
    vulnerable=GRANTED,
    refs=REFS,
    scenario="s2s-pdp-down",
    options={"scope_policy": "passthrough"},
)

PDP.declare(
    id="s2s-pdp-down-dynamic",
    title="PDP down under scope_policy dynamic",
    attack="the PDP answers 503 to the AS's batch",
    control="pdp_fail_closed",
    act=lambda world: observe_scope(world, world.run()),
    expected={"*": DOWN},
    vulnerable=SECRET_GRANTED,  # fail-open: every requested scope without a decision
    refs=REFS,
    scenario="s2s-pdp-down",
)

PDP.declare(
    id="s2s-pdp-slow-within-timeout",
    title="PDP answers after 9 s, inside the client's 10 s timeout",
    attack="the PDP (or the link) takes 9 s to answer",
    control="pdp_fail_closed",
    act=slow_pdp(9),
    expected=GRANTED,
    vulnerable=GRANTED,
    refs=(*REFS, "policy/local.go authzenTimeout"),
)

PDP.declare(
    id="s2s-pdp-timeout",
    title="PDP answers after 11 s, past the client's 10 s timeout",
    attack="the PDP (or the link) takes 11 s to answer",
    control="pdp_fail_closed",
    act=slow_pdp(11),
    expected={"*": DOWN},
    vulnerable=GRANTED,
    refs=(*REFS, "policy/local.go authzenTimeout"),
)


@PDP.case(
    id="s2s-pdp-answer-short",
    title="PDP answers fewer decisions than it was asked",
    attack="a faulty PDP (or proxy) answers the four-scope batch with three decisions, all permit",
    control="pdp_fail_closed",
    # client.go: "authzen: expected 4 evaluations, got 3"; AuthZEN §7.2 one Decision per request.
    expected={"*": DOWN},
    vulnerable=SECRET_GRANTED,
    refs=(*REFS, "AuthZEN 1.0 §7.2"),
)
def answer_short(world: PdpWorld) -> Observation:
    """The batch answer loses one decision."""
    mitm = OnPathToPdp(tls=False, change=set_decisions(True, True, True))  # a fault, not an attacker
    world.sim.network.interceptors.append(mitm)
    return observe_scope(world, world.run())


# == the policy itself ===================================================================================
PDP.declare(
    id="s2s-pdp-rego-overbroad",
    title="Over-broad Rego rule: every patient/ scope permitted",
    attack="the PDP runs scopes_overbroad.rego, whose rule permits any scope starting with 'patient/'",
    # No node control catches a policy that permits too much: the AS enforces what the PDP says.
    # A sweep over Rego policies finds it (notebook 06).
    act=lambda world: observe_scope(world, world.run()),
    expected=SECRET_GRANTED,
    refs=(*REFS, "GF Authorization (policies in Rego)"),
    options={"rego": shipped_rego("scopes_overbroad.rego")},
)


# == the resource server as PEP (nuts-knooppunt's pattern) ==============================================
PDP.declare(
    id="s2s-pdp-pep-refuses",
    title="Resource server as PEP refuses a token the AS granted under passthrough",
    attack="the profile's scope_policy is passthrough, so the AS grants patient/Secret.read unasked; the "
    "resource server asks the same PDP about the request with the introspected claims",
    control="rs_pep",
    step="resource request",
    act=good_run_flow,
    # knooppunt authorize.js: a PDP deny is 403 (the RS's body "Forbidden")
    expected=everywhere("denied", "http_403", "Forbidden", "rs.pep"),
    vulnerable=GRANTED,
    refs=(*REFS, "PROTOCOL.md §1.7", "AuthZEN 1.0 §6"),
    options={"scope_policy": "passthrough", "pep": True},
)


# == nuts-node issue #4202: the authorization-code flow ignores the scope policy =========================
def observe_user_scope(world: UserPdpWorld) -> Observation:
    """The user flow's token: granted with the extra scope, or the token endpoint's error."""
    flow = world.start()
    flow.finish()
    if flow.result is not None and flow.result.status == "granted":
        return observe_scope(world, flow)
    return observe_at(world, USER_TOKEN, receiver=world.authorization_server_node.id, flow=flow)


USER_PDP.declare(
    id="user-scope-policy-ignored",
    title="Authorization-code flow ignores scope_policy profile-only (nuts-node issue #4202)",
    attack="the EHR asks the user flow for 'zorgtoepassing patient/Secret.read' under profile-only",
    control="user_scope_policy",
    act=observe_user_scope,
    expected={
        "*": SECRET,  # the reference: openid4vp.go issues the requested scope string
        "strict": Expect(
            "denied",
            "invalid_scope",
            "scope policy 'profile-only' does not allow additional scopes",
            "code_token.scope_policy",
        ),
    },
    vulnerable=SECRET_GRANTED,
    refs=("PROTOCOL.md §3.8", "PROTOCOL.md §2.2 step 22", "nuts-node issue #4202"),
    options={"scope_policy": "profile-only"},
)

USER_PDP.declare(
    id="user-dynamic-scope-ignored",
    title="Authorization-code flow never asks the PDP under scope_policy dynamic (nuts-node issue #4202)",
    attack="the EHR asks the user flow for 'zorgtoepassing patient/Secret.read', which the PDP denies",
    control="user_scope_policy",
    act=observe_user_scope,
    expected={
        "*": SECRET,
        # strict asks the PDP: the extra scope is dropped, the token carries zorgtoepassing only.
        "strict": Expect("denied", "scope_not_granted", "token scope: zorgtoepassing"),
    },
    vulnerable=SECRET_GRANTED,
    refs=("PROTOCOL.md §3.8", "PROTOCOL.md §2.2 step 22", "nuts-node issue #4202"),
)
