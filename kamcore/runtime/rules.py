"""Helpers every rule section shares: running a condition for one account, and suggestions.

A missing value compared or a division by zero is the account's problem, not the portfolio's:
:func:`evaluate` turns it into an :class:`~kamcore.errors.AccountError` at the rule's key path,
and the pipeline records it and goes on with the next account.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import AccountError
from ..expr import CompiledExpr, MissingValueError
from ..expr.suggest import did_you_mean as _closest
from .context import AccountRun

__all__ = ["did_you_mean", "evaluate"]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean `x`?"`` for the closest choice, or ``""`` when nothing is close.

    Appended to "unknown ..." messages so a typo is fixed from the message alone; "close" is
    the expression checker's, so every message suggests the same way.
    """
    close = _closest(word, choices)
    return f"; did you mean `{close}`?" if close else ""


def evaluate(expr: CompiledExpr, acc: AccountRun, where: str) -> Any:
    """Run a compiled expression for one account; a missing value or an arithmetic error
    becomes an :class:`~kamcore.errors.AccountError` at ``where`` (the rule's key path)."""
    try:
        return expr.fn(acc.values)
    except (MissingValueError, ArithmeticError) as exc:
        raise AccountError(acc.account_id, where, str(exc)) from exc
