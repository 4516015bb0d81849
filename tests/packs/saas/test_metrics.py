"""The pack's metric and classification functions on their edge cases (hand-worked values)."""

from __future__ import annotations

from datetime import date

import pytest
from kamcore_saas import adoption, classify, renewal, revenue, support
from kamcore_saas.config import SaasConfig

AS_OF = date(2026, 6, 30)
TIERS = SaasConfig().tiers


def test_current_arr_prefers_arr_then_twelve_times_mrr() -> None:
    assert revenue.current_arr(120_000, 1) == 120_000
    assert revenue.current_arr(None, 10_000) == 120_000
    assert revenue.current_arr(None, None) is None


def test_arr_growth_needs_a_base() -> None:
    assert revenue.arr_growth(100_000, 125_000) == pytest.approx(0.25)
    assert revenue.arr_growth(0, 50_000) is None


def test_nrr_and_grr_from_the_movements() -> None:
    # start 1000, +300 expansion, -100 contraction, -200 churn
    args = (1000, None, 300, 100, 200, 999_999)  # current ARR ignored when movements exist
    assert revenue.nrr(*args) == pytest.approx(1.0)  # (1000 + 300 - 100 - 200) / 1000
    assert revenue.grr(*args) == pytest.approx(0.7)  # (1000 - 100 - 200) / 1000


def test_a_missing_movement_counts_zero_once_any_is_given() -> None:
    # only expansion given: (1000 + 250) / 1000 and GRR (1000 - 0 - 0) / 1000
    assert revenue.nrr(1000, None, 250, None, None, None) == pytest.approx(1.25)
    assert revenue.grr(1000, None, 250, None, None, None) == pytest.approx(1.0)


def test_without_movements_nrr_and_grr_come_from_arr_a_year_apart() -> None:
    # starting ARR falls back to ARR 12 months ago
    assert revenue.nrr(None, 800, None, None, None, 1000) == pytest.approx(1.25)
    assert revenue.grr(None, 800, None, None, None, 1000) == pytest.approx(1.0)  # min(1000, 800)
    assert revenue.grr(None, 800, None, None, None, 600) == pytest.approx(0.75)
    assert revenue.nrr(None, None, None, None, None, 1000) is None
    assert revenue.nrr(None, 0, None, None, None, 1000) is None  # no base
    assert revenue.nrr(None, 800, None, None, None, None) is None


def test_grr_stays_within_zero_and_one() -> None:
    # losses larger than the start (a data error) do not make GRR negative
    assert revenue.grr(100, None, 0, 80, 80, None) == 0.0


def test_licence_utilisation() -> None:
    assert adoption.licence_utilisation(45, 50) == pytest.approx(0.9)
    assert adoption.licence_utilisation(60, 50) == pytest.approx(1.2)  # over-deployed
    assert adoption.licence_utilisation(5, 0) is None


def test_usage_trend_from_facts_then_the_stream() -> None:
    trend = adoption.usage_trend
    assert trend(90, 100, None, AS_OF, metric="wau", period_days=28) == pytest.approx(-0.1)
    assert trend(90, 0, None, AS_OF, metric="wau", period_days=28) is None
    stream = [
        {"date": date(2026, 6, 30), "metric": "wau", "value": 30},  # age 0: this period
        {"date": date(2026, 6, 3), "metric": "wau", "value": 40},  # age 27: this period
        {"date": date(2026, 6, 2), "metric": "wau", "value": 50},  # age 28: previous
        {"date": "2026-05-06", "metric": "wau", "value": 50},  # age 55: previous (ISO text)
        {"date": date(2026, 5, 5), "metric": "wau", "value": 999},  # age 56: too old
        {"date": date(2026, 6, 30), "metric": "wau", "value": "n/a"},  # not a number
        "not an item",
    ]
    # this period mean (30 + 40) / 2 = 35; previous (50 + 50) / 2 = 50 -> (35 - 50) / 50 = -0.3
    assert trend(None, None, stream, AS_OF, metric="wau", period_days=28) == pytest.approx(-0.3)
    assert trend(None, None, stream[:2], AS_OF, metric="wau", period_days=28) is None
    assert trend(None, None, None, AS_OF, metric="wau", period_days=28) is None


def test_live_needs_a_reached_go_live_or_enough_tenure() -> None:
    assert adoption.live(date(2026, 6, 30), 10, AS_OF, onboarding_days=90) is True
    assert adoption.live(date(2026, 7, 1), 500, AS_OF, onboarding_days=90) is False
    assert adoption.live(None, 90, AS_OF, onboarding_days=90) is True
    assert adoption.live(None, 89, AS_OF, onboarding_days=90) is False
    assert adoption.live(None, None, AS_OF, onboarding_days=90) is False


def test_days_to_renewal_and_the_window() -> None:
    assert renewal.days_to_renewal(date(2026, 7, 30), None, AS_OF) == 30
    contracts = [
        {"id": "a", "start": date(2025, 7, 1), "end": date(2026, 6, 30)},
        {"id": "b", "start": date(2026, 7, 1), "end": date(2027, 6, 30)},  # not started yet
        {"id": "c", "start": date(2024, 1, 1), "end": None},
    ]
    # only a and c started by as_of; the latest end is a's 2026-06-30: 0 days
    assert renewal.days_to_renewal(None, contracts, AS_OF) == 0
    assert renewal.days_to_renewal(None, [], AS_OF) is None
    assert renewal.in_renewal_window(90, window_days=90) is True
    assert renewal.in_renewal_window(91, window_days=90) is False
    assert renewal.in_renewal_window(-5, window_days=90) is True  # overdue


def test_a_renewal_lapses_after_the_grace_period_unless_signed() -> None:
    assert renewal.renewal_lapsed(0, None, grace_days=0) is False  # due today
    assert renewal.renewal_lapsed(-1, None, grace_days=0) is True
    assert renewal.renewal_lapsed(-1, True, grace_days=0) is False
    assert renewal.renewal_lapsed(-10, False, grace_days=10) is False
    assert renewal.renewal_lapsed(-11, False, grace_days=10) is True
    assert renewal.renewal_lapsed(None, False, grace_days=0) is None


def test_tenure_counts_from_the_first_start() -> None:
    assert renewal.tenure_days(date(2026, 6, 1), date(2020, 1, 1), None, AS_OF) == 29
    assert renewal.tenure_days(None, date(2026, 6, 20), None, AS_OF) == 10
    contracts = [{"start": "2026-05-31"}, {"start": date(2026, 6, 10)}]
    assert renewal.tenure_days(None, None, contracts, AS_OF) == 30
    assert renewal.tenure_days(None, None, None, AS_OF) is None


def test_p1_figures_prefer_the_facts() -> None:
    tickets = [
        {"id": "1", "opened": date(2026, 6, 1), "priority": "P1"},  # 29 days, open
        {"id": "2", "opened": date(2026, 5, 1), "closed": date(2026, 6, 30), "priority": "p1"},
        {"id": "3", "opened": date(2026, 7, 1), "priority": "p1"},  # after as_of
    ]
    assert support.open_p1_count(None, tickets, AS_OF) == 1
    assert support.open_p1_count(4, tickets, AS_OF) == 4
    assert support.open_p1_count(None, None, AS_OF) is None
    assert support.oldest_p1_age(None, tickets, AS_OF) == 29
    assert support.oldest_p1_age(3, tickets, AS_OF) == 3
    assert support.oldest_p1_age(None, [], AS_OF) is None


def test_support_load_weighs_priorities() -> None:
    weights = {"p1": 5, "p2": 3, "p3": 1, "p4": 0.5}
    # flat: 2 P1 x 5 + 3 others x 1 (weighed as P3) = 13
    assert support.support_load(5, 2, None, AS_OF, weights=weights) == pytest.approx(13.0)
    # a P1 count above the total is capped: 2 x 5 = 10
    assert support.support_load(2, 3, None, AS_OF, weights=weights) == pytest.approx(10.0)
    tickets = [
        {"opened": date(2026, 6, 1), "priority": "p2"},
        {"opened": date(2026, 6, 1), "priority": "p4"},
        {"opened": date(2026, 6, 1), "priority": "urgent"},  # unknown -> weighs as P3
    ]
    # 3 + 0.5 + 1 = 4.5
    assert support.support_load(None, None, tickets, AS_OF, weights=weights) == pytest.approx(4.5)
    assert support.support_load(None, None, None, AS_OF, weights=weights) is None


@pytest.mark.parametrize(
    ("arr", "tier"),
    [
        (1_000_000, "strategic"),  # thresholds are included
        (999_999.99, "enterprise"),
        (250_000, "enterprise"),
        (50_000, "growth"),
        (49_999, "scaled"),
        (0, "scaled"),
    ],
)
def test_tier_boundaries(arr: float, tier: str) -> None:
    assert classify.tier(arr, TIERS) == tier


def test_key_account_identification() -> None:
    key = classify.key_account
    assert key(250_000, 0, False, min_arr=250_000, min_potential=500_000) == "key"
    assert key(10_000, 0, True, min_arr=250_000, min_potential=500_000) == "key"  # strategic
    assert key(10_000, 500_000, False, min_arr=250_000, min_potential=500_000) == "develop"
    assert key(10_000, 499_999, False, min_arr=250_000, min_potential=500_000) == "standard"


def test_partial_config_keeps_the_other_defaults() -> None:
    config = SaasConfig.from_mapping(
        {"tiers": {"strategic": 2_000_000}, "ticket_weights": {"p1": 8}}
    )
    assert dict(config.tiers) == {"strategic": 2_000_000, "enterprise": 250_000, "growth": 50_000}
    assert dict(config.ticket_weights) == {"p1": 8, "p2": 3, "p3": 1, "p4": 1}
    assert config.renewal_window_days == 90
