"""The built-in portfolio functions and ``abc_class``, with hand-worked expected values."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore.default_plugins.portfolio import (
    abc_class,
    cumulative_share,
    percentile,
    rank,
    top_n,
)
from kamcore.registry import Registry
from kamcore.types import Type

PLUGIN = "kamcore.default_plugins.portfolio"
columns = st.lists(st.one_of(st.none(), st.integers(0, 1_000)), max_size=40)


def test_registered_as_portfolio_functions(builtins: Registry) -> None:
    expected = {
        "percentile": ((Type("number"),), Type("number")),
        "rank": ((Type("number"),), Type("integer")),
        "cumulative_share": ((Type("number"),), Type("number", optional=True)),
        "top_n": ((Type("number"), Type("integer")), Type("boolean")),
        "abc_class": ((Type("number"),), Type("string", optional=True)),
    }
    for name, (params, result) in expected.items():
        function = builtins.functions[name]
        assert (function.plugin, function.portfolio) == (PLUGIN, True)
        assert function.param_types == params
        assert function.result_type(params) == result


def test_abc_class_is_a_classifier(builtins: Registry) -> None:
    classifier = builtins.classifiers["abc_class"]
    assert (classifier.plugin, classifier.labels, classifier.portfolio) == (
        PLUGIN,
        ("A", "B", "C"),
        True,
    )


def test_percentile() -> None:
    # 4 present values: 10 has 1 at or below it, 20 has 3 (ties share), 40 has 4
    assert percentile([10, 20, 20, None, 40]) == [0.25, 0.75, 0.75, None, 1.0]
    assert percentile([7]) == [1.0]
    assert percentile([None, None]) == [None, None]
    assert percentile([]) == []


def test_rank() -> None:
    assert rank([10, 20, 20, None, 40]) == [4, 2, 2, None, 1]
    assert rank([5, 5, 5]) == [1, 1, 1]
    assert rank([-1.5, 0, 2]) == [3, 2, 1]


def test_cumulative_share() -> None:
    assert cumulative_share([50, 30, 20]) == [0.5, 0.8, 1.0]
    assert cumulative_share([20, 50, 30]) == [1.0, 0.5, 0.8]
    # ties: the earlier account comes first
    assert cumulative_share([20, 40, 20, 20]) == [0.6, 0.4, 0.8, 1.0]
    assert cumulative_share([None, 30, 10]) == [None, 0.75, 1.0]
    assert cumulative_share([0, 0]) == [None, None]  # no total, no share
    assert cumulative_share([]) == []


def test_cumulative_share_is_not_decided_by_float_noise() -> None:
    values = [0.05, 0.6, 0.15, 0.2]
    assert (0.6 + 0.2 + 0.15) / sum(values) > 0.95  # 0.9500000000000001 without rounding
    assert cumulative_share(values) == [1.0, 0.6, 0.95, 0.8]
    assert abc_class(values) == ["C", "A", "B", "A"]


def test_top_n() -> None:
    assert top_n([20, 40, 20, 20], 2) == [True, True, False, False]  # tie broken by position
    assert top_n([20, None, 30], 5) == [True, None, True]
    assert top_n([20, 30], 0) == [False, False]
    assert top_n([20, 30], -3) == [False, False]


def test_abc_class() -> None:
    # classed by the share of the accounts ranked above: 50 and 30 make the first 80 %
    assert abc_class([50, 30, 20]) == ["A", "A", "B"]
    assert abc_class([80, 15, 5]) == ["A", "B", "C"]
    # the 20 ranked third crosses the 80 % line (from 60 %) and is still needed: A
    assert abc_class([20, 40, 20, 20]) == ["A", "A", "A", "B"]
    assert abc_class([None, 10]) == [None, "A"]  # one account holds the whole total
    assert abc_class([0, None]) == [None, None]
    # one dominant account is A, not pushed out of A by its own weight
    assert abc_class([90, 10]) == ["A", "B"]


@given(columns)
def test_one_result_per_account_and_missing_stays_missing(column: list[int | None]) -> None:
    for fn in (percentile, rank, cumulative_share, abc_class):
        result: list[Any] = fn(column)
        assert len(result) == len(column)
        assert all(r is None for r, v in zip(result, column, strict=True) if v is None)


@given(columns)
def test_rank_and_percentile_agree_with_their_definitions(column: list[int | None]) -> None:
    present = [v for v in column if v is not None]
    for value, pct, rnk in zip(column, percentile(column), rank(column), strict=True):
        if value is None:
            continue
        assert pct == pytest.approx(sum(v <= value for v in present) / len(present))
        assert rnk == 1 + sum(v > value for v in present)


@given(columns, st.integers(0, 50))
def test_top_n_chooses_n_of_the_highest(column: list[int | None], n: int) -> None:
    chosen = [v for v, top in zip(column, top_n(column, n), strict=True) if top]
    present = sorted((v for v in column if v is not None), reverse=True)
    assert sorted(chosen, reverse=True) == present[:n]  # type: ignore[type-var]
