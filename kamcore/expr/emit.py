"""Builders for the AST that compiled expressions run.

The generated code is one Python expression over the local ``values`` (and ``value`` in a
decision-table test). A missing-value check is inlined as
``(_kc_t0 if (_kc_t0 := values["nps"]) is not None else _kc_missing("nps", "nps <= 6"))``:
the common path is a dict subscript, a store and a jump, with no function call. Required
values get no check at all, so ``revenue >= 1_000_000`` compiles to exactly
``values["revenue"] >= 1000000``.

Every node is built with the position ``ast.fix_missing_locations`` would give it (line 1,
column 0: a checked tree holds only fresh nodes, and the root's position is line 1, column 0),
so compiling it needs no extra walk over the tree to fill positions in (see
:func:`kamcore.expr.compile.build_function`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "AT",
    "INPUT",
    "LOAD",
    "MISSING",
    "VALUES",
    "Temps",
    "call",
    "const",
    "load",
    "propagate_none",
    "require",
    "values_item",
]

#: The parameter holding the values dict.
VALUES = "values"
#: The parameter holding a decision-table input value (unary tests only).
INPUT = "value"
#: The global bound to :func:`kamcore.expr.missing.raise_missing`.
MISSING = "_kc_missing"
#: The position of every generated node: ``ast.X(..., **AT)``.
AT: dict[str, Any] = {"lineno": 1, "col_offset": 0, "end_lineno": 1, "end_col_offset": 0}
#: The load context, shared by every node as the parser shares it.
LOAD = ast.Load()


class Temps:
    """Fresh local names (``_kc_t0``, ``_kc_t1``...) for values checked once and reused.

    User names never become Python names (they compile to ``values[...]``) and the dialect
    refuses names starting with ``_``, so these cannot collide with anything an author writes.
    """

    def __init__(self) -> None:
        self._count = 0

    def new(self) -> str:
        name = f"_kc_t{self._count}"
        self._count += 1
        return name


def load(name: str) -> ast.Name:
    """Read a Python name (a parameter, a temp or a bound global)."""
    return ast.Name(id=name, ctx=LOAD, **AT)


def const(value: Any) -> ast.Constant:
    """A literal."""
    return ast.Constant(value=value, **AT)


def values_item(key: str) -> ast.Subscript:
    """``values["key"]``: how every fact, metric, output and portfolio column is read."""
    return ast.Subscript(value=load(VALUES), slice=const(key), ctx=LOAD, **AT)


def call(function: str, args: Sequence[ast.expr]) -> ast.Call:
    """A positional call of a bound global."""
    return ast.Call(func=load(function), args=list(args), keywords=[], **AT)


def _store_and_test(temp: str, node: ast.expr, op: ast.cmpop) -> ast.Compare:
    target = ast.Name(id=temp, ctx=ast.Store(), **AT)
    walrus = ast.NamedExpr(target=target, value=node, **AT)
    return ast.Compare(left=walrus, ops=[op], comparators=[const(None)], **AT)


def require(node: ast.expr, text: str, source: str, temps: Temps) -> ast.expr:
    """``node``, or a :class:`~kamcore.expr.MissingValueError` naming ``text`` when it is None."""
    temp = temps.new()
    return ast.IfExp(
        test=_store_and_test(temp, node, ast.IsNot()),
        body=load(temp),
        orelse=call(MISSING, [const(text), const(source)]),
        **AT,
    )


def propagate_none(
    operands: Sequence[tuple[ast.expr, bool]],
    build: Callable[[list[ast.expr]], ast.expr],
    temps: Temps,
) -> ast.expr:
    """``build(operands)``, or ``None`` as soon as an optional operand is missing.

    :param operands: each node with whether it may be missing; only those get a check.
    :param build: makes the operation from the (possibly temp-bound) operand nodes.
    """
    tests: list[ast.expr] = []
    args: list[ast.expr] = []
    for node, optional in operands:
        if optional:
            temp = temps.new()
            tests.append(_store_and_test(temp, node, ast.Is()))
            args.append(load(temp))
        else:
            args.append(node)
    body = build(args)
    if not tests:
        return body
    test = tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.Or(), values=tests, **AT)
    return ast.IfExp(test=test, body=const(None), orelse=body, **AT)
