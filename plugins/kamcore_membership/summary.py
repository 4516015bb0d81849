"""From transaction logs to the per-member summary the BG/NBD and Gamma-Gamma models read.

Policies' inputs are often raw transaction logs rather than prepared summaries, and the models
are only as good as the summary: the literature's conventions are easy to get subtly wrong. So
they are fixed here, once:

* transactions on the same day are one purchase occasion (an order split into parcels, or two
  baskets the same evening, is not evidence of a higher purchase rate); their values add up;
* ``frequency`` (``x``) counts the occasions *after* the first, up to the end of the period;
* ``recency`` (``t_x``) and ``age`` (``T``) are in weeks (days / 7, not rounded) from the
  member's first purchase, to the last purchase and to the end of the period;
* ``monetary_value`` is the mean value of the repeat occasions only (the first purchase is left
  out), ``None`` without repeat purchases;
* transactions after the end of the period are ignored, so a past period can be reproduced from
  a log that has grown since; a member whose first purchase is after it has no summary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

__all__ = [
    "DAYS_PER_WEEK",
    "PurchaseSummary",
    "as_amount",
    "as_date",
    "summarise_member",
    "summarise_transactions",
]

#: Weeks are 7-day units counted from each member's first purchase.
DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class PurchaseSummary:
    """One member's purchase history, summarised for BG/NBD and Gamma-Gamma.

    :param frequency: repeat purchase occasions ``x``.
    :param recency: weeks from the first to the last purchase, ``t_x``.
    :param age: weeks from the first purchase to the end of the period, ``T``.
    :param monetary_value: mean value of the repeat occasions, ``None`` if there are none (or
        none has a known value).
    :param first_purchase: the date of the first purchase.
    :param last_purchase: the date of the last purchase in the period.
    :param total_value: the value of all occasions in the period, first included.
    """

    frequency: int
    recency: float
    age: float
    monetary_value: float | None
    first_purchase: date
    last_purchase: date
    total_value: float


def as_date(value: object) -> date | None:
    """A stream item's date: a date, a datetime (cut to its day) or an ISO text; else
    ``None``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) <= 40:
        try:
            return datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return None
    return None


def as_amount(value: object) -> float | None:
    """A stream item's amount as a finite float; ``None`` for anything else (booleans too)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _summary(days: Mapping[date, float | None], end: date) -> PurchaseSummary | None:
    """The summary of one member's purchase days (day -> value, ``None`` if unknown)."""
    dates = sorted(d for d in days if d <= end)
    if not dates:
        return None
    first, last = dates[0], dates[-1]
    repeat_values = [v for d in dates[1:] if (v := days[d]) is not None]
    known = [v for d in dates if (v := days[d]) is not None]
    return PurchaseSummary(
        frequency=len(dates) - 1,
        recency=(last - first).days / DAYS_PER_WEEK,
        age=(end - first).days / DAYS_PER_WEEK,
        monetary_value=sum(repeat_values) / len(repeat_values) if repeat_values else None,
        first_purchase=first,
        last_purchase=last,
        total_value=sum(known),
    )


def _add(days: dict[date, float | None], when: date, amount: float | None) -> None:
    if when in days:
        before = days[when]
        days[when] = None if before is None or amount is None else before + amount
    else:
        days[when] = amount


def summarise_transactions(
    transactions: Iterable[tuple[str, date, float | None]], calibration_end: date
) -> dict[str, PurchaseSummary]:
    """Summarise a transaction log for every customer in it.

    :param transactions: ``(customer_id, date, amount)`` records in any order; ``amount`` may
        be ``None`` (the occasion counts, its value is unknown); a negative amount is a refund,
        not a purchase occasion, and is skipped.
    :param calibration_end: the last day of the period (inclusive).
    :returns: customer id -> summary, in order of each customer's first record; customers
        whose first purchase is after ``calibration_end`` are left out.
    """
    by_customer: dict[str, dict[date, float | None]] = {}
    for customer, when, amount in transactions:
        if amount is not None and amount < 0:
            continue  # a refund, not a purchase occasion
        _add(by_customer.setdefault(customer, {}), when, amount)
    out: dict[str, PurchaseSummary] = {}
    for customer, days in by_customer.items():
        summary = _summary(days, calibration_end)
        if summary is not None:
            out[customer] = summary
    return out


def summarise_member(items: Iterable[Any] | None, as_of: date) -> PurchaseSummary | None:
    """Summarise one account's ``transactions`` stream (dicts with ``date`` and ``amount``) up
    to ``as_of``.

    Items are read leniently, as streams come uncleaned: one without a readable ``date`` is
    skipped; a negative ``amount`` is a refund, not a purchase occasion, and is skipped too;
    a missing amount counts the occasion with an unknown value.
    """
    days: dict[date, float | None] = {}
    for item in items or ():
        if not isinstance(item, Mapping):
            continue
        when = as_date(item.get("date"))
        if when is None or when > as_of:
            continue
        amount = as_amount(item.get("amount"))
        if amount is not None and amount < 0:
            continue
        _add(days, when, amount)
    return _summary(days, as_of)
