"""The browser: redirects, cookies (RFC 6265 / 6265bis), hops in the trace with the browser as sender."""

from __future__ import annotations

import pytest

from nutssim.messages import HttpRequest, HttpResponse, redirect, text_response
from nutssim.network import acting_as
from nutssim.parties.base import Context, Party
from nutssim.parties.browser import (
    HISTORY_KEPT,
    Browser,
    Navigation,
    default_path,
    error_shown,
    parse_set_cookie,
    path_match,
    site,
)
from nutssim.simulation import Simulation

NOW = 1_735_689_600


class Site(Party):
    """A web site whose pages set cookies, show them, and redirect."""

    def __init__(self, id: str, host: str) -> None:
        super().__init__(id, id, host)
        self.seen: list[HttpRequest] = []
        self.set_cookies: list[str] = []
        self.route("GET", "/set", self.set, "set cookies")
        self.route("GET", "/app/page", self.page, "page")
        self.route("GET", "/other", self.page, "other page")
        self.route("GET", "/go", self.go, "redirect")
        self.route("GET", "/see-other", self.see_other, "see other")
        self.route("GET", "/loop", self.loop, "loop")

    def set(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        self.seen.append(request)
        return HttpResponse(200, tuple(("Set-Cookie", c) for c in self.set_cookies), "set")

    def page(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        self.seen.append(request)
        return text_response(200, request.header("Cookie") or "", "text/html")

    def go(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        return redirect(request.query["to"])

    def see_other(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        return redirect("/app/page", status=303)

    def loop(self, request: HttpRequest, ctx: Context) -> HttpResponse:
        return redirect("/loop")


@pytest.fixture
def world() -> tuple[Simulation, Browser, Site, Site]:
    sim = Simulation(seed=5)
    browser = sim.add_browser()
    home = sim.add(Site("home", "https://app.home.example"))
    sim.add(Site("insecure", "http://plain.home.example"))
    other = sim.add(Site("other", "https://evil.example"))
    return sim, browser, home, other


def go(sim: Simulation, browser: Browser, url: str, initiator: str | None = None) -> Navigation:
    result: Navigation = sim.run(acting_as(browser.id, browser.navigate(url, initiator=initiator)), "user")
    return result


def test_follows_redirects_and_records_hops(world: tuple[Simulation, Browser, Site, Site]) -> None:
    """302 and 303 are followed with GET; each hop is in the trace, sent by the browser."""
    sim, browser, _, _ = world
    navigation = go(sim, browser, "https://app.home.example/go?to=https://evil.example/go?to=/see-other")
    assert navigation.url == "https://evil.example/app/page"  # a relative Location resolves on its own host
    assert [h.response.status for h in navigation.hops] == [302, 302, 303, 200]
    assert [x.sender for x in sim.trace.exchanges] == ["browser"] * 4
    assert [x.receiver for x in sim.trace.exchanges] == ["home", "other", "other", "other"]
    assert navigation.hops[-1].request.header("Accept", "").startswith("text/html")
    assert list(browser.history) == [navigation]


def test_history_keeps_only_the_latest_navigations(world: tuple[Simulation, Browser, Site, Site]) -> None:
    """A long simulation does not grow the history with every flow (issue #23 item 3)."""
    sim, browser, _, _ = world
    last = [go(sim, browser, "https://app.home.example/app/page") for _ in range(HISTORY_KEPT + 5)]
    assert len(browser.history) == HISTORY_KEPT
    assert list(browser.history) == last[-HISTORY_KEPT:]


def test_stops_at_unopenable_schemes_and_loops(world: tuple[Simulation, Browser, Site, Site]) -> None:
    """An openid4vp: Location cannot be opened by a browser; a redirect loop ends too."""
    sim, browser, _, _ = world
    stuck = go(sim, browser, "https://app.home.example/go?to=openid4vp:?client_id=x")
    assert stuck.stopped_at == "openid4vp:?client_id=x" and stuck.response.status == 302
    assert len(sim.trace.exchanges) == 1
    loop = go(sim, browser, "https://app.home.example/loop")
    assert loop.stopped_at == "too many redirects" and len(loop.hops) == browser.max_redirects + 1


def test_cookie_attributes_are_parsed() -> None:
    """Max-Age beats Expires; default path; SameSite defaults to Lax; HttpOnly and Secure kept."""
    cookie = parse_set_cookie(
        "sid=1; Max-Age=60; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Secure; HttpOnly",
        "https://a.example/x/y/z",
        NOW,
    )
    assert cookie is not None
    assert (cookie.expires, cookie.path, cookie.same_site, cookie.secure, cookie.http_only) == (
        NOW + 60,
        "/x/y",
        "Lax",
        True,
        True,
    )
    assert cookie.host_only and cookie.domain == "a.example"
    assert default_path("/") == "/" and default_path("/a") == "/" and default_path("/a/b") == "/a"
    assert path_match("/oauth2/s/authorize", "/oauth2/s") and not path_match("/oauth2/sx", "/oauth2/s")
    assert path_match("/oauth2/s", "/oauth2/s") and not path_match("/oauth2/callback", "/oauth2/s")


@pytest.mark.parametrize(
    ("header", "url"),
    [
        ("a=1; Secure", "http://a.example/"),  # Secure only from https
        ("__Secure-a=1", "https://a.example/"),  # the prefix needs Secure
        ("__Secure-a=1; Secure", "http://a.example/"),  # and a secure origin
        ("__Host-a=1; Secure; Path=/x", "https://a.example/"),  # __Host- needs Path=/
        ("__Host-a=1; Secure; Path=/; Domain=a.example", "https://a.example/"),  # and no Domain
        ("a=1; SameSite=None", "https://a.example/"),  # None needs Secure
        ("a=1; Domain=other.example", "https://a.example/"),  # a foreign Domain
        ("novalue", "https://a.example/"),
    ],
)
def test_cookies_that_must_be_ignored(header: str, url: str) -> None:
    """RFC 6265bis §4.1.3, §5.7: these Set-Cookie headers store nothing."""
    assert parse_set_cookie(header, url, NOW) is None


def test_secure_path_and_httponly(world: tuple[Simulation, Browser, Site, Site]) -> None:
    """Secure cookies stay off http; Path scopes a cookie; a script cannot read HttpOnly cookies."""
    sim, browser, home, _ = world
    home.set_cookies = ["sid=1; Path=/app; Secure; HttpOnly", "pref=dark; Domain=home.example; Path=/"]
    go(sim, browser, "https://app.home.example/set")
    assert go(sim, browser, "https://app.home.example/app/page").response.body == "sid=1; pref=dark"
    assert go(sim, browser, "https://app.home.example/other").response.body == "pref=dark"
    assert go(sim, browser, "http://plain.home.example/app/page").response.body == "pref=dark"
    assert browser.document_cookie("https://app.home.example/app/page") == "pref=dark"


def test_max_age_expires_and_deletes(world: tuple[Simulation, Browser, Site, Site]) -> None:
    """A cookie lives Max-Age seconds on the simulated clock; Max-Age=0 deletes it."""
    sim, browser, home, _ = world
    home.set_cookies = ["a=1; Max-Age=10; Path=/", "b=2; Path=/"]
    go(sim, browser, "https://app.home.example/set")
    sim.clock.advance(10)
    assert [c.name for c in browser.cookies_for("https://app.home.example/app/page")] == ["b"]
    home.set_cookies = ["b=2; Max-Age=0; Path=/"]
    go(sim, browser, "https://app.home.example/set")
    assert browser.cookies_for("https://app.home.example/app/page") == []


def test_samesite_strict_needs_a_same_site_initiator(world: tuple[Simulation, Browser, Site, Site]) -> None:
    """Strict cookies go only on navigations a same-site page (or the address bar) started; Lax always."""
    sim, browser, home, _ = world
    home.set_cookies = ["strict=1; Path=/; Secure; SameSite=Strict", "lax=1; Path=/; Secure"]
    go(sim, browser, "https://app.home.example/set")
    page = "https://app.home.example/app/page"
    assert go(sim, browser, page).response.body == "strict=1; lax=1"
    assert go(sim, browser, page, initiator="https://www.home.example").response.body == "strict=1; lax=1"
    cross = go(sim, browser, page, initiator="https://evil.example")
    assert cross.response.body == "lax=1" and cross.hops[0].same_site is False


def test_redirect_chain_option(world: tuple[Simulation, Browser, Site, Site]) -> None:
    """By default a cross-site hop in the chain does not matter; the stricter reading drops Strict cookies."""
    sim, browser, home, _ = world
    home.set_cookies = ["strict=1; Path=/; Secure; SameSite=Strict"]
    go(sim, browser, "https://app.home.example/set")
    via_other = "https://evil.example/go?to=https://app.home.example/app/page"
    assert go(sim, browser, via_other).response.body == "strict=1"
    browser.redirect_chain_same_site = True
    assert go(sim, browser, via_other).response.body == ""


def test_replacement_and_sites() -> None:
    """Same name, domain and path replace; sites are scheme + last two labels."""
    browser = Browser("b", "b", "https://b.invalid", lambda: NOW)
    browser.store(HttpResponse(200, (("Set-Cookie", "a=1; Path=/"),)), "https://x.example/")
    browser.store(HttpResponse(200, (("Set-Cookie", "a=2; Path=/"),)), "https://x.example/")
    assert [(c.name, c.value) for c in browser.cookies] == [("a", "2")]
    assert site("https://gp.example:8081/x") == site("https://ehr.gp.example/") == ("https", "gp.example")
    assert site("http://gp.example/") != site("https://gp.example/")


def test_error_shown() -> None:
    """What the user reads: a JSON error or the node's HTML error page."""
    from nutssim.errors import OAuthError
    from nutssim.parties.base import error_page

    assert error_shown(error_page(OAuthError("invalid_request", "a & b"))) == {
        "error": "invalid_request",
        "error_description": "a & b",
    }
    assert error_shown(text_response(200, "<h1>x</h1><p>y</p>", "text/html")) is None
