"""ECMAScript regular expressions (JSON Schema ``pattern``) on Python's ``re``, with a cost guard.

JSON Schema patterns are ECMA-262 regular expressions (JSON Schema validation §6.3.3;
the reference compiles them with regexp2 in ECMAScript mode). ``translate`` rewrites the
small differences we meet so Python gives the same answer:

- ``\\d \\w \\b`` are ASCII-only in ECMAScript: compiled with ``re.ASCII``;
- ``\\s`` includes Unicode spaces (U+00A0, U+FEFF, U+2028, …): spelled out;
- ``.`` excludes ``\\r``, U+2028 and U+2029 as well as ``\\n``: spelled out;
- ``$`` matches only at the very end (Python also before a final newline): becomes ``\\Z``;
- ``(?<name>…)`` named groups become ``(?P<name>…)``;
- ``[]`` matches nothing and ``[^]`` any character;
- identity escapes of letters (``\\A``, ``\\Z``, ``\\e``, Annex B) mean the letter itself;
- ``\\xH`` / ``\\uHHH`` with too few hex digits mean the letter (Annex B);
- ``{`` that does not start a quantifier is a literal (Annex B).

Refused, with a clear error: Python-only syntax (``(?P…)``, ``(?>…)``, inline flags,
possessive quantifiers), backreferences, and look-behind of variable width (which
ECMAScript allows but Python's engine cannot run). Known remaining difference: ``\\S``
inside a character class is ASCII-based, so it also matches Unicode spaces.

Cost guard (a PD is attacker input): patterns are bounded in length, and shapes that make
a backtracking engine exponential or worse than quadratic are refused: a quantifier over a
sub-pattern that itself repeats a variable number of times (``(a+)+``, ``(a{1,3})*``), a
quantifier over alternatives that can start with the same character (``(a|ab)+``), and
runs of unbounded quantifiers over overlapping characters (``\\d+\\d+x``, or ``.*a.*x``
when the pattern is not anchored with ``^``, since a search then tries every start).
Values longer than ``MAX_INPUT_LENGTH`` are not matched, which bounds what is left (at
worst quadratic) to milliseconds.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nutssim.limits import MAX_INPUT_LENGTH

# Python ≥ 3.11 keeps the regex parser in re._parser (the public sre_* aliases are deprecated).
# It has no type information: its parse tree is (opcode, argument) pairs of many shapes, so
# the walk below reads them as ``Op`` / ``Arg`` (Any) and checks shapes where it matters.
sre_c: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

#: One item of an sre parse tree: an opcode and its argument (whose shape depends on the opcode).
Item = tuple[Any, Any]


# ECMA-262 WhiteSpace and LineTerminator code points, for `\s` (ECMA-262 §22.2.2.9).
_ES_SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ES_DOT = r"[^\n\r\u2028\u2029]"
_QUANTIFIER_BRACE = re.compile(r"\{\d+(,\d*)?\}")
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_BIG = 10  # a repeat bound above this counts as unbounded for blow-up purposes


class RegexError(ValueError):
    """A pattern is not valid ECMAScript (``cost`` False), or is refused by the cost guard (True)."""

    def __init__(self, message: str, *, cost: bool = False) -> None:
        super().__init__(message)
        self.cost = cost


@dataclass(frozen=True)
class EcmaRegex:
    """A compiled ECMAScript pattern (on ``re``, or on RE2 when only a linear-time engine may run it)."""

    source: str
    compiled: Any  # re.Pattern[str], or re2's compiled pattern (same search/groups interface)

    @property
    def groups(self) -> int:
        """Number of capture groups."""
        return self.compiled.groups

    def search(self, value: str) -> re.Match[str] | None:
        """``RegExp.prototype.test`` semantics: an unanchored search (bounded input length)."""
        if len(value) > MAX_INPUT_LENGTH:
            return None
        return self.compiled.search(value)


def compile_ecma(pattern: str, max_length: int | None = 512, *, linear: bool = False) -> EcmaRegex:
    """Translate, guard and compile an ECMAScript pattern; raise ``RegexError`` when refused.

    ``linear``: a pattern the backtracking guard refuses runs on RE2 instead (``linear_engine``),
    whose matching time is linear in the input, so it needs no refusal; back-references and
    look-arounds, which RE2 lacks, are still refused.
    """
    if max_length is not None and len(pattern) > max_length:
        raise RegexError(
            f"pattern is {len(pattern)} characters long; at most {max_length} are allowed", cost=True
        )
    return _compile(pattern, linear)


@lru_cache(maxsize=4096)
def _compile(pattern: str, linear: bool = False) -> EcmaRegex:
    translated = translate(pattern)
    try:
        compiled = re.compile(translated, re.ASCII)
    except re.error as exc:
        raise RegexError(f"not a valid regular expression: {exc}") from None
    try:
        guard(sre_parse.parse(translated, re.ASCII))
    except RegexError as exc:
        if not (linear and exc.cost):
            raise
        return EcmaRegex(pattern, _linear(pattern, translated, str(exc)))
    return EcmaRegex(pattern, compiled)


# -- the linear-time engine ----------------------------------------------------------------------
_LOOKAROUND = re.compile(r"(?<!\\)\(\?<?[=!]")
_PY_ONLY = ((re.compile(r"(?<!\\)\\Z"), r"\\z"), (re.compile(r"\\u([0-9A-Fa-f]{4})"), r"\\x{\1}"))


def linear_engine() -> Any:
    """The RE2 module (google-re2), or None where it is not installed (Pyodide)."""
    try:
        import re2  # type: ignore[import-untyped, import-not-found, unused-ignore]  # no stubs
    except ImportError:
        return None
    return re2


def _linear(pattern: str, translated: str, why: str) -> Any:
    """Compile a guard-refused pattern on RE2 (linear time), or refuse it with the reason."""
    if _LOOKAROUND.search(translated):
        raise RegexError(
            f"{why}; a linear-time engine would run it, but look-arounds need backtracking", cost=True
        )
    engine = linear_engine()
    if engine is None:
        raise RegexError(f"{why}; no linear-time engine (google-re2) is installed to run it", cost=True)
    re2_syntax = translated
    for old, new in _PY_ONLY:
        re2_syntax = old.sub(new, re2_syntax)
    try:
        return engine.compile(re2_syntax)
    except Exception as exc:  # re2.error: a construct RE2 lacks
        raise RegexError(f"{why}; RE2 cannot run it: {exc}", cost=True) from None


# -- translation -------------------------------------------------------------------------------
def translate(pattern: str) -> str:
    """Rewrite an ECMAScript pattern into Python ``re`` syntax with the same meaning."""
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            text, i = _escape(pattern, i + 1, in_class)
            out.append(text)
        elif in_class:
            if c == "]":
                in_class = False
            out.append(_CLASS_LITERALS.get(c, c))
            i += 1
        else:
            text, i, in_class = _outside(pattern, i)
            out.append(text)
    if in_class:
        raise RegexError("unterminated character class")
    return "".join(out)


# Literal in an ECMAScript class, but nested-set / set-operation syntax to Python (FutureWarning).
_CLASS_LITERALS = {"[": r"\[", "&": r"\&", "~": r"\~", "|": r"\|"}


def _outside(pattern: str, i: int) -> tuple[str, int, bool]:
    """Translate one token outside a character class; return text, next index, in-class flag."""
    c = pattern[i]
    if c == "[":
        if pattern.startswith("[]", i):
            return "(?!)", i + 2, False
        if pattern.startswith("[^]", i):
            return r"[\s\S]", i + 3, False
        start = "[^" if pattern.startswith("[^", i) else "["
        return start, i + len(start), True
    if c == "(":
        return _group_open(pattern, i), i + (3 if _is_named_group(pattern, i) else 1), False
    if c == ".":
        return _ES_DOT, i + 1, False
    if c == "$":
        return r"\Z", i + 1, False
    if c == "{":
        quantifier = _QUANTIFIER_BRACE.match(pattern, i)
        if quantifier:
            end = quantifier.end()
            _no_possessive(pattern, end)
            return quantifier.group(), end, False
        return r"\{", i + 1, False
    if c == "}":
        return r"\}", i + 1, False
    if c in "*+?":
        _no_possessive(pattern, i + 1)
    return c, i + 1, False


def _is_named_group(pattern: str, i: int) -> bool:
    return pattern.startswith("(?<", i) and not pattern.startswith(("(?<=", "(?<!"), i)


def _group_open(pattern: str, i: int) -> str:
    if _is_named_group(pattern, i):
        return "(?P<"
    if pattern.startswith("(?", i) and not pattern.startswith(("(?:", "(?=", "(?!", "(?<=", "(?<!"), i):
        raise RegexError(f"'{pattern[i : i + 3]}' is not ECMAScript group syntax")
    return "("


def _no_possessive(pattern: str, after: int) -> None:
    if pattern.startswith("+", after):
        raise RegexError("a quantifier followed by '+' is not ECMAScript syntax (possessive quantifier)")


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    """Translate the escape whose letter is at ``pattern[i]``; return text and next index."""
    if i >= len(pattern):
        raise RegexError("pattern ends with a lone backslash")
    e = pattern[i]
    if e == "s":
        return (_ES_SPACE if in_class else f"[{_ES_SPACE}]"), i + 1
    if e == "S" and not in_class:
        return f"[^{_ES_SPACE}]", i + 1
    if e in "dDwWbBStnvfr":
        return "\\" + e, i + 1
    if e == "0" and not pattern[i + 1 : i + 2].isdigit():
        return r"\x00", i + 1
    if e.isdigit() or (e == "k" and pattern.startswith("<", i + 1)):
        raise RegexError("backreferences are not allowed (they make matching cost unbounded)", cost=True)
    return _letter_escape(pattern, i, e)


def _letter_escape(pattern: str, i: int, e: str) -> tuple[str, int]:
    if e == "x" and _HEX2.match(pattern, i + 1):
        return "\\x" + pattern[i + 1 : i + 3], i + 3
    if e == "u" and _HEX4.match(pattern, i + 1):
        return "\\u" + pattern[i + 1 : i + 5], i + 5
    if e == "c" and pattern[i + 1 : i + 2].isascii() and pattern[i + 1 : i + 2].isalpha():
        return re.escape(chr(ord(pattern[i + 1]) % 32)), i + 2
    if e == "c":
        return r"\\c", i + 1  # Annex B: a backslash, then 'c'
    # Identity escape (Annex B): the character itself.
    return re.escape(e), i + 1


# -- cost guard --------------------------------------------------------------------------------
_SAMPLE = [chr(c) for c in range(128)] + ["\u00a0", "\u00e9", "\u0660", "\u2028", "\u4e00"]
_ALL = frozenset(_SAMPLE)
_CATEGORY_RE = {
    sre_c.CATEGORY_DIGIT: r"\d",
    sre_c.CATEGORY_NOT_DIGIT: r"\D",
    sre_c.CATEGORY_SPACE: r"\s",
    sre_c.CATEGORY_NOT_SPACE: r"\S",
    sre_c.CATEGORY_WORD: r"\w",
    sre_c.CATEGORY_NOT_WORD: r"\W",
}
_CATEGORY_SETS = {
    cat: frozenset(ch for ch in _SAMPLE if re.fullmatch(rx, ch, re.ASCII)) for cat, rx in _CATEGORY_RE.items()
}
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT}


def guard(parsed: sre_parse.SubPattern) -> None:
    """Refuse pattern shapes with exponential or high-polynomial backtracking."""
    _check_sequence(list(parsed), anchored=True)


def _check_sequence(items: list[Item], *, anchored: bool) -> None:
    """Walk one sequence; ``anchored``: it can only start matching at one place."""
    anchored = anchored and bool(items) and items[0][0] == sre_c.AT
    live: frozenset[str] | None = None  # characters the current run of unbounded repeats can absorb
    chain = 0  # unbounded repeats in that run that overlap each other
    for position, (op, av) in enumerate(items):
        if op in (sre_c.GROUPREF, sre_c.GROUPREF_EXISTS):
            raise RegexError("backreferences are not allowed (they make matching cost unbounded)", cost=True)
        op, av = _unwrap(op, av)
        if op in _REPEATS and _unbounded(av[1]):
            body = list(av[2])
            _check_repeat(av[1], body)
            if live is not None and _first(body) & live:  # overlaps the run before it
                chain, live = chain + 1, live | _chars(body)
            else:
                chain, live = 1, _chars(body)
            _check_chain(chain, anchored)
            continue
        first_item = anchored and position == 1
        for child in _children(op, av):
            if op in _REPEATS:
                _check_repeat(av[1], child)
            else:
                _check_sequence(child, anchored=first_item or bool(child and child[0][0] == sre_c.AT))
        # A required item the run cannot absorb ends it: the repeats around it cannot trade input.
        if live is not None and not _nullable([(op, av)]) and not (_first_of(op, av) & live):
            live, chain = None, 0


def _check_chain(chain: int, anchored: bool) -> None:
    # Each overlapping unbounded repeat multiplies the backtracking by the input length, and
    # an unanchored search tries every start: at degree 3 a 2 kB value already costs ~10^10.
    if chain + (0 if anchored else 1) >= 3:
        raise RegexError(
            "unbounded quantifiers over overlapping characters in a row (such as "
            "\\d+\\d+ or .*a.* unanchored) backtrack polynomially; anchor the pattern "
            "with ^, drop a leading .*, or make the quantifiers exclusive",
            cost=True,
        )


def _chars(items: list[Item]) -> frozenset[str]:
    """Every character a sequence may consume (over the sample alphabet)."""
    result: frozenset[str] = frozenset()
    for op, av in items:
        result |= _first_of(op, av)
        for child in _children(op, av):
            result |= _chars(child)
    return result


def _unwrap(op: Any, av: Any) -> Item:
    """See through a group that holds exactly one item (``(\\d+)`` is a repeat for adjacency)."""
    while op == sre_c.SUBPATTERN and len(av[3]) == 1:
        op, av = av[3][0]
    return op, av


def _unbounded(high: int) -> bool:
    return high == sre_c.MAXREPEAT or high > _BIG


def _check_repeat(high: int, body: list[Item]) -> None:
    _check_sequence(body, anchored=False)
    if not _unbounded(high):
        return
    if _has_variable_repeat(body):
        raise RegexError("nested quantifiers (such as (a+)+) can backtrack exponentially", cost=True)
    if _ambiguous_branch(body):
        raise RegexError(
            "a quantifier over alternatives that can start alike (such as (a|ab)+) "
            "can backtrack exponentially",
            cost=True,
        )


def _children(op: Any, av: Any) -> list[list[Item]]:
    if op == sre_c.SUBPATTERN:
        return [list(av[3])]
    if op == sre_c.BRANCH:
        return [list(b) for b in av[1]]
    if op in _REPEATS:
        return [list(av[2])]
    if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
        return [list(av[1])]
    return []


def _has_variable_repeat(items: list[Item]) -> bool:
    for op, av in items:
        if op in _REPEATS and (av[0] != av[1] or _has_variable_repeat(list(av[2]))):
            return True
        if op not in _REPEATS and any(_has_variable_repeat(c) for c in _children(op, av)):
            return True
    return False


def _ambiguous_branch(items: list[Item]) -> bool:
    for op, av in items:
        if op == sre_c.BRANCH:
            alternatives = [list(b) for b in av[1]]
            if any(_nullable(a) for a in alternatives):
                return True
            firsts = [_first(a) for a in alternatives]
            if any(firsts[x] & firsts[y] for x in range(len(firsts)) for y in range(x + 1, len(firsts))):
                return True
        if op == sre_c.SUBPATTERN and _ambiguous_branch(list(av[3])):
            return True
    return False


def _nullable(items: list[Item]) -> bool:
    for op, av in items:
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue
        if op in _REPEATS and (av[0] == 0 or _nullable(list(av[2]))):
            continue
        if op == sre_c.SUBPATTERN and _nullable(list(av[3])):
            continue
        if op == sre_c.BRANCH and any(_nullable(list(b)) for b in av[1]):
            continue
        return False
    return True


def _first(items: list[Item]) -> frozenset[str]:
    """Approximate set of characters a sequence can start with (over a sample alphabet)."""
    result: frozenset[str] = frozenset()
    for op, av in items:
        result |= _first_of(op, av)
        if not _nullable([(op, av)]):
            return result
    return result


def _first_of(op: Any, av: Any) -> frozenset[str]:
    if op == sre_c.LITERAL:
        return frozenset({chr(av)})
    if op == sre_c.NOT_LITERAL:
        return _ALL - {chr(av)}
    if op == sre_c.IN:
        return _class_set(av)
    if op == sre_c.ANY:
        return _ALL
    if op == sre_c.BRANCH:
        return frozenset().union(*(_first(list(b)) for b in av[1]))
    if op == sre_c.SUBPATTERN:
        return _first(list(av[3]))
    if op in _REPEATS:
        return _first(list(av[2]))
    return frozenset()


def _class_set(items: list[Item]) -> frozenset[str]:
    chars: set[str] = set()
    negate = False
    for op, av in items:
        if op == sre_c.NEGATE:
            negate = True
        elif op == sre_c.LITERAL:
            chars.add(chr(av))
        elif op == sre_c.RANGE:
            low, high = int(av[0]), int(av[1])
            chars.update(ch for ch in _SAMPLE if low <= ord(ch) <= high)
            chars.add(chr(low))
        elif op == sre_c.CATEGORY:
            chars |= _CATEGORY_SETS.get(av, _ALL)
    return _ALL - chars if negate else frozenset(chars)
