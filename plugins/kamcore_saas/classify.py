"""Classification: ARR tiers and key-account identification.

Tiers follow current ARR because in a subscription business the ARR an account pays is both
its value and the cost of losing it; the thresholds are configuration
(``[config.kamcore_saas.tiers]``), so one base policy fits a vendor whose largest customers pay
50 000 a year and one whose pay 5 million.

Key-account identification looks further than the tier: the domain's rule is that potential
value matters more than current size, so an account with a large three-year potential is
marked for development before it is large, and management's ``strategic`` flag makes an account
key whatever its figures.
"""

from __future__ import annotations

from collections.abc import Mapping

from kamcore import Classifier

from .config import TIERS, SaasConfig

__all__ = ["KEY_ACCOUNT_LABELS", "classifiers", "key_account", "tier"]

#: Labels of ``saas_key_account``: key now, worth developing, or neither.
KEY_ACCOUNT_LABELS: tuple[str, ...] = ("key", "develop", "standard")


def tier(arr: float, thresholds: Mapping[str, float]) -> str:
    """The ARR tier: the first of strategic, enterprise, growth whose lowest ARR the account
    reaches (each threshold included), else ``scaled``."""
    for name in TIERS[:-1]:
        if arr >= thresholds[name]:
            return name
    return TIERS[-1]


def key_account(
    arr: float, potential_arr: float, strategic: bool, *, min_arr: float, min_potential: float
) -> str:
    """``key`` when the account pays at least ``min_arr`` or is flagged strategic; ``develop``
    when its three-year potential reaches ``min_potential``; else ``standard``."""
    if strategic or arr >= min_arr:
        return "key"
    if potential_arr >= min_potential:
        return "develop"
    return "standard"


def classifiers(config: SaasConfig) -> tuple[Classifier, ...]:
    """``saas_tier`` and ``saas_key_account`` with the configured thresholds bound in."""
    thresholds = dict(config.tiers)

    def saas_tier(arr: float) -> str:
        return tier(arr, thresholds)

    def saas_key_account(arr: float, potential_arr: float, strategic: bool) -> str:
        return key_account(
            arr,
            potential_arr,
            strategic,
            min_arr=config.key_account_arr,
            min_potential=config.key_account_potential,
        )

    described = ", ".join(f"{name} >= {thresholds[name]:,.0f}" for name in TIERS[:-1])
    return (
        Classifier(
            "saas_tier",
            saas_tier,
            ("number",),
            TIERS,
            doc=f"ARR tier: {described}, else scaled.",
        ),
        Classifier(
            "saas_key_account",
            saas_key_account,
            ("number", "number", "boolean"),
            KEY_ACCOUNT_LABELS,
            doc=f"key: ARR >= {config.key_account_arr:,.0f} or strategic; develop: potential "
            f"ARR >= {config.key_account_potential:,.0f}; else standard.",
        ),
    )
