"""Plain TOML values as messages, as JSON and as text.

Three views of the same values are needed: in problem messages (``the string "40"``), in the
canonical JSON that is hashed and validated (dates as ISO strings), and in ``--effective``
listings (TOML-like literals). Keeping them together keeps their wording consistent.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from .paths import format_key

__all__ = [
    "TomlDateTime",
    "canonical_json",
    "describe_value",
    "json_projection",
    "toml_literal",
]


class TomlDateTime(str):
    """A TOML date, date-time or time in the JSON projection: its ISO text, marked.

    The mark lets validation accept it where the schema asks for ``format: date`` and still
    refuse it where a plain string is required (``version = 2024-01-01``).
    """

    kind: str

    def __new__(cls, value: date | time) -> TomlDateTime:
        text = super().__new__(cls, value.isoformat())
        if isinstance(value, datetime):
            text.kind = "date-time"
        elif isinstance(value, date):
            text.kind = "date"
        else:
            text.kind = "time"
        return text


def describe_value(value: Any) -> str:
    """A value as a message names it: ``the string "40"``, ``the integer 3``, ``a table``."""
    if isinstance(value, TomlDateTime):
        return f"the {value.kind} {value}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "the string " + json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, datetime):
        return f"the date-time {value.isoformat()}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, time):
        return f"the time {value.isoformat()}"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if value is None:
        return "nothing"
    return repr(value)


def json_projection(value: Any) -> Any:
    """The JSON form of TOML data: dates, date-times and times become marked ISO strings."""
    if isinstance(value, dict):
        return {k: json_projection(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_projection(v) for v in value]
    if isinstance(value, date | time):
        return TomlDateTime(value)
    return value


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text, dates ISO: equal data gives equal text."""
    return json.dumps(
        json_projection(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def toml_literal(value: Any) -> str:
    """A value written as TOML would write it inline (strings quoted, tables in braces)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = ", ".join(f"{format_key(k)} = {toml_literal(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    return repr(value)
