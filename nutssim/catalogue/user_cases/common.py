"""What the user cases share: how an error of the user flow is observed, and how a case is built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from nutssim import jose
from nutssim.catalogue.attacker import resign
from nutssim.catalogue.base import Case, Expect, Family, Observation, observe_flow
from nutssim.catalogue.user_attacker import run_to
from nutssim.messages import HttpRequest
from nutssim.network import Delivery
from nutssim.parties.browser import error_shown
from nutssim.scenarios import UserWorld
from nutssim.simulation import FlowRun
from nutssim.specs import openid4vp
from nutssim.trace import Exchange, Trace

FLOW, SCENARIO = "user", "user"
LANDING = "user landing"
AUTHORIZE = "authorization request"
REQUEST_OBJECT = "request object"
DIRECT_POST = "authorization response (direct_post)"
CALLBACK = "authorization callback"
TOKEN = "token request"

#: Every user case; each module takes it ``at`` the step of the flow it is about.
USER = Family(UserWorld, flow=FLOW, scenario=SCENARIO, step=AUTHORIZE)
MALLORY = {"id": "mallory@huisarts-west.example", "name": "Mallory", "role": "Assistent"}

# Spec clauses named in the refs.
JAR = "RFC 9101 §6.2"
PKCE_CHALLENGE = "RFC 7636 §4.4.1"
PKCE_VERIFIER = "RFC 7636 §4.6"
OID4VP_NONCE = "OpenID4VP §14.1"


# == observing ===========================================================================================
def observe_carrier(x: Exchange, trace: Trace) -> Observation | None:
    """The error ``x``'s answer carries, and how it was delivered; None when the answer is no error."""
    failed = tuple(c.id for _, c in trace.failed_checks())
    response = x.response
    step = f"{x.label} ({x.sender} → {x.receiver})"
    location = response.location if response.is_redirect else None
    if location and "error=" in location:
        return _from_url(location, failed, response.status, f"302 to {base_url(location)}, answering {step}")
    body = response.json
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return Observation(
            "denied",
            body["error"],
            str(body.get("error_description", "")),
            failed,
            response.status,
            f"JSON error (HTTP {response.status}) answering {step}",
        )
    target = openid4vp.redirect_of(response) if response.ok else None
    if target and "error=" in target:
        # The wallet POSTed its error to response_uri; the verifier answers with the client's redirect_uri.
        detail = f"POSTed to response_uri by {x.sender}; the verifier answered 200 with {base_url(target)}"
        return _from_url(target, failed, response.status, detail)
    shown = error_shown(response)
    if shown is not None:
        return Observation(
            "denied",
            shown["error"],
            shown["error_description"],
            failed,
            response.status,
            f"rendered to the browser (HTTP {response.status}) answering {step}",
        )
    if response.status >= 400:
        return Observation(
            "denied",
            f"http_{response.status}",
            response.body[:200],
            failed,
            response.status,
            f"HTTP {response.status} answering {step}",
        )
    return None


def _from_url(url: str, failed: tuple[str, ...], status: int, detail: str) -> Observation:
    query = openid4vp.query_of(url)
    state = "with state" if query.get("state") else "without state"
    return Observation(
        "denied",
        query.get("error", ""),
        query.get("error_description", ""),
        failed,
        status,
        f"{detail} ({state})",
    )


def base_url(url: str) -> str:
    return url.split("?", 1)[0]


def observe_at(
    world: UserWorld,
    label: str,
    *,
    receiver: str | None = None,
    index: int = 0,
    flow: FlowRun | None = None,
) -> Observation:
    """Finish ``flow``; granted if it was, else the error carried by the ``index``-th ``label`` exchange."""
    trace = world.sim.trace
    if flow is not None and not flow.done:
        flow.finish()
    if flow is not None and flow.result is not None and flow.result.status == "granted":
        return replace(observe_flow(flow), detail="the flow was granted")
    found = [x for x in trace.find(label) if receiver is None or x.receiver == receiver]
    observed = observe_carrier(found[index], trace) if -len(found) <= index < len(found) else None
    if observed is not None:
        return observed
    if flow is not None:
        ended = observe_flow(flow)
        return replace(ended, detail=f"{label!r} passed; the flow ended {ended.status}: {ended.error}")
    return Observation("denied", "no_error_at_step", f"no error at {label!r}", detail="nothing observed")


def at_as(world: UserWorld, flow: FlowRun, index: int = 0) -> Observation:
    """The error of the hospital's authorization endpoint (steps 7–10)."""
    return observe_at(world, AUTHORIZE, receiver=world.authorization_server_node.id, flow=flow, index=index)


def at_wallet(world: UserWorld, flow: FlowRun) -> Observation:
    """The error of node B's authorization endpoint, where its wallets answer the verifier (steps 11–18)."""
    return observe_at(world, AUTHORIZE, receiver=world.requester_node.id, flow=flow)


def mutate(world: UserWorld, *interceptors: Any) -> FlowRun:
    """Start the flow with ``interceptors`` on the wire."""
    world.sim.network.interceptors.extend(interceptors)
    return world.start()


def edit_pending(
    world: UserWorld, label: str, change: Callable[[HttpRequest], HttpRequest], receiver: str | None = None
) -> FlowRun:
    """Start the flow, change the first ``label`` request (to ``receiver``) on its way, and finish it."""
    flow = world.start()
    pending = run_to(flow, label, receiver)
    flow.edit(change(pending.request))
    flow.finish()
    return flow


def gp_host(world: UserWorld) -> str:
    """Node B's origin (the client, its wallets and its request objects)."""
    return str(world.requester_node.host)


def hospital_host(world: UserWorld) -> str:
    """Node A's origin (the AS and OpenID4VP verifier)."""
    return str(world.authorization_server_node.host)


def user_case(
    id: str,
    title: str,
    step: str,
    attack: str,
    act: Callable[[UserWorld], Observation],
    expected: dict[str, Expect],
    refs: tuple[str, ...],
    *,
    control: str | None = None,
    vulnerable: dict[str, Expect] | None = None,
) -> Case:
    """A case of the ``user`` scenario."""
    return Case(
        id=id,
        title=title,
        flow=FLOW,
        step=step,
        attack=attack,
        control=control,
        act=act,
        expected=expected,
        vulnerable=vulnerable,
        refs=refs,
        scenario=SCENARIO,
        world=UserWorld,
    )


def denied(error: str, description: str | None, check: str) -> dict[str, Expect]:
    """The same denial under every profile."""
    return {"*": Expect("denied", error, description, check)}


def edit_post(world: UserWorld, change: Callable[[Delivery], HttpRequest], nth: int = 1) -> FlowRun:
    """Start the flow and change its ``nth`` direct_post on the way."""
    flow = world.start()
    pending = run_to(flow, DIRECT_POST, nth=nth)
    flow.edit(change(pending))
    return flow


def resign_vp(token: str, key: jose.KeyPair, **claims: Any) -> str:
    """A JWT VP with ``claims`` changed (``None`` removes one), signed again by its holder's key."""
    return resign(token, key, claims=claims)


def impersonation(world: UserWorld, flow: FlowRun, *, expected_user: str) -> Observation:
    """Granted when the token of ``flow`` carries ``expected_user`` (the injected identity), else denied."""
    introspection = world.sim.trace.latest("introspection")
    claims = introspection.response.json if introspection is not None else {}
    user = (claims or {}).get("employee_identifier")
    observed = observe_flow(flow)
    if user == expected_user:
        return replace(observed, detail=f"granted with employee_identifier {user} (the injected identity)")
    return Observation("denied", "injection_ineffective", f"token for {user}", observed.failed_checks)
