"""What the pack registers, built from the policy's settings.

Kept apart from the hook functions in ``__init__`` so that each capability list can be read (and
tested) as data: the metrics with their inputs, types and labels, the classifiers with their
labels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kamcore import Classifier, Metric

from . import metrics as m
from .config import Settings
from .portfolio import PortfolioModels
from .rfm import RFM_SEGMENTS, rfm_population, rfm_segment, segment_metric
from .tiers import gap_function, tier_function

__all__ = ["pack_classifiers", "pack_metrics"]

_SUMMARY = ("membership.frequency", "membership.recency", "membership.age")


def _label(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


def _zero_if_missing(
    fn: Callable[[float, float], float | None],
) -> Callable[[float | None, float | None], float | None]:
    """Read a missing spend or order count as 0, as the base policy's tier expression does."""

    def wrapped(spend: float | None, orders: float | None) -> float | None:
        return fn(spend or 0, orders or 0)

    return wrapped


def _summary_metrics() -> tuple[Metric, ...]:
    return (
        Metric(
            "membership.frequency",
            m.frequency,
            ("membership.repeat_purchases", "membership.orders_total", "transactions", "as_of"),
            "integer",
            doc="Repeat purchases x: the fact, else orders_total - 1, else the stream.",
            label=_label("Repeat purchases (x)", "复购次数 (x)"),
            handles_missing=True,
        ),
        Metric(
            "membership.recency",
            m.recency,
            (
                "membership.recency_weeks",
                "first_order_date",
                "last_order_date",
                "transactions",
                "as_of",
            ),
            "number",
            unit="weeks",
            doc="Weeks from the first to the last purchase, t_x: fact, order dates or stream.",
            label=_label("Recency t_x (weeks)", "末次购买距首购周数 (t_x)"),
            handles_missing=True,
        ),
        Metric(
            "membership.age",
            m.age,
            ("membership.age_weeks", "first_order_date", "transactions", "as_of"),
            "number",
            unit="weeks",
            doc="Weeks from the first purchase to as_of, T: fact, first order date or stream.",
            label=_label("Customer age T (weeks)", "首购至今周数 (T)"),
            handles_missing=True,
        ),
        Metric(
            "membership.monetary_value",
            m.monetary_value,
            ("membership.avg_repeat_value", "transactions", "as_of"),
            "money",
            doc="Mean value of the repeat purchases (first purchase left out): fact or stream.",
            label=_label("Average repeat order value", "复购客单价"),
            handles_missing=True,
        ),
        Metric(
            "membership.purchases",
            m.purchases,
            ("membership.frequency", "first_order_date", "last_order_date"),
            "integer",
            doc="Purchase occasions so far, the first included (0 for a visitor).",
            label=_label("Purchase occasions", "累计购买次数"),
            handles_missing=True,
        ),
        Metric(
            "membership.days_since_purchase",
            m.days_since_purchase,
            ("recency_days", "membership.recency", "membership.age"),
            "integer",
            unit="days",
            doc="Days since the last purchase: recency_days, else (T - t_x) weeks in days; "
            "missing when negative (a last order after as_of).",
            label=_label("Days since last purchase", "距上次购买天数"),
            handles_missing=True,
        ),
        Metric(
            "membership.avg_interpurchase_days",
            m.avg_interpurchase_days,
            ("membership.frequency", "membership.recency"),
            "number",
            unit="days",
            doc="Mean days between purchases, t_x * 7 / x (repeat buyers only).",
            label=_label("Average days between purchases", "平均购买间隔天数"),
        ),
    )


def _value_metrics(settings: Settings) -> tuple[Metric, ...]:
    return (
        Metric(
            "membership.spend_prev_12m",
            m.spend_prev_12m,
            ("revenue_prev_12m", "transactions", "as_of"),
            "money",
            doc="Spend in the 12 months before the last 12: the fact, else the stream.",
            label=_label("Spend, previous 12 months", "上一个12个月消费"),
            handles_missing=True,
        ),
        Metric(
            "membership.spend_change",
            m.spend_change,
            ("membership.spend_prev_12m", "monetary_12m"),
            "ratio",
            doc="Change of 12-month spend on the previous 12 months (missing without a base).",
            label=_label("Spend change", "消费变化率"),
        ),
        Metric(
            "membership.days_to_birthday",
            m.days_to_birthday,
            ("membership.birthday", "as_of"),
            "integer",
            unit="days",
            doc="Days until the member's next birthday (0 on the day).",
            label=_label("Days to birthday", "距生日天数"),
        ),
        Metric(
            "membership.days_to_anniversary",
            m.days_to_anniversary,
            ("membership.join_date", "first_order_date", "as_of"),
            "integer",
            unit="days",
            doc="Days until the next anniversary of joining (else of the first order).",
            label=_label("Days to membership anniversary", "距入会周年天数"),
            handles_missing=True,
        ),
        Metric(
            "membership.next_tier_gap",
            _zero_if_missing(gap_function(settings.tiers)),
            ("monetary_12m", "frequency_12m"),
            "money",
            doc="12-month spend still missing for the next tier up (0: only orders are "
            "missing; missing at the top tier).",
            label=_label("Spend to next tier", "距升级所需消费"),
            handles_missing=True,
        ),
        Metric(
            "membership.rfm_segment",
            segment_metric(settings.rfm_min_members),
            (
                "rfm_r",
                "rfm_f",
                "rfm_m",
                "membership.days_since_purchase",
                "membership.rfm_population",
            ),
            "string",
            doc="RFM segment (champions, loyal, ..., hibernating) from the core's quintiles; "
            f"missing below {settings.rfm_min_members} ranked members or without a valid "
            "days since purchase.",
            label=_label("RFM segment", "RFM分群"),
        ),
        Metric(
            "membership.clv_to_cac",
            m.clv_to_cac,
            ("membership.clv", "membership.acquisition_cost"),
            "ratio",
            doc="Expected lifetime value over acquisition cost; below 1 it does not pay back.",
            label=_label("CLV to acquisition cost", "CLV与获客成本之比"),
        ),
    )


def _portfolio_metrics(settings: Settings) -> tuple[Metric, ...]:
    models = PortfolioModels(settings)
    spend_inputs = (*_SUMMARY, "membership.monetary_value")
    return (
        Metric(
            "membership.rfm_population",
            rfm_population,
            ("recency_days",),
            "integer",
            doc="Members of the evaluated portfolio with a purchase recency: those the RFM "
            "quintiles rank (the same for every member).",
            label=_label("Members ranked by RFM", "参与RFM排名的会员数"),
            portfolio=True,
        ),
        Metric(
            "membership.p_alive",
            models.p_alive,
            _SUMMARY,
            "ratio",
            doc="BG/NBD probability that the member is still active (1 without repeat "
            "purchases), with parameters fitted on the portfolio.",
            label=_label("Probability alive", "活跃概率"),
            portfolio=True,
        ),
        Metric(
            "membership.expected_purchases",
            models.expected_purchases,
            _SUMMARY,
            "number",
            doc=f"BG/NBD expected purchases in the next horizon_weeks "
            f"({settings.horizon_weeks:g} weeks).",
            label=_label("Expected purchases", "预期购买次数"),
            portfolio=True,
        ),
        Metric(
            "membership.expected_spend",
            models.expected_spend,
            spend_inputs,
            "money",
            doc="Gamma-Gamma expected value per future purchase (the portfolio mean for a "
            "member whose mean repeat order value is unknown or not above 0, one-time buyers "
            "included).",
            label=_label("Expected spend per purchase", "预期客单价"),
            portfolio=True,
        ),
        Metric(
            "membership.clv",
            models.clv,
            spend_inputs,
            "money",
            doc=f"Discounted customer lifetime value over {settings.clv_horizon_weeks} weeks "
            f"at {settings.annual_discount_rate:.0%} a year, margin {settings.margin:g}.",
            label=_label("Customer lifetime value", "客户终身价值"),
            portfolio=True,
        ),
        Metric(
            "membership.model_basis",
            models.model_basis,
            spend_inputs,
            "string",
            doc='Where the model parameters came from: "bgnbd=fitted; gamma_gamma=prior", ...',
            label=_label("Model basis", "模型参数来源"),
            portfolio=True,
        ),
    )


def pack_metrics(settings: Settings) -> tuple[Metric, ...]:
    """Every metric the pack registers."""
    return (*_summary_metrics(), *_value_metrics(settings), *_portfolio_metrics(settings))


def pack_classifiers(settings: Settings) -> tuple[Classifier, ...]:
    """``rfm_segment(r, f, m)`` and ``member_tier(spend_12m, orders_12m)``."""
    tiers: Any = tuple(t.id for t in settings.tiers)
    return (
        Classifier(
            "rfm_segment",
            rfm_segment,
            ("integer", "integer", "integer"),
            RFM_SEGMENTS,
            doc="RFM segment from R, F and M scores 1..5 (R x mean of F and M).",
        ),
        Classifier(
            "member_tier",
            tier_function(settings.tiers),
            ("number", "number"),
            tiers,
            doc="Member tier from 12-month spend and orders, by the configured ladder.",
        ),
    )
