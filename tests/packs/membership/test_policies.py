"""The pack as a plugin: discovered through its entry point, its shipped policies load and
pass their own cases, the sample is reproducible and evaluates cleanly, and policy mistakes
in its section are reported where they are."""

from __future__ import annotations

import sys
from collections import Counter
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from kamcore_membership._numeric import NUMERIC_HINT
from kamcore_membership.portfolio import clear_fit_cache
from kamcore_membership.sample import SAMPLE_AS_OF, write_csv

from kamcore import PluginError, PolicyError
from kamcore.testing import assert_policy_tests

from .conftest import BARE, BASE, EXAMPLE, PLUGIN, SAMPLE, membership_engine, read_sample


def test_discovered_through_its_entry_point() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="kamcore")}
    assert found[PLUGIN] == "kamcore_membership"


@pytest.mark.parametrize("path", [BASE, EXAMPLE], ids=lambda p: p.name)
def test_shipped_policy_passes_its_cases(path: Path) -> None:
    engine = membership_engine(path)
    assert PLUGIN in engine.plugins()
    assert_policy_tests(engine)


def test_example_replaces_the_base_cases_with_its_own() -> None:
    ids = [case["id"] for case in membership_engine(EXAMPLE).policy.tests]
    assert ids
    assert all(
        i.startswith(("gold-", "overdue-", "sensitive-", "churned-", "diamond-", "no-order-value-"))
        for i in ids
    )


def test_base_resolves_as_a_packaged_policy() -> None:
    text = '[policy]\nid = "client"\nversion = "1"\nextends = ["kamcore:membership/base.toml"]\n'
    engine = membership_engine(text, name="client.toml")
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
    result = membership_engine(path).evaluate_portfolio(rows, as_of=SAMPLE_AS_OF)
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
        membership_engine(text, name="client.toml")
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
        membership_engine(text, name="client.toml")
    assert "client.toml:7:" in str(info.value)


_CLIENT = (
    "[policy]\n"
    'id = "client"\n'
    'version = "1"\n'
    'extends = ["kamcore:membership/base.toml"]\n'
    "\n"
    "[config.kamcore_membership]\n"
)
_BARE = BARE + "\n[config.kamcore_membership]\n"  # the pack alone: no priors, default ladder


@pytest.mark.parametrize(
    ("text", "location", "message"),
    [
        pytest.param(
            _CLIENT + "lapse_days = 60\n",  # line 7
            "client.toml:7:1: [config.kamcore_membership.lapse_days]",
            "lapse_days (60) must be above reactivate_days (90)",
            id="lapse-below-reactivate",
        ),
        pytest.param(
            _CLIENT + "loyal_orders_12m = 2\n",  # line 7; the base's exit threshold is 2
            "client.toml:7:1: [config.kamcore_membership.loyal_orders_12m]",
            "loyal_orders_12m (2) must be above loyal_exit_orders_12m (2)",
            id="loyal-entry-not-above-exit",
        ),
        pytest.param(
            _BARE + "fit_models = false\n",  # line 7; the bare pack has no priors
            "client.toml:7:1: [config.kamcore_membership.fit_models]",
            "fit_models = false needs the bgnbd and gamma_gamma parameters",
            id="no-fit-without-priors",
        ),
        pytest.param(
            # lines 8-11 and 13-16: the second rung asks for more orders, at line 16
            _BARE
            + "\n[[config.kamcore_membership.tiers]]\n"
            + 'id = "a"\nmin_spend_12m = 10\nmin_orders_12m = 1\n'
            + "\n[[config.kamcore_membership.tiers]]\n"
            + 'id = "b"\nmin_spend_12m = 5\nmin_orders_12m = 2\n',
            "client.toml:16:1: [config.kamcore_membership.tiers[b].min_orders_12m]",
            "`b` asks for more min_orders_12m than `a` above it",
            id="ladder-goes-up",
        ),
        pytest.param(
            # the base's silver rung is merged with this one (line 10): more than gold's 2,000
            _CLIENT
            + '\n[[config.kamcore_membership.tiers]]\nid = "silver"\nmin_spend_12m = 5000\n',
            "client.toml:10:1: [config.kamcore_membership.tiers[silver].min_spend_12m]",
            "`silver` asks for more min_spend_12m than `gold` above it",
            id="merged-rung-above-its-upper",
        ),
    ],
)
def test_inconsistent_settings_are_reported_at_their_key(
    text: str, location: str, message: str
) -> None:
    """A rule the schema cannot state is reported like a schema error: at the file, line and
    key of the value at fault, naming the plugin."""
    with pytest.raises(PolicyError) as info:
        membership_engine(text, name="client.toml")
    reported = str(info.value)
    assert reported.startswith(f'{location} plugin "kamcore_membership": ')
    assert message in reported


def test_a_prior_without_a_mean_spend_is_refused_where_it_is_written() -> None:
    # q <= 1: p * gamma / (q - 1) does not exist, so a one-time buyer could not be priced
    text = _CLIENT + "\n[config.kamcore_membership.gamma_gamma]\np = 1.0\nq = 0.8\ngamma = 10.0\n"
    with pytest.raises(PolicyError) as info:
        membership_engine(text, name="client.toml")
    assert str(info.value).startswith("client.toml:10:1: [config.kamcore_membership.gamma_gamma.q]")


def test_without_scipy_the_fit_explains_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = membership_engine(BASE)
    clear_fit_cache()
    monkeypatch.setitem(sys.modules, "scipy.optimize", None)
    with pytest.raises(PluginError) as info:
        engine.evaluate_portfolio(read_sample(), as_of=SAMPLE_AS_OF)
    assert info.value.plugin == "kamcore_membership"
    assert NUMERIC_HINT in str(info.value)
