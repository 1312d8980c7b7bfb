"""Go's own words for two failures the reference's JWS parser passes on: base64 and JSON syntax.

jwx v3 (``jws/jws.go parse``) decodes each compact segment with its auto-detecting decoder
(``internal/base64/base64.go defaultDecoder.Decode``: the encoding is guessed, a failure reads
``failed to decode source: `` + Go's ``encoding/base64`` error) and unmarshals the header with
``encoding/json`` (``json.Unmarshal`` first scans the whole input, ``checkValid``, and returns the
scanner's ``SyntaxError``). nuts-node builds without jwx's ``jwx_goccy``/``jwx_asmbase64`` tags, so
these are the standard library's texts. Both functions are ports of the Go standard library's
error paths (``encoding/base64 Encoding.decodeQuantum``, ``encoding/json scanner``), written
from its documented behaviour; each returns ``None`` when Go would accept the input.
"""

from __future__ import annotations

import string

_URL = frozenset((string.ascii_letters + string.digits + "-_").encode())
_STD = frozenset((string.ascii_letters + string.digits + "+/").encode())
_NEWLINES = (0x0A, 0x0D)
_PAD = ord("=")


def base64_error(segment: bytes) -> str | None:
    """jwx's ``base64.Decode`` failure for ``segment``, or ``None`` when it decodes.

    ``Guess``: padded when it ends in ``=``, the URL alphabet unless it holds ``+`` or ``/``.
    """
    alphabet = _STD if (b"+" in segment or b"/" in segment) else _URL
    at = _corrupt_at(segment, alphabet, padded=segment.endswith(b"="))
    return None if at is None else f"failed to decode source: illegal base64 data at input byte {at}"


def _corrupt_at(src: bytes, alphabet: frozenset[int], *, padded: bool) -> int | None:
    """The ``CorruptInputError`` offset Go's ``Encoding.Decode`` reports, quantum by quantum."""
    si = 0
    while si < len(src):
        si, error = _quantum(src, si, alphabet, padded)
        if error is not None:
            return error
    return None


def _quantum(src: bytes, si: int, alphabet: frozenset[int], padded: bool) -> tuple[int, int | None]:
    """``decodeQuantum``: up to four symbols from ``si`` (newlines skipped); the next index, the error."""
    j = 0
    while j < 4:
        if si == len(src):
            if j == 1 or (j > 0 and padded):
                return si, si - j  # a lone symbol, or a padded encoding cut short
            return si, None
        c = src[si]
        si += 1
        if c in alphabet:
            j += 1
            continue
        if c in _NEWLINES:
            continue
        if not padded or c != _PAD or j < 2:
            return si, si - 1  # a foreign byte, or padding too early
        return _after_padding(src, si, j)
    return si, None


def _after_padding(src: bytes, si: int, j: int) -> tuple[int, int | None]:
    """The rest of ``decodeQuantum`` once a ``=`` is read after ``j`` symbols."""
    if j == 2:  # "==" is expected
        si = _skip_newlines(src, si)
        if si == len(src):
            return si, len(src)
        if src[si] != _PAD:
            return si, si - 1
        si += 1
    si = _skip_newlines(src, si)
    return si, (si if si < len(src) else None)  # anything after the padding is trailing garbage


def _skip_newlines(src: bytes, si: int) -> int:
    while si < len(src) and src[si] in _NEWLINES:
        si += 1
    return si


# -- encoding/json's scanner ------------------------------------------------------------------------
_SPACE = b" \t\r\n"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdefABCDEF"
_ESCAPES = b'bfnrt\\/"'
#: Go's ``maxNestingDepth``.
MAX_DEPTH = 10000
_LITERALS = {ord("t"): b"true", ord("f"): b"false", ord("n"): b"null"}


def json_syntax_error(data: bytes) -> str | None:
    """``json.Unmarshal``'s ``SyntaxError`` text for ``data``, or ``None`` when it is valid JSON."""
    scanner = _Scanner()
    for c in data:
        scanner.step(c)
        if scanner.error is not None:
            return scanner.error
    return scanner.eof()


class _Scanner:
    """``encoding/json``'s state machine, one byte at a time (``scanner.go``)."""

    def __init__(self) -> None:
        self.stack: list[str] = []  # "key", "value" (object) or "array"
        self.state = self._begin_value
        self.end_top = False
        self.error: str | None = None
        self.literal = b""
        self.word = ""

    def step(self, c: int) -> None:
        self.state(c)

    def eof(self) -> str | None:
        """``scanner.eof``: a space ends a pending number; anything still open is an early end."""
        if self.end_top:
            return None
        self.step(ord(" "))
        if self.error is not None:
            return self.error
        return None if self.end_top else "unexpected end of JSON input"

    def fail(self, c: int, context: str) -> None:
        self.state = self._stop
        self.error = f"invalid character {quote_char(c)} {context}"

    def _stop(self, c: int) -> None:
        pass

    def _push(self, c: int, kind: str) -> bool:
        self.stack.append(kind)
        if len(self.stack) > MAX_DEPTH:
            self.fail(c, "exceeded max depth")
            return False
        return True

    def _begin_value_or_empty(self, c: int) -> None:
        if c in _SPACE:
            return
        if c == ord("]"):
            self._end_value(c)
            return
        self._begin_value(c)

    def _begin_value(self, c: int) -> None:
        if c in _SPACE:
            return
        if c == ord("{"):
            if self._push(c, "key"):
                self.state = self._begin_string_or_empty
        elif c == ord("["):
            if self._push(c, "array"):
                self.state = self._begin_value_or_empty
        elif c == ord('"'):
            self.state = self._in_string
        elif c == ord("-"):
            self.state = self._neg
        elif c == ord("0"):
            self.state = self._zero
        elif c in b"123456789":
            self.state = self._int
        elif c in _LITERALS:
            self.literal = _LITERALS[c][1:]
            self.word = _LITERALS[c].decode()
            self.state = self._in_literal
        else:
            self.fail(c, "looking for beginning of value")

    def _begin_string_or_empty(self, c: int) -> None:
        if c in _SPACE:
            return
        if c == ord("}"):
            self.stack[-1] = "value"
            self._end_value(c)
            return
        self._begin_string(c)

    def _begin_string(self, c: int) -> None:
        if c in _SPACE:
            return
        if c == ord('"'):
            self.state = self._in_string
        else:
            self.fail(c, "looking for beginning of object key string")

    def _end_value(self, c: int) -> None:
        if not self.stack:
            self.state = self._end_top
            self.end_top = True
            self._end_top(c)
            return
        if c in _SPACE:
            self.state = self._end_value
            return
        top = self.stack[-1]
        if top == "key":
            if c == ord(":"):
                self.stack[-1] = "value"
                self.state = self._begin_value
            else:
                self.fail(c, "after object key")
        elif top == "value":
            if c == ord(","):
                self.stack[-1] = "key"
                self.state = self._begin_string
            elif c == ord("}"):
                self._pop()
            else:
                self.fail(c, "after object key:value pair")
        elif c == ord(","):
            self.state = self._begin_value
        elif c == ord("]"):
            self._pop()
        else:
            self.fail(c, "after array element")

    def _pop(self) -> None:
        self.stack.pop()
        if self.stack:
            self.state = self._end_value
        else:
            self.state = self._end_top
            self.end_top = True

    def _end_top(self, c: int) -> None:
        if c not in _SPACE:
            self.fail(c, "after top-level value")

    def _in_string(self, c: int) -> None:
        if c == ord('"'):
            self.state = self._end_value
        elif c == ord("\\"):
            self.state = self._in_escape
        elif c < 0x20:
            self.fail(c, "in string literal")

    def _in_escape(self, c: int) -> None:
        if c in _ESCAPES:
            self.state = self._in_string
        elif c == ord("u"):
            self.literal = b"0000"  # four hex digits to come
            self.state = self._in_unicode
        else:
            self.fail(c, "in string escape code")

    def _in_unicode(self, c: int) -> None:
        if c not in _HEX:
            self.fail(c, "in \\u hexadecimal character escape")
            return
        self.literal = self.literal[1:]
        if not self.literal:
            self.state = self._in_string

    def _in_literal(self, c: int) -> None:
        expected = self.literal[0]
        if c != expected:
            self.fail(c, f"in literal {self.word} (expecting {quote_char(expected)})")
            return
        self.literal = self.literal[1:]
        if not self.literal:
            self.state = self._end_value

    def _neg(self, c: int) -> None:
        if c == ord("0"):
            self.state = self._zero
        elif c in b"123456789":
            self.state = self._int
        else:
            self.fail(c, "in numeric literal")

    def _int(self, c: int) -> None:
        if c in _DIGITS:
            return
        self._zero(c)

    def _zero(self, c: int) -> None:
        if c == ord("."):
            self.state = self._dot
        elif c in b"eE":
            self.state = self._exp
        else:
            self._end_value(c)

    def _dot(self, c: int) -> None:
        if c in _DIGITS:
            self.state = self._fraction
        else:
            self.fail(c, "after decimal point in numeric literal")

    def _fraction(self, c: int) -> None:
        if c in _DIGITS:
            return
        if c in b"eE":
            self.state = self._exp
        else:
            self._end_value(c)

    def _exp(self, c: int) -> None:
        if c in b"+-":
            self.state = self._exp_sign
        else:
            self._exp_sign(c)

    def _exp_sign(self, c: int) -> None:
        if c in _DIGITS:
            self.state = self._exp_digits
        else:
            self.fail(c, "in exponent of numeric literal")

    def _exp_digits(self, c: int) -> None:
        if c not in _DIGITS:
            self._end_value(c)


_GO_ESCAPES = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v", 0x5C: "\\\\"}


def quote_char(c: int) -> str:
    """Go's ``quoteChar``: the byte as a rune, quoted as ``strconv.Quote`` escapes it, in ``'…'``."""
    if c == ord("'"):
        return "'\\''"
    if c == ord('"'):
        return "'\"'"
    if c in _GO_ESCAPES:
        return f"'{_GO_ESCAPES[c]}'"
    if c < 0x20 or c == 0x7F:
        return f"'\\x{c:02x}'"
    char = chr(c)  # string(byte) is the rune U+00XX: Latin-1, as the '×' of 0xd7
    return f"'{char}'" if char.isprintable() else f"'\\u{c:04x}'"
