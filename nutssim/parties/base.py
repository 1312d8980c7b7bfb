"""The party base: routes, the per-exchange context, and error rendering.

A party never holds a reference to another party (ARCHITECTURE principle 1). A handler
takes an ``HttpRequest`` and a ``Context`` and returns an ``HttpResponse``, or is a
*process*: a generator that yields the requests it needs answered and returns its
response. A ``ProtocolError`` raised by a handler becomes the wire response the spec
prescribes (principle 5); anything else becomes a 500 and a ``party_crash`` fact, so no
Python traceback escapes a run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from nutssim import causes
from nutssim.causes import Cause
from nutssim.errors import OAuthError, ProtocolError
from nutssim.limits import MAX_BODY_BYTES
from nutssim.messages import HttpRequest, HttpResponse, json_response, redirect, text_response, with_query
from nutssim.parties.field_limits import field_limit_error
from nutssim.parties.render import Renderer, renderer_for
from nutssim.profiles import Profile
from nutssim.rng import SimRandom
from nutssim.specs.rfc6749 import INVALID_REQUEST, SERVER_ERROR
from nutssim.specs.rfc9101 import Rule
from nutssim.specs.rfc9111 import ResponseCache

Process = Generator[HttpRequest, HttpResponse, Any]
#: A process whose result is the response to answer with.
Flow = Generator[HttpRequest, HttpResponse, HttpResponse]
HandlerResult = HttpResponse | Process
Handler = Callable[..., HandlerResult]
T = TypeVar("T")


class Context:
    """What a handler may use while it handles one exchange: time, randomness, the trace."""

    def __init__(
        self,
        *,
        party: Party,
        now: Callable[[], int],
        rng: SimRandom,
        profile: Profile,
        record_check: Callable[[str, str, bool, str, Cause | None], None],
        record_fact: Callable[[str, dict[str, Any]], None],
    ) -> None:
        self.party = party
        self._now = now
        self.rng = rng
        self.profile = profile
        self._record_check = record_check
        self._record_fact = record_fact

    def now(self) -> int:
        """The handling party's view of the simulated time."""
        return self._now()

    @property
    def render(self) -> Renderer:
        """The active profile's renderer of wire errors (``parties.render``)."""
        return renderer_for(self.profile)

    def check(
        self, id: str, ref: str, passed: bool = True, detail: str = "", cause: Cause | None = None
    ) -> bool:
        """Record a check in the trace and return whether it passed; a failure always has a cause."""
        if not passed and cause is None:
            cause = causes.failed(detail)
        self._record_check(id, ref, passed, detail, None if passed else cause)
        return passed

    def expect(
        self,
        condition: bool,
        id: str,
        ref: str,
        error: ProtocolError,
        detail: str = "",
        cause: Cause | None = None,
    ) -> None:
        """Record a check; raise ``error`` (carrying the cause) when ``condition`` is false."""
        if condition:
            self.check(id, ref, True)
            return
        cause = cause or error.cause or causes.failed(detail or _description(error))
        self.check(id, ref, False, detail, cause)
        if not error.check:
            error.check = id
        error.cause = cause
        raise error

    def fail(
        self, id: str, ref: str, error: ProtocolError, detail: str = "", cause: Cause | None = None
    ) -> NoReturn:
        """Record a failed check and raise ``error``."""
        self.expect(False, id, ref, error, detail or str(error), cause)
        raise AssertionError("unreachable")

    def fact(self, type: str, **data: Any) -> None:
        """Record a notable fact (token issued, nonce burned, …) in the trace."""
        self._record_fact(type, data)


class ClientError(OAuthError):
    """An error a node's internal API returns to its EHR, with the reference's HTTP status.

    ``form`` says which Go error the reference returns, so the problem ``detail`` reads as its
    ``Error()`` (``parties/problem.py``): ``"oauth"`` an ``OAuth2Error``, ``"remote"`` a relayed
    ``RemoteOAuthError``, ``"plain"`` a bare error (by default for 412, 502 and 503, the
    ``ErrPreconditionFailed``/``ErrBadGateway`` joins); ``prefix`` is the ``fmt.Errorf`` wrapping.
    """

    def __init__(
        self, error: str, description: str = "", *, form: str = "", prefix: str = "", **kw: Any
    ) -> None:
        super().__init__(error, description, **kw)
        self.form = form or ("plain" if self.status in (412, 502, 503) else "oauth")
        self.prefix = prefix


def expect_rule(
    ctx: Context,
    passed: bool,
    rule: Rule,
    *,
    detail: str | None = None,
    quote_error: bool = False,
    redirect_uri: str | None = None,
    state: str | None = None,
    cause: Cause | None = None,
    **values: Any,
) -> None:
    """Record ``rule`` and raise its wire error, rendered by the profile, when it failed.

    ``detail`` says why in prose (default: the error's description; ``quote_error``: the whole
    error, code included); ``cause`` says it as data (default: the rule's kind, with ``values``).
    """
    if passed:
        ctx.check(rule.id, rule.ref, True)
        return
    error = ctx.render.rule_error(rule, redirect_uri=redirect_uri, state=state, **values)
    if quote_error:
        detail = str(error)
    elif detail is None:
        detail = error.description
    error.cause = cause or rule.cause(detail or error.description, **values)
    ctx.check(rule.id, rule.ref, False, detail, error.cause)
    raise error


def fail_rule(ctx: Context, rule: Rule, **options: Any) -> NoReturn:
    """Record ``rule`` as failed and raise its wire error (``expect_rule`` with ``passed=False``)."""
    expect_rule(ctx, False, rule, **options)
    raise AssertionError("unreachable")


def acting_as(sender: str, process: Generator[Any, HttpResponse, T]) -> Generator[Any, HttpResponse, T]:
    """Re-yield ``process``'s requests as ``(sender, request)``: the root speaking as ``sender``."""
    try:
        request = next(process)
        while True:
            # A pair already names its sender (a nested acting_as): pass it on unchanged.
            response = yield request if isinstance(request, tuple) else (sender, request)
            request = process.send(response)
    except StopIteration as stop:
        result: T = stop.value
        return result


def _description(error: ProtocolError) -> str:
    return error.description if isinstance(error, OAuthError) else str(error)


@dataclass(frozen=True)
class Route:
    """One method + path template served by a party."""

    method: str
    template: str
    handler: Handler
    label: str
    pattern: re.Pattern[str]
    origin: str | None = None  # only requests to this origin match (e.g. a node's internal API)


#: Distinct request targets a party remembers the route of before it starts over.
_MATCH_MEMO = 512


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[a-z_]+\})", template)
    regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")


class Party:
    """Something with a host on the simulated network that answers requests."""

    role = "party"

    def __init__(self, id: str, name: str, host: str) -> None:
        self.id = id
        self.name = name
        self.host = host.rstrip("/")
        self.hosts = [self.host]  # every origin this party answers on
        self.clock_offset = 0  # seconds this party's clock runs ahead of the simulation clock
        self._routes: list[Route] = []
        #: (method, origin, path) → the match: routes are scanned once per distinct request target.
        self._matches: dict[tuple[str, str, str], tuple[Route | None, dict[str, str], list[str]]] = {}
        #: The outbound HTTP client's response cache; a node has one (``http/client/caching.go``).
        self.http_cache: ResponseCache | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} at {self.host}>"

    def route(
        self, method: str, template: str, handler: Handler, label: str, *, origin: str | None = None
    ) -> None:
        """Serve ``method template`` with ``handler``; ``label`` names the step in traces."""
        self._routes.append(Route(method.upper(), template, handler, label, _compile(template), origin))
        self._matches.clear()

    def dids(self) -> tuple[str, ...]:
        """The DIDs this party controls, for the trace's party list."""
        return ()

    def match(self, request: HttpRequest) -> tuple[Route | None, dict[str, str], list[str]]:
        """Find the route for a request: (route, path params, methods allowed on that path)."""
        route, params, allowed = self._found(request)
        return route, dict(params), list(allowed)

    def _found(self, request: HttpRequest) -> tuple[Route | None, dict[str, str], list[str]]:
        """The memo entry of a request's route (shared: callers copy what they hand out)."""
        key = (request.method, request.origin, request.path)
        found = self._matches.get(key)
        if found is None:
            if len(self._matches) >= _MATCH_MEMO:  # paths carry ids: bound the memo, not the run
                self._matches.clear()
            found = self._matches[key] = self._scan(request)
        return found

    def _scan(self, request: HttpRequest) -> tuple[Route | None, dict[str, str], list[str]]:
        """The linear scan of the routes, in the order they were added (the first match wins)."""
        allowed: list[str] = []
        for route in self._routes:
            if route.origin is not None and route.origin != request.origin:
                continue
            found = route.pattern.match(request.path)
            if not found:
                continue
            if route.method == request.method.upper():
                return route, found.groupdict(), []
            allowed.append(route.method)
        return None, {}, allowed

    def label_for(self, request: HttpRequest) -> str:
        """The human step name of a request to this party."""
        route = self._found(request)[0]  # no copies: only the label is read
        return route.label if route else f"{request.method} {request.path}"

    def dispatch(self, request: HttpRequest, ctx: Context) -> HandlerResult:
        """Route a request to its handler (404, 405 and 413 are answered here)."""
        if len(request.body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
            return self.render_error(
                request, OAuthError(INVALID_REQUEST, "request body too large", status=413)
            )
        refusal = field_limit_error(request)  # counted before any pair is parsed (limits.py)
        if refusal is not None:
            return self.render_error(request, refusal)
        route, params, allowed = self.match(request)
        if route is None:
            if allowed:
                return text_response(
                    405, "method not allowed", headers={"Allow": ", ".join(sorted(set(allowed)))}
                )
            return text_response(404, "not found")
        return route.handler(request, ctx, **params)

    # -- errors ---------------------------------------------------------------------------------
    def render_error(self, request: HttpRequest, error: ProtocolError) -> HttpResponse:
        """Render a protocol error as the reference does (PROTOCOL.md conventions)."""
        if not isinstance(error, OAuthError):
            error = OAuthError(SERVER_ERROR, str(error))
        if error.redirect_uri:
            params = {"error": error.error}
            if error.description:
                params["error_description"] = error.description
            if error.state:
                params["state"] = error.state
            return redirect(with_query(error.redirect_uri, params), headers=error.headers)
        if wants_json(request):
            return json_response(error.status, error.body(), headers=error.headers)
        return error_page(error)

    def rendered(self, request: HttpRequest, process: Flow) -> Flow:
        """Run a handler process and render a protocol error it raises (so a cookie can still be set)."""
        try:
            return (yield from process)
        except ProtocolError as exc:
            return self.render_error(request, exc)

    def render_crash(self, request: HttpRequest, exc: BaseException) -> HttpResponse:
        """Answer an unexpected exception inside a handler with a 500."""
        return self.render_error(request, OAuthError(SERVER_ERROR, "internal error"))


def wants_json(request: HttpRequest) -> bool:
    """Whether the reference would render a JSON error: Accept or Content-Type mentions JSON."""
    accept = request.header("Accept") or ""
    return "application/json" in accept or "json" in request.content_type


def error_page(error: OAuthError) -> HttpResponse:
    """The HTML error page the reference renders for browser-facing errors."""
    body = (
        "<!doctype html><html><head><title>Error</title></head><body>"
        f"<h1>{html.escape(error.error)}</h1><p>{html.escape(error.description)}</p></body></html>"
    )
    return text_response(error.status, body, "text/html")
