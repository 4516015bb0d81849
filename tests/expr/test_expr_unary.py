"""Decision-table cells (unary tests)."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from kamcore.errors import ExpressionError
from kamcore.expr import Interval, MissingValueError, UnaryTest, compile_unary_test
from kamcore.types import BOOLEAN, INTEGER, NUMBER, STRING, Type

from .expr_support import make_scope, sample_values

SCOPE = make_scope()
VALUES = sample_values()
MONEY = Type("number", unit="CNY")


def cell(text: str, input_type: Type = MONEY, input_source: str = "revenue_12m") -> UnaryTest:
    return compile_unary_test(text, input_source, input_type, SCOPE)


def matches(test: UnaryTest, *inputs: Any) -> list[bool]:
    return [test.test(value, VALUES) for value in inputs]


def test_dash_matches_anything_even_missing() -> None:
    test = cell("-", MONEY.as_optional())
    assert test.kind == "any"
    assert matches(test, 0, 5_000_000, None) == [True, True, True]


def test_blank_cell_matches_anything() -> None:
    assert cell("  ").kind == "any"


@pytest.mark.parametrize("text", ["null", "None"])
def test_null_matches_only_missing(text: str) -> None:
    test = cell(text, MONEY.as_optional())
    assert test.kind == "null"
    assert matches(test, None, 0, "") == [True, False, False]


@pytest.mark.parametrize(
    ("text", "inside", "outside", "interval"),
    [
        (">= 1_000_000", [1_000_000, 2e6], [999_999.99], Interval(1_000_000, True, None, False)),
        ("> 0", [0.01], [0, -1], Interval(0, False, None, False)),
        ("< 0", [-0.5], [0, 1], Interval(None, False, 0, False)),
        ("<= -1", [-1, -2], [0], Interval(None, False, -1, True)),
        ("== 5", [5, 5.0], [4], None),
        ("!= 5", [4], [5], None),
    ],
)
def test_comparison_cells(
    text: str, inside: list[float], outside: list[float], interval: Interval | None
) -> None:
    test = cell(text)
    assert test.kind == "compare"
    assert test.interval == interval
    assert all(matches(test, *inside))
    assert not any(matches(test, *outside))


def test_comparison_with_another_name_reads_it() -> None:
    test = cell("< revenue_prev_12m")
    assert test.kind == "compare"
    assert test.names == ("revenue_prev_12m",)
    assert test.interval is None
    assert matches(test, 1_000_000, 1_300_000) == [True, False]


def test_required_input_compiles_to_a_plain_comparison() -> None:
    test = cell(">= 1_000_000")
    assert test.tree is not None
    assert ast.unparse(test.tree) == "value >= 1000000"
    assert test.test.__code__.co_varnames[:2] == ("value", "values")


@pytest.mark.parametrize(
    ("text", "interval", "inside", "outside"),
    [
        (
            "[100_000..1_000_000)",
            Interval(100_000, True, 1_000_000, False),
            [100_000, 999_999],
            [1_000_000, 99_999],
        ),
        ("(0..1]", Interval(0, False, 1, True), [0.5, 1], [0, 1.01]),
        ("[50..)", Interval(50, True, None, False), [50, 1e12], [49.9]),
        ("(..0]", Interval(None, False, 0, True), [0, -5], [0.1]),
        ("]0..10[", Interval(0, False, 10, False), [5], [0, 10]),
    ],
)  # fmt: skip
def test_interval_cells(
    text: str, interval: Interval, inside: list[float], outside: list[float]
) -> None:
    test = cell(text)
    assert test.kind == "interval"
    assert test.interval == interval
    assert all(matches(test, *inside))
    assert not any(matches(test, *outside))


@pytest.mark.parametrize(
    ("text", "input_type", "values", "yes", "no"),
    [
        ('"retail", "fmcg"', STRING, {"retail", "fmcg"}, ["fmcg"], ["auto"]),
        ("'retail'", STRING, {"retail"}, ["retail"], ["Retail"]),
        ("1, 2, 3", INTEGER, {1, 2, 3}, [2], [4]),
        ("-1, 2.5", NUMBER, {-1, 2.5}, [-1, 2.5], [1]),
        ("true", BOOLEAN, {True}, [True], [False]),
        ("false", BOOLEAN, {False}, [False], [True]),
        ("True", BOOLEAN, {True}, [True], [False]),
    ],
)
def test_literal_cells(
    text: str, input_type: Type, values: set[Any], yes: list[Any], no: list[Any]
) -> None:
    test = cell(text, input_type, "x")
    assert test.kind == "eq"
    assert test.values == frozenset(values)
    assert all(matches(test, *yes))
    assert not any(matches(test, *no))


@pytest.mark.parametrize(
    ("text", "values"), [('not("x", "y")', {"x", "y"}), ('not("x")', {"x"}), ("not('x')", {"x"})]
)
def test_negated_literal_cells(text: str, values: set[str]) -> None:
    test = cell(text, STRING, "industry")
    assert test.kind == "not_eq"
    assert test.values == frozenset(values)
    assert matches(test, "x", "z") == [False, True]


def test_boolean_expression_cell() -> None:
    test = cell("strategic and nps >= 9", INTEGER, "open_tickets")
    assert test.kind == "expr"
    assert test.names == ("strategic", "nps")
    assert test.test(0, VALUES) is True
    assert test.test(0, sample_values(strategic=False)) is False


def test_expression_cell_may_mention_the_input_and_handle_its_missing_value() -> None:
    test = cell("nps is None or nps < 7", INTEGER.as_optional(), "nps")
    assert test.kind == "expr"
    assert test.test(None, sample_values(nps=None)) is True


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (">= 7", "nps >= 7"),
        ("[0..7)", "nps in [0..7)"),
        ("1, 2", "nps in (1, 2)"),
        ("3", "nps == 3"),
        ("not(1, 2)", "nps not in (1, 2)"),
        ("not(1)", "nps != 1"),
    ],
)
def test_missing_input_raises_for_a_value_test(text: str, source: str) -> None:
    test = cell(text, INTEGER.as_optional(), "nps")
    with pytest.raises(MissingValueError) as info:
        test.test(None, VALUES)
    assert str(info.value) == (
        f"`nps` is missing in `{source}`; handle it with `nps is None` or `coalesce(nps, ...)`"
    )


def test_portfolio_call_in_a_cell() -> None:
    test = cell("> percentile(revenue_12m)", NUMBER, "gross_margin")
    assert [call.key for call in test.portfolio_calls] == ["percentile(revenue_12m)"]
    assert test.test(0.95, VALUES) is True


@pytest.mark.parametrize(
    ("text", "input_type", "message", "column"),
    [
        ("> 'high'", NUMBER, "cannot compare `x` (number) with `'high'` (string) using `>`", 0),
        ('"high"', NUMBER, 'cannot compare `x` (number) with `"high"` (string) using `==`', 0),
        ('1, "high"', NUMBER, 'cannot compare `x` (number) with `"high"` (string) using `in`', 3),
        ("  == 5", STRING, "cannot compare `x` (string) with `5` (integer) using `==`", 2),
        ("[0..10)", STRING, "a range needs a number input; `x` is string", 0),
        ("1,000", NUMBER, "thousands separators are not allowed: write `1_000`", 1),
        (">= 1,000,000", NUMBER, "thousands separators are not allowed: write `1_000_000`", 4),
        ("[1,000..2,000)", NUMBER, "thousands separators are not allowed: write `1_000`", 2),
        (">=", NUMBER, "the expression ends early: `>=` needs a value on its right", 2),
        ("[10..0]", NUMBER, "the range '[10..0]' is empty: no number is in it", 0),
        ("[..]", NUMBER, "the range '[..]' has no bound; give at least one, as in [50..)", 0),
        ("x = 1", NUMBER, "use `==` to compare; a single `=` assigns", 2),
        ("> revnue_12m", NUMBER, "unknown fact `revnue_12m`; did you mean `revenue_12m`?", 2),
        ("> 1 AND < 2", NUMBER, "use `and` instead of `AND`", 4),
    ],
)
def test_cell_errors(text: str, input_type: Type, message: str, column: int) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_unary_test(text, "x", input_type, SCOPE)
    assert (info.value.message, info.value.column, info.value.source) == (message, column, text)


def test_bare_word_gets_a_quotes_hint() -> None:
    with pytest.raises(ExpressionError) as info:
        cell("retail", STRING, "industry")
    assert info.value.message == "unknown fact `retail`"
    assert info.value.hint == 'text values need quotes: `"retail"`'


def test_non_boolean_expression_cell_explains_what_a_cell_is() -> None:
    with pytest.raises(ExpressionError) as info:
        cell("orders_12m + 1", INTEGER, "x")
    assert info.value.message == "this cell must be a test, but `orders_12m + 1` is integer"
    assert info.value.hint.startswith("a cell is a test of its input")


def test_text_with_two_dots_is_not_a_range() -> None:
    test = cell('("a..b")', STRING, "industry")
    assert test.kind == "eq"
    assert test.values == frozenset({"a..b"})
