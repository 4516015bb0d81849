"""The pack as a plugin: discovered through its entry point, registers typed, documented,
labelled vocabulary, and validates and reads its config section."""

from __future__ import annotations

from typing import Any

import kamcore_retail
import pytest

from kamcore import Engine, PluginError, PolicyError
from kamcore.plugins import PluginHost, installed_plugins
from kamcore.registry import DIMENSIONS, Registry

PLUGIN = "kamcore_retail"


def _registry(config: dict[str, Any] | None = None) -> Registry:
    return PluginHost({PLUGIN: kamcore_retail}).build_registry({PLUGIN: config or {}})


def _own(table: dict[str, Any]) -> dict[str, Any]:
    return {name: spec for name, spec in table.items() if spec.plugin == PLUGIN}


def test_discovered_through_its_entry_point() -> None:
    found = installed_plugins({})
    assert PLUGIN in found
    assert found[PLUGIN].value == "kamcore_retail"
    assert found[PLUGIN].entry_point.load() is kamcore_retail


def test_a_policy_activates_it_by_entry_point_name() -> None:
    engine = Engine.from_text('[policy]\nid = "p"\nversion = "1"\nplugins = ["kamcore_retail"]\n')
    assert PLUGIN in engine.plugins()
    assert "retail.sell_out_12m" in engine.registry.facts
    assert engine.registry.facts["retail.sell_out_12m"].plugin == PLUGIN


def test_registers_the_expected_vocabulary() -> None:
    registry = _registry()
    owned = registry.by_plugin()[PLUGIN]
    assert len(owned["facts"]) == 24
    assert len(owned["metrics"]) == 13
    assert owned["classifiers"] == ["retail_ka_tier"]
    assert owned["stage_models"] == ["retail_listing"]
    assert len(owned["tactics"]) == 12
    assert owned["config_schema"] == [PLUGIN]
    # an external plugin may replace built-ins; this one must not, by accident
    assert [o for o in registry.overrides if o[2] == PLUGIN] == []


def test_fact_and_metric_types() -> None:
    registry = _registry()
    kinds = {name: str(f.type) for name, f in _own(registry.facts).items()}
    assert kinds["retail.sell_out_12m"] == "money"
    assert kinds["retail.weighted_distribution"] == "ratio"
    assert kinds["retail.store_count"] == "integer"
    assert kinds["retail.buyer_changed_on"] == "date"
    assert kinds["retail.format"] == "string"
    metrics = _own(registry.metrics)
    assert str(metrics["retail.buyer_changed_recently"].type) == "boolean"
    assert metrics["retail.sell_out_share"].portfolio is True
    assert metrics["retail.wd_change"].unit == "points"


def test_everything_has_a_doc_and_english_and_chinese_labels() -> None:
    registry = _registry()
    for table in (registry.facts, registry.metrics):
        for name, spec in _own(table).items():
            assert name.startswith("retail."), name
            assert spec.doc, name
            assert spec.label.get("en"), name
            assert spec.label.get("zh"), name
    for tid, tactic in _own(registry.tactics).items():
        assert tid.startswith("retail."), tid
        assert tactic.description, tid
        assert tactic.label.get("en"), tid
        assert tactic.label.get("zh"), tid
    model = registry.stage_models["retail_listing"]
    assert model.doc
    assert all(model.label[s].get("en") for s in model.stages)
    assert all(model.label[s].get("zh") for s in model.stages)
    assert registry.classifiers["retail_ka_tier"].doc


def test_tactics_cover_all_five_dimensions() -> None:
    dimensions = {t.dimension for t in _own(_registry().tactics).values()}
    assert dimensions == set(DIMENSIONS)


def test_classifier_reads_the_tier_thresholds() -> None:
    default = _registry().functions["retail_ka_tier"].fn
    # 3 regions and exactly 30 M: NKA (thresholds are inclusive); 2 regions: RKA
    assert default(30_000_000, 3, 100) == "NKA"
    assert default(30_000_000, 2, 100) == "RKA"
    # 5 M through 20 stores: RKA; 19 stores or 4,999,999: other
    assert default(5_000_000, 1, 20) == "RKA"
    assert default(5_000_000, 1, 19) == "other"
    assert default(4_999_999, 1, 500) == "other"
    tuned = _registry({"tiers": {"nka_min_sell_out": 40_000_000, "nka_min_regions": 4}})
    assert tuned.functions["retail_ka_tier"].fn(30_000_000, 3, 100) == "RKA"
    assert tuned.functions["retail_ka_tier"].fn(40_000_000, 4, 100) == "NKA"


def test_stage_model_writes_the_lifecycle_thresholds_into_its_guards() -> None:
    guards = {
        t["id"]: t
        for t in _registry(
            {"lifecycle": {"at_risk_sell_out_growth": -0.1, "recover_consecutive": 3}}
        )
        .stage_models["retail_listing"]
        .transitions
    }
    assert guards["slip"]["when"] == (
        "coalesce(retail.sell_out_growth, 0) < -0.1 or coalesce(retail.wd_change, 0) <= -8.0"
    )
    assert guards["recover"]["consecutive"] == 3


def test_a_typo_in_the_config_section_is_reported_with_its_line() -> None:
    text = (
        "[policy]\n"
        'id = "typo"\n'
        'version = "1"\n'
        'plugins = ["kamcore_retail"]\n'
        "\n"
        "[config.kamcore_retail.tiers]\n"
        "nka_min_regions = 3\n"
        "nka_min_sellout = 40_000_000\n"
    )
    with pytest.raises(PolicyError) as caught:
        Engine.from_text(text, name="client.toml")
    (problem,) = caught.value.problems
    assert (problem.location.file, problem.location.line) == ("client.toml", 8)
    assert problem.location.key_path == "config.kamcore_retail.tiers.nka_min_sellout"
    assert "did you mean `nka_min_sell_out`" in problem.message
    assert str(caught.value).startswith("client.toml:8:")


def test_a_wrong_type_in_the_config_section_is_reported() -> None:
    text = (
        '[policy]\nid = "t"\nversion = "1"\nplugins = ["kamcore_retail"]\n\n'
        '[config.kamcore_retail]\nbuyer_change_window_days = "ninety"\n'
    )
    with pytest.raises(PolicyError) as caught:
        Engine.from_text(text, name="client.toml")
    assert caught.value.problems[0].location.line == 7


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"tiers": {"rka_min_sell_out": 50_000_000}}, "rka_min_sell_out"),
        ({"lifecycle": {"recover_sell_out_growth": -0.2}}, "recover_sell_out_growth"),
        ({"lifecycle": {"recover_wd_change_points": -8}}, "recover_wd_change_points"),
    ],
)
def test_contradictory_thresholds_are_a_usage_error(section: dict[str, Any], message: str) -> None:
    with pytest.raises(PluginError) as caught:
        _registry(section)
    assert caught.value.plugin == PLUGIN
    assert message in str(caught.value)


def test_config_defaults_apply_to_a_missing_section() -> None:
    config = kamcore_retail.read_config({})
    assert config.tiers.nka_min_sell_out == 30_000_000
    assert config.lifecycle.recover_consecutive == 2
    assert config.buyer_change_window_days == 90
    assert config == kamcore_retail.read_config(None)
