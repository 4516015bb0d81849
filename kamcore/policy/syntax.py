"""Reading TOML text, and TOML syntax errors in plain words with their position.

``tomllib`` reports ``Expected '=' after a key in a key/value pair (at line 3, column 9)``; a
policy author is better served by ``TOML syntax error: expected `=` after the key`` located at
line 3, column 9 and inside the table being written, like every other problem.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from ..errors import Location, Problem
from ._toml import tomllib
from .locate import Scanner
from .paths import display_path, join_path

__all__ = ["parse_toml", "syntax_problem"]

_WHERE = re.compile(
    r"^(?P<msg>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)\s*$",
    re.DOTALL,
)

#: tomllib's wording -> plain words (``{0}`` is the dotted key named in the original message).
_PLAIN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        (r"^Invalid statement$", "expected `key = value`, a [table] or an [[array]] header"),
        (r"^Expected '=' after a key in a key/value pair$", "expected `=` after the key"),
        (r"^Invalid value$", 'invalid value (text must be in quotes: "like this")'),
        (r"^Unterminated string$", "this string is not closed"),
        (r"^Illegal character '\\n'$", "this string is not closed on its line"),
        (r"^Illegal character (.+)$", "the character {0} is not allowed here"),
        (r"^Unclosed array$", "this array is not closed with `]`"),
        (r"^Unclosed inline table$", "this inline table is not closed with `}`"),
        (r"^Cannot overwrite a value$", "this key is already set"),
        (r"^Cannot declare (.+) twice$", "table [{0}] is declared twice"),
        (r"^Duplicate inline table key '(.+)'$", "key `{0}` appears twice in this inline table"),
        (
            r"^Expected newline or end of document after a statement$",
            "expected the end of the line after the value (one `key = value` per line)",
        ),
        (r"^Invalid date or datetime$", "invalid date or date-time"),
        (
            r"^Invalid initial character for a key part$",
            "a key is expected here (bare keys use A-Z a-z 0-9 _ -; quote any other key)",
        ),
        (r"^Expected '\]' at the end of a table declaration$", "expected `]` after the table"),
        (
            r"^Expected '\]\]' at the end of an array declaration$",
            "expected `]]` after the array of tables",
        ),
        (
            r"^Cannot mutate immutable namespace (.+)$",
            "[{0}] was written inline and cannot be extended here",
        ),
        (r"^Cannot redefine namespace (.+)$", "[{0}] cannot be redefined here"),
        (r"^Unescaped '\\\\' in a string$", 'a backslash in a "string" must be written \\\\'),
    )
)


def _dotted(text: str) -> str:
    """``('a', 'b')`` as tomllib prints a key -> ``a.b``."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return join_path(list(value))
    return text


def _plain(message: str) -> str:
    for pattern, text in _PLAIN:
        match = pattern.match(message)
        if match:
            return text.format(*(_dotted(g) for g in match.groups()))
    return message[:1].lower() + message[1:]


def table_at_line(text: str, line: int) -> str:
    """The key path of the table in effect just before ``line``, best effort.

    The text up to the error is scanned when it parses on its own; otherwise the answer is the
    root (``""``): a syntax error is still located by line and column.
    """
    prefix = "".join(text.splitlines(keepends=True)[: max(line - 1, 0)])
    try:
        data = tomllib.loads(prefix)
    except tomllib.TOMLDecodeError:
        return ""
    scanner = Scanner(prefix)
    scanner.run()
    return display_path(scanner.table, data)


def syntax_problem(error: Exception, text: str, file: str) -> Problem:
    """A located problem for a ``TOMLDecodeError`` raised on ``text``."""
    raw = str(error)
    match = _WHERE.match(raw)
    line: int | None = None
    column: int | None = None
    message = raw
    if match:
        message = match["msg"]
        if match["line"]:
            line, column = int(match["line"]), int(match["col"])
        else:
            lines = text.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
    key_path = table_at_line(text, line) if line else ""
    return Problem(f"TOML syntax error: {_plain(message)}", Location(file, line, column, key_path))


def parse_toml(text: str, file: str) -> dict[str, Any] | Problem:
    """The parsed document, or the syntax problem that stopped it."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return syntax_problem(exc, text, file)
    return data
