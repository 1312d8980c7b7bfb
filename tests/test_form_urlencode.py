"""``messages.form_urlencode`` writes the text ``urllib.parse.urlencode`` writes."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from nutssim.messages import form_urlencode

_TEXT = st.text(st.characters(codec="utf-8"), max_size=40) | st.text(
    st.characters(min_codepoint=0, max_codepoint=127), max_size=40
)


@given(st.lists(st.tuples(_TEXT, _TEXT), max_size=6))
def test_same_text_as_urlencode(pairs: list[tuple[str, str]]) -> None:
    """Every character, ASCII or not, encodes as the library encodes it."""
    assert form_urlencode(pairs) == urlencode(pairs)


def test_every_ascii_character() -> None:
    """All 128 ASCII characters, one pair each, spelled as quote_plus spells them."""
    pairs = [(chr(c), f"a{chr(c)}b") for c in range(128)]
    assert form_urlencode(pairs) == urlencode(pairs)


def test_non_str_values_go_to_the_library() -> None:
    """A value that is not a str (an int a caller passed) is the library's business, unchanged."""
    assert form_urlencode([("n", 3)]) == urlencode([("n", 3)]) == "n=3"  # type: ignore[list-item]
