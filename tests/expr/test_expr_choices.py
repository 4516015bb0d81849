"""Literal texts checked against a string fact's declared values (``[inputs.<x>] values``).

A comparison of ``industry`` with ``"retial"`` compiles to a test that never matches (or, with
``!=``, always does), silently. The values are known when the policy loads, so the checker
refuses the literal there: in expressions, in decision-table cells, and end to end through a
policy's ``[inputs]``.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from kamcore import Engine, PolicyError
from kamcore.errors import ExpressionError
from kamcore.expr import Scope, compile_expression, compile_unary_test
from kamcore.types import BOOLEAN, STRING, Type

from .expr_support import FUNCTIONS

INDUSTRY = replace(STRING, choices=frozenset({"retail", "fmcg", "ict"}))
REGION = replace(STRING, optional=True, choices=frozenset({"east", "west"}))
TAGS = Type("list", item=STRING, choices=frozenset({"national", "regional"}))
SCOPE = Scope(
    names={
        "industry": INDUSTRY,
        "region": REGION,
        "tags": TAGS,
        "flag": BOOLEAN,
        "name": STRING,
    },
    functions=FUNCTIONS,
)

#: The wording, pinned: the literal, the fact, its values (sorted: a declaration is a set),
#: and the closest value when one is close.
RETIAL = (
    '`"retial"` is not one of the values of `industry` ("fmcg", "ict", "retail"); '
    'did you mean `"retail"`?'
)


def error_of(source: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, SCOPE)
    return info.value


def cell_error(cell: str, input_type: Type = INDUSTRY) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_unary_test(cell, "industry", input_type, SCOPE)
    return info.value


# -- the type ---------------------------------------------------------------------------------


def test_choices_ride_along_without_changing_what_the_type_is() -> None:
    assert INDUSTRY.as_optional().choices == INDUSTRY.choices
    assert str(INDUSTRY) == "string"
    assert str(INDUSTRY.as_optional()) == "string or missing"
    assert INDUSTRY.accepts(STRING)
    assert STRING.accepts(INDUSTRY)
    assert INDUSTRY != STRING
    assert {INDUSTRY: 1}[replace(STRING, choices=frozenset({"ict", "fmcg", "retail"}))] == 1
    assert Type("string", False, None, None, frozenset({"a"})).choices == frozenset({"a"})


# -- expressions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "column"),
    [
        ('industry == "retial"', 12),
        ("industry == 'retial'", 12),
        ("'retial' == industry", 0),
        ("industry != 'retial'", 12),
        ("industry in ('fmcg', 'retial')", 21),
        ("industry not in ['retial']", 17),
        ("flag and industry == 'retial'", 21),
    ],
)
def test_a_literal_outside_the_declared_values_is_refused(source: str, column: int) -> None:
    error = error_of(source)
    assert error.message == RETIAL
    assert error.column == column


def test_no_suggestion_when_no_value_is_close() -> None:
    assert error_of("industry == 'banking'").message == (
        '`"banking"` is not one of the values of `industry` ("fmcg", "ict", "retail")'
    )


def test_a_list_fact_checks_the_literal_looked_for_in_it() -> None:
    error = error_of("'nationl' in tags")
    assert error.message == (
        '`"nationl"` is not one of the values of `tags` ("national", "regional"); '
        'did you mean `"national"`?'
    )
    assert error.column == 0


@pytest.mark.parametrize(
    "source",
    [
        "industry == 'retail'",
        "industry in ('retail', 'fmcg') and region != 'west'",
        "'national' in tags",
        "industry < 'm'",  # an ordering is not a test for one value
        "'tai' in industry",  # a part of the text, not a value
        "name == 'anything'",  # no declared values
        # the result of `if`/`else` may be either branch: both sets of values are allowed ...
        "(industry if flag else region) == 'east'",
        # ... and a literal branch may be anything, so nothing is checked
        "(industry if flag else 'other') == 'other'",
        "coalesce(region, 'none') == 'none'",
    ],
)
def test_values_that_can_match_are_accepted(source: str) -> None:
    compile_expression(source, SCOPE)


def test_if_else_keeps_the_values_of_both_branches() -> None:
    both = compile_expression("industry if flag else region", SCOPE).type
    assert both.choices == frozenset({"retail", "fmcg", "ict", "east", "west"})
    assert compile_expression("industry if flag else name", SCOPE).type.choices is None


# -- decision-table cells ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "column"),
    [
        ('"retial"', 0),
        ('"fmcg", "retial"', 8),
        ('not("retial")', 4),
        ('not("fmcg", "retial")', 12),
        ('== "retial"', 3),
        ('!= "retial"', 3),
    ],
)
def test_a_cell_literal_outside_the_input_values_is_refused(cell: str, column: int) -> None:
    error = cell_error(cell)
    assert error.message == RETIAL
    assert error.column == column


def test_cells_with_declared_values_compile_and_match() -> None:
    test = compile_unary_test('"retail", "fmcg"', "industry", INDUSTRY, SCOPE)
    assert test.values == frozenset({"retail", "fmcg"})
    assert test.test("fmcg", {}) is True
    assert test.test("ict", {}) is False
    assert compile_unary_test('not("ict")', "industry", INDUSTRY, SCOPE).test("ict", {}) is False


# -- end to end: `[inputs.<x>] values` -------------------------------------------------------

POLICY = """
[policy]
id = "choices"
version = "1"

[inputs.industry]
type = "string"
values = ["retail", "fmcg", "ict"]

[[segments.rules]]
id = "retail"
when = "industry == 'retial'"

[tables.tier]
hit = "FIRST"
inputs = ["industry"]
outputs = ["tier"]
rules = [{ id = "r", when = ['"retial"'], then = ["KA"] }]
"""


def test_a_policy_with_a_misspelt_value_does_not_load() -> None:
    with pytest.raises(PolicyError) as info:
        Engine.from_text(POLICY)
    messages = [p.message for p in info.value.problems]
    assert messages.count(RETIAL) == 2, messages


def test_a_value_differing_only_in_capitals_is_suggested() -> None:
    assert error_of("industry == 'ICT'").message == (
        '`"ICT"` is not one of the values of `industry` ("fmcg", "ict", "retail"); '
        'did you mean `"ict"`?'
    )
