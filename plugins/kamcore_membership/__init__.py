"""kamcore_membership: B2C e-commerce members for kamcore.

The pack models a membership programme: members move from visitor to buyer to repeat buyer to
loyal member (or lapse); RFM segments name where each stands against the others; BG/NBD and
Gamma-Gamma, fitted by maximum likelihood on the whole membership, estimate who is still active,
how often they will buy and what they will spend, and from that a discounted CLV; member tiers
follow a spend ladder with hysteresis. Early warnings and a B2C tactics catalogue across the
five retention dimensions complete it; ``policies/membership/base.toml`` puts it all together.

This module is the plugin object (entry point ``kamcore_membership``): its module-level
``kamcore_register_*`` functions are the hook implementations. It is written only against
kamcore's public API, as any third-party plugin would be. The modelling code is importable on
its own: :mod:`.summary` (transaction logs to ``(x, t_x, T, m)``), :mod:`.bgnbd`,
:mod:`.gamma_gamma`, :mod:`.clv`, :mod:`.cdnow` (the reference data set) and :mod:`.sample`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kamcore import Classifier, Fact, Metric, StageModel, Tactic, hookimpl

from .bgnbd import BgNbdFit, BgNbdParams, expected_purchases, fit_bgnbd, p_alive
from .clv import lifetime_value
from .config import CONFIG_SCHEMA, settings
from .facts import FACTS
from .gamma_gamma import GammaGammaFit, GammaGammaParams, expected_spend, fit_gamma_gamma
from .registrations import pack_classifiers, pack_metrics
from .stages import stage_model
from .summary import PurchaseSummary, summarise_member, summarise_transactions
from .tactics import TACTICS

__all__ = [
    "BgNbdFit",
    "BgNbdParams",
    "GammaGammaFit",
    "GammaGammaParams",
    "PurchaseSummary",
    "expected_purchases",
    "expected_spend",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "kamcore_register_classifiers",
    "kamcore_register_config_schema",
    "kamcore_register_facts",
    "kamcore_register_metrics",
    "kamcore_register_stage_models",
    "kamcore_register_tactics",
    "lifetime_value",
    "p_alive",
    "summarise_member",
    "summarise_transactions",
]

__version__ = "0.1.0"

Config = Mapping[str, Any]


@hookimpl
def kamcore_register_config_schema(register: Callable[[Mapping[str, Any]], None]) -> None:
    """Register the schema of ``[config.kamcore_membership]``."""
    register(CONFIG_SCHEMA)


@hookimpl
def kamcore_register_facts(register: Callable[[Fact], None]) -> None:
    """Register the ``membership.*`` facts."""
    for fact in FACTS:
        register(fact)


@hookimpl
def kamcore_register_metrics(register: Callable[[Metric], None], config: Config) -> None:
    """Register the summary, value and portfolio (model) metrics."""
    for metric in pack_metrics(settings(config)):
        register(metric)


@hookimpl
def kamcore_register_classifiers(register: Callable[[Classifier], None], config: Config) -> None:
    """Register ``rfm_segment`` and ``member_tier`` (its labels are the configured tiers)."""
    for classifier in pack_classifiers(settings(config)):
        register(classifier)


@hookimpl
def kamcore_register_tactics(register: Callable[[Tactic], None]) -> None:
    """Register the B2C tactics catalogue."""
    for tactic in TACTICS:
        register(tactic)


@hookimpl
def kamcore_register_stage_models(register: Callable[[StageModel], None], config: Config) -> None:
    """Register ``membership.lifecycle`` with the configured thresholds."""
    register(stage_model(settings(config)))
