"""kamcore_saas: the B2B SaaS / subscription pack for kamcore.

The module is the plugin object: its ``kamcore_register_*`` functions are the hooks, found
through the ``kamcore`` entry point ``kamcore_saas``. A policy activates the pack with
``[policy] plugins = ["kamcore_saas"]`` and configures it under ``[config.kamcore_saas]``; the
packaged base policy ``kamcore:saas/base.toml`` uses all of it.

What it registers (see ``docs/packs/saas.md``):

* facts ``saas.*`` (ARR and its movements, licences and usage, P1 tickets, renewal and contract
  dates, health inputs), in :mod:`.facts`;
* metrics (current ARR, NRR, GRR, licence utilisation, usage trend, days to renewal, renewal
  window, tenure, support load, ...), in :mod:`.metrics`;
* classifiers ``saas_tier`` and ``saas_key_account``, in :mod:`.classify`;
* the stage model ``saas.customer_journey``, in :mod:`.lifecycle`;
* a tactic catalogue across the five retention dimensions, in :mod:`.tactics`;
* the JSON Schema of ``[config.kamcore_saas]``, in :mod:`.config`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kamcore import Classifier, Fact, Metric, StageModel, Tactic, hookimpl

from .classify import classifiers
from .config import CONFIG_SCHEMA, SaasConfig
from .facts import FACTS
from .lifecycle import stage_model
from .metrics import metrics
from .tactics import TACTICS

__all__ = [
    "kamcore_register_classifiers",
    "kamcore_register_config_schema",
    "kamcore_register_facts",
    "kamcore_register_metrics",
    "kamcore_register_stage_models",
    "kamcore_register_tactics",
]

__version__ = "0.1.0"


@hookimpl
def kamcore_register_config_schema(register: Callable[[Mapping[str, Any]], None]) -> None:
    """Register the schema of ``[config.kamcore_saas]`` so typos fail with their line."""
    register(CONFIG_SCHEMA)


@hookimpl
def kamcore_register_facts(register: Callable[[Fact], None]) -> None:
    """Declare the ``saas.*`` facts."""
    for fact in FACTS:
        register(fact)


@hookimpl
def kamcore_register_metrics(register: Callable[[Metric], None], config: Mapping[str, Any]) -> None:
    """Register the value metrics, with the renewal window, usage periods and ticket weights of
    ``config`` bound in."""
    for metric in metrics(SaasConfig.from_mapping(config)):
        register(metric)


@hookimpl
def kamcore_register_classifiers(
    register: Callable[[Classifier], None], config: Mapping[str, Any]
) -> None:
    """Register ``saas_tier`` and ``saas_key_account`` with the configured thresholds."""
    for classifier in classifiers(SaasConfig.from_mapping(config)):
        register(classifier)


@hookimpl
def kamcore_register_tactics(register: Callable[[Tactic], None]) -> None:
    """Add the customer-success tactics to the catalogue."""
    for tactic in TACTICS:
        register(tactic)


@hookimpl
def kamcore_register_stage_models(
    register: Callable[[StageModel], None], config: Mapping[str, Any]
) -> None:
    """Register ``saas.customer_journey`` with the configured stage thresholds."""
    register(stage_model(SaasConfig.from_mapping(config)))
