"""The sandbox: known escapes are refused when compiling, and no text does anything else.

The property tests feed arbitrary text, and text assembled from the dialect's own tokens, to
the compiler. Whatever compiles must evaluate to a value or fail only in the documented ways,
must leave the values dict alone, and its compiled tree must contain nothing but the node
types and names the code generator emits.
"""

from __future__ import annotations

import ast
import contextlib
import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamcore.errors import ExpressionError
from kamcore.expr import CompiledExpr, MissingValueError, Scope, compile_expression
from kamcore.types import NUMBER, Type

from .expr_support import CALLS, FUNCTIONS, NAMES, make_scope, sample_values

SCOPE = make_scope()

ESCAPES = [
    "().__class__.__bases__[0].__subclasses__()",
    "().__class__",
    "(1).__class__",
    "[].__class__",
    "industry.__class__.__mro__",
    "revenue_12m.__class__",
    "revenue_12m._private",
    "retail._weighted",
    "__import__('os').system('x')",
    "__import__",
    "__builtins__",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('1')",
    "compile('1', '', 'eval')",
    "globals()",
    "locals()",
    "vars()",
    "type(1)",
    "print(1)",
    "breakpoint()",
    "help()",
    "getattr(revenue_12m, 'y')",
    "getattr(x, 'y')",
    "setattr(x, 'y', 1)",
    "[x for x in ()]",
    "(i for i in [1])",
    "{x: 1 for x in ()}",
    "{x for x in ()}",
    "(lambda: 1)()",
    "lambda: 1",
    "(y := 1)",
    "y := 1",
    "f'{1}'",
    "f'{open}'",
    "'{0.__class__}'.format(1)",
    "industry.format()",
    "'%s' % industry",
    "9**9**9",
    "2 ** 100000",
    "'a' * 10**9",
    "'a' * 1000000000",
    "segments * 1000000000",
    "segments + segments",
    "values",
    "values['x']",
    "_kc_missing('a', 'b')",
    "_kc_fn_clamp(1, 2, 3)",
    "_kc_t0",
    "clamp.__globals__",
    "clamp(1, 2, 3).__class__",
    "coalesce(*segments)",
    "coalesce(**{})",
    "clamp(x=1)",
    "await clamp(1, 2, 3)",
    "(yield)",
    "revenue_12m[0]",
    "industry[::-1]",
    "1 if True else __import__('os')",
    "... is None",
    "b'x'",
    "revenue_12m if (y := 1) else 0",
    "not __debug__",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_known_escapes_are_refused_at_compile_time(source: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(source, SCOPE)


def test_user_names_never_become_python_names() -> None:
    # A policy may have a metric called `values`, `value` or `as_of`: they are dict keys only.
    scope = Scope(names={"values": NUMBER, "value": NUMBER}, functions={})
    compiled = compile_expression("values > value", scope)
    assert ast.unparse(compiled.tree) == "values['values'] > values['value']"
    assert compiled.fn({"values": 2, "value": 1}) is True


# -- the emitted tree contains only what the generator produces --------------------------------

ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
    ast.IfExp,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.NamedExpr,
    ast.Subscript,
    ast.Call,
    ast.Tuple,
    ast.Set,
)


def assert_tree_is_generated_code(compiled: CompiledExpr) -> None:
    for node in ast.walk(compiled.tree):
        assert isinstance(node, ALLOWED_NODES), ast.dump(node)
        if isinstance(node, ast.Name):
            assert node.id == "values" or node.id.startswith(("_kc_t", "_kc_fn_", "_kc_missing"))
        if isinstance(node, ast.Subscript):
            assert isinstance(node.value, ast.Name)
            assert node.value.id == "values"
            assert isinstance(node.slice, ast.Constant)
            assert isinstance(node.slice.value, str)
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            assert not node.keywords
        if isinstance(node, ast.NamedExpr):
            assert node.target.id.startswith("_kc_t")
        if isinstance(node, ast.Constant):
            assert node.value is None or isinstance(node.value, bool | int | float | str)
    namespace = compiled.fn.__globals__
    assert namespace["__builtins__"] == {}
    allowed = {f.fn for f in FUNCTIONS.values()}
    assert all(
        key in ("__builtins__", "_kc_missing") or namespace[key] in allowed for key in namespace
    )


# -- property tests -----------------------------------------------------------------------------

_BY_KIND: dict[str, list[Any]] = {
    "number": [0, 0.0, 1, -3, 2.5, 1e308, -1e308, 10**30],
    "integer": [0, 1, -7, 12, 10**30],
    "string": ["", "retail", "east", "零售"],
    "boolean": [True, False],
    "date": [date(2024, 1, 1), date(2024, 6, 1)],
    "list": [[], ["retail"], ["national", "retail"]],
}


@st.composite
def values_for(draw: st.DrawFn, compiled: CompiledExpr) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, type_ in NAMES.items():
        options = list(_BY_KIND[type_.kind])
        if type_.optional:
            options.append(None)
        values[name] = draw(st.sampled_from(options))
    values["as_of"] = date(2024, 6, 1)
    for call in compiled.portfolio_calls:
        result = call.function.result_type([NAMES[call.argument]])
        values[call.key] = draw(st.sampled_from(_BY_KIND[result.kind] + [None]))
    return values


def check_outcome(source: str, data: st.DataObject) -> None:
    try:
        compiled = compile_expression(source, SCOPE)
    except ExpressionError:
        return
    assert_tree_is_generated_code(compiled)
    values = data.draw(values_for(compiled))
    before = copy.deepcopy(values)
    CALLS.clear()
    with contextlib.suppress(MissingValueError, ZeroDivisionError, OverflowError):
        compiled.fn(values)
    assert values == before
    assert {name for name, _ in CALLS} <= set(FUNCTIONS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.text(max_size=80), data=st.data())
def test_arbitrary_text_compiles_safely_or_is_refused(source: str, data: st.DataObject) -> None:
    check_outcome(source, data)


_TOKENS = [
    *NAMES,
    *FUNCTIONS,
    "0", "1", "2.5", "1_000_000", "-1", "1e308", "10", "'retail'", "'east'", "''", "True",
    "False", "None", "+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", "<=", ">", ">=",
    "and", "or", "not", "in", "not in", "is", "is not", "if", "else", "(", ")", "[", "]",
    ",", ".", "__class__", "_x", "lambda", ":", "=", "{", "}", "for", "x", "open", "AND",
    "1,000", "&&", "<>", "!", "true", "null", "f'{1}'", ":=", "@", "&", "|", "~", "#",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens=st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=14), data=st.data())
def test_token_soup_compiles_safely_or_is_refused(tokens: list[str], data: st.DataObject) -> None:
    check_outcome(" ".join(tokens), data)


_LEAVES = st.sampled_from(
    [*NAMES, "0", "1", "3", "2.5", "-4", "1e308", "'retail'", "'a'", "True", "False", "None"]
)


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.sampled_from(
        ["+", "-", "*", "/", "//", "%", "==", "!=", "<", ">=", "and", "or", "in"]
    )
    return st.one_of(
        st.builds(lambda a, op, b: f"({a} {op} {b})", children, binary, children),
        st.builds(lambda a: f"(not {a})", children),
        st.builds(lambda a: f"(-{a})", children),
        st.builds(lambda a: f"({a} is None)", children),
        st.builds(lambda a, c, b: f"({a} if {c} else {b})", children, children, children),
        st.builds(lambda a, b: f"({a} in ({b}, 'retail'))", children, children),
        st.builds(lambda a: f"coalesce({a}, 0)", children),
        st.builds(lambda a: f"clamp({a}, 0, 1)", children),
        st.builds(lambda a: f"days_since({a})", children),
        st.builds(lambda a, b: f"days_between({a}, {b})", children, children),
        st.sampled_from(["percentile(revenue_12m)", "top_n(orders_12m, 3)"]),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.recursive(_LEAVES, _grow, max_leaves=12), data=st.data())
def test_well_formed_expressions_evaluate_or_fail_only_as_documented(
    source: str, data: st.DataObject
) -> None:
    check_outcome(source, data)


def test_the_grammar_strategy_reaches_evaluation() -> None:
    # Guard against a property test that only ever exercises the refusal path.
    compiled = compile_expression("(coalesce(nps, 0) + 1) if strategic else -4", SCOPE)
    assert compiled.fn(sample_values(nps=None)) == 1
    assert_tree_is_generated_code(compiled)


def test_generated_tree_check_rejects_foreign_nodes() -> None:
    compiled = compile_expression("revenue_12m > 1", SCOPE)
    forged = CompiledExpr(
        compiled.source,
        compiled.type,
        compiled.names,
        (),
        compiled.fn,
        ast.Expression(body=ast.Attribute(value=ast.Name("values"), attr="x", ctx=ast.Load())),
    )
    with pytest.raises(AssertionError):
        assert_tree_is_generated_code(forged)


def test_type_of_sample_lists_is_list_of_strings() -> None:
    assert NAMES["segments"] == Type("list", item=Type("string"))
