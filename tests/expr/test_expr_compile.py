"""What compiled expressions compute, read and look like."""

from __future__ import annotations

import ast
import pickle
from datetime import date
from types import CodeType
from typing import Any

import pytest

from kamcore.errors import ExpressionError, KamcoreError, PluginError
from kamcore.expr import CompiledExpr, MissingValueError, PortfolioCall, Scope, compile_expression
from kamcore.registry import Function
from kamcore.types import BOOLEAN, INTEGER, NUMBER, STRING, Type

from .expr_support import CALLS, FUNCTIONS, make_scope, sample_values


def run(source: str, **values: Any) -> Any:
    return compile_expression(source, make_scope()).fn(sample_values(**values))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("revenue_12m >= 1_000_000", True),
        ("revenue_12m - revenue_prev_12m", 300_000.0),
        ("(revenue_12m - revenue_prev_12m) / revenue_prev_12m", 0.25),
        ("orders_12m // 4", 3),
        ("orders_12m % 4", 2),
        ("-open_tickets + 1", -1),
        ("+open_tickets", 2),
        ("0 < gross_margin < 0.5", True),
        ("1 < 2 < 0", False),
        ("industry == 'retail' and not strategic", False),
        ("industry != 'retail' or strategic", True),
        ("industry in ('retail', 'fmcg')", True),
        ("industry not in ['retail', 'fmcg']", False),
        ("'national' in segments", True),
        ("'key' not in segments", True),
        ("'tai' in industry", True),
        ("orders_12m in (1, 2, open_tickets)", False),
        ("region + '-' + industry", "east-retail"),
        ("'big' if revenue_12m > 1_000_000 else 'small'", "big"),
        ("revenue_12m if strategic else 0", 1_500_000.0),
        ("retail.weighted_distribution >= 0.8", True),
        ("last_order_date < contract_end", True),
        ("nps is not None", True),
        ("nps is None", False),
        ("True", True),
        ("None", None),
        ("'text'", "text"),
        ("2.5", 2.5),
        ("1e3", 1000.0),
    ],
)
def test_values(source: str, expected: Any) -> None:
    assert run(source) == expected


def test_integer_and_number_types() -> None:
    scope = make_scope()
    assert compile_expression("orders_12m + 1", scope).type == INTEGER
    assert compile_expression("orders_12m / 2", scope).type == NUMBER
    assert compile_expression("orders_12m + 0.5", scope).type == NUMBER
    assert compile_expression("orders_12m > 1", scope).type == BOOLEAN
    assert compile_expression("'a' + industry", scope).type == STRING


def test_money_keeps_its_currency() -> None:
    scope = make_scope()
    assert compile_expression("revenue_12m * 0.1", scope).type.unit == "CNY"
    assert compile_expression("revenue_12m - revenue_prev_12m", scope).type == Type(
        "number", optional=True, unit="CNY"
    )
    # two amounts in the same currency divide to a plain ratio
    assert compile_expression("revenue_12m / revenue_prev_12m", scope).type.unit is None


def test_if_else_unifies_branches() -> None:
    scope = make_scope()
    assert compile_expression("1 if strategic else 2.5", scope).type == NUMBER
    assert compile_expression("1 if strategic else 2", scope).type == INTEGER
    assert compile_expression("nps if strategic else 0", scope).type == INTEGER.as_optional()
    assert compile_expression("'a' if strategic else None", scope).type == STRING.as_optional()


def test_names_in_first_use_order_without_duplicates() -> None:
    compiled = compile_expression(
        "nps if revenue_12m > orders_12m and nps > 3 else retail.weighted_distribution",
        make_scope(),
    )
    assert compiled.names == ("nps", "revenue_12m", "orders_12m", "retail.weighted_distribution")


def test_compiled_expr_fields() -> None:
    source = "revenue_12m >= 1_000_000"
    compiled = compile_expression(source, make_scope(), expected=BOOLEAN)
    assert isinstance(compiled, CompiledExpr)
    assert compiled.source == source
    assert compiled.type == BOOLEAN
    assert compiled.names == ("revenue_12m",)
    assert compiled.portfolio_calls == ()
    assert isinstance(compiled.tree, ast.Expression)


def test_required_comparison_compiles_to_a_plain_subscript() -> None:
    compiled = compile_expression("revenue_12m >= 1_000_000", make_scope())
    assert ast.unparse(compiled.tree) == "values['revenue_12m'] >= 1000000"


def test_compiled_function_is_one_code_object_without_calls() -> None:
    compiled = compile_expression("revenue_12m >= 1_000_000 and industry == 'retail'", make_scope())
    code = compiled.fn.__code__
    assert code.co_varnames == ("values",)
    assert not any(isinstance(c, CodeType) for c in code.co_consts)
    assert code.co_names == ()  # no global, builtin or attribute lookup at all


def test_dotted_names_are_one_subscript_not_attribute_access() -> None:
    scope = make_scope(**{"retail.osa.rate": NUMBER})
    compiled = compile_expression("retail.osa.rate > 0.5", scope)
    assert ast.unparse(compiled.tree) == "values['retail.osa.rate'] > 0.5"
    assert compiled.fn({"retail.osa.rate": 0.6}) is True
    assert compiled.names == ("retail.osa.rate",)


def test_membership_in_constant_list_is_a_frozenset_lookup() -> None:
    compiled = compile_expression("industry in ('retail', 'fmcg')", make_scope())
    assert frozenset({"retail", "fmcg"}) in compiled.fn.__code__.co_consts


# -- missing values -----------------------------------------------------------------------------


def test_missing_value_error_wording() -> None:
    compiled = compile_expression("nps <= 6", make_scope())
    with pytest.raises(MissingValueError) as info:
        compiled.fn(sample_values(nps=None))
    assert str(info.value) == (
        "`nps` is missing in `nps <= 6`; handle it with `nps is None` or `coalesce(nps, ...)`"
    )
    assert info.value.name == "nps"
    assert info.value.source == "nps <= 6"
    assert isinstance(info.value, KamcoreError)


def test_missing_value_error_survives_pickling() -> None:
    error = MissingValueError("nps", "nps <= 6")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.name, copy.source, str(copy)) == (error.name, error.source, str(error))


@pytest.mark.parametrize(
    ("source", "operand"),
    [
        ("nps <= 6", "nps"),
        ("6 >= nps", "nps"),
        ("nps == 6", "nps"),
        ("region == 'east'", "region"),
        ("churn_flag and strategic", "churn_flag"),
        ("strategic and churn_flag", "churn_flag"),
        ("not churn_flag", "churn_flag"),
        ("region in ('east', 'west')", "region"),
        ("'a' in region", "region"),
        ("1 if churn_flag else 2", "churn_flag"),
        ("0 < nps < 10", "nps"),
        ("revenue_12m - revenue_prev_12m > 0", "revenue_12m - revenue_prev_12m"),
        ("days_since(last_order_date) > 90", "days_since(last_order_date)"),
    ],
)
def test_missing_operand_raises_naming_it(source: str, operand: str) -> None:
    compiled = compile_expression(source, make_scope())
    values = sample_values(
        nps=None, region=None, churn_flag=None, revenue_prev_12m=None, last_order_date=None
    )
    with pytest.raises(MissingValueError) as info:
        compiled.fn(values)
    assert info.value.name == operand
    assert info.value.source == source


@pytest.mark.parametrize(
    "source",
    [
        "revenue_12m - revenue_prev_12m",
        "revenue_prev_12m * 2",
        "-revenue_prev_12m",
        "revenue_prev_12m / 0",  # the missing operand wins: no ZeroDivisionError
        "clamp(revenue_prev_12m, 0, 1)",
        "days_since(last_order_date)",
    ],
)
def test_arithmetic_and_functions_propagate_missing(source: str) -> None:
    compiled = compile_expression(source, make_scope())
    assert compiled.type.optional
    assert compiled.fn(sample_values(revenue_prev_12m=None, last_order_date=None)) is None


def test_function_is_not_called_with_a_missing_argument() -> None:
    compiled = compile_expression("clamp(nps, 0, 10)", make_scope())
    CALLS.clear()
    assert compiled.fn(sample_values(nps=None)) is None
    assert CALLS == []
    assert compiled.fn(sample_values(nps=12)) == 10
    assert CALLS == [("clamp", (12, 0, 10))]


def test_handles_missing_function_gets_none() -> None:
    compiled = compile_expression("coalesce(nps, 0) <= 6", make_scope())
    CALLS.clear()
    assert compiled.fn(sample_values(nps=None)) is True
    assert CALLS == [("coalesce", (None, 0))]
    assert not compiled.type.optional


def test_is_none_guards_a_later_comparison() -> None:
    compiled = compile_expression("nps is None or nps < 7", make_scope())
    assert compiled.fn(sample_values(nps=None)) is True
    assert compiled.fn(sample_values(nps=8)) is False


def test_expected_boolean_raises_for_a_missing_condition() -> None:
    compiled = compile_expression("churn_flag", make_scope(), expected=BOOLEAN)
    assert compiled.type == BOOLEAN
    assert compiled.fn(sample_values(churn_flag=True)) is True
    with pytest.raises(MissingValueError) as info:
        compiled.fn(sample_values(churn_flag=None))
    assert info.value.name == "churn_flag"


def test_expected_number_keeps_missing_results() -> None:
    compiled = compile_expression("revenue_12m - revenue_prev_12m", make_scope(), expected=NUMBER)
    assert compiled.type.optional
    assert compiled.fn(sample_values(revenue_prev_12m=None)) is None


def test_required_operands_get_no_check() -> None:
    compiled = compile_expression("orders_12m > 3 and strategic", make_scope())
    assert "_kc_missing" not in ast.unparse(compiled.tree)


def test_division_by_zero_raises() -> None:
    compiled = compile_expression("revenue_12m / open_tickets", make_scope())
    with pytest.raises(ZeroDivisionError):
        compiled.fn(sample_values(open_tickets=0))


# -- functions ----------------------------------------------------------------------------------


def test_pass_as_of_passes_the_evaluation_date_first() -> None:
    compiled = compile_expression("days_since(last_order_date)", make_scope())
    CALLS.clear()
    assert compiled.fn(sample_values()) == 30
    assert [("days_since", (date(2024, 6, 1), date(2024, 5, 2)))] == CALLS
    assert compiled.type == INTEGER.as_optional()
    assert compiled.names == ("last_order_date",)


def test_function_result_type_comes_from_the_registration() -> None:
    scope = make_scope()
    assert compile_expression("coalesce(nps, 0)", scope).type == INTEGER
    assert compile_expression("coalesce(nps, None)", scope).type == INTEGER.as_optional()
    assert compile_expression("days_between(contract_end, as_of)", scope).type == INTEGER


def test_variadic_function_takes_many_arguments() -> None:
    compiled = compile_expression("coalesce(nps, orders_12m, open_tickets, 0)", make_scope())
    assert compiled.fn(sample_values(nps=None)) == 14


def test_functions_are_bound_under_private_names() -> None:
    compiled = compile_expression("clamp(gross_margin, 0, 1) > 0", make_scope())
    namespace = compiled.fn.__globals__
    assert namespace["__builtins__"] == {}
    assert namespace["_kc_fn_clamp"] is FUNCTIONS["clamp"].fn
    assert set(namespace) == {"__builtins__", "_kc_missing", "_kc_fn_clamp"}


def test_portfolio_call_reads_its_column() -> None:
    compiled = compile_expression(
        "percentile(revenue_12m) > 0.8 and top_n(revenue_12m, 25)", make_scope()
    )
    assert compiled.portfolio_calls == (
        PortfolioCall("percentile(revenue_12m)", FUNCTIONS["percentile"], "revenue_12m", ()),
        PortfolioCall("top_n(revenue_12m, 25)", FUNCTIONS["top_n"], "revenue_12m", (25,)),
    )
    assert compiled.names == ("revenue_12m",)
    source = ast.unparse(compiled.tree)
    assert "values['percentile(revenue_12m)']" in source
    assert "values['top_n(revenue_12m, 25)']" in source
    assert "values['revenue_12m']" not in source  # only the column is read per account
    assert compiled.fn({"percentile(revenue_12m)": 0.9, "top_n(revenue_12m, 25)": True})
    assert not compiled.fn({"percentile(revenue_12m)": 0.9, "top_n(revenue_12m, 25)": False})
    with pytest.raises(MissingValueError) as info:  # an account the portfolio could not rank
        compiled.fn({"percentile(revenue_12m)": None, "top_n(revenue_12m, 25)": True})
    assert info.value.name == "percentile(revenue_12m)"


def test_portfolio_call_keys_are_canonical() -> None:
    compiled = compile_expression(
        "top_n( revenue_12m ,25 ) or top_n(revenue_12m, 25)", make_scope()
    )
    assert [call.key for call in compiled.portfolio_calls] == ["top_n(revenue_12m, 25)"]


def test_portfolio_results_may_be_missing() -> None:
    compiled = compile_expression("percentile(retail.weighted_distribution)", make_scope())
    assert compiled.portfolio_calls[0].argument == "retail.weighted_distribution"
    assert compiled.type == NUMBER.as_optional()
    assert compile_expression("percentile(revenue_12m)", make_scope()).type.optional
    negated = compile_expression("-percentile(revenue_12m)", make_scope())
    assert negated.fn({"percentile(revenue_12m)": None}) is None


def test_scope_default_unavailable_is_empty() -> None:
    scope = Scope(names={"x": NUMBER}, functions={})
    assert dict(scope.unavailable) == {}
    assert compile_expression("x * 2", scope).fn({"x": 2}) == 4


def test_multiline_expression() -> None:
    source = "revenue_12m >= 1_000_000\n  and industry == 'retail'"
    assert compile_expression(source, make_scope()).fn(sample_values()) is True


def test_unicode_text_and_columns() -> None:
    compiled = compile_expression("industry == '零售'", make_scope())
    assert compiled.fn(sample_values(industry="零售")) is True


def test_leading_blanks_and_line_breaks_are_fine() -> None:
    source = "\n    revenue_12m >= 1_000_000\n    and industry == 'retail'\n"
    assert compile_expression(source, make_scope()).fn(sample_values()) is True


def _broken_result_type(args: Any) -> Type:
    raise KeyError("oops")


def test_a_crashing_result_type_is_a_plugin_error_naming_the_plugin() -> None:
    broken = Function("broken", abs, ("number",), _broken_result_type, plugin="acme")
    scope = Scope(names={"x": NUMBER}, functions={"broken": broken})
    with pytest.raises(PluginError) as info:
        compile_expression("broken(x)", scope)
    assert info.value.plugin == "acme"
    assert "KeyError" in str(info.value)


def test_a_refusing_result_type_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression("coalesce(nps, 'x')", make_scope())
    assert info.value.message == (
        "`coalesce` cannot take these arguments: "
        "its arguments must all have the same type, but they are integer and string"
    )
