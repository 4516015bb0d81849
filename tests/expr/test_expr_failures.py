"""Run-time type errors: refused at load where the types are known, an account error where not.

``any``-typed values (a plugin fact of unknown type) are the one way a value of the wrong kind
reaches an operator. Whatever gets through must fail that account alone, named, and never the
whole portfolio run; a plugin function's own bug still propagates so the pipeline names it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from kamcore import Engine, PolicyError
from kamcore.errors import AccountError
from kamcore.expr import MissingValueError, Scope, compile_expression, compile_unary_test
from kamcore.hookspecs import hookimpl
from kamcore.registry import Fact, Function
from kamcore.runtime.context import AccountRun
from kamcore.runtime.rules import evaluate, expression_failure
from kamcore.types import ANY, BOOLEAN

from .expr_support import FUNCTIONS


def _strict(value: Any) -> bool:
    """A plugin function with a bug: it raises TypeError for a text."""
    return bool(value + 1)


SCOPE = Scope(
    names={"x": ANY.as_optional(), "p": ANY},
    functions={**FUNCTIONS, "strict": Function("strict", _strict, ("any",), BOOLEAN)},
)
STR_VS_INT = "'>' not supported between instances of 'str' and 'int'"


def run_for(values: dict[str, Any]) -> AccountRun:
    return AccountRun("a1", values, {}, None, None, date(2024, 6, 1))


def test_arithmetic_on_any_keeps_may_be_missing() -> None:
    compiled = compile_expression("x + 1", SCOPE)
    assert compiled.type == ANY.as_optional()
    # the comparison now checks for the missing value instead of running `None > 5`
    with pytest.raises(MissingValueError) as info:
        compile_expression("x + 1 > 5", SCOPE).fn({"x": None})
    assert info.value.name == "x + 1"


def test_a_type_error_of_the_expression_is_the_accounts_error() -> None:
    compiled = compile_expression("x > 5", SCOPE)
    with pytest.raises(AccountError) as info:
        evaluate(compiled, run_for({"x": "abc"}), "segments.rules[big].when")
    error = info.value
    assert (error.account_id, error.where) == ("a1", "segments.rules[big].when")
    assert error.reason == f"cannot evaluate `x > 5`: {STR_VS_INT}"
    assert evaluate(compiled, run_for({"x": 9}), "w") is True


def test_a_type_error_inside_a_registered_function_propagates_unchanged() -> None:
    compiled = compile_expression("strict(p)", SCOPE)
    with pytest.raises(TypeError) as info:
        evaluate(compiled, run_for({"p": "abc"}), "w")
    assert expression_failure(info.value, compiled) is None


def test_expression_failure_only_claims_type_errors_of_compiled_code() -> None:
    compiled = compile_expression("x > 5", SCOPE)
    with pytest.raises(TypeError) as info:
        compiled.fn({"x": "abc"})
    assert expression_failure(info.value, compiled) == f"cannot evaluate `x > 5`: {STR_VS_INT}"
    assert expression_failure(TypeError("never raised"), compiled) is None
    assert expression_failure(ValueError("not a type error"), compiled) is None


def test_expression_failure_serves_decision_table_cells() -> None:
    test = compile_unary_test(">= 5", "x", ANY, SCOPE)
    with pytest.raises(TypeError) as info:
        test.test("abc", {})
    reason = expression_failure(info.value, ">= 5")
    assert reason == (
        "cannot evaluate `>= 5`: '>=' not supported between instances of 'str' and 'int'"
    )


# -- through the engine -----------------------------------------------------------------------

HEADER = '[policy]\nid = "f"\nversion = "1"\n'


def test_coalesce_of_mixed_kinds_is_refused_when_the_policy_loads() -> None:
    policy = (
        HEADER
        + '[inputs.n]\ntype = "integer"\n[inputs.code]\ntype = "string"\n'
        + '[[segments.rules]]\nid = "big"\nwhen = "coalesce(n, code) > 5"\n'
    )
    with pytest.raises(PolicyError) as info:
        Engine.from_text(policy)
    assert [p.message for p in info.value.problems] == [
        "`coalesce` cannot take these arguments: "
        "its arguments must all have the same type, but they are integer and string"
    ]


class _LoosePlugin:
    """Registers a fact of unknown type, as a plugin reading free-form attributes might."""

    @hookimpl
    def kamcore_register_facts(self, register: Callable[[Fact], None]) -> None:
        register(Fact("loose.x", "any"))


def test_a_type_error_fails_one_account_not_the_portfolio() -> None:
    policy = HEADER + '[[segments.rules]]\nid = "big"\nwhen = "loose.x > 5"\n'
    engine = Engine.from_text(policy, plugins={"loose": _LoosePlugin()})
    result = engine.evaluate_portfolio(
        [{"id": "a", "loose.x": "abc"}, {"id": "b", "loose.x": 9}], as_of="2024-06-01"
    )
    assert [(e["account_id"], e["where"], e["reason"]) for e in result.errors] == [
        ("a", "segments.rules[big].when", f"cannot evaluate `loose.x > 5`: {STR_VS_INT}")
    ]
    assert list(result.by_id()) == ["b"]
