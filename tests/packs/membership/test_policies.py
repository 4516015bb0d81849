"""The pack as a plugin: discovered through its entry point, its shipped policies load and
pass their own cases, the sample is reproducible and evaluates cleanly, and policy mistakes
in its section are reported where they are."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from kamcore_membership._numeric import NUMERIC_HINT
from kamcore_membership.portfolio import clear_fit_cache
from kamcore_membership.sample import SAMPLE_AS_OF, write_csv

from kamcore import Engine, PluginError, PolicyError
from kamcore.plugins import installed_plugins
from kamcore.policytests import run_cases

from .conftest import BASE, EXAMPLE, SAMPLE, read_sample


def test_discovered_through_its_entry_point() -> None:
    plugins = installed_plugins()
    assert "kamcore_membership" in plugins
    assert plugins["kamcore_membership"].value == "kamcore_membership"


@pytest.mark.parametrize("path", [BASE, EXAMPLE], ids=lambda p: p.name)
def test_shipped_policy_passes_its_cases(path: Path) -> None:
    engine = Engine.from_policy(path)
    assert "kamcore_membership" in engine.plugins()
    results = run_cases(engine)
    assert results, "every shipped policy carries test cases"
    assert {r.id: r.mismatches or r.error for r in results if not r.passed} == {}


def test_example_replaces_the_base_cases_with_its_own() -> None:
    ids = [case["id"] for case in Engine.from_policy(EXAMPLE).policy.tests]
    assert ids
    assert all(
        i.startswith(("gold-", "overdue-", "sensitive-", "churned-", "diamond-")) for i in ids
    )


def test_base_resolves_as_a_packaged_policy() -> None:
    text = '[policy]\nid = "client"\nversion = "1"\nextends = ["kamcore:membership/base.toml"]\n'
    engine = Engine.from_text(text, name="client.toml")
    assert engine.policy.tier is not None
    assert engine.policy.tier.values == ("diamond", "gold", "silver", "regular")


def test_sample_is_reproducible(tmp_path: Path) -> None:
    regenerated = tmp_path / "sample.csv"
    write_csv(regenerated)
    assert regenerated.read_bytes() == SAMPLE.read_bytes()


@pytest.mark.parametrize("path", [BASE, EXAMPLE], ids=lambda p: p.name)
def test_sample_evaluates_without_rejected_rows(path: Path) -> None:
    rows = read_sample()
    assert 300 <= len(rows) <= 500
    result = Engine.from_policy(path).evaluate_portfolio(rows, as_of=SAMPLE_AS_OF)
    assert result.errors == []
    assert len(result) == len(rows)
    stages = Counter(e["stage"]["value"] for e in result)
    assert set(stages) == {"visitor", "buyer", "repeat_buyer", "loyal_member", "lapsed"}
    tiers = Counter(e["tier"] for e in result)
    assert set(tiers) == {"diamond", "gold", "silver", "regular"}
    assert tiers["diamond"] < tiers["gold"] < tiers["silver"] < tiers["regular"]
    # 400 members with a purchase history: the models are fitted, not taken from the priors
    bases = {e["metrics"]["membership.model_basis"] for e in result}
    assert bases == {"bgnbd=fitted; gamma_gamma=fitted", None}
    dimensions = {t["dimension"] for e in result for t in e["tactics"]}
    assert dimensions == {"emotional", "benefit", "service", "strategic", "professional"}


def test_typo_in_the_pack_section_is_reported_with_its_line() -> None:
    text = (
        "[policy]\n"
        'id = "client"\n'
        'version = "1"\n'
        'extends = ["kamcore:membership/base.toml"]\n'
        "\n"
        "[config.kamcore_membership]\n"
        "lapse_dayz = 200\n"
    )
    with pytest.raises(PolicyError) as info:
        Engine.from_text(text, name="client.toml")
    message = str(info.value)
    assert message.startswith("client.toml:7:1: [config.kamcore_membership.lapse_dayz]")
    assert "did you mean `lapse_days`?" in message


def test_wrong_type_in_the_pack_section_is_reported_with_its_line() -> None:
    text = (
        "[policy]\n"
        'id = "client"\n'
        'version = "1"\n'
        'extends = ["kamcore:membership/base.toml"]\n'
        "\n"
        "[config.kamcore_membership.bgnbd]\n"
        'r = "0.2"\n'
    )
    with pytest.raises(PolicyError) as info:
        Engine.from_text(text, name="client.toml")
    assert "client.toml:7:" in str(info.value)


def test_inconsistent_settings_name_the_plugin() -> None:
    text = (
        "[policy]\n"
        'id = "client"\n'
        'version = "1"\n'
        'extends = ["kamcore:membership/base.toml"]\n'
        "\n"
        "[config.kamcore_membership]\n"
        "lapse_days = 60\n"
    )
    with pytest.raises(PluginError) as info:
        Engine.from_text(text, name="client.toml")
    assert info.value.plugin == "kamcore_membership"
    assert "reactivate_days (90) must be below lapse_days (60)" in str(info.value)


def test_without_scipy_the_fit_explains_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine.from_policy(BASE)
    clear_fit_cache()
    monkeypatch.setitem(sys.modules, "scipy.optimize", None)
    with pytest.raises(PluginError) as info:
        engine.evaluate_portfolio(read_sample(), as_of=SAMPLE_AS_OF)
    assert info.value.plugin == "kamcore_membership"
    assert NUMERIC_HINT in str(info.value)
