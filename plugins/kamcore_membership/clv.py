"""Customer lifetime value from BG/NBD and Gamma-Gamma: expected margin over a horizon,
discounted.

``CLV = margin * E[spend per purchase] * sum_k (E[Y(k)] - E[Y(k-1)]) / (1 + d)^k``, summed
over the weeks ``k = 1..H`` of the horizon, where ``E[Y(k)]`` is the member's expected purchases
in the next ``k`` weeks (BG/NBD, conditional on their history), the spend is Gamma-Gamma's
conditional expectation, and ``d`` is the weekly rate equivalent to the annual discount rate
(``(1 + annual)^(1/52) - 1``). Week by week, so a purchase expected in three years is worth less
than one expected next month; a closed form would need the Pareto/NBD, not BG/NBD.

Why a finite horizon: management budgets and accounting think in years, and BG/NBD's long tail
(members who never "die" on paper) would otherwise dominate the figure.
"""

from __future__ import annotations

from collections.abc import Sequence

from .bgnbd import BgNbdParams, check_summaries, expected_purchases_path
from .gamma_gamma import GammaGammaParams, expected_spend

__all__ = ["WEEKS_PER_YEAR", "discounted_expected_purchases", "lifetime_value", "weekly_rate"]

#: Weeks in a year for discounting.
WEEKS_PER_YEAR = 52


def weekly_rate(annual_discount_rate: float) -> float:
    """The weekly discount rate equivalent to an annual one (compounded weekly)."""
    return float((1.0 + annual_discount_rate) ** (1.0 / WEEKS_PER_YEAR) - 1.0)


def discounted_expected_purchases(
    params: BgNbdParams,
    horizon_weeks: int,
    annual_discount_rate: float,
    frequency: Sequence[float],
    recency: Sequence[float],
    age: Sequence[float],
) -> list[float]:
    """Each member's expected purchases over the next ``horizon_weeks`` weeks, each week's
    expected purchases discounted to today (non-finite where the path is, see
    :func:`~kamcore_membership.bgnbd.expected_purchases_path`)."""
    import numpy as np

    if horizon_weeks < 1:
        raise ValueError(f"the CLV horizon must be at least one week, got {horizon_weeks}")
    x, t, big_t = check_summaries(frequency, recency, age)
    weeks = np.arange(horizon_weeks + 1, dtype=float)
    path = expected_purchases_path(params, weeks, x, t, big_t)
    discount = (1.0 + weekly_rate(annual_discount_rate)) ** -weeks[1:]
    with np.errstate(all="ignore"):  # a non-finite path stays non-finite, for the caller to see
        per_week = np.diff(path, axis=1)
        return [float(v) for v in per_week @ discount]


def lifetime_value(
    bgnbd: BgNbdParams,
    gamma_gamma: GammaGammaParams,
    *,
    horizon_weeks: int,
    annual_discount_rate: float,
    margin: float,
    frequency: Sequence[float],
    recency: Sequence[float],
    age: Sequence[float],
    monetary: Sequence[float | None],
) -> list[float | None]:
    """Each member's discounted CLV (``None`` where Gamma-Gamma gives no expected spend: only
    when ``q <= 1``, as a member whose own spend is unknown gets the portfolio mean)."""
    purchases = discounted_expected_purchases(
        bgnbd, horizon_weeks, annual_discount_rate, frequency, recency, age
    )
    spend = expected_spend(gamma_gamma, frequency, monetary)
    return [None if s is None else margin * s * n for s, n in zip(spend, purchases, strict=True)]
