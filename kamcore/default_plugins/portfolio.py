"""Built-in portfolio functions and the ABC classifier.

Portfolio rules ("top 20 % by revenue", "the accounts making 80 % of revenue") need the whole
portfolio, so these are registered with ``portfolio=True``: each receives the column of one
value per account, in portfolio order, and returns one result per account. A missing value
(``None``) gets a missing result and does not count among the others. Each call sorts once:
O(n log n). Ties never depend on anything but the values and their positions, so the same
portfolio always gets the same answer.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from ..hookspecs import hookimpl
from ..registry import Classifier, Function
from ..types import Type

__all__ = [
    "ABC_LABELS",
    "abc_class",
    "at_or_below",
    "cumulative_share",
    "kamcore_register_classifiers",
    "kamcore_register_functions",
    "percentile",
    "rank",
    "top_n",
]

Column = Sequence[Any]

#: ABC classes and the cumulative share each goes up to (C takes the rest).
ABC_LABELS: tuple[str, ...] = ("A", "B", "C")
ABC_LIMITS: tuple[float, float] = (0.8, 0.95)
#: Running shares are rounded to this many decimals so that a boundary such as 0.8 is not
#: decided by float noise (0.1 + 0.2 + 0.5 == 0.8000000000000002).
SHARE_DIGITS = 12


def at_or_below(column: Column) -> tuple[list[int | None], int]:
    """For each value, how many present values are ``<=`` it; and how many are present.

    Integer counts let callers bucket exactly (quintiles in :mod:`.metrics`) where a float
    share times 5 would not (``0.6 * 5 == 3.0000000000000004``).
    """
    ordered = sorted(v for v in column if v is not None)
    return [None if v is None else bisect_right(ordered, v) for v in column], len(ordered)


def percentile(column: Column) -> list[float | None]:
    """The share of accounts whose value is ``<=`` this one's, in (0, 1]; ties share it."""
    counts, n = at_or_below(column)
    return [None if c is None else c / n for c in counts]


def rank(column: Column) -> list[int | None]:
    """1 for the highest value; tied values share the best rank (1, 2, 2, 4)."""
    counts, n = at_or_below(column)
    return [None if c is None else n - c + 1 for c in counts]


def _descending(column: Column) -> list[int]:
    """Positions of the present values, highest first, ties in portfolio order."""
    return sorted((i for i, v in enumerate(column) if v is not None), key=lambda i: -column[i])


def cumulative_share(column: Column) -> list[float | None]:
    """Pareto / ABC: with accounts sorted by value descending (ties in portfolio order), the
    running share of the total up to and including each account.

    Missing for every account when the total is not positive: a share of nothing means nothing.
    Meant for non-negative values such as revenue.
    """
    order = _descending(column)
    total = sum(column[i] for i in order)
    out: list[float | None] = [None] * len(column)
    if total <= 0:
        return out
    running = 0
    for i in order:
        running += column[i]
        out[i] = round(running / total, SHARE_DIGITS)
    return out


def top_n(column: Column, n: int) -> list[bool | None]:
    """Whether the account is among the ``n`` highest values (ties by portfolio order)."""
    chosen = set(_descending(column)[: max(0, int(n))])
    return [None if v is None else i in chosen for i, v in enumerate(column)]


def abc_class(column: Column) -> list[str | None]:
    """Pareto ABC: ``A`` for the accounts that make up the first 80 % of the total, ``B`` for
    those up to 95 %, ``C`` for the rest.

    An account is classed by the share held by the accounts ranked *above* it: it is ``A`` when
    they hold less than 80 %, i.e. when it is needed to reach 80 %. So one account holding 90 %
    of the total is ``A`` (not pushed to ``B`` by its own weight), and the account that crosses
    the 80 % line is still ``A``. Ties are ranked in portfolio order.
    """
    a_limit, b_limit = ABC_LIMITS
    order = _descending(column)
    total = sum(column[i] for i in order)
    out: list[str | None] = [None] * len(column)
    if total <= 0:
        return out
    above = 0
    for i in order:
        share_above = round(above / total, SHARE_DIGITS)
        out[i] = "A" if share_above < a_limit else "B" if share_above < b_limit else "C"
        above += column[i]
    return out


_PORTFOLIO_FUNCTIONS: tuple[Function, ...] = (
    Function(
        "percentile",
        percentile,
        ("number",),
        "number",
        doc="Share of accounts with a value <= this one's, in (0, 1].",
        portfolio=True,
    ),
    Function(
        "rank",
        rank,
        ("number",),
        "integer",
        doc="1 for the highest value; ties share the best rank.",
        portfolio=True,
    ),
    Function(
        "cumulative_share",
        cumulative_share,
        ("number",),
        Type("number", optional=True),
        doc="Running share of the total, accounts sorted by value descending (Pareto).",
        portfolio=True,
    ),
    Function(
        "top_n",
        top_n,
        ("number", "integer"),
        "boolean",
        doc="Among the n highest values (ties by portfolio order).",
        portfolio=True,
    ),
)


@hookimpl
def kamcore_register_functions(register: Callable[[Function], None]) -> None:
    """Register ``percentile``, ``rank``, ``cumulative_share`` and ``top_n``."""
    for function in _PORTFOLIO_FUNCTIONS:
        register(function)


@hookimpl
def kamcore_register_classifiers(register: Callable[[Classifier], None]) -> None:
    """Register ``abc_class``: ABC classification by cumulative share of the total."""
    register(
        Classifier(
            "abc_class",
            abc_class,
            ("number",),
            ABC_LABELS,
            doc="ABC by Pareto share: A up to 80 % of the total, B up to 95 %, C the rest.",
            portfolio=True,
        )
    )
