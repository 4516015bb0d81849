"""The facts a member record can carry, under the ``membership.`` namespace.

A flat export names the columns ``membership.repeat_purchases`` and so on (or a policy maps its
own headers with ``[inputs."membership.repeat_purchases"] column = "复购次数"``); an
account-shaped record puts them under ``attributes["membership"]``. All are optional: the
metrics fall back from the prepared summary to order dates to the ``transactions`` stream, and
the core's own facts (``first_order_date``, ``last_order_date``, ``orders_12m``,
``revenue_12m``, ``revenue_prev_12m``, ``nps``...) are read as they are.
"""

from __future__ import annotations

from kamcore import Fact

__all__ = ["FACTS"]


def _fact(name: str, type_: str, en: str, zh: str, doc: str, unit: str | None = None) -> Fact:
    return Fact(f"membership.{name}", type_, doc=doc, unit=unit, label={"en": en, "zh": zh})


FACTS: tuple[Fact, ...] = (
    _fact(
        "repeat_purchases",
        "integer",
        "Repeat purchases",
        "复购次数",
        "Purchase occasions after the first (x in BG/NBD); same-day orders count once.",
    ),
    _fact(
        "orders_total",
        "integer",
        "Purchase occasions",
        "累计购买次数",
        "All purchase occasions so far, the first included; used when repeat_purchases is "
        "not given.",
    ),
    _fact(
        "recency_weeks",
        "number",
        "Recency (weeks)",
        "末次购买距首购周数",
        "Weeks from the first to the last purchase (t_x in BG/NBD).",
        unit="weeks",
    ),
    _fact(
        "age_weeks",
        "number",
        "Customer age (weeks)",
        "首购至今周数",
        "Weeks from the first purchase to the evaluation date (T in BG/NBD).",
        unit="weeks",
    ),
    _fact(
        "avg_repeat_value",
        "money",
        "Average repeat order value",
        "复购客单价",
        "Mean value of the repeat purchases, the first purchase left out (Gamma-Gamma's m).",
    ),
    _fact(
        "acquisition_cost",
        "money",
        "Acquisition cost",
        "获客成本",
        "What acquiring the member cost (media, first-order subsidy, referral reward).",
    ),
    _fact(
        "channel",
        "string",
        "Acquisition channel",
        "获客渠道",
        "Where the member came from: organic, search, social, livestream, referral, ...",
    ),
    _fact(
        "join_date",
        "date",
        "Membership join date",
        "入会日期",
        "When the member registered; registration before any purchase makes a visitor.",
    ),
    _fact(
        "birthday",
        "date",
        "Birthday",
        "生日",
        "The member's birthday (the year is not used).",
    ),
)
