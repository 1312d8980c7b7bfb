"""Nuts policy files: OAuth scope → credential profile (PROTOCOL.md §3.8).

A policy file maps each scope to the presentation definition a wallet of each owner type
must fulfil, and to a scope policy::

    {"<scope>": {"organization": {PD}, "user": {PD}, "service_provider": {PD},
                 "scope_policy": "profile-only" | "passthrough" | "dynamic"}}

At least one definition is required; ``scope_policy`` defaults to ``profile-only``. The
older form, scope → definition without the wallet-owner wrapper, is read as
``organization``. Every definition is checked against the PE v2 schema and compiled for
matching (so hostile paths and patterns are refused at load; nuts-node's loading lets them in,
evaluated at match time with the time bounded, see ``reference_limits``). A directory loads every
``*.json`` in lexical order, and a scope defined twice is refused. Every load error names
the file, the scope and the JSON pointer of the member at fault.

Not modelled here: the reference also refuses ``dynamic`` when no AuthZen endpoint is
configured; that is node configuration, not policy content.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from nutssim.errors import InputError, ProtocolError, did_you_mean
from nutssim.messages import parse_json
from nutssim.specs.pex.compiled import CanonicalDefinition, compile_definition
from nutssim.specs.pex.errors import PexDocumentError
from nutssim.specs.pex.fields import reserved_field_ids
from nutssim.specs.pex.limits import DEFAULT_LIMITS, Limits, using_limits
from nutssim.specs.pex.models import PresentationDefinition, dump, parse_definition
from nutssim.specs.pex.schemas import NUTS_POLICY_PROFILE, validate_schema
from nutssim.specs.pex.semantics import NUTS_NODE, STRICT, Semantics

WALLET_OWNER_TYPES = ("organization", "user", "service_provider")
SCOPE_POLICIES = ("profile-only", "passthrough", "dynamic")
DEFAULT_SCOPE_POLICY = "profile-only"
_PROFILE_KEYS = (*WALLET_OWNER_TYPES, "scope_policy")
#: Claim format designations a presentation definition names (DIF claim format registry; §3.2).
FORMAT_NAMES = ("jwt", "jwt_vc", "jwt_vp", "ldp", "ldp_vc", "ldp_vp")
#: Names that are mistakes in a PD's ``format``: OpenID4VP metadata names → the PD name meant.
FORMAT_MISTAKES = {"jwt_vc_json": "jwt_vc", "jwt_vp_json": "jwt_vp"}


class PolicyError(InputError):
    """A policy file is invalid; ``where`` names the file, the scope and the member."""


class PolicyLookupError(ProtocolError):
    """A scope or wallet owner type has no credential profile; ``reference_text`` is the reference's."""

    reference_text = ""


class ScopeNotFound(PolicyLookupError):
    """No token of the scope string is a profile scope (``policy.ErrNotFound``)."""

    check = "policy.scope"
    reference_text = "not found"

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__(f"unsupported scope ({scope}) for presentation exchange: {self.reference_text}")


class AmbiguousScope(PolicyLookupError):
    """More than one token of the scope string is a profile scope (``policy.ErrAmbiguousScope``)."""

    check = "policy.scope"
    reference_text = "multiple credential profile scopes found"

    def __init__(self, scope: str, profile_scopes: list[str]) -> None:
        self.scope = scope
        self.profile_scopes = tuple(profile_scopes)
        super().__init__(
            f"unsupported scope ({scope}) for presentation exchange: {self.reference_text} "
            f"({', '.join(profile_scopes)})"
        )


class NoDefinitionForWallet(PolicyLookupError):
    """The profile has no definition for the requested wallet owner type (PROTOCOL.md §1.2)."""

    check = "policy.wallet_owner_type"

    def __init__(self, wallet_owner_type: str) -> None:
        self.wallet_owner_type = wallet_owner_type
        self.reference_text = f"no presentation definition found for '{wallet_owner_type}' wallet"
        super().__init__(self.reference_text)


@dataclass(frozen=True, repr=False)
class CredentialProfile:
    """One scope's profile: a definition per wallet owner type, and the scope policy."""

    scope: str
    definitions: Mapping[str, PresentationDefinition]
    scope_policy: str = DEFAULT_SCOPE_POLICY
    scope_policy_explicit: bool = False  # written in the file (kept so a dump round-trips)
    source: str = field(default="", compare=False)
    legacy: bool = field(default=False, compare=False)  # read from the older scope → PD form

    def __repr__(self) -> str:
        owners = ", ".join(f"{t}={d.id!r}" for t, d in self.definitions.items())
        return f"<CredentialProfile {self.scope!r}: {owners}, scope_policy={self.scope_policy!r}>"

    @cached_property
    def canonical(self) -> dict[str, CanonicalDefinition]:
        """Each definition with its canonical text, read once: a profile is a value (issue #23)."""
        # A token request compiles from the text (a cache hit), not from a dump of the model per
        # request. The models are not to be changed in place; a changed policy is a new profile.
        return {t: CanonicalDefinition.of(d) for t, d in self.definitions.items()}

    def presentation_definition(self, wallet_owner_type: str = "organization") -> PresentationDefinition:
        """The definition for a wallet owner type; ``NoDefinitionForWallet`` when there is none."""
        definition = self.definitions.get(wallet_owner_type)
        if definition is None:
            raise NoDefinitionForWallet(wallet_owner_type)
        return definition

    def to_dict(self) -> dict[str, Any]:
        """The profile as it is written in a policy file (always the wrapped form)."""
        out: dict[str, Any] = {t: dump(d) for t, d in self.definitions.items()}
        if self.scope_policy_explicit:
            out["scope_policy"] = self.scope_policy
        return out


@dataclass(frozen=True)
class ProfileMatch:
    """The profile a scope string selects, and the scopes it asks for besides."""

    scope: str  # the credential profile scope
    profile: CredentialProfile
    other_scopes: tuple[str, ...]

    @property
    def scope_policy(self) -> str:
        """How the other scopes are granted."""
        return self.profile.scope_policy

    def presentation_definition(self, wallet_owner_type: str = "organization") -> PresentationDefinition:
        """The definition for a wallet owner type."""
        return self.profile.presentation_definition(wallet_owner_type)


class Policy(Mapping[str, CredentialProfile]):
    """A loaded policy: scope → credential profile, read-only."""

    def __init__(
        self, profiles: Mapping[str, CredentialProfile] | None = None, findings: tuple[str, ...] = ()
    ) -> None:
        self._profiles = dict(profiles or {})
        self.findings = findings
        """Warnings met while loading (field ids that shadow introspection claims)."""

    def __getitem__(self, scope: str) -> CredentialProfile:
        return self._profiles[scope]

    def __iter__(self) -> Iterator[str]:
        return iter(self._profiles)

    def __len__(self) -> int:
        return len(self._profiles)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"<Policy scopes={list(self._profiles)}>"

    @classmethod
    def from_dict(
        cls, data: Any, *, source: str = "<dict>", limits: Limits = DEFAULT_LIMITS, reference: bool = False
    ) -> Policy:
        """Load the content of one policy file (``reference``: as nuts-node's ``policy/local.go`` does)."""
        if not isinstance(data, dict):
            raise PolicyError(
                f"a policy file must hold a JSON object, got {type(data).__name__}", where=source
            )
        with using_limits(reference_limits(limits) if reference else limits):
            profiles = {
                scope: _profile(scope, entry, source, limits, reference) for scope, entry in data.items()
            }
            return cls(profiles, _findings(profiles))

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS, reference: bool = False
    ) -> Policy:
        """Load one policy file."""
        path = Path(path)
        try:
            data = parse_json(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PolicyError(f"cannot read the policy file: {exc.strerror}", where=str(path)) from None
        except ValueError as exc:
            raise PolicyError(
                f"failed to unmarshal PEX Policy mapping file: {exc}", where=str(path)
            ) from None
        return cls.from_dict(data, source=path.name, limits=limits, reference=reference)

    @classmethod
    def from_directory(
        cls, path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS, reference: bool = False
    ) -> Policy:
        """Load every ``*.json`` of a directory in lexical order; a scope may be defined once."""
        directory = Path(path)
        if not directory.is_dir():
            raise PolicyError("not a directory", where=str(directory))
        policy = cls()
        for file in sorted(p for p in directory.iterdir() if p.suffix == ".json" and p.is_file()):
            policy = policy.merge(cls.from_file(file, limits=limits, reference=reference))
        return policy

    def merge(self, other: Policy) -> Policy:
        """Both policies together; a scope in both is refused (PROTOCOL.md §3.8)."""
        for scope, profile in other.items():
            if scope in self._profiles:
                raise PolicyError(
                    f"mapping for scope '{scope}' already exists (first defined in "
                    f"{self._profiles[scope].source})",
                    where=f"{profile.source}: scope '{scope}'",
                )
        return Policy({**self._profiles, **other._profiles}, self.findings + other.findings)

    def find_profile(self, scope: str) -> ProfileMatch:
        """The profile a scope string selects: exactly one whitespace-separated token may be a profile."""
        tokens = scope.split()
        profile_scopes = [t for t in tokens if t in self._profiles]
        if not profile_scopes:
            raise ScopeNotFound(scope)
        if len(profile_scopes) > 1:
            raise AmbiguousScope(scope, profile_scopes)
        chosen = profile_scopes[0]
        return ProfileMatch(chosen, self._profiles[chosen], tuple(t for t in tokens if t != chosen))

    def presentation_definition(
        self, scope: str, wallet_owner_type: str = "organization"
    ) -> PresentationDefinition:
        """The definition a scope string asks of a wallet owner type (the PD endpoint, PROTOCOL.md §1.2)."""
        return self.find_profile(scope).presentation_definition(wallet_owner_type)

    def to_dict(self) -> dict[str, Any]:
        """The policy as one policy file's content."""
        return {scope: profile.to_dict() for scope, profile in self._profiles.items()}

    def dump(self, path: str | os.PathLike[str]) -> None:
        """Write the policy as one JSON policy file."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        Path(path).write_text(text, encoding="utf-8")


def load(
    source: Policy | Mapping[str, Any] | str | os.PathLike[str],
    *,
    limits: Limits = DEFAULT_LIMITS,
    reference: bool = False,
) -> Policy:
    """A policy from a ``Policy``, a dict (a file's content), a file or a directory.

    ``reference`` loads as nuts-node's ``policy/local.go loadFromFile``: the older scope → PD
    form is refused with its text and unknown profile members are ignored (``json.Unmarshal``
    into ``credentialProfileConfig``). Without it, today's stricter loading (module docstring).
    Hostile paths and patterns are refused at load without it; with it they load as the
    reference's do, evaluated in bounded time (``reference_limits``).
    """
    if isinstance(source, Policy):
        return source
    if isinstance(source, Mapping):
        return Policy.from_dict(dict(source), limits=limits, reference=reference)
    if not isinstance(source, str | os.PathLike):
        raise PolicyError(
            f"a policy is a JSON object (scope → credential profile) or a path, got {type(source).__name__}",
            where="<policy>",
        )
    path = Path(source)
    if path.is_dir():
        return Policy.from_directory(path, limits=limits, reference=reference)
    return Policy.from_file(path, limits=limits, reference=reference)


# -- loading one profile -------------------------------------------------------------------------
def _profile(scope: str, entry: Any, source: str, limits: Limits, reference: bool) -> CredentialProfile:
    where = f"{source}: scope '{scope}'"
    if not isinstance(entry, dict):
        raise PolicyError(
            f"a credential profile must be a JSON object, got {type(entry).__name__}", where=where
        )
    if reference:
        return _reference_profile(scope, entry, source, limits)
    if _is_legacy(entry):
        return CredentialProfile(
            scope, {"organization": _definition(entry, where, "", limits)}, source=source, legacy=True
        )
    definitions = {t: _definition(entry[t], where, f"/{t}", limits) for t in WALLET_OWNER_TYPES if t in entry}
    # The reference's order: definitions, then their presence, then scope_policy.
    if not definitions:
        near = [did_you_mean(k, WALLET_OWNER_TYPES, listing=False) for k in entry if k not in _PROFILE_KEYS]
        raise PolicyError(
            f"credential profile '{scope}' must define at least one of 'organization', "
            "'service_provider', or 'user'",
            where=where,
            hint=next((h for h in near if h), ""),
        )
    policy = entry.get("scope_policy", DEFAULT_SCOPE_POLICY)
    if policy not in SCOPE_POLICIES:
        raise PolicyError(
            f"invalid scope_policy {json.dumps(policy)} for scope '{scope}' (expected one of "
            f"{', '.join(SCOPE_POLICIES)})",
            where=f"{where}: /scope_policy",
            hint=did_you_mean(str(policy), SCOPE_POLICIES, listing=False),
        )
    unknown = [k for k in entry if k not in _PROFILE_KEYS]
    if unknown:
        raise PolicyError(
            f"unknown member '{unknown[0]}' (a profile has {', '.join(_PROFILE_KEYS)})",
            where=f"{where}: /{unknown[0]}",
            hint=did_you_mean(unknown[0], _PROFILE_KEYS, listing=False),
        )
    _schema_check(entry, where)
    return CredentialProfile(scope, definitions, policy, "scope_policy" in entry, source)


def reference_limits(limits: Limits) -> Limits:
    """``limits`` as nuts-node loads a policy: hostile patterns evaluated, on RE2 (``REFERENCE_LIMITS``)."""
    return replace(limits, linear_regex=True)


def _reference_profile(scope: str, entry: dict[str, Any], source: str, limits: Limits) -> CredentialProfile:
    """One profile as policy/local.go:186 loadFromFile reads it into ``credentialProfileConfig``."""
    where = f"{source}: scope '{scope}'"
    # Members other than the four are dropped by json.Unmarshal. The reference compiles nothing at
    # load (validatingPresentationDefinition checks the PE v2 schema only): a hostile pattern
    # loads and meets regexp2 (no timeout) at match time. So here too: a pattern the backtracking
    # guard refuses runs on RE2, whose time is linear (the reference's is not: the linter reports
    # it). A filter-selector path is still refused: PaesslerAG/jsonpath's dialect is not RFC 9535's.
    # json.Unmarshal into vcr/pe/types.go Filter refuses what it cannot hold (a numeric const):
    # the node does not start, so the filters are compiled as the reference reads them.
    limits = reference_limits(limits)
    definitions = {
        t: _definition(entry[t], where, f"/{t}", limits, NUTS_NODE)
        for t in WALLET_OWNER_TYPES
        if entry.get(t) is not None
    }
    if not definitions:  # a legacy scope → PD entry has none of the three members either
        raise PolicyError(
            f"credential profile {json.dumps(scope)} must define at least one of 'organization', "
            f"'service_provider', or 'user' (file={source})",
            where=where,
            hint='nuts-node refuses the older scope → definition form: wrap it as {"organization": {…}}'
            if _is_legacy(entry)
            else "",
        )
    policy = entry.get("scope_policy") or DEFAULT_SCOPE_POLICY
    if policy not in SCOPE_POLICIES:
        raise PolicyError(
            f"invalid scope_policy {json.dumps(policy)} for scope {json.dumps(scope)} (file={source})",
            where=f"{where}: /scope_policy",
            hint=did_you_mean(str(policy), SCOPE_POLICIES, listing=False),
        )
    return CredentialProfile(scope, definitions, policy, "scope_policy" in entry, source)


def _is_legacy(entry: dict[str, Any]) -> bool:
    """The older form: the entry is itself a definition (PROTOCOL.md §3.8)."""
    return not entry.keys() & set(_PROFILE_KEYS) and bool(entry.keys() & {"id", "input_descriptors"})


def _definition(
    document: Any, where: str, pointer: str, limits: Limits, semantics: Semantics = STRICT
) -> PresentationDefinition:
    """One definition, refused here if the reading it will be matched under refuses it (issue #22)."""
    try:
        definition = parse_definition(document, limits=limits)
        # Filter selectors load only where the reading models them: the reference's PaesslerAG
        # subset (pex/paessler.py) under nuts-node; the rest stays refused here, where the
        # reference would fail the match at match time (FIDELITY.md "Policy: hostile JSONPath").
        selectors = semantics.paessler_filters and semantics.filter_selectors
        compile_definition(
            definition, limits=limits, semantics=replace(semantics, filter_selectors=selectors)
        )
    except PexDocumentError as exc:
        raise PolicyError(
            exc.reason,
            where=f"{where}: {pointer}{exc.pointer}" if pointer or exc.pointer else where,
            hint=exc.hint,
        ) from None
    for at, name in _format_names(document):
        close = [f for f in FORMAT_NAMES if sorted(f) == sorted(name)]  # transposed letters first
        close += difflib.get_close_matches(name, FORMAT_NAMES, n=1, cutoff=0.75)
        fix = FORMAT_MISTAKES.get(name) or (close[0] if close else "")
        if fix and name not in FORMAT_NAMES:  # a misspelling, not another registered format
            raise PolicyError(
                f"'{name}' is not a presentation definition format name, so no credential "
                "would ever match it",
                where=f"{where}: {pointer}{at}/{name}",
                hint=f"did you mean '{fix}'? A PD names formats {', '.join(FORMAT_NAMES)}; "
                "jwt_vc_json and jwt_vp_json are names of OpenID4VP metadata",
            )
    return definition


def _format_names(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(JSON pointer, name) of every claim format a definition and its input descriptors name."""
    if isinstance(document.get("format"), dict):
        yield from (("/format", name) for name in document["format"])
    for i, descriptor in enumerate(document.get("input_descriptors") or []):
        if isinstance(descriptor, dict) and isinstance(descriptor.get("format"), dict):
            yield from ((f"/input_descriptors/{i}/format", name) for name in descriptor["format"])


def _schema_check(entry: dict[str, Any], where: str) -> None:
    try:
        validate_schema(entry, NUTS_POLICY_PROFILE)
    except PexDocumentError as exc:
        raise PolicyError(exc.reason, where=f"{where}: {exc.pointer or '/'}") from None


def _findings(profiles: Mapping[str, CredentialProfile]) -> tuple[str, ...]:
    found = []
    for scope, profile in profiles.items():
        for owner, definition in profile.definitions.items():
            for pointer, field_id in reserved_field_ids(definition):
                found.append(
                    f"{profile.source}: scope '{scope}': /{owner}{pointer}: field id '{field_id}' "
                    "shadows an introspection claim (PROTOCOL.md §3.10)"
                )
    return tuple(found)
