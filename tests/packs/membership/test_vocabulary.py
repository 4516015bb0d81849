"""The pack's vocabulary: per-member metrics, RFM segments, tiers, config rules, and that
every registration is documented and labelled."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from kamcore_membership import metrics as m
from kamcore_membership.config import DEFAULT_TIERS, TierRule, settings
from kamcore_membership.rfm import (
    RFM_SEGMENTS,
    SEGMENT_LABELS,
    fm_score,
    rfm_population,
    rfm_segment,
    segment_metric,
)
from kamcore_membership.stages import STAGES
from kamcore_membership.tiers import gap_function, tier_function

from kamcore import PluginUsageError

from .conftest import BARE, membership_engine

AS_OF = date(2025, 6, 30)


def _registry(config: str = "") -> Any:
    """What the pack registers for a ``[config.kamcore_membership]`` table written in TOML, as
    a policy activating the pack sees it (the config checked against the pack's schema)."""
    text = BARE + "\n[config.kamcore_membership]\n" + config
    return membership_engine(text, name="vocabulary.toml").registry


# -- summary metrics: fact, else dates, else stream --------------------------------------------


def test_summary_prefers_facts_then_dates_then_stream() -> None:
    stream = [{"date": "2025-01-01", "amount": 10.0}, {"date": "2025-01-15", "amount": 30.0}]
    assert m.frequency(4, None, stream, AS_OF) == 4
    assert m.frequency(None, 5, stream, AS_OF) == 4  # 5 occasions: 4 after the first
    assert m.frequency(None, 0, stream, AS_OF) is None
    assert m.frequency(None, None, stream, AS_OF) == 1
    assert m.frequency(None, None, None, AS_OF) is None
    first, last = date(2025, 1, 1), date(2025, 3, 12)
    assert m.recency(3.5, first, last, stream, AS_OF) == 3.5
    assert m.recency(None, first, last, stream, AS_OF) == pytest.approx(70 / 7)
    assert m.recency(None, None, None, stream, AS_OF) == pytest.approx(2.0)
    assert m.recency(None, first, date(2025, 7, 1), None, AS_OF) is None  # after as_of
    assert m.age(None, first, None, AS_OF) == pytest.approx(180 / 7)
    assert m.age(None, date(2025, 7, 1), None, AS_OF) is None
    assert m.monetary_value(None, stream, AS_OF) == 30.0
    assert m.monetary_value(25, stream, AS_OF) == 25.0


def test_purchases_and_days_since() -> None:
    assert m.purchases(3, None, None) == 4
    assert m.purchases(None, date(2025, 1, 1), None) == 1
    assert m.purchases(None, None, None) == 0
    assert m.days_since_purchase(12, 1.0, 5.0) == 12  # the core's recency_days wins
    assert m.days_since_purchase(None, 1.0, 5.5) == 32  # 4.5 weeks = 31.5 days, half up
    assert m.days_since_purchase(None, None, 5.0) is None
    # a last order after as_of is not the most recent purchase of all: missing, like recency
    assert m.days_since_purchase(-63, 10.0, 8.0) is None
    assert m.days_since_purchase(None, 6.0, 5.0) is None  # t_x beyond T: -7 days
    assert m.days_since_purchase(0, 5.0, 5.0) == 0  # bought today
    assert m.avg_interpurchase_days(3, 9.0) == 21.0  # 63 days / 3
    assert m.avg_interpurchase_days(0, 0.0) is None


def test_spend_windows() -> None:
    stream = [
        {"date": "2024-06-30", "amount": 100.0},  # 365 days before: previous 12 months
        {"date": "2023-07-02", "amount": 40.0},  # 729 days before: previous 12 months
        {"date": "2023-07-01", "amount": 1000.0},  # 730 days: too old
        {"date": "2024-07-01", "amount": 7.0},  # 364 days: the last 12 months
        {"date": "2024-01-01", "amount": -20.0},  # a refund
    ]
    assert m.spend_prev_12m(None, stream, AS_OF) == 140.0
    assert m.spend_prev_12m(55, stream, AS_OF) == 55
    assert m.spend_prev_12m(None, None, AS_OF) is None
    assert m.spend_change(1_000, 400) == pytest.approx(-0.6)
    assert m.spend_change(0, 400) is None


def test_birthdays_and_anniversaries() -> None:
    assert m.days_to_birthday(date(1990, 7, 3), AS_OF) == 3
    assert m.days_to_birthday(date(1990, 6, 30), AS_OF) == 0
    assert m.days_to_birthday(date(1990, 6, 29), AS_OF) == 364
    # born on 29 February: celebrated on 28 February in other years
    assert m.days_to_birthday(date(2000, 2, 29), date(2025, 2, 28)) == 0
    assert m.days_to_birthday(date(2000, 2, 29), date(2025, 3, 1)) == 364  # to 2026-02-28
    assert m.days_to_birthday(date(2000, 2, 29), date(2027, 3, 1)) == 365  # to 2028-02-29
    assert m.days_to_anniversary(date(2024, 7, 4), None, AS_OF) == 4
    assert m.days_to_anniversary(None, date(2023, 8, 30), AS_OF) == 61
    assert m.days_to_anniversary(None, None, AS_OF) is None
    assert m.clv_to_cac(300.0, 150) == 2.0
    assert m.clv_to_cac(300.0, 0) is None


# -- RFM segments --------------------------------------------------------------------------------


def test_fm_score_rounds_half_up() -> None:
    assert [fm_score(f, mm) for f, mm in [(1, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 5)]] == [
        1,
        2,
        3,
        4,
        5,
        5,
    ]


# The grid from kamcore_membership.rfm, written out: R -> segment for FM 1..5.
GRID = {
    5: ["new", "potential_loyalist", "potential_loyalist", "champions", "champions"],
    4: ["promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"],
    3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
    2: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
    1: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
}


@pytest.mark.parametrize("r", [1, 2, 3, 4, 5])
def test_rfm_grid(r: int) -> None:
    for f in range(1, 6):
        for mm in range(1, 6):
            assert rfm_segment(r, f, mm) == GRID[r][fm_score(f, mm) - 1], (r, f, mm)


def test_every_segment_is_reachable_and_labelled() -> None:
    reached = {
        rfm_segment(r, f, mm) for r in range(1, 6) for f in range(1, 6) for mm in range(1, 6)
    }
    assert reached == set(RFM_SEGMENTS)
    assert set(SEGMENT_LABELS) == set(RFM_SEGMENTS)
    assert rfm_segment(0, 3, 3) is None
    assert rfm_segment(3, 6, 3) is None


def test_the_segment_metric_needs_a_portfolio() -> None:
    # the recencies the core's R ranks: visitors (None) are not among them
    assert rfm_population([10, None, 40, 7]) == [3, 3, 3, 3]
    assert rfm_population([]) == []
    segment = segment_metric(5)
    assert segment(5, 5, 5, 3, 4) is None  # four members ranked: quintiles mean nothing yet
    assert segment(5, 5, 5, 3, 5) == "champions"
    assert segment_metric(1)(5, 5, 5, 3, 1) == "champions"  # a shop may choose otherwise


# -- tiers ---------------------------------------------------------------------------------------


def test_tier_ladder() -> None:
    tier = tier_function(DEFAULT_TIERS)  # diamond 10,000/6, gold 3,000/3, silver 800/1
    assert tier(12_000, 6) == "diamond"
    assert tier(12_000, 5) == "gold"  # one big gift order does not buy diamond
    assert tier(3_000, 3) == "gold"  # thresholds are inclusive
    assert tier(2_999.99, 9) == "silver"
    assert tier(800, 0) == "regular"  # silver needs an order in the last 12 months
    assert tier(0, 0) == "regular"
    gap = gap_function(DEFAULT_TIERS)
    assert gap(12_000, 6) is None
    assert gap(12_000, 5) == 0.0  # only orders are missing for diamond
    assert gap(2_500, 3) == 500.0
    assert gap(0, 0) == 800.0


def test_config_defaults_and_rules() -> None:
    s = settings({})
    assert (s.horizon_weeks, s.clv_horizon_weeks, s.annual_discount_rate, s.margin) == (
        52.0,
        156,
        0.1,
        1.0,
    )
    assert s.tiers == DEFAULT_TIERS
    assert settings(
        {"tiers": [{"id": "vip", "min_spend_12m": 1}, {"id": "std", "min_spend_12m": 0}]}
    ).tiers == (
        TierRule("vip", 1.0, 0),
        TierRule("std", 0.0, 0),
    )
    assert (s.min_fit_repeat_buyers, s.rfm_min_members) == (20, 5)
    # each rule names the key kamcore reports it at (see test_policies for file and line)
    bad: list[tuple[dict[str, Any], str, str]] = [
        ({"fit_models": False}, "needs the bgnbd and gamma_gamma", "fit_models"),
        ({"lapse_days": 60, "reactivate_days": 60}, "reactivate_days", "lapse_days"),
        (
            {"loyal_orders_12m": 3, "loyal_exit_orders_12m": 3},
            "loyal_exit_orders_12m",
            "loyal_orders_12m",
        ),
        (
            {"tiers": [{"id": "a", "min_spend_12m": 10}, {"id": "a", "min_spend_12m": 0}]},
            "repeat the id `a`",
            "tiers[1]",
        ),
        (
            {"tiers": [{"id": "a", "min_spend_12m": 10}, {"id": "b", "min_spend_12m": 20}]},
            "best first",
            "tiers[b].min_spend_12m",
        ),
        (
            {
                "tiers": [
                    {"id": "a", "min_spend_12m": 10, "min_orders_12m": 1},
                    {"id": "b", "min_spend_12m": 5, "min_orders_12m": 2},
                ]
            },
            "best first",
            "tiers[b].min_orders_12m",
        ),
    ]
    for config, message, key in bad:
        with pytest.raises(PluginUsageError, match=message) as info:
            settings(config)
        assert info.value.key == key


# -- registrations -------------------------------------------------------------------------------


def test_everything_registered_is_documented_and_labelled() -> None:
    registry = _registry()
    mine = registry.by_plugin()["kamcore_membership"]
    for name in mine["facts"]:
        fact = registry.facts[name]
        assert fact.doc, name
        assert {"en", "zh"} <= set(fact.label), name
    for name in mine["metrics"]:
        metric = registry.metrics[name]
        assert metric.doc, name
        assert {"en", "zh"} <= set(metric.label), name
    for name in mine["tactics"]:
        tactic = registry.tactics[name]
        assert tactic.description, name
        assert {"en", "zh"} <= set(tactic.label), name
    for name in mine["classifiers"]:
        assert registry.classifiers[name].doc
    model = registry.stage_models["membership.lifecycle"]
    assert model.stages == STAGES
    assert set(model.label) == set(STAGES)
    assert all({"en", "zh"} <= set(labels) for labels in model.label.values())
    assert all(name.startswith("membership.") for name in [*mine["facts"], *mine["metrics"]])


def test_tactics_cover_the_five_dimensions() -> None:
    registry = _registry()
    dimensions = {
        registry.tactics[t].dimension for t in registry.by_plugin()["kamcore_membership"]["tactics"]
    }
    assert dimensions == {"emotional", "benefit", "service", "strategic", "professional"}


def test_config_shapes_what_is_registered() -> None:
    config = (
        "lapse_days = 200\n"
        "loyal_orders_12m = 6\n"
        '\n[[config.kamcore_membership.tiers]]\nid = "钻石"\nmin_spend_12m = 5000\n'
        '\n[[config.kamcore_membership.tiers]]\nid = "金"\nmin_spend_12m = 1000\n'
        '\n[[config.kamcore_membership.tiers]]\nid = "普通"\nmin_spend_12m = 0\n'
    )
    registry = _registry(config)
    assert registry.classifiers["member_tier"].labels == ("钻石", "金", "普通")
    assert registry.functions["member_tier"].fn(1500, 1) == "金"
    transitions = {t["id"]: t for t in registry.stage_models["membership.lifecycle"].transitions}
    assert transitions["lapse"]["when"] == "coalesce(membership.days_since_purchase, 0) > 200"
    assert transitions["become_loyal"]["when"] == "coalesce(frequency_12m, 0) >= 6"
