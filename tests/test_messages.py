"""Frozen HTTP messages: builders, parsing on demand, copies with changes, trace records."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nutssim.messages import (
    FORM,
    JSON,
    HttpRequest,
    HttpResponse,
    json_response,
    parse_json,
    redirect,
    text_response,
    with_query,
)


def test_get_merges_query_into_url():
    """``HttpRequest.get`` appends query parameters to those already in the URL."""
    request = HttpRequest.get("https://a.example/p?x=1", {"y": "2 3"})
    assert request.method == "GET"
    assert request.url == "https://a.example/p?x=1&y=2+3"
    assert request.query == {"x": "1", "y": "2 3"}
    assert (request.origin, request.path) == ("https://a.example", "/p")


def test_path_defaults_to_slash_and_origin_keeps_port():
    """A URL without path has path ``/``; the origin keeps an explicit port."""
    request = HttpRequest.get("https://a.example:8443")
    assert (request.origin, request.path) == ("https://a.example:8443", "/")


def test_query_pairs_keep_repeats_and_query_takes_first():
    """Repeated query parameters are all in ``query_pairs``; ``query`` keeps the first."""
    request = HttpRequest.get("https://a.example/?s=1&s=2&e=")
    assert request.query_pairs == [("s", "1"), ("s", "2"), ("e", "")]
    assert request.query == {"s": "1", "e": ""}


def test_post_form_encodes_body_and_parses_back():
    """A form POST carries an urlencoded body with its content type, parsed by ``form``."""
    request = HttpRequest.post_form("https://a.example/token", [("a", "1 2"), ("a", "x"), ("b", "&=")])
    assert request.header("content-type") == FORM
    assert request.body == "a=1+2&a=x&b=%26%3D"
    assert request.form_pairs == [("a", "1 2"), ("a", "x"), ("b", "&=")]
    assert request.form == {"a": "1 2", "b": "&="}


def test_form_is_empty_unless_body_is_a_form():
    """A JSON body has no form parameters."""
    request = HttpRequest.post_json("https://a.example/", {"a": 1})
    assert request.form == {}
    assert request.json == {"a": 1}
    assert request.body == '{"a":1}'


def test_headers_are_case_insensitive_and_may_repeat():
    """Header lookups ignore case; ``header_values`` returns every value."""
    response = HttpResponse(200, (("Set-Cookie", "a=1"), ("set-cookie", "b=2")))
    assert response.header("SET-COOKIE") == "a=1"
    assert response.header_values("Set-Cookie") == ["a=1", "b=2"]
    assert response.header("Missing", "dflt") == "dflt"


def test_content_type_drops_parameters_and_case():
    """``content_type`` is the lower-cased media type without parameters."""
    response = HttpResponse(200, (("Content-Type", "Application/JSON; charset=utf-8"),))
    assert response.content_type == "application/json"
    assert HttpResponse(200).content_type == ""


def test_json_is_none_for_empty_invalid_or_too_deep_bodies():
    """``json`` returns None instead of raising for bodies that are not JSON."""
    assert HttpResponse(200, body="").json is None
    assert HttpResponse(200, body="{oops").json is None
    assert HttpResponse(200, body="[" * 200_000).json is None


def test_messages_are_frozen():
    """Messages cannot be changed in place; copies with changes are made instead."""
    request = HttpRequest.get("https://a.example/")
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.url = "https://b.example/"  # type: ignore[misc]


def test_with_headers_replaces_a_header_whatever_its_case():
    """``with_headers`` replaces an existing header even when the name's case differs."""
    request = HttpRequest.get("https://a.example/", headers={"Authorization": "Bearer old"})
    changed = request.with_headers(authorization="DPoP new", X_Extra="1")
    assert changed.header_values("Authorization") == ["DPoP new"]
    assert changed.header("X-Extra") == "1"
    assert request.header("Authorization") == "Bearer old"


def test_with_form_changes_adds_and_removes_fields():
    """``with_form`` replaces, adds and (with None) removes form fields and keeps the rest."""
    request = HttpRequest.post_form("https://a.example/", {"a": "1", "b": "2"})
    changed = request.with_form(a="9", b=None, c="3")
    assert changed.form == {"a": "9", "c": "3"}
    assert changed.header("Content-Type") == FORM
    assert request.form == {"a": "1", "b": "2"}


def test_with_query_changes_the_url_query():
    """``with_query`` replaces, adds and removes query parameters, keeping path and fragment."""
    request = HttpRequest.get("https://a.example/p?x=1&y=2#frag")
    changed = request.with_query(x="9", y=None, z="3")
    assert changed.url == "https://a.example/p?x=9&z=3#frag"


def test_with_query_helper_leaves_url_alone_without_params():
    """The ``with_query`` helper returns the URL unchanged when there is nothing to add."""
    assert with_query("https://a.example/p?x=1", {}) == "https://a.example/p?x=1"
    assert with_query("https://a.example/p?x=1", {"y": "2"}) == "https://a.example/p?x=1&y=2"


def test_request_record_has_form_json_or_text():
    """A request record carries method, url, headers and the body as form, json or text."""
    form = HttpRequest.post_form("https://a.example/", {"a": "1"}).to_record()
    assert form == {
        "method": "POST",
        "url": "https://a.example/",
        "headers": {"Content-Type": FORM},
        "form": {"a": "1"},
    }
    assert HttpRequest.post_json("https://a.example/", [1]).to_record()["json"] == [1]
    text = HttpRequest("POST", "https://a.example/", (("Content-Type", "text/plain"),), "hi").to_record()
    assert text["text"] == "hi"
    assert "text" not in HttpRequest.get("https://a.example/").to_record()


def test_response_record_has_location_and_json_for_json_subtypes():
    """A response record carries status, headers, and json for any ``+json`` type, or location."""
    record = json_response(
        200, {"id": "did:web:a"}, headers={"Content-Type": "application/did+json"}
    ).to_record()
    assert record == {
        "status": 200,
        "headers": {"Content-Type": "application/did+json"},
        "json": {"id": "did:web:a"},
    }
    assert redirect("https://b.example/cb?code=1").to_record() == {
        "status": 302,
        "headers": {"Location": "https://b.example/cb?code=1"},
        "location": "https://b.example/cb?code=1",
    }
    assert text_response(400, "{broken", JSON).to_record()["text"] == "{broken"


def test_response_helpers_and_predicates():
    """``ok`` is true for 2xx; ``is_redirect`` needs a 3xx with a Location."""
    assert json_response(201, {}).ok
    assert not text_response(404, "no").ok
    assert redirect("https://b.example/").is_redirect
    assert not HttpResponse(302).is_redirect
    assert text_response(200, "<p>", "text/html").header("Content-Type") == "text/html"
    assert json_response(200, {"a": 1}).body == '{"a":1}'


# -- RFC 8259 edges a hostile peer sends (issue #18 item 2) ------------------------------------
@pytest.mark.parametrize("text", ["1e400", "[-1e400]", '{"a": 1e999}'])
def test_numbers_beyond_a_double_are_refused(text):
    with pytest.raises(ValueError, match="out of range"):
        parse_json(text)


@pytest.mark.parametrize("text", ['"\\ud800"', '{"a": "x\\udfffy"}', '{"\\udbff": 1}', '["\\ude00\\ud83d"]'])
def test_lone_surrogates_are_refused(text):
    with pytest.raises(ValueError, match="lone surrogate"):
        parse_json(text)


def test_a_surrogate_pair_is_one_character():
    assert parse_json('"\\ud83d\\ude00"') == "\U0001f600"


def test_a_body_with_a_lone_surrogate_is_not_json_and_the_trace_still_saves():
    response = HttpResponse(200, (("Content-Type", "application/json"),), '{"a": "\\ud800"}')
    assert response.json is None
    record = response.to_record()
    assert record["text"] == '{"a": "\\ud800"}'
    json.dumps(record, ensure_ascii=False).encode("utf-8")  # exportable as UTF-8


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 100_000, "nested too deeply"),
        ('{"a":' * 50_000 + "1" + "}" * 50_000, "nested too deeply"),
        ("1" + "0" * 400, "401 digits"),
        ("-" + "9" * 5000, "5000 digits"),
    ],
)
def test_hostile_json_is_a_value_error_naming_the_limit(text, words):
    from nutssim.messages import parse_json

    with pytest.raises(ValueError, match=words):
        parse_json(text)


def test_an_integer_a_double_can_hold_is_kept_exactly():
    from nutssim.messages import MAX_INTEGER_DIGITS, parse_json

    assert parse_json("9" * MAX_INTEGER_DIGITS) == int("9" * MAX_INTEGER_DIGITS)


@given(st.text(max_size=60) | st.from_regex(r'\A[\[\]{}",:0-9.eE+\- a-z\\u]{0,40}\Z'))
def test_parse_json_reads_and_refuses_as_json_loads_with_its_hooks(text: str) -> None:
    """The decoder built once reads (and refuses, in the same words) what json.loads builds per call."""
    from nutssim import messages

    def loads() -> object:
        return json.loads(
            text,
            parse_constant=messages._refuse_constant,
            parse_float=messages._finite_float,
            parse_int=messages._bounded_int,
        )

    try:
        expected: object = ("ok", loads())
    except ValueError as exc:
        expected = ("refused", str(exc))
    try:
        got: object = ("ok", messages._DECODER.decode(text) if not text.startswith("\ufeff") else loads())
    except ValueError as exc:
        got = ("refused", str(exc))
    assert got == expected
