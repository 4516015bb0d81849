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


@pytest.mark.parametrize("moves", [(-250, None, None), (None, -100, None), (0, 0, -1)])
def test_a_negative_movement_makes_nrr_and_grr_missing(
    moves: tuple[int | None, int | None, int | None],
) -> None:
    # movements are positive amounts; a negative one has an unknown sign convention, so no
    # figure rather than a guess (read as written, a contraction of -100 would add 100)
    assert revenue.nrr(1000, None, *moves, 1200) is None
    assert revenue.grr(1000, None, *moves, 1200) is None
    # the reviewer's account: start 100, +50, contraction -30 gave (100 + 50 + 30) / 100 = 1.8
    assert revenue.nrr(100, None, 50, -30, None, None) is None
    # not abs(): the same figures as positive amounts give (100 + 50 - 30) / 100 = 1.2
    assert revenue.nrr(100, None, 50, 30, None, None) == pytest.approx(1.2)


def test_grr_stays_within_zero_and_one() -> None:
    # losses larger than the start (a data error) do not make GRR negative
    assert revenue.grr(100, None, 0, 80, 80, None) == 0.0


def test_licence_utilisation() -> None:
    assert adoption.licence_utilisation(45, 50) == pytest.approx(0.9)
    assert adoption.licence_utilisation(60, 50) == pytest.approx(1.2)  # over-deployed
    assert adoption.licence_utilisation(5, 0) is None
    assert adoption.licence_utilisation(5, -10) is None
    # a negative count of users is a data error, not a utilisation of -5/10 = -0.5
    assert adoption.licence_utilisation(-5, 10) is None
    assert adoption.licence_utilisation(0, 10) == 0.0


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


def test_negative_usage_is_missing_so_the_trend_is_never_below_minus_one() -> None:
    trend = adoption.usage_trend
    # the reviewer's account: (-5 - 10) / 10 = -1.5 before; usage -5 is missing now
    assert trend(-5, 10, None, AS_OF, metric="wau", period_days=28) is None
    assert trend(5, -10, None, AS_OF, metric="wau", period_days=28) is None
    # all usage gone is the floor: (0 - 10) / 10 = -1
    assert trend(0, 10, None, AS_OF, metric="wau", period_days=28) == -1.0
    stream = [
        {"date": date(2026, 6, 30), "metric": "wau", "value": 30},  # this period
        {"date": date(2026, 6, 29), "metric": "wau", "value": -500},  # negative: skipped
        {"date": date(2026, 6, 2), "metric": "wau", "value": 50},  # previous period
    ]
    # a negative fact counts as missing, so the stream is read: (30 - 50) / 50 = -0.4
    # (with the -500 it would have been ((30 - 500) / 2 - 50) / 50 = -5.7)
    assert trend(-5, 10, stream, AS_OF, metric="wau", period_days=28) == pytest.approx(-0.4)


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


def test_a_start_after_as_of_gives_no_tenure() -> None:
    # 2027-01-01 is 185 days after as_of: the tenure was -185; an age is never negative
    assert renewal.tenure_days(date(2027, 1, 1), None, None, AS_OF) is None
    assert renewal.tenure_days(None, date(2026, 7, 1), None, AS_OF) is None
    # the stated start wins over an older customer_since: the export says it has not begun
    assert renewal.tenure_days(date(2027, 1, 1), date(2020, 1, 1), None, AS_OF) is None
    # starting on as_of is an age of 0
    assert renewal.tenure_days(AS_OF, None, None, AS_OF) == 0


def test_days_to_renewal_keep_their_sign() -> None:
    # a countdown, not an age: 10 days overdue is -10, which lapses the renewal
    assert renewal.days_to_renewal(date(2026, 6, 20), None, AS_OF) == -10
    assert renewal.renewal_lapsed(-10, None, grace_days=0) is True


def test_p1_figures_prefer_the_facts() -> None:
    tickets = [
        {"id": "1", "opened": date(2026, 6, 1), "priority": "P1"},  # 29 days, open
        {"id": "2", "opened": date(2026, 5, 1), "closed": date(2026, 6, 30), "priority": "p1"},
        {"id": "3", "opened": date(2026, 7, 1), "priority": "p1"},  # after as_of
    ]
    assert support.open_p1_count(None, tickets, AS_OF) == 1
    assert support.open_p1_count(4, tickets, AS_OF) == 4
    assert support.open_p1_count(None, None, AS_OF) is None
    assert support.oldest_p1_age(None, 1, tickets, AS_OF) == 29
    assert support.oldest_p1_age(3, 1, tickets, AS_OF) == 3
    assert support.oldest_p1_age(3, None, None, AS_OF) == 3  # count unknown: the age as given
    assert support.oldest_p1_age(None, 0, [], AS_OF) is None


def test_no_open_p1_means_no_oldest_p1() -> None:
    # the reviewer's row: open_p1_tickets 0 beside a stale oldest_p1_days 30 raised p1-aging
    assert support.oldest_p1_age(30, 0, None, AS_OF) is None
    # from the stream: the only P1 was closed on 06-25, the count is 0, the fact is stale
    tickets = [{"opened": date(2026, 6, 1), "closed": date(2026, 6, 25), "priority": "p1"}]
    count = support.open_p1_count(None, tickets, AS_OF)
    assert count == 0
    assert support.oldest_p1_age(30, count, tickets, AS_OF) is None


def test_negative_p1_figures_are_empty_cells() -> None:
    tickets = [{"opened": date(2026, 6, 1), "priority": "p1"}]  # open 29 days
    # a negative count falls back to the stream (1 open P1), or is missing without one
    assert support.open_p1_count(-1, tickets, AS_OF) == 1
    assert support.open_p1_count(-1, None, AS_OF) is None
    # a negative age likewise: 29 days from the stream, else missing
    assert support.oldest_p1_age(-4, 1, tickets, AS_OF) == 29
    assert support.oldest_p1_age(-4, 1, None, AS_OF) is None


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
    # a negative open-ticket count is missing: the stream is read (4.5), else no load (it was
    # -3 x 1 = -3, in no band of the health scorecard)
    assert support.support_load(-3, None, tickets, AS_OF, weights=weights) == pytest.approx(4.5)
    assert support.support_load(-3, None, None, AS_OF, weights=weights) is None
    # a negative P1 count is unknown, like an empty one: 4 tickets x 1 = 4 (it was -1 x 5 +
    # 5 x 1 = 0)
    assert support.support_load(4, -1, None, AS_OF, weights=weights) == pytest.approx(4.0)


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
