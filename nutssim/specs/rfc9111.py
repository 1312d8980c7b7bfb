"""RFC 9111 (HTTP Caching): what a node's HTTP client may store, for how long, and serve again.

A nuts-node's outbound client (DID resolution, metadata, PDs, status lists; ``http/engine.go``
installs ``client.NewCachingTransport`` when ``http.cache.maxbytes`` > 0, 10 MB by default,
``http/config.go DefaultConfig``) is ``http/client/caching.go CachingRoundTripper``: one
shared cache per node, GET only, cacheability and lifetime from ``pquerna/cachecontrol``
v0.2.0 (``cacheobject/object.go``, a shared cache: ``PrivateCache: false``), capped at
``maxCacheTime`` (1 h), keyed by method and whole URL, no revalidation (ETags ignored), the
entries that expire first evicted when full. RFC 9111 §3 permits a cache to store exactly
such responses, so the rules are the same under both profiles.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass

from nutssim.limits import CACHE_MAX_BYTES as MAX_BYTES
from nutssim.limits import MAX_CACHE_TIME
from nutssim.messages import HttpRequest, HttpResponse

HEURISTIC_CAP = 24 * 3600  # cacheobject ExpirationObject: 10 % of the Last-Modified age, at most 24 h
#: RFC 9110 §15.1 (cacheobject cachableStatusCode): cacheable by default, given a lifetime.
CACHEABLE_BY_DEFAULT = frozenset({200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501})


def directives(value: str | None) -> dict[str, str]:
    """The directives of a ``Cache-Control`` value, lower-cased names (RFC 9111 §5.2)."""
    out: dict[str, str] = {}
    for part in (value or "").split(","):
        name, _, arg = part.strip().partition("=")
        if name:
            out[name.strip().lower()] = arg.strip().strip('"')
    return out


def _seconds(value: str | None) -> int | None:
    """A delta-seconds argument (RFC 9111 §1.2.2), or None when absent or malformed."""
    return int(value) if value is not None and value.isdigit() else None


def _date(value: str | None) -> int | None:
    """An HTTP-date (RFC 9110 §5.6.7) as epoch seconds, or None."""
    try:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    return int(parsed.timestamp()) if parsed is not None else None


def expiry(request: HttpRequest, response: HttpResponse, now: int) -> int | None:
    """When a stored ``response`` goes stale, or None when the node's client does not store it.

    ``cacheobject.CachableObject`` then ``ExpirationObject``: GET only (``caching.go``); request
    ``no-store``, response ``no-store`` or ``private`` (shared cache), or an ``Authorization``
    request without ``public``/``s-maxage``/``must-revalidate`` refuse (RFC 9111 §3, §3.5);
    a lifetime comes from ``s-maxage``, ``max-age``, ``Expires`` − ``Date``, else 10 % of the
    ``Last-Modified`` age; no lifetime, no entry; at most ``MAX_CACHE_TIME``.
    """
    if request.method.upper() != "GET" or "no-store" in directives(request.header("Cache-Control")):
        return None
    cc = directives(response.header("Cache-Control"))
    if "no-store" in cc or "private" in cc:
        return None
    if request.header("Authorization") and not {"public", "s-maxage", "must-revalidate"} & cc.keys():
        return None
    if ("max-age" in cc and _seconds(cc["max-age"]) is None) or (
        "s-maxage" in cc and _seconds(cc["s-maxage"]) is None
    ):
        return None  # cachecontrol's parser fails: "error while checking cacheability", not cached
    explicit = response.header("Expires") is not None or {"max-age", "s-maxage", "public"} & cc.keys()
    if not explicit and response.status not in CACHEABLE_BY_DEFAULT:
        return None
    lifetime = _lifetime(cc, response, now)
    return None if lifetime is None else now + min(lifetime, MAX_CACHE_TIME)


def _lifetime(cc: dict[str, str], response: HttpResponse, now: int) -> int | None:
    """RFC 9111 §4.2.1 freshness lifetime, in ``ExpirationObject``'s order; None when there is none."""
    for name in ("s-maxage", "max-age"):
        if name in cc:
            return _seconds(cc[name])
    expires = _date(response.header("Expires"))
    if expires is not None:
        return expires - (_date(response.header("Date")) or now)
    modified = _date(response.header("Last-Modified"))
    if modified is not None:
        return min(max(now - modified, 0) // 10, HEURISTIC_CAP)
    return None


@dataclass
class _Entry:
    response: HttpResponse
    expires: int


class ResponseCache:
    """One node's shared response cache (``caching.go responseCache``), keyed by method and URL."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: dict[tuple[str, str], _Entry] = {}

    def get(self, request: HttpRequest, now: int) -> tuple[HttpResponse, int] | None:
        """A fresh stored response to ``request`` and its expiry, or None (``responseCache.get``)."""
        self._drop_expired(now)
        entry = self._entries.get((request.method.upper(), request.url))
        return (entry.response, entry.expires) if entry is not None else None

    def store(self, request: HttpRequest, response: HttpResponse, now: int) -> int | None:
        """Keep ``response`` if the rules allow it; return its expiry (``cacheResponse``, ``insert``)."""
        expires = expiry(request, response, now)
        size = len(response.body.encode("utf-8", "surrogatepass"))
        if expires is None or expires <= now or size > self.max_bytes:
            return None
        while self._entries and self._size() + size >= self.max_bytes:
            del self._entries[min(self._entries, key=lambda k: self._entries[k].expires)]  # pop()
        self._entries[(request.method.upper(), request.url)] = _Entry(response, expires)
        return expires

    def clear(self) -> None:
        """Forget every entry (a node restart)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _size(self) -> int:
        return sum(len(e.response.body.encode("utf-8", "surrogatepass")) for e in self._entries.values())

    def _drop_expired(self, now: int) -> None:
        """``removeExpiredEntries``: an entry is stale once its expiry has passed (simulated seconds)."""
        for key in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[key]
