"""Adoption metrics: licence utilisation, the usage trend and go-live.

Unused licences are the earliest churn signal a subscription business has (the customer pays
for shelfware until the renewal, then cuts it), and a falling usage trend precedes the cut by
months. Both are read from pre-aggregated facts when the export has them, else from the core
``usage`` stream.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from .streams import as_date, as_number, dated

__all__ = ["licence_utilisation", "live", "usage_trend"]


def licence_utilisation(active_users: int, licences: int) -> float | None:
    """Active users per licence purchased. Above 1 the customer over-deploys (an expansion
    signal); missing without licences."""
    if licences <= 0:
        return None
    return active_users / licences


def _period_means(
    usage: Iterable[Any] | None, as_of: date, metric: str, period_days: int
) -> tuple[float | None, float | None]:
    """Mean value of ``metric`` in the last ``period_days`` up to ``as_of`` and in the period
    before it. Means, not sums: a period may hold more measurements than the other."""
    current: list[float] = []
    previous: list[float] = []
    for when, item in dated(usage, as_of, "date"):
        value = as_number(item.get("value"))
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
    """
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
