"""Per-member metrics: the BG/NBD summary from whatever the data carries, and the figures the
base policy's alerts and tactics read.

Members arrive in three shapes, and one policy should work on all of them: a prepared summary
(``membership.repeat_purchases``, ``membership.recency_weeks``, ...), a CRM export with first
and last order dates, or the raw ``transactions`` stream. Each summary metric takes the fact
when the member has it, else derives it from the dates, else from the stream, which is why they
are registered with ``handles_missing=True``. The stream is summarised by
:func:`~kamcore_membership.summary.summarise_member` with the literature's conventions (same-day
purchases merged, weeks from the first purchase, up to ``as_of``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from .summary import DAYS_PER_WEEK, as_amount, as_date, summarise_member

__all__ = [
    "age",
    "avg_interpurchase_days",
    "clv_to_cac",
    "days_since_purchase",
    "days_to_anniversary",
    "days_to_birthday",
    "frequency",
    "monetary_value",
    "purchases",
    "recency",
    "spend_change",
    "spend_prev_12m",
]

Items = Sequence[Any] | None
Number = int | float

#: The previous 12 months end where the last 12 months (the 365 days up to as_of) start.
_WINDOW_DAYS = 365


def frequency(
    repeat_purchases: int | None, orders_total: int | None, transactions: Items, as_of: date
) -> int | None:
    """Repeat purchases ``x``: the fact, else total orders minus the first, else the stream."""
    if repeat_purchases is not None:
        return repeat_purchases
    if orders_total is not None:
        return orders_total - 1 if orders_total >= 1 else None
    summary = summarise_member(transactions, as_of)
    return None if summary is None else summary.frequency


def recency(
    recency_weeks: Number | None,
    first_order_date: date | None,
    last_order_date: date | None,
    transactions: Items,
    as_of: date,
) -> float | None:
    """Weeks from the first to the last purchase ``t_x``: the fact, else from the first and
    last order dates, else the stream. Dates after ``as_of`` are not known yet: missing."""
    if recency_weeks is not None:
        return float(recency_weeks)
    if first_order_date is not None and last_order_date is not None:
        if not first_order_date <= last_order_date <= as_of:
            return None
        return (last_order_date - first_order_date).days / DAYS_PER_WEEK
    summary = summarise_member(transactions, as_of)
    return None if summary is None else summary.recency


def age(
    age_weeks: Number | None, first_order_date: date | None, transactions: Items, as_of: date
) -> float | None:
    """Weeks from the first purchase to ``as_of``, ``T``: the fact, else from the first order
    date, else the stream."""
    if age_weeks is not None:
        return float(age_weeks)
    if first_order_date is not None:
        days = (as_of - first_order_date).days
        return None if days < 0 else days / DAYS_PER_WEEK
    summary = summarise_member(transactions, as_of)
    return None if summary is None else summary.age


def monetary_value(
    avg_repeat_value: Number | None, transactions: Items, as_of: date
) -> float | None:
    """Mean value of the repeat purchases: the fact, else the stream (missing without
    repeat purchases: the first purchase is not part of it)."""
    if avg_repeat_value is not None:
        return float(avg_repeat_value)
    summary = summarise_member(transactions, as_of)
    return None if summary is None else summary.monetary_value


def purchases(
    frequency: int | None, first_order_date: date | None, last_order_date: date | None
) -> int:
    """Purchase occasions so far, the first included: ``x + 1``; 0 for a visitor (nothing says
    they bought). With only an order date known it is at least 1."""
    if frequency is not None:
        return frequency + 1
    return 1 if first_order_date is not None or last_order_date is not None else 0


def days_since_purchase(
    recency_days: int | None, recency: float | None, age: float | None
) -> int | None:
    """Days since the last purchase: the core's ``recency_days`` (from
    ``days_since_last_order``, ``last_order_date`` or the stream), else ``(T - t_x)`` weeks in
    days, rounded half up.

    A negative count is missing, as :func:`recency` is for a last order after ``as_of``: a
    purchase the evaluation date has not reached yet is a data error (a wrong date, a time
    zone), not the most recent purchase of all, and reading it as one would call the member
    the freshest champion and keep them from ever lapsing. The summary is not consulted
    instead: it would contradict the recency the data give."""
    if recency_days is not None:
        return recency_days if recency_days >= 0 else None
    if recency is None or age is None:
        return None
    days = math.floor((age - recency) * DAYS_PER_WEEK + 0.5)
    return days if days >= 0 else None


def avg_interpurchase_days(frequency: int, recency: float) -> float | None:
    """Mean days between purchases, ``t_x * 7 / x``; missing without a repeat purchase. A
    member silent for much longer than their own rhythm is overdue."""
    if frequency < 1:
        return None
    return recency * DAYS_PER_WEEK / frequency


def spend_prev_12m(
    revenue_prev_12m: Number | None, transactions: Items, as_of: date
) -> Number | None:
    """Spend in the 12 months before the last 12: the core's ``revenue_prev_12m`` fact, else
    the stream's purchases dated 365 to 729 days before ``as_of`` (refunds left out)."""
    if revenue_prev_12m is not None:
        return revenue_prev_12m
    if transactions is None:
        return None
    total = 0.0
    for item in transactions:
        if not isinstance(item, Mapping):
            continue
        when, amount = as_date(item.get("date")), as_amount(item.get("amount"))
        if when is None or amount is None or amount < 0:
            continue
        if _WINDOW_DAYS <= (as_of - when).days < 2 * _WINDOW_DAYS:
            total += amount
    return total


def spend_change(previous: Number, current: Number) -> float | None:
    """Relative change of 12-month spend, ``(current - previous) / previous``; missing when
    there was no previous spend to compare with."""
    if previous <= 0:
        return None
    return (current - previous) / previous


def _next_anniversary(day: date, as_of: date) -> date:
    """The next date on or after ``as_of`` with ``day``'s month and day (29 February falls on
    28 February in other years)."""
    for year in (as_of.year, as_of.year + 1):
        try:
            when = day.replace(year=year)
        except ValueError:
            when = date(year, 2, 28)
        if when >= as_of:
            return when
    raise AssertionError("unreachable: next year's date is always later")  # pragma: no cover


def days_to_birthday(birthday: date, as_of: date) -> int:
    """Days until the member's next birthday (0 on the day)."""
    return (_next_anniversary(birthday, as_of) - as_of).days


def days_to_anniversary(
    join_date: date | None, first_order_date: date | None, as_of: date
) -> int | None:
    """Days until the next anniversary of joining (else of the first order); missing before
    the first anniversary's date is known."""
    start = join_date or first_order_date
    if start is None or start > as_of:
        return None
    return (_next_anniversary(start, as_of) - as_of).days


def clv_to_cac(clv: float, acquisition_cost: Number) -> float | None:
    """Expected lifetime value over acquisition cost: below 1, acquiring this member has not
    paid (and is not expected to pay) for itself. Missing for a member acquired for free."""
    if acquisition_cost <= 0:
        return None
    return clv / acquisition_cost
