"""Frozen HTTP messages: what the network carries between parties (ARCHITECTURE principle 1).

Bodies are kept as the text that would be on the wire, so a trace shows a form or a
JWT exactly as sent; ``form``, ``json`` and ``query`` parse it on demand.
"""

from __future__ import annotations

import json as _json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from nutssim.limits import MAX_INTEGER_DIGITS

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

Headers = tuple[tuple[str, str], ...]

#: ``json.dumps(data, separators=(",", ":"))`` without building an encoder per message (same bytes).
_compact = _json.JSONEncoder(separators=(",", ":")).encode

#: ``quote_plus(c, safe="")`` of every ASCII character, for ``str.translate`` (RFC 3986 §2.3
#: unreserved characters stay, a space becomes ``+``, the rest ``%XX``; WHATWG URL §5.2).
_FORM_ASCII = {
    c: (chr(c) if chr(c).isalnum() or chr(c) in "_.-~" else "+" if c == 0x20 else f"%{c:02X}")
    for c in range(128)
}


def form_urlencode(pairs: Iterable[tuple[str, str]]) -> str:
    """``urllib.parse.urlencode(pairs)``, the same text, without a Python loop per character."""
    pairs = list(pairs)
    if all(type(k) is str and type(v) is str and k.isascii() and v.isascii() for k, v in pairs):
        return "&".join(f"{k.translate(_FORM_ASCII)}={v.translate(_FORM_ASCII)}" for k, v in pairs)
    return urlencode(pairs)  # non-ASCII (UTF-8 bytes first) or non-str values: the library's own way


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (RFC 8259 §6)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: Python reads it as inf, which no JSON text can carry back
        raise ValueError(f"number {text[:40]} is out of range (RFC 8259 §6)")
    return value


#: A \uD800–\uDFFF escape: the only way a lone surrogate gets into parsed JSON.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def parse_json(text: str | bytes) -> Any:
    """Parse JSON as RFC 8259 defines it, refusing (``ValueError``) what a Go peer refuses.

    NaN and Infinity, numbers beyond a double's range (``1e400``, or an integer of more than
    ``MAX_INTEGER_DIGITS`` digits), nesting beyond the decoder's recursion limit, and strings holding a lone
    surrogate (``"\\ud800"``: not a Unicode scalar value, RFC 8259 §8.2, so no UTF-8 text can
    carry it on) are refused; they would otherwise make a trace unsavable or its export invalid.
    """
    try:
        if isinstance(text, str) and not text.startswith("\ufeff"):
            value = _DECODER.decode(text)  # what json.loads does for such a text, minus a decoder per call
        else:  # bytes (encoding detection) or a BOM (refused): json.loads's own handling and words
            value = _json.loads(
                text, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_bounded_int
            )
    except RecursionError:  # the decoder recurses per level: bounded by the interpreter, refused
        raise ValueError("JSON nested too deeply (deeper than the decoder's recursion limit)") from None
    source = text if isinstance(text, str) else text.decode("utf-8", "replace")
    if _SURROGATE_ESCAPE.search(source) and _has_lone_surrogate(value):
        raise ValueError("a string holds a lone surrogate (RFC 8259 §8.2)")
    return value


def _bounded_int(text: str) -> int:
    """An integer literal, refused beyond a double's range (before Python converts it)."""
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"integer with {len(text.lstrip('-'))} digits (more than {MAX_INTEGER_DIGITS})")
    return int(text)


#: The decoder ``json.loads`` would build per call with these hooks, built once.
_DECODER = _json.JSONDecoder(
    parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_bounded_int
)


def _has_lone_surrogate(value: Any) -> bool:
    """Whether any string (key or value) in a parsed JSON value cannot be encoded as UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _headers(value: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> Headers:
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), str(v)) for k, v in items)


class _HeaderAccess:
    """Case-insensitive header lookups shared by requests and responses."""

    headers: Headers
    body: str

    def header(self, name: str, default: str | None = None) -> str | None:
        """Return the first value of header ``name`` (case-insensitive), or ``default``."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return default

    def header_values(self, name: str) -> list[str]:
        """Return every value of header ``name`` (a header may repeat)."""
        lowered = name.lower()
        return [v for k, v in self.headers if k.lower() == lowered]

    @property
    def content_type(self) -> str:
        """The media type of the body, without parameters, lower-cased."""
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    @cached_property
    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON; parsed once, on first read.

        A message is frozen, so its body never changes: parsing it once is exact (issue #23; a flow
        read its responses' bodies 23 times). Readers get the one parsed value: copy it to change it.
        """
        if not self.body:
            return None
        try:
            return parse_json(self.body)
        except (ValueError, RecursionError):
            return None


@dataclass(frozen=True)
class HttpRequest(_HeaderAccess):
    """An HTTP request as one party sends it to another."""

    method: str
    url: str
    headers: Headers = ()
    body: str = ""

    @classmethod
    def get(
        cls,
        url: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpRequest:
        """Build a GET, merging ``query`` into the URL."""
        return cls("GET", with_query(url, query or {}), _headers(headers))

    @classmethod
    def post_form(
        cls,
        url: str,
        form: Mapping[str, str] | Iterable[tuple[str, str]],
        headers: Mapping[str, str] | None = None,
    ) -> HttpRequest:
        """Build a POST with an ``application/x-www-form-urlencoded`` body."""
        pairs = list(form.items()) if isinstance(form, Mapping) else list(form)
        return cls("POST", url, (("Content-Type", FORM), *_headers(headers)), form_urlencode(pairs))

    @classmethod
    def post_json(cls, url: str, data: Any, headers: Mapping[str, str] | None = None) -> HttpRequest:
        """Build a POST with a JSON body."""
        body = _compact(data)
        return cls("POST", url, (("Content-Type", JSON), *_headers(headers)), body)

    @property
    def parts(self) -> tuple[str, str, str, str, str]:
        """The URL split into scheme, netloc, path, query, fragment."""
        scheme, netloc, path, query, fragment = split_url(self.url)
        return scheme, netloc, path, query, fragment

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` of the target, normalised (RFC 3986 §6.2.2–6.2.3)."""
        return origin_of(self.url)

    @property
    def path(self) -> str:
        """The URL path."""
        return split_url(self.url).path or "/"

    @property
    def query_pairs(self) -> list[tuple[str, str]]:
        """Every query parameter in order, repeats kept (a fresh list: the parse is kept)."""
        return list(self._query_pairs)

    @cached_property
    def _query_pairs(self) -> tuple[tuple[str, str], ...]:
        """The query parsed once: a frozen message's URL never changes (issue #23)."""
        return tuple(parse_qsl(split_url(self.url).query, keep_blank_values=True))

    @property
    def query(self) -> dict[str, str]:
        """Query parameters, first value wins."""
        return _first_values(self._query_pairs)

    @property
    def form_pairs(self) -> list[tuple[str, str]]:
        """Form parameters in order with repeats, or ``[]`` unless the body is a form (a fresh list)."""
        return list(self._form_pairs)

    @cached_property
    def _form_pairs(self) -> tuple[tuple[str, str], ...]:
        """The form parsed once: a frozen message's body and headers never change (issue #23)."""
        if self.content_type != FORM:
            return ()
        return tuple(parse_qsl(self.body, keep_blank_values=True))

    @property
    def form(self) -> dict[str, str]:
        """Form parameters, first value wins."""
        return _first_values(self._form_pairs)

    def with_headers(self, **headers: str) -> HttpRequest:
        """Return a copy with headers set (underscores in names become dashes)."""
        names = {k.replace("_", "-").lower() for k in headers}
        kept = tuple((k, v) for k, v in self.headers if k.lower() not in names)
        return replace(self, headers=kept + tuple((k.replace("_", "-"), v) for k, v in headers.items()))

    def with_form(self, **changes: str | None) -> HttpRequest:
        """Return a copy whose form has ``changes`` applied (``None`` removes a field)."""
        pairs = [(k, v) for k, v in self.form_pairs if k not in changes]
        pairs += [(k, v) for k, v in changes.items() if v is not None]
        return replace(self, body=form_urlencode(pairs))

    def with_query(self, **changes: str | None) -> HttpRequest:
        """Return a copy whose URL query has ``changes`` applied (``None`` removes one)."""
        pairs = [(k, v) for k, v in self.query_pairs if k not in changes]
        pairs += [(k, v) for k, v in changes.items() if v is not None]
        scheme, netloc, path, _, fragment = urlsplit(self.url)
        return replace(self, url=urlunsplit((scheme, netloc, path, form_urlencode(pairs), fragment)))

    def to_record(self) -> dict[str, Any]:
        """Serialise for the trace export: method, url, headers and form/json/text."""
        out: dict[str, Any] = {"method": self.method, "url": self.url, "headers": dict(self.headers)}
        out.update(_body_record(self.content_type, self.body, self.form_pairs))
        return out


@dataclass(frozen=True)
class HttpResponse(_HeaderAccess):
    """An HTTP response as the receiving party answers."""

    status: int
    headers: Headers = ()
    body: str = ""
    reason: str = field(default="", compare=False)

    @property
    def location(self) -> str | None:
        """The ``Location`` header of a redirect."""
        return self.header("Location")

    @property
    def is_redirect(self) -> bool:
        """True for 301, 302, 303, 307 and 308 with a Location."""
        return self.status in (301, 302, 303, 307, 308) and self.location is not None

    @property
    def ok(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status < 300

    def to_record(self) -> dict[str, Any]:
        """Serialise for the trace export: status, headers and json/text/location."""
        out: dict[str, Any] = {"status": self.status, "headers": dict(self.headers)}
        if self.location is not None:
            out["location"] = self.location
        out.update(_body_record(self.content_type, self.body, []))
        return out


def _body_record(content_type: str, body: str, form_pairs: list[tuple[str, str]]) -> dict[str, Any]:
    if not body:
        return {}
    if content_type == FORM:
        return {"form": dict(form_pairs)}
    if content_type.endswith("json"):
        try:
            return {"json": parse_json(body)}
        except (ValueError, RecursionError):
            pass
    return {"text": body}


def _first_values(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in pairs:
        out.setdefault(key, value)
    return out


_DEFAULT_PORTS = {"https": 443, "http": 80}


@lru_cache(maxsize=4096)
def origin_of(url: str) -> str:
    """The origin of a URL: scheme and host lower-cased, a default port dropped."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a non-numeric port: keep the text as it is, it will match nothing
        return f"{scheme}://{parts.netloc.lower()}"
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{scheme}://{host}:{port}"


@lru_cache(maxsize=4096)
def split_url(url: str) -> SplitResult:
    """``urlsplit(url)``, parsed once per URL (every delivery reads its path and origin several times)."""
    return urlsplit(url)


def url_problem(url: object) -> str | None:
    """Why no HTTP client could send a request to ``url`` (no host to connect to), or None.

    Only what makes a request impossible to route counts; a URL that merely holds odd
    characters reaches its host, whose own parsing answers it (as a raw request would).
    """
    if not isinstance(url, str):
        return f"the URL is a {type(url).__name__}, not a string"
    return _url_problem(url)


@lru_cache(maxsize=4096)
def _url_problem(url: str) -> str | None:
    """``url_problem`` of a string, once per URL (a pure function of the text)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range or not a number)
    except ValueError as exc:
        return f"the URL cannot be parsed ({exc})"
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        return (
            f"the URL's scheme {parts.scheme!r} is not http or https"
            if parts.scheme
            else "the URL is relative"
        )
    if not parts.hostname:
        return "the URL has no host"
    return None


def with_query(url: str, params: Mapping[str, str]) -> str:
    """Append ``params`` to ``url``'s query string."""
    if not params:
        return url
    scheme, netloc, path, query, fragment = urlsplit(url)
    pairs = parse_qsl(query, keep_blank_values=True) + list(params.items())
    return urlunsplit((scheme, netloc, path, form_urlencode(pairs), fragment))


def json_response(status: int, data: Any, headers: Mapping[str, str] | None = None) -> HttpResponse:
    """Build a JSON response (``headers`` may override its Content-Type)."""
    body = _compact(data)
    return HttpResponse(status, _with_content_type(JSON, headers), body)


def _with_content_type(default: str, headers: Mapping[str, str] | None) -> Headers:
    if headers is None:  # the common case: no copy, no scan
        return (("Content-Type", default),)
    extra = _headers(headers)
    if any(k.lower() == "content-type" for k, _ in extra):
        return extra
    return (("Content-Type", default), *extra)


def text_response(
    status: int, text: str, content_type: str = "text/plain", headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """Build a response with a text body of the given media type."""
    return HttpResponse(status, _with_content_type(content_type, headers), text)


def redirect(location: str, status: int = 302, headers: Mapping[str, str] | None = None) -> HttpResponse:
    """Build a redirect to ``location``."""
    return HttpResponse(status, (("Location", location), *_headers(headers)))
