"""From text to a Python AST, with the common mistakes caught before the parser sees them.

Python's own parser says "invalid syntax" for ``AND``, ``<>``, ``tier = 'KA'`` and accepts
``1,000,000`` as a tuple. A small scanner runs first, outside string literals, and names the
fix for each of those habits; only then is the text handed to ``ast.parse(mode="eval")``.
Size limits (length, nesting, number of nodes) are enforced here so nothing later has to
think about unbounded input.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TypeAlias

from ..errors import ExpressionError
from .walk import measure

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "MAX_NODES", "Source", "parse", "refuse_thousands", "scan"]

#: Longest expression accepted, in characters.
MAX_LENGTH = 2000
#: Deepest nesting accepted (brackets, or expression nodes inside each other).
MAX_DEPTH = 40
#: Most expression nodes accepted.
MAX_NODES = 500

_PREFIX = r"(?i:rb|br|fr|rf|[rbuf])?"
_TOKEN = re.compile(
    rf"""
      (?P<ws>\s+)
    | (?P<triple>{_PREFIX}(?:'''|\"\"\"))
    | (?P<str>{_PREFIX}(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"))
    | (?P<open_str>{_PREFIX}['"])
    | (?P<num>(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?[\d_]+)?[jJ]?)
    | (?P<name>[^\W\d]\w*)
    | (?P<op>\*\*|//|==|!=|<=|>=|<>|:=|&&|\|\||=<|=>|->|[-+*/%<>=!&|^~@()\[\]{{}},:.;])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d_])")
#: What any mistake :func:`scan` names in a text Python parses must contain (see
#: :func:`_may_hold_mistakes`); a text with none of these cannot hold one.
_MISTAKE_TRACES = re.compile(
    "|".join(
        (
            r"'''|\"\"\"",  # triple quotes
            r"[#\\\r\n]",  # a comment, a line continuation, a line break
            r"(?<![=!<>])=(?!=)",  # a single `=`: assignment, keyword argument, `=<`, `=>`, `:=`
            r"\d,\d",  # a thousands separator
            r",\s*\Z",  # a trailing comma (Python reads a tuple)
            r"[^\x20-\x7e\t]",  # anything but printable ASCII
        )
    )
)
#: A letter right after a digit, or a digit and a point: where a number may run into a keyword
#: (``1if``, ``1.else``, ``0x1for``).
_DIGIT_LETTER = re.compile(r"[0-9]\.?[A-Za-z]")
#: A keyword in any case; written in capitals (`AND`) it is a mistake scan() names.
_KEYWORD_LIKE = re.compile(r"\b(?:and|or|not|in|is|if|else)\b", re.IGNORECASE)
#: A text of one-line strings, blanks, operators and words, with no backslash and no string
#: prefix (``f'...'``: a word character right before an opening quote).
_PLAIN = re.compile(r"(?:'[^']*'|\"[^\"]*\"|[^'\"\w\\]|\w(?!['\"]))*")
#: At least as many matches as Python finds tokens in a plain text (see _within_limits).
_TOKEN_BOUND = re.compile(r"'[^']*'|\"[^\"]*\"|[A-Za-z_]\w*|\S")

#: Operators of other languages, and the dialect's spelling.
_OPERATOR_MISTAKES = {
    "&&": "use `and` instead of `&&`",
    "||": "use `or` instead of `||`",
    "<>": "use `!=` instead of `<>`",
    "=<": "use `<=` instead of `=<`",
    "=>": "use `>=` instead of `=>`",
    "=": "use `==` to compare; a single `=` assigns",
    "!": "use `not` instead of `!`",
    ":=": "assignment with `:=` is not allowed",
}
#: Keywords written in another case (SQL habit): ``AND`` -> ``and``.
_KEYWORDS = frozenset({"and", "or", "not", "in", "is", "if", "else"})
#: Tokens that cannot end an expression: they need a value on their right.
_NEEDS_RIGHT = frozenset(
    {
        "+", "-", "*", "/", "//", "%", "**", "<", "<=", ">", ">=", "==", "!=", ",", ".",
        "and", "or", "not", "in", "is", "if", "else",
    }
)  # fmt: skip
#: Full-width punctuation typed with a Chinese input method, and the ASCII character meant.
_FULL_WIDTH = {
    "（": "(",
    "）": ")",
    "，": ",",
    "＞": ">",
    "＜": "<",
    "＝": "=",
    "！": "!",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "＋": "+",
    "－": "-",
}
_PAIRS = {")": "(", "]": "[", "}": "{"}


#: A token: its kind (a group name of ``_TOKEN``), its text and where it starts. A plain tuple:
#: every expression makes dozens, and a tuple costs no constructor call.
_Token: TypeAlias = tuple[str, str, int]


@dataclass(frozen=True)
class Source:
    """The text being compiled and how its positions map onto what the author sees.

    :param text: the text given to the parser (line breaks replaced by spaces, so every node
        is on line 1 and AST columns map directly onto characters).
    :param display: the text shown in error messages (a whole decision-table cell when
        ``text`` is only part of it).
    :param offset: where ``text`` starts inside ``display``.
    """

    text: str
    display: str
    offset: int = 0
    _encoded: bytes = field(init=False, repr=False, compare=False)
    #: the text's length when it is ASCII (byte and character offsets agree), else -1
    _ascii_length: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        encoded = self.text.encode("utf-8")
        object.__setattr__(self, "_encoded", encoded)
        ascii_length = len(self.text) if len(encoded) == len(self.text) else -1
        object.__setattr__(self, "_ascii_length", ascii_length)

    def _char(self, byte_offset: int) -> int:
        # AST columns count UTF-8 bytes; messages and carets count characters. In ASCII text
        # (most expressions) they are the same, and decoding a prefix per node is not needed.
        if 0 <= byte_offset <= self._ascii_length:
            return byte_offset
        return len(self._encoded[:byte_offset].decode("utf-8", errors="ignore"))

    def start(self, node: ast.AST) -> int:
        """Character index in :attr:`text` where ``node`` starts (0 for generated nodes)."""
        col = getattr(node, "col_offset", None)
        return 0 if col is None else self._char(col)

    def end(self, node: ast.AST) -> int:
        """Character index in :attr:`text` where ``node`` ends (0 for generated nodes)."""
        col = getattr(node, "end_col_offset", None)
        return 0 if col is None else self._char(col)

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node``, as the author wrote it."""
        col = getattr(node, "col_offset", None)
        if col is None:
            return ast.unparse(node)
        end = getattr(node, "end_col_offset", None)
        ascii_length = self._ascii_length
        if end is not None and 0 <= col <= ascii_length and 0 <= end <= ascii_length:
            return self.text[col:end]  # ASCII: columns are character indices (see _char)
        return self.text[self.start(node) : self.end(node)]

    def column(self, node: ast.AST) -> int:
        """Column of ``node`` in :attr:`display`, for the caret."""
        return self.offset + self.start(node)

    def operator_column(self, symbol: str, left: ast.AST | None, right: ast.AST) -> int:
        """Column of the operator ``symbol`` written between ``left`` and ``right``.

        The AST does not keep operator positions; between two operands there are only
        brackets, blanks and the operator, so a plain search finds it.
        """
        lo = 0 if left is None else self.end(left)
        hi = self.start(right)
        found = self.text.find(symbol, lo, max(hi, lo))
        return self.offset + (found if found >= 0 else lo)

    def error(self, message: str, column: int | None, hint: str = "") -> ExpressionError:
        """An :class:`ExpressionError` on :attr:`display` (``column`` already in display)."""
        return ExpressionError(message, self.display, column, hint)


def _tokens(text: str) -> list[_Token]:
    return [
        (kind, match.group(), match.start())
        for match in _TOKEN.finditer(text)
        if (kind := match.lastgroup or "ws") != "ws"
    ]


def scan(
    text: str, *, display: str | None = None, offset: int = 0, known: Collection[str] = ()
) -> None:
    """Refuse the common mistakes in ``text`` with a message naming the fix.

    :param known: names in scope; a policy that really has a fact called ``AND`` keeps it.
    :raises ExpressionError: at the first mistake, left to right; then for an expression that
        ends early (a trailing operator or an unclosed bracket).
    """
    shown = text if display is None else display

    def fail(message: str, column: int, hint: str = "") -> ExpressionError:
        return ExpressionError(message, shown, offset + column, hint)

    tokens = _tokens(text)
    stack: list[_Token] = []
    # One branch per token kind, the common kinds first (a token has one kind, so the first
    # mistake from the left is found whatever the order of the branches).
    for index, token in enumerate(tokens):
        kind, tok, start = token
        if kind == "name":
            lower = tok.lower()
            if lower in _KEYWORDS and tok != lower and tok not in known:
                raise fail(f"use `{lower}` instead of `{tok}`", start)
        elif kind == "op":
            if tok == "=" and _is_keyword_argument(tokens, index, stack):
                raise fail("keyword arguments are not allowed; pass the arguments in order", start)
            if tok in _OPERATOR_MISTAKES:
                raise fail(_OPERATOR_MISTAKES[tok], start)
            if tok in "([{":
                stack.append(token)
                if len(stack) > MAX_DEPTH:
                    raise fail(
                        f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                        start,
                    )
            elif tok in _PAIRS:
                if not stack:
                    raise fail(f"`{tok}` has no matching `{_PAIRS[tok]}`", start)
                opener = stack.pop()
                if opener[1] != _PAIRS[tok]:
                    raise fail(f"`{tok}` does not close `{opener[1]}`", start)
        elif kind == "num":
            _refuse_thousands(text, start, shown, offset)
        elif kind == "triple":
            raise fail("triple-quoted text is not allowed; use '...' or \"...\"", start)
        elif kind == "open_str":
            raise fail(f"this text is not closed: add the matching `{tok[-1]}`", start)
        elif kind == "other":
            if tok in _FULL_WIDTH:
                raise fail(f"use `{_FULL_WIDTH[tok]}` instead of the full-width `{tok}`", start)
            if tok == "#":
                raise fail("comments (`#`) are not allowed in expressions", start)
            raise fail("cannot parse the expression here", start)
    if tokens and tokens[-1][1] in _NEEDS_RIGHT and tokens[-1][0] in ("op", "name"):
        last = tokens[-1][1]
        raise fail(
            f"the expression ends early: `{last}` needs a value on its right", len(text.rstrip())
        )
    if stack:
        raise fail(f"the expression ends early: `{stack[-1][1]}` is not closed", stack[-1][2])


def _is_keyword_argument(tokens: list[_Token], index: int, stack: list[_Token]) -> bool:
    """``f(x, lo=0)``: a single ``=`` after ``(name`` or ``, name`` inside a call's brackets."""
    if index < 2 or not stack or stack[-1][1] != "(":
        return False
    opener = tokens.index(stack[-1])
    is_call = opener > 0 and tokens[opener - 1][0] == "name"
    return is_call and tokens[index - 1][0] == "name" and tokens[index - 2][1] in ("(", ",")


def _refuse_thousands(text: str, start: int, display: str, offset: int) -> None:
    found = _THOUSANDS.match(text, start)
    if found:
        fixed = found.group().replace(",", "_")
        comma = text.index(",", start)
        raise ExpressionError(
            f"thousands separators are not allowed: write `{fixed}`", display, offset + comma
        )


def refuse_thousands(text: str, *, display: str | None = None, offset: int = 0) -> None:
    """Refuse ``1,000`` anywhere outside quotes (for texts that are not expressions, such as
    the range ``[1,000..5,000)`` of a decision-table cell).

    :raises ExpressionError: with the number rewritten with ``_``.
    """
    for kind, _, start in _tokens(text):
        if kind == "num":
            _refuse_thousands(text, start, text if display is None else display, offset)


def parse(
    text: str, *, display: str | None = None, offset: int = 0, known: Collection[str] = ()
) -> tuple[ast.expr, Source]:
    """Parse ``text`` as one expression.

    :param display: what error messages show (default ``text``); ``offset`` is where ``text``
        starts inside it.
    :param known: names in scope, passed to :func:`scan`.
    :returns: the expression node and the :class:`Source` that maps its positions.
    :raises ExpressionError: for anything that is not a single well-formed expression within
        the size limits.
    """
    shown = text if display is None else display
    if not text.strip():
        raise ExpressionError("the expression is empty", shown, None)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is too long ({len(text)} characters; at most {MAX_LENGTH})",
            shown,
            None,
        )
    # Line breaks (a TOML multi-line string) are plain blanks here; scan() refuses a line break
    # inside a quoted text (a text with one is always scanned), so this cannot change a literal.
    flat = text.replace("\r", " ").replace("\n", " ")
    # Python reads leading blanks as an indent; an expression may well start with some.
    lead = len(flat) - len(flat.lstrip())
    flat = flat[lead:]
    source = Source(flat, shown, offset + lead)
    # scan() names the author's mistake before Python's parser complains, as it always did; it
    # is skipped only for a text Python parses and that shows no trace of a mistake it names.
    failure: Exception | None = None
    try:
        tree = _parse_eval(flat, source)
    except Exception as exc:
        failure = exc
    if failure is not None or _may_hold_mistakes(text):
        scan(text, display=shown, offset=offset, known=known)  # (outside the except block)
    if failure is not None:
        raise failure
    if _within_limits(flat):
        return tree.body, source
    nodes, depth = measure(tree.body)
    if nodes > MAX_NODES:
        raise source.error(f"the expression is too complex (more than {MAX_NODES} parts)", None)
    if depth > MAX_DEPTH:
        raise source.error(
            f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", None
        )
    return tree.body, source


def _parse_eval(flat: str, source: Source) -> ast.Expression:
    """``ast.parse`` in eval mode, its failures as :class:`ExpressionError` s.

    Python's tokenizer warns about two things only: an invalid escape sequence (a backslash
    before a letter that means nothing) and a number running into a keyword (``1if``,
    ``1.else``); in a policy both are errors, so the warnings are turned into exceptions. A
    text with no backslash and no letter right after a digit (or a digit and a point) can
    cause neither, and is parsed without switching the warning filters (a fifth of the cost of
    parsing a short expression).
    """
    try:
        if "\\" not in flat and _DIGIT_LETTER.search(flat) is None:
            return ast.parse(flat, mode="eval")
        with warnings.catch_warnings():
            # An invalid escape ('\d') is a warning in Python; in a policy it is an error.
            warnings.simplefilter("error")
            return ast.parse(flat, mode="eval")
    except SyntaxError as exc:
        raise _syntax_error(exc, source) from None
    except (RecursionError, MemoryError):
        raise source.error("the expression is too complex", None) from None
    except (ValueError, Warning) as exc:
        raise source.error(f"cannot parse the expression: {exc}", None) from None


def _may_hold_mistakes(text: str) -> bool:
    """Whether :func:`scan` could refuse ``text``, which Python parses as one expression.

    Of the mistakes scan() names, those Python also refuses (``&&``, ``<>``, an unclosed
    bracket or text, a trailing operator) cannot be in ``text``; each of the others leaves a
    trace this looks for: triple quotes, ``#``, a backslash, a line break, a single ``=``,
    ``1,000``, a trailing comma, a character that is not printable ASCII (full-width
    punctuation, anything the scanner does not know), more brackets than may nest, or a
    keyword written in capitals. False means scan() would find nothing; true means "scan".
    """
    if _MISTAKE_TRACES.search(text):
        return True
    if text.count("(") + text.count("[") + text.count("{") > MAX_DEPTH:
        return True
    return any(m.group() != m.group().lower() for m in _KEYWORD_LIKE.finditer(text))


def _within_limits(text: str) -> bool:
    """Whether ``text``, which Python parses as one expression, is surely within the size
    limits, without walking its tree (which would cost as much as checking it).

    Every expression node owns at least one token no other node owns: a name or literal its
    token, an operation its operator (``and``, ``<``, ``not``, ``.``), a call its ``(``, a tuple
    a comma, a conditional its ``if``... (only f-strings break this: many nodes in one string).
    So nodes, and nesting levels, are at most the tokens. In a plain text (no escapes, no
    triple quotes, no string prefixes such as ``f``) each token starts a match of
    :data:`_TOKEN_BOUND` (a string is one match, a number one or more, an operator one per
    character), so the matches bound the tokens from above.
    """
    if "'''" in text or '"""' in text or _PLAIN.fullmatch(text) is None:
        return False
    return len(_TOKEN_BOUND.findall(text)) <= min(MAX_DEPTH, MAX_NODES)


def _syntax_error(exc: SyntaxError, source: Source) -> ExpressionError:
    end = len(source.text.rstrip())
    message = exc.msg or ""
    if "escape" in message:
        return source.error(
            f"{message} in a text; write `\\\\` for a backslash",
            source.offset + max((exc.offset or 1) - 1, 0),
        )
    if "expected 'else'" in message:
        return source.error(
            "`if` needs an `else` part: write `a if condition else b`", source.offset + end
        )
    if not exc.offset or exc.offset - 1 >= end:
        return source.error("the expression ends early", source.offset + end)
    return source.error("cannot parse the expression here", source.offset + exc.offset - 1)
