"""What an expression may read (:class:`Scope`) and what compiling it produces.

These are plain frozen dataclasses so that section compilers can build a scope per pipeline
stage cheaply and keep compiled expressions around for whole-policy code generation.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..registry import Function
from ..types import Type

__all__ = ["CompiledExpr", "PortfolioCall", "Scope"]


@dataclass(frozen=True)
class Scope:
    """The names and functions visible to an expression at one pipeline stage.

    :param names: facts, metrics and outputs visible here, with their types. A type with
        ``optional=True`` may be missing for an account; the compiled code checks it where a
        value is required.
    :param functions: the registered functions, by name (``registry.functions``).
    :param unavailable: names that exist but are decided later in the pipeline, with the reason
        (``{"tier": "tier is decided after the scorecards"}``); using one reports that reason
        instead of "unknown fact", because the author did not misspell it.
    """

    names: Mapping[str, Type]
    functions: Mapping[str, Function]
    unavailable: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PortfolioCall:
    """A portfolio function call found in an expression, e.g. ``percentile(revenue_12m)``.

    Portfolio functions need every account's value, so the portfolio phase computes them once
    per portfolio and stores each account's result under :attr:`key` in its values dict; the
    compiled expression reads only ``values[key]``.

    :param key: canonical text of the call (``"top_n(revenue_12m, 25)"``), the values key.
    :param function: the registered portfolio function.
    :param argument: the fact or metric name given as the first argument.
    :param constants: the remaining (literal) arguments.
    """

    key: str
    function: Function
    argument: str
    constants: tuple[Any, ...] = ()


@dataclass(frozen=True)
class CompiledExpr:
    """A checked and compiled expression.

    :param source: the text as the author wrote it.
    :param type: the result type (optional when the result may be missing).
    :param names: facts/metrics/outputs read, in first-use order without duplicates; includes
        the argument of every portfolio call (the expression depends on it through the column).
    :param portfolio_calls: the portfolio columns the expression reads, in first-use order.
    :param fn: ``fn(values)`` evaluates the expression; ``values`` must hold every name of
        :attr:`names` (``None`` when missing), every portfolio key, and ``"as_of"`` when a
        function takes the evaluation date.
    :param tree: the checked, rewritten AST (body reads the local ``values``; registered
        functions appear as ``_kc_fn_<name>`` globals and the missing-value raiser as
        ``_kc_missing``: see ``fn.__globals__``), kept for whole-policy code generation.
    """

    source: str
    type: Type
    names: tuple[str, ...]
    portfolio_calls: tuple[PortfolioCall, ...]
    fn: Callable[[Mapping[str, Any]], Any]
    tree: ast.Expression
