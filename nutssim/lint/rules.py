"""The lint rules as data: code, severity, message and hint templates, and the clause each rests on.

Section numbers without a document are PROTOCOL.md's. ``Finding`` and ``Where`` are what
the linter reports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from nutssim.jose import SUPPORTED_ALGS

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

#: Types a holder may attest itself: no issuer makes them trustworthy (PROTOCOL.md §2.4, §3.3).
SELF_ATTESTABLE = frozenset(
    {"NutsEmployeeCredential", "DiscoveryRegistrationCredential", "VerifiableCredential"}
)
#: OpenID4VP metadata names → PD format names (PROTOCOL.md §1.1).
FORMAT_ALIASES = {"jwt_vp_json": "jwt_vp", "jwt_vc_json": "jwt_vc"}
KNOWN_FORMATS = ("jwt_vp", "jwt_vc", "ldp_vp", "ldp_vc")
#: What a node accepts unless told otherwise: the four formats of PROTOCOL.md §1.1.
DEFAULT_METADATA: dict[str, Any] = {
    "vp_formats_supported": {
        "jwt_vp_json": {"alg_values_supported": list(SUPPORTED_ALGS)},
        "jwt_vc_json": {"alg_values_supported": list(SUPPORTED_ALGS)},
        "ldp_vp": {"proof_type_values_supported": ["JsonWebSignature2020"]},
        "ldp_vc": {"proof_type_values_supported": ["JsonWebSignature2020"]},
    }
}
#: JSON Schema keywords a filter may use (2020-12 validation and applicator vocabularies, plus formats).
SCHEMA_KEYWORDS = frozenset(
    {
        "type",
        "const",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "formatMinimum",
        "formatMaximum",
        "formatExclusiveMinimum",
        "formatExclusiveMaximum",
        "items",
        "prefixItems",
        "contains",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minContains",
        "maxContains",
        "properties",
        "patternProperties",
        "additionalProperties",
        "required",
        "minProperties",
        "maxProperties",
        "propertyNames",
        "not",
        "allOf",
        "anyOf",
        "oneOf",
        "if",
        "then",
        "else",
        "dependentRequired",
        "dependentSchemas",
        "$schema",
        "$id",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "$defs",
        "definitions",
    }
)


@dataclass(frozen=True)
class Rule:
    """A lint rule: its code, default severity, message and hint templates, and the clause it rests on."""

    code: str
    severity: Severity
    message: str
    hint: str
    ref: str


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "self-issued-gap",
            "error",
            "input descriptor '{descriptor}' asks for {types} without an $.issuer constraint: the AS does "
            "not consult trusted issuers (allowUntrusted=true), so a credential the requester signs itself "
            "fulfils it",
            'add {{"path": ["$.issuer"], "filter": '
            '{{"type": "string", "pattern": "^did:web:<register>:.*$"}}}} '
            "(a did:x509 CA pattern for X509Credential)",
            "PROTOCOL.md §3.11",
        ),
        Rule(
            "issuer-unconstrained",
            "error",
            "the $.issuer field's filter accepts any issuer{why}",
            "put const, enum or an anchored pattern directly in the field's filter",
            "PROTOCOL.md §3.11",
        ),
        Rule(
            "issuer-pattern-unanchored",
            "warning",
            "issuer pattern {pattern!r} is not anchored: any DID containing a match passes "
            "(did:web:evil.example:…)",
            "anchor it: ^did:web:register\\.example:iam:[0-9a-f-]+$",
            "PROTOCOL.md §3.4 (pattern)",
        ),
        Rule(
            "type-only",
            "warning",
            "input descriptor '{descriptor}' is constrained on $.type only: any such credential, "
            "from anyone, fulfils it, and it yields no claims",
            "constrain $.issuer and the credential content the resource server relies on",
            "PROTOCOL.md §3.4, §3.11",
        ),
        Rule(
            "no-type-constraint",
            "warning",
            "input descriptor '{descriptor}' asks for no credential type: any credential with these fields "
            "fulfils it",
            'add {{"path": ["$.type"], "filter": {{"type": "string", "const": "<CredentialType>"}}}}',
            "PROTOCOL.md §3.4",
        ),
        Rule(
            "subject-shape",
            "warning",
            "this field lists only the {shape} shape of credentialSubject; {consequence}",
            "add {other!r} to the field's paths",
            "PROTOCOL.md §3.4",
        ),
        Rule(
            "ignored-filter-keyword",
            "warning",
            "filter keyword '{keyword}' is not JSON Schema and is ignored",
            "remove it, or move what it holds into the filter itself",
            "JSON Schema 2020-12 §6.5",
        ),
        Rule(
            "semantics-differ",
            "warning",
            "this filter means different things to a reference node and to the PE v2 text: {why}",
            "{fix}",
            "FIDELITY.md 'PEX filter semantics' (vcr/pe/presentation_definition.go matchFilter); "
            "DIF PE v2 §Input Evaluation",
        ),
        Rule(
            "reserved-field-id",
            "error",
            "field id '{field_id}' shadows the introspection claim '{field_id}'; introspection fails with "
            "HTTP 500",
            "rename it, e.g. '{suggestion}'",
            "PROTOCOL.md §3.10, §1.7",
        ),
        Rule(
            "cross-vp-binding",
            "info",
            "field id '{field_id}' is shared by the organization and service_provider PDs: the two-VP "
            "jwt-bearer flow selects VP2's credential by VP1's value",
            "keep it a string-valued field in both; every id of the organization PD must be in the other",
            "nuts-node policy.rst 'Cross-VP binding via shared field.id'; specs/rfc7523.py",
        ),
        Rule(
            "duplicate-field-id",
            "error",
            "field id '{field_id}' is mapped {twice}; {consequence}",
            "give the field a distinct id",
            "PROTOCOL.md §3.10, §1.5 #17",
        ),
        Rule(
            "unsupported-format",
            "warning",
            "{what} not accepted by the authorization server",
            "the server accepts {accepted}",
            "PROTOCOL.md §1.1 (vp_formats_supported), §1.3",
        ),
        Rule(
            "no-shared-format",
            "error",
            "no {kind} format of this {part} is accepted by the authorization server: no presentation "
            "fulfils it",
            "allow one of {accepted}",
            "PROTOCOL.md §1.3 (pe.ChooseVPFormat)",
        ),
        Rule(
            "engine-bounds",
            "error",
            "{reason}",
            "{hint}",
            "PROTOCOL.md §3.4; nutssim.specs.pex.Limits (a PD is attacker input)",
        ),
        Rule(
            "unbounded-regex",
            "warning",
            "pattern {pattern} can backtrack without bound on nuts-node: {reason}",
            "nuts-node loads it and vcr/pe matchFilter runs it with regexp2, which has no match timeout, "
            "so a long value can stall its verifier (ReDoS); rewrite it without nested or overlapping "
            "quantifiers (nutssim's nuts-node profile runs it on RE2, in linear time)",
            "ATTACKS.md 3.8 #61; nuts-node policy/local.go, vcr/pe/presentation_definition.go matchFilter",
        ),
        Rule("invalid-definition", "error", "{reason}", "{hint}", "DIF PE v2 §5; PROTOCOL.md §3.8"),
        Rule("invalid-policy", "error", "{reason}", "{hint}", "PROTOCOL.md §3.8"),
        Rule(
            "duplicate-scope",
            "error",
            "scope '{scope}' is defined in {other} too",
            "the node refuses to start; keep one definition per scope",
            "PROTOCOL.md §3.8",
        ),
        Rule(
            "scope-reveals-availability",
            "warning",
            "scopes {scopes} ask for identical presentation definitions; if they name data (a record type, a "
            "patient) rather than a use case, the PD endpoint's answer per scope reveals which data exist",
            "use one use-case scope and decide data access at the resource server",
            "RFC021 §8",
        ),
        Rule(
            "patient-specific-scope",
            "warning",
            "scope '{scope}' looks patient-specific{bsn}: whether the PD endpoint knows it reveals that data "
            "exist",
            "scopes name a use case (eoverdracht); pass patient context elsewhere",
            "RFC021 §8",
        ),
        Rule(
            "dynamic-without-evaluator",
            "info",
            "scope_policy 'dynamic' asks a policy decision point (AuthZen); without one every token request "
            "fails with server_error 'dynamic scope policy configured but no ScopeEvaluator available'",
            "configure policy.authzen.endpoint on the node, or use profile-only",
            "PROTOCOL.md §1.5 #11, §3.8",
        ),
        Rule(
            "passthrough-scope-policy",
            "info",
            "scope_policy 'passthrough' grants any extra scope the client asks for, unchecked",
            "make sure the resource server checks those scopes, or use profile-only or dynamic",
            "PROTOCOL.md §3.8",
        ),
        Rule(
            "legacy-form",
            "info",
            "the older scope → PD form, read as 'organization'",
            'wrap it: {{"organization": <the PD>}}, so user and service_provider PDs can follow',
            "PROTOCOL.md §3.8",
        ),
    )
}


@dataclass(frozen=True)
class Where:
    """Where a finding is: the file, the scope and the JSON pointer inside the scope's profile."""

    file: str = ""
    scope: str = ""
    pointer: str = ""

    def __str__(self) -> str:
        parts = [self.file or "<policy>"]
        if self.scope:
            parts.append(f"scope '{self.scope}'")
        if self.pointer:
            parts.append(self.pointer)
        return ": ".join(parts)


@dataclass(frozen=True)
class Finding:
    """One lint finding."""

    severity: Severity
    code: str
    message: str
    where: Where = field(default_factory=Where)
    hint: str = ""

    @property
    def ref(self) -> str:
        """The clause the rule rests on."""
        rule = RULES.get(self.code)
        return rule.ref if rule else ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.severity}: {self.code}: {self.message} ({self.ref})"
        return f"{text}\n    hint: {self.hint}" if self.hint else text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {**asdict(self), "ref": self.ref}
