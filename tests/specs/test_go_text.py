"""Go's base64 and JSON syntax failure texts, as jwx passes them on (``nutssim.specs.go_text``).

Expected texts are Go's standard library's (``encoding/base64`` ``CorruptInputError``,
``encoding/json`` ``SyntaxError``); the first JSON one is the literal nuts-node's
``auth/services/oauth/authz_server_test.go`` asserts for the header of ``123.456.787``.
"""

from __future__ import annotations

import pytest

from nutssim.specs import go_text


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"\xd7m", "invalid character '\u00d7' looking for beginning of value"),
        (b"", "unexpected end of JSON input"),
        (b"   ", "unexpected end of JSON input"),
        (b'{"alg":', "unexpected end of JSON input"),
        (b'{"a" 1}', "invalid character '1' after object key"),
        (b'{"a":1 "b":2}', "invalid character '\"' after object key:value pair"),
        (b"{a:1}", "invalid character 'a' looking for beginning of object key string"),
        (b"{,}", "invalid character ',' looking for beginning of object key string"),
        (b"[1 2]", "invalid character '2' after array element"),
        (b"{} x", "invalid character 'x' after top-level value"),
        (b"trx", "invalid character 'x' in literal true (expecting 'u')"),
        (b"nul", "invalid character ' ' in literal null (expecting 'l')"),  # eof steps a space
        (b'"abc', "unexpected end of JSON input"),
        (b"-", "invalid character ' ' in numeric literal"),
        (b"1.", "invalid character ' ' after decimal point in numeric literal"),
        (b"1e", "invalid character ' ' in exponent of numeric literal"),
        (b"01", "invalid character '1' after top-level value"),
        (b'"a\x01"', "invalid character '\\x01' in string literal"),
        (b'"\\q"', "invalid character 'q' in string escape code"),
        (b'"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"),
        (b"'", "invalid character '\\'' looking for beginning of value"),
        (b"\x80", "invalid character '\\u0080' looking for beginning of value"),
        (b"\n\t}", "invalid character '}' looking for beginning of value"),
    ],
)
def test_json_syntax_errors_read_as_go(data: bytes, text: str) -> None:
    """encoding/json's scanner: the byte, quoted as Go's quoteChar does, and where it was met."""
    assert go_text.json_syntax_error(data) == text


@pytest.mark.parametrize(
    "data", [b"{}", b'{"alg":"ES256","b64":false}', b" [1, 2.5e-3, true, null] ", b'"\\u00e9"', b"-0"]
)
def test_valid_json_has_no_syntax_error(data: bytes) -> None:
    assert go_text.json_syntax_error(data) is None


def test_nesting_beyond_go_max_depth() -> None:
    """Go's maxNestingDepth (10000): one level deeper is 'exceeded max depth'."""
    assert go_text.json_syntax_error(b"[" * go_text.MAX_DEPTH) == "unexpected end of JSON input"
    deep = go_text.json_syntax_error(b"[" * (go_text.MAX_DEPTH + 1))
    assert deep == "invalid character '[' exceeded max depth"


@pytest.mark.parametrize(
    ("segment", "at"),
    [
        (b"a", 0),  # a lone symbol in the last quantum
        (b"abcda", 4),
        (b"ab$d", 2),  # a byte outside the alphabet
        (b"ab=", 3),  # padded: "==" expected, input ends
        (b"a===", 1),  # padding after one symbol
        (b"ab=c", 2),  # no '=' suffix, so raw (Guess): '=' is foreign
        (b"ab=c=", 2),  # padded: "=" then no second "=" points at the first
        (b"ab==c=", 4),  # trailing garbage after the padding
        (b"ab+d-f", 4),  # '+' selects the standard alphabet, where '-' is foreign
        (b"\xc3\xa9", 0),
    ],
)
def test_base64_errors_read_as_go(segment: bytes, at: int) -> None:
    """jwx's auto-detecting decoder: Go's CorruptInputError offset, after 'failed to decode source: '."""
    assert go_text.base64_error(segment) == f"failed to decode source: illegal base64 data at input byte {at}"


@pytest.mark.parametrize(
    "segment", [b"", b"abcd", b"abc", b"ab", b"abc=", b"ab==", b"ab+/", b"ab\ncd", b"YQ=="]
)
def test_what_jwx_decodes_has_no_base64_error(segment: bytes) -> None:
    """Padded, standard-alphabet and newline-broken segments decode under jwx's Guess."""
    assert go_text.base64_error(segment) is None


def test_quote_char_as_go() -> None:
    assert [go_text.quote_char(c) for c in (0x22, 0x5C, 0x0A, 0x7F, 0xA0, 0xE9)] == [
        "'\"'",
        "'\\\\'",
        "'\\n'",
        "'\\x7f'",
        "'\\u00a0'",
        "'\u00e9'",
    ]
