"""The adversarial count report of issue #18 ("Done when"): hostile inputs tried, handled, and by class.

``python -m tests.fuzz.report --examples N`` runs the fuzz strategies (``strategies.py``) over
the ``s2s`` and ``user`` worlds under both profiles, N examples per angle, world and profile:

* ``routes``: hostile requests to every route of every party of a fresh world;
* ``midflow``: hostile variants of the request a flow is about to send, its sessions live;
* ``peers``: one response a party receives during a good flow replaced by a hostile one.

Each input is classified, the first matching class winning:

* ``escape``: an exception left ``Network.send`` or the flow (the network must guard it);
* ``crash``: a handler raised (a ``party_crash`` fact: HTTP 500 "internal error");
* ``hang``: a delivery cost more than the 50 ms CPU budget twice in a row (the second
  measurement drops one-off costs such as a first compile);
* ``accepted``: wrongly accepted where detectable: a token endpoint issued a token for an
  assertion no good run sent whose JWS does not verify with the key its ``kid`` names, or
  a flow ended ``granted`` after a peer's signed answer was replaced by one that no longer verifies;
* ``unclear``: an answer that is not well formed (no spec-coded ``error``, a 401 without
  ``WWW-Authenticate``, a JSON body that is not JSON; ``test_fuzz.check_answer``);
* ``handled``: anything else.

Hypothesis draws the inputs (generate phase only, derandomized: the same N gives the same
inputs, the CI fuzz tests' first ones; ``--seed S`` draws others, the same for the same S),
but nothing is asserted inside it, so every example counts once and none is shrunk.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from nutssim import jose, scenarios
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.profiles import Profile
from nutssim.scenarios import World
from tests.fuzz import strategies as fz
from tests.fuzz.test_fuzz import (
    DELIVERY_BUDGET_S,
    PAUSES,
    REPLAY_CONTROLS,
    SEED,
    _sender_for,
    answered_from_cache,
    check_answer,
    templates,
)
from tests.reference_data import scenario_options

CLASSES = ("escape", "crash", "hang", "accepted", "unclear")
WORLDS = ("s2s", "user")
PROFILES = ("nuts-node", "strict")
ANGLES = ("routes", "midflow", "peers")


@dataclass
class Tally:
    """Counts of one angle × world × profile, a few examples per class, and the costliest delivery."""

    tried: int = 0
    classes: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    max_cpu_s: float = 0.0
    max_cpu_input: str = ""

    def add(self, found: str, what: str, cpu_s: float) -> None:
        """Count one input of class ``found`` (``handled`` or one of ``CLASSES``)."""
        self.tried += 1
        self.classes[found] += 1
        if found != "handled" and len(self.examples.setdefault(found, [])) < 3:
            self.examples[found].append(what[:300])
        if cpu_s > self.max_cpu_s:
            self.max_cpu_s, self.max_cpu_input = cpu_s, what[:160]


def _crashed(world: World, since: int) -> str:
    crashes = [f for f in world.sim.trace.facts("party_crash") if f.seq > since]
    return f"{crashes[0].party}: {crashes[0].data.get('exception')}" if crashes else ""


def _timed(action: Callable[[], Any]) -> tuple[Any, float]:
    started = time.process_time()
    value = action()
    return value, time.process_time() - started


def _verifies(token: str, keys: dict[str, jose.KeyPair]) -> bool:
    """Whether a compact JWS verifies with the catalogue key its ``kid`` names (False when unknown)."""
    try:
        jws = jose.decode(token)
        key = keys.get(jws.kid or "")
        if key is None:
            return False
        jws.verify(jose.PublicKey.from_jwk(key.public_jwk()))
    except (jose.JoseError, ValueError, TypeError, AttributeError):
        return False
    return True


def _wrongly_granted_token(request: HttpRequest, response: HttpResponse, cat: fz.Catalogue) -> str:
    """A token issued for an assertion no good run sent that does not verify with its kid's key."""
    if response.status != 200 or not request.path.endswith("/token"):
        return ""
    body = response.json
    if not isinstance(body, dict) or "access_token" not in body:
        return ""
    assertion = dict(request.form_pairs).get("assertion", "")
    sent = {v for rs in cat.templates.values() for r in rs for k, v in r.form_pairs if k == "assertion"}
    if not assertion or assertion in sent or not fz._JWT.match(assertion):
        return ""
    return (
        ""
        if _verifies(assertion, cat.keys)
        else f"token issued for an unverifiable assertion {assertion[:80]}"
    )


def classify_request(world: World, cat: fz.Catalogue, request: HttpRequest) -> tuple[str, str, float]:
    """Deliver one hostile request; its class, a description, and its CPU cost."""
    what = f"{request.method} {request.url[:120]} body={request.body[:80]!r}"
    since = world.sim.trace._next_seq - 1
    sender = _sender_for(world, request)
    try:
        response, spent = _timed(lambda: world.sim.network.send(request, sender))
    except Exception as exc:  # the class this report counts: nothing may leave Network.send
        return "escape", f"{what}: {type(exc).__name__}: {exc}", 0.0
    crash = _crashed(world, since)
    if crash:
        return "crash", f"{what}: {crash}", spent
    if spent > DELIVERY_BUDGET_S:
        _, again = _timed(lambda: world.sim.network.send(request, sender))
        spent = min(spent, again)
        if spent > DELIVERY_BUDGET_S:
            return "hang", f"{what}: {spent * 1000:.0f} ms", spent
    wrong = _wrongly_granted_token(request, response, cat)
    if wrong:
        return "accepted", f"{what}: {wrong}", spent
    try:
        check_answer(request, response, cached=answered_from_cache(world, since))
    except AssertionError as exc:
        return "unclear", f"{exc}", spent
    return "handled", what, spent


def run_routes(name: str, profile: str, examples: int) -> Tally:
    """Hostile requests to every route of a fresh world (as ``test_fuzz``'s route test)."""
    world = scenarios.build(name, seed=SEED, profile=profile)
    cat = fz.catalogue(world, templates(name, profile))
    tally = Tally()
    _fuzz_requests(world, cat, examples, tally)
    return tally


def run_midflow(name: str, profile: str, examples: int) -> Tally:
    """Hostile variants of the request a flow is about to send, its state live, replay stores off.

    ``examples`` are spread over the world's pause points (``test_fuzz.PAUSES``), as the mid-flow
    fuzz test does: one live session serves every example.
    """
    pauses = [(index, label) for world, index, label in PAUSES if world == name]
    tally = Tally()
    for number, (index, _label) in enumerate(pauses):
        share = examples // len(pauses) + (1 if number < examples % len(pauses) else 0)
        if share == 0:
            continue
        options = scenario_options(name, profile)
        world = scenarios.build(
            name, seed=SEED, profile=Profile(profile).without(*REPLAY_CONTROLS), **options
        )
        flow = world.start()
        for _ in range(index):
            flow.step()
        seen = [x.request for x in world.sim.trace.exchanges] + [
            x.response for x in world.sim.trace.exchanges
        ]
        cat = fz.catalogue(world, [flow.pending.request])
        cat.jwts += [t for m in seen for t in fz.tokens_in(m) if t not in cat.jwts]
        _fuzz_requests(world, cat, share, tally)
    return tally


def _fuzz_requests(world: World, cat: fz.Catalogue, examples: int, tally: Tally) -> None:
    """Deliver ``examples`` hostile requests drawn from ``cat`` to ``world``, counting each in ``tally``."""

    @_settings(examples)
    @given(fz.hostile(cat))
    def fuzz(request: HttpRequest) -> None:
        found, what, spent = classify_request(world, cat, request)
        tally.add(found, what, spent)

    fuzz()


def run_peers(name: str, profile: str, examples: int) -> Tally:
    """One hostile response during a good flow (``test_fuzz.test_parties_survive_hostile_peers``)."""
    good = scenarios.run(name, seed=SEED, profile=profile).sim.trace.exchanges
    cat = fz.catalogue(scenarios.build(name, seed=SEED, profile=profile), [x.request for x in good])
    cat.jwts += [t for x in good for t in fz.tokens_in(x.response) if t not in cat.jwts]
    tally = Tally()

    @_settings(examples)
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        index = data.draw(st.integers(0, len(good) - 1), label="delivery")
        hostile = data.draw(fz.responses(cat, good[index].response), label="response")
        found, what, spent = classify_peer(name, profile, index, good[index].response, hostile, cat.keys)
        tally.add(found, f"#{index} {good[index].request.url[:80]} → {what}", spent)

    fuzz()
    return tally


def classify_peer(
    name: str,
    profile: str,
    index: int,
    original: HttpResponse,
    hostile: HttpResponse,
    keys: dict[str, jose.KeyPair],
) -> tuple[str, str, float]:
    """Run a flow with delivery ``index`` answered by ``hostile``; class, description, costliest step."""
    what = f"{hostile.status} body={hostile.body[:80]!r}"
    try:
        world, flow, worst = _peer_flow(name, profile, index, hostile)
        if worst > DELIVERY_BUDGET_S:  # once more: the first run may pay one-off costs (or a busy second)
            world, flow, again = _peer_flow(name, profile, index, hostile)
            worst = min(worst, again)
    except Exception as exc:  # counted: nothing may leave the flow
        return "escape", f"{what}: {type(exc).__name__}: {exc}", 0.0
    crash = _crashed(world, 0)
    if crash:
        return "crash", f"{what}: {crash}", worst
    if worst > DELIVERY_BUDGET_S:
        return "hang", f"{what}: a delivery took {worst * 1000:.0f} ms", worst
    status = (flow.trace.outcome or {}).get("status")
    if status not in ("granted", "denied"):
        return "unclear", f"{what}: outcome {status!r}", worst
    if status == "granted" and _broke_signature(original, hostile, keys):
        return "accepted", f"{what}: granted with a signed answer that no longer verifies", worst
    for exchange in world.sim.trace.exchanges:
        if exchange.note != "hostile peer":
            try:
                check_answer(exchange.request, exchange.response, network=True)
            except AssertionError as exc:
                return "unclear", f"{what}: {exc}", worst
    return "handled", what, worst


def _peer_flow(name: str, profile: str, index: int, hostile: HttpResponse) -> tuple[World, Any, float]:
    """The flow with delivery ``index`` answered by ``hostile``, run to its end; and its costliest step."""
    world = scenarios.build(name, seed=SEED, profile=profile)
    flow = world.start()
    worst = 0.0
    for _ in range(index):
        _, spent = _timed(flow.step)
        worst = max(worst, spent)
    flow.run.answer(hostile, note="hostile peer")
    while not flow.done:
        _, spent = _timed(flow.step)
        worst = max(worst, spent)
    flow.finish()
    return world, flow, worst


def _broke_signature(original: HttpResponse, hostile: HttpResponse, keys: dict[str, jose.KeyPair]) -> bool:
    """Whether a peer's signed answer (a compact JWS that verifies) became one that does not."""
    before, after = original.body.strip(), hostile.body.strip()
    if hostile.status != 200 or before == after or not (fz._JWT.match(before) and fz._JWT.match(after)):
        return False
    return _verifies(before, keys) and not _verifies(after, keys)


#: ``--seed``: draw other inputs than the CI fuzz tests do (None: derandomized, as they are).
_SEED: list[int | None] = [None]


def _settings(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings for ``examples`` inputs, seeded by ``--seed`` when given."""
    chosen = settings(
        max_examples=examples,
        derandomize=_SEED[0] is None,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    if _SEED[0] is None:
        return chosen
    return lambda test: seed(_SEED[0])(chosen(test))


RUNNERS = {"routes": run_routes, "midflow": run_midflow, "peers": run_peers}


def report(
    examples: int, worlds: tuple[str, ...] = WORLDS, angles: tuple[str, ...] = ANGLES
) -> dict[str, Any]:
    """Every angle × world × profile with ``examples`` inputs each; totals and per-run tallies."""
    runs = []
    for angle in angles:
        for name in worlds:
            for profile in PROFILES:
                started = time.monotonic()
                tally = RUNNERS[angle](name, profile, examples)
                runs.append(
                    {
                        "angle": angle,
                        "world": name,
                        "profile": profile,
                        "tried": tally.tried,
                        "handled": tally.classes["handled"],
                        **{c: tally.classes[c] for c in CLASSES},
                        "max_cpu_ms": round(tally.max_cpu_s * 1000, 1),
                        "max_cpu_input": tally.max_cpu_input,
                        "examples": tally.examples,
                        "wall_s": round(time.monotonic() - started, 1),
                    }
                )
                done = runs[-1]
                print(  # progress on standard error: a long run shows each part as it ends
                    f"{angle} {name} {profile}: {done['tried']} tried, {done['handled']} handled, "
                    f"max {done['max_cpu_ms']} ms CPU, {done['wall_s']} s",
                    file=sys.stderr,
                    flush=True,
                )
    totals = {key: sum(r[key] for r in runs) for key in ("tried", "handled", *CLASSES)}
    totals["max_cpu_ms"] = max((r["max_cpu_ms"] for r in runs), default=0.0)
    return {"examples_per_run": examples, "totals": totals, "runs": runs}


def text(result: dict[str, Any]) -> str:
    """The report as a table, then the examples of every non-empty class."""
    head = f"{'angle':<7} {'world':<5} {'profile':<9} {'tried':>6} {'handled':>7} " + " ".join(
        f"{c:>8}" for c in CLASSES
    )
    lines = [head + f" {'max CPU ms':>10}"]
    for r in [*result["runs"], {"angle": "total", "world": "", "profile": "", **result["totals"]}]:
        counts = " ".join(f"{r[c]:>8}" for c in CLASSES)
        lines.append(
            f"{r['angle']:<7} {r['world']:<5} {r['profile']:<9} {r['tried']:>6} {r['handled']:>7} {counts} "
            f"{r['max_cpu_ms']:>10.1f}"
        )
    for r in result["runs"]:
        for found, shown in r["examples"].items():
            lines += [f"{r['angle']} {r['world']} {r['profile']} {found}:", *(f"  {s}" for s in shown)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the report; exit 1 when any class is non-empty."""
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.report", description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="inputs per angle, world and profile")
    parser.add_argument("--world", choices=WORLDS, action="append", help="only these worlds (repeatable)")
    parser.add_argument("--angle", choices=ANGLES, action="append", help="only these angles (repeatable)")
    parser.add_argument("--seed", type=int, help="draw other inputs than the CI fuzz tests (random, seeded)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    _SEED[0] = args.seed
    result = report(args.examples, tuple(args.world or WORLDS), tuple(args.angle or ANGLES))
    sys.stdout.write(json.dumps(result, indent=2) + "\n" if args.format == "json" else text(result))
    return 1 if any(result["totals"][c] for c in CLASSES) else 0


if __name__ == "__main__":
    raise SystemExit(main())
