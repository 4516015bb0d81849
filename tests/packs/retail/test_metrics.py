"""The pack's metric functions on their own, with the expected values worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from kamcore_retail.metrics import (
    days_since,
    dso_over_terms,
    growth,
    points_change,
    ratio,
    ratios_out_of_range,
    sell_out_share,
    trade_spend_roi,
)


def test_growth() -> None:
    # (110 - 100) / 100 = 0.1; (84 - 120) / 120 = -0.3
    assert growth(100, 110) == pytest.approx(0.1)
    assert growth(120, 84) == pytest.approx(-0.3)
    # no base, no growth rate
    assert growth(0, 50) is None
    assert growth(-5, 50) is None


def test_ratio() -> None:
    # 90 / 96 = 0.9375
    assert ratio(90, 96) == 0.9375
    assert ratio(5, 0) is None


def test_points_change_is_free_of_float_noise() -> None:
    # (0.65 - 0.70) * 100 is -5.000000000000004 in floats; rounded to 6 decimals it is -5, so
    # `<= -5` decides on the data, not on the representation
    assert (0.65 - 0.70) * 100 != -5.0
    assert points_change(0.70, 0.65) == -5.0
    assert points_change(0.035, 0.04) == 0.5


@pytest.mark.parametrize(
    ("previous", "current"),
    [
        (62, 0.56),  # "62" meant 62 %: read as 62, a 6 144-point fall
        (0.62, 1.5),  # "150%" is read as 1.5
        (-0.01, 0.5),
        (0.5, float("nan")),
    ],
)
def test_points_change_of_a_value_that_is_no_ratio_is_missing(
    previous: float, current: float
) -> None:
    # finding 15: (0.56 - 62) * 100 = -6144 "points" used to raise wd-falling and put the
    # listing at risk; a ratio outside 0..1 is a data error, not evidence
    assert points_change(previous, current) is None


def test_points_change_accepts_the_bounds() -> None:
    # 0 and 1 are ratios (no store carries us / every store does): (1 - 0) * 100 = 100 points
    assert points_change(0, 1) == 100.0
    assert points_change(1.0, 0.0) == -100.0


def test_ratios_out_of_range_names_the_offending_facts() -> None:
    names = ("weighted_distribution", "weighted_distribution_prev", "share_of_shelf")
    check = ratios_out_of_range(names)
    assert check(0.56, 62, 1.5) == "weighted_distribution_prev 62, share_of_shelf 1.5"
    # missing values are not errors; values in 0..1 are fine
    assert check(0.56, None, 0.0) is None
    assert check(None, None, None) is None


def test_trade_spend_roi_counts_the_margin_not_the_revenue() -> None:
    # finding 8: ROI = (incremental revenue * gross margin - spend) / spend.
    # 9 M spent, 21 M extra revenue at 35 %: (7.35 M - 9 M) / 9 M = -1.65 / 9 = -0.183333: a
    # loss, though the revenue alone (21 M > 9 M) looked like +133 %
    assert trade_spend_roi(9_000_000, 21_000_000, 0.35) == pytest.approx(-0.183333)
    # 10 spent, 8.5 extra revenue: (2.975 - 10) / 10 = -0.7025
    assert trade_spend_roi(10, 8.5, 0.35) == pytest.approx(-0.7025)
    # break-even is exact: 0.7 M spent brought 2 M at 35 %: 0.7 M - 0.7 M = 0, not a loss
    assert trade_spend_roi(700_000, 2_000_000, 0.35) == 0
    # 1 M spent, 4 M extra revenue at 40 %: (1.6 M - 1 M) / 1 M = 0.6
    assert trade_spend_roi(1_000_000, 4_000_000, 0.4) == pytest.approx(0.6)
    assert trade_spend_roi(0, 100, 0.35) is None


def test_dso_over_terms_falls_back_to_the_default_terms() -> None:
    fn = dso_over_terms(60)
    # 95 - 75 = 20; without terms 50 - 60 = -10; without DSO nothing to judge
    assert fn(95, 75) == 20
    assert fn(50, None) == -10
    assert fn(None, 75) is None


def test_days_since() -> None:
    # 2026-05-01 -> 2026-06-30: 30 days left in May + 30 in June = 60
    assert days_since(date(2026, 5, 1), date(2026, 6, 30)) == 60
    assert days_since(date(2026, 6, 30), date(2026, 6, 30)) == 0


def test_days_since_a_future_date_is_missing() -> None:
    # finding 17: 2026-12-01 is 154 days after 2026-06-30 (1 + 31 + 31 + 30 + 31 + 30 to Dec 1);
    # an age of -154 days is no age at all
    assert days_since(date(2026, 12, 1), date(2026, 6, 30)) is None
    assert days_since(date(2026, 7, 1), date(2026, 6, 30)) is None


def test_sell_out_share() -> None:
    # total 60 + 30 + 10 = 100 (the missing chain does not count)
    assert sell_out_share([60, None, 30, 10]) == [0.6, None, 0.3, 0.1]
    assert sell_out_share([None, 0]) == [None, None]
