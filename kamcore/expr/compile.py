"""Compile a checked expression into one plain Python function.

The rewritten AST becomes the body of ``lambda values: ...`` and goes through Python's own
``compile()``: evaluating an account is then a single code object doing dict subscripts and
operators, with no per-call interpretation. The function's globals are only
``{"__builtins__": {}}``, the missing-value raiser and the registered functions the expression
calls, under private names. The text itself is never evaluated.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Mapping, Sequence
from types import CodeType, FunctionType
from typing import Any

from ..errors import ExpressionError
from ..registry import Function
from ..types import Type
from .check import Checker
from .emit import AT, MISSING, VALUES, require
from .missing import raise_missing
from .parse import parse
from .scope import CompiledExpr, Scope
from .typerules import describe, may_be_missing
from .walk import locate

__all__ = ["CODE_FILENAME", "build_function", "compile_expression", "runtime_globals"]

#: The file name of every compiled expression and cell's code object. A traceback whose
#: innermost frame has it failed in the expression's own operators, not in a function it calls
#: (see :func:`kamcore.runtime.rules.expression_failure`).
CODE_FILENAME = "<kamcore expression>"


def runtime_globals(bound: Mapping[str, Function]) -> dict[str, Any]:
    """The globals a compiled expression runs with: no builtins, only what it may call."""
    namespace: dict[str, Any] = {"__builtins__": {}, MISSING: raise_missing}
    namespace.update((name, function.fn) for name, function in bound.items())
    return namespace


def build_function(
    body: ast.expr,
    params: Sequence[str],
    namespace: dict[str, Any],
    name: str = "<expression>",
    *,
    positioned: bool = False,
    warns: bool = True,
) -> Callable[..., Any]:
    """Compile ``body`` as the body of a function of ``params``, with ``namespace`` as globals.

    The lambda is compiled inside a module-level expression and its code object taken out, so
    no ``eval`` runs at all: the function is built directly from the code object. Missing
    positions are filled in on the way, in ``body`` too: callers keep it as the compiled tree
    (:attr:`CompiledExpr.tree`).

    :param positioned: ``body`` comes from the checker, whose nodes all carry their position
        already (:mod:`.emit`); the walk filling positions in is then skipped. Should a node
        lack one after all, ``compile`` says so and the walk runs as usual.
    :param warns: ``body`` may make Python's compiler warn, which is silenced. The compiler
        warns about ``is`` with a literal (``0 is None``) and about calling or indexing a
        literal; the checker's code calls and indexes names only, so only an ``is`` written
        by the author can (:attr:`Checker.identity_tests`). Without one, the body is compiled
        without switching the warning filters (a tenth of the cost of compiling it, for every
        expression of the policy).
    """
    arguments = ast.arguments(
        posonlyargs=[],
        args=[ast.arg(arg=p, **AT) for p in params],
        kwonlyargs=[],
        kw_defaults=[],
        defaults=[],
    )
    # The lambda and its arguments take line 1, column 0, as the root of a tree does, so the
    # body's generated nodes get the positions fix_missing_locations(Expression(body)) gives.
    wrapper = ast.Expression(body=ast.Lambda(args=arguments, body=body, **AT))
    if positioned:
        try:
            module = _compile(wrapper) if warns else compile(wrapper, CODE_FILENAME, "eval")
        except TypeError:  # "required field lineno missing": fill positions in and retry
            locate(wrapper)
            module = _compile(wrapper)
    else:
        locate(wrapper)
        module = _compile(wrapper)
    code = next(c for c in module.co_consts if isinstance(c, CodeType))
    return FunctionType(code, namespace, name)


def _compile(wrapper: ast.Expression) -> CodeType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile(wrapper, CODE_FILENAME, "eval")


def compile_expression(source: str, scope: Scope, *, expected: Type | None = None) -> CompiledExpr:
    """Parse, check and compile one expression of the dialect.

    :param source: the expression text, e.g. ``"revenue_12m >= 1_000_000"``.
    :param scope: the names and functions visible where the expression is used.
    :param expected: the type the result must have (``BOOLEAN`` for conditions). Optionality
        is ignored: a condition that may be missing raises
        :class:`~kamcore.expr.MissingValueError` at run time when it is; other optional
        results (a metric) stay missing.
    :raises ExpressionError: with a plain-language message, the column of the offending token
        and, where useful, a hint.
    """
    node, src = parse(source, known=scope.names.keys())
    checker = Checker(src, scope)
    checked = checker.check(node)
    result_type = checked.type
    body = checked.node
    if expected is not None:
        if result_type.kind == "none" or not may_be_missing(expected).accepts(result_type):
            raise ExpressionError(
                f"the expression must give {describe(expected)}, "
                f"but it gives {describe(result_type)}",
                source,
                0,
            )
        if expected.kind == "boolean" and not expected.optional and result_type.optional:
            body = require(body, checked.text, source, checker.temps)
            result_type = result_type.as_optional(False)
    namespace = runtime_globals(checker.bound)
    fn = build_function(body, (VALUES,), namespace, positioned=True, warns=checker.identity_tests)
    tree = ast.Expression(body=body)
    return CompiledExpr(
        source=source,
        type=result_type,
        names=tuple(checker.names),
        portfolio_calls=tuple(checker.portfolio_calls.values()),
        fn=fn,
        tree=tree,
    )
