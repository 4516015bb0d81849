"""The packaged policy and a client policy extending it, evaluated by an engine; a typo in the
plugin's config section reported with its line; loading through the real entry point."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
from kamcore import PluginError, PolicyError
from kamcore.testing import AccountFactory, EngineFactory, Evaluator, PluginSet, PolicyTests

import kamcore_plugin_example
from kamcore_plugin_example import __version__

POLICY = "kamcore_plugin_example:policies/events.toml"
CLIENT = Path(__file__).parent / "client.toml"


@pytest.fixture
def plugin(kamcore_plugins: PluginSet) -> str:
    """The plugin module registered under its entry-point name, as a policy activates it."""
    return kamcore_plugins.add(kamcore_plugin_example)


@pytest.mark.usefixtures("plugin")
def test_the_packaged_policy_passes_its_own_cases(
    kamcore_engine: EngineFactory, kamcore_policy_tests: PolicyTests
) -> None:
    engine = kamcore_engine(POLICY)
    assert engine.id == "kamcore-plugin-example-events"
    results = kamcore_policy_tests(engine)
    assert len(results) == 4


@pytest.mark.usefixtures("plugin")
def test_a_client_policy_extends_it_and_changes_min_events(
    kamcore_engine: EngineFactory,
    kamcore_account: AccountFactory,
    kamcore_evaluate: Evaluator,
) -> None:
    engine = kamcore_engine(CLIENT)
    kamcore_account.defaults["revenue_12m"] = 3_000_000
    verdicts = kamcore_evaluate.portfolio(
        engine,
        [
            kamcore_account(id="few", events_invited_12m=4, events_attended_12m=0),
            kamcore_account(id="quiet", events_invited_12m=5, events_attended_12m=1),
            kamcore_account(id="keen", events_invited_12m=5, events_attended_12m=4),
        ],
    )
    assert {i: [t["id"] for t in e["tactics"]] for i, e in verdicts.items()} == {
        "few": [],  # 4 invitations: below this client's min_events = 5
        "quiet": ["vip_event_invitation"],  # 1 / 5 = 0.2 < 0.25
        "keen": [],
    }
    assert verdicts["quiet"]["alerts"][0]["reason"] == "attended 1 of 5 events in 12 months"


@pytest.mark.usefixtures("plugin")
def test_the_client_policy_passes_inherited_and_own_cases(
    kamcore_engine: EngineFactory, kamcore_policy_tests: PolicyTests
) -> None:
    assert len(kamcore_policy_tests(kamcore_engine(CLIENT))) == 5


@pytest.mark.usefixtures("plugin")
def test_a_typo_in_the_config_section_is_reported_with_its_line(
    kamcore_engine: EngineFactory,
) -> None:
    with pytest.raises(PolicyError) as info:
        kamcore_engine(
            """\
            [policy]
            id = "typo"
            version = "1"
            plugins = ["kamcore_plugin_example"]

            [config.kamcore_plugin_example]
            min_event = 5
            """
        )
    (problem,) = info.value.problems
    assert problem.location.line == 7
    assert problem.location.key_path == "config.kamcore_plugin_example.min_event"
    assert "did you mean `min_events`" in problem.message


@pytest.mark.usefixtures("plugin")
def test_a_wrong_config_type_is_reported(kamcore_engine: EngineFactory) -> None:
    with pytest.raises(PolicyError, match=r"config\.kamcore_plugin_example\.min_events"):
        kamcore_engine(
            '[policy]\nid = "t"\nversion = "1"\nplugins = ["kamcore_plugin_example"]\n\n'
            '[config.kamcore_plugin_example]\nmin_events = "three"\n'
        )


def _installed() -> bool:
    return any(ep.name == "kamcore_plugin_example" for ep in metadata.entry_points(group="kamcore"))


@pytest.mark.skipif(not _installed(), reason="kamcore-plugin-example is not pip-installed")
@pytest.mark.kamcore_installed("kamcore_plugin_example")
def test_the_installed_plugin_loads_through_its_entry_point(
    kamcore_engine: EngineFactory,
) -> None:
    engine = kamcore_engine(POLICY)
    assert engine.plugins()["kamcore_plugin_example"] == __version__


def test_an_installed_plugin_the_test_did_not_ask_for_stays_invisible(
    kamcore_engine: EngineFactory,
) -> None:
    with pytest.raises(PluginError, match="not installed") as info:
        kamcore_engine(POLICY)
    assert "KAMCORE_LOAD_PLUGINS is set to ''" in str(info.value)
