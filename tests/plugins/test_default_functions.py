"""The built-in expression functions: values, missing handling and declared result types,
called through the registry exactly as the expression compiler sees them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore.errors import ExpressionError
from kamcore.expr import Scope, compile_expression
from kamcore.registry import Function, Registry
from kamcore.types import NONE, Type

AS_OF = date(2024, 6, 30)
INT, NUM, STR = Type("integer"), Type("number"), Type("string")
CNY = Type("number", unit="CNY")
CHANNEL = Type("string", choices=frozenset({"direct", "online"}))
REGION = Type("string", choices=frozenset({"east"}))


@pytest.fixture
def fn(builtins: Registry) -> Any:
    def lookup(name: str) -> Function:
        function = builtins.functions[name]
        assert function.plugin == "kamcore.default_plugins.functions"
        return function

    return lookup


def test_every_builtin_function_is_registered(builtins: Registry) -> None:
    names = {n for n, f in builtins.functions.items() if f.plugin.endswith(".functions")}
    assert names == {
        "days_since",
        "days_between",
        "date",
        "coalesce",
        "pct_change",
        "safe_div",
        "clamp",
        "min",
        "max",
        "abs",
        "round",
        "count",
        "lower",
        "upper",
    }


def test_days_since_counts_to_as_of(fn: Any) -> None:
    days_since = fn("days_since")
    assert days_since.pass_as_of
    assert days_since.param_types == (Type("date"),)
    assert days_since.result_type([Type("date")]) == INT
    assert days_since.fn(AS_OF, date(2024, 6, 1)) == 29
    assert days_since.fn(AS_OF, date(2024, 7, 2)) == -2
    assert days_since.fn(AS_OF, datetime(2024, 6, 29, 23, 59)) == 1  # datetimes cut to dates


def test_days_between(fn: Any) -> None:
    days_between = fn("days_between")
    assert days_between.fn(date(2024, 2, 28), date(2024, 3, 1)) == 2  # leap year
    assert days_between.fn(date(2024, 3, 1), date(2024, 2, 28)) == -2
    assert days_between.result_type([Type("date"), Type("date")]) == INT


def test_date_parses_iso_and_is_missing_otherwise(fn: Any) -> None:
    parse = fn("date")
    assert parse.fn("2024-05-01") == date(2024, 5, 1)
    assert parse.fn("2024-05-01T10:30:00") == date(2024, 5, 1)
    assert parse.fn("2024-02-30") is None
    assert parse.fn("01/05/2024") is None
    assert parse.fn("9" * 10_000) is None  # long input refused before parsing
    assert parse.result_type([STR]) == Type("date", optional=True)


def test_coalesce_returns_the_first_present_value(fn: Any) -> None:
    coalesce = fn("coalesce")
    assert coalesce.handles_missing
    assert coalesce.variadic
    assert coalesce.min_args == 1
    assert coalesce.fn(None, 0, 5) == 0  # 0 and False are present values
    assert coalesce.fn(None, False) is False
    assert coalesce.fn(None, None) is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([INT.as_optional(), INT], INT),
        ([INT.as_optional(), NUM.as_optional()], NUM.as_optional()),
        ([CNY.as_optional(), NUM], NUM),
        ([CNY.as_optional(), CNY], CNY),
        ([STR.as_optional(), STR], STR),
        ([STR.as_optional(), NONE], STR.as_optional()),
        ([NONE], NONE),
        ([Type("boolean", optional=True), Type("boolean")], Type("boolean")),
        # a fact of unknown type goes with anything; the result is unknown too
        ([Type("any", optional=True), INT], Type("any")),
        ([Type("any", optional=True), NONE], Type("any", optional=True)),
        # declared values survive only when every argument has some
        (
            [CHANNEL.as_optional(), REGION],
            Type("string", choices=frozenset({"direct", "online", "east"})),
        ),
        ([CHANNEL.as_optional(), STR], STR),
    ],
)
def test_coalesce_result_type_unifies_its_arguments(
    fn: Any, args: list[Type], expected: Type
) -> None:
    assert fn("coalesce").result_type(args) == expected


@pytest.mark.parametrize(
    ("args", "kinds"),
    [
        ([INT.as_optional(), STR.as_optional()], "integer and string"),
        ([STR.as_optional(), INT], "string and integer"),
        ([Type("date", optional=True), NUM, NONE, STR], "date, number and string"),
        ([Type("list", item=STR, optional=True), STR], "list[string] and string"),
    ],
)
def test_coalesce_refuses_arguments_of_different_kinds(
    fn: Any, args: list[Type], kinds: str
) -> None:
    """A mixed result would be a number for one account and a text for the next: refused when
    the policy loads, not a TypeError per account (``coalesce(n, code) > 5``)."""
    with pytest.raises(TypeError) as info:
        fn("coalesce").result_type(args)
    assert str(info.value) == f"its arguments must all have the same type, but they are {kinds}"


def test_mixed_coalesce_is_reported_by_the_checker(builtins: Registry) -> None:
    scope = Scope(
        names={"n": INT.as_optional(), "code": STR.as_optional()}, functions=builtins.functions
    )
    with pytest.raises(ExpressionError) as info:
        compile_expression("coalesce(n, code) > 5", scope)
    assert info.value.message == (
        "`coalesce` cannot take these arguments: "
        "its arguments must all have the same type, but they are integer and string"
    )
    assert compile_expression("coalesce(n, 0) > 5", scope).fn({"n": None}) is False


def test_pct_change(fn: Any) -> None:
    pct_change = fn("pct_change")
    assert pct_change.fn(100, 120) == pytest.approx(0.2)
    assert pct_change.fn(200, 50) == pytest.approx(-0.75)
    assert pct_change.fn(0, 50) is None  # no base to compare with
    assert not pct_change.handles_missing  # missing old or new: missing result, fn not called
    assert pct_change.result_type([NUM, NUM]) == NUM.as_optional()


def test_safe_div(fn: Any) -> None:
    safe_div = fn("safe_div")
    assert safe_div.fn(10, 4, 0) == 2.5
    assert safe_div.fn(10, 0, 0) == 0
    assert safe_div.fn(10, 0) is None
    assert safe_div.min_args == 2
    assert safe_div.result_type([NUM, NUM, INT]) == NUM
    assert safe_div.result_type([NUM, NUM]) == NUM.as_optional()
    assert safe_div.result_type([NUM, NUM, NONE]) == NUM.as_optional()


def test_clamp(fn: Any) -> None:
    clamp = fn("clamp")
    assert [clamp.fn(x, 0, 10) for x in (-5, 5, 50)] == [0, 5, 10]
    assert clamp.fn(0.5, 0, 1) == 0.5
    assert clamp.fn(5, 10, 0) == 0  # lo > hi: hi wins
    assert clamp.result_type([INT, INT, INT]) == INT
    assert clamp.result_type([NUM, INT, INT]) == NUM


def test_min_max_abs(fn: Any) -> None:
    assert fn("min").fn(3, 1.5, 2) == 1.5
    assert fn("max").fn(3, 1.5, 2) == 3
    assert fn("min").fn(7) == 7
    assert fn("abs").fn(-2.5) == 2.5
    assert fn("min").result_type([INT, INT]) == INT
    assert fn("max").result_type([CNY, CNY]) == CNY  # money stays money
    assert fn("max").result_type([INT, NUM]) == NUM
    assert fn("abs").result_type([INT.as_optional()]) == INT


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((2.5,), 3),
        ((-2.5,), -3),
        ((0.5,), 1),
        ((2.675, 2), 2.68),
        ((1.005, 2), 1.01),
        ((1234.5678, 1), 1234.6),
        ((1234, -2), 1200),
        ((1250, -2), 1300),
        ((-1250, -2), -1300),
        ((7,), 7),
        ((1e300, 2), 1e300),
        ((5, -(10**9)), 0),  # ndigits is clamped: no billion-digit power of ten
        ((123.0, 10**9), 123.0),
    ],
)
def test_round_is_half_away_from_zero(fn: Any, args: tuple[float, ...], expected: float) -> None:
    result = fn("round").fn(*args)
    assert result == expected
    assert type(result) is type(expected)


def test_round_result_type(fn: Any) -> None:
    assert fn("round").min_args == 1
    assert fn("round").result_type([NUM]) == INT
    assert fn("round").result_type([CNY, INT]) == CNY


def test_round_passes_non_finite_values_through(fn: Any) -> None:
    assert fn("round").fn(float("inf"), 2) == float("inf")


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(-20, 20))
def test_round_is_total_and_close(x: float, ndigits: int) -> None:
    from kamcore.default_plugins.functions import MAX_NDIGITS, round_half_up

    result = round_half_up(x, ndigits)
    n = max(-MAX_NDIGITS, min(MAX_NDIGITS, ndigits))
    assert abs(result - x) <= 0.5 * 10.0 ** (-n) * (1 + 1e-9) + abs(x) * 1e-15


def test_count_lower_upper(fn: Any) -> None:
    assert fn("count").fn([{"date": "2024-01-01"}, {}]) == 2
    assert fn("count").fn([]) == 0
    assert fn("count").param_types == (Type("list"),)
    assert fn("lower").fn("Retail") == "retail"
    assert fn("upper").fn("cny") == "CNY"
    assert fn("upper").result_type([STR]) == STR
