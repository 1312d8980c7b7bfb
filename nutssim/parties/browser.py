"""The user's browser: a user agent that follows redirects and keeps cookies (RFC 6265, RFC 6265bis).

A ``Browser`` is a party so its requests appear in the trace with the browser as
sender; it serves nothing. ``navigate(url)`` is a process: a top-level GET that
follows 301/302/303/307/308 redirects, sends and stores cookies per host, and returns
the final response with every hop. Cookie rules honoured: ``Secure`` (only over
https, only set from https), the ``__Secure-`` and ``__Host-`` prefixes, ``HttpOnly``
(kept from ``document_cookie``), ``SameSite`` (``Strict`` only on same-site
navigations; ``Lax``, the default, on every top-level GET; ``None`` needs ``Secure``),
``Domain``, ``Path`` (default path and path-match, RFC 6265 §5.1.4), ``Max-Age`` over
``Expires``. A navigation is same-site when its initiator (the page that started it;
``None`` for the address bar) is same-site with the target; with
``redirect_chain_same_site`` every earlier URL of the redirect chain must be too
(RFC 6265bis §5.2, the stricter reading some browsers ship). A site is the scheme plus
the last two labels of the host: nutssim has no public-suffix list. Locations with
another scheme (``openid4vp:``) cannot be opened: the navigation stops there.
"""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from nutssim.limits import MAX_REDIRECTS
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.parties.base import Party

REDIRECTS = (301, 302, 303, 307, 308)
ACCEPT = "text/html,application/xhtml+xml"
#: Navigations ``Browser.history`` keeps (the latest; a simulator bound, not a wire limit).
HISTORY_KEPT = 64


@dataclass
class Cookie:
    """One stored cookie with its attributes (RFC 6265 §5.3 storage model)."""

    name: str
    value: str
    domain: str  # the host, or the Domain attribute (lower case, no leading dot)
    host_only: bool
    path: str
    expires: int | None  # epoch seconds; None for a session cookie
    secure: bool
    http_only: bool
    same_site: str  # "Strict" | "Lax" | "None"
    created: int = 0

    def live(self, now: int) -> bool:
        """Whether the cookie has not expired at ``now``."""
        return self.expires is None or now < self.expires


@dataclass(frozen=True)
class Hop:
    """One request of a navigation, its response, and the cookies that went with it."""

    request: HttpRequest
    response: HttpResponse
    cookies_sent: tuple[str, ...]
    same_site: bool


@dataclass
class Navigation:
    """Where a navigation ended: the last URL, its response, every hop, and an unopenable Location."""

    url: str
    response: HttpResponse
    hops: list[Hop] = field(default_factory=list)
    stopped_at: str | None = None  # a Location the browser could not open (openid4vp:, too many redirects)


class Browser(Party):
    """A user agent that navigates, follows redirects and keeps cookies."""

    role = "browser"

    def __init__(
        self,
        id: str,
        name: str,
        host: str,
        clock_now: Callable[[], int],
        *,
        redirect_chain_same_site: bool = False,
        max_redirects: int = MAX_REDIRECTS,
    ) -> None:
        super().__init__(id, name, host)
        self._clock_now = clock_now
        self.redirect_chain_same_site = redirect_chain_same_site
        self.max_redirects = max_redirects
        self.cookies: list[Cookie] = []
        # The latest navigations only: a long simulation must not grow with every flow (issue #23 item 3).
        self.history: deque[Navigation] = deque(maxlen=HISTORY_KEPT)
        self._created = 0

    def now(self) -> int:
        """The browser's view of the simulated time."""
        return self._clock_now() + self.clock_offset

    # -- navigation -------------------------------------------------------------------------------
    def navigate(
        self, url: str, *, initiator: str | None = None
    ) -> Generator[HttpRequest, HttpResponse, Navigation]:
        """A top-level GET of ``url`` following redirects; ``initiator`` is the origin that started it."""
        chain = [] if initiator is None else [site(initiator)]
        hops: list[Hop] = []
        current = url
        while True:
            same = all(s == site(current) for s in chain)
            request, sent = self._request(current, same)
            response = yield request
            self.store(response, current)
            hops.append(Hop(request, response, sent, same))
            location = response.location if response.status in REDIRECTS else None
            if location is None:
                return self._finish(Navigation(current, response, hops))
            try:
                target = urljoin(current, location)
                scheme = urlsplit(target).scheme
            except ValueError:  # Fetch §4.4 HTTP-redirect fetch: a failed location URL is a network error
                return self._finish(Navigation(current, response, hops, stopped_at="invalid Location"))
            if scheme not in ("http", "https"):
                return self._finish(Navigation(current, response, hops, stopped_at=target))
            if len(hops) > self.max_redirects:
                return self._finish(Navigation(current, response, hops, stopped_at="too many redirects"))
            if self.redirect_chain_same_site:
                chain.append(site(current))
            current = target

    def _finish(self, navigation: Navigation) -> Navigation:
        self.history.append(navigation)
        return navigation

    def _request(self, url: str, same_site: bool) -> tuple[HttpRequest, tuple[str, ...]]:
        cookies = self.cookies_for(url, same_site=same_site)
        headers = {"Accept": ACCEPT}
        if cookies:
            headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in cookies)
        return HttpRequest.get(url, headers=headers), tuple(c.name for c in cookies)

    # -- cookie jar ---------------------------------------------------------------------------------
    def cookies_for(self, url: str, *, same_site: bool = True) -> list[Cookie]:
        """Cookies a top-level GET navigation to ``url`` carries (RFC 6265 §5.4, RFC 6265bis §5.7.3)."""
        now = self.now()
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        chosen = [
            c
            for c in self.cookies
            if c.live(now)
            and _domain_ok(c, host)
            and path_match(parts.path or "/", c.path)
            and (not c.secure or parts.scheme == "https")
            and (same_site or c.same_site != "Strict")
        ]
        return sorted(chosen, key=lambda c: (-len(c.path), c.created))

    def document_cookie(self, url: str) -> str:
        """What a script on ``url`` would read: every cookie for it except the HttpOnly ones."""
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies_for(url) if not c.http_only)

    def store(self, response: HttpResponse, url: str) -> None:
        """Store every ``Set-Cookie`` of a response to a top-level navigation of ``url``."""
        for header in response.header_values("Set-Cookie"):
            cookie = parse_set_cookie(header, url, self.now())
            if cookie is not None:
                self._put(cookie)

    def _put(self, cookie: Cookie) -> None:
        # RFC 6265 §5.3 step 11: a cookie with the same name, domain and path replaces the old one.
        old = next(
            (
                c
                for c in self.cookies
                if (c.name, c.domain, c.path) == (cookie.name, cookie.domain, cookie.path)
            ),
            None,
        )
        self.cookies = [c for c in self.cookies if c is not old]
        if not cookie.live(self.now()):
            return  # Max-Age ≤ 0 or a past Expires deletes the cookie
        self._created += 1
        cookie.created = old.created if old else self._created
        self.cookies.append(cookie)

    def clear_cookies(self) -> None:
        """Forget every cookie (a private window)."""
        self.cookies = []


# -- parsing and matching (RFC 6265 §5.1–5.2) ------------------------------------------------------------
def parse_set_cookie(header: str, url: str, now: int) -> Cookie | None:
    """Parse one Set-Cookie header received from ``url``; None when the cookie must be ignored."""
    first, *attributes = header.split(";")
    name, sep, value = first.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name:
        return None
    attrs = _attributes(attributes)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    secure_origin = parts.scheme == "https"
    domain = attrs.get("domain", "").lstrip(".").lower()
    if domain and not domain_match(host, domain):
        return None
    secure = "secure" in attrs
    same_site = {"strict": "Strict", "lax": "Lax", "none": "None"}.get(
        attrs.get("samesite", "").lower(), "Lax"
    )
    if (secure and not secure_origin) or (same_site == "None" and not secure):
        return None  # RFC 6265bis §5.7: Secure only from https; SameSite=None requires Secure
    path = attrs.get("path", "")
    path = path if path.startswith("/") else default_path(parts.path)
    if not _prefix_ok(name, secure, secure_origin, domain, path):
        return None
    return Cookie(
        name,
        value,
        domain or host,
        not domain,
        path,
        _expiry(attrs, now),
        secure,
        "httponly" in attrs,
        same_site,
    )


def _attributes(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, _, value = item.partition("=")
        out[key.strip().lower()] = value.strip()
    return out


def _expiry(attrs: dict[str, str], now: int) -> int | None:
    # RFC 6265 §5.3 step 3: Max-Age wins over Expires.
    if re.fullmatch(r"-?\d+", attrs.get("max-age", "")):
        return now + int(attrs["max-age"]) if int(attrs["max-age"]) > 0 else now
    if attrs.get("expires"):
        try:
            return int(parsedate_to_datetime(attrs["expires"]).timestamp())
        except (TypeError, ValueError):
            return None
    return None


def _prefix_ok(name: str, secure: bool, secure_origin: bool, domain: str, path: str) -> bool:
    # RFC 6265bis §4.1.3: __Secure- needs Secure from https; __Host- also no Domain and Path=/.
    if name.startswith("__Secure-"):
        return secure and secure_origin
    if name.startswith("__Host-"):
        return secure and secure_origin and not domain and path == "/"
    return True


def _domain_ok(cookie: Cookie, host: str) -> bool:
    return host == cookie.domain if cookie.host_only else domain_match(host, cookie.domain)


def domain_match(host: str, domain: str) -> bool:
    """RFC 6265 §5.1.3 domain-match."""
    return host == domain or (host.endswith("." + domain) and not re.fullmatch(r"[\d.]+", host))


def default_path(path: str) -> str:
    """RFC 6265 §5.1.4 default-path of a request path."""
    if not path.startswith("/") or path.count("/") == 1:
        return "/"
    return path[: path.rfind("/")]


def path_match(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 §5.1.4 path-match."""
    if request_path == cookie_path:
        return True
    if request_path.startswith(cookie_path):
        return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"
    return False


def site(url: str) -> tuple[str, str]:
    """The schemeful site of a URL: scheme and the last two host labels (no public-suffix list)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    labels = host.split(".")
    registrable = host if re.fullmatch(r"[\d.]+", host) or len(labels) < 2 else ".".join(labels[-2:])
    return parts.scheme, registrable


def error_shown(response: HttpResponse) -> dict[str, Any] | None:
    """The OAuth error a page shows the user: a JSON error body or the node's HTML error page."""
    body = response.json
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return {"error": body["error"], "error_description": str(body.get("error_description", ""))}
    found = re.search(r"<h1>(.*?)</h1><p>(.*?)</p>", response.body or "", re.S)
    if found and response.status >= 400:
        return {"error": html.unescape(found[1]), "error_description": html.unescape(found[2])}
    return None
