"""AuthZEN Authorization API 1.0: Access Evaluation(s) requests and responses, both sides.

The PEP side builds the batch request the reference sends (``policy/authzen/types.go``,
``policy/scope_granter.go authzenScopeEvaluator.EvaluateScopes``) and reads a PDP's answer
either as the reference's client does (``policy/authzen/client.go Client.Evaluate``: Go's
lenient ``encoding/json``) or as the specification prescribes (``reference=False``). The PDP
side parses evaluation(s) requests (§6.1, §7.1, defaults §7.1.1, semantics §7.1.2.1) and
builds the answers (§6.2, §7.2). Everything is total: hostile bodies become an
``AuthZenError`` with a kind and a message, never another exception.

Where the two readings differ (``reference=True`` is the nuts-node client at d2ad162):

- URL: the reference concatenates ``endpoint + "/access/v1/evaluations"`` (a trailing ``/``
  doubles); §10.1 appends the default path to the PDP's base URL.
- Duplicate resource ids: the reference refuses them before sending ("duplicate resource ID
  in request"); AuthZEN allows them, answers correlate by index (§7.2).
- The answer's body: the reference reads the first JSON value and ignores trailing bytes,
  matches keys case-insensitively, reads ``null`` or a missing ``decision`` as ``false`` and
  ignores unknown keys (Go ``encoding/json``); AuthZEN wants the whole body one JSON object
  (§10.1.1), ``decision`` a REQUIRED boolean (§5.5), member names unique (§11.5).
- The answer's Content-Type: unchecked by the reference; ``application/json`` (§10.1).
- Fewer answers than evaluations: the reference fails ("expected N evaluations, got M");
  AuthZEN allows it only as the short-circuit of ``deny_on_first_deny`` or
  ``permit_on_first_permit`` (§7.1.2.1), the rest denied (§7.2.1).
- A body over 1 MiB: refused by the reference's HTTP client (``http/client/client.go
  limitedReadAll``); AuthZEN §11.7 says to protect; the same bound is kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nutssim.errors import ProtocolError
from nutssim.limits import AUTHZEN_MAX_DEPTH as MAX_DEPTH
from nutssim.limits import AUTHZEN_MAX_EVALUATIONS as MAX_EVALUATIONS
from nutssim.limits import AUTHZEN_MAX_REQUEST_BYTES as MAX_REQUEST_BYTES
from nutssim.limits import AUTHZEN_MAX_RESPONSE_BYTES as MAX_RESPONSE_BYTES
from nutssim.messages import JSON, HttpRequest, HttpResponse, parse_json

EVALUATION_PATH = "/access/v1/evaluation"  # §10.1 table "API Endpoint Overview"
EVALUATIONS_PATH = "/access/v1/evaluations"  # client.go evaluationsPath
SEMANTICS = ("execute_all", "deny_on_first_deny", "permit_on_first_permit")  # §7.1.2.1
DEFAULT_SEMANTIC = "execute_all"


class AuthZenError(ProtocolError):
    """An AuthZEN exchange failed; ``kind`` says how, ``status`` is the HTTP status a PDP answers.

    Kinds: ``bad_request`` (a PDP refusing a request, §10.1.2 400), ``duplicate_resource``,
    ``transport``, ``http_status``, ``decode``, ``count_mismatch`` (a PEP refusing an answer).
    """

    def __init__(self, kind: str, message: str, *, status: int = 400) -> None:
        super().__init__(message, check=f"authzen.{kind}")
        self.kind = kind
        self.status = status


# -- the PEP side: what the reference sends ---------------------------------------------------------
def scope_evaluations_request(
    subject_did: str, claims: Mapping[str, Any], profile_scope: str, scopes: Sequence[str]
) -> dict[str, Any]:
    """The batch request of ``scope_granter.go authzenScopeEvaluator.EvaluateScopes``, in wire order.

    Key order is Go's: struct fields as declared in ``types.go`` (subject, action, context,
    evaluations); the claims map sorted by key, as Go marshals a map. ``properties.organization``
    is left out when the claims are empty (``omitempty``) while ``properties`` itself stays.
    """
    properties: dict[str, Any] = {}
    if claims:  # types.go SubjectProperties: Organization `json:"organization,omitempty"`
        properties["organization"] = _go_sorted(dict(claims))
    return {
        "subject": {"type": "organization", "id": subject_did, "properties": properties},
        "action": {"name": "request_scope"},
        "context": {"policy": profile_scope},
        "evaluations": [{"resource": {"type": "scope", "id": s}} for s in scopes],
    }


def _go_sorted(value: Any) -> Any:
    """Sort every map's keys, as Go's encoding/json writes a ``map[string]any``."""
    if isinstance(value, dict):
        return {k: _go_sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_go_sorted(v) for v in value]
    return value


def go_json(value: Any) -> str:
    """Serialise as Go's ``json.Marshal`` does for these shapes: compact, UTF-8, HTML-escaped.

    Go escapes ``<``, ``>``, ``&``, U+2028 and U+2029 (``encoding/json`` HTMLEscape). Not
    reproduced: Go's float formatting and its ``\\u0008``/``\\u000c`` for ``\\b``/``\\f``.
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def evaluations_url(endpoint: str, *, reference: bool = True) -> str:
    """Where the batch is POSTed: ``client.go`` concatenates; §10.1 appends the path to a base URL."""
    if reference:
        return endpoint + EVALUATIONS_PATH
    return endpoint.rstrip("/") + EVALUATIONS_PATH


def evaluations_http_request(
    endpoint: str, request: Mapping[str, Any], *, reference: bool = True
) -> HttpRequest:
    """The POST the reference's client sends (``client.go Client.Evaluate``), after its duplicate check."""
    if reference:
        check_unique_resources(request)
    headers = (("Content-Type", JSON), ("Accept", JSON))  # client.go; §10.1 requires Content-Type
    return HttpRequest("POST", evaluations_url(endpoint, reference=reference), headers, go_json(request))


def check_unique_resources(request: Mapping[str, Any]) -> None:
    """``client.go``: duplicate resource ids would collapse the scope → decision map, so refuse them."""
    seen: set[str] = set()
    for item in request.get("evaluations") or ():
        resource_id = str(((item or {}).get("resource") or {}).get("id", ""))
        if resource_id in seen:
            raise AuthZenError(
                "duplicate_resource", f"authzen: duplicate resource ID in request: {resource_id}"
            )
        seen.add(resource_id)


# -- the PEP side: reading the answer --------------------------------------------------------------
@dataclass(frozen=True)
class Decision:
    """One evaluation's answer (§5.5): the decision and its optional context."""

    decision: bool
    context: Mapping[str, Any] | None = None

    @property
    def reason(self) -> str:
        """``context.reason`` when it is a string (types.go EvaluationResultContext), else ``""``."""
        value = (self.context or {}).get("reason")
        return value if isinstance(value, str) else ""


def read_evaluations_response(
    response: HttpResponse, expected: int, *, reference: bool = True, semantic: str = DEFAULT_SEMANTIC
) -> tuple[Decision, ...]:
    """The decisions of a batch answer, in request order; ``AuthZenError`` when the answer is unusable.

    ``reference=True`` follows ``client.go Client.Evaluate`` step by step; ``False`` follows
    AuthZEN 1.0 §7.2 and §10.1, where a short-circuited batch leaves the rest denied (§7.2.1).
    """
    network = response.header("X-Nutssim-Network")
    if network is not None:  # no answer came: the client's Do failed
        raise AuthZenError("transport", f"authzen: execute request: {network}", status=502)
    if len(response.body.encode("utf-8", "surrogatepass")) > MAX_RESPONSE_BYTES:
        raise AuthZenError(
            "transport",
            f"authzen: execute request: data to read exceeds max. safety limit of {MAX_RESPONSE_BYTES} bytes",
            status=502,
        )
    if response.status != 200:  # core.TestResponseCode
        raise AuthZenError(
            "http_status",
            f"authzen: PDP call failed: server returned HTTP {response.status} (expected: 200)",
            status=502,
        )
    if reference:
        decisions = _go_decode(response.body)
        if len(decisions) != expected:
            raise AuthZenError(
                "count_mismatch",
                f"authzen: expected {expected} evaluations, got {len(decisions)}",
                status=502,
            )
        return decisions
    return _strict_decode(response, expected, semantic)


# Go's encoding/json into EvaluationsResponse: the few rules that decide what it accepts.
def _go_decode(body: str) -> tuple[Decision, ...]:
    """Decode as ``json.NewDecoder(body).Decode(&EvaluationsResponse{})`` would (client.go)."""
    try:
        value, _ = json.JSONDecoder(parse_constant=_refuse_constant).raw_decode(body.lstrip(" \t\r\n"))
    except (ValueError, RecursionError) as exc:
        raise AuthZenError(
            "decode", f"authzen: decode response: {_go_syntax_error(body, exc)}", status=502
        ) from None
    if value is None:  # null into a struct is a no-op: no evaluations
        return ()
    if not isinstance(value, dict):
        raise _go_type_error(value, "", "authzen.EvaluationsResponse")
    items = _go_field(value, "evaluations")
    if items is None:
        return ()
    if not isinstance(items, list):
        raise _go_type_error(items, "EvaluationsResponse.evaluations", "[]authzen.EvaluationResult")
    return tuple(_go_result(item) for item in items)


def _go_result(item: Any) -> Decision:
    if item is None:
        return Decision(False)
    if not isinstance(item, dict):
        raise _go_type_error(item, "EvaluationsResponse.evaluations", "authzen.EvaluationResult")
    decision = _go_field(item, "decision")
    if decision is not None and not isinstance(decision, bool):
        raise _go_type_error(decision, "EvaluationResult.evaluations.decision", "bool")
    context = _go_field(item, "context")
    if context is not None and not isinstance(context, dict):
        raise _go_type_error(
            context, "EvaluationResult.evaluations.context", "authzen.EvaluationResultContext"
        )
    reason = _go_field(context, "reason") if isinstance(context, dict) else None
    if reason is not None and not isinstance(reason, str):
        raise _go_type_error(reason, "EvaluationResultContext.evaluations.context.reason", "string")
    kept = {"reason": reason} if reason else ({} if context is not None else None)
    return Decision(bool(decision), kept)


def _go_field(obj: Mapping[str, Any], name: str) -> Any:
    """Go matches JSON keys to struct fields case-insensitively; a later key wins."""
    found = None
    for key, value in obj.items():
        if key.lower() == name:
            found = value
    return found


def _go_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _go_type_error(value: Any, field: str, target: str) -> AuthZenError:
    where = f"Go struct field {field}" if field else "Go value"
    return AuthZenError(
        "decode",
        f"authzen: decode response: json: cannot unmarshal {_go_kind(value)} into {where} of type {target}",
        status=502,
    )


def _go_syntax_error(body: str, exc: Exception) -> str:
    if not body.strip():
        return "EOF"
    return f"invalid character in JSON ({exc})"  # Go names the character; we keep Python's reason


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _strict_decode(response: HttpResponse, expected: int, semantic: str) -> tuple[Decision, ...]:
    """AuthZEN 1.0 §10.1 (status, media type, one JSON object) and §7.2 (one Decision per request)."""
    if response.content_type != JSON:
        raise AuthZenError(
            "decode",
            f"answer Content-Type is {response.content_type!r}, not application/json (§10.1)",
            status=502,
        )
    value = _strict_json(response.body, status=502, kind="decode")
    items = value.get("evaluations")
    if not isinstance(items, list):
        raise AuthZenError("decode", "answer has no evaluations array (§7.2)", status=502)
    decisions = tuple(_strict_decision(item, i) for i, item in enumerate(items))
    _check_count(decisions, expected, semantic)
    # §7.2.1: decisions default to closed, so a short-circuited rest is denied.
    return decisions + tuple(Decision(False) for _ in range(expected - len(decisions)))


def _strict_decision(item: Any, index: int) -> Decision:
    if not isinstance(item, dict) or not isinstance(item.get("decision"), bool):
        raise AuthZenError(
            "decode", f"evaluations[{index}]: a Decision needs a boolean decision (§5.5)", status=502
        )
    context = item.get("context")
    if context is not None and not isinstance(context, dict):
        raise AuthZenError("decode", f"evaluations[{index}]: context must be an object (§5.5)", status=502)
    return Decision(item["decision"], context)


def _check_count(decisions: tuple[Decision, ...], expected: int, semantic: str) -> None:
    """§7.2: one answer per request; §7.1.2.1: fewer only when the last one short-circuits."""
    got = len(decisions)
    if got == expected:
        return
    stop = {"deny_on_first_deny": False, "permit_on_first_permit": True}.get(semantic)
    short = (
        stop is not None
        and 0 < got < expected
        and decisions[-1].decision is stop
        and all(d.decision is not stop for d in decisions[:-1])
    )
    if not short:
        raise AuthZenError(
            "count_mismatch", f"expected {expected} evaluations, got {got} (§7.2, {semantic})", status=502
        )


def _strict_json(body: str, *, status: int, kind: str) -> dict[str, Any]:
    """One JSON object, nothing after it, unique member names (§10.1.1, §11.5 I-JSON)."""
    try:
        value = json.loads(body, object_pairs_hook=_unique_members, parse_constant=_refuse_constant)
        parse_json(body)  # RFC 8259 §6/§8.2 as the rest of nutssim reads it (1e400, lone surrogates)
    except (ValueError, RecursionError) as exc:
        raise AuthZenError(kind, f"body is not JSON (§10.1.1): {exc}", status=status) from None
    if not isinstance(value, dict):
        raise AuthZenError(kind, "the top-level element must be a JSON object (§10.1.1)", status=status)
    return value


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [k for k, _ in pairs]
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        raise ValueError(f"member name {duplicate!r} is not unique (§11.5, RFC 7493 §2.3)")
    return dict(pairs)


# -- the PDP side ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evaluation:
    """One resolved evaluation (§6.1): subject, action, resource and an optional context."""

    subject: Mapping[str, Any]
    action: Mapping[str, Any]
    resource: Mapping[str, Any]
    context: Mapping[str, Any] | None = None

    def as_input(self) -> dict[str, Any]:
        """The evaluation as one JSON object (the input a policy engine reads)."""
        out: dict[str, Any] = {
            "subject": dict(self.subject),
            "action": dict(self.action),
            "resource": dict(self.resource),
        }
        if self.context is not None:
            out["context"] = dict(self.context)
        return out


@dataclass(frozen=True)
class EvaluationsRequest:
    """A parsed batch (§7.1): the resolved evaluations, the semantic, and whether it was a batch."""

    evaluations: tuple[Evaluation, ...]
    semantic: str = DEFAULT_SEMANTIC
    batch: bool = True  # False: no (or an empty) evaluations array, answered as §6.2


def parse_evaluation_request(body: str, content_type: str = JSON) -> Evaluation:
    """A single Access Evaluation request (§6.1); ``AuthZenError`` (400) when it is not one."""
    value = _request_object(body, content_type)
    return _evaluation(value, {}, "")


def parse_evaluations_request(
    body: str, content_type: str = JSON, *, max_evaluations: int = MAX_EVALUATIONS
) -> EvaluationsRequest:
    """An Access Evaluations request (§7.1) with its defaults applied (§7.1.1)."""
    value = _request_object(body, content_type)
    items = value.get("evaluations")
    semantic = _semantic(value.get("options"))
    if items is None or items == []:  # §7.1: behaves as a single Access Evaluation request
        return EvaluationsRequest((_evaluation(value, {}, ""),), semantic, batch=False)
    if not isinstance(items, list):
        raise AuthZenError("bad_request", "evaluations must be an array (§7.1)")
    if len(items) > max_evaluations:
        raise AuthZenError(
            "bad_request", f"too many evaluations: {len(items)} (at most {max_evaluations}; §11.7)"
        )
    defaults: dict[str, Any] = {
        k: value[k] for k in ("subject", "action", "resource", "context") if k in value
    }
    resolved = tuple(_evaluation(item, defaults, f"evaluations[{i}]") for i, item in enumerate(items))
    return EvaluationsRequest(resolved, semantic)


def _request_object(body: str, content_type: str) -> dict[str, Any]:
    if content_type != JSON:  # §10.1: requests MUST carry Content-Type application/json
        raise AuthZenError("bad_request", f"Content-Type must be application/json, not {content_type!r}")
    if len(body.encode("utf-8", "surrogatepass")) > MAX_REQUEST_BYTES:
        raise AuthZenError("bad_request", f"request body over {MAX_REQUEST_BYTES} bytes (§11.7)", status=413)
    value = _strict_json(body, status=400, kind="bad_request")
    depth = _depth(value)
    if depth > MAX_DEPTH:
        raise AuthZenError("bad_request", f"request nested {depth} deep (at most {MAX_DEPTH}; §11.7)")
    return value


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest (iteratively: a hostile body cannot exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in item)
    return deepest


def _semantic(options: Any) -> str:
    if options is None:
        return DEFAULT_SEMANTIC
    if not isinstance(options, dict):
        raise AuthZenError("bad_request", "options must be an object (§7.1.2)")
    semantic = options.get("evaluations_semantic", DEFAULT_SEMANTIC)
    if semantic not in SEMANTICS:
        raise AuthZenError(
            "bad_request",
            f"unknown evaluations_semantic {semantic!r} (one of {', '.join(SEMANTICS)}; §7.1.2.1)",
        )
    return str(semantic)


def _evaluation(item: Any, defaults: Mapping[str, Any], where: str) -> Evaluation:
    """§7.1.1: a key in the evaluation overrides the top-level default, whole."""
    prefix = f"{where}: " if where else ""
    if not isinstance(item, dict):
        raise AuthZenError("bad_request", f"{prefix}an evaluation must be an object (§7.1)")
    merged = {**defaults, **{k: item[k] for k in ("subject", "action", "resource", "context") if k in item}}
    subject = _entity(merged.get("subject"), "subject", ("type", "id"), prefix, "§5.1")
    action = _entity(merged.get("action"), "action", ("name",), prefix, "§5.3")
    resource = _entity(merged.get("resource"), "resource", ("type", "id"), prefix, "§5.2")
    context = merged.get("context")
    if context is not None and not isinstance(context, dict):
        raise AuthZenError("bad_request", f"{prefix}context must be an object (§5.4)")
    return Evaluation(subject, action, resource, context)


def _entity(value: Any, name: str, required: tuple[str, ...], prefix: str, ref: str) -> dict[str, Any]:
    """A Subject, Action or Resource: required string keys, optional ``properties`` object."""
    if not isinstance(value, dict):
        raise AuthZenError(
            "bad_request", f"{prefix}{name} is required and must be an object ({ref}, §10.1.1)"
        )
    for key in required:
        if not isinstance(value.get(key), str):
            raise AuthZenError(
                "bad_request", f"{prefix}{name}.{key} is required and must be a string ({ref})"
            )
    properties = value.get("properties")
    if properties is not None and not isinstance(properties, dict):
        raise AuthZenError("bad_request", f"{prefix}{name}.properties must be an object ({ref})")
    return dict(value)


def decision_body(decision: Decision) -> dict[str, Any]:
    """A Decision as JSON (§5.5): ``decision``, and ``context`` when there is one."""
    out: dict[str, Any] = {"decision": decision.decision}
    if decision.context is not None:
        out["context"] = dict(decision.context)
    return out


def evaluations_body(decisions: Sequence[Decision]) -> dict[str, Any]:
    """A batch answer (§7.2): the decisions in request order."""
    return {"evaluations": [decision_body(d) for d in decisions]}


def error_decision(status: int, message: str) -> Decision:
    """An evaluation that failed (§7.2.1): closed, with ``context.error`` {status, message}."""
    return Decision(False, {"error": {"status": status, "message": message}})


def stops_after(semantic: str, decision: bool) -> bool:
    """Whether a batch under ``semantic`` stops after this decision (§7.1.2.1)."""
    return (semantic == "deny_on_first_deny" and not decision) or (
        semantic == "permit_on_first_permit" and decision
    )
