"""Transaction logs to (x, t_x, T, m): the literature's conventions, case by case."""

from __future__ import annotations

from datetime import date

import pytest
from kamcore_membership import summarise_member, summarise_transactions

END = date(2025, 6, 30)


def test_same_day_purchases_are_one_occasion() -> None:
    log = [
        ("c1", date(2025, 1, 5), 100.0),
        ("c1", date(2025, 1, 5), 50.0),
        ("c1", date(2025, 2, 2), 80.0),
        ("c1", date(2025, 3, 2), 120.0),
    ]
    s = summarise_transactions(log, END)["c1"]
    assert s.frequency == 2  # 3 purchase days: 2 after the first
    assert s.recency == pytest.approx(56 / 7)  # 5 Jan to 2 Mar: 56 days
    assert s.age == pytest.approx(176 / 7)  # 5 Jan to 30 Jun: 176 days
    assert s.monetary_value == pytest.approx(100.0)  # (80 + 120) / 2: the first left out
    assert s.total_value == pytest.approx(350.0)
    assert (s.first_purchase, s.last_purchase) == (date(2025, 1, 5), date(2025, 3, 2))


def test_the_end_of_the_period_cuts_the_log() -> None:
    log = [
        ("c1", date(2025, 6, 1), 10.0),
        ("c1", date(2025, 6, 30), 20.0),  # the last day counts
        ("c1", date(2025, 7, 1), 30.0),  # after the period: ignored
        ("c2", date(2025, 7, 2), 40.0),  # first purchase after the period: no summary
    ]
    out = summarise_transactions(log, END)
    assert list(out) == ["c1"]
    assert out["c1"].frequency == 1
    assert out["c1"].monetary_value == 20.0
    assert out["c1"].age == out["c1"].recency == pytest.approx(29 / 7)


def test_one_time_buyers_have_no_monetary_value() -> None:
    s = summarise_transactions([("c", date(2025, 3, 1), 99.0)], END)["c"]
    assert (s.frequency, s.recency, s.monetary_value) == (0, 0.0, None)


def test_refunds_and_unknown_amounts() -> None:
    log = [
        ("c", date(2025, 1, 1), 50.0),
        ("c", date(2025, 2, 1), -50.0),  # a refund is not a purchase occasion
        ("c", date(2025, 3, 1), None),  # an occasion of unknown value counts, has no value
        ("c", date(2025, 4, 1), 30.0),
    ]
    s = summarise_transactions(log, END)["c"]
    assert s.frequency == 2
    assert s.monetary_value == 30.0
    # the same stream read from an account's transactions
    items = [{"date": d.isoformat(), "amount": a} for _, d, a in log]
    assert summarise_member(items, END) == s


def test_member_streams_are_read_leniently() -> None:
    items = [
        {"date": "2025-01-01T10:30:00", "amount": 10},
        {"date": "not a date", "amount": 99},
        {"amount": 99},
        "garbage",
        {"date": date(2025, 2, 1), "amount": True},  # a boolean is not an amount
    ]
    s = summarise_member(items, END)
    assert s is not None
    assert s.frequency == 1
    assert s.monetary_value is None
    assert summarise_member(None, END) is None
    assert summarise_member([], END) is None
