"""The typed facts a B2B subscription account carries, all under the ``saas.`` namespace.

Flat exports (a billing system's ARR report joined with product analytics and the CRM) supply
them as columns named like the fact (``saas.arr``); account-shaped documents put them under
``attributes["saas"]``. The built-in vocabulary already covers NPS (``nps`` and the
``survey_responses`` stream), open tickets (``open_tickets`` and the ``support_tickets``
stream), the ``strategic`` flag, ``customer_since`` and the ``contracts`` and ``usage`` streams:
the pack reads those and does not declare them again.

Money facts carry no currency: the policy's ``currency`` supplies it. Movements of ARR
(expansion, contraction, churn) are positive amounts; the metrics subtract what must be
subtracted, and a negative movement makes NRR and GRR missing rather than guessing its sign.
Counts and ages (licences, users, usage, P1 tickets) are never negative: a negative value is
read as an empty cell.
"""

from __future__ import annotations

from kamcore import Fact

__all__ = ["FACTS", "label"]


def label(en: str, zh: str) -> dict[str, str]:
    """Display labels in the two languages every pack name carries."""
    return {"en": en, "zh": zh}


def _fact(name: str, type_: str, en: str, zh: str, doc: str, unit: str | None = None) -> Fact:
    return Fact(f"saas.{name}", type_, doc=doc, unit=unit, label=label(en, zh))


_REVENUE: tuple[Fact, ...] = (
    _fact(
        "arr",
        "money",
        "ARR",
        "年度经常性收入",
        "Annual recurring revenue today: the yearly value of the subscriptions in force.",
    ),
    _fact(
        "arr_prev_12m",
        "money",
        "ARR 12 months ago",
        "12个月前的年度经常性收入",
        "ARR of the account on the same day a year earlier; the base of ARR growth.",
    ),
    _fact(
        "mrr",
        "money",
        "MRR",
        "月度经常性收入",
        "Monthly recurring revenue; ARR is taken as 12 x MRR when ARR itself is not given.",
    ),
    _fact(
        "starting_arr",
        "money",
        "Starting ARR (12-month cohort)",
        "期初年度经常性收入",
        "ARR at the start of the trailing 12-month window that NRR and GRR measure; "
        "saas.arr_prev_12m when not given.",
    ),
    _fact(
        "expansion_arr",
        "money",
        "Expansion ARR (12 months)",
        "近12个月扩展收入",
        "ARR added over the last 12 months by upsell, cross-sell and price increases "
        "(a positive amount; a negative one makes NRR and GRR missing).",
    ),
    _fact(
        "contraction_arr",
        "money",
        "Contraction ARR (12 months)",
        "近12个月收缩收入",
        "ARR lost over the last 12 months by downgrades and seat reductions, the customer "
        "staying (a positive amount; a negative one makes NRR and GRR missing).",
    ),
    _fact(
        "churned_arr",
        "money",
        "Churned ARR (12 months)",
        "近12个月流失收入",
        "ARR lost over the last 12 months by cancelled subscriptions (a positive amount; a "
        "negative one makes NRR and GRR missing).",
    ),
    _fact(
        "potential_arr",
        "money",
        "Potential ARR (3 years)",
        "三年潜在年度经常性收入",
        "Estimated ARR the account could reach within three years (seats and products it "
        "could buy); identifies accounts to develop before they are large.",
    ),
)

_ADOPTION: tuple[Fact, ...] = (
    _fact(
        "licences",
        "integer",
        "Licences purchased",
        "已购许可数",
        "Seats or licences the customer pays for.",
    ),
    _fact(
        "active_users",
        "integer",
        "Active users",
        "活跃用户数",
        "Distinct users active in the product over the last 30 days.",
    ),
    _fact(
        "usage",
        "number",
        "Usage this period",
        "本期使用量",
        "Product usage this period (weekly active users or a usage index); compared with "
        "saas.usage_prev for the usage trend.",
    ),
    _fact(
        "usage_prev",
        "number",
        "Usage previous period",
        "上期使用量",
        "The same usage measure for the period before.",
    ),
    _fact(
        "feature_adoption",
        "ratio",
        "Feature adoption",
        "功能采用率",
        "Share of the product's core features the customer uses, 0 to 1.",
    ),
    _fact(
        "go_live_date",
        "date",
        "Go-live date",
        "上线日期",
        "When the customer went live on the product; onboarding ends there.",
    ),
)

_SUPPORT: tuple[Fact, ...] = (
    _fact(
        "open_p1_tickets",
        "integer",
        "Open P1 tickets",
        "未关闭P1工单数",
        "Open tickets of the highest priority; counted from support_tickets when not given.",
    ),
    _fact(
        "oldest_p1_days",
        "integer",
        "Age of the oldest open P1 ticket",
        "最早未关闭P1工单天数",
        "Days the oldest open P1 ticket has been open; empty when no P1 ticket is open "
        "(ignored when saas.open_p1_tickets is 0).",
        unit="days",
    ),
)

_CONTRACT: tuple[Fact, ...] = (
    _fact(
        "renewal_date",
        "date",
        "Renewal date",
        "续约日期",
        "When the current subscription term ends and must be renewed; the end of the latest "
        "contract of the contracts stream when not given.",
    ),
    _fact(
        "contract_start_date",
        "date",
        "Contract start date",
        "首次签约日期",
        "Start of the first subscription contract: tenure counts from here (no tenure while "
        "it is in the future).",
    ),
    _fact(
        "renewal_signed",
        "boolean",
        "Renewal signed",
        "已签续约",
        "The renewal of the current term is signed (closed won), even if the renewal date "
        "has not moved on yet in the export.",
    ),
)

_HEALTH: tuple[Fact, ...] = (
    _fact(
        "csm_sentiment",
        "integer",
        "CSM sentiment",
        "客户成功经理评估",
        "The customer success manager's judgement of the relationship, 1 (poor) to 5 "
        "(excellent): what the figures do not show.",
    ),
    _fact(
        "reference_account",
        "boolean",
        "Reference customer",
        "标杆客户",
        "The customer agreed to act as a reference, case study or speaker: advocacy.",
    ),
)

#: Every fact the pack declares, in documentation order.
FACTS: tuple[Fact, ...] = (*_REVENUE, *_ADOPTION, *_SUPPORT, *_CONTRACT, *_HEALTH)
