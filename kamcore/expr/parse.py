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

from ..errors import ExpressionError

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


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "_encoded", self.text.encode("utf-8"))

    def _char(self, byte_offset: int) -> int:
        # AST columns count UTF-8 bytes; messages and carets count characters.
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
        if getattr(node, "col_offset", None) is None:
            return ast.unparse(node)
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
    out: list[_Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        if kind != "ws":
            out.append(_Token(kind, match.group(), match.start()))
    return out


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
    for index, tok in enumerate(tokens):
        if tok.kind == "triple":
            raise fail("triple-quoted text is not allowed; use '...' or \"...\"", tok.start)
        if tok.kind == "open_str":
            quote = tok.text[-1]
            raise fail(f"this text is not closed: add the matching `{quote}`", tok.start)
        if tok.kind == "other":
            if tok.text in _FULL_WIDTH:
                ascii_char = _FULL_WIDTH[tok.text]
                raise fail(f"use `{ascii_char}` instead of the full-width `{tok.text}`", tok.start)
            if tok.text == "#":
                raise fail("comments (`#`) are not allowed in expressions", tok.start)
            raise fail("cannot parse the expression here", tok.start)
        if tok.kind == "name":
            lower = tok.text.lower()
            if lower in _KEYWORDS and tok.text != lower and tok.text not in known:
                raise fail(f"use `{lower}` instead of `{tok.text}`", tok.start)
        elif tok.kind == "num":
            _refuse_thousands(text, tok.start, shown, offset)
        elif tok.kind == "op":
            if tok.text == "=" and _is_keyword_argument(tokens, index, stack):
                raise fail(
                    "keyword arguments are not allowed; pass the arguments in order", tok.start
                )
            if tok.text in _OPERATOR_MISTAKES:
                raise fail(_OPERATOR_MISTAKES[tok.text], tok.start)
            if tok.text in "([{":
                stack.append(tok)
                if len(stack) > MAX_DEPTH:
                    raise fail(
                        f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                        tok.start,
                    )
            elif tok.text in _PAIRS:
                if not stack:
                    raise fail(f"`{tok.text}` has no matching `{_PAIRS[tok.text]}`", tok.start)
                opener = stack.pop()
                if opener.text != _PAIRS[tok.text]:
                    raise fail(f"`{tok.text}` does not close `{opener.text}`", tok.start)
    if tokens and tokens[-1].text in _NEEDS_RIGHT and tokens[-1].kind in ("op", "name"):
        last = tokens[-1].text
        raise fail(
            f"the expression ends early: `{last}` needs a value on its right", len(text.rstrip())
        )
    if stack:
        raise fail(f"the expression ends early: `{stack[-1].text}` is not closed", stack[-1].start)


def _is_keyword_argument(tokens: list[_Token], index: int, stack: list[_Token]) -> bool:
    """``f(x, lo=0)``: a single ``=`` after ``(name`` or ``, name`` inside a call's brackets."""
    if index < 2 or not stack or stack[-1].text != "(":
        return False
    opener = tokens.index(stack[-1])
    is_call = opener > 0 and tokens[opener - 1].kind == "name"
    return is_call and tokens[index - 1].kind == "name" and tokens[index - 2].text in ("(", ",")


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
    for tok in _tokens(text):
        if tok.kind == "num":
            _refuse_thousands(text, tok.start, text if display is None else display, offset)


def _depth(node: ast.AST) -> int:
    """Nesting depth counting expression nodes only (operators and contexts are not levels)."""
    deepest = 0
    todo: list[tuple[ast.AST, int]] = [(node, 1)]
    while todo:
        current, level = todo.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        for child in ast.iter_child_nodes(current):
            todo.append((child, level + 1 if isinstance(child, ast.expr) else level))
    return deepest


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
    scan(text, display=shown, offset=offset, known=known)
    # Line breaks (a TOML multi-line string) are plain blanks here; scan() has already refused
    # a line break inside a quoted text, so this cannot change a literal.
    flat = text.replace("\r", " ").replace("\n", " ")
    # Python reads leading blanks as an indent; an expression may well start with some.
    lead = len(flat) - len(flat.lstrip())
    flat = flat[lead:]
    source = Source(flat, shown, offset + lead)
    try:
        with warnings.catch_warnings():
            # An invalid escape ('\d') is a warning in Python; in a policy it is an error.
            warnings.simplefilter("error")
            tree = ast.parse(flat, mode="eval")
    except SyntaxError as exc:
        raise _syntax_error(exc, source) from None
    except (RecursionError, MemoryError):
        raise source.error("the expression is too complex", None) from None
    except (ValueError, Warning) as exc:
        raise source.error(f"cannot parse the expression: {exc}", None) from None
    nodes = sum(1 for n in ast.walk(tree) if isinstance(n, ast.expr))
    if nodes > MAX_NODES:
        raise source.error(f"the expression is too complex (more than {MAX_NODES} parts)", None)
    if _depth(tree.body) > MAX_DEPTH:
        raise source.error(
            f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", None
        )
    return tree.body, source


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
