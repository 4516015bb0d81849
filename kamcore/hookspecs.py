"""The plugin contract: every hook a kamcore plugin can implement.

This module is the contract between kamcore and its plugins, built-in or third-party. Hooks are
called **once, when an engine is built** for a policy; each hands the plugin a ``register``
callable to which it passes typed capability objects (:class:`~kamcore.Fact`,
:class:`~kamcore.Metric`, ...). Evaluating an account afterwards makes no pluggy call: the
registered plain functions are called directly.

Every registration hook receives two arguments; a plugin may accept either or both (pluggy
passes only the ones an implementation names):

- ``register``: the callable to hand capabilities to. kamcore validates each one, refuses
  duplicates naming both plugins, and records which plugin registered it.
- ``config``: the plugin's own ``[config.<plugin name>]`` table from the policy (an empty
  mapping when the policy has none), already validated against the plugin's schema fragment.

The hooks evolve by adding arguments only. A hook that must change meaning gets a new name and
the old one is deprecated with pluggy's ``warn_on_impl``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .registry import Classifier, Fact, Function, Metric, StageModel, Tactic

__all__ = [
    "HOOK_NAMES",
    "PROJECT_NAME",
    "hookimpl",
    "hookspec",
    "kamcore_register_classifiers",
    "kamcore_register_config_schema",
    "kamcore_register_facts",
    "kamcore_register_functions",
    "kamcore_register_metrics",
    "kamcore_register_stage_models",
    "kamcore_register_tactics",
]

#: The pluggy project name and the entry-point group external plugins are found through.
PROJECT_NAME = "kamcore"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# ---------------------------------------------------------------------------------------------
# Policy validation: called first, before the policy document is checked
# ---------------------------------------------------------------------------------------------


@hookspec
def kamcore_register_config_schema(register: Callable[[Mapping[str, Any]], None]) -> None:
    """Register the JSON Schema of this plugin's ``[config.<plugin name>]`` policy section.

    The fragment is composed into ``schemas/policy.schema.json`` for every policy that activates
    the plugin, so a typo in the plugin's section fails when the policy loads, with the file,
    line and key path, instead of being ignored.

    :param register: call once with a JSON Schema (draft 2020-12) object. Set
        ``"additionalProperties": false`` to have unknown keys reported.

    .. versionadded:: 0.1

    Used from a policy as::

        [policy]
        plugins = ["kamcore_ict"]

        [config.kamcore_ict]
        na_meaning = "named"
    """


# ---------------------------------------------------------------------------------------------
# Vocabulary: what accounts carry and what expressions can compute
# ---------------------------------------------------------------------------------------------


@hookspec
def kamcore_register_facts(register: Callable[[Fact], None], config: Mapping[str, Any]) -> None:
    """Declare typed facts that accounts can carry.

    Declared facts can be named in expressions, mapped from input columns, and are checked
    against their type when an account is read. Dotted names address nested facts under the
    account's ``attributes``.

    :param register: call with a :class:`~kamcore.Fact` per fact.
    :param config: this plugin's policy configuration.

    .. versionadded:: 0.1

    Used from a policy as a name in any expression: ``weighted_distribution < 0.6``.
    """


@hookspec
def kamcore_register_metrics(register: Callable[[Metric], None], config: Mapping[str, Any]) -> None:
    """Register metrics computed from facts and other metrics.

    A per-account metric is a plain function of its declared inputs. A portfolio metric
    (``portfolio=True``) receives each input as a column over the whole portfolio and runs once,
    in the portfolio phase.

    :param register: call with a :class:`~kamcore.Metric` per metric.
    :param config: this plugin's policy configuration.

    .. versionadded:: 0.1

    Used from a policy as a name in any expression, or as a scorecard measure:
    ``metric = "recency_days"``.
    """


@hookspec
def kamcore_register_functions(
    register: Callable[[Function], None], config: Mapping[str, Any]
) -> None:
    """Add functions to the expression dialect.

    Only registered functions can be called from a policy. Each declares its parameter and
    result types so calls are type-checked when the policy loads. Portfolio functions
    (``portfolio=True``) are computed once over the whole portfolio.

    :param register: call with a :class:`~kamcore.Function` per function.
    :param config: this plugin's policy configuration.

    .. versionadded:: 0.1

    Used from a policy as a call: ``days_since(last_order_date) > 90``,
    ``percentile(revenue_12m) >= 0.8``.
    """


@hookspec
def kamcore_register_classifiers(
    register: Callable[[Classifier], None], config: Mapping[str, Any]
) -> None:
    """Supply classification logic (tiering, segmentation) that policies can call.

    A classifier returns one of its declared labels; it is callable from expressions under its
    name, and its labels let kamcore check that a tier order or table output mentions only
    labels it can produce.

    :param register: call with a :class:`~kamcore.Classifier` per classifier.
    :param config: this plugin's policy configuration.

    .. versionadded:: 0.1

    Used from a policy as ``[tier] expr = "abc_class(revenue_12m)"`` or in a table cell.
    """


@hookspec
def kamcore_register_tactics(register: Callable[[Tactic], None], config: Mapping[str, Any]) -> None:
    """Contribute retention tactics to the catalogue.

    Each tactic belongs to one of the five dimensions (emotional, benefit, service, strategic,
    professional) and carries a default owner role and deadline that a policy rule may override.

    :param register: call with a :class:`~kamcore.Tactic` per tactic.
    :param config: this plugin's policy configuration.

    .. versionadded:: 0.1

    Used from a policy as ``[[tactics.rules]] tactic = "executive_sponsor_visit"``.
    """


@hookspec
def kamcore_register_stage_models(
    register: Callable[[StageModel], None], config: Mapping[str, Any]
) -> None:
    """Supply lifecycle stage models: ordered stages and guarded transitions.

    :param register: call with a :class:`~kamcore.StageModel` per model.
    :param config: this plugin's policy configuration.

    .. versionadded:: 0.1

    Used from a policy as ``[lifecycle] model = "b2b_relationship"``; the policy may override
    or add transitions by id.
    """


#: Every hook, in the order kamcore calls them when building an engine.
HOOK_NAMES: tuple[str, ...] = (
    "kamcore_register_config_schema",
    "kamcore_register_facts",
    "kamcore_register_metrics",
    "kamcore_register_functions",
    "kamcore_register_classifiers",
    "kamcore_register_tactics",
    "kamcore_register_stage_models",
)
