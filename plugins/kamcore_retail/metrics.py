"""Value metrics of a retail chain, computed from the pack's facts.

The metrics answer the questions a modern-trade key-account manager is asked each month: is
the chain selling more of our products to shoppers (sell-out growth), is it buying more than it
sells (sell-through below 1 builds stock in its warehouses, which comes back as returns or
deductions), is distribution gained or lost (changes in percentage points, the unit the trade
talks in), did the trade spend pay for itself, and does the chain pay on time.

Changes of ratios are given in **points** (0.62 -> 0.54 is -8 points) and rounded to
:data:`POINT_DIGITS` decimals, so that a threshold such as "-5 points" is not decided by float
noise (``(0.65 - 0.70) * 100`` is ``-5.000000000000004``). Metrics that divide are missing
(``None``) when the divisor is not positive: a growth rate on no base means nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from kamcore import Metric

from .config import RetailConfig

__all__ = [
    "POINT_DIGITS",
    "days_since",
    "dso_over_terms",
    "growth",
    "metrics",
    "points_change",
    "ratio",
    "sell_out_share",
    "trade_spend_roi",
]

Number = int | float

#: Decimals kept in point changes and shares (see the module docstring).
POINT_DIGITS = 6


def growth(previous: Number, current: Number) -> float | None:
    """``(current - previous) / previous``; missing without a positive base."""
    if previous <= 0:
        return None
    return round((current - previous) / previous, POINT_DIGITS)


def ratio(numerator: Number, denominator: Number) -> float | None:
    """``numerator / denominator``; missing when the denominator is not positive."""
    if denominator <= 0:
        return None
    return round(numerator / denominator, POINT_DIGITS)


def points_change(previous: Number, current: Number) -> float:
    """The change of a ratio in percentage points: ``(current - previous) * 100``."""
    return round((current - previous) * 100, POINT_DIGITS)


def trade_spend_roi(spend: Number, incremental: Number) -> float | None:
    """Net return on trade spend: ``(incremental revenue - spend) / spend``.

    0 is break-even, 1.5 means every yuan spent brought 2.5 yuan of extra revenue, a negative
    value means the spend bought less than it cost. Missing without spend.
    """
    if spend <= 0:
        return None
    return round((incremental - spend) / spend, POINT_DIGITS)


def days_since(when: date, as_of: date) -> int:
    """Whole days from ``when`` to the evaluation date (negative for a future date)."""
    return (as_of - when).days


def _days_listed(listing_date: date, as_of: date) -> int:
    """Days since the listing; a listing dated after ``as_of`` (agreed, not yet in stores)
    counts as 0 days."""
    return max(0, (as_of - listing_date).days)


def dso_over_terms(default_terms: int) -> _DsoOverTerms:
    """The metric function for DSO over terms, with the config's default terms bound."""
    return _DsoOverTerms(default_terms)


class _DsoOverTerms:
    """``dso_days - payment_terms_days``, with the config's default terms when the agreed terms
    are missing (a chain's terms are often known only to finance; DSO should still be judged)."""

    def __init__(self, default_terms: int) -> None:
        self.default_terms = default_terms

    def __call__(self, dso: Number | None, terms: Number | None) -> float | None:
        if dso is None:
            return None
        agreed = self.default_terms if terms is None else terms
        return round(dso - agreed, POINT_DIGITS)


class _BuyerChangedWithin:
    """Whether the buyer changed within the window (0..window days before ``as_of``)."""

    def __init__(self, window_days: int) -> None:
        self.window_days = window_days

    def __call__(self, days: int) -> bool:
        return 0 <= days <= self.window_days


def sell_out_share(column: Sequence[Number | None]) -> list[float | None]:
    """Portfolio metric: each chain's share of the portfolio's total sell-out.

    Missing for every chain when the total is not positive; a chain without sell-out data has
    no share and does not count in the total.
    """
    total = sum(v for v in column if v is not None)
    if total <= 0:
        return [None] * len(column)
    return [None if v is None else round(v / total, POINT_DIGITS) for v in column]


def _metric(
    name: str,
    fn: Callable[..., Any],
    inputs: tuple[str, ...],
    type_: str,
    en: str,
    zh: str,
    doc: str,
    *,
    unit: str | None = None,
    portfolio: bool = False,
    handles_missing: bool = False,
) -> Metric:
    return Metric(
        f"retail.{name}",
        fn,
        inputs,
        type_,
        doc=doc,
        unit=unit,
        label={"en": en, "zh": zh},
        portfolio=portfolio,
        handles_missing=handles_missing,
    )


def metrics(config: RetailConfig) -> tuple[Metric, ...]:
    """Every metric of the pack, with the config's parameters bound."""
    return (
        _metric(
            "sell_out_growth",
            growth,
            ("retail.sell_out_prev_12m", "retail.sell_out_12m"),
            "ratio",
            "Sell-out growth",
            "动销增长率",
            "Sell-out of the last 12 months against the 12 before: (now - prev) / prev.",
        ),
        _metric(
            "sell_in_growth",
            growth,
            ("retail.sell_in_prev_12m", "retail.sell_in_12m"),
            "ratio",
            "Sell-in growth",
            "进货增长率",
            "Sell-in of the last 12 months against the 12 before: (now - prev) / prev.",
        ),
        _metric(
            "sell_through",
            ratio,
            ("retail.sell_out_12m", "retail.sell_in_12m"),
            "ratio",
            "Sell-through ratio",
            "动销率",
            "Sell-out over sell-in. Below 1 the chain buys more than it sells and builds stock "
            "(channel loading); above 1 it draws its stock down.",
        ),
        _metric(
            "sell_out_per_store",
            ratio,
            ("retail.sell_out_12m", "retail.store_count"),
            "money",
            "Sell-out per store",
            "单店动销额",
            "Sell-out over the chain's store count: store productivity for our products.",
        ),
        _metric(
            "nd_change",
            points_change,
            ("retail.numeric_distribution_prev", "retail.numeric_distribution"),
            "number",
            "Numeric distribution change",
            "数值铺货率变化",
            "Numeric distribution now minus a year earlier, in percentage points.",
            unit="points",
        ),
        _metric(
            "wd_change",
            points_change,
            ("retail.weighted_distribution_prev", "retail.weighted_distribution"),
            "number",
            "Weighted distribution change",
            "加权铺货率变化",
            "Weighted distribution now minus a year earlier, in percentage points; a fall means "
            "we lost shelf in the stores that matter.",
            unit="points",
        ),
        _metric(
            "oos_change",
            points_change,
            ("retail.oos_rate_prev", "retail.oos_rate"),
            "number",
            "Out-of-stock change",
            "缺货率变化",
            "Out-of-stock rate now minus the previous period, in percentage points; positive "
            "means availability got worse.",
            unit="points",
        ),
        _metric(
            "trade_spend_roi",
            trade_spend_roi,
            ("retail.trade_spend_12m", "retail.incremental_revenue_12m"),
            "ratio",
            "Trade-spend ROI",
            "渠道费用投资回报率",
            "(incremental revenue - trade spend) / trade spend: 0 is break-even, negative "
            "means the spend cost more than it brought.",
        ),
        _metric(
            "dso_over_terms",
            dso_over_terms(config.default_payment_terms_days),
            ("retail.dso_days", "retail.payment_terms_days"),
            "number",
            "DSO over terms",
            "超账期天数",
            "DSO minus the agreed payment terms, in days (the config's "
            "default_payment_terms_days when the terms are missing); positive means the chain "
            "pays late.",
            unit="days",
            handles_missing=True,
        ),
        _metric(
            "days_listed",
            _days_listed,
            ("retail.listing_date", "as_of"),
            "integer",
            "Days listed",
            "进场天数",
            "Days since our products were first listed with the chain.",
            unit="days",
        ),
        _metric(
            "days_since_buyer_change",
            days_since,
            ("retail.buyer_changed_on", "as_of"),
            "integer",
            "Days since buyer change",
            "采购变更天数",
            "Days since the chain's category buyer last changed.",
            unit="days",
        ),
        _metric(
            "buyer_changed_recently",
            _BuyerChangedWithin(config.buyer_change_window_days),
            ("retail.days_since_buyer_change",),
            "boolean",
            "New category buyer",
            "采购新近变更",
            "The category buyer changed within the config's buyer_change_window_days (90 by "
            "default): the relationship and the listings must be re-won.",
        ),
        _metric(
            "sell_out_share",
            sell_out_share,
            ("retail.sell_out_12m",),
            "ratio",
            "Share of our sell-out",
            "动销额占比",
            "The chain's share of the sell-out of every chain in the portfolio (a portfolio "
            "metric: evaluate the portfolio together).",
            portfolio=True,
        ),
    )
