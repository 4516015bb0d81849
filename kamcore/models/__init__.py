"""Pydantic models of kamcore's documented data shapes: the :class:`Account` it reads and the
:class:`Evaluation` it writes.

They are the single source of ``schemas/account.schema.json`` and
``schemas/evaluation.schema.json`` (regenerate with ``python -m kamcore.models.export``). The
evaluation hot path works on plain dicts of the same shape; the models are for validation at
boundaries and for documentation.
"""

from __future__ import annotations

from .account import (
    STREAM_MODELS,
    Account,
    AccountKind,
    Attitude,
    BuyingRole,
    Contact,
    Contract,
    Interaction,
    Opportunity,
    Owner,
    Payment,
    SupportTicket,
    SurveyResponse,
    Transaction,
    UsageRecord,
    WalletEstimate,
)
from .evaluation import (
    AccountErrorRecord,
    AlertHit,
    Evaluation,
    Fired,
    MeasureContribution,
    PolicyStamp,
    Risk,
    Score,
    StageState,
    TacticHit,
    evaluation_json,
)

__all__ = [
    "STREAM_MODELS",
    "Account",
    "AccountErrorRecord",
    "AccountKind",
    "AlertHit",
    "Attitude",
    "BuyingRole",
    "Contact",
    "Contract",
    "Evaluation",
    "Fired",
    "Interaction",
    "MeasureContribution",
    "Opportunity",
    "Owner",
    "Payment",
    "PolicyStamp",
    "Risk",
    "Score",
    "StageState",
    "SupportTicket",
    "SurveyResponse",
    "TacticHit",
    "Transaction",
    "UsageRecord",
    "WalletEstimate",
    "evaluation_json",
]
