"""Helpers every rule section shares: running a condition for one account, and suggestions.

A missing value compared or a division by zero is the account's problem, not the portfolio's:
:func:`evaluate` turns it into an :class:`~kamcore.errors.AccountError` at the rule's key path,
and the pipeline records it and goes on with the next account. So is a ``TypeError`` raised by
the expression's own operators (a value of an ``any``-typed plugin fact that is a text where a
number was compared): :func:`expression_failure` tells it apart from one raised inside a
registered function, which propagates so the pipeline can name the plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Final, overload

from ..errors import AccountError
from ..expr import CompiledExpr, MissingValueError
from ..expr.compile import CODE_FILENAME
from ..expr.suggest import did_you_mean as _closest
from .context import AccountRun

__all__ = ["did_you_mean", "evaluate", "expression_failure", "guard", "previous_state"]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean `x`?"`` for the closest choice, or ``""`` when nothing is close.

    Appended to "unknown ..." messages so a typo is fixed from the message alone; "close" is
    the expression checker's, so every message suggests the same way.
    """
    close = _closest(word, choices)
    return f"; did you mean `{close}`?" if close else ""


def expression_failure(exc: BaseException, expr: CompiledExpr | str) -> str | None:
    """The account-error reason for ``exc`` if the expression itself failed, else ``None``.

    The checker makes type errors impossible except through ``any``-typed values, whose kind is
    only known per account; when one slips through, the expression's operator raises a
    ``TypeError`` for that account alone, and a portfolio run must not crash on it. The test is
    where it was raised: the innermost traceback frame is the compiled expression's (or
    cell's) own code, not a registered function it called. A ``TypeError`` from inside a
    plugin's function is the plugin's bug and is left to propagate, so the pipeline names the
    plugin.

    :param exc: the exception caught around ``expr.fn(...)`` or ``test.test(...)``.
    :param expr: the compiled expression, or the source text of a decision-table cell.
    :returns: ``"cannot evaluate `<source>`: <exc>"``, or ``None`` when ``exc`` is not a
        ``TypeError`` of the expression's own code.
    """
    if not isinstance(exc, TypeError):
        return None
    tb = exc.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    if tb.tb_frame.f_code.co_filename != CODE_FILENAME:
        return None
    source = expr if isinstance(expr, str) else expr.source
    return f"cannot evaluate `{source}`: {exc}"


def evaluate(expr: CompiledExpr, acc: AccountRun, where: str) -> Any:
    """Run a compiled expression for one account; a missing value, an arithmetic error or a
    type error of the expression's own operators (see :func:`expression_failure`) becomes an
    :class:`~kamcore.errors.AccountError` at ``where`` (the rule's key path)."""
    try:
        return expr.fn(acc.values)
    except (MissingValueError, ArithmeticError) as exc:
        raise AccountError(acc.account_id, where, str(exc)) from exc
    except TypeError as exc:
        reason = expression_failure(exc, expr)
        if reason is None:
            raise
        raise AccountError(acc.account_id, where, reason) from exc


#: The failures that are one account's problem wherever an expression runs; :func:`evaluate`
#: catches the same (a ``TypeError`` counts only when :func:`expression_failure` says so).
_ACCOUNT_FAILURES: Final = (MissingValueError, ArithmeticError)

#: Where a guarded block failed, asked only once it has: ``(key path, what ran there)``, the
#: second being a compiled expression or a decision-table cell's source.
Locate = Callable[[], tuple[str, "CompiledExpr | str"]]


class _Guard:
    """The context manager :func:`guard` returns (a class: cheaper than a generator on the
    per-account path, where it is entered once per table or measure)."""

    __slots__ = ("_acc", "_expr", "_where")

    def __init__(self, acc: AccountRun, where: str | Locate, expr: CompiledExpr | str) -> None:
        self._acc = acc
        self._where = where
        self._expr = expr

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            return
        if isinstance(exc, _ACCOUNT_FAILURES):
            where, _ = self._locate()
            raise AccountError(self._acc.account_id, where, str(exc)) from exc
        if isinstance(exc, TypeError):
            where, expr = self._locate()
            reason = expression_failure(exc, expr)
            if reason is not None:
                raise AccountError(self._acc.account_id, where, reason) from exc

    def _locate(self) -> tuple[str, CompiledExpr | str]:
        if isinstance(self._where, str):
            return self._where, self._expr
        return self._where()


@overload
def guard(acc: AccountRun, where: str, expr: CompiledExpr | str) -> _Guard: ...
@overload
def guard(acc: AccountRun, where: Locate) -> _Guard: ...
def guard(acc: AccountRun, where: str | Locate, expr: CompiledExpr | str = "") -> _Guard:
    """A block of expression runs with :func:`evaluate`'s failure handling.

    For loops where calling :func:`evaluate` per expression would cost a call and a key path per
    row: the whole loop runs inside one guard, and only when an expression fails is its key path
    built. A ``TypeError`` raised inside a registered function propagates, as with evaluate.

    :param where: the key path (with ``expr``, what runs there), or a callable returning both,
        called only after a failure: it reads the loop's variables as they were when it failed.
    """
    return _Guard(acc, where, expr)


def previous_state(acc: AccountRun, section: str) -> Mapping[str, Any]:
    """``state.<section>`` of the account's previous evaluation, or ``{}``.

    The previous evaluation is whatever the caller kept (a file, a database row), so anything
    malformed (no ``state``, a ``state`` or section that is not a table) reads as no state:
    a hysteresis count starts again instead of the account failing on someone else's data.
    """
    previous = acc.previous
    state = previous.get("state") if isinstance(previous, Mapping) else None
    found = state.get(section) if isinstance(state, Mapping) else None
    return found if isinstance(found, Mapping) else {}
