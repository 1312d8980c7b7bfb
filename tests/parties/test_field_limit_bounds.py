"""The shortest message over each pair bound is still refused (the length pre-check of issue #23)."""

from __future__ import annotations

import pytest

from nutssim.limits import MAX_FORM_FIELDS, MAX_JSON_VALUES, MAX_QUERY_FIELDS
from nutssim.messages import FORM, HttpRequest
from nutssim.parties.field_limits import field_limit_error

JSON = "application/json"


def _form(body: str) -> HttpRequest:
    return HttpRequest("POST", "https://as.example/token", (("Content-Type", FORM),), body)


@pytest.mark.parametrize(
    ("over", "under", "text"),
    [
        (
            _form("&" * MAX_FORM_FIELDS),
            _form("&" * (MAX_FORM_FIELDS - 1)),
            f"form body has more than MAX_FORM_FIELDS ({MAX_FORM_FIELDS}) fields",
        ),
        (
            HttpRequest("GET", "https://as.example/?" + "&" * MAX_QUERY_FIELDS),
            HttpRequest("GET", "https://as.example/?" + "&" * (MAX_QUERY_FIELDS - 1)),
            f"query has more than MAX_QUERY_FIELDS ({MAX_QUERY_FIELDS}) parameters",
        ),
        (
            HttpRequest(
                "POST", "https://as.example/x", (("Content-Type", JSON),), "[" + "," * MAX_JSON_VALUES
            ),
            HttpRequest(
                "POST", "https://as.example/x", (("Content-Type", JSON),), "[" + "," * (MAX_JSON_VALUES - 1)
            ),
            f"JSON body has more than MAX_JSON_VALUES ({MAX_JSON_VALUES}) values",
        ),
    ],
    ids=["form", "query", "json"],
)
def test_the_shortest_text_over_a_bound_is_refused_and_one_less_passes(over, under, text):
    """n separators need n characters: the pre-check never skips a message that exceeds the bound."""
    refusal = field_limit_error(over)
    assert refusal is not None
    assert (refusal.error, refusal.description, refusal.status) == ("invalid_request", text, 400)
    assert field_limit_error(under) is None
