"""``explain``: from an error a real node printed back to the check, its clause, the cases and the fix.

Input is what an operator pastes: an OAuth error body (``{"error", "error_description"}``),
the internal API's RFC 7807 problem (``detail``: ``remote authorization server: <code> -
<desc>``, ``core/echo_errors.go``), an ``<code> - <desc>`` line, or the description alone.
The description is matched against every ``Rule`` the spec modules declare (their templates,
as the ``nuts-node`` renderer fills them) and against the catalogue's expected texts.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nutssim import causes
from nutssim.catalogue import cases
from nutssim.catalogue.base import Expect
from nutssim.parties.problem import REMOTE_PREFIX
from nutssim.parties.render import VERIFICATION_FAILED
from nutssim.profiles import CONTROLS, as_profile
from nutssim.specs.rules import Rule

#: The usual fix by cause kind (``causes.py``): what the sender changes so the check passes.
FIXES = {
    causes.MISSING: "send the missing {what}",
    causes.INVALID: "send a well-formed {what}",
    causes.MISMATCH: "make the {what} match what this party expects",
    causes.UNKNOWN: "use a {what} this party knows (and that has not expired or been used)",
    causes.REPLAYED: "send a fresh {what}: it is single-use",
    causes.UNSUPPORTED: "use a {what} this party supports (see its metadata)",
    causes.NOT_ALLOWED: "leave out the {what}: the party's policy forbids it",
    causes.SIGNATURE: "sign with the key the DID document lists for the {what}",
    causes.RESOLUTION: "make the {what} resolvable (DID document online, key listed)",
    causes.TIME: "correct the clocks or lifetimes of the {what}",
    causes.UNFULFILLED: "hold (or ask for) credentials that fulfil the {what}",
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)(?:![rsa])?(?::[^{}]*)?\}")  # str.format fields, conversions too
_OAUTH_LINE = re.compile(r"^(?P<code>[a-z][a-z_]*_[a-z_]+|[a-z]+_error) - (?P<description>.*)$", re.DOTALL)


@dataclass(frozen=True)
class Explanation:
    """What a pasted error means: the check, its clause, the catalogue cases, and the usual fix."""

    error: str | None
    description: str
    check: str | None
    ref: str
    cases: tuple[str, ...]
    fix: str

    def __str__(self) -> str:
        lines = [
            f"error:  {self.error or '(none)'}",
            f"text:   {self.description}",
            f"check:  {self.check or '(not a known check)'}",
            f"clause: {self.ref or '-'}",
            f"cases:  {', '.join(self.cases) or '-'}",
            f"fix:    {self.fix}",
        ]
        return "\n".join(lines)


def parse(text: str) -> tuple[str | None, str]:
    """The OAuth code (if any) and description in a pasted body or line."""
    stripped = text.strip()
    code: str | None = None
    try:
        body: Any = json.loads(stripped)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        stripped = body["detail"]
    elif isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"], str(body.get("error_description", ""))
    if REMOTE_PREFIX in stripped:
        stripped = stripped.split(REMOTE_PREFIX, 1)[1]
    found = _OAUTH_LINE.match(stripped)
    if found:
        code, stripped = found["code"], found["description"]
    return code, stripped


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    """Every ``Rule`` the spec modules declare at module level (deduplicated)."""
    import nutssim.specs as specs

    found: dict[tuple[str, str, str], Rule] = {}
    for info in pkgutil.walk_packages(specs.__path__, "nutssim.specs."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, Rule) and value.description:
                found.setdefault((value.id, value.error, value.description), value)
    return tuple(found.values())


def _pattern(template: str) -> re.Pattern[str]:
    """A rule's description template as a regex (each ``{name}`` any text)."""
    parts = _PLACEHOLDER.split(template)
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else "(.*?)" for i, p in enumerate(parts)) + "$", re.DOTALL
    )


def _best_rule(description: str, code: str | None) -> Rule | None:
    """The rule whose template matches ``description`` with the most literal text (code agreeing)."""
    scored = []
    for rule in rules():
        literal = len(_PLACEHOLDER.sub("", rule.description).strip(" :'\""))
        if literal >= 4 and _pattern(rule.description).match(description):  # not "{reason}" alone
            scored.append(
                (code in (None, rule.error) or rule.error in ("invalid_presentation",), literal, rule)
            )
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    return scored[0][2] if scored else None


def _expectation(declared: Any, profile: str) -> Expect | None:
    return declared.expectation(as_profile(profile))  # type: ignore[no-any-return]


def _cases(description: str, check: str | None, profile: str) -> list[tuple[str, Expect, Any]]:
    """Catalogue cases whose expected text is a prefix of ``description`` (or, without one, whose check)."""
    out = []
    for declared in cases():
        expected = _expectation(declared, profile)
        if expected is None or expected.status != "denied":
            continue
        if (expected.description and description.startswith(expected.description)) or (
            check and not expected.description and expected.check == check
        ):
            out.append((declared.id, expected, declared))
    return out


def explain(text: str, *, profile: str = "nuts-node") -> Explanation:
    """Explain an error text or body as a node of ``profile`` prints it."""
    code, description = parse(text)
    inner = description.split(f"{VERIFICATION_FAILED}: ", 1)[-1]
    rule = _best_rule(description, code) or _best_rule(inner, code)
    found = _cases(description, rule.id if rule else None, profile)
    shown = [e.check for _, e, _ in found if e.check]
    if rule is not None and shown and rule.id not in shown:
        rule = None  # a catalogue case names the check that produces this text: it knows better
    check = rule.id if rule else next(iter(shown), None)
    ref = rule.ref if rule else "; ".join(dict.fromkeys(r for _, _, d in found for r in d.refs[:2]))
    return Explanation(code, description, check, ref, tuple(c for c, _, _ in found), _fix(rule, found))


def _fix(rule: Rule | None, found: list[tuple[str, Expect, Any]]) -> str:
    """The usual fix: from the rule's cause kind, else the control a matching case names."""
    if rule is not None and rule.kind in FIXES:
        return FIXES[rule.kind].format(what=rule.subject or rule.about or "value")
    controls = [d.control for _, _, d in found if getattr(d, "control", None)]
    if controls:
        return f"the check is the control {controls[0]!r}: {CONTROLS[controls[0]]}; send what it asks for"
    return "see the clause and the cases listed"
