"""The ``[config.kamcore_membership]`` policy section: its JSON Schema and its parsed form.

The schema catches typos and wrong types when the policy loads (with file and line); the few
rules a schema cannot state (a tier ladder that goes down, exit below entry thresholds) are
checked in :func:`settings` and reported as :class:`kamcore.PluginUsageError` with the key at
fault (``key="lapse_days"``), so kamcore reports them at that key's file and line like any other
policy problem. Defaults live here, in one place, so a policy only writes what it changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kamcore import PluginUsageError

from .bgnbd import BgNbdParams
from .gamma_gamma import GammaGammaParams

__all__ = ["CONFIG_SCHEMA", "DEFAULT_TIERS", "Settings", "TierRule", "settings"]

_POSITIVE = {"type": "number", "exclusiveMinimum": 0}
_LABEL = {
    "oneOf": [
        {"type": "string"},
        {"type": "object", "additionalProperties": {"type": "string"}},
    ]
}

#: The JSON Schema (draft 2020-12) of ``[config.kamcore_membership]``.
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "kamcore_membership",
    "description": "B2C membership pack: model fitting, CLV, tier ladder and lifecycle.",
    "additionalProperties": False,
    "properties": {
        "horizon_weeks": {
            **_POSITIVE,
            "description": "Horizon of membership.expected_purchases, in weeks (default 52).",
        },
        "clv_horizon_weeks": {
            "type": "integer",
            "minimum": 1,
            "maximum": 1040,
            "description": "Horizon of membership.clv, in weeks (default 156).",
        },
        "annual_discount_rate": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "Annual rate CLV is discounted at, e.g. 0.1 (default 0.1).",
        },
        "margin": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 1,
            "description": "Gross margin applied to expected spend in CLV (default 1: revenue).",
        },
        "fit_models": {
            "type": "boolean",
            "description": "Fit BG/NBD and Gamma-Gamma on the portfolio (default true); "
            "false: always use the bgnbd and gamma_gamma parameters given here.",
        },
        "min_fit_members": {
            "type": "integer",
            "minimum": 2,
            "description": "Fewer members with a purchase history: use the given BG/NBD "
            "parameters instead of fitting (default 30).",
        },
        "min_fit_repeat_buyers": {
            "type": "integer",
            "minimum": 2,
            "description": "Fewer repeat buyers: use the given BG/NBD parameters instead of "
            "fitting; fewer repeat buyers with a spend: the given Gamma-Gamma ones (default 20).",
        },
        "bgnbd": {
            "type": "object",
            "additionalProperties": False,
            "required": ["r", "alpha", "a", "b"],
            "properties": dict.fromkeys(("r", "alpha", "a", "b"), _POSITIVE),
            "description": "Prior BG/NBD parameters (time in weeks): used when the portfolio "
            "is too small to fit, or always with fit_models = false.",
        },
        "gamma_gamma": {
            "type": "object",
            "additionalProperties": False,
            "required": ["p", "q", "gamma"],
            "properties": {
                "p": _POSITIVE,
                # q <= 1: the mean spend per order does not exist, so a member whose own
                # spend is unknown (a one-time buyer) would get none from the prior
                "q": {"type": "number", "exclusiveMinimum": 1},
                "gamma": _POSITIVE,
            },
            "description": "Prior Gamma-Gamma parameters (p and q have no unit; gamma is in "
            "the policy currency, and p * gamma / (q - 1) is the mean spend per order).",
        },
        "tiers": {
            "type": "array",
            "minItems": 1,
            "description": "The member tier ladder, best first; the last tier is the floor.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "min_spend_12m"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "min_spend_12m": {"type": "number", "minimum": 0},
                    "min_orders_12m": {"type": "integer", "minimum": 0},
                    "label": _LABEL,
                },
            },
        },
        "lapse_days": {
            "type": "integer",
            "minimum": 1,
            "description": "Days without a purchase after which a buyer is lapsed (default 365).",
        },
        "reactivate_days": {
            "type": "integer",
            "minimum": 0,
            "description": "A lapsed member who bought within this many days is back (default 90).",
        },
        "loyal_orders_12m": {
            "type": "integer",
            "minimum": 1,
            "description": "Orders in 12 months that make a repeat buyer loyal (default 4).",
        },
        "loyal_exit_orders_12m": {
            "type": "integer",
            "minimum": 0,
            "description": "A loyal member with fewer orders in 12 months (two evaluations "
            "in a row) is a repeat buyer again (default 2).",
        },
        "rfm_min_members": {
            "type": "integer",
            "minimum": 1,
            "description": "Fewer members with a purchase recency in the evaluated portfolio: "
            "membership.rfm_segment is missing, as quintiles of so few mean nothing (default 5).",
        },
    },
}


@dataclass(frozen=True)
class TierRule:
    """One rung of the tier ladder: reached with at least this spend and these orders in the
    last 12 months."""

    id: str
    min_spend_12m: float
    min_orders_12m: int = 0


#: The ladder used when the policy names none (amounts in the policy currency).
DEFAULT_TIERS: tuple[TierRule, ...] = (
    TierRule("diamond", 10_000, 6),
    TierRule("gold", 3_000, 3),
    TierRule("silver", 800, 1),
    TierRule("regular", 0, 0),
)


@dataclass(frozen=True)
class Settings:
    """The parsed ``[config.kamcore_membership]`` with every default applied."""

    horizon_weeks: float = 52.0
    clv_horizon_weeks: int = 156
    annual_discount_rate: float = 0.10
    margin: float = 1.0
    fit_models: bool = True
    min_fit_members: int = 30
    min_fit_repeat_buyers: int = 20
    bgnbd: BgNbdParams | None = None
    gamma_gamma: GammaGammaParams | None = None
    tiers: tuple[TierRule, ...] = DEFAULT_TIERS
    lapse_days: int = 365
    reactivate_days: int = 90
    loyal_orders_12m: int = 4
    loyal_exit_orders_12m: int = 2
    rfm_min_members: int = 5


def _tiers(raw: Any) -> tuple[TierRule, ...]:
    if raw is None:
        return DEFAULT_TIERS
    rules = tuple(
        TierRule(str(t["id"]), float(t["min_spend_12m"]), int(t.get("min_orders_12m", 0)))
        for t in raw
    )
    ids = [t.id for t in rules]
    for position, tier_id in enumerate(ids):
        if tier_id in ids[:position]:
            raise PluginUsageError(
                f"tiers repeat the id `{tier_id}`: {ids}", key=f"tiers[{position}]"
            )
    for upper, lower in itertools.pairwise(rules):
        for field in ("min_spend_12m", "min_orders_12m"):
            if getattr(lower, field) > getattr(upper, field):
                raise PluginUsageError(
                    f"tiers are listed best first: `{lower.id}` asks for more {field} than "
                    f"`{upper.id}` above it",
                    key=f"tiers[{lower.id}].{field}",
                )
    return rules


def settings(config: Mapping[str, Any]) -> Settings:
    """Parse the (schema-validated) section, applying defaults and the cross-key rules.

    :raises PluginUsageError: a rule the schema cannot state is broken.
    """
    bg = config.get("bgnbd")
    gg = config.get("gamma_gamma")
    parsed = Settings(
        horizon_weeks=float(config.get("horizon_weeks", 52.0)),
        clv_horizon_weeks=int(config.get("clv_horizon_weeks", 156)),
        annual_discount_rate=float(config.get("annual_discount_rate", 0.10)),
        margin=float(config.get("margin", 1.0)),
        fit_models=bool(config.get("fit_models", True)),
        min_fit_members=int(config.get("min_fit_members", 30)),
        min_fit_repeat_buyers=int(config.get("min_fit_repeat_buyers", 20)),
        bgnbd=None if bg is None else BgNbdParams(bg["r"], bg["alpha"], bg["a"], bg["b"]),
        gamma_gamma=None if gg is None else GammaGammaParams(gg["p"], gg["q"], gg["gamma"]),
        tiers=_tiers(config.get("tiers")),
        lapse_days=int(config.get("lapse_days", 365)),
        reactivate_days=int(config.get("reactivate_days", 90)),
        loyal_orders_12m=int(config.get("loyal_orders_12m", 4)),
        loyal_exit_orders_12m=int(config.get("loyal_exit_orders_12m", 2)),
        rfm_min_members=int(config.get("rfm_min_members", 5)),
    )
    # Each rule is reported at one key. Of a pair, it is the key a shop is likelier to have
    # changed (lapse_days, loyal_orders_12m: the documented knobs); the message names both
    # values, so the author sees the other one too.
    if not parsed.fit_models and (parsed.bgnbd is None or parsed.gamma_gamma is None):
        raise PluginUsageError(
            "fit_models = false needs the bgnbd and gamma_gamma parameters", key="fit_models"
        )
    if parsed.reactivate_days >= parsed.lapse_days:
        raise PluginUsageError(
            f"lapse_days ({parsed.lapse_days}) must be above reactivate_days "
            f"({parsed.reactivate_days}), or a member could be lapsed and reactivated at once",
            key="lapse_days",
        )
    if parsed.loyal_exit_orders_12m >= parsed.loyal_orders_12m:
        raise PluginUsageError(
            f"loyal_orders_12m ({parsed.loyal_orders_12m}) must be above "
            f"loyal_exit_orders_12m ({parsed.loyal_exit_orders_12m}), so loyalty does not flap",
            key="loyal_orders_12m",
        )
    return parsed
