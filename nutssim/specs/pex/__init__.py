"""DIF Presentation Exchange v2, as the Nuts flows use it (PROTOCOL.md §1.3, §3.4, §3.7, §3.9, §3.10).

A pure engine: no keys, storage, parties, network, clock or randomness (ids are the
caller's). Models and schema checks (``models``, ``schemas``); wallet-side matching and
the submission for one VP (``match``, ``submission``); the verifier's conformance check
(``check``); field-id claims (``fields``). Presentation definitions are attacker input:
every path, pattern and filter is bounded by ``Limits`` and compiled once per definition.
Where the reference departs from the DIF text, ``Semantics`` says which reading applies
(``NUTS_NODE``, ``STRICT``, or ``DEFAULT_SEMANTICS``, nutssim's historical mix).
"""

from nutssim.specs.pex import _jsonschema  # noqa: F401  (first: see its docstring)
from nutssim.specs.pex.check import CheckResult, check_submission
from nutssim.specs.pex.compare import Comparison, compare_semantics
from nutssim.specs.pex.compiled import (
    CanonicalDefinition,
    CompiledDefinition,
    canonical_definition,
    compile_definition,
    format_refusal,
)
from nutssim.specs.pex.envelope import decode_jwt_claims, decode_jwt_vp, envelope_view
from nutssim.specs.pex.errors import (
    DuplicateMappedField,
    InvalidCredentialSelection,
    InvalidDefinition,
    InvalidSubmission,
    LimitExceeded,
    MultipleCredentials,
    NoCredentials,
    PexDocumentError,
    PexError,
    SubmissionMismatch,
)
from nutssim.specs.pex.fields import (
    RESERVED_CLAIMS,
    ClaimFinding,
    FieldClaims,
    extract_claims,
    reserved_field_ids,
    resolve_fields,
)
from nutssim.specs.pex.limits import DEFAULT_LIMITS, Limits
from nutssim.specs.pex.match import (
    DescriptorMatch,
    MatchResult,
    credentials_required,
    fulfil,
    match_definition,
)
from nutssim.specs.pex.models import (
    ConstraintField,
    Constraints,
    DescriptorMapEntry,
    FormatSpec,
    InputDescriptor,
    PresentationDefinition,
    PresentationSubmission,
    SubmissionRequirement,
    dump,
    json_text,
    parse_definition,
    parse_input_descriptor,
    parse_submission,
    parse_submission_requirement,
)
from nutssim.specs.pex.report import (
    CandidateOutcome,
    DescriptorReport,
    FieldOutcome,
    MatchReport,
    PathAttempt,
    Problem,
)
from nutssim.specs.pex.schemas import is_valid, load_schema, validate_schema
from nutssim.specs.pex.semantics import DEFAULT as DEFAULT_SEMANTICS
from nutssim.specs.pex.semantics import NUTS_NODE, STRICT, Semantics, semantics_for
from nutssim.specs.pex.submission import VP_FORMATS, build_submission, verifiable_credential_member

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_SEMANTICS",
    "NUTS_NODE",
    "RESERVED_CLAIMS",
    "STRICT",
    "VP_FORMATS",
    "CandidateOutcome",
    "CanonicalDefinition",
    "CheckResult",
    "ClaimFinding",
    "Comparison",
    "CompiledDefinition",
    "ConstraintField",
    "Constraints",
    "DescriptorMapEntry",
    "DescriptorMatch",
    "DescriptorReport",
    "DuplicateMappedField",
    "FieldClaims",
    "FieldOutcome",
    "FormatSpec",
    "InputDescriptor",
    "InvalidCredentialSelection",
    "InvalidDefinition",
    "InvalidSubmission",
    "LimitExceeded",
    "Limits",
    "MatchReport",
    "MatchResult",
    "MultipleCredentials",
    "NoCredentials",
    "PathAttempt",
    "PexDocumentError",
    "PexError",
    "PresentationDefinition",
    "PresentationSubmission",
    "Problem",
    "Semantics",
    "SubmissionMismatch",
    "SubmissionRequirement",
    "build_submission",
    "canonical_definition",
    "check_submission",
    "compare_semantics",
    "compile_definition",
    "credentials_required",
    "decode_jwt_claims",
    "decode_jwt_vp",
    "dump",
    "envelope_view",
    "extract_claims",
    "format_refusal",
    "fulfil",
    "is_valid",
    "json_text",
    "load_schema",
    "match_definition",
    "parse_definition",
    "parse_input_descriptor",
    "parse_submission",
    "parse_submission_requirement",
    "reserved_field_ids",
    "resolve_fields",
    "semantics_for",
    "validate_schema",
    "verifiable_credential_member",
]
