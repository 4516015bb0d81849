"""The built-in lifecycle stage model ``b2b_relationship``.

A generic B2B relationship: prospect -> onboarding -> growing -> mature, with at_risk and lapsed
reachable from the active stages. The transitions read only built-in facts and metrics, so the
model works with any input that feeds those. Each condition guards against missing values
(``coalesce``, ``is not None``) because comparing a missing value is an error for the account.

Moves that would flap back and forth use hysteresis: distinct enter and leave thresholds
(at risk below -20 % growth, recovered only at 0 % or better; lapsed after 365 days without an
order, reactivated only within 90) and ``consecutive`` evaluations for the slow-moving ones.
Transitions are listed most urgent first, the order a policy's lifecycle checks them in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..hookspecs import hookimpl
from ..registry import StageModel

__all__ = ["B2B_RELATIONSHIP", "kamcore_register_stage_models"]

_ACTIVE = ["onboarding", "growing", "mature"]

_TRANSITIONS: tuple[Mapping[str, Any], ...] = (
    {
        "id": "lapse",
        "from": [*_ACTIVE, "at_risk"],
        "to": "lapsed",
        "when": "recency_days is not None and recency_days > 365",
    },
    {
        "id": "reactivate",
        "from": ["lapsed"],
        "to": "onboarding",
        "when": "recency_days is not None and recency_days <= 90",
    },
    {
        "id": "first_order",
        "from": ["prospect"],
        "to": "onboarding",
        "when": "recency_days is not None",
    },
    {
        "id": "slip",
        "from": _ACTIVE,
        "to": "at_risk",
        "when": "coalesce(growth, 0) < -0.2 or coalesce(detractor, False)",
    },
    {
        "id": "recover",
        "from": ["at_risk"],
        "to": "growing",
        "when": "coalesce(growth, 0) >= 0 and not coalesce(detractor, False)",
        "consecutive": 2,
    },
    {
        "id": "establish",
        "from": ["onboarding"],
        "to": "growing",
        "when": "coalesce(frequency_12m, 0) >= 3 or coalesce(tenure_years, 0) >= 1",
    },
    {
        "id": "settle",
        "from": ["growing"],
        "to": "mature",
        "when": "coalesce(tenure_years, 0) >= 3 and coalesce(growth, 0) < 0.05",
        "consecutive": 2,
    },
    {
        "id": "reaccelerate",
        "from": ["mature"],
        "to": "growing",
        "when": "coalesce(growth, 0) >= 0.15",
    },
)

B2B_RELATIONSHIP = StageModel(
    name="b2b_relationship",
    stages=("prospect", "onboarding", "growing", "mature", "at_risk", "lapsed"),
    initial="prospect",
    transitions=_TRANSITIONS,
    doc="Generic B2B relationship lifecycle, from prospect to mature, with at-risk and lapsed.",
    label={
        "prospect": {"en": "Prospect", "zh": "潜在客户"},
        "onboarding": {"en": "Onboarding", "zh": "导入期"},
        "growing": {"en": "Growing", "zh": "成长期"},
        "mature": {"en": "Mature", "zh": "成熟期"},
        "at_risk": {"en": "At risk", "zh": "风险期"},
        "lapsed": {"en": "Lapsed", "zh": "流失"},
    },
)


@hookimpl
def kamcore_register_stage_models(register: Callable[[StageModel], None]) -> None:
    """Register ``b2b_relationship``."""
    register(B2B_RELATIONSHIP)
