"""FIDELITY.md row 'HTTP caching on the wire': max-age=300 answers, and the nodes' caching HTTP client.

Server side: ``http/cache/middleware.go MaxAge`` for ``auth/api/iam/api.go`` and
``vdr/api/v2/api.go cacheControlMaxAgeURLs``. Client side: ``http/client/caching.go
CachingRoundTripper`` with ``pquerna/cachecontrol`` v0.2.0's rules (``specs/rfc9111.py``).
RFC 9111 §3 lets a shared cache store these responses, so ``strict`` caches alike.
"""

from __future__ import annotations

from email.utils import formatdate
from typing import Any

import pytest

from nutssim import scenarios
from nutssim.messages import HttpRequest, HttpResponse
from nutssim.profiles import Profile
from nutssim.scenarios.s2s import EMPLOYEE
from nutssim.specs import rfc9111

PROFILES = ("nuts-node", "strict")
NOW = 1_000_000
GET = HttpRequest.get("https://as.example/oauth2/s/presentation_definition", {"scope": "x"})


@pytest.mark.parametrize("profile", PROFILES)
def test_http_caching_on_the_wire_max_age_headers(profile: str) -> None:
    """DID documents, AS metadata, OpenID configuration, client metadata and PDs say max-age=300."""
    trace = scenarios.run("user", seed=11, profile=profile).sim.trace
    labels = (
        "DID document (did:web)",
        "AS metadata",
        "OpenID configuration (entity statement)",
        "verifier metadata",
        "presentation definition",
    )
    for label in labels:
        found = trace.find(label)
        assert found, label
        assert {x.response.header("Cache-Control") for x in found} == {"max-age=300"}, label
    # the token endpoint is no-cache (its own row), the request object carries no freshness
    assert all(x.response.header("Cache-Control") != "max-age=300" for x in trace.find("token request"))


@pytest.mark.parametrize("profile", PROFILES)
def test_http_caching_on_the_wire_second_flow_is_served_from_cache(profile: str) -> None:
    """A second s2s flow inside 5 minutes: metadata, PD and DID documents are cache hits, not exchanges."""
    world: Any = scenarios.build("s2s", profile=profile)
    world.run()
    mark = max(e.seq for e in world.sim.trace.events)
    world.sim.clock.advance(60)
    flow = world.sim.service_access(
        world.requester,
        world.authorization_server,
        "eoverdracht",
        ehr=world.ehr,
        no_cache=True,
        credentials=[EMPLOYEE],
    )
    result = flow.finish()
    assert result is not None and result.granted
    later = [x for x in world.sim.trace.exchanges if x.seq > mark]
    assert not [x for x in later if x.request.method == "GET" and x.sender in ("gp", "hospital")]
    hits = {f.data["label"] for f in world.sim.trace.facts("http_cache_hit") if f.seq > mark}
    assert {"AS metadata", "presentation definition", "DID document (did:web)"} <= hits


@pytest.mark.parametrize("profile", PROFILES)
def test_http_caching_on_the_wire_control_off_shows_every_fetch(profile: str) -> None:
    """With http_cache off every GET is an exchange and no hit is recorded."""
    on = scenarios.run("user", seed=11, profile=profile).sim.trace
    off = scenarios.run("user", seed=11, profile=Profile(profile).without("http_cache")).sim.trace
    assert on.facts("http_cache_hit") and not off.facts("http_cache_hit")
    assert len(off.exchanges) == len(on.exchanges) + len(on.facts("http_cache_hit"))


@pytest.mark.parametrize("profile", PROFILES)
def test_http_caching_on_the_wire_expires_after_max_age(profile: str) -> None:
    """After 300 s the entry is stale: the next flow fetches again."""
    world: Any = scenarios.build("s2s", profile=profile)
    world.run()
    world.sim.clock.advance(300)
    mark = max(e.seq for e in world.sim.trace.events)
    world.sim.service_access(
        world.requester,
        world.authorization_server,
        "eoverdracht",
        ehr=world.ehr,
        no_cache=True,
        credentials=[EMPLOYEE],
    ).finish()
    assert [x for x in world.sim.trace.find("AS metadata") if x.seq > mark]


def _response(status: int = 200, **headers: str) -> HttpResponse:
    return HttpResponse(status, tuple((k.replace("_", "-"), v) for k, v in headers.items()), "{}")


@pytest.mark.parametrize(
    ("request_", "response", "expires"),
    [
        (GET, _response(Cache_Control="max-age=300"), NOW + 300),
        (GET, _response(400, Cache_Control="max-age=300"), NOW + 300),  # explicit freshness: any status
        (GET, _response(Cache_Control="max-age=7200"), NOW + 3600),  # maxCacheTime
        (GET, _response(Cache_Control="s-maxage=60, max-age=300"), NOW + 60),  # shared cache
        (GET, _response(), None),  # no lifetime, no entry
        (GET, _response(400), None),
        (GET, _response(Cache_Control="no-store, max-age=300"), None),
        (GET, _response(Cache_Control="private, max-age=300"), None),  # a shared cache
        (GET, _response(Cache_Control="max-age=abc"), None),
        (GET.with_headers(Authorization="Bearer t"), _response(Cache_Control="max-age=300"), None),
        (GET.with_headers(Authorization="Bearer t"), _response(Cache_Control="public, max-age=30"), NOW + 30),
        (HttpRequest.post_form(GET.url, {}), _response(Cache_Control="max-age=300"), None),  # GET only
        (
            GET,
            _response(Expires="Thu, 01 Jan 1970 00:01:40 GMT", Date="Thu, 01 Jan 1970 00:00:40 GMT"),
            NOW + 60,
        ),
        (GET, _response(Last_Modified=formatdate(NOW - 10_000, usegmt=True)), NOW + 1000),  # 10 % heuristic
        (GET, _response(Last_Modified=formatdate(0, usegmt=True)), NOW + 3600),
    ],
)
def test_http_caching_rules(request_: HttpRequest, response: HttpResponse, expires: int | None) -> None:
    """pquerna/cachecontrol v0.2.0 CachableObject + ExpirationObject, capped at caching.go's 1 h."""
    assert rfc9111.expiry(request_, response, NOW) == expires


def test_http_caching_store_get_and_evict() -> None:
    """Keyed by method and whole URL; stale at expiry; when full the first to expire goes (``pop``)."""
    short, long = _response(Cache_Control="max-age=10"), _response(Cache_Control="max-age=100")
    other = HttpRequest.get("https://as.example/oauth2/s/presentation_definition", {"scope": "y"})
    cache = rfc9111.ResponseCache()
    assert cache.store(GET, short, NOW) == NOW + 10 and cache.store(other, long, NOW) == NOW + 100
    assert cache.get(GET, NOW + 9) is not None and cache.get(GET, NOW + 10) is None
    assert len(cache) == 1 and cache.get(other, NOW + 10) is not None
    full = rfc9111.ResponseCache(max_bytes=4)  # insert: make room while size + new >= maxBytes
    full.store(GET, short, NOW)
    full.store(other, long, NOW)
    assert full.get(GET, NOW) is None and full.get(other, NOW) is not None
