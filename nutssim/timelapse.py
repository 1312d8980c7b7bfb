"""Months of simulated time (issue #21 item 5): run a flow every day and report what failed and why.

An operator lives through credential expiry, renewal, key rotation and revocation over
months; a single flow shows none of it. ``TimeLapse`` builds one world, then for each
simulated day applies the day's events (issue, revoke, rotate the issuer's key, remove the
old key), renews credentials that are about to expire (``RenewBefore``), runs the
scenario's flow once at a fixed hour and records the outcome with the decisive check
(the root cause a sweep reports). The result reads as periods ("days 25–37 denied:
``vc.signature``") and as a timeline picture (``nutssim.views.timelapse``).

Issuance and renewal run "by fiat" by default (the register signs into the wallet directly,
fast), or with ``RenewBefore(over="vci")`` over the wire: the holder's node asks the register
over OpenID4VCI 1.0 (the EHR reads an offer, the node's ``request-credential``, the browser at
the register's authorization endpoint, token, nonce, credential). An issuance that fails there
is a ``renew_failed`` (or ``issue_failed``) event with the EHR's error, and the credential it
should have replaced then expires.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from nutssim.errors import InputError
from nutssim.limits import TIMELAPSE_MAX_DAYS as MAX_DAYS
from nutssim.models.credential import Credential
from nutssim.parties.browser import Browser
from nutssim.parties.ehr_vci import from_offer
from nutssim.parties.issuer import Issuer
from nutssim.parties.node import Subject
from nutssim.parties.vci_issuer import ORGANIZATION_CONFIGURATION
from nutssim.profiles import Profile, as_profile
from nutssim.scenarios import registry
from nutssim.scenarios.world import S2SWorld
from nutssim.specs import vc_jwt
from nutssim.sweep.runner import root_cause
from nutssim.trace import Exchange

DAY = 24 * 3600
#: The hour of day at which the daily flow runs (a working day's morning).
FLOW_HOUR = 9
ORGANIZATION_TYPE = "NutsOrganizationCredential"
STATUS_LIST_PATH = "/statuslist/"  # where the register serves its StatusList2021 credentials
#: How issuance and renewal reach the wallet: by the register's fiat, or over OpenID4VCI.
OVER = ("fiat", "vci")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Event:
    """Something that happens on ``day`` at ``hour`` (before the day's flow unless later than FLOW_HOUR)."""

    day: int
    kind: str  # issue | revoke | rotate_key | remove_key | end_enrolment | check | renew | *_failed
    label: str
    apply: Callable[[Life], None] = field(repr=False, compare=False)
    hour: float = 0.0


@dataclass(frozen=True)
class RenewBefore:
    """Renew a credential ``days`` before it expires (the holder's monitoring, nuts-node #4217)."""

    days: int = 7
    valid_days: int = 45
    over: str = "fiat"  # "fiat" (the register signs into the wallet) or "vci" (OpenID4VCI on the wire)


@dataclass(frozen=True)
class Material:
    """Whose credential the story lives through: its type, holder and issuer, and how to mint one by fiat.

    The default is the requester's NutsOrganizationCredential from the register; a world may
    name another with a ``lapse_material()`` method returning these fields (the pilot set: the
    service provider's ServiceProviderCredential from the stelselhouder).
    """

    type: str
    holder: Subject
    issuer: Issuer
    mint: Callable[[int], Credential] = field(repr=False)  # valid days -> a revocable credential
    name: str = "register"  # how the event labels call the issuer


def material_of(world: S2SWorld) -> Material:
    """The world's own material (``lapse_material()``), else the register's organization credential."""
    own = getattr(world, "lapse_material", None)
    if callable(own):
        return Material(**own())

    def mint(valid_days: int) -> Credential:
        return world.register.issue_organization_credential(
            world.requester, valid_for=valid_days * DAY, revocable=True
        )

    return Material(ORGANIZATION_TYPE, world.requester, world.register, mint)


class IssuanceFailed(Exception):
    """An issuance over OpenID4VCI that did not fill the wallet: the EHR's error and the decisive check."""


@dataclass
class CredentialSpan:
    """One credential's life in the wallet: issued, expiring, and how it ended."""

    id: str
    type: str
    key_id: str
    issued_day: int
    expires_day: int | None
    ended_day: int | None = None
    ended_by: str = ""  # "renewed" | "replaced" | "revoked" (revoked spans stay until replaced)
    revoked_day: int | None = None
    renewal_error: str = ""  # the last failed renewal's error (a new one is an event)


@dataclass
class KeySpan:
    """One issuer key: the day it was added and the day it left the DID document."""

    kid: str
    added_day: int
    removed_day: int | None = None


@dataclass(frozen=True)
class DayResult:
    """The daily flow's outcome: status, OAuth error, decisive check and what the wallet held."""

    day: int
    time: int
    status: str
    error: str = ""
    cause: str = ""
    detail: str = ""
    held: tuple[str, ...] = ()
    expiring: tuple[tuple[str, int], ...] = ()  # (credential type, days left) within the warning window
    status_list: str = ""  # how the AS had the status list: "fetched", "HTTP cache", "AS cache" or ""

    @property
    def date(self) -> str:
        """The flow's date as ``YYYY-MM-DD``."""
        return vc_jwt.to_rfc3339(self.time)[:10]


@dataclass(frozen=True)
class Period:
    """Consecutive days with the same outcome and cause."""

    first: int
    last: int
    status: str
    cause: str = ""
    error: str = ""
    detail: str = ""

    @property
    def reason(self) -> str:
        """The decisive check's detail without the credential id it names, UUIDs shortened."""
        return _UUID.sub(lambda m: m[0][:8] + "…", self.detail.rsplit("): ", 1)[-1])

    @property
    def days(self) -> int:
        """How many days the period lasts."""
        return self.last - self.first + 1


@dataclass
class TimeLapseResult:
    """Per-day outcomes, the events, and the credential and key lifetimes behind them."""

    scenario: str
    profile: str
    days: list[DayResult]
    events: list[Event]
    credentials: list[CredentialSpan]
    keys: list[KeySpan]
    over: str = "fiat"  # how credentials reached the wallet (RenewBefore.over)

    @property
    def failures(self) -> list[DayResult]:
        """The days whose flow was not granted."""
        return [d for d in self.days if d.status != "granted"]

    def periods(self) -> list[Period]:
        """The days grouped into runs of the same status, cause and reason."""
        out: list[Period] = []
        for d in self.days:
            this = Period(d.day, d.day, d.status, d.cause, d.error, d.detail)
            last = out[-1] if out else None
            if last and (last.status, last.cause, last.error, last.reason) == (
                d.status,
                d.cause,
                d.error,
                this.reason,
            ):
                out[-1] = Period(last.first, d.day, d.status, d.cause, d.error, last.detail)
            else:
                out.append(this)
        return out

    def expiring(self, day: int) -> tuple[tuple[str, int], ...]:
        """What the wallet held on ``day`` that expires within the warning window."""
        return self.days[day].expiring

    def summary(self) -> str:
        """One line per period and per event: what happened when."""
        lines = [f"{self.scenario} under {self.profile}, {len(self.days)} days"]
        for p in self.periods():
            span = f"day {p.first}" if p.days == 1 else f"days {p.first}–{p.last}"
            why = f": {p.error} ({p.cause}) {p.reason}" if p.status != "granted" else ""
            lines.append(f"  {span:<12} {p.status}{why}")
        lines.append("events:")
        lines.extend(f"  day {e.day:<4} {e.label}" for e in self.events)
        return "\n".join(lines)

    def records(self) -> list[dict[str, Any]]:
        """The days as flat rows (one per day) for a DataFrame."""
        return [
            {
                "day": d.day,
                "date": d.date,
                "status": d.status,
                "error": d.error,
                "cause": d.cause,
                "held": len(d.held),
                "expiring": ", ".join(f"{t} in {n} d" for t, n in d.expiring),
                "status_list": d.status_list,
            }
            for d in self.days
        ]


class Life:
    """The mutable state a time-lapse acts on: the world, today, and the spans it records."""

    def __init__(self, world: S2SWorld, start: int, over: str = "fiat") -> None:
        self.world = world
        self.start = start
        self.day = 0
        self.over = over
        self.material = material_of(world)
        self.browser: Browser | None = None
        if over == "vci" and self.material.type != ORGANIZATION_TYPE:
            raise InputError(
                f"renewal over OpenID4VCI covers the {ORGANIZATION_TYPE} only, not {world.name!r}"
            )
        if over == "vci":  # the issuer side: the register knows the practice, a user's browser
            requester = world.requester
            world.register.openid4vci.enrol(requester.url, requester.name, "Utrecht")
            self.browser = world.sim.add_browser()
        self.credentials: list[CredentialSpan] = []
        self.keys: list[KeySpan] = [KeySpan(k.kid or "", 0) for k in self.material.issuer.identity.keys]
        self.events: list[Event] = []

    def now(self) -> int:
        """The simulated time."""
        return self.world.sim.clock.now()

    def current(self, type: str | None = None) -> tuple[Credential, CredentialSpan] | None:
        """The newest credential of ``type`` (default: the material's) the holder holds, with its span."""
        for credential in reversed(self.material.holder.wallet.credentials):
            if (type or self.material.type) in credential.types:
                span = next(s for s in self.credentials if s.id == credential.id)
                return credential, span
        return None

    def issue(self, valid_days: int, ended_by: str = "replaced") -> Credential:
        """Issue a fresh credential of the material; the wallet drops the one it replaces."""
        previous = self.current()
        material = self.material
        credential = self._over_vci(valid_days) if self.over == "vci" else material.mint(valid_days)
        if previous is not None:
            material.holder.wallet.remove(previous[0])
            previous[1].ended_day, previous[1].ended_by = self.day, ended_by
        self.credentials.append(
            CredentialSpan(
                credential.id,
                material.type,
                material.issuer.identity.key.kid or "",
                self.day,
                self.day + valid_days,
            )
        )
        return credential

    def _over_vci(self, valid_days: int) -> Credential:
        """The holder's node fetches a fresh credential from the register over OpenID4VCI."""
        world, issuer = self.world, self.world.register.openid4vci
        assert self.browser is not None
        issuer.valid_for = valid_days * DAY
        wallet = world.requester.wallet
        before = {c.id for c in wallet.credentials}
        seen = {x.seq for x in world.sim.trace.exchanges}
        offer = issuer.offer(ORGANIZATION_CONFIGURATION)
        process = from_offer(world.ehr, self.browser, world.requester.id, world.requester.did, offer)
        result = world.sim.start(process, world.ehr.id).finish()
        fresh = [c for c in wallet.credentials if c.id not in before and ORGANIZATION_TYPE in c.types]
        if result.status == "granted" and fresh:
            return fresh[-1]
        failed = [(x, c) for x in world.sim.trace.exchanges if x.seq not in seen for c in x.failed_checks]
        error = result.error or {}
        text = ": ".join(str(error[k]) for k in ("error", "error_description") if error.get(k))
        cause = root_cause(failed)
        raise IssuanceFailed(f"{text or 'no credential'}" + (f" ({cause})" if cause else ""))

    def end_enrolment(self) -> None:
        """The register stops issuing to the requester over OpenID4VCI (it forgets the enrolment)."""
        self.world.register.openid4vci.enrolments.pop(self.world.requester.url, None)

    def revoke(self) -> None:
        """Revoke the current credential on its issuer's status list."""
        held = self.current()
        if held is None:
            raise InputError(f"day {self.day}: nothing to revoke", where="timelapse events")
        self.material.issuer.revoke(held[0])
        held[1].revoked_day = self.day

    def rotate_key(self) -> str:
        """Give the issuer a new signing key; the old one stays in its DID document for now."""
        kid = self.material.issuer.rotate_key()
        self.keys.append(KeySpan(kid, self.day))
        return kid

    def remove_key(self, kid: str) -> None:
        """Drop ``kid`` from the issuer's DID document (credentials it signed no longer verify)."""
        self.material.issuer.remove_key(kid)
        for span in self.keys:
            if span.kid == kid:
                span.removed_day = self.day


def issue_credential(day: int, valid_days: int = 45) -> Event:
    """The register issues the requester a NutsOrganizationCredential valid ``valid_days``."""
    return Event(
        day, "issue", f"register issues a {valid_days}-day credential", lambda life: _issue(life, valid_days)
    )


def _issue(life: Life, valid_days: int) -> None:
    life.issue(valid_days)


def revoke_credential(day: int, hour: float = 0.0) -> Event:
    """The register revokes the requester's current credential (StatusList2021) at ``hour``."""
    at = f" at {_clock(hour)}" if hour else ""
    return Event(day, "revoke", f"register revokes the credential{at}", Life.revoke, hour)


def check_at(day: int, hour: float) -> Event:
    """An extra flow at ``hour``; its outcome and how the AS had the status list become the label."""

    def check(life: Life) -> None:
        outcome = flow_outcome(life.world)
        why = f" ({outcome.cause})" if outcome.cause else ""
        source = _SOURCES.get(outcome.status_list, "")
        label = f"extra flow at {_clock(hour)}: {outcome.status}{why}{source}"
        life.events.append(Event(day, "check", label, _nothing, hour))

    return Event(day, "check", f"extra flow at {_clock(hour)}", check, hour)


_SOURCES = {
    "fetched": ", status list fetched anew",
    "HTTP cache": ", status list from the HTTP cache",
    "AS cache": ", status list from the AS's 15-min copy",
}


def _clock(hour: float) -> str:
    minutes = round(hour * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def end_enrolment(day: int) -> Event:
    """The register ends the practice's enrolment: later issuance over OpenID4VCI is refused."""
    return Event(day, "end_enrolment", "register ends the practice's enrolment", Life.end_enrolment)


def rotate_issuer_key(day: int, grace_days: int = 5) -> list[Event]:
    """The register rotates its key on ``day`` and removes the old one ``grace_days`` later."""
    removed: dict[str, str] = {}

    def rotate(life: Life) -> None:
        removed["kid"] = life.material.issuer.identity.key.kid or ""
        life.rotate_key()

    def remove(life: Life) -> None:
        life.remove_key(removed["kid"])

    return [
        Event(day, "rotate_key", "register rotates its signing key", rotate),
        Event(day + grace_days, "remove_key", "register removes its old key", remove),
    ]


def plan_events() -> list[Event]:
    """A 90-day story: issue, key rotation without re-issuing, renewal, revocation, re-issue."""
    return [
        issue_credential(0, 45),
        *rotate_issuer_key(20, grace_days=5),
        revoke_credential(60),
        issue_credential(65, 45),
    ]


@dataclass
class TimeLapse:
    """Run ``scenario``'s flow once a day for ``days`` days while ``events`` happen."""

    scenario: str = "s2s"
    days: int = 90
    events: Iterable[Event] | None = None
    renewal: RenewBefore | None = field(default_factory=RenewBefore)
    profile: str | Profile = "nuts-node"
    seed: int = 0
    warn_days: int = 14
    options: dict[str, Any] = field(default_factory=dict)  # the scenario's options (``client_id``, …)

    def run(self) -> TimeLapseResult:
        """Build the world and live through the days."""
        if not isinstance(self.days, int) or not 1 <= self.days <= MAX_DAYS:
            raise InputError(f"days is {self.days!r}; give a whole number from 1 to {MAX_DAYS}")
        over = self.renewal.over if self.renewal is not None else "fiat"
        if over not in OVER:
            raise InputError(f"renewal over {over!r}; give one of {', '.join(OVER)}")
        events = sorted(plan_events() if self.events is None else self.events, key=lambda e: e.day)
        world = registry.build(self.scenario, seed=self.seed, profile=self.profile, **self.options)
        if not isinstance(world, S2SWorld):
            raise InputError(f"a time-lapse runs an s2s scenario, not {self.scenario!r}")
        life = Life(world, world.sim.clock.now(), over)
        holder = life.material.holder
        for credential in list(holder.wallet.credentials):  # the story issues its own
            if life.material.type in credential.types:
                holder.wallet.remove(credential)
        results = [self._day(life, day, [e for e in events if e.day == day]) for day in range(self.days)]
        return TimeLapseResult(
            self.scenario,
            as_profile(self.profile).label,
            results,
            life.events,
            life.credentials,
            life.keys,
            over,
        )

    def _day(self, life: Life, day: int, events: list[Event]) -> DayResult:
        life.day = day
        clock = life.world.sim.clock
        midnight = life.start + day * DAY
        clock.advance(max(0, midnight - clock.now()))  # events happen as the day begins
        for event in (e for e in events if e.hour <= FLOW_HOUR):
            self._apply(life, midnight, event)
        self._renew(life)
        clock.advance(max(0, midnight + FLOW_HOUR * 3600 - clock.now()))
        result = self._flow(life)
        for event in (e for e in events if e.hour > FLOW_HOUR):
            self._apply(life, midnight, event)
        return result

    def _apply(self, life: Life, midnight: int, event: Event) -> None:
        clock = life.world.sim.clock
        clock.advance(max(0, midnight + round(event.hour * 3600) - clock.now()))
        try:
            event.apply(life)
        except IssuanceFailed as exc:
            event = Event(
                life.day, f"{event.kind}_failed", f"{event.label} fails: {exc}", _nothing, event.hour
            )
        if life.material.name != "register":  # the story's labels name the register
            event = replace(event, label=event.label.replace("register", life.material.name))
        if event.kind != "check":  # a check records itself, with its outcome
            life.events.append(event)

    def _renew(self, life: Life) -> None:
        held = life.current()
        if self.renewal is None or held is None or held[1].revoked_day is not None:
            return
        span = held[1]
        if span.expires_day is None or span.expires_day - life.day > self.renewal.days:
            return
        how = " over OpenID4VCI" if life.over == "vci" else ""
        try:
            life.issue(self.renewal.valid_days, ended_by="renewed")
        except IssuanceFailed as exc:  # the holder tries again each day; a new error is a new event
            if span.renewal_error != str(exc):
                span.renewal_error = str(exc)
                label = f"holder's renewal{how} fails: {exc}"
                life.events.append(Event(life.day, "renew_failed", label, _nothing))
            return
        label = f"holder renews{how} ({self.renewal.days} d before expiry)"
        life.events.append(Event(life.day, "renew", label, _nothing))

    def _flow(self, life: Life) -> DayResult:
        outcome = flow_outcome(life.world)
        return DayResult(
            day=life.day,
            time=life.now(),
            status=outcome.status,
            error=outcome.error,
            cause=outcome.cause,
            detail=outcome.detail,
            held=tuple(c.id for c in life.material.holder.wallet.credentials),
            expiring=self._expiring(life),
            status_list=outcome.status_list,
        )

    def _expiring(self, life: Life) -> tuple[tuple[str, int], ...]:
        out = []
        for span in life.credentials:
            if span.ended_day is None and span.expires_day is not None:
                left = span.expires_day - life.day
                if 0 <= left <= self.warn_days:
                    out.append((span.type, left))
        return tuple(out)


def _nothing(life: Life) -> None:
    """An event that records what happened (a renewal) rather than making it happen."""


@dataclass(frozen=True)
class Outcome:
    """One flow's status, OAuth error, decisive check, and how the AS had the status list."""

    status: str
    error: str
    cause: str
    detail: str
    status_list: str


def flow_outcome(world: S2SWorld) -> Outcome:
    """Run the s2s flow now (no token reuse) and read its outcome from the trace."""
    # The first sequence number the flow can use, read without reserving one (next_seq would).
    trace = world.sim.trace
    since = 1 + max(
        [x.seq for x in trace.exchanges] + [f.seq for f in trace.facts()], default=0
    )  # reserve nothing
    result = world.start(no_cache=True).finish()
    exchanges = [x for x in trace.exchanges if x.seq >= since]
    failed = [(x, c) for x in exchanges for c in x.failed_checks]
    cause = root_cause(failed) or ""
    detail = next((c.detail for x, c in failed if c.id == cause), "")
    error = str((result.error or {}).get("error", "")) if result.status != "granted" else ""
    return Outcome(result.status, error, cause, detail, _status_list_source(world, since, exchanges))


def _status_list_source(world: S2SWorld, since: int, exchanges: list[Exchange]) -> str:
    """Fetched on the wire, an HTTP cache hit (rfc9111, max-age=300), or the AS's own 15-minute copy.

    The AS keeps a verified list 15 minutes (vcr/revocation/statuslist2021_verifier.go,
    maxAgeExternal); when it refreshes, its HTTP client may answer from its response cache
    (http/client/caching.go, control ``http_cache``) while the register's max-age=300 holds.
    """
    if any(STATUS_LIST_PATH in x.request.url for x in exchanges):
        return "fetched"
    hits = [f for f in world.sim.trace.facts("http_cache_hit") if f.seq >= since]
    if any(STATUS_LIST_PATH in str(f.data.get("url", "")) for f in hits):
        return "HTTP cache"
    checked = any(c.id == "vc.revocation" for x in exchanges for c in x.checks)
    return "AS cache" if checked else ""
