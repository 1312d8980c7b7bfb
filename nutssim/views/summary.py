"""Short words about an exchange that every view shows the same way: outcome, error, labels."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from nutssim.trace import Exchange, Trace
from nutssim.views.decisions import decision_summary
from nutssim.views.styles import GLYPH_FAIL, GLYPH_REDIRECT, display_name, host_label

NETWORK_HEADER = "X-Nutssim-Network"


def reason(status: int) -> str:
    """The HTTP reason phrase of a status code ("" when unknown)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def network_failure(exchange: Exchange) -> str | None:
    """Why the network failed the exchange (dropped, unknown host), if it did."""
    return exchange.response.header(NETWORK_HEADER)


def negative_result(exchange: Exchange) -> str | None:
    """A 200 that says no: introspection ``active: false``, DPoP validation ``valid: false``."""
    body = exchange.response.json
    if not isinstance(body, dict) or not exchange.response.ok:
        return None
    if body.get("active") is False:
        return "active: false"
    if body.get("valid") is False:
        why = body.get("reason")
        return f"valid: false ({why})" if isinstance(why, str) and why else "valid: false"
    return None


def error_code(exchange: Exchange) -> str | None:
    """The error an exchange ended in: OAuth code, network failure, HTTP error or a negative 200."""
    if exchange.error:
        return exchange.error
    failure = network_failure(exchange)
    if failure:
        return failure
    if exchange.response.status >= 400:
        return reason(exchange.response.status) or "error"
    return negative_result(exchange)


def is_failure(exchange: Exchange) -> bool:
    """Whether the exchange's response says no (error status, error code or a negative 200)."""
    return error_code(exchange) is not None


def has_failed_checks(exchange: Exchange) -> bool:
    """Whether any check made while handling the exchange failed."""
    return bool(exchange.failed_checks)


def redirect_target(exchange: Exchange) -> str | None:
    """Where a 3xx sends the browser, shortened to host and path."""
    location = exchange.response.location
    if location is None or not 300 <= exchange.response.status < 400:
        return None
    return shorten_url(location)


def shorten_url(url: str, limit: int = 40) -> str:
    """``https://host/a/b/c?query`` → ``host/a/b/c``, or ``host/…/c`` when that is too long."""
    text = host_label(url).split("?", 1)[0].split("#", 1)[0]
    if len(text) <= limit:
        return text
    host, _, path = text.partition("/")
    short = f"{host}/…/{path.rstrip('/').rsplit('/', 1)[-1]}"
    return short if len(short) <= limit else short[: limit - 1] + "…"


def response_label(exchange: Exchange) -> str:
    """``200``, ``400 invalid_request``, ``302 ↪ node-b.example/oauth2/callback``."""
    status = exchange.response.status
    error = error_code(exchange)
    target = redirect_target(exchange)
    if target and error:
        return f"{status} {GLYPH_REDIRECT} {target} {GLYPH_FAIL} {error}"
    if target:
        return f"{status} {GLYPH_REDIRECT} {target}"
    if error:
        return f"{status} {GLYPH_FAIL} {error}"
    decided = decision_summary(exchange)  # a PDP's answer: how many permits and denies (issue #20)
    return f"{status} {decided}" if decided else str(status)


def party_name(trace: Trace | None, party_id: str) -> str:
    """The display name of a party id in a trace."""
    info = trace.parties.get(party_id) if trace is not None else None
    return display_name(info, party_id)


def fact_summary(data: dict[str, Any], limit: int = 3, width: int = 40) -> str:
    """``key=value`` for the first few short fields of a fact."""
    parts = []
    for key, value in data.items():
        if value is None or isinstance(value, dict | list) or key in ("credential", "raw"):
            continue
        text = str(value)
        text = text if len(text) <= width else text[: width - 1] + "…"
        parts.append(f"{key}={text}")
        if len(parts) == limit:
            break
    return ", ".join(parts)


def error_description(exchange: Exchange) -> str:
    """The ``error_description`` of an error response (JSON body or redirect), if any."""
    body = exchange.response.json
    if isinstance(body, dict) and isinstance(body.get("error_description"), str):
        return str(body["error_description"])
    location = exchange.response.location or ""
    values = parse_qs(urlsplit(location).query).get("error_description")
    return values[0] if values else ""
