"""Built-in metrics: growth, RFM, tenure, margin, share of wallet, NPS and support load.

Real inputs come in two shapes: flat exports with pre-aggregated columns (``revenue_12m``,
``nps``) and fact streams (``transactions``, ``survey_responses``). Each metric here prefers the
pre-aggregated fact when the account has it and otherwise derives the value from the stream,
so one policy works on both shapes. Those metrics take ``handles_missing=True`` because missing
inputs are how they choose a source.

Stream-derived values only look at items dated on or before ``as_of``, so evaluating a past
date reproduces what was known then. "The 12 months up to ``as_of``" means the 365 days ending
on ``as_of``, both ends included: ``as_of - 364 days`` .. ``as_of``.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from ..hookspecs import hookimpl
from ..registry import Metric
from ._values import as_date, as_number, dated_items, latest_item
from .functions import pct_change

__all__ = [
    "WINDOW_DAYS",
    "frequency_12m",
    "kamcore_register_metrics",
    "margin_rate",
    "monetary_12m",
    "nps_latest",
    "open_ticket_count",
    "quintiles",
    "recency_days",
    "tenure_years",
    "wallet_share",
]

Number = int | float
Items = Sequence[Any] | None

#: Length of the trailing window of the ``*_12m`` metrics, in days.
WINDOW_DAYS = 365
#: Days per year for tenure: the mean calendar year, so leap years do not make tenure jump.
DAYS_PER_YEAR = 365.25
#: Highest score of the RFM quintiles.
RFM_LEVELS = 5


def _in_window(items: Items, as_of: date) -> list[Any]:
    return [item for when, item in dated_items(items, as_of) if (as_of - when).days < WINDOW_DAYS]


def recency_days(
    days_since_last_order: int | None,
    last_order_date: date | None,
    transactions: Items,
    as_of: date,
) -> int | None:
    """Days since the last order: the fact if given, else from ``last_order_date``, else from
    the latest transaction on or before ``as_of``.

    A negative count (a last order dated after ``as_of``, or a negative figure) is missing: it
    would otherwise rank the member as the most recent buyer of all.
    """
    if days_since_last_order is not None:
        return days_since_last_order if days_since_last_order >= 0 else None
    last = as_date(last_order_date)
    if last is None:
        latest = latest_item(transactions, as_of)
        last = latest[0] if latest else None
    if last is None or last > as_of:
        return None
    return (as_of - last).days


def frequency_12m(orders_12m: int | None, transactions: Items, as_of: date) -> int | None:
    """Orders in the last 12 months: the fact, else the transactions in the window."""
    if orders_12m is not None:
        return orders_12m
    if transactions is None:
        return None
    return len(_in_window(transactions, as_of))


def monetary_12m(revenue_12m: Number | None, transactions: Items, as_of: date) -> Number | None:
    """Revenue in the last 12 months: the fact, else the sum of transaction amounts in the
    window (items without a numeric ``amount`` add nothing)."""
    if revenue_12m is not None:
        return revenue_12m
    if transactions is None:
        return None
    amounts = (as_number(item.get("amount")) for item in _in_window(transactions, as_of))
    return sum(a for a in amounts if a is not None)


def tenure_years(
    years_as_customer: Number | None,
    customer_since: date | None,
    first_order_date: date | None,
    transactions: Items,
    as_of: date,
) -> Number | None:
    """Years as a customer: the fact, else from ``customer_since``, ``first_order_date`` or
    the first transaction, whichever is found first."""
    if years_as_customer is not None:
        return years_as_customer
    start = as_date(customer_since) or as_date(first_order_date)
    if start is None:
        start = min((when for when, _ in dated_items(transactions, as_of)), default=None)
    return None if start is None else (as_of - start).days / DAYS_PER_YEAR


def margin_rate(
    gross_margin: Number | None, gross_profit_12m: Number | None, revenue_12m: Number | None
) -> Number | None:
    """Gross margin as a ratio: the fact, else profit / revenue (missing without revenue)."""
    if gross_margin is not None:
        return gross_margin
    if gross_profit_12m is None or not revenue_12m:
        return None
    return gross_profit_12m / revenue_12m


def wallet_share(
    share_of_wallet: Number | None,
    revenue: Number | None,
    wallet_estimate: Number | None,
    wallet_estimates: Items,
    as_of: date,
) -> Number | None:
    """Share of wallet: the fact, else revenue over the customer's estimated spend in the
    category (the ``wallet_estimate`` fact, else the latest ``wallet_estimates`` entry)."""
    if share_of_wallet is not None:
        return share_of_wallet
    wallet = as_number(wallet_estimate)
    if wallet is None:
        latest = latest_item(wallet_estimates, as_of)
        wallet = as_number(latest[1].get("amount")) if latest else None
    if revenue is None or not wallet:
        return None
    return revenue / wallet


def _nps_score(value: object) -> int | None:
    score = as_number(value)
    if score is None or not math.isfinite(score) or score != int(score) or not 0 <= score <= 10:
        return None
    return int(score)


def nps_latest(nps: int | None, survey_responses: Items, as_of: date) -> int | None:
    """The latest NPS answer (0..10): the fact, else the latest survey response of kind
    ``nps``. Answers outside 0..10 are not NPS answers and are ignored."""
    if nps is not None:
        return nps
    nps_responses = [
        item
        for item in survey_responses or ()
        if isinstance(item, Mapping)
        and str(item.get("kind", "")).lower() == "nps"
        and _nps_score(item.get("score")) is not None
    ]
    latest = latest_item(nps_responses, as_of)
    return None if latest is None else _nps_score(latest[1].get("score"))


def open_ticket_count(open_tickets: int | None, support_tickets: Items, as_of: date) -> int | None:
    """Open support tickets: the fact, else the tickets open on ``as_of`` (opened by then, or
    undated, and not ``closed`` by then)."""
    if open_tickets is not None:
        return open_tickets
    if support_tickets is None:
        return None
    count = 0
    for ticket in support_tickets:
        if not isinstance(ticket, Mapping):
            continue
        opened = as_date(ticket.get("opened"))
        closed = as_date(ticket.get("closed"))
        if (opened is None or opened <= as_of) and (closed is None or closed > as_of):
            count += 1
    return count


def _detractor(nps: int) -> bool:
    return nps <= 6


def quintiles(column: Sequence[Any], *, lower_is_better: bool = False) -> list[int | None]:
    """Quintile scores 1..5 over the present values, 5 the best; missing stays missing.

    The score is ``1 + floor(5 * p)`` where ``p`` is the share of accounts strictly worse
    (strictly below the value, or above it when lower is better). Equal values always share a
    score, the lowest their block reaches: the many members with no order at all score 1, not
    2, and one account alone, better than nobody, scores 1 too. The result depends on nothing
    but the values.
    """
    values = [None if v is None else -v for v in column] if lower_is_better else list(column)
    present = sorted(v for v in values if v is not None)
    n = len(present)
    return [None if v is None else 1 + RFM_LEVELS * bisect_left(present, v) // n for v in values]


def _rfm_r(column: Sequence[Any]) -> list[int | None]:
    return quintiles(column, lower_is_better=True)


def _rfm_fm(column: Sequence[Any]) -> list[int | None]:
    return quintiles(column)


def _rfm_code(r: int, f: int, m: int) -> str:
    return f"{r}{f}{m}"


def _label(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


_RATIO = "ratio"
_METRICS: tuple[Metric, ...] = (
    Metric(
        "growth",
        pct_change,
        ("revenue_prev_12m", "revenue_12m"),
        _RATIO,
        doc="Revenue growth over the previous 12 months: (revenue_12m - prev) / prev.",
        label=_label("Revenue growth", "收入增长率"),
    ),
    Metric(
        "recency_days",
        recency_days,
        ("days_since_last_order", "last_order_date", "transactions", "as_of"),
        "integer",
        unit="days",
        doc="Days since the last order.",
        label=_label("Days since last order", "距上次下单天数"),
        handles_missing=True,
    ),
    Metric(
        "frequency_12m",
        frequency_12m,
        ("orders_12m", "transactions", "as_of"),
        "integer",
        doc="Orders in the 12 months up to as_of.",
        label=_label("Orders in 12 months", "近12个月订单数"),
        handles_missing=True,
    ),
    Metric(
        "monetary_12m",
        monetary_12m,
        ("revenue_12m", "transactions", "as_of"),
        "money",
        doc="Revenue in the 12 months up to as_of.",
        label=_label("Revenue in 12 months", "近12个月收入"),
        handles_missing=True,
    ),
    Metric(
        "tenure_years",
        tenure_years,
        ("years_as_customer", "customer_since", "first_order_date", "transactions", "as_of"),
        "number",
        unit="years",
        doc="Years as a customer.",
        label=_label("Customer tenure", "合作年限"),
        handles_missing=True,
    ),
    Metric(
        "margin_rate",
        margin_rate,
        ("gross_margin", "gross_profit_12m", "revenue_12m"),
        _RATIO,
        doc="Gross margin as a ratio of revenue.",
        label=_label("Gross margin rate", "毛利率"),
        handles_missing=True,
    ),
    Metric(
        "wallet_share",
        wallet_share,
        ("share_of_wallet", "monetary_12m", "wallet_estimate", "wallet_estimates", "as_of"),
        _RATIO,
        doc="Our revenue over the customer's estimated spend in the category.",
        label=_label("Share of wallet", "钱包份额"),
        handles_missing=True,
    ),
    Metric(
        "nps_latest",
        nps_latest,
        ("nps", "survey_responses", "as_of"),
        "integer",
        doc="The latest Net Promoter answer, 0..10.",
        label=_label("Latest NPS answer", "最近NPS评分"),
        handles_missing=True,
    ),
    Metric(
        "open_ticket_count",
        open_ticket_count,
        ("open_tickets", "support_tickets", "as_of"),
        "integer",
        doc="Support tickets open on as_of.",
        label=_label("Open support tickets", "未关闭工单数"),
        handles_missing=True,
    ),
    Metric(
        "detractor",
        _detractor,
        ("nps_latest",),
        "boolean",
        doc="The latest NPS answer is 6 or less.",
        label=_label("NPS detractor", "NPS贬损者"),
    ),
    Metric(
        "rfm_r",
        _rfm_r,
        ("recency_days",),
        "integer",
        doc="Recency quintile over the portfolio: 5 for the most recent buyers.",
        label=_label("RFM recency score", "RFM最近购买得分"),
        portfolio=True,
    ),
    Metric(
        "rfm_f",
        _rfm_fm,
        ("frequency_12m",),
        "integer",
        doc="Frequency quintile over the portfolio: 5 for the most orders.",
        label=_label("RFM frequency score", "RFM购买频率得分"),
        portfolio=True,
    ),
    Metric(
        "rfm_m",
        _rfm_fm,
        ("monetary_12m",),
        "integer",
        doc="Monetary quintile over the portfolio: 5 for the most revenue.",
        label=_label("RFM monetary score", "RFM购买金额得分"),
        portfolio=True,
    ),
    Metric(
        "rfm_code",
        _rfm_code,
        ("rfm_r", "rfm_f", "rfm_m"),
        "string",
        doc='The three RFM scores as one code, e.g. "545".',
        label=_label("RFM code", "RFM编码"),
    ),
)


@hookimpl
def kamcore_register_metrics(register: Callable[[Metric], None]) -> None:
    """Register the built-in metrics."""
    for metric in _METRICS:
        register(metric)
