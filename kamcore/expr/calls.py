"""Calls of registered functions: arity, argument types, missing arguments, portfolio columns.

A call compiles to a call of the function bound under a private global (``_kc_fn_clamp``),
with the evaluation date passed first when the function asks for it. Unless the function
handles missing values, a missing argument makes the result missing without calling it. A
portfolio function is not called per account at all: the portfolio phase computes its column
once, and the expression reads the account's entry, ``values["percentile(revenue_12m)"]``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..errors import PluginError
from ..registry import Function, as_type
from ..types import Type
from .checked import Checked
from .emit import call, propagate_none, values_item
from .scope import PortfolioCall
from .suggest import unknown_message
from .typerules import describe, may_be_missing, show

if TYPE_CHECKING:
    from .check import Checker

__all__ = ["check_call"]


#: ``Function.param_types`` by ``Function.params``: the property parses every type name each
#: time it is read, and a policy calls the same few functions hundreds of times.
_PARAM_TYPES: dict[tuple[Type | str, ...], tuple[Type, ...]] = {}


def _param_types(function: Function) -> tuple[Type, ...]:
    """``function.param_types``, parsed once per distinct parameter list."""
    if type(function) is not Function:  # a subclass may compute its types differently
        return function.param_types
    try:
        return _PARAM_TYPES[function.params]
    except KeyError:
        pass
    except TypeError:  # a parameter type holding a mutable value: not a key
        return function.param_types
    types = function.param_types
    if len(_PARAM_TYPES) > 1024:
        _PARAM_TYPES.clear()
    _PARAM_TYPES[function.params] = types
    return types


#: ``as_type(returns)`` for functions whose result type is a type name (``"number"``).
_RESULT_TYPES: dict[str, Type] = {}


def _declared_result(function: Function, args: list[Type]) -> object:
    """``function.result_type(args)``; a result type given by name is parsed once, not once
    per call of the function in every expression."""
    returns = function.returns
    if type(function) is not Function or not isinstance(returns, str):
        return function.result_type(args)
    found = _RESULT_TYPES.get(returns)
    if found is None:
        if len(_RESULT_TYPES) > 1024:
            _RESULT_TYPES.clear()
        found = _RESULT_TYPES[returns] = as_type(returns)
    return found


def _arity(lo: int, hi: int | None) -> str:
    """``3 arguments``, ``1 to 2 arguments``, ``at least 1 argument``."""
    if hi is None:
        return f"at least {lo} argument{'' if lo == 1 else 's'}"
    if lo == hi:
        return f"{lo} argument{'' if lo == 1 else 's'}"
    return f"{lo} to {hi} arguments"


def check_call(checker: Checker, node: ast.Call) -> Checked:
    """Check a call of a registered function and compile it (see the module docstring)."""
    name = checker.dotted(node.func)
    if name is None:
        raise checker.error("only registered functions can be called", node)
    if name.startswith("_") or "._" in name:  # a part of the dotted name starts with `_`
        raise checker.error(f"`{name}`: names starting with `_` are not allowed", node)
    if node.keywords:
        raise checker.error(
            "keyword arguments are not allowed; pass the arguments in order",
            node.keywords[0],
        )
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise checker.error("`*` unpacking is not allowed", arg)
    function = checker.scope.functions.get(name)
    if function is None:
        if name in checker.scope.names:
            raise checker.error(f"`{name}` is a fact, not a function", node)
        raise checker.error(unknown_message("function", name, checker.scope.functions), node)
    params = _param_types(function)
    count = len(node.args)
    lo = function.min_args if function.min_args is not None else len(params)
    hi = None if function.variadic else len(params)
    if count < lo or (hi is not None and count > hi):
        raise checker.error(f"`{name}` takes {_arity(lo, hi)}, got {count}", node)
    if function.portfolio:
        return _portfolio_call(checker, node, name, function, params)
    args = [checker.check(arg) for arg in node.args]
    result = _result_type(checker, node, name, function, args, params)
    bound = _bind(checker, name, function)
    extra: list[ast.expr] = [values_item("as_of")] if function.pass_as_of else []
    text = checker.text_later(node)
    if function.handles_missing:
        return Checked(call(bound, [*extra, *(a.node for a in args)]), result, text)
    built = propagate_none(
        [(a.node, a.type.optional) for a in args],
        lambda nodes: call(bound, [*extra, *nodes]),
        checker.temps,
    )
    optional = any(a.type.optional for a in args)
    return Checked(built, result.as_optional(True) if optional else result, text)


def _result_type(
    checker: Checker,
    node: ast.Call,
    name: str,
    function: Function,
    args: Sequence[Checked],
    params: Sequence[Type],
) -> Type:
    """Check the argument types, then ask the registration for the result type.

    Optionality is ignored for arguments: a missing argument either propagates (the function
    is not called) or is handed over to a function that handles it.

    :param params: ``function.param_types``, resolved once by the caller (the property parses
        every parameter type again each time it is read).

    :raises PluginError: when the plugin's result-type callable crashes or returns no type;
        that is the plugin's bug, not the policy author's.
    """
    for index, (arg, original) in enumerate(zip(args, node.args, strict=True)):
        if not params:
            break
        param = params[min(index, len(params) - 1)]
        if arg.type.kind == "none":
            if function.handles_missing:
                continue
            raise checker.error(f"`None` cannot be passed to `{name}`", original)
        if not may_be_missing(param).accepts(may_be_missing(arg.type)):
            raise checker.error(
                f"argument {index + 1} of `{name}` must be {describe(param)}, "
                f"but `{arg.text}` is {show(arg.type)}",
                original,
            )
    try:
        result: object = _declared_result(function, [a.type for a in args])
    except (TypeError, ValueError) as exc:
        # The documented way for a result-type callable to refuse argument types.
        raise checker.error(f"`{name}` cannot take these arguments: {exc}", node) from None
    except Exception as exc:
        raise PluginError(
            function.plugin or "<unknown>",
            f"result type of function `{name}`",
            f"{type(exc).__name__}: {exc}",
        ) from exc
    if isinstance(result, str):
        result = as_type(result)
    if not isinstance(result, Type):
        raise PluginError(
            function.plugin or "<unknown>",
            f"result type of function `{name}`",
            f"expected a kamcore.Type, got {result!r}",
        )
    return result


def _portfolio_call(
    checker: Checker, node: ast.Call, name: str, function: Function, params: Sequence[Type]
) -> Checked:
    """Record a :class:`PortfolioCall` and read its column; the key is the canonical text."""
    first = node.args[0]
    argument = checker.dotted(first)
    if argument is None:
        raise checker.error(f"the first argument of `{name}` must be a fact or metric name", first)
    column = checker.name(argument, first)
    args = [column]
    constants: list[Any] = []
    for extra in node.args[1:]:
        checked = checker.check(extra)
        if not (checked.literal and isinstance(checked.node, ast.Constant)):
            raise checker.error(
                f"the other arguments of `{name}` must be literal values, such as `25`",
                extra,
            )
        constants.append(checked.node.value)
        args.append(checked)
    result = _result_type(checker, node, name, function, args, params)
    key = f"{name}({', '.join([argument, *(repr(c) for c in constants)])})"
    checker.portfolio_calls.setdefault(
        key, PortfolioCall(key, function, argument, tuple(constants))
    )
    # A portfolio column may hold None for an account (no value to rank, or an account
    # the portfolio phase could not place), whatever the declared result type says.
    return Checked(values_item(key), result.as_optional(True), checker.text_later(node))


@lru_cache(maxsize=1024)
def _global_name(name: str) -> str:
    """``_kc_fn_`` and the function's name as a Python identifier (``retail.x`` -> ``retail_x``)."""
    return "_kc_fn_" + re.sub(r"\W", "_", name)


def _bind(checker: Checker, name: str, function: Function) -> str:
    """The private global a registered function is bound to in the compiled code."""
    existing = checker.global_of.get(name)
    if existing is not None:
        return existing
    global_name = _global_name(name)
    while global_name in checker.bound:
        global_name += "_"
    checker.bound[global_name] = function
    checker.global_of[name] = global_name
    return global_name
