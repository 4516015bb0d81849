"""kamcore_retail: the FMCG / modern-trade key-account pack for kamcore.

A key account here is a retail chain (hypermarkets, supermarkets, convenience chains) that a
consumer-goods maker sells into. The pack adds the vocabulary such a supplier manages its
chains with: sell-in and sell-out, numeric and weighted distribution, share of shelf,
availability, promotion compliance, trade spend and its return, payment against terms and the
category buyer; the metrics built on them; the NKA / RKA / other tiering; the ``retail_listing``
lifecycle; and a catalogue of retail retention tactics. The base policy
``kamcore:retail/base.toml`` puts it to work (alerts, scorecard, tactic rules).

The module itself is the plugin: kamcore finds it through the ``kamcore_retail`` entry point
and calls the ``@hookimpl`` functions below once per engine, written only against kamcore's
public API, as any third-party plugin would be. Hooks that have parameters read them from the
policy's ``[config.kamcore_retail]`` section (see :mod:`kamcore_retail.config`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kamcore import Classifier, Fact, Metric, StageModel, Tactic, hookimpl

from .classify import TIER_LABELS, classifiers
from .config import CONFIG_SCHEMA, RetailConfig, read_config
from .facts import FACTS, FORMATS
from .metrics import metrics
from .stages import STAGES, stage_model
from .tactics import TACTICS

__all__ = [
    "CONFIG_SCHEMA",
    "FACTS",
    "FORMATS",
    "STAGES",
    "TACTICS",
    "TIER_LABELS",
    "RetailConfig",
    "kamcore_register_classifiers",
    "kamcore_register_config_schema",
    "kamcore_register_facts",
    "kamcore_register_metrics",
    "kamcore_register_stage_models",
    "kamcore_register_tactics",
    "read_config",
]

__version__ = "0.1.0"

Config = Mapping[str, Any]


@hookimpl
def kamcore_register_config_schema(register: Callable[[Mapping[str, Any]], None]) -> None:
    """Register the schema of ``[config.kamcore_retail]``, so typos fail at load time."""
    register(CONFIG_SCHEMA)


@hookimpl
def kamcore_register_facts(register: Callable[[Fact], None]) -> None:
    """Register the ``retail.*`` facts."""
    for fact in FACTS:
        register(fact)


@hookimpl
def kamcore_register_metrics(register: Callable[[Metric], None], config: Config) -> None:
    """Register the ``retail.*`` metrics (default payment terms and the buyer-change window
    come from the config)."""
    for metric in metrics(read_config(config)):
        register(metric)


@hookimpl
def kamcore_register_classifiers(register: Callable[[Classifier], None], config: Config) -> None:
    """Register ``retail_ka_tier`` with the config's tier thresholds."""
    for classifier in classifiers(read_config(config).tiers):
        register(classifier)


@hookimpl
def kamcore_register_tactics(register: Callable[[Tactic], None]) -> None:
    """Register the ``retail.*`` tactics."""
    for tactic in TACTICS:
        register(tactic)


@hookimpl
def kamcore_register_stage_models(register: Callable[[StageModel], None], config: Config) -> None:
    """Register ``retail_listing`` with the config's lifecycle thresholds."""
    register(stage_model(read_config(config).lifecycle))
