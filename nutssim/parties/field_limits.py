"""Count limits on the ``key=value`` lists a party parses, checked before they are parsed (issue #18).

A 1 MiB form of ``grant_type=x&`` is ~80,000 pairs: parsing it (and every re-read of
``request.form``) cost a token endpoint 58-91 ms of CPU. Counting the separators is one pass
in C, so a request over the limit is refused before any pair is built. Go's ``net/url``
(``ParseQuery``, which echo's form and query binding use) refuses more than
``urlmaxqueryparams`` = 10,000 parameters since Go 1.24.12 / 1.25.6 (CVE-2025-61726); the
simulator uses that bound for forms and queries, and Go's ``httpcookiemaxnum`` = 3,000
(Go 1.24.8 / 1.25.2, CVE-2025-58186) for the pairs of the ``Cookie`` header. A JSON body of
87,000 members cost a node's internal API 76 ms to parse (a 524,000-element array 100 ms): its
commas are counted first (an over-count when strings hold commas, so the bound is generous).
"""

from __future__ import annotations

import re

from nutssim.errors import OAuthError
from nutssim.limits import MAX_COOKIE_PAIRS, MAX_FORM_FIELDS, MAX_JSON_VALUES, MAX_QUERY_FIELDS
from nutssim.messages import FORM, HttpRequest, split_url
from nutssim.specs.rfc6749 import INVALID_REQUEST

#: A body a handler may read as JSON: an object or array (RFC 8259 §2, leading whitespace allowed).
_JSON_START = re.compile(r"[ \t\n\r]*[\[{]")


def _count(text: str, separator: str) -> int:
    """Pairs a ``separator``-joined list holds (an empty text holds none)."""
    return text.count(separator) + 1 if text else 0


def field_limit_error(request: HttpRequest) -> OAuthError | None:
    """The ``invalid_request`` for a form, query or Cookie header with too many pairs, else ``None``."""
    # A text of n characters holds at most n separators: a body or URL shorter than a bound
    # cannot exceed it, so the common small message skips the counting (issue #23, hot path).
    body = request.body
    if len(body) >= MAX_FORM_FIELDS and request.content_type == FORM and _count(body, "&") > MAX_FORM_FIELDS:
        return _refusal(f"form body has more than MAX_FORM_FIELDS ({MAX_FORM_FIELDS}) fields")
    if len(request.url) >= MAX_QUERY_FIELDS and _count(split_url(request.url).query, "&") > MAX_QUERY_FIELDS:
        return _refusal(f"query has more than MAX_QUERY_FIELDS ({MAX_QUERY_FIELDS}) parameters")
    if len(body) >= MAX_JSON_VALUES and _JSON_START.match(body) and body.count(",") >= MAX_JSON_VALUES:
        return _refusal(f"JSON body has more than MAX_JSON_VALUES ({MAX_JSON_VALUES}) values")
    cookies = sum(_count(value, ";") for value in request.header_values("Cookie"))
    if cookies > MAX_COOKIE_PAIRS:
        return _refusal(f"Cookie header has more than MAX_COOKIE_PAIRS ({MAX_COOKIE_PAIRS}) pairs")
    return None


def _refusal(description: str) -> OAuthError:
    # RFC 6749 §5.2 invalid_request: "includes a parameter more than once, ... or is otherwise malformed".
    return OAuthError(INVALID_REQUEST, description, status=400)
