"""The pack as a plugin: discovered through its entry point, registering a documented,
namespaced vocabulary, and validating its own policy section."""

from __future__ import annotations

import re
from typing import Any

import kamcore_ict
import pytest

from kamcore import Engine, PluginError, PolicyError
from kamcore.plugins import PluginHost, installed_plugins
from kamcore.registry import DIMENSIONS, Registry

from .support import POLICY_DIR


def _registry(config: dict[str, Any] | None = None) -> Registry:
    host = PluginHost({"kamcore_ict": kamcore_ict}, environ={})
    return host.build_registry({"kamcore_ict": config or {}})


def test_discovered_through_its_entry_point() -> None:
    found = installed_plugins(environ={})
    assert found["kamcore_ict"].value == "kamcore_ict"
    assert found["kamcore_ict"].entry_point.load() is kamcore_ict


def test_a_policy_activates_it_by_entry_point_name() -> None:
    engine = Engine.from_text(
        '[policy]\nid = "x"\nversion = "1"\nplugins = ["kamcore_ict"]\n\n'
        '[metrics]\nwin = "coalesce(ict.win_rate, 0)"\n',
        environ={},
    )
    assert "kamcore_ict" in engine.plugins()
    assert engine.registry.metrics["ict.win_rate"].plugin == "kamcore_ict"


def test_everything_is_documented_and_labelled_in_english_and_chinese() -> None:
    registry = _registry()
    mine = registry.by_plugin()["kamcore_ict"]
    specs: list[Any] = [registry.facts[n] for n in mine["facts"]]
    specs += [registry.metrics[n] for n in mine["metrics"]]
    specs += [registry.tactics[n] for n in mine["tactics"]]
    for spec in specs:
        name = getattr(spec, "name", None) or spec.id
        assert getattr(spec, "doc", None) or spec.description, name
        assert set(spec.label) >= {"en", "zh"}, name
        assert re.search(r"[\u4e00-\u9fff]", spec.label["zh"]), name
    for name in mine["classifiers"]:
        assert registry.classifiers[name].doc
    model = registry.stage_models["ict_relationship"]
    assert set(model.label) == set(model.stages)


def test_names_are_namespaced_and_nothing_built_in_is_replaced() -> None:
    registry = _registry()
    mine = registry.by_plugin()["kamcore_ict"]
    # every name is namespaced (`owners`, the account's team, is a built-in fact)
    plain = [n for n in mine["facts"] + mine["metrics"] if not n.startswith("ict.")]
    assert plain == []
    assert all(t.startswith("ict.") for t in mine["tactics"])
    assert all(c.startswith("ict_") for c in mine["classifiers"])
    # nothing of kamcore's is replaced
    assert [o for o in registry.overrides if o[2] == "kamcore_ict"] == []


def test_tactics_cover_all_five_dimensions() -> None:
    registry = _registry()
    tactics = [registry.tactics[t] for t in registry.by_plugin()["kamcore_ict"]["tactics"]]
    assert {t.dimension for t in tactics} == set(DIMENSIONS)


def test_product_lines_come_from_the_config() -> None:
    registry = _registry({"product_lines": ["wireless", "optical"]})
    assert "ict.profit_wireless" in registry.facts
    assert "ict.profit_cloud" not in registry.facts
    assert registry.metrics["ict.profit_contribution"].inputs == (
        "ict.profit_12m",
        "ict.profit_wireless",
        "ict.profit_optical",
    )


def test_the_classifier_labels_follow_na_meaning() -> None:
    assert _registry({"na_meaning": "normal"}).classifiers["ict_account_class"].labels == (
        "KA",
        "NA",
    )
    assert _registry().classifiers["ict_account_class"].labels == ("KA", "NA", "other")


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
        Engine.from_text(_policy('na_meaning = "named"\nna_meening = "normal"\n'), name="p.toml")
    message = str(caught.value)
    assert "p.toml:8:" in message  # the line of the misspelt key
    assert "na_meening" in message


def test_a_wrong_na_meaning_is_reported() -> None:
    with pytest.raises(PolicyError) as caught:
        Engine.from_text(_policy('na_meaning = "nominal"\n'), name="p.toml")
    assert "p.toml:7:" in str(caught.value)
    assert "named" in str(caught.value)


def test_a_grid_with_medium_above_high_is_refused() -> None:
    with pytest.raises(PluginError) as caught:
        Engine.from_text(_policy("grid = { medium = 70, high = 40 }\n"))
    assert caught.value.plugin == "kamcore_ict"
    assert "medium (70) must be below high (40)" in str(caught.value)


def test_the_base_policy_is_resolvable_by_its_package_path() -> None:
    engine = Engine.from_text(
        '[policy]\nid = "client"\nversion = "1"\nextends = ["kamcore:ict/base.toml"]\n',
        base_dir=POLICY_DIR,
    )
    assert engine.registry.stage_models["ict_relationship"].plugin == "kamcore_ict"
    assert engine.policy.tier is not None
    assert engine.policy.tier.caps[0].order_by == "score.priority"
