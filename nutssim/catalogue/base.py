"""The catalogue's model: expectations, observations, cases and their families, and how one runs."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, NotRequired, TypedDict, TypeVar, Unpack

from nutssim.errors import InputError, SimulationError
from nutssim.messages import HttpResponse
from nutssim.profiles import Profile, as_profile
from nutssim.scenarios import World, build
from nutssim.simulation import FlowRun
from nutssim.trace import Exchange, Trace


@dataclass(frozen=True)
class Expect:
    """An expected outcome: status, and for a denial the error code, description and failing check."""

    status: str  # "granted" | "denied"
    error: str | None = None
    description: str | None = None  # the reference text; matched as a prefix of the observed one
    check: str | None = None  # the id of the check expected to fail

    def matches(self, observed: Observation) -> tuple[bool, str]:
        """Whether ``observed`` fits this expectation, and why not."""
        if observed.status != self.status:
            return False, f"status {observed.status}, expected {self.status}"
        if self.error is not None and observed.error != self.error:
            return False, f"error {observed.error!r}, expected {self.error!r}"
        if self.description is not None and not (observed.description or "").startswith(self.description):
            return False, f"description {observed.description!r}, expected {self.description!r}…"
        if self.check is not None and self.check not in observed.failed_checks:
            return False, f"failed checks {list(observed.failed_checks)}, expected {self.check!r} among them"
        return True, ""


@dataclass(frozen=True)
class Observation:
    """What a case's action produced."""

    status: str
    error: str | None = None
    description: str | None = None
    failed_checks: tuple[str, ...] = ()
    http_status: int | None = None
    detail: str = ""


W = TypeVar("W", bound=World)


@dataclass(frozen=True)
class Case(Generic[W]):
    """One failure or attack case; ``act`` runs on a fresh world of ``scenario`` (a ``W``)."""

    id: str
    title: str
    flow: str  # "s2s" | "user" | "resource" | "trust"
    step: str  # the exchange label the case hits
    attack: str  # what the attacker or fault does
    control: str | None  # the profile control that should catch it (None: an input check)
    act: Callable[[W], Observation] = field(repr=False)
    expected: dict[str, Expect] = field(default_factory=dict)  # per profile name; "*" for all
    vulnerable: dict[str, Expect] | None = None  # per profile with ``control`` off; None: not an attack
    refs: tuple[str, ...] = ()
    scenario: str = "s2s"
    options: dict[str, Any] = field(default_factory=dict)  # scenario options
    world: type[World] = World  # what ``act`` needs ``scenario`` to build

    def expectation(self, profile: Profile) -> Expect:
        """What this case expects under ``profile`` (the vulnerable variant when its control is off)."""
        if self.control and not profile.on(self.control) and self.vulnerable is not None:
            return _for_profile(self.vulnerable, profile)
        return _for_profile(self.expected, profile)


def _for_profile(table: dict[str, Expect], profile: Profile) -> Expect:
    # A version of the reference (nuts-node-gf) expects what nuts-node does unless the table names it.
    return table.get(profile.name) or table.get(profile.family) or table["*"]


@dataclass(frozen=True)
class Record:
    """The result of running one case under one profile."""

    case: Case[Any]
    profile: str
    expected: Expect
    observed: Observation
    passed: bool
    why: str
    trace: Trace = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A flat row for tables, JSON and CSV."""
        return {
            "case": self.case.id,
            "title": self.case.title,
            "flow": self.case.flow,
            "profile": self.profile,
            "control": self.case.control,
            "expected_status": self.expected.status,
            "expected_error": self.expected.error,
            "observed_status": self.observed.status,
            "observed_error": self.observed.error,
            "observed_description": self.observed.description,
            "failed_check": self.observed.failed_checks[0] if self.observed.failed_checks else None,
            "passed": self.passed,
            "why": self.why,
            "refs": list(self.case.refs),
        }


CASES: dict[str, Callable[[], Case[Any]]] = {}
F = TypeVar("F", bound=Callable[[], Case[Any]])


def register(factory: F) -> F:
    """Decorator: add a case factory to the catalogue (the case id must be unique)."""
    case = factory()
    if case.id in CASES:
        raise InputError(f"duplicate case id {case.id!r}")
    CASES[case.id] = factory
    return factory


class Declaration(TypedDict):
    """A case's declaration: what ``Family.declare`` and ``Family.case`` take besides the act."""

    id: str
    title: str
    attack: str  # what the attacker or fault does
    expected: dict[str, Expect]  # per profile name; "*" for all
    refs: tuple[str, ...]
    step: NotRequired[str]  # the family's step unless given
    control: NotRequired[str | None]  # the profile control that should catch it
    vulnerable: NotRequired[dict[str, Expect] | None]  # with ``control`` off
    scenario: NotRequired[str]  # the family's scenario unless given
    options: NotRequired[dict[str, Any]]  # scenario options


@dataclass(frozen=True)
class Family(Generic[W]):
    """What the cases of one flow share: their world type, flow, scenario and the step most of them hit."""

    world: type[W]
    flow: str
    scenario: str
    step: str

    def at(self, step: str) -> Family[W]:
        """The same family, its cases hitting ``step`` unless they say otherwise."""
        return replace(self, step=step)

    def declare(self, *, act: Callable[[W], Observation], **declaration: Unpack[Declaration]) -> Case[W]:
        """Register a case of this family and return it."""
        declared: Case[W] = Case(
            id=declaration["id"],
            title=declaration["title"],
            flow=self.flow,
            step=declaration.get("step", self.step),
            attack=declaration["attack"],
            control=declaration.get("control"),
            act=act,
            expected=declaration["expected"],
            vulnerable=declaration.get("vulnerable"),
            refs=declaration["refs"],
            scenario=declaration.get("scenario", self.scenario),
            options=declaration.get("options", {}),
            world=self.world,
        )
        # Each use gets its own copy of the options: a scenario may keep (and change) the policy it is given.
        register(lambda: replace(declared, options=copy.deepcopy(declared.options)))
        return declared

    def case(
        self, **declaration: Unpack[Declaration]
    ) -> Callable[[Callable[[W], Observation]], Callable[[W], Observation]]:
        """Decorator: declare a case whose act is the decorated function."""

        def wrap(act: Callable[[W], Observation]) -> Callable[[W], Observation]:
            self.declare(act=act, **declaration)
            return act

        return wrap


GRANTED = {"*": Expect("granted")}


def everywhere(
    status: str, error: str | None = None, description: str | None = None, check: str | None = None
) -> dict[str, Expect]:
    """The same expectation under every profile."""
    return {"*": Expect(status, error, description, check)}


def run_case(case_: Case[Any], profile: str | Profile = "nuts-node", *, seed: int = 0) -> Record:
    """Build the case's world under ``profile``, act, and compare with the expectation."""
    profile = as_profile(profile)
    world = build(case_.scenario, seed=seed, profile=profile, **case_.options)
    if not isinstance(world, case_.world):
        raise SimulationError(
            f"case {case_.id!r} acts on a {case_.world.__name__}, but scenario {case_.scenario!r} "
            f"builds a {type(world).__name__}: declare it in the family of its scenario"
        )
    observed = case_.act(world)
    expected = case_.expectation(profile)
    passed, why = expected.matches(observed)
    trace = world.sim.trace
    # The trace's outcome becomes the case's: what the attacker (or the faulty flow) got.
    trace.meta["case"] = case_.id
    trace.outcome = {"status": observed.status, "case": case_.id, "flow_outcome": trace.outcome}
    if observed.error:
        trace.outcome["error"] = {"error": observed.error, "error_description": observed.description or ""}
    return Record(case_, profile.label, expected, observed, passed, why, trace)


# -- observing ------------------------------------------------------------------------------------------
def observe_flow(flow: FlowRun) -> Observation:
    """What a (finished or unfinished) flow got: its result, error and the checks that failed."""
    result = flow.result if flow.done else flow.finish()
    failed = tuple(c.id for _, c in flow.trace.failed_checks())
    if result is None:
        return Observation("denied", failed_checks=failed)
    error = result.error or {}
    return Observation(
        result.status, error.get("error"), error.get("error_description"), failed, result.resource_status
    )


def observe_response(response: HttpResponse, trace: Trace, since: int = 0) -> Observation:
    """What one (attacker's) response means: granted on 2xx, else the error it carries."""
    failed = tuple(c.id for x, c in trace.failed_checks() if x.seq > since)
    body = response.json
    if response.ok:
        return Observation("granted", failed_checks=failed, http_status=response.status)
    if isinstance(body, dict) and "error" in body:
        return Observation(
            "denied", str(body["error"]), str(body.get("error_description", "")), failed, response.status
        )
    if response.location and "error=" in response.location:
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(response.location).query)
        return Observation(
            "denied",
            query.get("error", [""])[0],
            query.get("error_description", [""])[0],
            failed,
            response.status,
        )
    return Observation("denied", f"http_{response.status}", response.body[:200], failed, response.status)


def last_exchange(trace: Trace, label: str) -> Exchange | None:
    """The last exchange with ``label``."""
    found = trace.find(label)
    return found[-1] if found else None
