"""The kamcore_saas pack as a third-party plugin: discovery, what it registers, its shipped
policies and their cases, the sample data, and its configuration section.

Everything goes through the public path a policy author takes: engines built from policies
(isolated by :mod:`kamcore.testing`, so the pack is found through its entry point), never the
plugin host or the registry built by hand.
"""

from __future__ import annotations

from collections import Counter
from importlib.metadata import entry_points
from pathlib import Path

import kamcore_saas
import pytest
from kamcore_saas import sample
from kamcore_saas.lifecycle import STAGES
from kamcore_saas.tactics import TACTICS

from kamcore import PolicyError
from kamcore.registry import DIMENSIONS, Registry
from kamcore.testing import assert_policy_tests

from .conftest import BARE, PLUGIN, POLICIES, SHIPPED, read_sample, saas_engine


def _registry(config: str = "") -> Registry:
    """What a policy activating the pack (with ``config``, TOML of ``[config.kamcore_saas]``)
    gets registered."""
    table = f"\n[config.kamcore_saas]\n{config}" if config else ""
    return saas_engine(BARE + table).registry


def test_the_pack_is_discovered_through_its_entry_point() -> None:
    (point,) = [e for e in entry_points(group="kamcore") if e.name == PLUGIN]
    assert point.value == "kamcore_saas"
    # isolated: the policy can load the pack only through that entry point
    engine = saas_engine(BARE)
    assert engine.plugins()[PLUGIN] == kamcore_saas.__version__


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
    assert saas_engine(BARE).overrides == []


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
    registry = _registry("adoption_target = 0.8\nadoption_floor = 0.6\nrenewal_window_days = 60\n")
    guards = {
        t["id"]: t["when"] for t in registry.stage_models["saas.customer_journey"].transitions
    }
    assert ">= 0.8" in guards["value-realised"]
    assert "< 0.6" in guards["adoption-slipped"]
    window = registry.metrics["saas.in_renewal_window"]
    assert window.fn(60) is True
    assert window.fn(61) is False


# Thresholds out of order are the policy author's to fix: the pack names the key at fault and
# kamcore reports it at that key's line, like a schema error. Of the two thresholds compared, the
# one changed from its default is blamed (else the higher one).
@pytest.mark.parametrize(
    ("config", "key", "message"),
    [
        # 100 000 is not above the default enterprise 250 000; only strategic was changed
        ("tiers = { strategic = 100_000 }", "tiers.strategic", "strategic > enterprise > growth"),
        # 300 000 is not below the default enterprise 250 000; only growth was changed
        ("tiers = { growth = 300_000 }", "tiers.growth", "strategic > enterprise > growth"),
        # both changed and out of order: the higher one, enterprise, is blamed
        (
            "tiers = { enterprise = 80_000, growth = 90_000 }",
            "tiers.enterprise",
            "strategic > enterprise > growth",
        ),
        ("adoption_floor = 0.7", "adoption_floor", "adoption_floor must be below adoption_target"),
        ("adoption_target = 0.4", "adoption_target", "adoption_floor must be below"),
        ("expansion_exit_nrr = 1.2", "expansion_exit_nrr", "expansion_exit_nrr must be below"),
        ("expansion_nrr = 0.9", "expansion_nrr", "expansion_exit_nrr must be below expansion_nrr"),
    ],
)
def test_thresholds_out_of_order_are_reported_at_their_key(
    config: str, key: str, message: str
) -> None:
    # BARE has 4 lines, then a blank line and the table header: the key is on line 7
    with pytest.raises(PolicyError) as info:
        saas_engine(f"{BARE}\n[config.kamcore_saas]\n{config}\n", name="order.toml")
    (problem,) = info.value.problems
    assert problem.location.key_path == f"config.{PLUGIN}.{key}"
    assert (problem.location.file, problem.location.line) == ("order.toml", 7)
    assert problem.message.startswith(f'plugin "{PLUGIN}": ')
    assert message in problem.message


def test_a_client_is_told_about_the_threshold_it_wrote_not_the_one_it_inherited() -> None:
    # the base states every tier; the client only raises growth above the base's enterprise
    text = """[policy]
id = "client"
version = "1"
extends = ["kamcore:saas/base.toml"]

[config.kamcore_saas]
renewal_window_days = 120
tiers = { growth = 300_000 }
"""
    with pytest.raises(PolicyError) as info:
        saas_engine(text, name="client.toml")
    (problem,) = info.value.problems
    assert problem.location.key_path == "config.kamcore_saas.tiers.growth"
    assert (problem.location.file, problem.location.line) == ("client.toml", 8)
    assert "growth = 300000" in problem.message


def test_a_typo_in_the_config_section_is_reported_with_its_line() -> None:
    text = f"{BARE}\n[config.kamcore_saas]\nrenewal_window_days = 60\nrenewal_windw_days = 90\n"
    with pytest.raises(PolicyError) as info:
        saas_engine(text, name="typo.toml")
    message = str(info.value)
    assert "typo.toml:8:" in message
    assert "renewal_windw_days" in message


def test_a_wrongly_typed_config_value_is_reported_with_its_line() -> None:
    text = f'{BARE}\n[config.kamcore_saas]\ntiers = {{ strategic = "a lot" }}\n'
    with pytest.raises(PolicyError) as info:
        saas_engine(text, name="typed.toml")
    assert "typed.toml:7:" in str(info.value)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_policies_build_and_pass_their_cases(path: Path) -> None:
    engine = saas_engine(path)
    assert PLUGIN in engine.plugins()
    assert len(assert_policy_tests(engine)) >= 4


def test_the_base_resolves_as_a_packaged_policy() -> None:
    text = '[policy]\nid = "x"\nversion = "1"\nextends = ["kamcore:saas/base.toml"]\n'
    engine = saas_engine(text)
    assert engine.policy.tier is not None
    assert engine.policy.tier.values == ("strategic", "enterprise", "growth", "scaled")


def test_the_sample_is_regenerated_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "sample.csv"
    sample.write_csv(out)
    assert out.read_bytes() == (POLICIES / "sample.csv").read_bytes()
    assert sample.generate(5, 1) == sample.generate(5, 1)
    assert sample.generate(5, 1) != sample.generate(5, 2)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_sample_evaluates_without_rejected_rows(path: Path) -> None:
    rows = read_sample()
    assert len(rows) == sample.SAMPLE_SIZE
    result = saas_engine(path).evaluate_portfolio(rows, as_of=sample.SAMPLE_AS_OF)
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
    engine = saas_engine(POLICIES / "example-northwind.toml")
    result = engine.evaluate_portfolio(read_sample(), as_of=sample.SAMPLE_AS_OF)
    tiers = Counter(e["tier"] for e in result)
    assert tiers["strategic"] <= 3
    china = [e for e in result if "china" in e["segments"]]
    assert china, "the sample has accounts of the Chinese subsidiary"
