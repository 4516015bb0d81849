"""The kamcore_saas pack as a third-party plugin: discovery, what it registers, its shipped
policies and their cases, the sample data, and its configuration section."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from kamcore_saas import sample
from kamcore_saas.lifecycle import STAGES
from kamcore_saas.tactics import TACTICS

from kamcore import Engine, PluginError, PolicyError
from kamcore.plugins import PluginHost, installed_plugins
from kamcore.policytests import run_cases
from kamcore.registry import DIMENSIONS, Registry

ROOT = Path(__file__).resolve().parents[3]
POLICIES = ROOT / "policies" / "saas"
SHIPPED = [POLICIES / "base.toml", POLICIES / "example-northwind.toml"]
PLUGIN = "kamcore_saas"


def _registry(config: dict[str, object] | None = None) -> Registry:
    host = PluginHost()
    host.activate([PLUGIN])
    return host.build_registry({PLUGIN: config or {}})


def test_the_pack_is_discovered_through_its_entry_point() -> None:
    found = installed_plugins()
    assert PLUGIN in found
    assert found[PLUGIN].value == "kamcore_saas"
    host = PluginHost()
    host.activate([PLUGIN])
    assert host.external == [PLUGIN]


def test_everything_registered_is_documented_and_labelled_in_english_and_chinese() -> None:
    registry = _registry()
    mine = registry.by_plugin()[PLUGIN]
    assert len(mine["facts"]) >= 20
    assert len(mine["metrics"]) >= 14
    for name in mine["facts"]:
        fact = registry.facts[name]
        assert name.startswith("saas.")
        assert fact.doc, name
        assert {"en", "zh"} <= set(fact.label), name
    for name in mine["metrics"]:
        metric = registry.metrics[name]
        assert name.startswith("saas.")
        assert metric.doc, name
        assert {"en", "zh"} <= set(metric.label), name
    for tid in mine["tactics"]:
        tactic = registry.tactics[tid]
        assert tid.startswith("saas.")
        assert tactic.description, tid
        assert {"en", "zh"} <= set(tactic.label), tid
    assert mine["classifiers"] == ["saas_tier", "saas_key_account"]
    assert mine["stage_models"] == ["saas.customer_journey"]
    assert mine["config_schema"] == [PLUGIN]


def test_the_pack_registers_no_built_in_name_again() -> None:
    assert _registry().overrides == []


def test_the_tactics_cover_the_five_dimensions() -> None:
    dimensions = Counter(t.dimension for t in TACTICS)
    assert set(dimensions) == set(DIMENSIONS)
    assert min(dimensions.values()) >= 2


def test_the_stage_model_is_the_customer_journey() -> None:
    model = _registry().stage_models["saas.customer_journey"]
    assert model.stages == (
        "onboarding",
        "adoption",
        "value_realisation",
        "renewal",
        "expansion_advocacy",
    )
    assert model.initial == "onboarding"
    assert set(model.label) == set(model.stages)
    # every stage but renewal enters renewal first, so the renewal window pre-empts the rest
    first = model.transitions[0]
    assert (first["id"], first["to"]) == ("enter-renewal", "renewal")
    assert sorted(first["from"]) == sorted(s for s in model.stages if s != "renewal")


def test_config_is_written_into_the_stage_guards_and_the_metrics() -> None:
    registry = _registry({"adoption_target": 0.8, "adoption_floor": 0.6, "renewal_window_days": 60})
    guards = {
        t["id"]: t["when"] for t in registry.stage_models["saas.customer_journey"].transitions
    }
    assert ">= 0.8" in guards["value-realised"]
    assert "< 0.6" in guards["adoption-slipped"]
    window = registry.metrics["saas.in_renewal_window"]
    assert window.fn(60) is True
    assert window.fn(61) is False


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"tiers": {"strategic": 100_000}}, "strategic > enterprise > growth"),
        ({"adoption_floor": 0.7}, "adoption_floor must be below adoption_target"),
        ({"expansion_exit_nrr": 1.2}, "expansion_exit_nrr must be below expansion_nrr"),
    ],
)
def test_thresholds_out_of_order_are_the_policy_authors_to_fix(
    config: dict[str, object], message: str
) -> None:
    with pytest.raises(PluginError, match=message) as info:
        _registry(config)
    assert info.value.plugin == PLUGIN


def test_a_typo_in_the_config_section_is_reported_with_its_line() -> None:
    text = """[policy]
id = "typo"
version = "1"
plugins = ["kamcore_saas"]

[config.kamcore_saas]
renewal_window_days = 60
renewal_windw_days = 90
"""
    with pytest.raises(PolicyError) as info:
        Engine.from_text(text, name="typo.toml")
    message = str(info.value)
    assert "typo.toml:8:" in message
    assert "renewal_windw_days" in message


def test_a_wrongly_typed_config_value_is_reported_with_its_line() -> None:
    text = """[policy]
id = "typed"
version = "1"
plugins = ["kamcore_saas"]

[config.kamcore_saas]
tiers = { strategic = "a lot" }
"""
    with pytest.raises(PolicyError) as info:
        Engine.from_text(text, name="typed.toml")
    assert "typed.toml:7:" in str(info.value)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_policies_build_and_pass_their_cases(path: Path) -> None:
    engine = Engine.from_policy(path)
    assert PLUGIN in engine.plugins()
    results = run_cases(engine)
    assert len(results) >= 4
    assert {r.id: r.mismatches or r.error for r in results if not r.passed} == {}


def test_the_base_resolves_as_a_packaged_policy() -> None:
    text = '[policy]\nid = "x"\nversion = "1"\nextends = ["kamcore:saas/base.toml"]\n'
    engine = Engine.from_text(text)
    assert engine.policy.tier is not None
    assert engine.policy.tier.values == ("strategic", "enterprise", "growth", "scaled")


def test_the_sample_is_regenerated_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "sample.csv"
    sample.write_csv(out)
    assert out.read_bytes() == (POLICIES / "sample.csv").read_bytes()
    assert sample.generate(5, 1) == sample.generate(5, 1)
    assert sample.generate(5, 1) != sample.generate(5, 2)


def _sample_rows() -> list[dict[str, str]]:
    with open(POLICIES / "sample.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_sample_evaluates_without_rejected_rows(path: Path) -> None:
    rows = _sample_rows()
    assert len(rows) == sample.SAMPLE_SIZE
    result = Engine.from_policy(path).evaluate_portfolio(rows, as_of=sample.SAMPLE_AS_OF)
    assert result.errors == []
    assert len(result) == len(rows)
    # the book has the shape the pack is for: every tier, stage and base alert occurs
    assert {e["tier"] for e in result} == {"strategic", "enterprise", "growth", "scaled"}
    assert {e["stage"]["value"] for e in result} == set(STAGES)
    fired = {a["id"] for e in result for a in e["alerts"]}
    assert {
        "usage-drop",
        "detractor",
        "p1-aging",
        "renewal-at-risk",
        "lapsed-renewal",
    } <= fired
    assert {e["scores"]["health"]["band"] for e in result} == {"red", "amber", "green"}


def test_the_northwind_sample_respects_the_strategic_cap() -> None:
    engine = Engine.from_policy(POLICIES / "example-northwind.toml")
    result = engine.evaluate_portfolio(_sample_rows(), as_of=sample.SAMPLE_AS_OF)
    tiers = Counter(e["tier"] for e in result)
    assert tiers["strategic"] <= 3
    china = [e for e in result if "china" in e["segments"]]
    assert china, "the sample has accounts of the Chinese subsidiary"
