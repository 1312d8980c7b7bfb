"""Which reading of Presentation Exchange the engine applies: the reference's, the spec's, or today's mix.

The engine is pure and takes its reading as data (a frozen ``Semantics``), carried like
``Limits`` (every entry point takes ``semantics=``; compiled definitions are cached per
semantics). Every place where nuts-node (at d2ad162) departs from the DIF PE v2.0.0 text is
one named switch, ``True`` meaning "as the reference does":

- ``reference_filters``: ``presentation_definition.go:500 matchFilter``, only type/const/enum/
  pattern, an untyped pattern/const never matching a string (FIDELITY.md "PEX filter
  semantics"). Spec §Input Evaluation: the filter is a JSON Schema.
- ``array_elements``: ``matchFilter``'s ``[]interface{}`` branch, an array passes when one
  element passes. Spec: the filter validates the value itself (``contains`` for arrays).
- ``null_is_absent``: ``matchField``'s ``if value == nil { continue }``. Spec: a JSON ``null``
  is a JSONPath match and is validated against the filter.
- ``nodes_as_one_value``: PaesslerAG ``jsonpath.Get`` returns the nodes of a wildcard or
  descendant path as one array. Spec step 1.1.2: each JSONPath match is a candidate.
- ``optional_absence_only``: ``matchField``, ``optional`` excuses only paths without a value.
  Not a deviation: the spec's fields object says so too ("Even when the ``optional`` property
  is present, the value located at the indicated ``path`` … MUST validate against the JSON
  Schema ``filter``"), though its Input Evaluation step 1.1.3 reads as excusing any failure;
  ``STRICT`` follows the fields object, and the switch lets a user take the other reading.
- ``empty_nested_unmet``: ``submission_requirement.go fromNested``/``apply``, a nested
  requirement that is met by selecting nothing (``pick`` with ``min: 0``) is an empty member,
  so an ``all`` parent fails. Spec §Submission Requirement Rules: it is met (issue #22, bug 1).
- ``deduplicate_selection``: ``matchSubmissionRequirements``, the selection is de-duplicated
  and each credential maps only to the first descriptor that picked it, so descriptors drop
  out of the submission. Spec: every selected descriptor is mapped.
- ``present_twice``: ``matchBasic``, a credential fulfilling two descriptors is put in the VP
  twice. Spec: nothing asks for it; nutssim then presents it once, mapped twice.
- ``decoded_jwt_vp_view``: ``util.go vpAsInterface``, top-level JWT VPs of the envelope are
  replaced by their ``vp`` claim before paths run, so a ``jwt_vp`` entry there finds an object
  and never resolves (``resolveCredential``). Spec §Processing of Submission Entries: decode
  the value found at ``path`` by its ``format`` (issue #22, bug 2).
- ``verifier_first_match``: ``presentation_submission.go Validate``, the verifier re-runs its
  own first match per VP ("wallet": one VP for the whole definition) and demands the same
  mapping and count. Spec: each entry is processed against the descriptor it names.
- ``overwrite_duplicate_entries``: ``Resolve``, entries with the same ``id`` overwrite each
  other in a map. Spec: each entry is a submission against its descriptor.
- ``duplicate_ids_allowed``: ``ParsePresentationDefinition`` checks the schema only, which
  does not say ids are unique. Spec §Input Descriptor Object: a descriptor ``id`` "MUST … not
  conflict" with another's, a field ``id`` "MUST be … unique from every other field object's".
- ``ignore_limit_disclosure``: ``matchConstraint`` ("LimitDisclosure is not supported for
  now"): the whole credential is sent. Spec §Input Descriptor Object: a consumer that does not
  implement ``required`` "MUST … return nothing"; nutssim derives no credentials (a signed
  credential cannot be cut without a selective-disclosure proof), so under the spec's
  reading a descriptor with ``limit_disclosure: required`` is fulfilled by nothing.

- ``ignore_relational``: ``matchConstraint`` ("IsHolder, SameSubject, SubjectIsIssuer,
  Statuses are not supported for now"). Spec §Relational Constraint Feature: a ``required``
  ``subject_is_issuer``, ``is_holder`` or ``same_subject`` must hold, and so must the
  ``statuses`` directives of the Status Constraint Feature (``relational.py``).
- ``ignore_predicate``: the reference's ``Field`` has no ``predicate`` member: the field yields
  its value. Spec §Predicate Feature: the Field Query Result is the boolean ``true``.

- ``paessler_filters``: ``getValueAtPath`` → PaesslerAG/jsonpath ``Get`` over gval's base
  language: a filter selector has only ``==``/``!=`` (``reflect.DeepEqual``), no single-quoted
  strings, and a filter path's value is the list of its matches, empty included
  (``paessler.py``, which models that subset exactly and refuses the rest at load). Spec: the
  JSONPath syntax table (RFC 9535's filters, python-jsonpath). Off in ``DEFAULT``, whose filter
  selectors (``Limits.allow_filter_selectors``) stay RFC 9535.

- ``empty_list_is_a_value``: ``path.go ambiguousPath.evaluate`` returns the (possibly empty)
  list of matches of a path with a wildcard, descendant or filter selector, and never an
  error, and ``matchField``'s ``value == nil`` does not hold for an empty list: a field without
  ``filter`` on such a path matches a credential where it selects nothing, and so does one
  whose filter is only a ``type`` (``matchFilter`` falls through its switch for an array with
  no passing element; ``const``/``enum``/``pattern`` then refuse). Spec step 1.1.2: no match.
  Off in ``DEFAULT`` (its wildcard paths keep "nothing found").

Not a deviation but a capability: ``filter_selectors`` lets paths use JSONPath filter
selectors (``[?…]``), which the spec's JSONPath syntax table requires and the reference's
PaesslerAG/jsonpath evaluates; nutssim evaluates them by RFC 9535 with python-jsonpath,
bounded (``paths.py``), or with ``paessler_filters`` as the reference does. On under both
modes, off under ``DEFAULT`` (which keeps today's refusal unless
``Limits.allow_filter_selectors``). Policy loading allows them only under ``paessler_filters``
(``nuts_policy._definition``): strict refuses filter paths in a policy, as before.

Presets: ``NUTS_NODE`` (every switch on), ``STRICT`` (every deviation off), and ``DEFAULT``: the
reading nutssim applied before it had modes (every reference behaviour except the filter
semantics, which are JSON Schema). ``DEFAULT`` stays the engine's default for callers that
name no reading; the parties pass their profile's (``parties/wallet.py pex_semantics``:
``nuts-node`` → ``NUTS_NODE``, ``strict`` → ``STRICT``), as do policy loading and the linter.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import lru_cache

from nutssim.errors import SimulationError


@dataclass(frozen=True)
class Semantics:
    """One reading of PE v2: a named boolean per place the reference departs from the spec."""

    name: str = "default"
    reference_filters: bool = False
    array_elements: bool = True
    null_is_absent: bool = True
    nodes_as_one_value: bool = True
    optional_absence_only: bool = True
    empty_nested_unmet: bool = True
    deduplicate_selection: bool = True
    present_twice: bool = True
    decoded_jwt_vp_view: bool = True
    verifier_first_match: bool = True
    overwrite_duplicate_entries: bool = True
    duplicate_ids_allowed: bool = True
    ignore_limit_disclosure: bool = True
    ignore_relational: bool = True
    ignore_predicate: bool = True
    paessler_filters: bool = False  # on in NUTS_NODE only: DEFAULT keeps RFC 9535 for allowed filters
    empty_list_is_a_value: bool = False  # on in NUTS_NODE only: DEFAULT keeps today's "nothing found"
    filter_selectors: bool = False  # a capability, not a deviation (see the module docstring)

    def switches(self) -> dict[str, bool]:
        """Every deviation switch by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_SWITCHES}

    def describe(self) -> str:
        """One line: the name, and the switches that differ from the spec (``STRICT``)."""
        return _describe(self)

    def differs_from(self, other: Semantics) -> list[str]:
        """The switches on which two readings differ."""
        mine, theirs = self.switches(), other.switches()
        return [name for name in mine if mine[name] != theirs[name]]


_NOT_SWITCHES = frozenset({"name", "filter_selectors"})
DEFAULT = Semantics()
NUTS_NODE = Semantics(
    name="nuts-node",
    reference_filters=True,
    paessler_filters=True,
    empty_list_is_a_value=True,
    filter_selectors=True,
)
STRICT = replace(
    Semantics(name="strict", filter_selectors=True),
    **{name: False for name in Semantics().switches() if name != "optional_absence_only"},  # type: ignore[arg-type]
)
PRESETS = {s.name: s for s in (DEFAULT, NUTS_NODE, STRICT)}


def semantics_for(name: str) -> Semantics:
    """The preset for a profile name (``nuts-node``, ``nuts-node-…``, ``strict``, ``default``)."""
    if name in PRESETS:
        return PRESETS[name]
    if name.startswith("nuts-node"):  # other versions of the reference (nuts-node-gf) read PE alike
        return NUTS_NODE
    raise SimulationError(f"unknown PEX semantics {name!r}; known: {', '.join(sorted(PRESETS))}")


@lru_cache(maxsize=64)
def _describe(semantics: Semantics) -> str:
    """``Semantics.describe``, once per reading (a token request's check names its reading)."""
    on = semantics.differs_from(STRICT)
    return f"{semantics.name} ({'reference behaviour: ' + ', '.join(on) if on else 'the DIF PE v2.0.0 text'})"
