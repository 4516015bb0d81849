"""Every compile-time message, word for word, with the caret column it points at."""

from __future__ import annotations

import pytest

from kamcore.errors import ExpressionError
from kamcore.expr import Scope, compile_expression
from kamcore.types import BOOLEAN, DATE, INTEGER, NUMBER, STRING, Type

from .expr_support import FUNCTIONS

SCOPE = Scope(
    names={
        "revenue": NUMBER,
        "a": NUMBER,
        "b": NUMBER,
        "nps": INTEGER.as_optional(),
        "industry": STRING,
        "flag": BOOLEAN,
        "as_of": DATE,
        "last_order": DATE,
        "cny": Type("number", unit="CNY"),
        "usd": Type("number", unit="USD"),
        "segments": Type("list", item=STRING),
    },
    functions=FUNCTIONS,
    unavailable={"tier": "tier is decided after the scorecards"},
)

HINT_DATES = "use days_since(...) or days_between(a, b)"


def error_of(source: str, expected: Type | None = None) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, SCOPE, expected=expected)
    assert info.value.source == source
    return info.value


# The mistakes users make in conditions (anchors.md), pinned exactly.
PINNED = [
    ("revenue >=", "the expression ends early: `>=` needs a value on its right", 10),
    ("revnue > 1", "unknown fact `revnue`; did you mean `revenue`?", 0),
    ("xyz > 1", "unknown fact `xyz`", 0),
    ("clmap(a, 0, 1)", "unknown function `clmap`; did you mean `clamp`?", 0),
    ("open('/etc/passwd')", "unknown function `open`", 0),
    ("revenue > 'high'", "cannot compare `revenue` (number) with `'high'` (string) using `>`", 8),
    ("tier = 'KA'", "use `==` to compare; a single `=` assigns", 5),
    ("1,000,000", "thousands separators are not allowed: write `1_000_000`", 1),
    ("revenue > 1,000", "thousands separators are not allowed: write `1_000`", 11),
    ("revenue > 1,000.50", "thousands separators are not allowed: write `1_000.50`", 11),
    ("a > 1 AND b < 2", "use `and` instead of `AND`", 6),
    ("a > 1 OR b < 2", "use `or` instead of `OR`", 6),
    ("NOT flag", "use `not` instead of `NOT`", 0),
    ("a > 1 && b < 2", "use `and` instead of `&&`", 6),
    ("a > 1 || b < 2", "use `or` instead of `||`", 6),
    ("a <> b", "use `!=` instead of `<>`", 2),
    ("!flag", "use `not` instead of `!`", 0),
    ("a =< b", "use `<=` instead of `=<`", 2),
    ("a => b", "use `>=` instead of `=>`", 2),
    ("flag == true", "use `True` instead of `true`", 8),
    ("flag == false", "use `False` instead of `false`", 8),
    ("nps == null", "use `None` instead of `null`", 7),
    ("nps == none", "use `None` instead of `none`", 7),
    ("nps == NULL", "use `None` instead of `NULL`", 7),
    ("revenue 5", "cannot parse the expression here", 8),
    ("a > > b", "cannot parse the expression here", 4),
]


@pytest.mark.parametrize(("source", "message", "column"), PINNED)
def test_pinned_messages(source: str, message: str, column: int) -> None:
    error = error_of(source)
    assert (error.message, error.column) == (message, column)


def test_rendered_error_has_the_caret_under_the_token() -> None:
    error = error_of("revenue > 'high'")
    assert str(error) == (
        "cannot compare `revenue` (number) with `'high'` (string) using `>`\n"
        "    revenue > 'high'\n"
        "            ^"
    )


def test_ends_early_caret_is_at_the_end() -> None:
    assert str(error_of("revenue >=")).splitlines()[-1] == "    " + " " * 10 + "^"


OTHER = [
    # names
    ("tier == 'KA'", "`tier` is not available here: tier is decided after the scorecards", 0),
    ("clamp > 1", "`clamp` is a function: call it, as in `clamp(...)`", 0),
    ("revenue(1)", "`revenue` is a fact, not a function", 0),
    ("a.b > 1", "unknown fact `a.b`", 0),
    # types
    (
        "cny + usd",
        "cannot use `+` on `cny` (number (CNY)) and `usd` (number (USD)): they are in different "
        "units",
        4,
    ),
    (
        "cny > usd",
        "cannot compare `cny` (number (CNY)) with `usd` (number (USD)) using `>`: they are in "
        "different units",
        4,
    ),
    ("a and flag", "`and` needs true/false values on both sides; `a` is number", 0),
    ("flag or 'x'", "`or` needs true/false values on both sides; `'x'` is string", 8),
    ("not a", "`not` needs a true/false value; `a` is number", 0),
    ("-industry", "`-` needs a number; `industry` is string", 0),
    ("1 if a else 2", "the condition after `if` must be true or false; `a` is number", 5),
    (
        "1 if flag else 'x'",
        "the two results of `if`/`else` have different types: `1` is integer and `'x'` is string",
        0,
    ),
    ("a is 5", "`is` only compares with `None`; use `==` to compare values", 2),
    ("a == None", "use `a is None` to test for a missing value", 2),
    ("a != None", "use `a is not None` to test for a missing value", 2),
    (
        "a < None",
        "cannot compare with `None` using `<`; use `is None` to test for a missing value",
        2,
    ),
    ("a + None", "cannot use `+` with `None`", 2),
    (
        "a is None is None",
        "`is None` cannot be chained with other comparisons; join them with `and`",
        2,
    ),
    (
        "a in 5",
        "`in` needs a list of values `(...)`, a list or a text on its right; `5` is integer",
        5,
    ),
    ("5 in industry", "cannot look for `5` (integer) in `industry` (string)", 5),
    ("5 in segments", "cannot look for `5` (integer) in `segments` (list[string])", 5),
    ("a in (1, 'x')", "cannot compare `a` (number) with `'x'` (string) using `in`", 9),
    ("a in (1, None)", "`None` cannot be in a list of values; test `a is None` on its own", 9),
    (
        "segments < segments",
        "cannot compare `segments` (list[string]) with `segments` (list[string]) using `<`",
        9,
    ),
    ("flag < flag", "cannot compare `flag` (boolean) with `flag` (boolean) using `<`", 5),
    ("as_of == 5", "cannot compare `as_of` (date) with `5` (integer) using `==`", 6),
    ("industry * 3", "repeating a text with `*` is not allowed", 9),
    ("'%s' % a", "cannot use `%` on `'%s'` (string) and `a` (number)", 5),
    ("industry - 'x'", "cannot use `-` on `industry` (string) and `'x'` (string)", 9),
    ("flag + 1", "cannot use `+` on `flag` (boolean) and `1` (integer)", 5),
    # calls
    ("clamp(a, 1)", "`clamp` takes 3 arguments, got 2", 0),
    ("clamp(a, 1, 2, 3)", "`clamp` takes 3 arguments, got 4", 0),
    ("coalesce()", "`coalesce` takes at least 1 argument, got 0", 0),
    ("clamp('x', 0, 1)", "argument 1 of `clamp` must be a number, but `'x'` is string", 6),
    ("clamp(None, 0, 1)", "`None` cannot be passed to `clamp`", 6),
    ("clamp(a, lo=0, hi=1)", "keyword arguments are not allowed; pass the arguments in order", 11),
    ("clamp(*segments)", "`*` unpacking is not allowed", 6),
    ("percentile(a + 1)", "the first argument of `percentile` must be a fact or metric name", 11),
    ("percentile(revnue)", "unknown fact `revnue`; did you mean `revenue`?", 11),
    ("top_n(a, b)", "the other arguments of `top_n` must be literal values, such as `25`", 9),
    ("industry.upper()", "unknown function `industry.upper`", 0),
    ("(lambda: 1)()", "only registered functions can be called", 0),
    # constructs outside the dialect
    ("(a, b)", "a list of values is only allowed on the right of `in`, as in `x in (1, 2)`", 0),
    ("[a]", "a list of values is only allowed on the right of `in`, as in `x in (1, 2)`", 0),
    ("{a}", "sets `{...}` are not allowed", 0),
    ("{'a': 1}", "dicts `{...}` are not allowed", 0),
    ("a[0]", "indexing with `[...]` is not allowed", 0),
    ("a & b", "bitwise operator `&` is not allowed; use `and`", 2),
    ("a | b", "bitwise operator `|` is not allowed; use `or`", 2),
    ("a ^ b", "bitwise operator `^` is not allowed", 2),
    ("~a", "bitwise operator `~` is not allowed; use `not`", 0),
    ("a << 1", "bitwise operator `<<` is not allowed", 2),
    ("a @ b", "operator `@` is not allowed", 2),
    ("a ** 2", "`**` (power) is not allowed", 2),
    ("b'x'", "bytes literals are not allowed; use '...' for text", 0),
    ("1j", "complex numbers are not allowed", 0),
    # text-level mistakes
    ("a > （1）", "use `(` instead of the full-width `（`", 4),
    ("a > 1 # note", "comments (`#`) are not allowed in expressions", 6),
    ("(a + b", "the expression ends early: `(` is not closed", 0),
    ("a + b)", "`)` has no matching `(`", 5),
    ("(a + b]", "`]` does not close `(`", 6),
    ("'abc", "this text is not closed: add the matching `'`", 0),
    ("'''abc'''", "triple-quoted text is not allowed; use '...' or \"...\"", 0),
    ("x if c", "`if` needs an `else` part: write `a if condition else b`", 6),
    ("flag and", "the expression ends early: `and` needs a value on its right", 8),
    (
        "'\\d' == industry",
        "invalid escape sequence '\\d' in a text; write `\\\\` for a backslash",
        0,
    ),
]


@pytest.mark.parametrize(("source", "message", "column"), OTHER)
def test_messages(source: str, message: str, column: int) -> None:
    error = error_of(source)
    assert (error.message, error.column) == (message, column)


@pytest.mark.parametrize("source", ["as_of - last_order", "last_order + 1", "as_of * 2"])
def test_date_arithmetic_is_refused_with_a_hint(source: str) -> None:
    error = error_of(source)
    assert error.message == "date arithmetic is not allowed"
    assert error.hint == HINT_DATES
    assert str(error).endswith("\n" + HINT_DATES)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "the expression is empty"),
        ("   ", "the expression is empty"),
        ("a + " * 600 + "a", "the expression is too long (2401 characters; at most 2000)"),
        ("-" * 60 + "a", "the expression is nested too deeply (more than 40 levels)"),
        (" + ".join(["a"] * 260), "the expression is too complex (more than 500 parts)"),
    ],
)
def test_size_limits(source: str, message: str) -> None:
    error = error_of(source)
    assert (error.message, error.column) == (message, None)


def test_bracket_nesting_limit_points_at_the_bracket_over_the_limit() -> None:
    error = error_of("(" * 41 + "a" + ")" * 41)
    assert error.message == "the expression is nested too deeply (more than 40 levels)"
    assert error.column == 40


def test_forty_levels_are_fine() -> None:
    source = "(" * 39 + "a" + ")" * 39 + " > 1"
    assert compile_expression(source, SCOPE).fn({"a": 2}) is True


def test_expected_type_mismatch() -> None:
    error = error_of("revenue", BOOLEAN)
    assert error.message == "the expression must give a boolean (true/false), but it gives a number"
    assert error.column == 0
    assert error_of("None", BOOLEAN).message == (
        "the expression must give a boolean (true/false), but it gives None"
    )


def test_a_fact_named_like_a_keyword_in_capitals_is_kept() -> None:
    scope = Scope(names={"AND": NUMBER}, functions={})
    assert compile_expression("AND > 1", scope).fn({"AND": 2}) is True


def test_unicode_column_counts_characters() -> None:
    error = error_of("industry == '零售' x")
    assert (error.message, error.column) == ("cannot parse the expression here", 17)


def test_caret_with_newlines_counts_characters_of_the_source() -> None:
    error = error_of("a > 1\nand revnue > 2")
    assert error.message == "unknown fact `revnue`; did you mean `revenue`?"
    assert error.column == 10


def test_columns_count_leading_blanks() -> None:
    error = error_of("   revnue > 1")
    assert (error.message, error.column) == ("unknown fact `revnue`; did you mean `revenue`?", 3)
