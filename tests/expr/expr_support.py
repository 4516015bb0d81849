"""A scope, functions and values shared by the expression tests (and the docs examples).

The functions mirror the built-in vocabulary's signatures (``coalesce``, ``clamp``,
``days_since``, ``days_between``, ``percentile``, ``top_n``) but are defined here, so these
tests exercise the dialect alone and record every call they make. ``coalesce`` takes its
result type from the built-in one, so the docs examples show the message a policy author gets.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kamcore.default_plugins.functions import coalesce_type
from kamcore.expr import Scope
from kamcore.registry import Function
from kamcore.types import BOOLEAN, DATE, INTEGER, NUMBER, STRING, Type

#: Every call any test function received, to prove "not called" where the dialect promises it.
CALLS: list[tuple[str, tuple[Any, ...]]] = []


def _coalesce(*values: Any) -> Any:
    CALLS.append(("coalesce", values))
    return next((v for v in values if v is not None), None)


def _clamp(x: float, lo: float, hi: float) -> float:
    CALLS.append(("clamp", (x, lo, hi)))
    return max(lo, min(hi, x))


def _days_since(as_of: date, when: date) -> int:
    CALLS.append(("days_since", (as_of, when)))
    return (as_of - when).days


def _days_between(start: date, end: date) -> int:
    CALLS.append(("days_between", (start, end)))
    return (end - start).days


def _portfolio(*args: Any) -> Any:  # never called by the dialect: the portfolio phase is
    raise AssertionError("portfolio functions are not called per account")


FUNCTIONS: dict[str, Function] = {
    "coalesce": Function(
        "coalesce",
        _coalesce,
        (Type("any", optional=True),),
        coalesce_type,
        variadic=True,
        min_args=1,
        handles_missing=True,
    ),
    "clamp": Function("clamp", _clamp, ("number", "number", "number"), "number"),
    "days_since": Function("days_since", _days_since, ("date",), "integer", pass_as_of=True),
    "days_between": Function("days_between", _days_between, ("date", "date"), "integer"),
    "percentile": Function("percentile", _portfolio, ("number",), "number", portfolio=True),
    "top_n": Function("top_n", _portfolio, ("number", "integer"), "boolean", portfolio=True),
}

#: The names of the docs examples and most tests: required facts, optional facts, dates, a
#: list, money in two currencies and one dotted plugin fact.
NAMES: dict[str, Type] = {
    "revenue_12m": Type("number", unit="CNY"),
    "revenue_prev_12m": Type("number", optional=True, unit="CNY"),
    "gross_margin": NUMBER.as_optional(),
    "orders_12m": INTEGER,
    "nps": INTEGER.as_optional(),
    "open_tickets": INTEGER,
    "industry": STRING,
    "region": STRING.as_optional(),
    "strategic": BOOLEAN,
    "churn_flag": BOOLEAN.as_optional(),
    "segments": Type("list", item=STRING),
    "last_order_date": DATE.as_optional(),
    "contract_end": DATE,
    "as_of": DATE,
    "budget_usd": Type("number", unit="USD"),
    "retail.weighted_distribution": NUMBER.as_optional(),
}

UNAVAILABLE = {"tier": "tier is decided after the scorecards"}


def make_scope(**extra: Type) -> Scope:
    """The shared scope, with ``extra`` names added."""
    return Scope(names={**NAMES, **extra}, functions=FUNCTIONS, unavailable=UNAVAILABLE)


def sample_values(**overrides: Any) -> dict[str, Any]:
    """A values dict with every name of :data:`NAMES` and the portfolio columns used in tests."""
    values: dict[str, Any] = {
        "revenue_12m": 1_500_000.0,
        "revenue_prev_12m": 1_200_000.0,
        "gross_margin": 0.31,
        "orders_12m": 14,
        "nps": 9,
        "open_tickets": 2,
        "industry": "retail",
        "region": "east",
        "strategic": True,
        "churn_flag": False,
        "segments": ["national", "retail"],
        "last_order_date": date(2024, 5, 2),
        "contract_end": date(2024, 12, 31),
        "as_of": date(2024, 6, 1),
        "budget_usd": 20_000.0,
        "retail.weighted_distribution": 0.82,
        "percentile(revenue_12m)": 0.9,
        "top_n(revenue_12m, 25)": True,
    }
    values.update(overrides)
    return values
