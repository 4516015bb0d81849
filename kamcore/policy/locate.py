"""Where every key of a TOML document is written: a small position scanner.

:mod:`tomllib` returns plain values and forgets where they came from, but every problem kamcore
reports must point at a file, line and column. This scanner walks source text that ``tomllib``
has already accepted and records the position of every key, table header, array and array item
under its *raw path*: a tuple of keys (``str``) and array indices (``int``), exactly the path
``tomllib``'s result is indexed by (``("tables", "tier", "rules", 0, "when", 1)``).

Because the text is known to be valid TOML, the scanner only has to recognise structure, not
check it: it skips strings of all four kinds and comments (so ``=``, ``[`` and ``#`` inside them
do not mislead it) and never interprets numbers or dates. Runs of blanks, bare keys, one-line
strings and plain values are each skipped with one regular expression match rather than a
method call per character: a policy of hundreds of rules is tens of thousands of characters.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import TypeAlias

from ._toml import tomllib

__all__ = ["Position", "RawPath", "Scanner", "scan_positions"]

#: A path into the parsed document: keys and array indices.
RawPath: TypeAlias = tuple[str | int, ...]
#: A 1-based ``(line, column)``, as ``tomllib`` counts them in its error messages.
Position: TypeAlias = tuple[int, int]

_BLANKS = re.compile(r"[ \t]*")
#: Blanks, line breaks and comments (a comment stops before its line break).
_SPACE = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]*")
#: A one-line string of either kind; only a basic string (``"``) has escapes.
_BASIC_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_LITERAL_STRING = re.compile(r"'[^']*'")
#: A number, date, boolean: up to the next separator, comment or line break.
_PLAIN_VALUE = re.compile(r"[^,\]}#\n\r]*")
_NEWLINE = re.compile(r"\n")
#: The common statement, ``key = value`` with a bare key and a one-line string or a plain
#: value (number, boolean, date): read with one match. Anything else (dotted or quoted keys,
#: arrays, inline tables, multi-line strings) goes through the general path.
_SIMPLE_PAIR = re.compile(
    r"""([A-Za-z0-9_-]+)[ \t]*=[ \t]*
    (?: "(?!"")(?:[^"\\]|\\.)*"
      | '(?!'')[^']*'
      | [^"'\[{,\]}\#\n\r\ \t][^,\]}\#\n\r]*  # (not a blank: those are skipped first)
    )""",
    re.DOTALL | re.VERBOSE,
)


def _end(pattern: re.Pattern[str], text: str, index: int) -> int:
    """Where a run of ``pattern`` starting at ``index`` ends (``index`` when there is none)."""
    match = pattern.match(text, index)
    return index if match is None else match.end()


#: ``[a.b]`` and ``[[a.b]]`` headers of bare keys (by number of brackets), the key in group 1.
_PLAIN_HEADER = {
    n: re.compile(
        rf"\[{{{n}}}[ \t]*([A-Za-z0-9_-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)*)[ \t]*\]{{{n}}}"
    )
    for n in (1, 2)
}


@lru_cache(maxsize=1024)
def _quoted_key(raw: str) -> str:
    """The key a quoted key segment (``"a.b"``, ``'x'``) stands for, as TOML reads it."""
    key: str = tomllib.loads(f"k = {raw}")["k"]
    return key


def scan_positions(text: str) -> dict[RawPath, Position]:
    """Map every raw path of ``text`` (valid TOML) to the position where it is written.

    Keys map to the position of their own key segment (``c`` in ``a.b.c = 1``), tables declared
    by a header to the header's ``[``, items of an array of tables to their ``[[`` header, and
    items of an inline array to the first character of the item. A table that is only implied
    (``a`` in ``[a.b]``) maps to the first place that implies it, unless it is declared later.
    """
    return Scanner(text).run()


class Scanner:
    """One pass over the text; ``i`` is the index of the next character to read."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        self.positions: dict[RawPath, Position] = {}
        self.implicit: set[RawPath] = set()
        self.aot_counts: dict[RawPath, int] = {}
        self.table: RawPath = ()

    # -- positions ------------------------------------------------------------------------

    def pos(self, index: int) -> Position:
        line = bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def record(self, path: RawPath, index: int, *, implicit: bool = False) -> None:
        """Remember ``path`` at ``index``: the first explicit mention wins over implied ones."""
        if path in self.positions:
            if implicit or path not in self.implicit:
                return
            self.implicit.discard(path)  # implied so far, written now
        elif implicit:
            self.implicit.add(path)
        self.positions[path] = self.pos(index)

    # -- characters -----------------------------------------------------------------------

    def peek(self, offset: int = 0) -> str:
        j = self.i + offset
        return self.text[j] if j < len(self.text) else ""

    def startswith(self, token: str) -> bool:
        return self.text.startswith(token, self.i)

    def skip_blanks(self) -> None:
        """Spaces and tabs only: what may separate tokens on one line."""
        self.i = _end(_BLANKS, self.text, self.i)

    def skip_comment(self) -> None:
        if self.peek() == "#":
            end = self.text.find("\n", self.i)
            self.i = len(self.text) if end < 0 else end

    def skip_space(self) -> None:
        """Blanks, newlines and comments: what may separate array items and statements."""
        self.i = _end(_SPACE, self.text, self.i)

    # -- strings --------------------------------------------------------------------------

    def skip_string(self) -> None:
        """Skip a string of any of the four kinds, starting at its opening quote."""
        quote = self.peek()
        if not self.startswith(quote * 3):
            one_line = (_BASIC_STRING if quote == '"' else _LITERAL_STRING).match(self.text, self.i)
            if one_line is not None:
                self.i = one_line.end()
                return
        if self.startswith(quote * 3):
            self.i += 3
            while self.i < len(self.text):
                ch = self.text[self.i]
                if ch == "\\" and quote == '"':
                    self.i += 2
                elif ch == quote and self.startswith(quote * 3):
                    run = 0
                    while self.peek() == quote and run < 5:
                        self.i += 1
                        run += 1
                    return
                else:
                    self.i += 1
            return
        self.i += 1
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch == "\\" and quote == '"':
                self.i += 2
            elif ch == quote:
                self.i += 1
                return
            else:
                self.i += 1

    # -- keys -----------------------------------------------------------------------------

    def read_key(self) -> list[tuple[str, int]]:
        """A dotted key: each segment with the index where it is written."""
        parts: list[tuple[str, int]] = []
        while True:
            self.skip_blanks()
            start = self.i
            if self.peek() in ('"', "'"):
                self.skip_string()
                parts.append((_quoted_key(self.text[start : self.i]), start))
            else:
                self.i = _end(_BARE_KEY, self.text, start)
                parts.append((self.text[start : self.i], start))
            self.skip_blanks()
            if self.peek() != ".":
                return parts
            self.i += 1

    def resolve(self, segments: list[str]) -> RawPath:
        """The raw path of a header's key: arrays of tables resolve to their latest item."""
        path: RawPath = ()
        for segment in segments:
            path += (segment,)
            count = self.aot_counts.get(path)
            if count is not None:
                path += (count - 1,)
        return path

    # -- statements -----------------------------------------------------------------------

    def run(self) -> dict[RawPath, Position]:
        while True:
            self.skip_space()
            if self.i >= len(self.text):
                return self.positions
            if self.startswith("[["):
                self.array_table_header()
            elif self.peek() == "[":
                self.table_header()
            else:
                simple = _SIMPLE_PAIR.match(self.text, self.i)
                if simple is None:
                    self.key_value(self.table)
                else:  # what key_value() would do for this statement
                    self.record((*self.table, simple.group(1)), self.i)
                    self.i = simple.end()

    def header_names(self, brackets: int) -> list[str]:
        """The key of a ``[table]`` (``brackets`` 1) or ``[[array]]`` (2) header starting at
        :attr:`i`, which is left after the closing brackets."""
        plain = _PLAIN_HEADER[brackets].match(self.text, self.i)
        if plain is not None:  # bare keys only: one match instead of a walk over the key
            self.i = plain.end()
            return [name.strip(" \t") for name in plain.group(1).split(".")]
        self.i += brackets
        parts = self.read_key()
        self.i += brackets  # ] or ]]
        return [name for name, _ in parts]

    def table_header(self) -> None:
        start = self.i
        path = self.resolve(self.header_names(1))
        for n in range(1, len(path)):
            self.record(path[:n], start, implicit=True)
        self.record(path, start)
        self.table = path

    def array_table_header(self) -> None:
        start = self.i
        names = self.header_names(2)
        array = (*self.resolve(names[:-1]), names[-1])
        for n in range(1, len(array)):
            self.record(array[:n], start, implicit=True)
        self.record(array, start)
        count = self.aot_counts.get(array, 0) + 1
        self.aot_counts[array] = count
        item = (*array, count - 1)
        self.record(item, start)
        self.table = item

    def key_value(self, table: RawPath) -> None:
        parts = self.read_key()
        path = table
        for name, index in parts:
            path += (name,)
            self.record(path, index, implicit=(name, index) != parts[-1])
        self.i += 1  # =
        self.skip_blanks()
        self.value(path)

    # -- values ---------------------------------------------------------------------------

    def value(self, path: RawPath) -> None:
        ch = self.peek()
        if ch in ('"', "'"):
            self.skip_string()
        elif ch == "[":
            self.array(path)
        elif ch == "{":
            self.inline_table(path)
        else:
            self.i = _end(_PLAIN_VALUE, self.text, self.i)

    def array(self, path: RawPath) -> None:
        self.i += 1
        index = 0
        while True:
            self.skip_space()
            if self.peek() in ("]", ""):
                self.i += 1
                return
            self.record((*path, index), self.i)
            self.value((*path, index))
            index += 1
            self.skip_space()
            if self.peek() == ",":
                self.i += 1

    def inline_table(self, path: RawPath) -> None:
        self.i += 1
        while True:
            self.skip_space()
            if self.peek() in ("}", ""):
                self.i += 1
                return
            self.key_value(path)
            self.skip_space()
            if self.peek() == ",":
                self.i += 1
