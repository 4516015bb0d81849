"""Unit tests of what the plugin registers: the metric function itself, and the metric, facts
and tactic as kamcore sees them once the plugin's hooks have run."""

from __future__ import annotations

import pytest
from kamcore.testing import AccountFactory, EngineFactory, Evaluator, PluginSet, RegistryFactory

import kamcore_plugin_example
from kamcore_plugin_example import event_engagement


@pytest.mark.parametrize(
    ("attended", "invited", "min_events", "expected"),
    [
        (6, 10, 3, 0.6),
        (0, 3, 3, 0.0),
        (3, 3, 3, 1.0),
        (0, 2, 3, None),  # too few invitations to judge
        (0, 0, 1, None),  # never invited: no division by zero
        (5, 4, 3, 1.0),  # walk-ins count as full engagement, not more
    ],
)
def test_event_engagement(
    attended: int, invited: int, min_events: int, expected: float | None
) -> None:
    assert event_engagement(attended, invited, min_events) == expected


def test_the_metric_reads_min_events_from_the_config(
    kamcore_plugins: PluginSet, kamcore_registry: RegistryFactory
) -> None:
    name = kamcore_plugins.add(kamcore_plugin_example)
    registry = kamcore_registry(config={name: {"min_events": 5}})
    metric = registry.metrics["event_engagement"]
    assert metric.plugin == "kamcore_plugin_example"
    assert metric.inputs == ("events_attended_12m", "events_invited_12m")
    assert metric.fn(2, 4) is None
    assert metric.fn(2, 5) == pytest.approx(0.4)


def test_without_config_the_default_min_events_applies(
    kamcore_plugins: PluginSet, kamcore_registry: RegistryFactory
) -> None:
    kamcore_plugins.add(kamcore_plugin_example)
    metric = kamcore_registry().metrics["event_engagement"]
    assert metric.fn(0, kamcore_plugin_example.DEFAULT_MIN_EVENTS - 1) is None
    assert metric.fn(0, kamcore_plugin_example.DEFAULT_MIN_EVENTS) == 0.0


def test_facts_and_tactic_are_registered(
    kamcore_plugins: PluginSet, kamcore_registry: RegistryFactory
) -> None:
    kamcore_plugins.add(kamcore_plugin_example)
    registry = kamcore_registry()
    invited = registry.facts["events_invited_12m"]
    assert (invited.value_type.kind, invited.plugin) == ("integer", "kamcore_plugin_example")
    tactic = registry.tactics["vip_event_invitation"]
    assert tactic.dimension == "emotional"
    assert set(tactic.label) == {"en", "zh"}
    assert registry.config_schemas["kamcore_plugin_example"] == (
        kamcore_plugin_example.CONFIG_SCHEMA
    )


def test_the_metric_in_a_policy_expression(
    kamcore_plugins: PluginSet,
    kamcore_engine: EngineFactory,
    kamcore_account: AccountFactory,
    kamcore_evaluate: Evaluator,
) -> None:
    kamcore_plugins.add(kamcore_plugin_example)
    engine = kamcore_engine(
        """
        [policy]
        id = "engagement-only"
        version = "1"
        plugins = ["kamcore_plugin_example"]

        [[alerts]]
        id = "low-engagement"
        when = "coalesce(event_engagement, 1) < 0.5"
        points = 10
        """
    )
    quiet = kamcore_evaluate(engine, kamcore_account(events_invited_12m=6, events_attended_12m=1))
    assert quiet["metrics"]["event_engagement"] == pytest.approx(1 / 6)
    assert [a["id"] for a in quiet["alerts"]] == ["low-engagement"]
    unknown = kamcore_evaluate(engine, kamcore_account())  # no attendance facts at all
    assert unknown["metrics"]["event_engagement"] is None
    assert unknown["alerts"] == []
