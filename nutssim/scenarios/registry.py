"""The scenario registry: each scenario's builder and declared options; build, run and list them.

Registration is lazy (issue #23 item 1): ``INDEX`` names every scenario with its family module,
flow and description, so listing scenarios imports no family (x509 pulls ``cryptography.x509``,
the PDP ``regopy``, every family the whole party stack). ``SCENARIOS`` is a mapping whose keys are
known at once; reading a scenario's spec imports its family, whose ``@register`` fills it in.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from nutssim.errors import ComponentMissing, InputError, did_you_mean
from nutssim.scenarios.options import Option
from nutssim.scenarios.options import find as _find_option
from nutssim.scenarios.options import resolve as _resolve_options

if TYPE_CHECKING:
    from nutssim.profiles import Profile
    from nutssim.scenarios.world import World


@dataclass(frozen=True)
class ScenarioSpec:
    """A registered scenario: its name, a one-line description, its builder and its declared options."""

    name: str
    description: str
    builder: Callable[..., World]
    flow: str = "s2s"
    options: tuple[Option, ...] = ()
    #: Importable packages the scenario cannot run without (e.g. ``cryptography`` for X.509).
    needs: tuple[str, ...] = ()


#: Every scenario: name → (its family module in ``nutssim.scenarios``, flow, description).
#: The one home of each description and flow; ``@register`` reads its row (and the family must be
#: the module that registers it: tests/scenarios/test_lazy_registry.py).
INDEX: dict[str, tuple[str, str, str]] = {
    "pilot-enrollment": (
        "pilot",
        "s2s",
        "Pilot credential set, patient-enrollment-scoped access: VP1 adds a PatientEnrollmentCredential "
        "and a HealthcareProfessionalDelegationCredential (both signed on a UZI Z-pas); strict grants; "
        "nuts-node is not sent (master's AS does not advertise jwt-bearer); nuts-node-gf refuses (no "
        "client_id), with --option client_id=true grants on VP1 alone",
    ),
    "pilot-eoverdracht": (
        "pilot",
        "s2s",
        "Pilot credential set, organization access: HealthcareProviderCredential (did:x509, UZI server "
        "certificate) as VP1, ServiceProvider(+Delegation)Credential as VP2; strict grants; nuts-node is "
        "not sent (master's AS does not advertise jwt-bearer); nuts-node-gf refuses (no client_id), with "
        "--option client_id=true grants on VP1 alone",
    ),
    "pilot-uzi-revoked": (
        "pilot",
        "s2s",
        "Pilot organization access after the UZI CA revoked the practice's server certificate: strict "
        "checks the did:x509 issuer's CRL and denies; nuts-node-gf (--option client_id=true) grants, its "
        "did:x509 resolver checks no CRL for a HealthcareProviderCredential",
    ),
    "s2s": (
        "s2s",
        "s2s",
        "Service-to-service (RFC021 vp_token-bearer) with a DPoP-bound token, then the resource",
    ),
    "s2s-bearer": ("s2s", "s2s", "Service-to-service (RFC021) with a plain Bearer token (no DPoP)"),
    "s2s-bsl-revoked": (
        "status",
        "s2s",
        "The GP's organization credential is revoked on a Bitstring Status List: nuts-node ignores the "
        "entry and grants, strict (GFI-003) reads it and refuses",
    ),
    "s2s-dynamic-scope": (
        "pdp",
        "s2s",
        "scope_policy dynamic: an AuthZEN PDP in Rego grants the profile scope and the extra scopes it "
        "allows",
    ),
    "s2s-jwt-bearer": (
        "jwt_bearer",
        "s2s",
        "Two-VP RFC 7523 jwt-bearer (GFI-004): the organization's VP as assertion, the service provider's"
        " as client_assertion",
    ),
    "s2s-ldp": (
        "s2s",
        "s2s",
        "Service-to-service with JSON-LD credentials end to end, under the reference's rfc021-e2e.json",
    ),
    "s2s-mixed": (
        "s2s",
        "s2s",
        "Service-to-service with a JSON-LD organization credential and a JWT employee credential",
    ),
    "s2s-pdp-down": (
        "pdp",
        "s2s",
        "scope_policy dynamic with the PDP down: server_error 'policy decision point unavailable'",
    ),
    "s2s-x509": (
        "x509",
        "s2s",
        "Service-to-service with an X509Credential from a UZI-like CA chain (RFC023)",
    ),
    "s2s-x509-crl-down": (
        "x509",
        "s2s",
        "X509Credential while the CA's CRL server is down: nuts-node soft-fails (granted), strict denies",
    ),
    "s2s-x509-expired": ("x509", "s2s", "X509Credential whose certificate has expired (RFC 5280 §6.1.3)"),
    "s2s-x509-revoked": ("x509", "s2s", "X509Credential whose certificate is on the CA's CRL (RFC 5280 §5)"),
    "s2s-x509-wrong-root": (
        "x509",
        "s2s",
        "X509Credential from a chain to another root with the same names: only the PD's CA pin refuses it",
    ),
    "trust-revoked": (
        "trust",
        "s2s",
        "The register revokes the GP's organization credential before the request (refused)",
    ),
    "trust-self-issued": (
        "trust",
        "s2s",
        "An unregistered GP practice signs its own organization credential (issuer_constraint: refused; "
        "without: granted)",
    ),
    "trust-statuslist-down": (
        "trust",
        "s2s",
        "The register's status list is unreachable: granted under nuts-node (fail-open), refused under "
        "strict",
    ),
    "trust-untrusted-issuer": (
        "trust",
        "s2s",
        "A second register, not named by the PD's issuer pattern, issues the organization credential "
        "(refused)",
    ),
    "user": (
        "user",
        "user",
        "User flow: OpenID4VP organization and employee presentations, JAR, PKCE, DPoP, then the resource",
    ),
    "user-dynamic-scope": (
        "pdp",
        "user",
        "User flow against a zorgtoepassing profile with a scope policy and a Rego PDP (nuts-node issue "
        "#4202)",
    ),
    "user-no-user-pd": (
        "user",
        "user",
        "User flow whose profile has no user definition: one presentation, then the code",
    ),
    "vci-bootstrap": (
        "vci",
        "s2s",
        "An empty wallet filled over OpenID4VCI 1.0 from the register, then the s2s flow with it (granted)",
    ),
}

#: The family modules, each imported when one of its scenarios is first read.
FAMILIES = tuple(sorted({family for family, _, _ in INDEX.values()}))


@dataclass(frozen=True)
class Listing:
    """A scenario as a listing shows it: known without importing its family."""

    name: str
    flow: str
    description: str


class Registry(MutableMapping[str, ScenarioSpec]):
    """Scenario specs by name: every name known at once, each spec loaded with its family on first read."""

    def __init__(self) -> None:
        self._specs: dict[str, ScenarioSpec] = {}
        self._removed: set[str] = set()  # indexed names deleted by a caller (a test's clean-up)

    def __getitem__(self, name: str) -> ScenarioSpec:
        found = self._specs.get(name)
        if found is None and name in INDEX and name not in self._removed:
            import_module(f"nutssim.scenarios.{INDEX[name][0]}")  # its @register fills _specs
            found = self._specs.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def __setitem__(self, name: str, spec: ScenarioSpec) -> None:
        self._specs[name] = spec
        self._removed.discard(name)

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._specs.pop(name, None)
        if name in INDEX:
            self._removed.add(name)

    def __contains__(self, name: object) -> bool:
        indexed = name in INDEX and name not in self._removed
        return indexed or name in self._specs

    def __iter__(self) -> Iterator[str]:
        yield from (n for n in INDEX if n not in self._removed)
        yield from (n for n in self._specs if n not in INDEX)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def listing(self, name: str) -> Listing:
        """Name, flow and description of ``name`` without importing its family (KeyError if unknown)."""
        spec = self._specs.get(name)
        if spec is not None:
            return Listing(name, spec.flow, spec.description)
        if name not in self:
            raise KeyError(name)
        _, flow, description = INDEX[name]
        return Listing(name, flow, description)

    def load_all(self) -> None:
        """Import every family (what an eager registry did on import)."""
        for family in FAMILIES:
            import_module(f"nutssim.scenarios.{family}")


#: Every scenario by name; its keys are known on import, a spec is loaded on first read.
SCENARIOS = Registry()


def register(
    name: str,
    description: str | None = None,
    flow: str | None = None,
    *,
    options: Iterable[Option] = (),
    needs: Iterable[str] = (),
) -> Callable[[Callable[..., World]], Callable[..., World]]:
    """Decorator: register a world builder under ``name``; it is called with every declared option.

    A scenario of the package takes its description and flow from its ``INDEX`` row (one home for
    them, which listing reads without importing the family); any other scenario names both here.
    """
    table = tuple(options)
    if len({o.name for o in table}) != len(table):
        raise InputError(f"scenario {name!r} declares an option twice")
    row = INDEX.get(name)
    if row is not None and (description, flow) != (None, None):
        raise InputError(f"scenario {name!r} is indexed: its description and flow live in INDEX")
    if row is None and description is None:
        raise InputError(f"scenario {name!r} needs a description")
    text, kind = (row[2], row[1]) if row is not None else (description or "", flow or "s2s")

    def wrap(builder: Callable[..., World]) -> Callable[..., World]:
        SCENARIOS[name] = ScenarioSpec(name, text, builder, kind, table, tuple(needs))
        return builder

    return wrap


def spec(name: str) -> ScenarioSpec:
    """The registered scenario ``name``, or an InputError with a did-you-mean hint."""
    found = SCENARIOS.get(name)
    if found is None and name not in INDEX:  # registered by a family but missing from INDEX?
        SCENARIOS.load_all()
        found = SCENARIOS.get(name)
    if found is None:
        raise InputError(f"unknown scenario {name!r}", hint=did_you_mean(name, SCENARIOS))
    return found


def options(name: str) -> list[Option]:
    """The options scenario ``name`` declares, in declaration order."""
    return list(spec(name).options)


def parse_option(name: str, key: str, text: str) -> Any:
    """The value of ``--option KEY=VALUE`` for scenario ``name``, in the option's declared type."""
    return _find_option(spec(name).options, key, name).parse(text, name)


def missing(name: str) -> tuple[str, ...]:
    """The packages scenario ``name`` needs that cannot be imported here (empty where it runs)."""
    return tuple(package for package in spec(name).needs if not _importable(package))


def _importable(package: str) -> bool:
    try:
        import_module(package)
    except ImportError:  # also a package blocked by a None entry in sys.modules
        return False
    return True


def build(name: str, seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> World:
    """Build the world of scenario ``name``; unknown options and ill-typed values are an InputError."""
    found = spec(name)
    absent = missing(name)
    if absent:
        raise ComponentMissing(
            f"scenario {name!r} needs {', '.join(absent)}, which cannot be imported here; "
            f"it runs on CPython (pip install {' '.join(absent)})"
        )
    resolved = _resolve_options(found.options, options, name)
    world = found.builder(seed=seed, profile=profile, **resolved)
    world.name = name  # a builder shared by several scenarios names its world after the first
    world.sim.trace.meta["scenario"] = name
    return world


def run(name: str, seed: int = 0, profile: str | Profile = "nuts-node", **options: Any) -> World:
    """Build scenario ``name`` and run its flow to the end."""
    world = build(name, seed, profile, **options)
    world.run()
    return world


def options_of(name: str) -> set[str]:
    """The names of the options scenario ``name`` takes (deprecated: use ``options(name)``)."""
    warnings.warn("options_of is deprecated; use options(name)", DeprecationWarning, stacklevel=2)
    return {o.name for o in options(name)}


def names() -> list[str]:
    """Every registered scenario name."""
    return sorted(SCENARIOS)


def listings() -> list[Listing]:
    """Every scenario's name, flow and description, by name, importing no family."""
    return [SCENARIOS.listing(name) for name in names()]
