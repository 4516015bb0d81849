"""The membership lifecycle: visitor -> buyer -> repeat buyer -> loyal member, and lapsed.

Stages follow what the member has done, not what a model predicts, so a CRM team can explain
every move to the member: registered but never bought (``visitor``), bought once (``buyer``),
bought again (``repeat_buyer``), buys regularly (``loyal_member``: at least
``loyal_orders_12m`` orders in 12 months), silent for more than ``lapse_days`` (``lapsed``).

Loyalty has hysteresis so that it does not flap with one slow month: it is entered at
``loyal_orders_12m`` orders but left only below ``loyal_exit_orders_12m``, two evaluations in a
row. A lapsed member who buys again (within ``reactivate_days``) comes back as a repeat buyer:
with the earlier purchases, they have bought more than once. Thresholds come from
``[config.kamcore_membership]`` and are written into the transition conditions, which the
explanation of a move then shows.
"""

from __future__ import annotations

from typing import Any

from kamcore import StageModel

from .config import Settings

__all__ = ["STAGES", "stage_model"]

STAGES: tuple[str, ...] = ("visitor", "buyer", "repeat_buyer", "loyal_member", "lapsed")

_LABELS = {
    "visitor": {"en": "Visitor", "zh": "访客"},
    "buyer": {"en": "Buyer", "zh": "首购会员"},
    "repeat_buyer": {"en": "Repeat buyer", "zh": "复购会员"},
    "loyal_member": {"en": "Loyal member", "zh": "忠诚会员"},
    "lapsed": {"en": "Lapsed", "zh": "流失会员"},
}


def _transitions(s: Settings) -> tuple[dict[str, Any], ...]:
    silent = "coalesce(membership.days_since_purchase, 0)"
    orders = "coalesce(frequency_12m, 0)"
    return (
        {
            "id": "lapse",
            "from": ["buyer", "repeat_buyer", "loyal_member"],
            "to": "lapsed",
            "when": f"{silent} > {s.lapse_days}",
            "label": {"en": "No purchase for too long", "zh": "长期未购买"},
        },
        {
            "id": "reactivate",
            "from": ["lapsed"],
            "to": "repeat_buyer",
            "when": f"membership.days_since_purchase is not None and "
            f"membership.days_since_purchase <= {s.reactivate_days}",
            "label": {"en": "Bought again after lapsing", "zh": "流失后回购"},
        },
        {
            "id": "first_purchase",
            "from": ["visitor"],
            "to": "buyer",
            "when": "membership.purchases >= 1",
            "label": {"en": "First purchase", "zh": "首次购买"},
        },
        {
            "id": "repeat_purchase",
            "from": ["buyer"],
            "to": "repeat_buyer",
            "when": "membership.purchases >= 2",
            "label": {"en": "Second purchase", "zh": "二次购买"},
        },
        {
            "id": "become_loyal",
            "from": ["repeat_buyer"],
            "to": "loyal_member",
            "when": f"{orders} >= {s.loyal_orders_12m}",
            "label": {"en": "Buys regularly", "zh": "稳定复购"},
        },
        {
            "id": "cool_down",
            "from": ["loyal_member"],
            "to": "repeat_buyer",
            "when": f"{orders} < {s.loyal_exit_orders_12m}",
            "consecutive": 2,
            "label": {"en": "Buys less often", "zh": "购买频次下降"},
        },
    )


def stage_model(settings: Settings) -> StageModel:
    """The ``membership.lifecycle`` stage model for these settings."""
    return StageModel(
        name="membership.lifecycle",
        stages=STAGES,
        initial="visitor",
        transitions=_transitions(settings),
        doc="B2C member lifecycle: visitor, buyer, repeat buyer, loyal member, lapsed.",
        label=_LABELS,
    )
