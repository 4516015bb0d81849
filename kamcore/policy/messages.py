"""JSON Schema errors in plain language.

``jsonschema`` says ``'40' is not of type 'number'``; a policy author needs
``\\`weight\\` must be a number, got the string "40"`` at the line of ``weight``. This module turns
each :class:`jsonschema.ValidationError` into such a :class:`~kamcore.errors.Problem`. The
wordings are pinned by tests (``tests/policy/test_validate.py``) because users and tools rely on
them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..errors import Problem
from .document import PolicyDocument
from .paths import ItemId, Segment, join_path, raw_to_segments
from .values import TomlDateTime, describe_value

__all__ = ["explain"]

_TYPE_WORDS = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean (true or false)",
    "array": "an array",
    "object": "a table",
    "null": "empty",
}
_FORMAT_WORDS = {
    "date": "a date (YYYY-MM-DD)",
    "date-time": "a date-time (YYYY-MM-DDTHH:MM:SS)",
    "time": "a time (HH:MM:SS)",
}


def _suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice (case-insensitive), for "did you mean" hints."""
    options = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=0.6)
    return options[close[0]] if close else None


def _number(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _types(types: Any) -> str:
    names = [types] if isinstance(types, str) else list(types)
    if names == ["boolean"]:
        return "true or false"
    words = [_TYPE_WORDS.get(n, n).replace(" (true or false)", "") for n in names]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _got(value: Any) -> str:
    """The offending value after "got": strings in backticks, other values described."""
    if isinstance(value, str) and not isinstance(value, TomlDateTime):
        return f"`{value}`"
    return describe_value(value)


class _Explainer:
    """Explains the errors of one document; ``segments`` name where each error is."""

    def __init__(self, doc: PolicyDocument, active_plugins: Sequence[str]) -> None:
        self.doc = doc
        self.active = list(active_plugins)
        self.handlers: dict[str, Callable[[Any, list[Segment]], list[Problem]]] = {
            "additionalProperties": self.additional,
            "required": self.required,
            "enum": self.enum,
            "const": self.const,
            "type": self.type,
            "anyOf": self.any_of,
            "oneOf": self.any_of,
            "pattern": self.pattern,
            "format": self.format,
            "minimum": self.bound,
            "maximum": self.bound,
            "exclusiveMinimum": self.bound,
            "exclusiveMaximum": self.bound,
            "minLength": self.length,
            "maxLength": self.length,
            "minItems": self.items,
            "maxItems": self.items,
            "uniqueItems": self.unique,
        }

    # -- naming ---------------------------------------------------------------------------

    def at(self, message: str, segments: Sequence[Segment]) -> Problem:
        return Problem(message, self.doc.locate(join_path(segments)))

    @staticmethod
    def name(segments: Sequence[Segment]) -> str:
        """How a message names a value: its key with any item brackets (``extends[1]``)."""
        for j in range(len(segments) - 1, -1, -1):
            if not isinstance(segments[j], ItemId | int):
                return join_path(segments[j:])
        return join_path(segments) or "the policy"

    @staticmethod
    def table(segments: Sequence[Segment]) -> str:
        return f"in [{join_path(segments)}]" if segments else "at the top level"

    # -- dispatch -------------------------------------------------------------------------

    def explain(self, error: Any) -> list[Problem]:
        segments = raw_to_segments(tuple(error.absolute_path), self.doc.data)
        if self.under_property_names(error):
            return self.property_name(error, segments)
        handler = self.handlers.get(str(error.validator))
        if handler is not None:
            return handler(error, segments)
        return [self.at(f"`{self.name(segments)}` is not valid: {error.message}", segments)]

    @staticmethod
    def under_property_names(error: Any) -> bool:
        path = [p for p in error.relative_schema_path if p != "$ref"]
        return len(path) >= 2 and path[-2] == "propertyNames"

    # -- handlers -------------------------------------------------------------------------

    def additional(self, error: Any, segments: list[Segment]) -> list[Problem]:
        schema = error.schema
        allowed = list(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        extra = [
            key
            for key in error.instance
            if key not in allowed and not any(re.search(p, key) for p in patterns)
        ]
        problems = []
        for key in extra:
            if [str(s) for s in segments] == ["config"]:
                message = self.inactive_plugin(key)
            else:
                message = f"unknown key `{key}` {self.table(segments)}" + self.hint(key, allowed)
            problems.append(self.at(message, [*segments, key]))
        return problems

    @staticmethod
    def hint(key: str, allowed: Sequence[str]) -> str:
        close = _suggest(key, allowed)
        if close is not None:
            return f"; did you mean `{close}`?"
        return "; allowed keys: " + ", ".join(allowed) if allowed else ""

    def inactive_plugin(self, plugin: str) -> str:
        text = f"[config.{plugin}] configures plugin `{plugin}`, which is not active; "
        if not self.active:
            text += "no plugins are active"
        else:
            text += "active plugins: " + ", ".join(self.active)
        close = _suggest(plugin, self.active)
        return text + (f"; did you mean `{close}`?" if close else "")

    def property_name(self, error: Any, segments: list[Segment]) -> list[Problem]:
        key = str(error.instance)
        schema = error.schema
        where = self.table(segments)
        if error.validator == "enum":
            context = schema.get("x-context")
            where += f" {context}" if context else ""
            message = f"unknown key `{key}` {where}" + self.hint(key, list(error.validator_value))
        elif error.validator == "pattern":
            expected = schema.get("x-pattern-hint") or f"a key matching `{error.validator_value}`"
            message = f"`{key}` is not a valid key {where}: expected {expected}"
        else:
            message = f"`{key}` is not a valid key {where}: {error.message}"
        return [self.at(message, [*segments, key])]

    def required(self, error: Any, segments: list[Segment]) -> list[Problem]:
        missing = [k for k in error.validator_value if k not in error.instance]
        return [
            self.at(f"missing required key `{key}` {self.table(segments)}", segments)
            for key in missing
        ]

    def enum(self, error: Any, segments: list[Segment]) -> list[Problem]:
        choices = [str(c) for c in error.validator_value]
        value = error.instance
        message = f"`{self.name(segments)}` must be one of {', '.join(choices)}; got {_got(value)}"
        if isinstance(value, str):
            close = _suggest(value, choices)
            if close is not None and close != value:
                message += f" (did you mean `{close}`?)"
        return [self.at(message, segments)]

    def const(self, error: Any, segments: list[Segment]) -> list[Problem]:
        message = (
            f"`{self.name(segments)}` must be `{error.validator_value}`, got {_got(error.instance)}"
        )
        return [self.at(message, segments)]

    def type(self, error: Any, segments: list[Segment]) -> list[Problem]:
        expected = _types(error.validator_value)
        got = describe_value(error.instance)
        return [self.at(f"`{self.name(segments)}` must be {expected}, got {got}", segments)]

    def any_of(self, error: Any, segments: list[Segment]) -> list[Problem]:
        """Explain the alternative that fits the value's kind, or name the kinds allowed."""
        branches: dict[int, list[Any]] = {}
        for sub in error.context or ():
            branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
        fitting = [
            errors
            for errors in branches.values()
            if not any(e.validator == "type" and not e.relative_path for e in errors)
        ]
        if fitting:
            best = min(fitting, key=len)
            return [p for sub in best for p in self.explain(sub)]
        kinds: list[str] = []
        for errors in branches.values():
            for sub in errors:
                if sub.validator == "type" and not sub.relative_path:
                    names = sub.validator_value
                    kinds.extend([names] if isinstance(names, str) else names)
        expected = _types(list(dict.fromkeys(kinds))) if kinds else "valid"
        got = describe_value(error.instance)
        return [self.at(f"`{self.name(segments)}` must be {expected}, got {got}", segments)]

    def pattern(self, error: Any, segments: list[Segment]) -> list[Problem]:
        expected = error.schema.get("x-pattern-hint")
        if expected is None:
            expected = f"text matching `{error.validator_value}`"
        got = describe_value(error.instance)
        return [self.at(f"`{self.name(segments)}` must be {expected}, got {got}", segments)]

    def format(self, error: Any, segments: list[Segment]) -> list[Problem]:
        fmt = str(error.validator_value)
        expected = _FORMAT_WORDS.get(fmt, f"a valid {fmt}")
        got = describe_value(error.instance)
        return [self.at(f"`{self.name(segments)}` must be {expected}, got {got}", segments)]

    def bound(self, error: Any, segments: list[Segment]) -> list[Problem]:
        words = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "greater than",
            "exclusiveMaximum": "less than",
        }[str(error.validator)]
        limit = _number(error.validator_value)
        got = _number(error.instance)
        return [self.at(f"`{self.name(segments)}` must be {words} {limit}, got {got}", segments)]

    def length(self, error: Any, segments: list[Segment]) -> list[Problem]:
        limit = int(error.validator_value)
        name = self.name(segments)
        if error.validator == "minLength" and limit == 1:
            return [self.at(f"`{name}` must not be empty", segments)]
        words = "at least" if error.validator == "minLength" else "at most"
        got = describe_value(error.instance)
        unit = "character" if limit == 1 else "characters"
        return [self.at(f"`{name}` must be {words} {limit} {unit} long, got {got}", segments)]

    def items(self, error: Any, segments: list[Segment]) -> list[Problem]:
        limit = int(error.validator_value)
        name = self.name(segments)
        if error.validator == "minItems" and limit == 1:
            return [self.at(f"`{name}` must not be empty", segments)]
        words = "at least" if error.validator == "minItems" else "at most"
        unit = "item" if limit == 1 else "items"
        got = len(error.instance)
        return [self.at(f"`{name}` must have {words} {limit} {unit}, got {got}", segments)]

    def unique(self, error: Any, segments: list[Segment]) -> list[Problem]:
        seen: list[Any] = []
        repeated: list[Any] = []
        for item in error.instance:
            if item in seen and item not in repeated:
                repeated.append(item)
            seen.append(item)
        listed = ", ".join(_got(v) for v in repeated)
        return [self.at(f"`{self.name(segments)}` lists {listed} more than once", segments)]


def explain(errors: Iterable[Any], doc: PolicyDocument, active: Sequence[str]) -> list[Problem]:
    """Plain-language, located problems for schema errors, sorted by file and line."""
    explainer = _Explainer(doc, active)
    problems: list[Problem] = []
    seen: set[tuple[str, str | None, int | None, int | None]] = set()
    for error in errors:
        for problem in explainer.explain(error):
            loc = problem.location
            key = (problem.message, loc.file, loc.line, loc.column)
            if key not in seen:
                seen.add(key)
                problems.append(problem)
    order = {file: n for n, file in enumerate(doc.layers)}

    def position(problem: Problem) -> tuple[int, int, int, str]:
        loc = problem.location
        return (
            order.get(loc.file or "", len(order)),
            loc.line if loc.line is not None else 1 << 30,
            loc.column or 0,
            problem.message,
        )

    return sorted(problems, key=position)
