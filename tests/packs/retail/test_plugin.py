"""The pack as a plugin: discovered through its entry point, registers typed, documented,
labelled vocabulary, and validates and reads its config section.

Everything goes through kamcore's public surface and :mod:`kamcore.testing`: the entry point
as ``importlib.metadata`` sees it, engines and registries built by the ``kamcore_engine`` and
``kamcore_registry`` fixtures with only this pack visible, and config mistakes reported as
:class:`~kamcore.PolicyError` at the policy line that holds them.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import kamcore_retail
import pytest

from kamcore import PolicyError
from kamcore.registry import DIMENSIONS, Registry
from kamcore.testing import EngineFactory, RegistryFactory

from .conftest import PLUGIN, retail_engine

pytestmark = pytest.mark.kamcore_installed(PLUGIN)

HEADER = '[policy]\nid = "p"\nversion = "1"\nplugins = ["kamcore_retail"]\n'


def _registry(factory: RegistryFactory, config: dict[str, Any] | None = None) -> Registry:
    return factory(config={PLUGIN: config or {}})


def _own(table: dict[str, Any]) -> dict[str, Any]:
    return {name: spec for name, spec in table.items() if spec.plugin == PLUGIN}


def test_discovered_through_its_entry_point() -> None:
    (found,) = [ep for ep in entry_points(group="kamcore") if ep.name == PLUGIN]
    assert found.value == "kamcore_retail"
    assert found.load() is kamcore_retail


def test_a_policy_activates_it_by_entry_point_name(kamcore_engine: EngineFactory) -> None:
    engine = kamcore_engine(HEADER)
    assert PLUGIN in engine.plugins()
    assert "retail.sell_out_12m" in engine.registry.facts
    assert engine.registry.facts["retail.sell_out_12m"].plugin == PLUGIN


def test_registers_the_expected_vocabulary(kamcore_engine: EngineFactory) -> None:
    engine = kamcore_engine(HEADER)
    owned = engine.registry.by_plugin()[PLUGIN]
    assert len(owned["facts"]) == 24
    # 13 value metrics and the data check retail.ratios_out_of_range
    assert len(owned["metrics"]) == 14
    assert owned["classifiers"] == ["retail_ka_tier"]
    assert owned["stage_models"] == ["retail_listing"]
    assert len(owned["tactics"]) == 12
    assert owned["config_schema"] == [PLUGIN]
    # an external plugin may replace built-ins; this one must not, by accident
    assert [o for o in engine.overrides if o[2] == PLUGIN] == []


def test_fact_and_metric_types(kamcore_registry: RegistryFactory) -> None:
    registry = _registry(kamcore_registry)
    kinds = {name: str(f.type) for name, f in _own(registry.facts).items()}
    assert kinds["retail.sell_out_12m"] == "money"
    assert kinds["retail.weighted_distribution"] == "ratio"
    assert kinds["retail.store_count"] == "integer"
    assert kinds["retail.buyer_changed_on"] == "date"
    assert kinds["retail.format"] == "string"
    metrics = _own(registry.metrics)
    assert str(metrics["retail.buyer_changed_recently"].type) == "boolean"
    assert str(metrics["retail.ratios_out_of_range"].type) == "string"
    assert metrics["retail.sell_out_share"].portfolio is True
    assert metrics["retail.wd_change"].unit == "points"


def test_everything_has_a_doc_and_english_and_chinese_labels(
    kamcore_registry: RegistryFactory,
) -> None:
    registry = _registry(kamcore_registry)
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


def test_tactics_cover_all_five_dimensions(kamcore_registry: RegistryFactory) -> None:
    dimensions = {t.dimension for t in _own(_registry(kamcore_registry).tactics).values()}
    assert dimensions == set(DIMENSIONS)


def test_classifier_reads_the_tier_thresholds(kamcore_registry: RegistryFactory) -> None:
    default = _registry(kamcore_registry).functions["retail_ka_tier"].fn
    # 3 regions and exactly 30 M: NKA (thresholds are inclusive); 2 regions: RKA
    assert default(30_000_000, 3, 100) == "NKA"
    assert default(30_000_000, 2, 100) == "RKA"
    # 5 M through 20 stores: RKA; 19 stores or 4,999,999: other
    assert default(5_000_000, 1, 20) == "RKA"
    assert default(5_000_000, 1, 19) == "other"
    assert default(4_999_999, 1, 500) == "other"
    tuned = _registry(
        kamcore_registry, {"tiers": {"nka_min_sell_out": 40_000_000, "nka_min_regions": 4}}
    )
    assert tuned.functions["retail_ka_tier"].fn(30_000_000, 3, 100) == "RKA"
    assert tuned.functions["retail_ka_tier"].fn(40_000_000, 4, 100) == "NKA"


def test_stage_model_writes_the_lifecycle_thresholds_into_its_guards(
    kamcore_registry: RegistryFactory,
) -> None:
    config = {
        "lifecycle": {
            "at_risk_sell_out_growth": -0.1,
            "recover_consecutive": 3,
            "established_min_days_listed": 300,
        }
    }
    model = _registry(kamcore_registry, config).stage_models["retail_listing"]
    guards = {t["id"]: t for t in model.transitions}
    assert guards["slip"]["when"] == (
        "coalesce(retail.sell_out_growth, 0) < -0.1 or coalesce(retail.wd_change, 0) <= -8.0"
    )
    assert guards["recover"]["consecutive"] == 3
    # a distribution outside 0..1 is no evidence (finding 15): the guards bound it
    assert guards["ramp_up"]["when"] == "0.2 <= coalesce(retail.numeric_distribution, 0) <= 1"
    assert guards["establish"]["when"] == (
        "coalesce(retail.days_listed, 0) >= 300 "
        "and 0.5 <= coalesce(retail.weighted_distribution, 0) <= 1"
    )
    # twice the establishing age ends a ramp-up whatever the distribution (finding 11)
    assert (guards["settle"]["from"], guards["settle"]["to"]) == (["ramp_up"], "established")
    assert guards["settle"]["when"] == "coalesce(retail.days_listed, 0) >= 600"
    # most urgent first: a sliding listing goes to at_risk before it can settle
    order = [t["id"] for t in model.transitions]
    assert order.index("slip") < order.index("establish") < order.index("settle")


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
        retail_engine(text, name="client.toml")
    (problem,) = caught.value.problems
    assert (problem.location.file, problem.location.line) == ("client.toml", 8)
    assert problem.location.key_path == "config.kamcore_retail.tiers.nka_min_sellout"
    assert "did you mean `nka_min_sell_out`" in problem.message
    assert str(caught.value).startswith("client.toml:8:")


def test_a_wrong_type_in_the_config_section_is_reported(kamcore_engine: EngineFactory) -> None:
    text = HEADER + '\n[config.kamcore_retail]\nbuyer_change_window_days = "ninety"\n'
    with pytest.raises(PolicyError) as caught:
        kamcore_engine(text)
    assert caught.value.problems[0].location.line == 7


@pytest.mark.parametrize("margin", [0, -0.1, 1.2])
def test_a_gross_margin_outside_0_to_1_is_reported(
    kamcore_engine: EngineFactory, margin: float
) -> None:
    # 0 would make every trade spend a total loss; above 1 the margin exceeds the revenue
    text = HEADER + f"\n[config.kamcore_retail]\ngross_margin_rate = {margin}\n"
    with pytest.raises(PolicyError) as caught:
        kamcore_engine(text)
    (problem,) = caught.value.problems
    assert problem.location.key_path == "config.kamcore_retail.gross_margin_rate"
    assert problem.location.line == 7
    assert "unknown" not in problem.message  # the key is known; its value is out of range


def test_a_gross_margin_is_read(kamcore_registry: RegistryFactory) -> None:
    # ROI of 1 M trade spend that brought 2.5 M of extra revenue: at a 40 % margin
    # (2.5 M * 0.4 - 1 M) / 1 M = 0; at the default 35 % (0.875 M - 1 M) / 1 M = -0.125
    tuned = _registry(kamcore_registry, {"gross_margin_rate": 0.4})
    assert tuned.metrics["retail.trade_spend_roi"].fn(1_000_000, 2_500_000) == 0
    default = _registry(kamcore_registry)
    assert default.metrics["retail.trade_spend_roi"].fn(1_000_000, 2_500_000) == -0.125


# The section below is written on lines 6 to 13 of the policy, so each contradiction is reported
# at the key that holds the offending threshold.
CONTRADICTIONS = """\
[policy]
id = "contradiction"
version = "1"
plugins = ["kamcore_retail"]

[config.kamcore_retail.tiers]
nka_min_sell_out = {nka}
rka_min_sell_out = {rka}

[config.kamcore_retail.lifecycle]
at_risk_sell_out_growth = -0.15
recover_sell_out_growth = {recover_growth}
recover_wd_change_points = {recover_wd}
"""
FINE = {"nka": 30_000_000, "rka": 5_000_000, "recover_growth": 0.0, "recover_wd": 0}


@pytest.mark.parametrize(
    ("changed", "key", "line"),
    [
        # a regional KA needing 50 M while a national one needs 30 M
        ({"rka": 50_000_000}, "tiers.rka_min_sell_out", 8),
        # recovering at -20 % growth while -15 % already means at risk: the stage would flap
        ({"recover_growth": -0.2}, "lifecycle.recover_sell_out_growth", 12),
        # recovering at a -8 point WD change, the very fall that puts a listing at risk
        ({"recover_wd": -8}, "lifecycle.recover_wd_change_points", 13),
    ],
)
def test_contradictory_thresholds_are_located_at_their_key(
    kamcore_engine: EngineFactory, changed: dict[str, Any], key: str, line: int
) -> None:
    text = CONTRADICTIONS.format(**{**FINE, **changed})
    with pytest.raises(PolicyError) as caught:
        kamcore_engine(text)
    (problem,) = caught.value.problems
    assert problem.location.key_path == f"config.kamcore_retail.{key}"
    assert problem.location.line == line
    assert problem.location.file is not None
    assert problem.location.file.startswith("<policy in test_contradictory")
    assert problem.message.startswith('plugin "kamcore_retail": ')
    assert key.split(".")[1] in problem.message


def test_the_contradiction_fixture_itself_builds(kamcore_engine: EngineFactory) -> None:
    # the parametrised cases above change one value each; with none changed the policy is fine
    engine = kamcore_engine(CONTRADICTIONS.format(**FINE))
    assert PLUGIN in engine.plugins()


def test_config_defaults_apply_to_a_missing_section() -> None:
    config = kamcore_retail.read_config({})
    assert config.tiers.nka_min_sell_out == 30_000_000
    assert config.lifecycle.recover_consecutive == 2
    assert config.buyer_change_window_days == 90
    assert config.gross_margin_rate == 0.35
    assert config == kamcore_retail.read_config(None)
