"""Adoption metrics: licence utilisation, the usage trend and go-live.

Unused licences are the earliest churn signal a subscription business has (the customer pays
for shelfware until the renewal, then cuts it), and a falling usage trend precedes the cut by
months. Both are read from pre-aggregated facts when the export has them, else from the core
``usage`` stream.

Users, licences and usage are counts: none of them can be negative. A negative value in an
export is a data error (a sign flipped in a join, a "not measured" code such as -1), and
treating it as a number would turn it into a verdict (a usage trend of -150 %, a utilisation of
-50 %) that falls outside every band the health scorecard knows, so the whole account would be
rejected for one bad cell. Here a negative count is a missing value instead: the metric falls
back to its other source or is missing, and the account is still evaluated on what is known.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from .streams import as_date, as_number, dated

__all__ = ["licence_utilisation", "live", "usage_trend"]


def _count(value: float | None) -> float | None:
    """``value``, or missing when it is negative: a count read from an export (users,
    licences, usage) below zero is a data error, not a measurement (see the module doc)."""
    return None if value is None or value < 0 else value


def licence_utilisation(active_users: int, licences: int) -> float | None:
    """Active users per licence purchased. Above 1 the customer over-deploys (an expansion
    signal); missing without licences or with a negative count (never below 0)."""
    if licences <= 0 or _count(active_users) is None:
        return None
    return active_users / licences


def _period_means(
    usage: Iterable[Any] | None, as_of: date, metric: str, period_days: int
) -> tuple[float | None, float | None]:
    """Mean value of ``metric`` in the last ``period_days`` up to ``as_of`` and in the period
    before it. Means, not sums: a period may hold more measurements than the other. A negative
    value is skipped like an unreadable one."""
    current: list[float] = []
    previous: list[float] = []
    for when, item in dated(usage, as_of, "date"):
        value = _count(as_number(item.get("value")))
        if value is None or item.get("metric") != metric:
            continue
        age = (as_of - when).days
        if age < period_days:
            current.append(value)
        elif age < 2 * period_days:
            previous.append(value)
    return (
        sum(current) / len(current) if current else None,
        sum(previous) / len(previous) if previous else None,
    )


def usage_trend(
    usage: float | None,
    usage_prev: float | None,
    usage_stream: Iterable[Any] | None,
    as_of: date,
    *,
    metric: str,
    period_days: int,
) -> float | None:
    """Relative change of usage this period on the previous one: ``(now - before) / before``
    (computed in that form so that 80 after 100 is exactly -0.2, not -0.19999...).

    From ``saas.usage`` and ``saas.usage_prev`` when both are given, else from the means of the
    usage stream's ``metric`` over the last two periods of ``period_days``. Missing when there
    is no base to compare with (nothing, or zero, in the previous period).

    A negative ``saas.usage`` or ``saas.usage_prev`` counts as missing (then the stream is read),
    and negative stream values are skipped, so the trend is never below -1 (-100 %: all usage
    gone).
    """
    usage, usage_prev = _count(usage), _count(usage_prev)
    if usage is None or usage_prev is None:
        usage, usage_prev = _period_means(usage_stream, as_of, metric, period_days)
    if usage is None or usage_prev is None or usage_prev <= 0:
        return None
    return (usage - usage_prev) / usage_prev


def live(
    go_live_date: date | None, tenure_days: int | None, as_of: date, *, onboarding_days: int
) -> bool:
    """Whether onboarding is over: the go-live date is reached, or, when the export has no
    go-live date, the account has been a customer for ``onboarding_days`` (older accounts went
    live before anyone recorded it)."""
    went_live = as_date(go_live_date)
    if went_live is not None:
        return went_live <= as_of
    return tenure_days is not None and tenure_days >= onboarding_days
