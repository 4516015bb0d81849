"""Built-in facts: account master data, the pre-aggregated columns of flat exports, and the
dated fact streams.

Declaring them once here gives every policy the same names, types and labels for the data most
KAM inputs carry, so a policy only writes ``[inputs.<fact>]`` to map a differently named column.
Money facts carry no currency here: the policy's ``currency`` supplies it.
"""

from __future__ import annotations

from collections.abc import Callable

from ..hookspecs import hookimpl
from ..registry import Fact
from ..types import Type

__all__ = ["kamcore_register_facts"]

#: A fact stream: a list of dict items, each with its own date field(s).
_LIST = Type("list")


def _fact(
    name: str, type_: Type | str, en: str, zh: str, doc: str, unit: str | None = None
) -> Fact:
    return Fact(name, type_, doc=doc, unit=unit, label={"en": en, "zh": zh})


_MASTER_DATA: tuple[Fact, ...] = (
    _fact("name", "string", "Account name", "客户名称", "The account's display name."),
    _fact(
        "kind",
        "string",
        "Account kind",
        "客户类型",
        "What the relationship is: customer, prospect, partner or former.",
    ),
    _fact("industry", "string", "Industry", "行业", "The account's industry."),
    _fact("region", "string", "Region", "区域", "Sales region the account belongs to."),
    _fact("country", "string", "Country", "国家", "Country, preferably an ISO 3166 code."),
    _fact("currency", "string", "Currency", "币种", "The account's billing currency (ISO 4217)."),
    _fact(
        "parent_id",
        "string",
        "Parent account",
        "上级客户",
        "Id of the parent account in the hierarchy; missing for a top-level account.",
    ),
    _fact(
        "strategic",
        "boolean",
        "Strategic account",
        "战略客户",
        "Flagged as strategic by management, whatever the figures say.",
    ),
)

_FIGURES: tuple[Fact, ...] = (
    _fact(
        "revenue_12m",
        "money",
        "Revenue (12 months)",
        "近12个月收入",
        "Revenue of the last 12 months.",
    ),
    _fact(
        "revenue_prev_12m",
        "money",
        "Revenue (previous 12 months)",
        "上一个12个月收入",
        "Revenue of the 12 months before the last 12, the base of growth.",
    ),
    _fact(
        "gross_profit_12m",
        "money",
        "Gross profit (12 months)",
        "近12个月毛利",
        "Gross profit of the last 12 months.",
    ),
    _fact(
        "wallet_estimate",
        "money",
        "Wallet estimate",
        "钱包规模估计",
        "Estimated yearly spend of the customer in our category, ours and competitors'.",
    ),
    _fact(
        "gross_margin",
        "ratio",
        "Gross margin",
        "毛利率",
        "Gross profit over revenue, as a ratio (0.32, not 32).",
    ),
    _fact(
        "share_of_wallet",
        "ratio",
        "Share of wallet",
        "钱包份额",
        "Our share of the customer's spend in the category, as a ratio.",
    ),
    _fact("orders_12m", "integer", "Orders (12 months)", "近12个月订单数", "Orders placed."),
    _fact(
        "open_tickets", "integer", "Open tickets", "未关闭工单数", "Support tickets currently open."
    ),
    _fact(
        "nps",
        "integer",
        "NPS answer",
        "NPS评分",
        "The latest answer to 'how likely are you to recommend us', 0..10.",
    ),
    _fact(
        "days_since_last_order",
        "integer",
        "Days since last order",
        "距上次下单天数",
        "Days since the last order, as exported (otherwise derived from dates).",
        unit="days",
    ),
    _fact(
        "years_as_customer",
        "number",
        "Years as customer",
        "合作年限",
        "How long the account has been a customer.",
        unit="years",
    ),
    _fact(
        "last_order_date", "date", "Last order date", "最近下单日期", "Date of the latest order."
    ),
    _fact(
        "first_order_date", "date", "First order date", "首次下单日期", "Date of the first order."
    ),
    _fact(
        "customer_since",
        "date",
        "Customer since",
        "成为客户日期",
        "When the relationship started (contract or account opening).",
    ),
)

#: The fact streams and the fields of their items (kamcore.models.account.STREAM_MODELS).
_STREAMS: dict[str, tuple[str, str, str]] = {
    "transactions": (
        "Transactions",
        "交易记录",
        "Orders and sales: {date, amount, currency, quantity, product}.",
    ),
    "contracts": (
        "Contracts",
        "合同",
        "Contracts and subscriptions: {id, start, end, value, currency, status}.",
    ),
    "opportunities": (
        "Opportunities",
        "商机",
        "Sales pipeline: {id, stage, amount, close_date, probability, won}.",
    ),
    "contacts": (
        "Contacts",
        "联系人",
        "People at the customer: {id, name, title, buying_role, influence, attitude, active, "
        "left_on}.",
    ),
    "interactions": (
        "Interactions",
        "互动记录",
        "Visits, calls, meetings and messages: {date, channel, kind, note}.",
    ),
    "survey_responses": (
        "Survey responses",
        "调查反馈",
        "Survey answers: {date, kind (nps, csat, ces, other), score, comment}.",
    ),
    "support_tickets": (
        "Support tickets",
        "支持工单",
        "Tickets: {id, opened, closed, priority, status}; open until closed.",
    ),
    "usage": ("Product usage", "产品使用", "Usage measurements: {date, metric, value}."),
    "payments": (
        "Payments",
        "付款记录",
        "Invoices and their payment: {invoice, due, paid_on, amount, currency}.",
    ),
    "wallet_estimates": (
        "Wallet estimates",
        "钱包规模估计记录",
        "Estimates of the customer's total category spend: {date, amount, currency}.",
    ),
}


#: The account's team on our side (Account.owners and Account.team), as lists like the streams.
_TEAM: dict[str, tuple[str, str, str]] = {
    "owners": (
        "Account owners",
        "客户负责人",
        "Who on our side owns the account: {role, name, email} per person.",
    ),
    "team": ("Account team", "客户团队", "Everyone on our side working the account (names)."),
}


def _facts() -> tuple[Fact, ...]:
    streams = tuple(_fact(name, _LIST, *text) for name, text in _STREAMS.items())
    team = tuple(_fact(name, _LIST, *text) for name, text in _TEAM.items())
    return (*_MASTER_DATA, *_FIGURES, *team, *streams)


@hookimpl
def kamcore_register_facts(register: Callable[[Fact], None]) -> None:
    """Register the built-in facts."""
    for fact in _facts():
        register(fact)
