"""The pack as a plugin: discovered through its entry point, registering a documented,
namespaced vocabulary, and validating its own policy section."""

from __future__ import annotations

import re
from importlib.metadata import entry_points
from typing import Any

import kamcore_ict
import pytest

from kamcore import PolicyError
from kamcore.registry import DIMENSIONS
from kamcore.testing import RegistryFactory

from .support import PLUGIN, ict_engine


@pytest.fixture
def registry(kamcore_registry: RegistryFactory) -> Any:
    """What the installed pack registers for a ``[config.kamcore_ict]`` table (default: empty),
    loaded through its entry point as a policy naming it would."""

    def build(config: dict[str, Any] | None = None) -> Any:
        return kamcore_registry(installed=[PLUGIN], config={PLUGIN: config or {}})

    return build


def test_discovered_through_its_entry_point() -> None:
    (found,) = [ep for ep in entry_points(group="kamcore") if ep.name == PLUGIN]
    assert found.value == "kamcore_ict"
    assert found.load() is kamcore_ict


def test_a_policy_activates_it_by_entry_point_name() -> None:
    engine = ict_engine(
        '[policy]\nid = "x"\nversion = "1"\nplugins = ["kamcore_ict"]\n\n'
        '[metrics]\nwin = "coalesce(ict.win_rate, 0)"\n'
    )
    assert PLUGIN in engine.plugins()
    assert engine.registry.metrics["ict.win_rate"].plugin == PLUGIN


def test_everything_is_documented_and_labelled_in_english_and_chinese(registry: Any) -> None:
    built = registry()
    mine = built.by_plugin()[PLUGIN]
    specs: list[Any] = [built.facts[n] for n in mine["facts"]]
    specs += [built.metrics[n] for n in mine["metrics"]]
    specs += [built.tactics[n] for n in mine["tactics"]]
    for spec in specs:
        name = getattr(spec, "name", None) or spec.id
        assert getattr(spec, "doc", None) or spec.description, name
        assert set(spec.label) >= {"en", "zh"}, name
        assert re.search(r"[\u4e00-\u9fff]", spec.label["zh"]), name
    for name in mine["classifiers"]:
        assert built.classifiers[name].doc
    model = built.stage_models["ict_relationship"]
    assert set(model.label) == set(model.stages)


def test_names_are_namespaced_and_nothing_built_in_is_replaced(registry: Any) -> None:
    built = registry()
    mine = built.by_plugin()[PLUGIN]
    # every name is namespaced (`owners`, the account's team, is a built-in fact)
    plain = [n for n in mine["facts"] + mine["metrics"] if not n.startswith("ict.")]
    assert plain == []
    assert all(t.startswith("ict.") for t in mine["tactics"])
    assert all(c.startswith("ict_") for c in mine["classifiers"])
    # nothing of kamcore's is replaced
    assert [o for o in built.overrides if o[2] == PLUGIN] == []


def test_tactics_cover_all_five_dimensions(registry: Any) -> None:
    built = registry()
    tactics = [built.tactics[t] for t in built.by_plugin()[PLUGIN]["tactics"]]
    assert {t.dimension for t in tactics} == set(DIMENSIONS)


def test_product_lines_come_from_the_config(registry: Any) -> None:
    built = registry({"product_lines": ["wireless", "optical"]})
    assert "ict.profit_wireless" in built.facts
    assert "ict.profit_cloud" not in built.facts
    assert built.metrics["ict.profit_contribution"].inputs == (
        "ict.profit_12m",
        "ict.profit_wireless",
        "ict.profit_optical",
    )


def test_the_classifier_labels_follow_na_meaning(registry: Any) -> None:
    assert registry({"na_meaning": "normal"}).classifiers["ict_account_class"].labels == (
        "KA",
        "NA",
    )
    assert registry().classifiers["ict_account_class"].labels == ("KA", "NA", "other")


def test_the_key_dm_window_reaches_the_metric_doc(registry: Any) -> None:
    doc = registry({"dm_left_window_days": 120}).metrics["ict.key_dm_left_recently"].doc
    assert "in the last 120 days" in doc


def _policy(config: str) -> str:
    return (
        "[policy]\n"
        'id = "x"\n'
        'version = "1"\n'
        'plugins = ["kamcore_ict"]\n'
        "\n"
        "[config.kamcore_ict]\n" + config
    )


def test_a_typo_in_the_config_section_is_reported_with_its_line() -> None:
    with pytest.raises(PolicyError) as caught:
        ict_engine(_policy('na_meaning = "named"\nna_meening = "normal"\n'), name="p.toml")
    message = str(caught.value)
    assert "p.toml:8:" in message  # the line of the misspelt key
    assert "na_meening" in message


def test_a_wrong_na_meaning_is_reported() -> None:
    with pytest.raises(PolicyError) as caught:
        ict_engine(_policy('na_meaning = "nominal"\n'), name="p.toml")
    assert "p.toml:7:" in str(caught.value)
    assert "named" in str(caught.value)


@pytest.mark.parametrize(
    ("config", "key", "line"),
    [
        # both given on one line: located at `medium`, line 7 of the policy
        ("grid = { medium = 70, high = 40 }\n", "grid.medium", 7),
        # a [config.kamcore_ict.grid] table: each key on its own line
        ("\n[config.kamcore_ict.grid]\nmedium = 70\nhigh = 40\n", "grid.medium", 9),
        # only `high` given, below the default medium of 40: located at `high`
        ("\n[config.kamcore_ict.grid]\nhigh = 30\n", "grid.high", 9),
    ],
    ids=["inline", "table", "high-only"],
)
def test_a_grid_with_medium_not_below_high_is_a_located_policy_error(
    config: str, key: str, line: int
) -> None:
    with pytest.raises(PolicyError) as caught:
        ict_engine(_policy(config), name="p.toml")
    (problem,) = caught.value.problems
    assert problem.location.key_path == f"config.kamcore_ict.{key}"
    assert (problem.location.file, problem.location.line) == ("p.toml", line)
    assert 'plugin "kamcore_ict"' in problem.message
    assert "must be below high" in problem.message


def test_the_base_policy_is_resolvable_by_its_package_path() -> None:
    engine = ict_engine(
        '[policy]\nid = "client"\nversion = "1"\nextends = ["kamcore:ict/base.toml"]\n'
    )
    assert engine.registry.stage_models["ict_relationship"].plugin == PLUGIN
    assert engine.policy.tier is not None
    assert engine.policy.tier.caps[0].order_by == "score.priority"
