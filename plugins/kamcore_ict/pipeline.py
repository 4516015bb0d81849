"""Pipeline and win rate: whether the account keeps giving us projects, and whether we win them.

Project accounts buy in lumps, so "no order for 90 days" says nothing; what warns early is a
pipeline drying up (little open business against what the account brought in a year) and a win
rate that collapses (we are still invited, and lose). Both come from flat-export counts or from
kamcore's ``opportunities`` stream (``amount``, ``close_date``, ``won``). An opportunity counts as
decided on its ``close_date``; until then (and for one decided after ``as_of``) it is open, so a
past date is evaluated with what was known then.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kamcore import Fact, Metric

from ._spec import fact, metric
from ._values import WINDOW_DAYS, Items, as_date, as_number, in_window, items_of
from .config import IctConfig

__all__ = [
    "closed_counts",
    "decided_opportunities",
    "open_pipeline",
    "pipeline_coverage",
    "pipeline_facts",
    "pipeline_metrics",
    "previous_win_rate",
    "rate_change",
    "win_rate",
]


def closed_counts(opportunities: Items, as_of: date, start_days: int = 0) -> tuple[int, int]:
    """``(won, lost)`` among the opportunities decided in the 12-month window ending
    ``start_days`` before ``as_of``; items without a ``won`` verdict or a readable
    ``close_date`` are open or unusable and are not counted."""
    won = lost = 0
    for item in items_of(opportunities):
        verdict = item.get("won")
        if not isinstance(verdict, bool):
            continue
        if not in_window(as_date(item.get("close_date")), as_of, start_days):
            continue
        if verdict:
            won += 1
        else:
            lost += 1
    return won, lost


def _counts(won: Any, lost: Any, opportunities: Items, as_of: date) -> tuple[int, int] | None:
    """Won and lost in the last 12 months: the exported counts when both are given, else the
    stream; ``None`` when there is neither."""
    w, lo = as_number(won), as_number(lost)
    if w is not None and lo is not None:
        return int(w), int(lo)
    if opportunities is None:
        return None
    return closed_counts(opportunities, as_of)


def win_rate(won: Any, lost: Any, opportunities: Items, as_of: date) -> float | None:
    """Won over decided opportunities in the last 12 months; missing with nothing decided."""
    counts = _counts(won, lost, opportunities, as_of)
    if counts is None or sum(counts) == 0:
        return None
    return counts[0] / sum(counts)


def decided_opportunities(won: Any, lost: Any, opportunities: Items, as_of: date) -> int | None:
    """Opportunities won or lost in the last 12 months: how much a win rate can be trusted."""
    counts = _counts(won, lost, opportunities, as_of)
    return None if counts is None else sum(counts)


def previous_win_rate(given: Any, opportunities: Items, as_of: date) -> float | None:
    """The win rate of the 12 months before the last 12: the exported figure, else the
    stream's decisions of that window; missing with nothing decided then."""
    rate = as_number(given)
    if rate is not None:
        return rate
    if opportunities is None:
        return None
    won, lost = closed_counts(opportunities, as_of, start_days=WINDOW_DAYS)
    return won / (won + lost) if won + lost else None


def rate_change(now: float, before: float) -> float:
    """``now - before``, in points as a ratio, rounded so that a boundary is not float noise."""
    return round(now - before, 12)


def open_pipeline(given: Any, opportunities: Items, as_of: date) -> float | int | None:
    """The value of open opportunities: the exported figure, else the stream's opportunities
    with no verdict yet or decided after ``as_of``."""
    value = as_number(given)
    if value is not None:
        return value
    if opportunities is None:
        return None
    total: float | int = 0
    for item in items_of(opportunities):
        closed = as_date(item.get("close_date"))
        decided = isinstance(item.get("won"), bool) and closed is not None and closed <= as_of
        amount = as_number(item.get("amount"))
        if not decided and amount is not None:
            total += amount
    return total


def pipeline_coverage(pipeline: float, revenue: float) -> float | None:
    """Open pipeline as a multiple of the last 12 months' revenue; missing without revenue."""
    return pipeline / revenue if revenue > 0 else None


def pipeline_facts(cfg: IctConfig) -> tuple[Fact, ...]:
    """The flat-export figures of pipeline and win rate."""
    del cfg  # the same facts under every configuration
    return (
        fact(
            "ict.pipeline_value",
            "money",
            "Open pipeline",
            "在途商机金额",
            "Value of the open opportunities, as exported (else summed from opportunities).",
        ),
        fact(
            "ict.opportunities_won_12m",
            "integer",
            "Opportunities won (12 months)",
            "近12个月赢单数",
            "Opportunities won in the last 12 months, as exported.",
        ),
        fact(
            "ict.opportunities_lost_12m",
            "integer",
            "Opportunities lost (12 months)",
            "近12个月丢单数",
            "Opportunities lost in the last 12 months, as exported.",
        ),
        fact(
            "ict.win_rate_prev_12m",
            "ratio",
            "Win rate, previous 12 months",
            "上一个12个月赢单率",
            "Win rate of the 12 months before the last 12, as exported.",
        ),
    )


def pipeline_metrics(cfg: IctConfig) -> tuple[Metric, ...]:
    """Win rate, its trend, the number of decisions behind it, and the pipeline."""
    del cfg  # the same metrics under every configuration
    counted = ("ict.opportunities_won_12m", "ict.opportunities_lost_12m", "opportunities", "as_of")
    return (
        metric(
            "ict.win_rate",
            win_rate,
            counted,
            "ratio",
            "Win rate",
            "赢单率",
            "Won over won-or-lost opportunities in the last 12 months.",
            handles_missing=True,
        ),
        metric(
            "ict.decided_opportunities_12m",
            decided_opportunities,
            counted,
            "integer",
            "Decided opportunities (12 months)",
            "近12个月决标商机数",
            "Opportunities won or lost in the last 12 months: how much the win rate says.",
            handles_missing=True,
        ),
        metric(
            "ict.previous_win_rate",
            previous_win_rate,
            ("ict.win_rate_prev_12m", "opportunities", "as_of"),
            "ratio",
            "Previous win rate",
            "上期赢单率",
            "Win rate of the 12 months before the last 12.",
            handles_missing=True,
        ),
        metric(
            "ict.win_rate_change",
            rate_change,
            ("ict.win_rate", "ict.previous_win_rate"),
            "ratio",
            "Win-rate change",
            "赢单率变化",
            "Win rate now minus a year ago, in points as a ratio (-0.25 = 25 points lower).",
        ),
        metric(
            "ict.open_pipeline",
            open_pipeline,
            ("ict.pipeline_value", "opportunities", "as_of"),
            "money",
            "Open pipeline",
            "在途商机",
            "Value of the open opportunities.",
            handles_missing=True,
        ),
        metric(
            "ict.pipeline_coverage",
            pipeline_coverage,
            ("ict.open_pipeline", "monetary_12m"),
            "ratio",
            "Pipeline coverage",
            "商机覆盖倍数",
            "Open pipeline as a multiple of the last 12 months' revenue (0.5: half a year's "
            "business in sight).",
        ),
    )
