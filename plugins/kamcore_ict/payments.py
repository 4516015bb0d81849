"""Payment milestones: how much of what the customer owes us is overdue, and for how long.

A project is paid by milestones (advance, delivery, preliminary and final acceptance), and an
overdue milestone is rarely about money alone: acceptance is stuck, a sponsor has cooled, or the
customer's budget moved. So it is both a churn signal and a job for the account team. Flat
exports give the overdue amount and the age of the oldest overdue milestone; otherwise both come
from kamcore's ``payments`` stream (``due``, ``paid_on``, ``amount``). A milestone is overdue on
``as_of`` when it fell due before that day and was not paid by then.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from kamcore import Fact, Metric

from ._spec import fact, metric
from ._values import Items, as_date, as_number, items_of
from .config import IctConfig

__all__ = [
    "oldest_overdue_days",
    "overdue_items",
    "overdue_total",
    "payment_facts",
    "payment_metrics",
]


def overdue_items(payments: Items, as_of: date) -> Iterator[tuple[date, float | int]]:
    """``(due, amount)`` of each milestone overdue on ``as_of``: due before it and unpaid by
    then (a payment recorded after ``as_of`` had not happened yet)."""
    for item in items_of(payments):
        due = as_date(item.get("due"))
        amount = as_number(item.get("amount"))
        if due is None or amount is None or due >= as_of:
            continue
        paid = as_date(item.get("paid_on"))
        if paid is None or paid > as_of:
            yield due, amount


def overdue_total(given: Any, payments: Items, as_of: date) -> float | int | None:
    """The overdue milestone amount: the exported figure, else the stream's overdue items."""
    value = as_number(given)
    if value is not None:
        return value
    if payments is None:
        return None
    return sum(amount for _, amount in overdue_items(payments, as_of))


def oldest_overdue_days(given: Any, payments: Items, as_of: date) -> int | None:
    """Days the oldest overdue milestone is past its due date (0 when nothing is overdue): the
    exported figure, else from the stream."""
    value = as_number(given)
    if value is not None:
        return int(value)
    if payments is None:
        return None
    return max(((as_of - due).days for due, _ in overdue_items(payments, as_of)), default=0)


def payment_facts(cfg: IctConfig) -> tuple[Fact, ...]:
    """The flat-export figures of overdue milestones."""
    del cfg  # the same facts under every configuration
    return (
        fact(
            "ict.overdue_amount",
            "money",
            "Overdue milestone amount",
            "逾期回款金额",
            "Amount of payment milestones past due and unpaid, as exported.",
        ),
        fact(
            "ict.days_overdue",
            "integer",
            "Days overdue (oldest milestone)",
            "最长逾期天数",
            "Days the oldest overdue payment milestone is past due, as exported (0: none).",
            unit="days",
        ),
    )


def payment_metrics(cfg: IctConfig) -> tuple[Metric, ...]:
    """``ict.overdue_total`` and ``ict.oldest_overdue_days``."""
    del cfg  # the same metrics under every configuration
    return (
        metric(
            "ict.overdue_total",
            overdue_total,
            ("ict.overdue_amount", "payments", "as_of"),
            "money",
            "Overdue milestones",
            "逾期回款",
            "Amount of payment milestones due before as_of and not paid by then.",
            handles_missing=True,
        ),
        metric(
            "ict.oldest_overdue_days",
            oldest_overdue_days,
            ("ict.days_overdue", "payments", "as_of"),
            "integer",
            "Oldest overdue milestone (days)",
            "最长逾期天数",
            "Days the oldest overdue milestone is past due on as_of; 0 when none is.",
            unit="days",
            handles_missing=True,
        ),
    )
