"""The ``retail_listing`` lifecycle: listing -> ramp-up -> established -> at risk -> delisted.

A supplier's relationship with a chain follows its listings. A new listing is agreed
(``listing``), the products reach the stores and distribution builds up (``ramp_up``), the
listing settles with good distribution (``established``), sell-out or distribution starts to
slide (``at_risk``: the next range review may cut us), and finally the chain drops our products
(``delisted``) until a new listing brings them back.

Hysteresis keeps the stage from flapping: entering ``at_risk`` takes sell-out growth below
``at_risk_sell_out_growth`` (-15 %) or a weighted-distribution fall of
``at_risk_wd_drop_points`` (8 points); leaving it takes growth of at least
``recover_sell_out_growth`` (0 %) *and* a weighted-distribution change of at least
``recover_wd_change_points`` (0 points), on ``recover_consecutive`` (2) evaluations in a row.
The thresholds come from ``[config.kamcore_retail.lifecycle]`` and are written into the
transition guards as literals, so each guard reads exactly as it is applied, with no hidden
parameter behind a name.

A ramp-up ends one of two ways: the listing reaches the established weighted distribution
after ``established_min_days_listed`` (365) days (``establish``), or it has been listed twice
that long (``settle``), whatever distribution it reached. A listing years old that never got
to 50 % weighted distribution is an established (if small) listing, not a new one that still
deserves launch support; without ``settle`` it would ramp up for ever.

Every guard reads its values through ``coalesce``: a chain that does not share POS data must
not fail its evaluation, it simply gives no evidence for a move. A distribution outside 0..1 is
no evidence either (it is a data error such as ``62`` for 62 %), so the guards that read one
bound it: ``0.2 <= coalesce(retail.numeric_distribution, 0) <= 1``. Transitions are listed most
urgent first (delisting before anything else), the order the lifecycle checks them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kamcore import StageModel

from .config import LifecycleConfig

__all__ = ["STAGES", "stage_model"]

#: The stages, in lifecycle order.
STAGES: tuple[str, ...] = ("listing", "ramp_up", "established", "at_risk", "delisted")

_LABELS: dict[str, dict[str, str]] = {
    "listing": {"en": "Listing", "zh": "新品进场"},
    "ramp_up": {"en": "Ramp-up", "zh": "铺市爬坡期"},
    "established": {"en": "Established", "zh": "稳定期"},
    "at_risk": {"en": "At risk", "zh": "风险期"},
    "delisted": {"en": "Delisted", "zh": "已下架"},
}


def _transitions(c: LifecycleConfig) -> tuple[Mapping[str, Any], ...]:
    return (
        {
            "id": "delist",
            "from": ["listing", "ramp_up", "established", "at_risk"],
            "to": "delisted",
            "when": "coalesce(retail.listed_skus, 1) == 0",
            "label": "No SKU listed any more",
        },
        {
            "id": "relist",
            "from": ["delisted"],
            "to": "listing",
            "when": "coalesce(retail.listed_skus, 0) > 0",
            "label": "Listed again",
        },
        {
            "id": "slip",
            "from": ["ramp_up", "established"],
            "to": "at_risk",
            "when": (
                f"coalesce(retail.sell_out_growth, 0) < {c.at_risk_sell_out_growth!r} "
                f"or coalesce(retail.wd_change, 0) <= {-c.at_risk_wd_drop_points!r}"
            ),
            "label": "Sell-out or weighted distribution falling",
        },
        {
            "id": "recover",
            "from": ["at_risk"],
            "to": "established",
            "when": (
                f"coalesce(retail.sell_out_growth, 0) >= {c.recover_sell_out_growth!r} "
                f"and coalesce(retail.wd_change, 0) >= {c.recover_wd_change_points!r}"
            ),
            "consecutive": c.recover_consecutive,
            "label": "Sell-out and distribution holding again",
        },
        {
            "id": "ramp_up",
            "from": ["listing"],
            "to": "ramp_up",
            "when": (
                f"{c.ramp_up_min_numeric_distribution!r} <= "
                "coalesce(retail.numeric_distribution, 0) <= 1"
            ),
            "label": "Products on the shelves",
        },
        {
            "id": "establish",
            "from": ["ramp_up"],
            "to": "established",
            "when": (
                f"coalesce(retail.days_listed, 0) >= {c.established_min_days_listed!r} "
                f"and {c.established_min_weighted_distribution!r} <= "
                "coalesce(retail.weighted_distribution, 0) <= 1"
            ),
            "label": "Listed long enough with good distribution",
        },
        {
            "id": "settle",
            "from": ["ramp_up"],
            "to": "established",
            "when": f"coalesce(retail.days_listed, 0) >= {2 * c.established_min_days_listed!r}",
            "label": "Listed for years: the ramp-up is over",
        },
    )


def stage_model(config: LifecycleConfig) -> StageModel:
    """The ``retail_listing`` stage model with the config's thresholds written in."""
    return StageModel(
        name="retail_listing",
        stages=STAGES,
        initial="listing",
        transitions=_transitions(config),
        doc=(
            "A supplier's listing lifecycle with a retail chain: listing, ramp-up, established "
            "(good distribution after a year, or listed for two years whatever the "
            "distribution), at risk (hysteresis: distinct enter/leave thresholds and "
            "consecutive recovery), delisted."
        ),
        label=_LABELS,
    )
