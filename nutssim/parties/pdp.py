"""A policy decision point: the AuthZEN Access Evaluation API over user-editable Rego policies.

The reference's ``dynamic`` scope policy asks a PDP at ``{endpoint}/access/v1/evaluations``
(``policy/authzen/client.go``); GF Authorization says policies SHALL be Rego, and the
reference stack (nuts-knooppunt) runs OPA. This party serves both AuthZEN endpoints
(AuthZEN 1.0 §6, §7; the reference uses only the batch one) and decides each evaluation with
a real Rego engine (``regopy``, the rego-cpp runtime of the OPA Rego language).

The policy contract: the Rego files declare ``package nuts.authzen`` (or the package given)
with a boolean rule ``allow`` and optionally a string rule ``reason``; ``input`` is one resolved
evaluation (``subject``, ``action``, ``resource``, ``context``). An undefined ``allow`` denies
(decisions default to closed, §7.2.1). A Rego evaluation that errors answers that evaluation
with ``decision: false`` and ``context.error`` (§7.2.1), a single evaluation with HTTP 500
(§10.1.2). Policies are read once; built-ins whose answer depends on the wall clock, chance or
the outside world are refused at load, so the same seed gives the same decisions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nutssim.errors import ComponentMissing, InputError
from nutssim.messages import HttpRequest, HttpResponse, json_response, text_response
from nutssim.parties.base import Context, Party
from nutssim.specs import authzen

DEFAULT_PACKAGE = "nuts.authzen"
#: Built-ins that read the wall clock, randomness or the network: a run would not repeat.
NONDETERMINISTIC = (
    "time.now_ns",
    "rand.intn",
    "uuid.rfc4122",
    "opa.runtime",
    "http.send",
    "net.lookup_ip_addr",
    "io.jwt.decode_verify",  # checks exp/nbf against the wall clock unless told a time
)
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)", re.MULTILINE)
_PACKAGE_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_ERROR = re.compile(r"\(error (\d+):")
_MESSAGE = re.compile(r"\(errormsg (\d+):")


class RegoPolicyError(InputError):
    """A Rego policy file cannot be used; ``where`` names the file (and line:column)."""


class RegoUnavailable(ComponentMissing):
    """The Rego engine (``regopy``) cannot be imported here (Pyodide, a build without it)."""


def _regopy() -> Any:
    """The ``regopy`` module, or a one-line ``RegoUnavailable`` naming what is missing (issue #24)."""
    try:
        import regopy
    except ImportError as exc:
        raise RegoUnavailable(
            f"Rego policies need regopy (the rego-cpp runtime), which cannot be imported here ({exc}); "
            "the PDP scenarios (s2s-dynamic-scope, user-dynamic-scope) run on "
            "CPython only (pip install regopy)"
        ) from None
    return regopy


@dataclass(frozen=True)
class RegoDecision:
    """One evaluation of the policy: allow, an optional reason, or the error that stopped it."""

    allow: bool
    reason: str = ""
    error: str = ""
    undefined: bool = False


class RegoPolicy:
    """Rego modules compiled once; ``evaluate`` answers one AuthZEN evaluation."""

    def __init__(
        self,
        sources: Mapping[str, str],
        *,
        package: str = DEFAULT_PACKAGE,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        if not sources:
            raise RegoPolicyError("no Rego policy given", hint="pass at least one .rego file")
        if not _PACKAGE_NAME.match(package):
            raise RegoPolicyError(f"{package!r} is not a Rego package name", hint="e.g. 'nuts.authzen'")
        self.sources = dict(sources)
        self.package = package
        self.data = dict(data or {})
        for name, text in self.sources.items():
            _refuse_nondeterminism(name, text)
        if not any(package in _PACKAGE.findall(text) for text in self.sources.values()):
            raise RegoPolicyError(
                f"no file declares package {package}",
                where=", ".join(self.sources),
                hint=f"start the policy with 'package {package}'",
            )
        self._allow = self._build(f"allow := data.{package}.allow")
        self._reason = self._build(f"reason := data.{package}.reason")

    @classmethod
    def from_files(cls, *paths: str | Path, package: str = DEFAULT_PACKAGE) -> RegoPolicy:
        """Load ``.rego`` files (their names become the module names in error messages)."""
        sources = {}
        for path in map(Path, paths):
            try:
                sources[path.name] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise RegoPolicyError(f"cannot read the Rego file: {exc}", where=str(path)) from None
        return cls(sources, package=package)

    @classmethod
    def from_directory(cls, path: str | Path, package: str = DEFAULT_PACKAGE) -> RegoPolicy:
        """Load every ``*.rego`` of a directory in lexical order."""
        directory = Path(path)
        if not directory.is_dir():
            raise RegoPolicyError("not a directory", where=str(directory))
        return cls.from_files(*sorted(directory.glob("*.rego")), package=package)

    def _interpreter(self) -> Any:
        regopy = _regopy()
        RegoError = regopy.RegoError  # the library's class name

        rego = regopy.Interpreter()
        rego.log_level = regopy.LogLevel.NONE  # else rego-cpp prints parse errors on stdout
        for name, text in self.sources.items():
            try:
                rego.add_module(name, text)
            except RegoError as exc:
                raise RegoPolicyError(_compile_error(str(exc), self.sources), where=name) from None
        if self.data:
            rego.add_data(self.data)
        return rego

    def _build(self, query: str) -> Any:
        RegoError = _regopy().RegoError  # the library's class name

        rego = self._interpreter()
        try:
            bundle = rego.build(query)
        except RegoError as exc:
            raise RegoPolicyError(
                _compile_error(str(exc), self.sources), where=", ".join(self.sources)
            ) from None
        if not bundle.ok():
            raise RegoPolicyError("the policy does not compile", where=", ".join(self.sources))
        return bundle

    def evaluate(self, document: Mapping[str, Any]) -> RegoDecision:
        """Evaluate ``allow`` (and ``reason``) with ``document`` as ``input``; a Rego error is data."""
        allow, error, found = self._query(self._allow, "allow", document)
        if error:
            return RegoDecision(False, error=error)
        if found and not isinstance(allow, bool):
            return RegoDecision(
                False, error=f"data.{self.package}.allow is {type(allow).__name__}, not a boolean"
            )
        reason, _, _ = self._query(self._reason, "reason", document)
        return RegoDecision(allow is True, reason if isinstance(reason, str) else "", undefined=not found)

    def _query(self, bundle: Any, name: str, document: Mapping[str, Any]) -> tuple[Any, str, bool]:
        regopy = _regopy()
        RegoError = regopy.RegoError  # the library's class name

        rego = regopy.Interpreter()
        rego.log_level = regopy.LogLevel.NONE
        # OPA's default turns a failing built-in (1 / 0) into "undefined", i.e. a silent deny;
        # surfacing it makes a broken policy visible as an error answer (§7.2.1).
        rego.strict_built_in_errors = True
        try:
            rego.set_input(dict(document))
            output = rego.query_bundle(bundle)
        except (RegoError, ValueError, TypeError) as exc:
            return None, f"Rego evaluation failed: {str(exc).splitlines()[0] if str(exc) else exc}", False
        if not output.ok():
            return None, f"Rego evaluation failed: {_runtime_error(output)}", False
        bindings = output.results[0].bindings if output.results else {}
        return bindings.get(name), "", name in bindings


def _refuse_nondeterminism(name: str, text: str) -> None:
    """Refuse a built-in that would make a run unrepeatable (ARCHITECTURE principle 6)."""
    for number, line in enumerate(text.splitlines(), 1):
        code = _code_only(line)
        for builtin in NONDETERMINISTIC:
            if re.search(rf"(?<![\w.]){re.escape(builtin)}(?!\w)", code):
                raise RegoPolicyError(
                    f"built-in {builtin} makes decisions unrepeatable",
                    where=f"{name}:{number}",
                    hint="pass the time or other outside facts in the AuthZEN context instead",
                )


def _code_only(line: str) -> str:
    """The line without its ``#`` comment and with string contents blanked (``"…"`` and `` `…` ``)."""
    out, quote = [], ""
    for i, char in enumerate(line):
        if quote:
            if char == quote and (quote == "`" or line[i - 1] != "\\"):
                quote = ""
            continue
        if char in '"`':
            quote = char
        elif char == "#":
            break
        else:
            out.append(char)
    return "".join(out)


def _compile_error(text: str, sources: Mapping[str, str]) -> str:
    """rego-cpp's error s-expression → "file:line:column: message" for the first error."""
    error, message = _ERROR.search(text), _MESSAGE.search(text)
    if not error or not message:
        return (text.strip().splitlines() or ["the policy does not compile"])[0]
    start = error.end()
    file = text[start : start + int(error.group(1))]
    where = re.match(r"\|(\d+)\|", text[start + int(error.group(1)) :])
    msg = text[message.end() : message.end() + int(message.group(1))]
    if where is None or file not in sources:
        return msg
    offset = int(where.group(1))
    before = sources[file][:offset]
    line, column = before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1
    return f"{file}:{line}:{column}: {msg}"


def _runtime_error(output: Any) -> str:
    """The messages of a failed evaluation (rego-cpp reports them as an error node)."""
    try:
        node = output.node()
        texts = []
        for i in range(len(node._children)):
            found = _MESSAGE.search(node.at(i).json())
            if found:
                start = found.end()
                texts.append(node.at(i).json()[start : start + int(found.group(1))])
        return "; ".join(texts) or "error"
    except Exception:  # the error node is rego-cpp's internal shape: never let it crash a run
        return "error"


class PolicyDecisionPoint(Party):
    """An AuthZEN PDP on the simulated network, deciding with Rego."""

    role = "pdp"

    def __init__(self, id: str, name: str, host: str, policy: RegoPolicy) -> None:
        super().__init__(id, name, host)
        self.policy = policy
        #: When False the PDP answers 503 (a fault: the PDP is down).
        self.online = True
        self.route("POST", authzen.EVALUATIONS_PATH, self.evaluations, "AuthZEN access evaluations")
        self.route("POST", authzen.EVALUATION_PATH, self.evaluation, "AuthZEN access evaluation")

    @property
    def endpoint(self) -> str:
        """The base URL a PEP is configured with (``policy.authzen.endpoint``)."""
        return self.host

    def evaluations(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        """POST /access/v1/evaluations (AuthZEN 1.0 §7): every evaluation decided by the Rego policy."""
        if not self.online:
            return text_response(503, "policy decision point unavailable")
        try:
            batch = authzen.parse_evaluations_request(request.body, request.content_type)
        except authzen.AuthZenError as exc:
            ctx.check("pdp.request", "AuthZEN 1.0 §7.1; §10.1.2", False, str(exc))
            return self._error(request, exc.status, str(exc))
        ctx.check(
            "pdp.request",
            "AuthZEN 1.0 §7.1",
            True,
            f"{len(batch.evaluations)} evaluation(s), {batch.semantic}",
        )
        decisions = []
        for index, evaluation in enumerate(batch.evaluations):
            decision = self._decide(ctx, index, evaluation)
            decisions.append(decision)
            if authzen.stops_after(batch.semantic, decision.decision):
                break
        if not batch.batch:
            return self._json(request, authzen.decision_body(decisions[0]))
        return self._json(request, authzen.evaluations_body(decisions))

    def evaluation(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        """POST /access/v1/evaluation (AuthZEN 1.0 §6): one evaluation; a Rego error is a 500 (§10.1.2)."""
        if not self.online:
            return text_response(503, "policy decision point unavailable")
        try:
            evaluation = authzen.parse_evaluation_request(request.body, request.content_type)
        except authzen.AuthZenError as exc:
            ctx.check("pdp.request", "AuthZEN 1.0 §6.1; §10.1.2", False, str(exc))
            return self._error(request, exc.status, str(exc))
        ctx.check("pdp.request", "AuthZEN 1.0 §6.1", True, "1 evaluation")
        decision = self._decide(ctx, 0, evaluation)
        if decision.context and "error" in decision.context:
            return self._error(request, 500, str(decision.context["error"]["message"]))
        return self._json(request, authzen.decision_body(decision))

    def _decide(self, ctx: Context, index: int, evaluation: authzen.Evaluation) -> authzen.Decision:
        result = self.policy.evaluate(evaluation.as_input())
        resource = f"{evaluation.resource.get('type')}:{evaluation.resource.get('id')}"
        ref = f"AuthZEN 1.0 §7.2; Rego data.{self.policy.package}.allow ({', '.join(self.policy.sources)})"
        if result.error:
            ctx.check("pdp.decision", ref, False, f"{resource}: {result.error}")
            ctx.fact("pdp_decision", index=index, resource=resource, decision=False, error=result.error)
            return authzen.error_decision(500, result.error)
        why = result.reason or ("allow is undefined: denied by default" if result.undefined else "")
        ctx.check(
            "pdp.decision",
            ref,
            result.allow,
            f"{resource}: {'permit' if result.allow else 'deny'}" + (f" ({why})" if why else ""),
        )
        ctx.fact("pdp_decision", index=index, resource=resource, decision=result.allow, reason=why)
        return authzen.Decision(result.allow, {"reason": result.reason} if result.reason else None)

    def _json(self, request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
        return json_response(200, body, headers=_request_id(request))

    def _error(self, request: HttpRequest, status: int, message: str) -> HttpResponse:
        """§10.1.2: an error is an HTTP status with an error message string as the body."""
        return text_response(status, message, headers=_request_id(request))


def _request_id(request: HttpRequest) -> dict[str, str]:
    """§10.1.3: a PDP MUST echo the PEP's request identifier."""
    request_id = request.header("X-Request-ID")
    return {"X-Request-ID": request_id} if request_id is not None else {}
