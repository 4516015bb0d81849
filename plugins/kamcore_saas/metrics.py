"""The pack's value metrics, as :class:`kamcore.Metric` registrations.

The computations live in :mod:`.revenue`, :mod:`.adoption`, :mod:`.renewal` and
:mod:`.support`; this module states their inputs, types and labels, and binds the configured
parameters (renewal window, usage periods, ticket weights) into them once, when the engine is
built, so evaluating an account reads no configuration.

Metrics that choose between a fact and a stream take ``handles_missing=True``: a missing input
is how they pick the source. The others are missing whenever an input is.
"""

from __future__ import annotations

from functools import partial

from kamcore import Metric

from . import adoption, renewal, revenue, support
from .config import SaasConfig
from .facts import label

__all__ = ["metrics"]

_MOVEMENTS = (
    "saas.starting_arr",
    "saas.arr_prev_12m",
    "saas.expansion_arr",
    "saas.contraction_arr",
    "saas.churned_arr",
    "saas.current_arr",
)


def _revenue() -> tuple[Metric, ...]:
    return (
        Metric(
            "saas.current_arr",
            revenue.current_arr,
            ("saas.arr", "saas.mrr"),
            "money",
            doc="ARR today: saas.arr, else 12 x saas.mrr.",
            label=label("Current ARR", "当前年度经常性收入"),
            handles_missing=True,
        ),
        Metric(
            "saas.arr_growth",
            revenue.arr_growth,
            ("saas.arr_prev_12m", "saas.current_arr"),
            "ratio",
            doc="ARR growth on 12 months ago: (now - then) / then; missing when then was 0.",
            label=label("ARR growth", "年度经常性收入增长率"),
        ),
        Metric(
            "saas.nrr",
            revenue.nrr,
            _MOVEMENTS,
            "ratio",
            doc="Net revenue retention over 12 months: (start + expansion - contraction - "
            "churn) / start; without movements, current ARR / start. Missing when a movement "
            "is negative (movements are positive amounts).",
            label=label("Net revenue retention", "净收入留存率"),
            handles_missing=True,
        ),
        Metric(
            "saas.grr",
            revenue.grr,
            _MOVEMENTS,
            "ratio",
            doc="Gross revenue retention over 12 months: (start - contraction - churn) / start, "
            "in [0, 1]; without movements, min(current ARR, start) / start. Missing when a "
            "movement is negative.",
            label=label("Gross revenue retention", "总收入留存率"),
            handles_missing=True,
        ),
    )


def _adoption(config: SaasConfig) -> tuple[Metric, ...]:
    return (
        Metric(
            "saas.licence_utilisation",
            adoption.licence_utilisation,
            ("saas.active_users", "saas.licences"),
            "ratio",
            doc="Active users per licence purchased (above 1: over-deployed); missing "
            "without licences or with negative active users.",
            label=label("Licence utilisation", "许可使用率"),
        ),
        Metric(
            "saas.usage_trend",
            partial(
                adoption.usage_trend,
                metric=config.usage_metric,
                period_days=config.usage_period_days,
            ),
            ("saas.usage", "saas.usage_prev", "usage", "as_of"),
            "ratio",
            doc="Relative change of usage on the previous period: from saas.usage and "
            f"saas.usage_prev, else the `{config.usage_metric}` items of the usage stream over "
            f"two periods of {config.usage_period_days} days. Negative usage counts as missing, "
            "so the trend is never below -1.",
            label=label("Usage trend", "使用量趋势"),
            handles_missing=True,
        ),
        Metric(
            "saas.live",
            partial(adoption.live, onboarding_days=config.onboarding_days),
            ("saas.go_live_date", "saas.tenure_days", "as_of"),
            "boolean",
            doc="Onboarding is over: the go-live date is reached, or without one the account "
            f"is {config.onboarding_days} days old.",
            label=label("Live", "已上线"),
            handles_missing=True,
        ),
    )


def _renewal(config: SaasConfig) -> tuple[Metric, ...]:
    return (
        Metric(
            "saas.days_to_renewal",
            renewal.days_to_renewal,
            ("saas.renewal_date", "contracts", "as_of"),
            "integer",
            unit="days",
            doc="Days from as_of to the renewal date (negative once passed); the renewal date "
            "is saas.renewal_date, else the end of the latest contract in force.",
            label=label("Days to renewal", "距续约天数"),
            handles_missing=True,
        ),
        Metric(
            "saas.in_renewal_window",
            partial(renewal.in_renewal_window, window_days=config.renewal_window_days),
            ("saas.days_to_renewal",),
            "boolean",
            doc=f"The renewal is due within {config.renewal_window_days} days, or overdue.",
            label=label("In renewal window", "处于续约窗口"),
        ),
        Metric(
            "saas.renewal_lapsed",
            partial(renewal.renewal_lapsed, grace_days=config.renewal_grace_days),
            ("saas.days_to_renewal", "saas.renewal_signed"),
            "boolean",
            doc="The renewal date passed more than "
            f"{config.renewal_grace_days} days ago and the renewal is not signed.",
            label=label("Renewal lapsed", "续约已逾期"),
            handles_missing=True,
        ),
        Metric(
            "saas.tenure_days",
            renewal.tenure_days,
            ("saas.contract_start_date", "customer_since", "contracts", "as_of"),
            "integer",
            unit="days",
            doc="Days since the first subscription started (saas.contract_start_date, else "
            "customer_since, else the first contract); missing when that start is after as_of.",
            label=label("Tenure", "合作天数"),
            handles_missing=True,
        ),
    )


def _support(config: SaasConfig) -> tuple[Metric, ...]:
    weights = dict(config.ticket_weights)
    return (
        Metric(
            "saas.open_p1_count",
            support.open_p1_count,
            ("saas.open_p1_tickets", "support_tickets", "as_of"),
            "integer",
            doc="Open P1 tickets: saas.open_p1_tickets, else counted from support_tickets.",
            label=label("Open P1 tickets", "未关闭P1工单数"),
            handles_missing=True,
        ),
        Metric(
            "saas.oldest_p1_age",
            support.oldest_p1_age,
            ("saas.oldest_p1_days", "saas.open_p1_count", "support_tickets", "as_of"),
            "integer",
            unit="days",
            doc="Days the oldest open P1 ticket has been open (saas.oldest_p1_days, else from "
            "support_tickets); missing when none is open, i.e. when saas.open_p1_count is 0.",
            label=label("Oldest open P1 (days)", "最早未关闭P1工单天数"),
            handles_missing=True,
        ),
        Metric(
            "saas.support_load",
            partial(support.support_load, weights=weights),
            ("open_tickets", "saas.open_p1_count", "support_tickets", "as_of"),
            "number",
            doc="Open tickets weighted by priority "
            + ", ".join(f"{p.upper()} {w:g}" for p, w in weights.items())
            + "; with a flat open_tickets count, non-P1 tickets weigh as P3.",
            label=label("Support load", "支持负荷"),
            handles_missing=True,
        ),
    )


def metrics(config: SaasConfig) -> tuple[Metric, ...]:
    """Every metric of the pack, with ``config`` bound in."""
    return (*_revenue(), *_adoption(config), *_renewal(config), *_support(config))
