"""kamcore_ict: key-account management for industrial / ICT project business, Huawei style.

Accounts are selected on an attractiveness x business-strength grid and split into KA and NA,
where what "NA" means (a *named* value account or a *normal* one) is the policy's choice
(``[config.kamcore_ict] na_meaning``). The pack supplies the vocabulary for it: profit
contribution by product line, share of wallet and its trend, pipeline and win rate, payment
milestones, decision-chain coverage and support from the customer's key people, the account
team's shape, the ``ict_relationship`` stage model and an ICT tactic catalogue.
``kamcore:ict/base.toml`` puts them together into a working policy.

This module is the plugin object: kamcore finds it through the ``kamcore`` entry point
``kamcore_ict`` and calls the hooks below once per engine, each with the policy's
``[config.kamcore_ict]`` table. Every registration is rebuilt from that table, so two engines
with different configurations never share state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kamcore import Classifier, Fact, Metric, StageModel, Tactic, hookimpl

from .config import CONFIG_SCHEMA, parse_config
from .grid import classifiers
from .market import market_facts, market_metrics
from .payments import payment_facts, payment_metrics
from .pipeline import pipeline_facts, pipeline_metrics
from .profit import profit_facts, profit_metrics
from .relationship import relationship_facts, relationship_metrics
from .stages import ICT_RELATIONSHIP
from .tactics import CATALOGUE
from .team import team_facts, team_metrics

__all__ = [
    "__version__",
    "kamcore_register_classifiers",
    "kamcore_register_config_schema",
    "kamcore_register_facts",
    "kamcore_register_metrics",
    "kamcore_register_stage_models",
    "kamcore_register_tactics",
]

__version__ = "0.1.0"

Config = Mapping[str, Any]


@hookimpl
def kamcore_register_config_schema(register: Callable[[Mapping[str, Any]], None]) -> None:
    """Register the schema of ``[config.kamcore_ict]`` so a typo fails when the policy loads."""
    register(CONFIG_SCHEMA)


@hookimpl
def kamcore_register_facts(register: Callable[[Fact], None], config: Config) -> None:
    """Register the ICT facts; one ``ict.profit_<line>`` per configured product line."""
    cfg = parse_config(config)
    for build in (
        profit_facts,
        market_facts,
        pipeline_facts,
        payment_facts,
        relationship_facts,
        team_facts,
    ):
        for fact in build(cfg):
            register(fact)


@hookimpl
def kamcore_register_metrics(register: Callable[[Metric], None], config: Config) -> None:
    """Register the ICT metrics, built with the configured lines, roles and windows."""
    cfg = parse_config(config)
    for build in (
        profit_metrics,
        market_metrics,
        pipeline_metrics,
        payment_metrics,
        relationship_metrics,
        team_metrics,
    ):
        for metric in build(cfg):
            register(metric)


@hookimpl
def kamcore_register_classifiers(register: Callable[[Classifier], None], config: Config) -> None:
    """Register the grid classifiers; ``ict_account_class`` follows ``na_meaning``."""
    for classifier in classifiers(parse_config(config)):
        register(classifier)


@hookimpl
def kamcore_register_tactics(register: Callable[[Tactic], None]) -> None:
    """Register the ICT tactic catalogue."""
    for tactic in CATALOGUE:
        register(tactic)


@hookimpl
def kamcore_register_stage_models(register: Callable[[StageModel], None]) -> None:
    """Register the ``ict_relationship`` stage model."""
    register(ICT_RELATIONSHIP)
