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

Values that cannot be what they claim to be give missing metrics rather than confident
nonsense:

* a ratio fact outside 0..1 is a data error (an export wrote ``62`` for 62 %, or ``150%``),
  so a change of points built on it is missing; a distribution change of -6 144 points would
  otherwise raise alerts and move the lifecycle. :func:`ratios_out_of_range` names the facts at
  fault, for an alert that asks for the data to be fixed;
* an age (days since a date) of a date after ``as_of`` is missing, not negative.

Trade-spend ROI is on **margin**: trade spend is paid out of the margin the extra revenue
earns, so ``(incremental revenue * gross_margin_rate - spend) / spend``, with the margin from
``[config.kamcore_retail]``. On revenue alone a promotion that "returned" 1.5 times its cost at a
35 % margin lost money, yet looked like a gain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from kamcore import Metric

from .config import RetailConfig
from .facts import FACTS

__all__ = [
    "POINT_DIGITS",
    "RATIO_FACTS",
    "days_since",
    "dso_over_terms",
    "growth",
    "in_unit_interval",
    "metrics",
    "points_change",
    "ratio",
    "ratios_out_of_range",
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


def in_unit_interval(value: Number) -> bool:
    """Whether ``value`` can be a ratio: a number from 0 to 1 (NaN cannot)."""
    return 0 <= value <= 1


def points_change(previous: Number, current: Number) -> float | None:
    """The change of a ratio in percentage points: ``(current - previous) * 100``.

    Missing when either value is outside 0..1: that is a data error (``62`` written for 62 %,
    ``150%``), and a change of thousands of points would fire alerts and move stages on it.
    """
    if not (in_unit_interval(previous) and in_unit_interval(current)):
        return None
    return round((current - previous) * 100, POINT_DIGITS)


def trade_spend_roi(spend: Number, incremental: Number, gross_margin_rate: float) -> float | None:
    """Net return on trade spend, on margin:
    ``(incremental revenue * gross_margin_rate - spend) / spend``.

    Trade spend is paid out of margin, so only the margin the extra revenue earned pays it
    back. 0 is break-even, 0.5 means every yuan spent came back with 0.5 yuan of extra margin,
    a negative value means the spend cost more than it earned. Rounded to
    :data:`POINT_DIGITS` decimals, so an exact break-even is 0 and not a float-noise loss.
    Missing without spend.
    """
    if spend <= 0:
        return None
    return round((incremental * gross_margin_rate - spend) / spend, POINT_DIGITS)


class _TradeSpendRoi:
    """:func:`trade_spend_roi` with the config's gross margin bound."""

    def __init__(self, gross_margin_rate: float) -> None:
        self.gross_margin_rate = gross_margin_rate

    def __call__(self, spend: Number, incremental: Number) -> float | None:
        return trade_spend_roi(spend, incremental, self.gross_margin_rate)


def days_since(when: date, as_of: date) -> int | None:
    """Whole days from ``when`` to the evaluation date; missing for a date after ``as_of``.

    A negative age is no age: a buyer change dated after the evaluation date is a planned one or
    a typo, and either way says nothing about how long the current buyer has been in place.
    """
    days = (as_of - when).days
    return days if days >= 0 else None


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


#: The pack's ratio facts, in declaration order: the inputs of ``retail.ratios_out_of_range``.
RATIO_FACTS: tuple[str, ...] = tuple(f.name for f in FACTS if f.type == "ratio")


def ratios_out_of_range(names: Sequence[str]) -> _RatiosOutOfRange:
    """The metric function naming, of the ratio facts ``names``, those outside 0..1."""
    return _RatiosOutOfRange(tuple(names))


class _RatiosOutOfRange:
    """``"weighted_distribution_prev 62, share_of_shelf 1.5"``: each ratio fact whose value is
    outside 0..1, with the value as read, in the order of ``names``; missing when there is none
    (a missing value is not an error). Names lose their ``retail.`` prefix for brevity."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def __call__(self, *values: Number | None) -> str | None:
        bad = [
            f"{name.removeprefix('retail.')} {_shown(value)}"
            for name, value in zip(self.names, values, strict=True)
            if value is not None and not in_unit_interval(value)
        ]
        return ", ".join(bad) or None


def _shown(value: Number) -> str:
    """A value as an export would have written it: ``62``, not ``62.0``."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return f"{value:g}"


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
            "Numeric distribution now minus a year earlier, in percentage points; missing when "
            "either is outside 0..1.",
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
            "we lost shelf in the stores that matter. Missing when either is outside 0..1.",
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
            "means availability got worse. Missing when either is outside 0..1.",
            unit="points",
        ),
        _metric(
            "trade_spend_roi",
            _TradeSpendRoi(config.gross_margin_rate),
            ("retail.trade_spend_12m", "retail.incremental_revenue_12m"),
            "ratio",
            "Trade-spend ROI",
            "渠道费用投资回报率",
            "(incremental revenue * gross_margin_rate - trade spend) / trade spend, with the "
            f"config's gross margin ({config.gross_margin_rate:g}): 0 is break-even, negative "
            "means the spend cost more than the margin it brought.",
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
            "Days since the chain's category buyer last changed; missing for a date after as_of.",
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
            "ratios_out_of_range",
            ratios_out_of_range(RATIO_FACTS),
            RATIO_FACTS,
            "string",
            "Ratios out of range",
            "比率数据超出范围",
            "The ratio facts whose value is outside 0..1, with the value as read "
            "('weighted_distribution_prev 62, share_of_shelf 1.5'); missing when there is none. "
            "A data error: 62 written for 62 %, or a wrong column. Changes built on such a value "
            "are missing.",
            handles_missing=True,
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
