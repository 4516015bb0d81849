"""rules.guard: evaluate()'s failure handling for a whole loop, located only on failure."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kamcore.errors import AccountError
from kamcore.expr import MissingValueError
from kamcore.runtime.context import AccountRun
from kamcore.runtime.rules import guard


def acc() -> AccountRun:
    return AccountRun("a1", {}, {}, None, None, date(2024, 6, 30))


@pytest.mark.parametrize(
    "exc",
    [
        MissingValueError("nps", "nps > 5"),
        ZeroDivisionError("division by zero"),
        OverflowError("too large"),
    ],
)
def test_account_failures_become_account_errors_at_the_key_path(exc: Exception) -> None:
    with pytest.raises(AccountError) as info, guard(acc(), "alerts[a].when", "x"):
        raise exc
    assert (info.value.where, info.value.reason) == ("alerts[a].when", str(exc))
    assert info.value.__cause__ is exc


def test_the_key_path_is_asked_for_only_after_a_failure() -> None:
    asked: list[int] = []
    position = 0

    def where() -> tuple[str, Any]:
        asked.append(position)
        return f"tables.t.rules[r{position}]", "> 5"

    def loop(fail_at: int | None) -> None:
        nonlocal position
        with guard(acc(), where):
            for position in range(3):  # where() reads it
                if position == fail_at:
                    raise ZeroDivisionError("division by zero")

    loop(None)
    assert asked == []
    with pytest.raises(AccountError) as info:
        loop(2)
    assert asked == [2]
    assert info.value.where == "tables.t.rules[r2]"


def test_other_errors_propagate_unchanged() -> None:
    # a TypeError raised outside an expression's own code is a plugin's bug: not the account's
    with pytest.raises(TypeError), guard(acc(), "x", "x"):
        raise TypeError("from a plugin function")
    with pytest.raises(KeyError), guard(acc(), "x", "x"):
        raise KeyError("k")
