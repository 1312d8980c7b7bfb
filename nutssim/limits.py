"""Every parser, wire and work limit of nutssim in one table (issue #18 item 2).

Each limit is a constant here, imported by the module that enforces it under the name it
always had there (``from nutssim.limits import JAR_MAX_VALIDITY as MAX_VALIDITY``), and one
row of ``TABLE``: its value and unit, what it bounds, what a party answers when input goes
over it, and the clause or reference source that motivates it. Limits held as dataclass
defaults (``pex.Limits``, ``jsonld.CanonicalizationLimits``) have rows too, checked against
the dataclass. ``docs/LIMITS.md`` is rendered from the table (``markdown()``), ``nutssim
limits`` prints it, and ``tests/test_limits.py`` fails when a ``MAX_*`` constant of the
package is missing here, differs from its row, or the document is stale.

Bottom layer: this module imports nothing from nutssim, so any layer may import it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# -- wire: what a party reads from the network ----------------------------------------------------
#: The reference's inbound HTTP body limit (PROTOCOL.md §0).
MAX_BODY_BYTES = 1024 * 1024
#: Digits of the longest JSON integer: a Go peer decodes a number into a float64 (~1.8e308).
MAX_INTEGER_DIGITS = 309
#: Pairs of a form body and of a URL query: Go net/url urlmaxqueryparams (Go 1.24.12/1.25.6).
MAX_FORM_FIELDS = 10_000
MAX_QUERY_FIELDS = 10_000
#: Pairs of the Cookie headers of one request: Go net/http httpcookiemaxnum (Go 1.24.8/1.25.2).
MAX_COOKIE_PAIRS = 3_000
#: Values of an inbound JSON body, counted as its commas before parsing (simulator bound).
MAX_JSON_VALUES = 10_000
#: Redirects a browser follows for one navigation (Fetch §4.4 HTTP-redirect fetch: 20).
MAX_REDIRECTS = 20
#: The reference's maxJtiLength (PROTOCOL.md §0): bounds the DPoP jti replay store.
MAX_JTI_LENGTH = 256
#: The reference client's DefaultMaxHttpResponseSize for an AuthZEN PDP answer.
AUTHZEN_MAX_RESPONSE_BYTES = 1024 * 1024
#: What the simulated PDP reads of one AuthZEN request (§11.7 "reasonable protections").
AUTHZEN_MAX_REQUEST_BYTES = 256 * 1024
AUTHZEN_MAX_EVALUATIONS = 100
AUTHZEN_MAX_DEPTH = 32
#: OpenID4VCI authorization_details: attacker input in a URL (simulator bounds).
MAX_DETAILS = 8
MAX_DETAILS_CHARS = 4096
#: did:x509 x5c header: certificates and bytes per certificate (the reference has no bound).
MAX_CHAIN = 8
MAX_CERT_BYTES = 16384
#: What gunzip may produce of a status list's encodedList (a gzip bomb).
MAX_DECODED_BYTES = 16 * 1024 * 1024
#: Bitstring Status List statusSize (2**statusSize messages must be listed).
MAX_STATUS_SIZE = 8

# -- protocol: validity windows whose excess is refused -------------------------------------------
#: RFC021 §4.2.9 / §4.3.9: a VP is valid for at most 5 s (s2sMaxPresentationValidity).
RFC021_MAX_VALIDITY = 5
#: The reference's jarMaxValidity (PROTOCOL.md §0): exp − iat of a request object.
JAR_MAX_VALIDITY = 300

# -- work: what one evaluation may cost ------------------------------------------------------------
#: Characters of a regex in a PD filter selector's match()/search().
MAX_FILTER_PATTERN = 256
#: Strings longer than this never match a PD pattern (bounds backtracking).
MAX_INPUT_LENGTH = 2048
#: Resolved JSON-LD contexts kept per loader (inline contexts come off the wire).
MAX_CACHED_CONTEXTS = 256
#: Processed JSON-LD contexts and canonical N-Quads kept per loader (LRU; never a verification result).
MAX_PROCESSED_CONTEXTS = 512
MAX_CACHED_CANONICAL = 1024
#: Nesting of parentheses in a PaesslerAG/jsonpath filter selector (nuts-node reading).
MAX_PARENTHESES = 16
#: Latest exchange per label kept by a trace below the full level.
MAX_LATEST = 256
#: The reference's HTTP cache: longest lifetime (caching.go maxCacheTime) and size (ResponseCacheSize).
MAX_CACHE_TIME = 3600
CACHE_MAX_BYTES = 10 * 1024 * 1024
#: Deliveries of one run before the network stops it (a redirect or retry loop).
MAX_STEPS = 20_000

# -- tools: what one command or call may ask for --------------------------------------------------
TIMELAPSE_MAX_DAYS = 3660
MAX_RANGE_LEVELS = 100_000
MAX_SAMPLES = 5_000_000
MAX_CHUNK = 256
#: Nesting and count of tokens the token explainer decodes inside one message.
TOKENS_MAX_DEPTH = 8
MAX_TOKENS = 64
#: AuthZEN questions listed in a decision view.
MAX_ROWS = 100


@dataclass(frozen=True)
class Limit:
    """One row of the table: a bound, where it is enforced, and what going over it yields."""

    name: str  # the constant in this module, or the dataclass field
    value: int
    unit: str
    kind: str  # wire | protocol | work | tool
    bounds: str
    refusal: str  # the error or refusal a party (or command) answers with
    source: str  # the clause or reference source that motivates it; "nutssim" for our own choices
    where: str  # the binding that enforces it: module.NAME, or module.Class.field


def _row(name: str, unit: str, kind: str, bounds: str, refusal: str, source: str, where: str) -> Limit:
    return Limit(name, int(globals()[name]), unit, kind, bounds, refusal, source, where)


def _field(name: str, value: int, unit: str, bounds: str, refusal: str, source: str, where: str) -> Limit:
    return Limit(name, value, unit, "work", bounds, refusal, source, where)


_PEX = "nutssim.specs.pex.limits.Limits"
_PEX_REFUSAL = "pex.LimitExceeded (invalid presentation definition; the wallet/AS refuses the PD)"
_LD = "nutssim.specs.jsonld.CanonicalizationLimits"
_LD_REFUSAL = "jsonld.limit: 'JSON-LD document has N …; at most M are canonicalized' (before the signature)"
_LD_SOURCE = "RDF Dataset Canonicalization §4.8.3 (exponential in blank nodes); json-gold has no bound"

TABLE: tuple[Limit, ...] = (
    _row("MAX_BODY_BYTES", "bytes", "wire", "an inbound request body (UTF-8)",
         "413 invalid_request 'request body too large'",
         "nuts-node http/engine.go (middleware.BodyLimit; PROTOCOL.md §0)",
         "nutssim.parties.base.MAX_BODY_BYTES"),
    _row("MAX_FORM_FIELDS", "fields", "wire", "key=value pairs of an inbound form body",
         "400 invalid_request 'form body has more than MAX_FORM_FIELDS (10000) fields' (before parsing)",
         "Go net/url ParseQuery urlmaxqueryparams=10000 (CVE-2025-61726), used by echo's form binding",
         "nutssim.parties.field_limits.MAX_FORM_FIELDS"),
    _row("MAX_QUERY_FIELDS", "parameters", "wire", "key=value pairs of an inbound URL query",
         "400 invalid_request 'query has more than MAX_QUERY_FIELDS (10000) parameters' (before parsing)",
         "Go net/url ParseQuery urlmaxqueryparams=10000 (CVE-2025-61726)",
         "nutssim.parties.field_limits.MAX_QUERY_FIELDS"),
    _row("MAX_COOKIE_PAIRS", "pairs", "wire", "name=value pairs of an inbound request's Cookie headers",
         "400 invalid_request 'Cookie header has more than MAX_COOKIE_PAIRS (3000) pairs' (before parsing)",
         "Go net/http readCookies httpcookiemaxnum=3000 (CVE-2025-58186)",
         "nutssim.parties.field_limits.MAX_COOKIE_PAIRS"),
    _row("MAX_JSON_VALUES", "values", "wire", "members and elements of an inbound JSON body (commas + 1)",
         "400 invalid_request 'JSON body has more than MAX_JSON_VALUES (10000) values' (before parsing)",
         "simulator bound (the reference has none below the 1 MiB body limit); RFC 8259 §9 permits limits",
         "nutssim.parties.field_limits.MAX_JSON_VALUES"),
    _row("MAX_INTEGER_DIGITS", "digits", "wire", "an integer literal in wire JSON",
         "invalid JSON: 'integer with N digits (more than 309)'",
         "RFC 8259 §6 (interoperability: IEEE 754 double); Go encoding/json",
         "nutssim.messages.MAX_INTEGER_DIGITS"),
    _row("MAX_REDIRECTS", "redirects", "wire", "redirects a browser follows for one navigation",
         "the browser stops the navigation (Navigation.stopped_at 'too many redirects')",
         "WHATWG Fetch §4.4 HTTP-redirect fetch (20)", "nutssim.parties.browser.MAX_REDIRECTS"),
    _row("MAX_JTI_LENGTH", "bytes", "wire", "a DPoP proof's jti",
         "invalid_dpop_proof 'invalid DPoP token: jti claim too long'",
         "nuts-node crypto/dpop/dpop.go maxJtiLength; RFC 9449 §11.1",
         "nutssim.specs.rfc9449.MAX_JTI_LENGTH"),
    _row("AUTHZEN_MAX_RESPONSE_BYTES", "bytes", "wire", "a PDP's AuthZEN response read by a node",
         "'authzen: execute request: data to read exceeds max. safety limit of 1048576 bytes'",
         "nuts-node http/client/client.go DefaultMaxHttpResponseSize",
         "nutssim.specs.authzen.MAX_RESPONSE_BYTES"),
    _row("AUTHZEN_MAX_REQUEST_BYTES", "bytes", "wire", "an AuthZEN request a PDP reads",
         "413 bad_request 'request body over 262144 bytes (§11.7)'",
         "AuthZEN 1.0 §11.7 (nutssim's value)", "nutssim.specs.authzen.MAX_REQUEST_BYTES"),
    _row("AUTHZEN_MAX_EVALUATIONS", "evaluations", "wire", "evaluations in one AuthZEN batch",
         "400 bad_request 'too many evaluations: N (at most 100; §11.7)'",
         "AuthZEN 1.0 §11.7 (nutssim's value)", "nutssim.specs.authzen.MAX_EVALUATIONS"),
    _row("AUTHZEN_MAX_DEPTH", "levels", "wire", "JSON nesting of an AuthZEN request",
         "400 bad_request 'request nested N deep (at most 32; §11.7)'",
         "AuthZEN 1.0 §11.7 (nutssim's value)", "nutssim.specs.authzen.MAX_DEPTH"),
    _row("MAX_DETAILS", "objects", "wire", "OpenID4VCI authorization_details entries",
         "invalid_request 'authorization_details must be a JSON array of 1 to 8 objects'",
         "OpenID4VCI 1.0 §5.1.1 (nutssim's bound)", "nutssim.specs.openid4vci.MAX_DETAILS"),
    _row("MAX_DETAILS_CHARS", "characters", "wire", "the authorization_details parameter",
         "invalid_request 'authorization_details is too long'",
         "OpenID4VCI 1.0 §5.1.1 (nutssim's bound)", "nutssim.specs.openid4vci.MAX_DETAILS_CHARS"),
    _row("MAX_CHAIN", "certificates", "wire", "a did:x509 x5c header",
         "'did:x509 x5c certificate parsing: invalid x5c header'",
         "did:x509 method spec; nuts-node has no bound (nutssim's)", "nutssim.specs.did_x509.MAX_CHAIN"),
    _row("MAX_CERT_BYTES", "bytes", "wire", "one DER certificate of an x5c header",
         "'did:x509 x5c certificate parsing: …certificate too large'",
         "RFC 7515 §4.1.6 x5c; nutssim's bound", "nutssim.specs.did_x509.MAX_CERT_BYTES"),
    _row("MAX_DECODED_BYTES", "bytes", "wire", "a status list's gunzipped encodedList",
         "statuslist.encoding: the list is refused (fail open under nuts-node, closed under strict)",
         "StatusList2021 / Bitstring Status List §2.2 (gzip bomb; nutssim's)",
         "nutssim.specs.statuslist2021.MAX_DECODED_BYTES"),
    _row("MAX_STATUS_SIZE", "bits", "wire", "a Bitstring Status List entry's statusSize",
         "'statusSize above 8 is not supported (simulator bound)'",
         "Bitstring Status List v1.0 §2.1 (unbounded there)",
         "nutssim.specs.bitstring_status_list.MAX_STATUS_SIZE"),
    _row("RFC021_MAX_VALIDITY", "s", "protocol", "exp − nbf of a service-access VP",
         "invalid_request 'presentation is valid for too long (max 5s)'",
         "Nuts RFC021 §4.2.9, §4.3.9; auth/api/iam s2sMaxPresentationValidity",
         "nutssim.specs.nuts_rfc021.MAX_VALIDITY"),
    _row("JAR_MAX_VALIDITY", "s", "protocol", "exp − iat of a request object",
         "invalid_request_object 'request object is valid for N s, at most 300 s'",
         "RFC 9101 §10.2; nuts-node auth/api/iam jarMaxValidity", "nutssim.specs.rfc9101.MAX_VALIDITY"),
    _row("MAX_FILTER_PATTERN", "characters", "work", "a regex in a PD filter selector's match()/search()",
         "the match()/search() is false (RFC 9535 §2.4.6-7: an invalid I-Regexp does not match)",
         "RFC 9485 I-Regexp (nutssim's bound)", "nutssim.specs.pex.paths.MAX_FILTER_PATTERN"),
    _row("MAX_INPUT_LENGTH", "characters", "work", "a string a PD pattern is matched against",
         "no match (the field's filter fails, as an unfulfilled descriptor)",
         "DIF PE v2 §5.1 filter (nutssim's bound on backtracking)",
         "nutssim.specs.pex.regex.MAX_INPUT_LENGTH"),
    _row("MAX_CACHED_CONTEXTS", "contexts", "work", "resolved JSON-LD contexts kept per loader",
         "none: the oldest is evicted", "nutssim (inline contexts come off the wire)",
         "nutssim.specs.jsonld_cache.MAX_CACHED_CONTEXTS"),
    _row("MAX_PROCESSED_CONTEXTS", "contexts", "work", "processed JSON-LD contexts kept per loader",
         "none: the oldest is evicted", "nutssim (pyld re-processes every type-scoped context otherwise)",
         "nutssim.specs.jsonld_cache.MAX_PROCESSED_CONTEXTS"),
    _row("MAX_CACHED_CANONICAL", "documents", "work", "canonical N-Quads kept per loader (by JSON SHA-256)",
         "none: the oldest is evicted", "nutssim (canonical N-Quads are a pure function of the document)",
         "nutssim.specs.jsonld_cache.MAX_CACHED_CANONICAL"),
    _row("MAX_PARENTHESES", "levels", "wire", "parentheses nesting of a PaesslerAG filter selector",
         "the policy is refused at load (nesting over the bound)", "nutssim (a bound on recursion)",
         "nutssim.specs.pex.paessler.MAX_PARENTHESES"),
    _row("MAX_LATEST", "exchanges", "work", "latest exchanges per label kept below the full trace level",
         "none: the oldest label's exchange is dropped", "nutssim (trace levels, issue #23)",
         "nutssim.trace.MAX_LATEST"),
    _row("MAX_CACHE_TIME", "s", "work", "the lifetime of a cached HTTP response",
         "none: the entry expires sooner", "nuts-node http/client caching.go maxCacheTime; RFC 9111 §4.2",
         "nutssim.specs.rfc9111.MAX_CACHE_TIME"),
    _row("CACHE_MAX_BYTES", "bytes", "work", "a node's HTTP response cache",
         "none: the response is not cached, or older entries are evicted",
         "nuts-node http/config.go ResponseCacheSize", "nutssim.specs.rfc9111.MAX_BYTES"),
    _row("MAX_STEPS", "deliveries", "work", "deliveries of one run",
         "SimulationError 'run exceeded 20000 deliveries: a redirect or retry loop?'",
         "nutssim (a process that never ends)", "nutssim.network.MAX_STEPS"),
    _row("TIMELAPSE_MAX_DAYS", "days", "tool", "days of one time-lapse",
         "InputError 'days is N; give a whole number from 1 to 3660'", "nutssim (ten years)",
         "nutssim.timelapse.MAX_DAYS"),
    _row("MAX_RANGE_LEVELS", "levels", "tool", "levels of one sweep dimension",
         "InputError '<dimension> has N levels, more than 100,000'", "nutssim",
         "nutssim.sweep.spec.MAX_RANGE_LEVELS"),
    _row("MAX_SAMPLES", "samples", "tool", "samples of a random/LHS sweep design",
         "InputError 'a <kind> design needs samples: an integer from 1 to 5,000,000'",
         "nutssim (the Latin hypercube holds 4 bytes per sample and dimension)",
         "nutssim.sweep.designs.MAX_SAMPLES"),
    _row("MAX_CHUNK", "runs", "tool", "runs per sweep work chunk", "none: chunks are smaller",
         "nutssim", "nutssim.sweep.execute.MAX_CHUNK"),
    _row("TOKENS_MAX_DEPTH", "levels", "tool", "tokens nested in tokens the explainer decodes",
         "none: deeper tokens are not expanded", "nutssim", "nutssim.views.tokens.MAX_DEPTH"),
    _row("MAX_TOKENS", "tokens", "tool", "tokens the explainer decodes in one message",
         "none: the rest are not expanded", "nutssim", "nutssim.views.tokens.MAX_TOKENS"),
    _row("MAX_ROWS", "rows", "tool", "AuthZEN questions shown in a decision view",
         "none: the rest are not listed", "nutssim", "nutssim.views.decisions.MAX_ROWS"),
    # pex.Limits: what a presentation definition may cost (wallets evaluate any AS's PD).
    _field("max_document_depth", 48, "levels", "nesting of a PD document", _PEX_REFUSAL,
           "DIF PE v2 (nutssim's bound)", f"{_PEX}.max_document_depth"),
    _field("max_document_nodes", 50_000, "JSON values", "values of a PD document", _PEX_REFUSAL,
           "DIF PE v2 (nutssim's bound)", f"{_PEX}.max_document_nodes"),
    _field("max_input_descriptors", 64, "descriptors", "input descriptors of a PD", _PEX_REFUSAL,
           "DIF PE v2 §5 (nutssim's bound)", f"{_PEX}.max_input_descriptors"),
    _field("max_fields_per_descriptor", 64, "fields", "fields of one input descriptor", _PEX_REFUSAL,
           "DIF PE v2 §5.1 (nutssim's bound)", f"{_PEX}.max_fields_per_descriptor"),
    _field("max_paths_per_field", 16, "paths", "paths of one field", _PEX_REFUSAL,
           "DIF PE v2 §5.1 (nutssim's bound)", f"{_PEX}.max_paths_per_field"),
    _field("max_path_length", 256, "characters", "one JSONPath", _PEX_REFUSAL,
           "RFC 9535 (nutssim's bound)", f"{_PEX}.max_path_length"),
    _field("max_path_segments", 32, "segments", "segments of one JSONPath", _PEX_REFUSAL,
           "RFC 9535 §2.5 (nutssim's bound)", f"{_PEX}.max_path_segments"),
    _field("max_descendant_segments", 1, "segments", "'..' segments of one JSONPath", _PEX_REFUSAL,
           "RFC 9535 §2.5.2 (cost: each multiplies the nodes visited)", f"{_PEX}.max_descendant_segments"),
    _field("max_filter_nesting", 2, "levels", "filter selectors inside a filter's queries", _PEX_REFUSAL,
           "RFC 9535 §2.3.5 (nutssim's bound)", f"{_PEX}.max_filter_nesting"),
    _field("max_regex_length", 512, "characters", "one filter pattern", _PEX_REFUSAL,
           "JSON Schema pattern, ECMA-262 (nutssim's bound)", f"{_PEX}.max_regex_length"),
    _field("max_filter_depth", 16, "levels", "nesting of one field's JSON Schema filter", _PEX_REFUSAL,
           "JSON Schema 2020-12 (nutssim's bound)", f"{_PEX}.max_filter_depth"),
    _field("max_filter_nodes", 512, "JSON values", "values of one filter", _PEX_REFUSAL,
           "JSON Schema 2020-12 (nutssim's bound)", f"{_PEX}.max_filter_nodes"),
    _field("max_requirement_depth", 8, "levels", "from_nested submission requirements", _PEX_REFUSAL,
           "DIF PE v2 §5.2 (nutssim's bound)", f"{_PEX}.max_requirement_depth"),
    _field("max_submission_entries", 256, "entries", "descriptor_map entries of a submission",
           "pex.LimitExceeded (invalid presentation submission)", "DIF PE v2 §6 (nutssim's bound)",
           f"{_PEX}.max_submission_entries"),
    _field("max_nested_path_depth", 4, "levels", "path_nested levels of one descriptor_map entry",
           "pex.LimitExceeded (invalid presentation submission)", "DIF PE v2 §6.1 (nutssim's bound)",
           f"{_PEX}.max_nested_path_depth"),
    # jsonld.CanonicalizationLimits: checked cheapest first, before any hashing.
    _field("max_json_values", 1_000, "JSON values", "a JSON-LD document as received", _LD_REFUSAL,
           _LD_SOURCE, f"{_LD}.max_json_values"),
    _field("max_depth", 32, "levels", "nesting of a JSON-LD document as received", _LD_REFUSAL,
           _LD_SOURCE, f"{_LD}.max_depth"),
    _field("max_quads", 2_000, "quads", "RDF quads after expansion", _LD_REFUSAL, _LD_SOURCE,
           f"{_LD}.max_quads"),
    _field("max_blank_nodes", 64, "blank nodes", "distinct blank nodes of the dataset", _LD_REFUSAL,
           _LD_SOURCE, f"{_LD}.max_blank_nodes"),
    _field("max_work", 2_000, "steps", "Hash N-Degree Quads calls + permutations of URDNA2015", _LD_REFUSAL,
           _LD_SOURCE, f"{_LD}.max_work"),
)  # fmt: skip

#: ``MAX_*`` names of the package that are not limits (a header value, a route set), and why.
NOT_LIMITS: dict[str, str] = {
    "nutssim.parties.core.MAX_AGE": "the Cache-Control value the reference sends (max-age=300), not a bound",
    "nutssim.parties.core.MAX_AGE_ROUTES": "the routes that send that Cache-Control header",
    "nutssim.specs.go_text.MAX_DEPTH": (
        "Go encoding/json's maxNestingDepth, modelled to word a DPoP header's syntax error as Go does; "
        "it bounds no work of nutssim's (the header is within MAX_BODY_BYTES, scanned once)"
    ),
}

COLUMNS = ("name", "value", "unit", "kind", "bounds", "refusal", "source", "where")


def rows() -> list[dict[str, Any]]:
    """The table as JSON-ready dicts, in table order."""
    return [asdict(limit) for limit in TABLE]


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|")


def markdown() -> str:
    """``docs/LIMITS.md``: the table, one section per kind (``tests/test_limits.py`` keeps it current)."""
    lines = [
        "# Limits",
        "",
        "Every parser, wire and work limit of nutssim, generated from `nutssim/limits.py`",
        "(`nutssim limits` prints the same table; `nutssim limits --format json` its rows).",
        "Edit the table there, then run `python -m nutssim limits --format markdown --out docs/LIMITS.md`;",
        "`tests/test_limits.py` fails when this file, the table or a `MAX_*` constant disagree.",
        "Values are nutssim's unless *source* names a reference file or a clause that sets them.",
        "",
    ]
    titles = {
        "wire": "Wire: what a party reads from the network",
        "protocol": "Protocol: validity windows whose excess is refused",
        "work": "Work: what one evaluation may cost",
        "tool": "Tools: what one command or call may ask for",
    }
    for kind, title in titles.items():
        lines += [f"## {title}", "", "| limit | value | bounds | over it | source | enforced at |"]
        lines += ["| --- | --- | --- | --- | --- | --- |"]
        for limit in (row for row in TABLE if row.kind == kind):
            lines.append(
                f"| `{limit.name}` | {limit.value:,} {limit.unit} | {_cell(limit.bounds)} | "
                f"{_cell(limit.refusal)} | {_cell(limit.source)} | `{limit.where}` |"
            )
        lines.append("")
    return "\n".join(lines)


def text() -> str:
    """The table as aligned plain text, one limit a line (``nutssim limits``)."""
    width = max(len(limit.name) for limit in TABLE)
    lines = []
    for limit in TABLE:
        lines.append(f"{limit.name:<{width}}  {limit.value:>12,} {limit.unit:<12} {limit.bounds}")
        lines.append(f"{'':<{width}}  over it: {limit.refusal}")
        lines.append(f"{'':<{width}}  source: {limit.source}; at {limit.where}")
    return "\n".join(lines) + "\n"
