"""Member tiers: a spend-and-orders ladder, classified per member.

Tier programmes (钻石/金/银/普通, Diamond/Gold/Silver/Regular) grant status on the last 12
months' spend, often with a minimum number of orders so that one big gift purchase does not buy
a year of diamond service. The ladder is the policy's (``[config.kamcore_membership] tiers``),
best first; a member gets the first rung whose thresholds they meet, and the last rung is the
floor. Hysteresis (upgrade at once, downgrade only after N evaluations below) is the core's
``[tier] downgrade_after = N``: the classifier gives the tier the figures earn today, the core
decides when a lower verdict takes effect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .config import TierRule

__all__ = ["gap_function", "tier_function"]

Number = int | float


def _earned(rules: Sequence[TierRule], spend: Number, orders: Number) -> int:
    """The position of the first rung the figures reach (the floor if none)."""
    for i, rule in enumerate(rules[:-1]):
        if spend >= rule.min_spend_12m and orders >= rule.min_orders_12m:
            return i
    return len(rules) - 1


def tier_function(rules: Sequence[TierRule]) -> Callable[[Number, Number], str]:
    """``member_tier(spend_12m, orders_12m)`` for this ladder."""
    ladder = tuple(rules)

    def member_tier(spend_12m: Number, orders_12m: Number) -> str:
        return ladder[_earned(ladder, spend_12m, orders_12m)].id

    return member_tier


def gap_function(rules: Sequence[TierRule]) -> Callable[[Number, Number], float | None]:
    """``membership.next_tier_gap(spend_12m, orders_12m)`` for this ladder: the 12-month spend
    still missing for the rung above the one the figures earn (0 when only orders are missing;
    ``None`` at the top)."""
    ladder = tuple(rules)

    def next_tier_gap(spend_12m: Number, orders_12m: Number) -> float | None:
        position = _earned(ladder, spend_12m, orders_12m)
        if position == 0:
            return None
        return float(max(0.0, ladder[position - 1].min_spend_12m - spend_12m))

    return next_tier_gap
