"""Hypothesis strategies for hostile HTTP requests to every route of a built world.

A ``Catalogue`` lists every route of every party in a world (on each of the party's
hosts, so a node's internal routes are tried on its public host too), and the requests a
good run of the same seed sent to each route: those are the templates the strategies
mutate, so a mutation reaches past the first parameter check. Keys come from the world
itself, so a JWT with hostile claims can carry a valid signature and reach the claim
checks behind the signature check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from hypothesis import strategies as st

from nutssim import jose, scenarios
from nutssim.jose import KeyPair
from nutssim.messages import FORM, JSON, HttpRequest, HttpResponse
from nutssim.parties.base import MAX_BODY_BYTES, Party
from nutssim.scenarios import World

SENDER = "fuzzer"
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get", "TRACE", "G\u00c9T", "")
PARAM_NAMES = (
    "grant_type", "assertion", "presentation_submission", "scope", "client_id", "code", "code_verifier",
    "redirect_uri", "state", "nonce", "error", "error_description", "vp_token", "request", "request_uri",
    "request_uri_method", "response_type", "response_mode", "token", "wallet_owner_type", "client_id_scheme",
    "code_challenge", "code_challenge_method", "authorization_server", "credentials", "dpop_proof",
)  # fmt: skip
CONTENT_TYPES = (
    None, FORM, JSON, "text/plain", "application/jwt", "multipart/form-data; boundary=x",
    f"{FORM}; charset=utf-16", "APPLICATION/JSON", "application/problem+json", "json", "\u00e9/\x00",
)  # fmt: skip


@dataclass(frozen=True)
class Target:
    """One route of one party on one of its hosts."""

    party: str
    origin: str
    method: str
    template: str


@dataclass
class Catalogue:
    """What the strategies draw from: routes, template requests, path values, JWTs and keys."""

    targets: list[Target]
    templates: dict[Target, list[HttpRequest]] = field(default_factory=dict)
    path_values: dict[str, list[str]] = field(default_factory=dict)
    jwts: list[str] = field(default_factory=list)
    keys: dict[str, KeyPair] = field(default_factory=dict)

    def for_target(self, target: Target) -> list[HttpRequest]:
        """Template requests of ``target`` (or of the same route on another host)."""
        same = self.templates.get(target)
        if same:
            return same
        return [
            r
            for t, rs in self.templates.items()
            if (t.party, t.method, t.template) == (target.party, target.method, target.template)
            for r in rs
        ]


def catalogue(world: World, templates: list[HttpRequest]) -> Catalogue:
    """The catalogue of ``world``; ``templates`` are requests a good run of the same seed sent."""
    targets: set[Target] = set()
    for party in world.sim.parties:
        for route in party._routes:
            for origin in party.hosts:
                targets.add(Target(party.id, origin, route.method, route.template))
    cat = Catalogue(sorted(targets, key=lambda t: (t.party, t.origin, t.template, t.method)))
    for request in templates:
        party = world.sim.network.party_at(request.url)
        route, params, _ = party.match(request) if party else (None, {}, [])
        if party is None or route is None:
            continue
        target = Target(party.id, request.origin, route.method, route.template)
        if target not in cat.targets:
            cat.targets.append(target)
        cat.templates.setdefault(target, []).append(request)
        for name, value in params.items():
            known = cat.path_values.setdefault(name, [])
            if value not in known:
                known.append(value)
        cat.jwts.extend(t for t in _jwts_in(request) if t not in cat.jwts)
    for party in world.sim.parties:
        cat.keys.update(_keys_of(party))
    return cat


def template_requests(name: str, seed: int, profile: Any) -> list[HttpRequest]:
    """Every request of finished runs of scenario ``name`` (with and without DPoP)."""
    out: list[HttpRequest] = []
    for dpop in (True, False):
        world = scenarios.run(name, seed=seed, profile=profile, dpop=dpop)
        out += [x.request for x in world.sim.trace.exchanges]
    return out


def _keys_of(party: Party) -> dict[str, KeyPair]:
    """Signing keys of a party's DIDs and of its users' session wallets, by kid and by thumbprint."""
    identities = list(getattr(party, "identities", {}).values())
    sessions = getattr(party, "user_sessions", None)
    if sessions is not None:
        identities += [sessions.get(sid, 0).identity for sid in sessions if sessions.get(sid, 0) is not None]
    out: dict[str, KeyPair] = {}
    for identity in identities:
        for key in identity.keys:
            out[key.thumbprint()] = key
            if key.kid:
                out[key.kid] = key
    return out


def tokens_in(message: HttpRequest | HttpResponse) -> list[str]:
    """Compact JWTs in a request (headers, query, form, JSON members) or a response (body, members)."""
    if isinstance(message, HttpRequest):
        return list(_jwts_in(message))
    body = message.json
    values = [message.body.strip()] + (list(body.values()) if isinstance(body, dict) else [])
    return [v for v in values if isinstance(v, str) and _JWT.match(v)]


def _jwts_in(request: HttpRequest) -> Iterator[str]:
    values = [v for _, v in request.headers] + [v for _, v in request.query_pairs]
    values += [v for _, v in request.form_pairs]
    body = request.json
    if isinstance(body, dict):
        values += [v for v in body.values() if isinstance(v, str)]
    for value in values:
        value = value.split(" ")[-1]
        if _JWT.match(value):
            yield value


# -- values ---------------------------------------------------------------------------------------------

#: Stands for an integer with more digits than ``int()`` converts by default (``dumps`` writes it out).
HUGE_INT = "\u2063huge-int\u2063"
_HUGE_DIGITS = "9" * 5000
EXTREME_NUMBERS = (
    0, -1, 2**31, 2**63, -(2**63), 2**64 + 1, 10**30, HUGE_INT, 1e308, -1e308, 1e-320,
    float("nan"), float("inf"), float("-inf"), 0.5, True, False,
)  # fmt: skip

unicode_text = st.text(st.characters(codec="utf-8"), max_size=40)

# Grammar-based values for the parsers that faults were found in (issue #18 item 6): each is
# valid-looking at a glance and wrong (or costly) in one way a parser must catch.
HOSTILE_URLS = (
    "https://[::1/x", "https://[::1]:99999/", "https://host.example:abc/", "https:///no-host",
    "//evil.example/x", "https://host.example:0/", "HTTPS://HOST.EXAMPLE/%72", "https://host.example/a/../b",
    "http://host.example:8443/", "wss://host.example:1/", "https://user@host.example/", "https://host.example\\@evil.example/",
)  # fmt: skip
HOSTILE_DATES = (
    "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-01:00", "2024-02-30T00:00:00Z", "2024-01-01T24:00:00Z",
    "2024-01-01T00:00:60Z", "+002024-01-01T00:00:00Z", "2024-01-01T00:00:00.9999999999999999999Z",
    "2024-01-01", "1970-01-01T00:00:00+24:00", "99999-01-01T00:00:00Z",
)  # fmt: skip
HOSTILE_PATTERNS = (
    "^(?:.{0,10}){0,10}X", "(a+)+$", "(a|aa)+$", "(?<=a)b", "(a)\\1", "[", "(?<n>a)(?<n>b)", "^(.*){1,1000}$",
    "(?:a*)*b", "\\p{L}+",
)  # fmt: skip
HOSTILE_JSONPATHS = (
    "$..*",
    "$[?(@.a)]",
    "$..[?@.x]",
    "$['a']['b']..c",
    "$[0:1000000:1]",
    "$[-1]",
    "$.a.b.c.d.e.f",
)


def blank_node_clique(size: int) -> str:
    """A JSON-LD graph of ``size`` linked blank nodes: URDNA2015's exponential case."""
    knows = "https://schema.org/knows"
    nodes = [
        {"@id": f"_:b{i}", knows: [{"@id": f"_:b{j}"} for j in range(size) if j != i]} for i in range(size)
    ]
    return json.dumps({"@graph": nodes})


grammar_text = st.sampled_from(
    [*HOSTILE_URLS, *HOSTILE_DATES, *HOSTILE_PATTERNS, *HOSTILE_JSONPATHS, "9" * 5000, "1e400", '"\\ud800"']
)
control_text = st.text(
    st.sampled_from('\x00\x01\x1b\x7f\r\n\t\u2028\u202e\ufeff\ud7ff%/?#&=;," '), max_size=12
)
weird_text = st.one_of(
    unicode_text,
    control_text,
    grammar_text,
    st.sampled_from(
        ["", " ", "%", "%ZZ", "%FF%FE", "..", "../../etc/passwd", "a" * 3000, "null", "[]", "{}", "0", "-1",
         "did:web:hospital.example", "did:jwk:", "did:web:%00", "openid4vp://", "https://", "javascript:x",
         "https://evil.example/cb", "DPoP", "Bearer", "S256", "plain", "vp_token", "code"]
    ),
)  # fmt: skip

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from(EXTREME_NUMBERS),
    st.floats(),
    unicode_text,
)
json_values = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(unicode_text, inner, max_size=4),
    max_leaves=16,
)


def dumps(value: Any) -> str:
    """JSON text as a sloppy sender writes it: NaN and Infinity allowed, huge integers verbatim."""
    return json.dumps(value, ensure_ascii=False, allow_nan=True).replace(f'"{HUGE_INT}"', _HUGE_DIGITS)


json_texts = st.one_of(
    json_values.map(dumps),
    st.sampled_from(
        [
            "[" * 5000,
            '{"a":' * 3000,
            "NaN",
            "1e99999",
            "1e400",
            '{"a": "\\ud800"}',
            _HUGE_DIGITS,
            '{"a":1,"a":2}',
            "\ufeff{}",
            blank_node_clique(8),
        ]
    ),
)


def b64(text: str | bytes) -> str:
    """base64url without padding."""
    return jose.jws._json_b64(text.encode() if isinstance(text, str) else text)


@st.composite
def garbage_jwts(draw: st.DrawFn, cat: Catalogue) -> str:
    """Compact-JWS-looking garbage: bad parts, non-object JSON, truncations, alg none."""
    kind = draw(st.integers(0, 6))
    if kind == 0 and cat.jwts:  # a real token cut short or with one character changed
        token = draw(st.sampled_from(cat.jwts))
        cut = draw(st.integers(0, len(token)))
        return (
            token[:cut]
            if draw(st.booleans())
            else token[:cut] + draw(st.sampled_from("A_-.=+/ ")) + token[cut + 1 :]
        )
    if kind == 1:
        return ".".join(draw(st.lists(st.text("ABCxyz019-_=", max_size=12), min_size=1, max_size=5)))
    if kind == 2:  # header and payload that decode but are not what a JOSE reader expects
        header, payload = draw(json_texts), draw(json_texts)
        return f"{b64(header)}.{b64(payload)}.{b64(draw(st.binary(max_size=70)))}"
    if kind == 3:  # unsigned
        payload = draw(st.dictionaries(unicode_text, json_values, max_size=5))
        alg = draw(st.sampled_from(["none", "None", "", "HS256"]))
        return f"{b64(dumps({'alg': alg}))}.{b64(dumps(payload))}."
    if kind == 4 and cat.jwts:  # a real token's parts swapped between tokens
        a, b = draw(st.sampled_from(cat.jwts)).split("."), draw(st.sampled_from(cat.jwts)).split(".")
        return ".".join([a[0], b[1], a[2]])
    if kind == 5:  # invalid UTF-8 in a part
        return b64(b"\xff\xfe{") + "." + b64(b"\xc3(") + ".AA"
    return draw(weird_text)


CLAIM_NAMES = (
    "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "nonce", "vp", "vc", "htm", "htu", "ath", "client_id",
    "state", "response_type", "cnf", "verifiableCredential", "credentialSubject", "type", "@context", "proof",
)  # fmt: skip


def mutate_claims(draw: st.DrawFn, claims: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """Change, delete or add claims (nested in vp/vc too) with hostile values."""
    out = dict(claims)
    for _ in range(draw(st.integers(1, 3))):
        keys = list(out)
        action = draw(st.integers(0, 3))
        if keys and action == 0:
            out.pop(draw(st.sampled_from(keys)))
        elif keys and action == 1 and depth < 2:
            key = draw(st.sampled_from(keys))
            if isinstance(out[key], dict):
                out[key] = mutate_claims(draw, out[key], depth + 1)
            elif isinstance(out[key], list) and out[key] and isinstance(out[key][0], dict):
                out[key] = [mutate_claims(draw, out[key][0], depth + 1), *out[key][1:]]
            elif isinstance(out[key], str) and ".." in out[key]:  # a detached JWS (JSON-LD proof)
                out[key] = hostile_detached_jws(draw, out[key])
            else:
                out[key] = draw(json_values)
        elif keys and action == 2:
            out[draw(st.sampled_from(keys))] = draw(json_values)
        else:
            out[draw(st.sampled_from(CLAIM_NAMES))] = draw(json_values)
    return out


jose_headers = st.tuples(
    st.sampled_from(["ES256", "none", "HS256", ""]) | json_values,
    st.sampled_from(["b64", "crit", "kid", "alg", "x"]),
    st.sampled_from(EXTREME_NUMBERS) | json_values,
).map(lambda t: dumps({"alg": t[0], "b64": False, "crit": ["b64"], t[1]: t[2]}))


def hostile_detached_jws(draw: st.DrawFn, jws: str) -> str:
    """A detached JWS (``header..signature``) with a hostile header, or cut short."""
    header, _, signature = jws.partition("..")
    kind = draw(st.integers(0, 3))
    if kind <= 1:
        return f"{b64(draw(jose_headers if kind == 0 else json_texts))}..{signature}"
    if kind == 2:
        return jws[: draw(st.integers(0, len(jws)))]
    return f"{header}..{draw(st.sampled_from(['', 'AA', signature[:-2], signature + 'A']))}"


@st.composite
def resigned_jwts(draw: st.DrawFn, cat: Catalogue) -> str:
    """A real token with hostile claims or headers, signed again with the key its kid names."""
    if not cat.jwts:
        return draw(garbage_jwts(cat))
    try:
        token = jose.decode(draw(st.sampled_from(cat.jwts)))
    except jose.JoseError:
        return draw(garbage_jwts(cat))
    header, payload = dict(token.header), dict(token.payload)
    if draw(st.booleans()):
        payload = mutate_claims(draw, payload)
    else:
        header = mutate_claims(draw, header)
    jwk = header.get("jwk")
    kid = jose.thumbprint(jwk) if isinstance(jwk, dict) and _is_jwk(jwk) else str(header.get("kid", ""))
    key = cat.keys.get(kid)
    if key is None or draw(st.integers(0, 5)) == 0:
        key = (
            draw(st.sampled_from(sorted(cat.keys.values(), key=lambda k: k.kid or ""))) if cat.keys else None
        )
    if key is None:
        return draw(garbage_jwts(cat))
    header.pop("alg", None)
    encoded_payload = b64(dumps(payload))
    full = {"alg": key.alg, **header}
    signing_input = f"{b64(dumps(full))}.{encoded_payload}"
    return f"{signing_input}.{b64(key.sign(signing_input.encode('ascii')))}"


def _is_jwk(jwk: dict[str, Any]) -> bool:
    try:
        jose.thumbprint(jwk)
    except Exception:
        return False
    return True


def jwt_values(cat: Catalogue) -> st.SearchStrategy[str]:
    """Any hostile token."""
    return st.one_of(garbage_jwts(cat), resigned_jwts(cat))


def param_values(cat: Catalogue) -> st.SearchStrategy[str]:
    """A hostile value for a form or query parameter."""
    return st.one_of(
        weird_text,
        json_texts,
        jwt_values(cat),
        st.sampled_from(EXTREME_NUMBERS).map(lambda v: _HUGE_DIGITS if v == HUGE_INT else str(v)),
    )


# -- requests -------------------------------------------------------------------------------------------


def synthetic(draw: st.DrawFn, cat: Catalogue, target: Target) -> HttpRequest:
    """A request for ``target`` when no good run sent one: path values from the runs, or made up."""

    def fill(match: re.Match[str]) -> str:
        known = cat.path_values.get(match.group(1), [])
        if known and draw(st.booleans()):
            return draw(st.sampled_from(known))
        return quote(draw(weird_text), safe="") or "x"

    path = re.sub(r"\{([a-z_]+)\}", fill, target.template)
    headers: tuple[tuple[str, str], ...] = ()
    body = ""
    if target.method == "POST":
        if draw(st.booleans()):
            headers, body = (("Content-Type", JSON),), draw(json_texts)
        else:
            pairs = draw(st.lists(st.tuples(st.sampled_from(PARAM_NAMES), param_values(cat)), max_size=5))
            headers, body = (("Content-Type", FORM),), urlencode(pairs)
    return HttpRequest(target.method, f"{target.origin}{path}", headers, body)


Mutation = Callable[[st.DrawFn, HttpRequest, Catalogue], HttpRequest]


def m_method(draw: st.DrawFn, request: HttpRequest, cat: Catalogue) -> HttpRequest:
    """Another (or an invalid) method."""
    return replace(request, method=draw(st.sampled_from(METHODS)))


def _pairs(request: HttpRequest, where: str) -> list[tuple[str, str]]:
    if where == "query":
        return request.query_pairs
    return parse_qsl(request.body, keep_blank_values=True) if request.content_type == FORM else []


def _with_pairs(request: HttpRequest, where: str, pairs: list[tuple[str, str]]) -> HttpRequest:
    if where == "query":
        scheme, netloc, path, _, fragment = urlsplit(request.url)
        return replace(request, url=urlunsplit((scheme, netloc, path, urlencode(pairs), fragment)))
    return replace(request, body=urlencode(pairs))


def m_params(draw: st.DrawFn, request: HttpRequest, cat: Catalogue) -> HttpRequest:
    """Drop, duplicate, add or change one form or query parameter."""
    where = "form" if request.content_type == FORM and draw(st.booleans()) else "query"
    pairs = _pairs(request, where)
    action = draw(st.integers(0, 3))
    if pairs and action == 0:
        del pairs[draw(st.integers(0, len(pairs) - 1))]
    elif pairs and action == 1:
        index = draw(st.integers(0, len(pairs) - 1))
        value = pairs[index][1] if draw(st.booleans()) else draw(param_values(cat))
        pairs.insert(draw(st.integers(0, len(pairs))), (pairs[index][0], value))
    elif pairs and action == 2:
        index = draw(st.integers(0, len(pairs) - 1))
        value = pairs[index][1]
        new = draw(jwt_values(cat)) if _JWT.match(value) and draw(st.booleans()) else draw(param_values(cat))
        pairs[index] = (pairs[index][0], new)
    else:
        pairs.append((draw(st.sampled_from(PARAM_NAMES) | unicode_text), draw(param_values(cat))))
    return _with_pairs(request, where, pairs)


def m_json_param(draw: st.DrawFn, request: HttpRequest, cat: Catalogue) -> HttpRequest:
    """A parameter holding JSON (a JSON-LD VP, a submission, wallet metadata) with members changed."""
    for where in ("form", "query"):
        pairs = _pairs(request, where)
        found = [i for i, (_, v) in enumerate(pairs) if v.lstrip()[:1] in ("{", "[")]
        if not found:
            continue
        index = draw(st.sampled_from(found))
        try:
            value = json.loads(pairs[index][1])
        except (ValueError, RecursionError):
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = [mutate_claims(draw, value[0]), *value[1:]]
        elif isinstance(value, dict):
            value = mutate_claims(draw, value)
        pairs[index] = (pairs[index][0], dumps(value))
        return _with_pairs(request, where, pairs)
    return m_params(draw, request, cat)


def m_json(draw: st.DrawFn, request: HttpRequest, cat: Catalogue) -> HttpRequest:
    """A JSON body: random, or the template's with one member changed or removed."""
    body = request.json
    if isinstance(body, dict) and body and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(body)))
        changed = dict(body)
        if draw(st.booleans()):
            del changed[key]
        else:
            changed[key] = draw(json_values | param_values(cat))
        text = dumps(changed)
    else:
        text = draw(json_texts)
    return replace(request, headers=_set(request.headers, "Content-Type", JSON), body=text)


def m_body(draw: st.DrawFn, request: HttpRequest, cat: Catalogue) -> HttpRequest:
    """A body that is not what the route reads: text, a JWT, a huge body around the 1 MiB limit."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        size = MAX_BODY_BYTES + draw(st.sampled_from([-1, 0, 1, 1000]))
        filler = draw(st.sampled_from(["a", "é", "grant_type=x&"]))
        text = (filler * (size // len(filler.encode()) + 1)).encode()[:size].decode("utf-8", "ignore")
        return replace(request, body=text)
    if kind == 1:
        return replace(request, body=draw(jwt_values(cat)))
    return replace(request, body=draw(unicode_text | control_text))


def m_content_type(draw: st.DrawFn, request: HttpRequest, cat: Catalogue) -> HttpRequest:
    """A missing, wrong, odd or repeated Content-Type."""
    value = draw(st.sampled_from(CONTENT_TYPES))
    headers = _set(request.headers, "Content-Type", value)
    if value is not None and draw(st.integers(0, 4)) == 0:
        headers = (*headers, ("content-type", draw(st.sampled_from([FORM, JSON, "text/html"]))))
    return replace(request, headers=headers)


def m_headers(draw: st.DrawFn, request: HttpRequest, cat: Catalogue) -> HttpRequest:
    """Hostile DPoP, Authorization, Cookie or Accept headers (repeated, control characters, tokens)."""
    name = draw(st.sampled_from(["DPoP", "Authorization", "Cookie", "Accept", "Cache-Control", "X-\u00e9"]))
    if name == "Authorization":
        scheme = draw(st.sampled_from(["DPoP", "Bearer", "bearer", "Basic", "", "DPoP  "]))
        value = f"{scheme} {draw(param_values(cat))}"
    elif name == "DPoP":
        value = draw(jwt_values(cat))
    elif name == "Cookie":
        value = draw(
            st.sampled_from(["__Secure-SID=", "__Secure-SID", "=;=;", "a=b; __Secure-SID=x"]) | weird_text
        )
    elif name == "Accept":
        value = draw(st.sampled_from([JSON, "text/html", "*/*", "", "application/json;q=0"]))
    else:
        value = draw(weird_text)
    if draw(st.booleans()):
        return replace(request, headers=(*request.headers, (name, value)))
    return replace(request, headers=_set(request.headers, name, value))


def m_url(draw: st.DrawFn, request: HttpRequest, cat: Catalogue) -> HttpRequest:
    """Unicode, control characters and percent-encoding garbage in the path or the query."""
    scheme, netloc, path, query, fragment = urlsplit(request.url)
    kind = draw(st.integers(0, 3))
    if kind == 0:
        segments = path.split("/")
        index = draw(st.integers(0, len(segments) - 1))
        segments[index] = draw(weird_text).replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
        path = "/".join(segments)
    elif kind == 1:
        path = path + draw(st.sampled_from(["/", "//", "/..", "%00", ";x", "/\u00e9"]))
    elif kind == 2:
        query = draw(unicode_text | control_text | st.sampled_from(["&&&", "=", "a=%", "%%%", "a=1&a=2"]))
    else:
        fragment = draw(unicode_text)
    return replace(request, url=urlunsplit((scheme, netloc, path, query, fragment)))


MUTATIONS: tuple[Mutation, ...] = (
    m_method, m_params, m_params, m_json_param, m_json, m_body, m_content_type, m_headers, m_url,
)  # fmt: skip


def _set(headers: tuple[tuple[str, str], ...], name: str, value: str | None) -> tuple[tuple[str, str], ...]:
    kept = tuple((k, v) for k, v in headers if k.lower() != name.lower())
    return kept if value is None else (*kept, (name, value))


@st.composite
def requests(draw: st.DrawFn, cat: Catalogue) -> HttpRequest:
    """A hostile request to one route: a good run's request (or a made-up one), mutated 0–3 times."""
    templated = sorted(cat.templates, key=lambda t: (t.party, t.origin, t.template, t.method))
    target = draw(st.sampled_from(templated if templated and draw(st.integers(0, 2)) else cat.targets))
    templates = cat.for_target(target)
    if templates and draw(st.integers(0, 4)) > 0:
        request = draw(st.sampled_from(templates))
        request = replace(request, url=target.origin + request.url[len(request.origin) :])
    else:
        request = synthetic(draw, cat, target)
    for _ in range(draw(st.integers(0, 3))):
        request = draw(st.sampled_from(MUTATIONS))(draw, request, cat)
    return request


def hostile(cat: Catalogue) -> st.SearchStrategy[HttpRequest]:
    """Mutated requests, and templates with re-signed hostile tokens or bent JSON-LD proofs."""
    strategies = [requests(cat)]
    if any(True for rs in cat.templates.values() for r in rs for _ in _jwts_in(r)):
        strategies.append(signed_requests(cat))
    if any(_proofs_in(r) for rs in cat.templates.values() for r in rs):
        strategies.append(proof_requests(cat))
    return st.one_of(strategies)


def _proofs_in(request: HttpRequest) -> list[tuple[int, list[Any]]]:
    """(form index, path to a ``proof`` object) of JSON-LD proofs in a request's form values."""
    found = []
    for index, (_, value) in enumerate(_pairs(request, "form")):
        if value.lstrip()[:1] != "{":
            continue
        try:
            document = json.loads(value)
        except (ValueError, RecursionError):
            continue
        found += [(index, path) for path in _proof_paths(document, [])]
    return found


def _proof_paths(node: Any, path: list[Any]) -> Iterator[list[Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "proof" and isinstance(value, dict):
                yield [*path, key]
            elif len(path) < 4:
                yield from _proof_paths(value, [*path, key])
    elif isinstance(node, list):
        for i, value in enumerate(node[:4]):
            yield from _proof_paths(value, [*path, i])


@st.composite
def proof_requests(draw: st.DrawFn, cat: Catalogue) -> HttpRequest:
    """A good run's request whose JSON-LD proof (of the VP or an embedded VC) was bent: jws or members."""
    carrying = [r for rs in cat.templates.values() for r in rs if _proofs_in(r)]
    request = draw(st.sampled_from(carrying))
    index, path = draw(st.sampled_from(_proofs_in(request)))
    pairs = _pairs(request, "form")
    document = json.loads(pairs[index][1])
    proof: Any = document
    for step in path:
        proof = proof[step]
    if draw(st.integers(0, 2)) and isinstance(proof.get("jws"), str):
        proof["jws"] = hostile_detached_jws(draw, proof["jws"])
    else:
        proof.update(mutate_claims(draw, dict(proof)))
    pairs[index] = (pairs[index][0], dumps(document))
    return _without_dpop(draw, _with_pairs(request, "form", pairs))


def _without_dpop(draw: st.DrawFn, request: HttpRequest) -> HttpRequest:
    """Sometimes drop the DPoP header: a replayed proof's jti stops strict checks before the ones behind."""
    return replace(request, headers=_set(request.headers, "DPoP", None)) if draw(st.booleans()) else request


@st.composite
def signed_requests(draw: st.DrawFn, cat: Catalogue) -> HttpRequest:
    """A good run's request with one of its tokens replaced by a re-signed token with hostile claims."""
    carrying = [r for rs in cat.templates.values() for r in rs if any(True for _ in _jwts_in(r))]
    request = draw(st.sampled_from(carrying))
    token = draw(st.sampled_from(list(_jwts_in(request))))
    hostile = draw(resigned_jwts(replace(cat, jwts=[token])))
    headers = tuple((k, v.replace(token, hostile)) for k, v in request.headers)
    changed = replace(request, url=request.url.replace(token, hostile), headers=headers,
                      body=request.body.replace(token, hostile))  # fmt: skip
    return changed if request.header("DPoP") == token else _without_dpop(draw, changed)


# -- responses (a hostile peer answering a party's own requests) ------------------------------------------

STATUSES = (
    200, 200, 200, 201, 204, 301, 302, 303, 400, 401, 403, 404, 405, 413, 429, 500, 502, 503, 504, 100, 599,
)  # fmt: skip


@st.composite
def responses(draw: st.DrawFn, cat: Catalogue, template: HttpResponse) -> HttpResponse:
    """The response a good peer gave, made hostile: status, body, members, headers or tokens changed."""
    response = template
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.integers(0, 5))
        if kind == 0:
            response = replace(response, status=draw(st.sampled_from(STATUSES)))
        elif kind == 1 and isinstance(response.json, dict | list):
            value = response.json
            if isinstance(value, dict):
                value = mutate_claims(draw, value)
            elif value and isinstance(value[0], dict):
                value = [mutate_claims(draw, value[0]), *value[1:]]
            response = replace(response, body=dumps(value))
        elif kind == 2 and _JWT.match(response.body.strip()):
            cut = replace(cat, jwts=[response.body.strip()])
            response = replace(response, body=draw(st.one_of(resigned_jwts(cut), garbage_jwts(cut))))
        elif kind == 3:
            response = replace(response, body=draw(json_texts | weird_text | jwt_values(cat)))
        elif kind == 4:
            value = draw(st.sampled_from(CONTENT_TYPES))
            response = replace(response, headers=_set(response.headers, "Content-Type", value))
        else:
            name = draw(st.sampled_from(["Location", "Set-Cookie", "Cache-Control", "WWW-Authenticate"]))
            value = draw(
                weird_text | st.sampled_from(["openid4vp://x", "/relative", "https://evil.example/"])
            )
            response = replace(response, headers=_set(response.headers, name, value))
    return response
