"""json-gold v0.8.0's quad sanitising: the IRI and language-tag checks of ``GraphToRDF``.

json-gold ``ld/rdf_dataset.go GraphToRDF`` ends by dropping every quad for which
``Quad.Valid`` fails: a subject, predicate, object or graph IRI (or a literal's datatype)
that ``validIRI`` refuses, or a literal whose language tag does not match
``validLanguageRegex``. ``validIRI`` refuses only ``http://``/``https://`` IRIs that
``IsURL`` (govalidator's URL check, copied into json-gold) refuses: Go's ``url.Parse``
must accept the text and the host must not start with a dot, then the URL pattern must
match. pyld keeps these quads, so a signed document's canonical form (and hash) differs:
under json-gold a statement with such an IRI is not signed at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nutssim.specs.pex.regex import linear_engine

#: ``rdf_dataset.go validLanguageRegex`` (Go's ``$`` is the end of the text: ``fullmatch``).
_LANGUAGE = re.compile(r"[a-zA-Z]+(-[a-zA-Z0-9]+)*", re.ASCII)

# The parts of ``rdf_dataset.go`` ``URL`` (govalidator). Two sub-patterns are written in an
# equivalent unambiguous form so Python's backtracking stays polynomial on hostile input:
# ``([X]+-?-?)*[X]+`` is "X runs joined by one or two hyphens", ``[A]+([-_.]?[A])*`` is
# "A runs joined by single separators".
_IP6 = (
    r"(([0-9a-fA-F]{1,4}:){7,7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}"
    r"|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}"
    r"|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}"
    r"|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:)|fe80:(:[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,}"
    r"|::(ffff(:0{1,4}){0,1}:){0,1}((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])"
    r"|([0-9a-fA-F]{1,4}:){1,4}:((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9]))"
)
_SCHEMA = r"((ftp|tcp|udp|wss?|https?):\/\/)"
_USERNAME = r"(\S+(:\S*)?@)"
_PATH = r"((\/|\?|#)[^\s]*)"
_PORT = r"(:(\d{1,5}))"
_IP4 = (
    r"([1-9]\d?|1\d\d|2[01]\d|22[0-3])(\.(1?\d{1,2}|2[0-4]\d|25[0-5])){2}"
    r"(?:\.([0-9]\d?|1\d\d|2[0-4]\d|25[0-4]))"
)
_SUBDOMAIN = r"((www\.)|([a-zA-Z0-9]+(?:[-_\.][a-zA-Z0-9]+)*[a-zA-Z0-9]\.[a-zA-Z0-9]+))"
_WIDE = r"\x{00a1}-\x{ffff}"  # Go/RE2 syntax; Python's re reads it as \u00a1-\uffff
_LABEL = "a-zA-Z" + _WIDE + "0-9"
_URL_SYNTAX = (
    _SCHEMA + "?" + _USERNAME + "?" + "((" + _IP4 + r"|(\[" + _IP6 + r"\])"
    r"|(([a-zA-Z0-9]([a-zA-Z0-9-_]+)?[a-zA-Z0-9]([-\.][a-zA-Z0-9]+)*)|(" + _SUBDOMAIN + "?))?"
    "([" + _LABEL + "]+(?:--?[" + _LABEL + "]+)*)"
    r"(?:\.([a-zA-Z" + _WIDE + r"]{1,}))?))\.?" + _PORT + "?" + _PATH + "?"
)


def _compile_url() -> Any:
    """The URL pattern on RE2 (Go's engine: linear time), or on Python's re without it (Pyodide)."""
    engine = linear_engine()
    if engine is not None:
        return engine.compile(_URL_SYNTAX)
    return re.compile(_URL_SYNTAX.replace(_WIDE, "\u00a1-\uffff"), re.ASCII)


_URL = _compile_url()
#: rdf_dataset.go maxURLRuneCount: the reference's rule, not a bound of nutssim (so not in limits.TABLE)
_URL_RUNE_CEILING = 2083
_MIN_URL_LENGTH = 3  # minURLRuneCount (compared with the byte length, as Go's len does)
_HEX = frozenset("0123456789abcdefABCDEF")
_USERINFO_OK = frozenset("-._:~!$&'()*+,;=%@")
_HOST_OK = frozenset("-_.~!$&'()*+,;=:[]<>\"")


def valid_language(tag: str) -> bool:
    """``rdf_dataset.go InvalidNode``'s language test: the tag matches ``validLanguageRegex``."""
    return _LANGUAGE.fullmatch(tag) is not None


def valid_iri(value: str) -> bool:
    """``rdf_dataset.go validIRI``: only an http(s) IRI is checked, by ``IsURL``."""
    if not (value.startswith("http://") or value.startswith("https://")):
        return True
    return is_url(value)


def is_url(text: str) -> bool:
    """``rdf_dataset.go IsURL`` for a text that starts with ``http(s)://``."""
    if len(text) >= _URL_RUNE_CEILING or len(text.encode("utf-8", "surrogatepass")) <= _MIN_URL_LENGTH:
        return False
    parsed = _go_url_parse(text)
    if parsed is None:
        return False
    host, path = parsed
    if host.startswith(".") or (host == "" and path != "" and "." not in path):
        return False
    return _URL.fullmatch(text) is not None


def valid_quad(triple: Mapping[str, Any], graph: str | None = None) -> bool:
    """``rdf_dataset.go Quad.Valid`` for a pyld triple (and its graph name, if named)."""
    nodes = [triple.get("subject"), triple.get("predicate"), triple.get("object")]
    if graph is not None and graph != "@default":
        nodes.append({"type": "blank node" if graph.startswith("_:") else "IRI", "value": graph})
    return not any(_invalid_node(node) for node in nodes if isinstance(node, Mapping))


def _invalid_node(node: Mapping[str, Any]) -> bool:
    """``rdf_dataset.go InvalidNode``: a bad IRI, language tag or datatype IRI."""
    kind, value = node.get("type"), node.get("value")
    if kind == "IRI":
        return isinstance(value, str) and not valid_iri(value)
    if kind == "literal":
        language, datatype = node.get("language"), node.get("datatype")
        if isinstance(language, str) and language and not valid_language(language):
            return True
        return isinstance(datatype, str) and bool(datatype) and not valid_iri(datatype)
    return False


def _go_url_parse(text: str) -> tuple[str, str] | None:
    """Go's ``net/url.Parse`` for an ``http(s)://`` text: (host with port, path), or None on error.

    Reproduces the checks ``url.Parse`` makes on such a text: no ASCII control byte
    (``stringContainsCTLByte``), valid ``%XX`` escapes in path and fragment (``unescape``),
    user info characters (``validUserinfo``), host characters and port digits
    (``parseHost``, ``validOptionalPort``). The query is not checked, as Go keeps it raw.
    """
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return None
    rest, _, fragment = text.partition("#")
    rest = rest.partition("?")[0]
    after_scheme = rest.split("://", 1)[1]
    authority, slash, path = after_scheme.partition("/")
    path = slash + path
    if not (_escapes_ok(path) and _escapes_ok(fragment)):
        return None
    userinfo, at, host = authority.rpartition("@")
    if at and not (
        all((c.isascii() and c.isalnum()) or c in _USERINFO_OK for c in userinfo) and _escapes_ok(userinfo)
    ):
        return None
    return (host, path) if _host_ok(host) else None


def _escapes_ok(part: str) -> bool:
    """Every ``%`` starts a two-hex-digit escape (``net/url unescape``)."""
    i = part.find("%")
    while i >= 0:
        if part[i + 1 : i + 2] not in _HEX or part[i + 2 : i + 3] not in _HEX:
            return False
        i = part.find("%", i + 3)
    return True


def _host_ok(host: str) -> bool:
    """``net/url parseHost`` + ``unescape(host, encodeHost)``: bracketed literal or name, port digits."""
    if host.startswith("["):
        close = host.find("]")
        if close < 0:
            return False
        name, port = host[: close + 1], host[close + 1 :]
    else:
        colon = host.rfind(":")
        name, port = (host[:colon], host[colon:]) if colon >= 0 else (host, "")
    if port and not (port.startswith(":") and port[1:].isascii() and (port[1:].isdigit() or port == ":")):
        return False
    for i, c in enumerate(name):
        if c == "%":
            escape = name[i : i + 3]
            if not _escapes_ok(escape) or (int(escape[1], 16) < 8 and escape != "%25"):
                return False
        elif c.isascii() and not (c.isalnum() or c in _HOST_OK):
            return False
    return True
