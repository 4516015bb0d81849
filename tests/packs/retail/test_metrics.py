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


def test_trade_spend_roi() -> None:
    # (21 M - 9 M) / 9 M = 1.333333; (8.5 - 10) / 10 = -0.15
    assert trade_spend_roi(9_000_000, 21_000_000) == pytest.approx(1.333333)
    assert trade_spend_roi(10, 8.5) == pytest.approx(-0.15)
    assert trade_spend_roi(0, 100) is None


def test_dso_over_terms_falls_back_to_the_default_terms() -> None:
    fn = dso_over_terms(60)
    # 95 - 75 = 20; without terms 50 - 60 = -10; without DSO nothing to judge
    assert fn(95, 75) == 20
    assert fn(50, None) == -10
    assert fn(None, 75) is None


def test_days_since() -> None:
    # 2026-05-01 -> 2026-06-30: 30 days left in May + 30 in June = 60
    assert days_since(date(2026, 5, 1), date(2026, 6, 30)) == 60


def test_sell_out_share() -> None:
    # total 60 + 30 + 10 = 100 (the missing chain does not count)
    assert sell_out_share([60, None, 30, 10]) == [0.6, None, 0.3, 0.1]
    assert sell_out_share([None, 0]) == [None, None]
