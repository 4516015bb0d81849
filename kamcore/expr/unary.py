"""Decision-table cells: unary tests in the DMN / GoRules-ZEN style.

A cell tests the value of its input column: ``>= 1_000_000``, ``[100_000..1_000_000)``,
``"retail", "fmcg"``, ``not("x")``, ``-`` (anything) or ``null`` (missing). Anything else is a
full boolean expression over the scope. Every cell is type-checked against its input when the
policy loads and compiled to one function ``test(value, values)`` through the same checker as
expressions, so the same messages and the same missing-value rule apply.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ExpressionError
from ..types import Type
from .check import PLACEHOLDER, Checked, Checker, InputColumn
from .compile import build_function, runtime_globals
from .emit import INPUT, VALUES, const
from .interval import Interval, parse_interval
from .parse import Source, parse, refuse_thousands, scan
from .scope import PortfolioCall, Scope
from .typerules import is_boolean, show

__all__ = ["UnaryTest", "compile_unary_test"]

_CELL_HELP = (
    "a cell is a test of its input: a value, a list of values, a comparison such as `>= 10`, "
    "a range such as `[0..10)`, `-` (anything), `null` (missing), or a true/false condition"
)
_COMPARISON = re.compile(r"(<=|>=|==|!=|<|>)")
_COMPARE_OPS: dict[str, type[ast.cmpop]] = {
    "<=": ast.LtE,
    ">=": ast.GtE,
    "==": ast.Eq,
    "!=": ast.NotEq,
    "<": ast.Lt,
    ">": ast.Gt,
}
_RANGE_LIKE = re.compile(r"^[\[\(\]][^'\"]*\.\.[^'\"]*[\]\)\[]$", re.DOTALL)
_CELL_WORDS = {"true": True, "false": False}


def _match_any(value: Any, values: Mapping[str, Any]) -> bool:
    return True


def _match_null(value: Any, values: Mapping[str, Any]) -> bool:
    return value is None


@dataclass(frozen=True)
class UnaryTest:
    """A compiled decision-table cell.

    :param kind: ``any`` (``-``), ``null``, ``eq`` (a value or list of values), ``not_eq``
        (``not(...)``), ``compare`` (``>= 10``, ``< other_metric``), ``interval``
        (``[0..10)``) or ``expr`` (a boolean expression over the scope).
    :param values: the literal values of ``eq`` / ``not_eq`` cells (for indexing tables and
        checking them against the input's allowed values).
    :param interval: the range an ``interval`` cell, or a ``compare`` cell with a number,
        accepts (for gap and overlap checks of a table column).
    :param names: facts/metrics/outputs the cell reads besides its input.
    :param test: ``test(value, values)``: whether the input value passes. A missing input
        raises :class:`~kamcore.expr.MissingValueError` except for ``-`` and ``null`` cells
        (and ``expr`` cells, which do not test the input and handle missing values as any
        expression does).
    :param cell: the cell as written.
    :param portfolio_calls: portfolio columns the cell reads (``> percentile(x)``).
    :param tree: the compiled body (reads the locals ``value`` and ``values``); ``None`` for
        ``-`` and ``null``.
    """

    kind: str
    values: frozenset[Any] | None
    interval: Interval | None
    names: tuple[str, ...]
    test: Callable[[Any, Mapping[str, Any]], bool]
    cell: str = ""
    portfolio_calls: tuple[PortfolioCall, ...] = ()
    tree: ast.Expression | None = None


def _placeholder() -> ast.Name:
    return ast.Name(id=PLACEHOLDER, ctx=ast.Load())


def _cell_literal(node: ast.expr, scope: Scope) -> ast.expr | None:
    """``node`` as a literal of a cell (FEEL's ``true``/``false`` included), else ``None``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str):
        return node
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub | ast.UAdd)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, int | float)
        and not isinstance(node.operand.value, bool)
    ):
        return node
    if isinstance(node, ast.Name) and node.id in _CELL_WORDS and node.id not in scope.names:
        return ast.copy_location(const(_CELL_WORDS[node.id]), node)
    return None


def _literals(node: ast.expr, scope: Scope) -> list[ast.expr] | None:
    items = node.elts if isinstance(node, ast.Tuple) else [node]
    out = [_cell_literal(item, scope) for item in items]
    if not items or any(item is None for item in out):
        return None
    return [item for item in out if item is not None]


def _finish(
    kind: str,
    checker: Checker,
    body: ast.expr,
    cell: str,
    *,
    values: frozenset[Any] | None = None,
    interval: Interval | None = None,
) -> UnaryTest:
    namespace = runtime_globals(checker.bound)
    test = build_function(
        body, (INPUT, VALUES), namespace, "<cell>", positioned=True, warns=checker.identity_tests
    )
    tree = ast.Expression(body=body)
    return UnaryTest(
        kind=kind,
        values=values,
        interval=interval,
        names=tuple(checker.names),
        test=test,
        cell=cell,
        portfolio_calls=tuple(checker.portfolio_calls.values()),
        tree=tree,
    )


def _interval_test(text: str, lead: int, cell: str, column: InputColumn, scope: Scope) -> UnaryTest:
    refuse_thousands(text, display=cell, offset=lead)
    try:
        interval = parse_interval(text)
    except ValueError as exc:
        raise ExpressionError(str(exc), cell, lead) from None
    if not (column.type.is_numeric or column.type.kind == "any"):
        raise ExpressionError(
            f"a range needs a number input; `{column.source}` is {show(column.type)}", cell, lead
        )
    lower = ast.LtE() if interval.lo_closed else ast.Lt()
    upper = ast.LtE() if interval.hi_closed else ast.Lt()
    compare: ast.Compare
    if interval.lo is not None and interval.hi is not None:
        compare = ast.Compare(
            left=const(interval.lo),
            ops=[lower, upper],
            comparators=[_placeholder(), const(interval.hi)],
        )
    elif interval.lo is not None:
        compare = ast.Compare(
            left=_placeholder(),
            ops=[ast.GtE() if interval.lo_closed else ast.Gt()],
            comparators=[const(interval.lo)],
        )
    else:
        compare = ast.Compare(left=_placeholder(), ops=[upper], comparators=[const(interval.hi)])
    checker = Checker(
        Source(text, cell, lead), scope, runtime_source=f"{column.source} in {text}", input=column
    )
    checked = checker.check(compare)
    return _finish("interval", checker, checked.node, cell, interval=interval)


def _comparison_test(
    text: str, symbol: str, lead: int, cell: str, column: InputColumn, scope: Scope
) -> UnaryTest:
    # The right side is parsed in place: the operator becomes "(" and blanks, so columns of the
    # parsed nodes are columns of the cell and the caret lands where the author looks.
    padded = "(" + " " * (len(symbol) - 1) + text[len(symbol) :] + ")"
    right, source = parse(padded, display=cell, offset=lead, known=scope.names.keys())
    compare = ast.Compare(left=_placeholder(), ops=[_COMPARE_OPS[symbol]()], comparators=[right])
    checker = Checker(source, scope, runtime_source=f"{column.source} {text}", input=column)
    checked = checker.check(compare)
    interval: Interval | None = None
    literal = _cell_literal(right, scope)
    if symbol in ("<", "<=", ">", ">=") and literal is not None:
        bound = _literal_value(literal)
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            interval = _one_sided(symbol, bound)
    return _finish("compare", checker, checked.node, cell, interval=interval)


def _literal_value(node: ast.expr) -> Any:
    """The value of a node accepted by :func:`_cell_literal` (a signed number folded)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        assert isinstance(value, int | float)
        return -value if isinstance(node.op, ast.USub) else value
    assert isinstance(node, ast.Constant)
    return node.value


def _one_sided(symbol: str, bound: float) -> Interval:
    if symbol.startswith(">"):
        return Interval(bound, symbol == ">=", None, False)
    return Interval(None, False, bound, symbol == "<=")


def _values_test(
    literals: list[ast.expr],
    negate: bool,
    source: Source,
    cell: str,
    column: InputColumn,
    scope: Scope,
    written: str,
) -> UnaryTest:
    if len(literals) == 1:
        op: ast.cmpop = ast.NotEq() if negate else ast.Eq()
        right: ast.expr = literals[0]
        runtime = f"{column.source} {'!=' if negate else '=='} {written}"
    else:
        op = ast.NotIn() if negate else ast.In()
        right = ast.Tuple(elts=literals, ctx=ast.Load())
        runtime = f"{column.source} {'not in' if negate else 'in'} ({written})"
    compare = ast.Compare(left=_placeholder(), ops=[op], comparators=[right])
    checker = Checker(source, scope, runtime_source=runtime, input=column)
    checked = checker.check(compare)
    found = frozenset(_literal_value(literal) for literal in literals)
    return _finish("not_eq" if negate else "eq", checker, checked.node, cell, values=found)


def _expression_test(node: ast.expr, source: Source, cell: str, scope: Scope) -> UnaryTest:
    checker = Checker(source, scope)
    try:
        checked: Checked = checker.check(node)
    except ExpressionError as exc:
        if exc.message.startswith("unknown fact") and isinstance(node, ast.Name | ast.Tuple):
            word = ast.unparse(node)
            raise ExpressionError(
                exc.message, cell, exc.column, f'text values need quotes: `"{word}"`'
            ) from None
        raise
    if not is_boolean(checked.type):
        raise ExpressionError(
            f"this cell must be a test, but `{checked.text}` is {show(checked.type)}",
            cell,
            source.column(node),
            _CELL_HELP,
        )
    return _finish("expr", checker, checker.required(checked), cell)


def compile_unary_test(cell: str, input_source: str, input_type: Type, scope: Scope) -> UnaryTest:
    """Compile one decision-table cell for the input ``input_source`` of type ``input_type``.

    :param cell: the cell text.
    :param input_source: the input column's expression, naming the value in messages.
    :param input_type: the input's type; cells are checked against it (comparing a number
        column with ``"high"`` is refused here, not per account).
    :param scope: names and functions visible to the table.
    :raises ExpressionError: positioned within ``cell``.
    """
    text = cell.strip()
    lead = len(cell) - len(cell.lstrip())
    column = InputColumn(input_source, input_type)
    if text in ("", "-"):
        return UnaryTest("any", None, None, (), _match_any, cell)
    if text in ("null", "None"):
        return UnaryTest("null", None, None, (), _match_null, cell)
    if _RANGE_LIKE.match(text):
        return _interval_test(text, lead, cell, column, scope)
    scan(text, display=cell, offset=lead, known=scope.names.keys())
    symbol = _COMPARISON.match(text)
    if symbol is not None:
        return _comparison_test(text, symbol.group(), lead, cell, column, scope)
    node, source = parse(text, display=cell, offset=lead, known=scope.names.keys())
    literals = _literals(node, scope)
    if literals is not None:
        return _values_test(literals, False, source, cell, column, scope, text)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        negated = _literals(node.operand, scope)
        if negated is not None:
            inner = source.segment(node.operand).strip()
            if inner.startswith("(") and inner.endswith(")"):
                inner = inner[1:-1].strip()
            return _values_test(negated, True, source, cell, column, scope, inner)
    return _expression_test(node, source, cell, scope)
