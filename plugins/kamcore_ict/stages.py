"""The relationship stage model ``ict_relationship``: contact -> trust -> partnership ->
strategic alliance, with ``at_risk`` reachable from every established stage.

Stages describe the relationship, not the revenue: a customer buying a lot through a tender we
barely won is still at ``contact`` if nobody in its decision chain supports us. The guards read
the pack's metrics (decision-chain support, share of wallet and its trend, the departure of a
key decision maker, a signed strategic agreement) and kamcore's ``tenure_years`` and
``monetary_12m``. Every guard handles missing values with ``coalesce``, since comparing a missing
value would fail the account.

Against flapping, entry and exit thresholds differ (``at_risk`` below 20 % support, recovered
only at 40 %; alliance entered at 50 % share of wallet, left below 40 %), and moves backwards or
out of ``at_risk`` need the guard to hold on two evaluations in a row. Transitions are listed
most urgent first: the order a policy checks them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from kamcore import StageModel

__all__ = ["ICT_RELATIONSHIP", "STAGES"]

#: The stages, in lifecycle order.
STAGES: Final = ("contact", "trust", "partnership", "strategic_alliance", "at_risk")
_ESTABLISHED: Final = ["trust", "partnership", "strategic_alliance"]

_SUPPORT = "coalesce(ict.decision_chain_support, 0)"
_SHARE = "coalesce(wallet_share, 0)"
_DM_LEFT = "coalesce(ict.key_dm_left_recently, False)"

_TRANSITIONS: Final[tuple[Mapping[str, Any], ...]] = (
    {
        "id": "slip",
        "from": _ESTABLISHED,
        "to": "at_risk",
        "when": f"{_DM_LEFT} or coalesce(ict.sow_change, 0) <= -0.1"
        " or coalesce(ict.decision_chain_support, 1) < 0.2",
        "label": "A key decision maker left, share fell 10 points, or support collapsed",
    },
    {
        "id": "recover",
        "from": ["at_risk"],
        "to": "trust",
        "when": f"not {_DM_LEFT} and coalesce(ict.sow_change, 0) > -0.05 and {_SUPPORT} >= 0.4",
        "consecutive": 2,
        "label": "Support rebuilt and share stable for two evaluations",
    },
    {
        "id": "build_trust",
        "from": ["contact"],
        "to": "trust",
        "when": f"coalesce(monetary_12m, 0) > 0 and {_SUPPORT} >= 0.3",
        "label": "We do business and hold 30 % of the decision chain's influence",
    },
    {
        "id": "partner",
        "from": ["trust"],
        "to": "partnership",
        "when": f"{_SHARE} >= 0.3 and {_SUPPORT} >= 0.5 and coalesce(tenure_years, 0) >= 2",
        "label": "A third of the wallet, half the influence, two years together",
    },
    {
        "id": "ally",
        "from": ["partnership"],
        "to": "strategic_alliance",
        "when": f"coalesce(ict.strategic_agreement, False) and {_SUPPORT} >= 0.7"
        f" and {_SHARE} >= 0.5",
        "label": "A strategic agreement, strong support and half the wallet",
    },
    {
        "id": "cool",
        "from": ["strategic_alliance"],
        "to": "partnership",
        "when": f"not coalesce(ict.strategic_agreement, False) or {_SHARE} < 0.4",
        "consecutive": 2,
        "label": "The agreement lapsed or share fell below 40 %",
    },
    {
        "id": "drift",
        "from": ["partnership"],
        "to": "trust",
        "when": f"{_SHARE} < 0.2",
        "consecutive": 2,
        "label": "Share of wallet fell below 20 %",
    },
)

ICT_RELATIONSHIP: Final = StageModel(
    name="ict_relationship",
    stages=STAGES,
    initial="contact",
    transitions=_TRANSITIONS,
    doc="ICT key-account relationship: contact, trust, partnership, strategic alliance, with "
    "at-risk reachable from every established stage.",
    label={
        "contact": {"en": "Contact", "zh": "接触"},
        "trust": {"en": "Trust", "zh": "信任"},
        "partnership": {"en": "Partnership", "zh": "合作伙伴"},
        "strategic_alliance": {"en": "Strategic alliance", "zh": "战略联盟"},
        "at_risk": {"en": "At risk", "zh": "风险"},
    },
)
