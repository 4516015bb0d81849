"""The pack's ``[config.kamcore_retail]`` section: its JSON Schema, defaults and checks.

What makes a chain a national or a regional key account, when a listing counts as ramped up
or at risk, how long a new category buyer counts as "new" and what margin the extra revenue of
a promotion earns differ between suppliers (a beverage maker's CNY 30 M chain is a small one for
a dairy giant), so they are parameters of the policy, not constants of the pack. The JSON
Schema catches misspelt keys and wrong types (and a gross margin outside 0..1) when the policy
loads, with the file and line; :func:`read_config` then applies the defaults and refuses
combinations the schema cannot express (a regional threshold above the national one, a
recovery threshold that would make the at-risk stage flap), naming the key at fault so kamcore
reports those at their line too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from kamcore import PluginUsageError

__all__ = [
    "CONFIG_SCHEMA",
    "LifecycleConfig",
    "RetailConfig",
    "TierConfig",
    "read_config",
]


@dataclass(frozen=True)
class TierConfig:
    """Key-account tier thresholds; money in the policy currency.

    :param nka_min_regions: a national KA covers at least this many of our sales regions.
    :param nka_min_sell_out: ... and sells at least this much of our products in 12 months.
    :param rka_min_sell_out: a regional KA sells at least this much, in however few regions.
    :param rka_min_stores: ... through at least this many stores (a strong local chain, not
        one big store).
    """

    nka_min_regions: int = 3
    nka_min_sell_out: float = 30_000_000
    rka_min_sell_out: float = 5_000_000
    rka_min_stores: int = 20


@dataclass(frozen=True)
class LifecycleConfig:
    """Thresholds of the ``retail_listing`` stage model.

    Entering ``at_risk`` and leaving it use different thresholds (and leaving needs
    ``recover_consecutive`` evaluations in a row), so an account hovering at the line does not
    flap between the two stages.

    :param ramp_up_min_numeric_distribution: listed products are on the shelf in at least this
        share of the chain's stores: the listing is live and ramping up.
    :param established_min_days_listed: days since the listing before it can be established;
        twice as many end a ramp-up whatever distribution it reached (a listing years old is
        not "new" any more, even where it never reached the established distribution).
    :param established_min_weighted_distribution: weighted distribution an established listing
        has reached.
    :param at_risk_sell_out_growth: sell-out growth below this puts the account at risk.
    :param at_risk_wd_drop_points: a weighted-distribution fall of at least this many points
        puts the account at risk.
    :param recover_sell_out_growth: sell-out growth needed to leave ``at_risk``.
    :param recover_wd_change_points: weighted-distribution change (points) needed to leave it.
    :param recover_consecutive: evaluations in a row the recovery must hold.
    """

    ramp_up_min_numeric_distribution: float = 0.2
    established_min_days_listed: int = 365
    established_min_weighted_distribution: float = 0.5
    at_risk_sell_out_growth: float = -0.15
    at_risk_wd_drop_points: float = 8.0
    recover_sell_out_growth: float = 0.0
    recover_wd_change_points: float = 0.0
    recover_consecutive: int = 2


@dataclass(frozen=True)
class RetailConfig:
    """The whole ``[config.kamcore_retail]`` section with defaults applied.

    :param buyer_change_window_days: a category buyer who changed within this many days is new.
    :param default_payment_terms_days: payment terms assumed when a chain's agreed terms are
        not in the data (so DSO over terms can still be judged).
    :param gross_margin_rate: our gross margin on the chain's purchases, as a ratio. Trade spend
        is paid out of margin, not revenue: what it earned back is the incremental revenue
        times this rate, so trade-spend ROI is break-even at 0 only with it.
    """

    tiers: TierConfig = TierConfig()
    lifecycle: LifecycleConfig = LifecycleConfig()
    buyer_change_window_days: int = 90
    default_payment_terms_days: int = 60
    gross_margin_rate: float = 0.35


def _number(minimum: float | None = None, maximum: float | None = None, **extra: Any) -> Any:
    schema: dict[str, Any] = {"type": "number", **extra}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def _integer(minimum: int, description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "description": description}


_TIERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Key-account tier thresholds (money in the policy currency).",
    "properties": {
        "nka_min_regions": _integer(1, "A national KA covers at least this many sales regions."),
        "nka_min_sell_out": _number(0, description="Minimum 12-month sell-out of a national KA."),
        "rka_min_sell_out": _number(0, description="Minimum 12-month sell-out of a regional KA."),
        "rka_min_stores": _integer(0, "Minimum store count of a regional KA."),
    },
    "additionalProperties": False,
}

_LIFECYCLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Thresholds of the retail_listing stage model.",
    "properties": {
        "ramp_up_min_numeric_distribution": _number(
            0, 1, description="Numeric distribution at which a new listing is ramping up."
        ),
        "established_min_days_listed": _integer(0, "Days listed before a listing is established."),
        "established_min_weighted_distribution": _number(
            0, 1, description="Weighted distribution of an established listing."
        ),
        "at_risk_sell_out_growth": _number(
            -1, description="Sell-out growth below which the account is at risk."
        ),
        "at_risk_wd_drop_points": _number(
            0, 100, description="Weighted-distribution fall (points) that puts it at risk."
        ),
        "recover_sell_out_growth": _number(
            -1, description="Sell-out growth needed to leave at_risk."
        ),
        "recover_wd_change_points": _number(
            -100, 100, description="Weighted-distribution change (points) needed to recover."
        ),
        "recover_consecutive": _integer(1, "Evaluations in a row a recovery must hold."),
    },
    "additionalProperties": False,
}

#: The JSON Schema (draft 2020-12) of ``[config.kamcore_retail]``.
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Parameters of the FMCG / modern-trade retail pack (kamcore_retail).",
    "properties": {
        "tiers": _TIERS_SCHEMA,
        "lifecycle": _LIFECYCLE_SCHEMA,
        "buyer_change_window_days": _integer(
            1, "A category buyer who changed within this many days counts as new."
        ),
        "default_payment_terms_days": _integer(
            0, "Payment terms assumed when a chain's agreed terms are missing."
        ),
        "gross_margin_rate": _number(
            maximum=1,
            exclusiveMinimum=0,
            description=(
                "Our gross margin on the chain's purchases (a ratio, above 0 and at most 1): "
                "trade-spend ROI counts incremental revenue times this rate against the spend."
            ),
        ),
    },
    "additionalProperties": False,
}


def _section(config: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = config.get(key, {})
    return value if isinstance(value, Mapping) else {}


def _known(cls: type[Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Only the dataclass's own keys: the schema has already reported any other."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in values.items() if k in names}


def read_config(config: Mapping[str, Any] | None) -> RetailConfig:
    """The validated ``[config.kamcore_retail]`` table with the defaults filled in.

    :raises PluginUsageError: thresholds that contradict each other; the policy author must fix
        them, so the message says which keys and why.
    """
    config = config or {}
    tiers = TierConfig(**_known(TierConfig, _section(config, "tiers")))
    lifecycle = LifecycleConfig(**_known(LifecycleConfig, _section(config, "lifecycle")))
    top = {k: v for k, v in config.items() if k not in ("tiers", "lifecycle")}
    result = RetailConfig(tiers=tiers, lifecycle=lifecycle, **_known(RetailConfig, top))
    _check(result)
    return result


def _check(config: RetailConfig) -> None:
    """Refuse thresholds that contradict each other.

    Each refusal names (``key=``) the key whose value the message is about, relative to
    ``[config.kamcore_retail]``, so kamcore reports it at that key's file and line in the
    policy (or the nearest table that holds it, when the value is a default).
    """
    tiers, life = config.tiers, config.lifecycle
    if tiers.rka_min_sell_out > tiers.nka_min_sell_out:
        raise PluginUsageError(
            "[config.kamcore_retail.tiers] rka_min_sell_out "
            f"({tiers.rka_min_sell_out:,.0f}) is above nka_min_sell_out "
            f"({tiers.nka_min_sell_out:,.0f}): a regional KA cannot need more sell-out than a "
            "national one",
            key="tiers.rka_min_sell_out",
        )
    if life.recover_sell_out_growth < life.at_risk_sell_out_growth:
        raise PluginUsageError(
            "[config.kamcore_retail.lifecycle] recover_sell_out_growth "
            f"({life.recover_sell_out_growth}) is below at_risk_sell_out_growth "
            f"({life.at_risk_sell_out_growth}): an account could be at risk and recovered at "
            "once; the recovery threshold must be the same or higher",
            key="lifecycle.recover_sell_out_growth",
        )
    if life.recover_wd_change_points <= -life.at_risk_wd_drop_points:
        raise PluginUsageError(
            "[config.kamcore_retail.lifecycle] recover_wd_change_points "
            f"({life.recover_wd_change_points}) is not above -at_risk_wd_drop_points "
            f"({-life.at_risk_wd_drop_points}): a weighted-distribution change could both put "
            "an account at risk and recover it; the recovery threshold must be higher",
            key="lifecycle.recover_wd_change_points",
        )
