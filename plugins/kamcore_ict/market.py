"""The customer as a market: the attractiveness side of the selection grid, and our share of it.

Attractiveness asks how much the customer is worth winning, whoever wins it: the size of its
ICT wallet (kamcore's built-in ``wallet_estimate``), how fast that wallet grows (three-year
potential matters more than this year's size), whether its industry is one the region has chosen
to win, and whether it can pay. Our share of the wallet belongs to the other axis; its *trend*
is here, because a falling share is the first sign a competitor is being let in.
"""

from __future__ import annotations

from typing import Any

from kamcore import Fact, Metric

from ._spec import fact, metric
from ._values import as_number
from .config import IctConfig

__all__ = [
    "market_facts",
    "market_metrics",
    "share_change",
    "share_change_points",
    "strategic_industry",
]


def strategic_industry(flag: Any, industry: Any, strategic: frozenset[str]) -> bool | None:
    """Whether the account is in a strategic industry: the ``ict.strategic_industry`` flag if the
    export sets it, else its ``industry`` looked up in the configured list (case-insensitive);
    missing when neither is known."""
    if isinstance(flag, bool):
        return flag
    if isinstance(industry, str) and industry.strip():
        return industry.strip().lower() in strategic
    return None


def _share(value: Any) -> float | int | None:
    """A share of wallet if it is a ratio in 0..1, else ``None``: a share of 3 (an export in
    percent, or revenue booked against a stale wallet estimate) is a data error, and a change
    computed from it would be nonsense."""
    number = as_number(value)
    return number if number is not None and 0 <= number <= 1 else None


def share_change(share: Any, share_prev: Any) -> float | None:
    """Change in share of wallet on a year ago, in share points as a ratio (-0.08 is 8 points
    lost); missing unless both shares are known and within 0..1."""
    now, before = _share(share), _share(share_prev)
    if now is None or before is None:
        return None
    return round(now - before, 12)


def share_change_points(change: Any) -> float | None:
    """:func:`share_change` in share points (-0.08 -> -8.0), for reason texts: ``{x:+.0%}``
    of -0.08 reads "-8%", a relative fall, when eight points of the wallet were lost."""
    number = as_number(change)
    return None if number is None else round(number * 100, 9)


def market_facts(cfg: IctConfig) -> tuple[Fact, ...]:
    """Facts of the attractiveness axis and the share-of-wallet trend."""
    del cfg  # the same facts under every configuration
    return (
        fact(
            "ict.wallet_growth",
            "ratio",
            "ICT wallet growth",
            "ICT支出增长率",
            "Expected yearly growth of the customer's ICT spend over the next three years, as a "
            "ratio (0.08 is 8 % a year).",
        ),
        fact(
            "ict.credit_grade",
            "integer",
            "Credit grade",
            "信用等级",
            "The customer's financial standing, 1 (weak) to 5 (excellent), from the credit "
            "department's rating.",
        ),
        fact(
            "ict.strategic_industry",
            "boolean",
            "Strategic industry (flag)",
            "战略行业（标记）",
            "Set to override the configured list of strategic industries for this account.",
        ),
        fact(
            "ict.share_of_wallet_prev",
            "ratio",
            "Share of wallet a year ago",
            "上年钱包份额",
            "Our share of the customer's ICT spend twelve months earlier, as a ratio.",
        ),
    )


def market_metrics(cfg: IctConfig) -> tuple[Metric, ...]:
    """``ict.in_strategic_industry`` (with the configured industries), ``ict.sow_change`` and
    the same change in points."""
    industries = cfg.strategic_industries

    def in_strategic_industry(flag: Any, industry: Any) -> bool | None:
        return strategic_industry(flag, industry, industries)

    return (
        metric(
            "ict.in_strategic_industry",
            in_strategic_industry,
            ("ict.strategic_industry", "industry"),
            "boolean",
            "In a strategic industry",
            "属于战略行业",
            "The account's industry is one of [config.kamcore_ict] strategic_industries (or "
            "the ict.strategic_industry flag says so).",
            handles_missing=True,
        ),
        metric(
            "ict.sow_change",
            share_change,
            ("wallet_share", "ict.share_of_wallet_prev"),
            "ratio",
            "Share-of-wallet change",
            "钱包份额变化",
            "Share of wallet now minus a year ago, in share points as a ratio (-0.05 = five "
            "points lost); missing unless both shares are within 0..1.",
            handles_missing=True,
        ),
        metric(
            "ict.sow_change_points",
            share_change_points,
            ("ict.sow_change",),
            "number",
            "Share-of-wallet change (points)",
            "钱包份额变化（百分点）",
            "ict.sow_change in share points (-5.0 = five points lost), for reason texts.",
            unit="points",
        ),
    )
