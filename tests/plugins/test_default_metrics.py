"""The built-in metrics, called the way the pipeline calls them: ``fn(*values[inputs])`` for a
per-account metric (skipped when an input is missing unless it handles missing), ``fn(*columns)``
for a portfolio metric."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pytest

from kamcore.registry import Metric, Registry
from kamcore.types import Type

AS_OF = date(2024, 6, 30)
PLUGIN = "kamcore.default_plugins.metrics"


@pytest.fixture
def compute(builtins: Registry) -> Any:
    """``compute(name, **values)``: the metric for one account, missing inputs as ``None``."""

    def run(name: str, **values: Any) -> Any:
        metric = builtins.metrics[name]
        assert not metric.portfolio
        namespace: Mapping[str, Any] = {"as_of": AS_OF, **values}
        args = [namespace.get(n) for n in metric.inputs]
        if None in args and not metric.handles_missing:
            return None
        return metric.fn(*args)

    return run


@pytest.fixture
def column(builtins: Registry) -> Any:
    def run(name: str, *columns: Sequence[Any]) -> list[Any]:
        metric = builtins.metrics[name]
        assert metric.portfolio
        return list(metric.fn(*columns))

    return run


def test_registered_metrics_and_their_types(builtins: Registry) -> None:
    expected = {
        "growth": Type("number", optional=True),
        "recency_days": Type("integer", optional=True, unit="days"),
        "frequency_12m": Type("integer", optional=True),
        "monetary_12m": Type("number", optional=True),
        "tenure_years": Type("number", optional=True, unit="years"),
        "margin_rate": Type("number", optional=True),
        "wallet_share": Type("number", optional=True),
        "nps_latest": Type("integer", optional=True),
        "open_ticket_count": Type("integer", optional=True),
        "detractor": Type("boolean", optional=True),
        "rfm_r": Type("integer", optional=True),
        "rfm_f": Type("integer", optional=True),
        "rfm_m": Type("integer", optional=True),
        "rfm_code": Type("string", optional=True),
    }
    ours = {n: m for n, m in builtins.metrics.items() if m.plugin == PLUGIN}
    assert {n: m.value_type for n, m in ours.items()} == expected
    assert {n for n, m in ours.items() if m.portfolio} == {"rfm_r", "rfm_f", "rfm_m"}
    for metric in ours.values():
        assert set(metric.label) == {"en", "zh"}, metric.name
        assert metric.doc


def test_metric_inputs_exist(builtins: Registry) -> None:
    """Every input is a fact, another metric, or as_of: nothing a policy could not supply."""
    known = {*builtins.facts, *builtins.metrics, "as_of"}
    for metric in builtins.metrics.values():
        assert set(metric.inputs) <= known, metric.name


def _metric(builtins: Registry, name: str) -> Metric:
    return builtins.metrics[name]


TRANSACTIONS = [
    {"date": date(2023, 7, 1), "amount": 999},  # as_of - 365 days: just outside the window
    {"date": date(2023, 7, 2), "amount": 100},  # as_of - 364 days: the window's first day
    {"date": "2024-03-15", "amount": 250.5},  # ISO strings are read too
    {"date": date(2024, 6, 30), "amount": 50},
    {"date": date(2024, 7, 5), "amount": 10_000},  # after as_of: not known yet
    {"date": date(2024, 5, 1)},  # no amount: counts as an order, adds nothing
    {"amount": 77},  # no date: ignored
]


def test_growth(compute: Any) -> None:
    assert compute("growth", revenue_prev_12m=100, revenue_12m=120) == pytest.approx(0.2)
    assert compute("growth", revenue_prev_12m=0, revenue_12m=120) is None
    assert compute("growth", revenue_12m=120) is None


def test_recency_days_prefers_the_fact_then_the_date_then_transactions(compute: Any) -> None:
    assert compute("recency_days", days_since_last_order=12, last_order_date=date(2024, 1, 1)) == 12
    assert compute("recency_days", last_order_date=date(2024, 6, 1), transactions=[]) == 29
    assert compute("recency_days", transactions=TRANSACTIONS) == 0
    assert compute("recency_days", transactions=TRANSACTIONS[:3]) == 107  # 2024-03-15
    assert compute("recency_days", transactions=[]) is None
    assert compute("recency_days") is None


def test_frequency_12m(compute: Any) -> None:
    assert compute("frequency_12m", orders_12m=7, transactions=TRANSACTIONS) == 7
    assert compute("frequency_12m", transactions=TRANSACTIONS) == 4
    assert compute("frequency_12m", transactions=[]) == 0
    assert compute("frequency_12m") is None


def test_monetary_12m(compute: Any) -> None:
    assert compute("monetary_12m", revenue_12m=5_000, transactions=TRANSACTIONS) == 5_000
    assert compute("monetary_12m", transactions=TRANSACTIONS) == pytest.approx(400.5)
    assert compute("monetary_12m", transactions=[]) == 0
    assert compute("monetary_12m") is None


def test_tenure_years(compute: Any) -> None:
    assert compute("tenure_years", years_as_customer=4.5, customer_since=date(2000, 1, 1)) == 4.5
    since = compute("tenure_years", customer_since=date(2022, 6, 30))
    assert since == pytest.approx(731 / 365.25)
    first = compute("tenure_years", first_order_date=date(2023, 6, 30), transactions=TRANSACTIONS)
    assert first == pytest.approx(366 / 365.25)
    # the first transaction is 2023-07-01
    assert compute("tenure_years", transactions=TRANSACTIONS) == pytest.approx(365 / 365.25)
    assert compute("tenure_years", transactions=[]) is None


def test_margin_rate(compute: Any) -> None:
    assert compute("margin_rate", gross_margin=0.3, gross_profit_12m=1, revenue_12m=2) == 0.3
    assert compute("margin_rate", gross_profit_12m=250, revenue_12m=1_000) == 0.25
    assert compute("margin_rate", gross_profit_12m=250, revenue_12m=0) is None
    assert compute("margin_rate", gross_profit_12m=250) is None


def test_wallet_share(compute: Any) -> None:
    estimates = [
        {"date": date(2023, 1, 1), "amount": 4_000},
        {"date": date(2024, 1, 1), "amount": 2_000},
        {"date": date(2024, 12, 1), "amount": 1},  # after as_of
    ]
    assert compute("wallet_share", share_of_wallet=0.4, monetary_12m=1) == 0.4
    assert compute("wallet_share", monetary_12m=500, wallet_estimate=1_000) == 0.5
    assert compute("wallet_share", monetary_12m=500, wallet_estimates=estimates) == 0.25
    assert compute("wallet_share", monetary_12m=500, wallet_estimate=0) is None
    assert compute("wallet_share", wallet_estimate=1_000) is None


def test_nps_latest(compute: Any) -> None:
    responses = [
        {"date": date(2024, 1, 10), "kind": "nps", "score": 9},
        {"date": date(2024, 4, 2), "kind": "csat", "score": 2},  # not NPS
        {"date": date(2024, 3, 1), "kind": "NPS", "score": 4},
        {"date": date(2024, 5, 1), "kind": "nps", "score": 42},  # not an NPS answer
        {"date": date(2024, 8, 1), "kind": "nps", "score": 10},  # after as_of
    ]
    assert compute("nps_latest", nps=7, survey_responses=responses) == 7
    assert compute("nps_latest", survey_responses=responses) == 4
    assert compute("nps_latest", survey_responses=responses[:2]) == 9
    assert compute("nps_latest", survey_responses=[]) is None


def test_open_ticket_count(compute: Any) -> None:
    tickets = [
        {"id": "1", "opened": date(2024, 6, 1), "closed": None, "priority": "high"},
        {"id": "2", "opened": date(2024, 5, 1), "closed": date(2024, 5, 3)},
        {"id": "3", "opened": date(2024, 6, 20), "closed": date(2024, 7, 2)},  # open on as_of
        {"id": "4", "opened": date(2024, 7, 1)},  # opened after as_of
        {"id": "5", "status": "open"},
    ]
    assert compute("open_ticket_count", open_tickets=0, support_tickets=tickets) == 0
    assert compute("open_ticket_count", support_tickets=tickets) == 3
    assert compute("open_ticket_count", support_tickets=[]) == 0
    assert compute("open_ticket_count") is None


def test_detractor(compute: Any) -> None:
    assert [compute("detractor", nps_latest=n) for n in (0, 6, 7, 10)] == [
        True,
        True,
        False,
        False,
    ]
    assert compute("detractor") is None


def test_rfm_scores_are_quintiles(column: Any) -> None:
    assert column("rfm_f", [1, 2, 3, 4, 5]) == [1, 2, 3, 4, 5]
    assert column("rfm_m", list(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # recency: fewest days is best
    assert column("rfm_r", [1, 2, 3, 4, 5]) == [5, 4, 3, 2, 1]


def test_rfm_ties_share_a_score_and_missing_stays_missing(column: Any) -> None:
    # frequency 3 is at or above 3 of 3 present accounts -> 5; 1 is at or above 1 -> ceil(5/3)
    # ties share the lowest score their block reaches: 1 + floor(5 * share strictly worse)
    assert column("rfm_f", [3, 3, None, 1]) == [2, 2, None, 1]  # 3: 1 + 5*1//3 = 2
    assert column("rfm_r", [10, 400, None, 10]) == [2, 1, None, 2]  # 10: 1 + 5*1//3 = 2
    assert column("rfm_m", [None, None]) == [None, None]
    assert column("rfm_f", [4, 4, 4]) == [1, 1, 1]  # nobody is better than anybody
    assert column("rfm_f", [0] * 157 + list(range(1, 244)))[:157] == [1] * 157  # no orders: 1


def test_rfm_code(compute: Any) -> None:
    assert compute("rfm_code", rfm_r=5, rfm_f=4, rfm_m=5) == "545"
    assert compute("rfm_code", rfm_r=5, rfm_f=None, rfm_m=5) is None


def test_recency_is_missing_for_an_order_dated_after_as_of(compute: Any) -> None:
    assert compute("recency_days", last_order_date=date(2024, 9, 1)) is None  # after AS_OF
    assert compute("recency_days", days_since_last_order=-63) is None
    assert compute("recency_days", last_order_date=date(2024, 5, 1)) == 60
