"""The simulation: owns the clock, the random source, the network, the trace and the profile."""

from __future__ import annotations

from typing import Any, TypeVar

from nutssim.clock import DEFAULT_START, SimClock
from nutssim.errors import SimulationError
from nutssim.models.credential import Credential
from nutssim.network import Network, Run
from nutssim.parties.base import Party, Process
from nutssim.parties.browser import Browser
from nutssim.parties.core import NodeCore
from nutssim.parties.ehr import EHR, FlowResult
from nutssim.parties.ehr_user import user_access
from nutssim.parties.issuer import Issuer
from nutssim.parties.node import Node, Subject
from nutssim.parties.resource_server import ResourceServer
from nutssim.profiles import Profile, as_profile
from nutssim.rng import SimRandom
from nutssim.trace import FULL, Fact, PartyInfo, Trace

P = TypeVar("P", bound=Party)


class Simulation:
    """One seeded, deterministic world of parties exchanging real protocol messages."""

    def __init__(
        self,
        seed: int = 0,
        profile: str | Profile = "nuts-node",
        *,
        start: int = DEFAULT_START,
        raise_party_exceptions: bool = False,
        trace_level: str = FULL,
    ) -> None:
        self.seed = seed
        self.profile = as_profile(profile)
        self.clock = SimClock(start)
        self.rng = SimRandom(seed)
        #: ``full`` keeps every message as used, ``wire`` the raw ones, ``summary`` checks, facts and
        #: outcome only (``nutssim.trace``; sweeps use ``summary``); ``trace.level`` may change later.
        self.trace = Trace(trace_level)
        self.trace.meta.update(seed=seed, profile=self.profile.label, scenario=None)
        self.network = Network(self)
        #: Let a party's unexpected exception out instead of answering 500 (for debugging).
        self.raise_party_exceptions = raise_party_exceptions
        self._parties: dict[str, Party] = {}

    # -- parties ---------------------------------------------------------------------------------
    def add(self, party: P) -> P:
        """Register a party: on the network at its host, and in the trace's party list."""
        if party.id in self._parties:
            raise SimulationError(f"a party with id {party.id!r} exists already; choose another name")
        self.network.register(party)
        self._parties[party.id] = party
        self.describe(party)
        return party

    def describe(self, party: Party, *, role: str | None = None, node: str = "") -> None:
        """(Re)write a party's entry in the trace (after it gained DIDs, say)."""
        self.trace.parties[party.id] = PartyInfo(
            party.id, party.name, role or party.role, party.host, tuple(party.dids()), node
        )

    def party(self, id: str) -> Party:
        """Look up a party by id."""
        try:
            return self._parties[id]
        except KeyError:
            known = ", ".join(sorted(self._parties)) or "none yet"
            raise SimulationError(f"no party {id!r} in this simulation (known: {known})") from None

    @property
    def parties(self) -> list[Party]:
        """Every registered party."""
        return list(self._parties.values())

    def unique_id(self, base: str) -> str:
        """Return ``base``, or ``base-2``, ``base-3``… if taken."""
        candidate, n = base, 1
        while candidate in self._parties or candidate in self.trace.parties:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    # -- running -----------------------------------------------------------------------------------
    def start(self, process: Process, sender: str) -> Run:
        """Start a steppable run of a process on behalf of party id ``sender``."""
        self.check_startup()
        return self.network.start(process, sender)

    def run(self, process: Process, sender: str) -> Any:
        """Run a process to its end and return its result."""
        self.check_startup()
        return self.network.run(process, sender)

    def check_startup(self) -> None:
        """Every node's start-up checks (``NodeCore.check_startup``) before a flow runs.

        A misconfigured node is refused as the reference refuses to start it (an ``InputError``,
        exit 2 on the command line), under every profile: strict follows the reference here,
        since no specification defines a ``dynamic`` policy without a PDP and refusing the
        configuration is the fail-safe reading. Control ``startup_checks`` off lets the node run.
        """
        if not self.profile.on("startup_checks"):
            return
        for party in self.parties:
            if isinstance(party, NodeCore):
                party.check_startup()

    # -- builders and flows: the API notebooks use (ARCHITECTURE.md "A notebook cell") -----------------
    def add_node(
        self,
        host: str,
        *,
        id: str | None = None,
        name: str | None = None,
        authorization_endpoint: bool = True,
    ) -> Node:
        """Add a Nuts node at ``host`` (``hospital.example`` or a full ``https://`` URL)."""
        node = Node(
            id or self.unique_id(_short(host)),
            _https(host),
            self.rng,
            name=name,
            authorization_endpoint=authorization_endpoint,
        )
        node.on_change.append(self.describe)
        self.add(node)
        self.network.restrict(node.internal_host, node.id)  # its EHR and resource server join below
        return node

    def add_issuer(self, name: str, host: str | None = None, *, id: str | None = None) -> Issuer:
        """Add a credential issuer (a trust anchor such as a register) with its own did:web."""
        host = host or f"{_short(name.lower().replace(' ', '-'))}.example"
        issuer = Issuer(id or self.unique_id(_short(host)), name, _https(host), self.rng, self.clock.now)
        issuer.on_issue.append(
            lambda iss, cred, holder: self.record_issued(iss.id, cred, holder.did if holder else None)
        )
        issuer.on_revoke.append(
            lambda iss, cred, revoked: self.record_fact(
                iss.id,
                "credential_revoked" if revoked else "credential_unrevoked",
                id=cred.id,
                credential_type=cred.type_label,
            )
        )
        self.add(issuer)
        return issuer

    def add_ehr(
        self, node: NodeCore, *, id: str | None = None, host: str | None = None, name: str | None = None
    ) -> EHR:
        """Add the EHR that calls ``node``'s internal API."""
        host = host or f"ehr.{node.host.split('://', 1)[1]}"
        ehr = EHR(
            id or self.unique_id(f"ehr-{node.id}"),
            name or f"EHR of {node.name}",
            _https(host),
            node_internal=node.internal_host,
        )
        self.add(ehr)
        self.network.restrict(node.internal_host, ehr.id)
        return ehr

    def add_resource_server(
        self,
        node: NodeCore,
        *,
        id: str | None = None,
        host: str | None = None,
        required_scope: str | None = None,
        name: str | None = None,
    ) -> ResourceServer:
        """Add a resource server that introspects at ``node``."""
        host = host or f"api.{node.host.split('://', 1)[1]}"
        rs = ResourceServer(
            id or self.unique_id(f"rs-{node.id}"),
            name or f"API of {node.name}",
            _https(host),
            node_internal=node.internal_host,
            required_scope=required_scope,
        )
        self.add(rs)
        self.network.restrict(node.internal_host, rs.id)
        return rs

    def record_fact(self, party: str, type: str, **data: Any) -> None:
        """Record a fact that happens outside any exchange (set-up: a credential issued, …)."""
        self.trace.append(Fact(self.trace.next_seq(), self.clock.now(), type, party, data))

    def record_issued(self, party: str, credential: Credential, holder: str | None, **extra: Any) -> None:
        """Record the set-up fact that ``credential`` was issued to ``holder`` (the trust graph reads it)."""
        self.record_fact(
            party,
            "credential_issued",
            id=credential.id,
            credential_type=credential.type_label,
            format=credential.format,
            issuer=credential.issuer,
            holder=holder,
            credential=credential.raw,
            **extra,
        )

    def service_access(
        self: Simulation,
        requester: Subject,
        authorization_server: Subject,
        scope: str,
        *,
        ehr: EHR | None = None,
        resource_server: ResourceServer | None = None,
        dpop: bool = True,
        credentials: list[dict[str, Any]] | None = None,
        credential_selection: dict[str, str] | None = None,
        no_cache: bool = False,
    ) -> FlowRun:
        """Start the service-to-service flow (RFC021) from ``requester``'s EHR; step it or ``finish()`` it.

        ``no_cache`` sends ``Cache-Control: no-cache`` so node B skips its 14.5-minute token cache.
        """
        ehr = (
            ehr
            or next(
                (
                    p
                    for p in self.parties
                    if isinstance(p, EHR) and p.node_internal == requester.node.internal_host
                ),
                None,
            )
            or self.add_ehr(requester.node)
        )
        process = ehr.service_access(
            requester.id,
            authorization_server.url,
            scope,
            resource_url=resource_server.resource_url if resource_server else None,
            dpop=dpop,
            credentials=credentials,
            credential_selection=credential_selection,
            no_cache=no_cache,
        )
        return FlowRun(self, self.start(process, ehr.id), "s2s")

    def add_browser(
        self,
        *,
        id: str | None = None,
        host: str | None = None,
        name: str | None = None,
        redirect_chain_same_site: bool = False,
    ) -> Browser:
        """Add the user's browser (a user agent that follows redirects and keeps cookies)."""
        browser = Browser(
            id or self.unique_id("browser"),
            name or "Browser",
            _https(host or "browser.invalid"),
            self.clock.now,
            redirect_chain_same_site=redirect_chain_same_site,
        )
        return self.add(browser)

    def user_access(
        self: Simulation,
        requester: Subject,
        authorization_server: Subject,
        scope: str,
        *,
        preauthorized_user: dict[str, str],
        ehr: EHR | None = None,
        browser: Browser | None = None,
        resource_server: ResourceServer | None = None,
        dpop: bool = True,
    ) -> FlowRun:
        """Start the user flow (OpenID4VP + JAR + PKCE + DPoP) from ``requester``'s EHR and a browser."""
        internal = requester.node.internal_host
        ehrs = (p for p in self.parties if isinstance(p, EHR) and p.node_internal == internal)
        ehr = ehr or next(ehrs, None) or self.add_ehr(requester.node)
        browsers = (p for p in self.parties if isinstance(p, Browser))
        browser = browser or next(browsers, None) or self.add_browser()
        process = user_access(
            ehr,
            browser,
            requester.id,
            authorization_server.url,
            scope,
            preauthorized_user,
            resource_url=resource_server.resource_url if resource_server else None,
            dpop=dpop,
        )
        return FlowRun(self, self.start(process, ehr.id), "user")


def _https(host: str) -> str:
    return host if "://" in host else f"https://{host}"


def _short(host: str) -> str:
    return _https(host).split("://", 1)[1].split(".")[0].split(":")[0]


class FlowRun:
    """A flow being run: step it, inspect or edit the pending message, or finish it."""

    def __init__(self, sim: Simulation, run: Run, name: str) -> None:
        self.sim = sim
        self.run = run
        self.name = name
        self.result: FlowResult | None = None

    @property
    def trace(self) -> Trace:
        """The simulation's trace."""
        return self.sim.trace

    @property
    def pending(self) -> Any:
        """The delivery the next ``step()`` makes (``None`` when done)."""
        return self.run.pending

    @property
    def done(self) -> bool:
        """Whether the flow has ended."""
        return self.run.done

    @property
    def in_flight(self) -> Any:
        """The exchanges delivered but not yet answered, outermost first (``Run.in_flight``)."""
        return self.run.in_flight

    def step(self) -> Any:
        """Deliver the next message."""
        delivery = self.run.step()
        if self.run.done:
            self._record_outcome()
        return delivery

    def edit(self, request: Any) -> None:
        """Replace the pending request."""
        self.run.edit(request)

    def drop(self) -> None:
        """Drop the pending request."""
        self.run.drop()
        if self.run.done:
            self._record_outcome()

    def finish(self) -> FlowResult:
        """Run to the end and return the result."""
        self.run.finish()
        self._record_outcome()
        assert self.result is not None
        return self.result

    def _record_outcome(self) -> None:
        if self.result is not None:
            return
        self.result = self.run.result
        self.sim.trace.outcome = outcome_of(self.result, self.sim.trace)


def outcome_of(result: FlowResult | None, trace: Trace) -> dict[str, Any]:
    """The ``outcome`` member of the trace export (ARCHITECTURE.md "Trace export")."""
    if result is None:
        return {
            "status": "denied",
            "error": {"error": "no_result", "error_description": "the flow did not finish"},
        }
    out: dict[str, Any] = {"status": result.status}
    if result.error:
        out["error"] = {
            "error": result.error.get("error"),
            "error_description": result.error.get("error_description", ""),
        }
    if result.status == "granted":
        out["token"] = result.token
        introspection = trace.latest("introspection")
        if introspection is not None:
            out["introspection"] = introspection.response.json
        if result.resource_status is not None:
            out["resource_status"] = result.resource_status
    return out
