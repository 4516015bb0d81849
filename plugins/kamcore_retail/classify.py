"""Key-account identification and tiering for retail chains: NKA, RKA or other.

Modern trade sorts its chains by reach and weight. A **national key account** (NKA) has stores
in several of our sales regions *and* sells a lot of our products: it is negotiated centrally,
with national trade terms and a head-office team. A **regional key account** (RKA) may be
strong in a single region: enough sell-out through enough stores to deserve its own plan. The
rest are served through distributors or a general field team ("other").

Sell-out decides, not sell-in: a chain that buys a lot but sells little is a stock problem, not
a key account. The thresholds come from ``[config.kamcore_retail.tiers]``; the policy decides
what to do with the label (its ``[tier]`` section adds hysteresis and caps).
"""

from __future__ import annotations

from kamcore import Classifier

from .config import TierConfig

__all__ = ["TIER_LABELS", "KaTier", "classifiers"]

#: The labels of ``retail_ka_tier``, best first (the order a policy's ``tier.values`` takes).
TIER_LABELS: tuple[str, str, str] = ("NKA", "RKA", "other")


class KaTier:
    """``retail_ka_tier(sell_out_12m, regions_covered, store_count)`` with thresholds bound.

    * ``NKA`` when ``regions_covered >= nka_min_regions`` and
      ``sell_out_12m >= nka_min_sell_out``;
    * else ``RKA`` when ``sell_out_12m >= rka_min_sell_out`` and
      ``store_count >= rka_min_stores``;
    * else ``other``.
    """

    def __init__(self, tiers: TierConfig) -> None:
        self.tiers = tiers

    def __call__(self, sell_out: float, regions: int, stores: int) -> str:
        t = self.tiers
        if regions >= t.nka_min_regions and sell_out >= t.nka_min_sell_out:
            return "NKA"
        if sell_out >= t.rka_min_sell_out and stores >= t.rka_min_stores:
            return "RKA"
        return "other"


def classifiers(tiers: TierConfig) -> tuple[Classifier, ...]:
    """The pack's classifiers, with the config's thresholds bound."""
    return (
        Classifier(
            "retail_ka_tier",
            KaTier(tiers),
            ("money", "integer", "integer"),
            TIER_LABELS,
            doc=(
                "Retail key-account tier from 12-month sell-out, regions covered and store "
                f"count: NKA (>= {tiers.nka_min_regions} regions and sell-out >= "
                f"{tiers.nka_min_sell_out:,.0f}), RKA (sell-out >= "
                f"{tiers.rka_min_sell_out:,.0f} through >= {tiers.rka_min_stores} stores) or "
                "other. Missing arguments give a missing tier: wrap them in coalesce()."
            ),
        ),
    )
