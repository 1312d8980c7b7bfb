"""Scenario options as data: each scenario declares what it accepts (name, type, default, help, choices).

The table is the one source of truth: ``build`` refuses an option it does not list, fills
in the defaults it gives and checks each value's type and allowed values; the CLI and the
notebooks list it; ``parse`` turns the text of ``--option KEY=VALUE`` into the declared type.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from nutssim.errors import InputError, did_you_mean

TRUE, FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")


@dataclass(frozen=True)
class Option:
    """One option a scenario accepts."""

    name: str
    type: type  # bool, int, float, str or dict (a JSON object on the command line)
    default: Any
    help: str
    choices: tuple[Any, ...] | None = None  # the allowed values, where they are finite

    def check(self, value: Any, scenario: str) -> Any:
        """``value`` if it fits this option (None where the default is None), else an InputError."""
        if value is None and self.default is None:
            return value
        if not _is_a(value, self.type):
            raise InputError(
                f"option {self.name!r} of scenario {scenario!r} takes a {self.type.__name__}, "
                f"not {type(value).__name__} {value!r}",
                hint=self.help,
            )
        if self.choices is not None and value not in self.choices:
            raise InputError(
                f"option {self.name!r} of scenario {scenario!r} cannot be {value!r}",
                hint=f"allowed: {', '.join(map(str, self.choices))}",
            )
        return value

    def parse(self, text: str, scenario: str) -> Any:
        """The value the command-line text ``text`` stands for, checked."""
        return self.check(_parse(self, text.strip(), scenario), scenario)


def _is_a(value: Any, kind: type) -> bool:
    if kind is bool or isinstance(value, bool):  # True is an int to Python, not to a scenario
        return isinstance(value, bool) and kind is bool
    if kind is float:
        return isinstance(value, int | float)
    return isinstance(value, kind)


def _parse(option: Option, text: str, scenario: str) -> Any:
    where = f"option {option.name!r} of scenario {scenario!r}"
    if option.default is None and text.lower() in ("", "none", "null"):
        return None
    if option.type is bool:
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise InputError(f"{where} is true or false, not {text!r}", hint="use true/false, yes/no or 1/0")
    if option.type in (int, float):
        try:
            return option.type(text)
        except ValueError:
            raise InputError(f"{where} is a number, not {text!r}", hint=option.help) from None
    if option.type is dict:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where} is a JSON object: {exc.msg}", hint=option.help) from None
        if not isinstance(value, dict):
            raise InputError(f"{where} is a JSON object, not {type(value).__name__}", hint=option.help)
        return value
    return text


def find(options: Iterable[Option], key: str, scenario: str) -> Option:
    """The option named ``key``, or an InputError with a did-you-mean hint."""
    table = {o.name: o for o in options}
    if key not in table:
        known = did_you_mean(key, table) if table else "it takes no options"
        raise InputError(f"scenario {scenario!r} has no option {key!r}", hint=known)
    return table[key]


def resolve(options: Iterable[Option], given: Mapping[str, Any], scenario: str) -> dict[str, Any]:
    """Every declared option's value: the given one (checked) or its default; unknown keys refused."""
    table = tuple(options)
    for key in given:
        find(table, key, scenario)
    return {o.name: o.check(given[o.name], scenario) if o.name in given else o.default for o in table}


def with_defaults(options: Iterable[Option], **defaults: Any) -> tuple[Option, ...]:
    """``options`` with some defaults changed (a variant scenario of a family)."""
    table = tuple(options)
    for key in defaults:
        find(table, key, "<declaration>")
    return tuple(replace(o, default=defaults[o.name]) if o.name in defaults else o for o in table)
