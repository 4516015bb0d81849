"""The account as kamcore reads it: slow-changing master data plus append-only dated fact streams.

This model is the *documented* input shape (``schemas/account.schema.json`` is generated from
it). The evaluation hot path never builds it: :mod:`kamcore.runtime.inputs` reads the same shape
from plain dicts with a light check. Callers who want the full validation (an import job, an
API boundary) call :meth:`Account.model_validate` themselves.

Every stream item carries a date because verdicts must be reproducible "as of" a day: a metric
over the last twelve months needs to know when each transaction happened.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "STREAM_MODELS",
    "Account",
    "AccountKind",
    "Attitude",
    "BuyingRole",
    "Contact",
    "Contract",
    "Interaction",
    "Opportunity",
    "Owner",
    "Payment",
    "SupportTicket",
    "SurveyResponse",
    "Transaction",
    "UsageRecord",
    "WalletEstimate",
]

#: What the relationship is; ``former`` accounts stay in the book for win-back rules.
AccountKind = Literal["customer", "prospect", "partner", "former"]
#: A contact's part in the customer's buying decision (decision-chain coverage).
BuyingRole = Literal[
    "decision_maker",
    "influencer",
    "user",
    "gatekeeper",
    "champion",
    "economic_buyer",
    "technical_buyer",
]
#: A contact's stance towards us.
Attitude = Literal["supporter", "neutral", "opponent", "unknown"]

_CURRENCY = r"^[A-Z]{3}$"
_CURRENCY_DOC = "ISO 4217 currency code (e.g. CNY); when absent, the account's currency."


class _Strict(BaseModel):
    # A typo in an input field must be an error, not a silently dropped value.
    model_config = ConfigDict(extra="forbid")


class Owner(_Strict):
    """A person on our side responsible for the account in some role."""

    role: str = Field(description="The role, e.g. account_manager, solution, fulfilment.")
    name: str = Field(description="The person's name.")
    email: str | None = Field(default=None, description="Contact e-mail address.")


class Transaction(_Strict):
    """One order, invoice line or sale: what revenue and order-lapse metrics are built from."""

    date: dt.date = Field(description="When the transaction happened.")
    amount: float = Field(description="Its value (negative for a credit note).")
    currency: str | None = Field(default=None, pattern=_CURRENCY, description=_CURRENCY_DOC)
    quantity: float | None = Field(default=None, description="Units sold, if known.")
    product: str | None = Field(default=None, description="Product or product line.")


class Contract(_Strict):
    """A contract or subscription: renewal windows and contracted value come from here."""

    id: str = Field(min_length=1, description="The contract's identifier.")
    start: dt.date = Field(description="First day the contract is in force.")
    end: dt.date | None = Field(default=None, description="Last day, if it has one.")
    value: float = Field(description="Contracted value over the contract's term.")
    currency: str | None = Field(default=None, pattern=_CURRENCY, description=_CURRENCY_DOC)
    status: str = Field(description="Status as the source system states it (active, ended...).")


class Opportunity(_Strict):
    """A sales opportunity: pipeline, win rate and expansion metrics come from here."""

    id: str = Field(min_length=1, description="The opportunity's identifier.")
    stage: str = Field(description="Pipeline stage as the CRM names it.")
    amount: float = Field(description="Expected value.")
    close_date: dt.date | None = Field(default=None, description="Expected or actual close date.")
    probability: float | None = Field(
        default=None, ge=0, le=1, description="Probability of winning, 0 to 1."
    )
    won: bool | None = Field(
        default=None, description="True if won, False if lost, absent while open."
    )


class Contact(_Strict):
    """A person at the customer: decision-chain coverage and key-contact-left alerts."""

    id: str | None = Field(default=None, description="The contact's identifier, if any.")
    name: str = Field(description="The person's name.")
    title: str | None = Field(default=None, description="Job title.")
    buying_role: BuyingRole = Field(description="The part this person plays in buying.")
    influence: int = Field(ge=1, le=5, description="Influence on the decision, 1 (low) to 5.")
    attitude: Attitude = Field(default="unknown", description="Stance towards us.")
    active: bool = Field(default=True, description="Still in post and reachable.")
    left_on: dt.date | None = Field(default=None, description="When the person left, if so.")


class Interaction(_Strict):
    """A visit, call, meeting or message: contact frequency for the emotional dimension."""

    date: dt.date = Field(description="When it happened.")
    channel: str = Field(description="visit, call, email, meeting, event, ...")
    kind: str | None = Field(default=None, description="Purpose (QBR, complaint, training...).")
    note: str | None = Field(default=None, description="Free text.")


class SurveyResponse(_Strict):
    """A satisfaction survey answer (NPS, CSAT, CES)."""

    date: dt.date = Field(description="When it was answered.")
    kind: Literal["nps", "csat", "ces", "other"] = Field(description="The survey type.")
    score: float = Field(description="The score on the survey's own scale (NPS: 0 to 10).")
    comment: str | None = Field(default=None, description="Verbatim comment.")


class SupportTicket(_Strict):
    """A support ticket: support load and escalation alerts."""

    id: str = Field(min_length=1, description="The ticket's identifier.")
    opened: dt.date = Field(description="When it was opened.")
    closed: dt.date | None = Field(default=None, description="When it was closed, if it was.")
    priority: Literal["p1", "p2", "p3", "p4"] = Field(description="p1 is the most urgent.")
    status: str = Field(description="Status as the helpdesk states it.")


class UsageRecord(_Strict):
    """One product-usage measurement (active users, API calls, licences used...)."""

    date: dt.date = Field(description="The day (or period start) measured.")
    metric: str = Field(description="What was measured, e.g. active_users.")
    value: float = Field(description="The measured value.")


class Payment(_Strict):
    """An invoice and its payment: DSO and overdue alerts."""

    invoice: str | None = Field(default=None, description="Invoice number.")
    due: dt.date = Field(description="Due date.")
    paid_on: dt.date | None = Field(default=None, description="When it was paid; absent if not.")
    amount: float = Field(description="Invoiced amount.")
    currency: str | None = Field(default=None, pattern=_CURRENCY, description=_CURRENCY_DOC)


class WalletEstimate(_Strict):
    """An estimate of the customer's total spend in our category, for share of wallet."""

    date: dt.date = Field(description="When the estimate was made.")
    amount: float = Field(description="The estimated total category spend.")
    currency: str | None = Field(default=None, pattern=_CURRENCY, description=_CURRENCY_DOC)


class Account(_Strict):
    """A customer account.

    Master data, free attributes namespaced by plugin, flat pre-aggregated facts and dated fact
    streams. Most real inputs are flat exports; this is the richer shape they can grow into.
    """

    id: str = Field(min_length=1, description="The account's identifier; unique in a portfolio.")
    name: str | None = Field(default=None, description="Display name.")
    parent_id: str | None = Field(
        default=None, description="The parent account's id, for hierarchy roll-ups."
    )
    kind: AccountKind = Field(default="customer", description="What the relationship is.")
    industry: str | None = Field(default=None, description="Industry, as the policy labels it.")
    region: str | None = Field(default=None, description="Sales region.")
    country: str | None = Field(default=None, description="Country (ISO 3166 code advised).")
    currency: str | None = Field(
        default=None, pattern=_CURRENCY, description="The account's ISO 4217 currency code."
    )
    external_ids: dict[str, str] = Field(
        default_factory=dict, description="Ids in other systems, by system name (crm, erp...)."
    )
    owners: list[Owner] = Field(default_factory=list, description="Who on our side owns it.")
    team: list[str] = Field(default_factory=list, description="Names of the account team.")
    attributes: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description='Free attributes namespaced by plugin: {"retail": {"weighted_distribution":'
        " 0.7}} is read as the fact retail.weighted_distribution.",
    )
    facts: dict[str, Any] = Field(
        default_factory=dict,
        description="Flat pre-aggregated facts by name (revenue_12m, ...).",
    )
    transactions: list[Transaction] = Field(default_factory=list, description="Orders and sales.")
    contracts: list[Contract] = Field(default_factory=list, description="Contracts.")
    opportunities: list[Opportunity] = Field(default_factory=list, description="Pipeline.")
    contacts: list[Contact] = Field(default_factory=list, description="People at the customer.")
    interactions: list[Interaction] = Field(
        default_factory=list, description="Visits, calls, meetings."
    )
    survey_responses: list[SurveyResponse] = Field(
        default_factory=list, description="NPS, CSAT and CES answers."
    )
    support_tickets: list[SupportTicket] = Field(
        default_factory=list, description="Support tickets."
    )
    usage: list[UsageRecord] = Field(default_factory=list, description="Product usage.")
    payments: list[Payment] = Field(default_factory=list, description="Invoices and payments.")
    wallet_estimates: list[WalletEstimate] = Field(
        default_factory=list, description="Estimates of total category spend."
    )


#: Every dated fact stream of :class:`Account`, by field name, with the model of its items.
#: :mod:`kamcore.runtime.inputs` derives its light per-item check from these models, so the
#: documented shape and the hot-path reader cannot drift apart.
STREAM_MODELS: Final[dict[str, type[BaseModel]]] = {
    "transactions": Transaction,
    "contracts": Contract,
    "opportunities": Opportunity,
    "contacts": Contact,
    "interactions": Interaction,
    "survey_responses": SurveyResponse,
    "support_tickets": SupportTicket,
    "usage": UsageRecord,
    "payments": Payment,
    "wallet_estimates": WalletEstimate,
}
