"""Profit contribution by product line, and how it compares with the rest of the portfolio.

In project business revenue flatters: a large turnkey contract can carry thin margins while a
mid-sized software account pays for the whole team. Huawei-style account selection therefore
looks at *profit contribution*, reported by product line, and a "named" account is one whose
profit is above the average. Flat exports carry either one total (``ict.profit_12m``) or one
column per product line (``ict.profit_<line>``, lines set in ``[config.kamcore_ict]``); the total
wins when both are given because it is what finance reconciles, and the lines still tell how
dependent the account is on one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from kamcore import Fact, Metric

from ._spec import fact, metric
from ._values import as_number
from .config import IctConfig

__all__ = [
    "line_fact",
    "profit_concentration",
    "profit_contribution",
    "profit_facts",
    "profit_index",
    "profit_lines_active",
    "profit_metrics",
]

#: Rounding of the profit index, so a boundary such as exactly the average (1.0) is not decided
#: by float noise (kamcore's portfolio functions round shares the same way).
INDEX_DIGITS: Final = 12

#: Labels of the default product lines; other configured lines are labelled by their name.
_LINE_LABELS: Final = {
    "network": ("Carrier network", "运营商网络"),
    "cloud": ("Cloud and computing", "云与计算"),
    "enterprise": ("Enterprise networking", "企业网络"),
    "energy": ("Digital power", "数字能源"),
    "services": ("Services", "服务"),
}


def line_fact(line: str) -> str:
    """The fact name of one product line's profit: ``ict.profit_<line>``."""
    return f"ict.profit_{line}"


def profit_contribution(total: Any, *lines: Any) -> float | int | None:
    """The account's profit contribution in the last 12 months: the exported total if there is
    one, else the sum of the product lines that are present; missing when neither is."""
    given = as_number(total)
    if given is not None:
        return given
    present = [v for v in (as_number(x) for x in lines) if v is not None]
    return sum(present) if present else None


def profit_lines_active(*lines: Any) -> int | None:
    """How many product lines made a profit (> 0); missing when no line figure is present."""
    present = [v for v in (as_number(x) for x in lines) if v is not None]
    return sum(1 for v in present if v > 0) if present else None


def profit_concentration(*lines: Any) -> float | None:
    """The largest line's share of the profit of the profitable lines (1.0: one line carries
    the account); missing when no line made a profit."""
    positive = [v for v in (as_number(x) for x in lines) if v is not None and v > 0]
    return max(positive) / sum(positive) if positive else None


def profit_index(column: Sequence[Any]) -> list[float | None]:
    """Each account's profit contribution as a multiple of the portfolio average (1.0 is
    average), over the accounts that have a figure; missing for all when the average is not
    positive, since "above an average loss" means nothing."""
    present = [v for v in (as_number(x) for x in column) if v is not None]
    total = sum(present)
    if not present or total <= 0:
        return [None] * len(column)
    n = len(present)
    out: list[float | None] = []
    for value in column:
        number = as_number(value)
        out.append(None if number is None else round(number * n / total, INDEX_DIGITS))
    return out


def profit_facts(cfg: IctConfig) -> tuple[Fact, ...]:
    """``ict.profit_12m`` and one ``ict.profit_<line>`` per configured product line."""
    lines = tuple(
        fact(
            line_fact(line),
            "money",
            f"Profit contribution, {_LINE_LABELS.get(line, (line, line))[0]} (12 months)",
            f"近12个月利润贡献：{_LINE_LABELS.get(line, (line, line))[1]}",
            f"Profit contribution of the {line} product line in the last 12 months.",
        )
        for line in cfg.product_lines
    )
    total = fact(
        "ict.profit_12m",
        "money",
        "Profit contribution (12 months)",
        "近12个月利润贡献",
        "Total profit contribution of the last 12 months, when exported as one figure; it "
        "takes precedence over the sum of the product lines.",
    )
    return (total, *lines)


def profit_metrics(cfg: IctConfig) -> tuple[Metric, ...]:
    """The profit metrics over the configured product lines."""
    lines = tuple(line_fact(line) for line in cfg.product_lines)
    return (
        metric(
            "ict.profit_contribution",
            profit_contribution,
            ("ict.profit_12m", *lines),
            "money",
            "Profit contribution",
            "利润贡献",
            "Profit contribution of the last 12 months: ict.profit_12m, else the sum of the "
            "product-line figures present.",
            handles_missing=True,
        ),
        metric(
            "ict.profit_lines_active",
            profit_lines_active,
            lines,
            "integer",
            "Profitable product lines",
            "盈利产品线数",
            "How many product lines made a profit in the last 12 months.",
            handles_missing=True,
        ),
        metric(
            "ict.profit_concentration",
            profit_concentration,
            lines,
            "ratio",
            "Profit concentration",
            "利润集中度",
            "The largest product line's share of the profit of the profitable lines.",
            handles_missing=True,
        ),
        metric(
            "ict.profit_index",
            profit_index,
            ("ict.profit_contribution",),
            "ratio",
            "Profit index",
            "利润指数",
            "Profit contribution as a multiple of the portfolio average (1.0 = average); the "
            "'above-average profit' of a named account.",
            portfolio=True,
        ),
    )
