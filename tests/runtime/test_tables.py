"""Decision tables: every DMN hit policy, defaults, cell kinds, and the load-time checks."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcore.errors import AccountError, Location
from kamcore.registry import Function, Registry
from kamcore.runtime.context import AccountRun, CompileContext
from kamcore.runtime.tables import CompiledTable, compile_table
from kamcore.types import BOOLEAN, INTEGER, NUMBER, STRING, Type

AS_OF = date(2024, 6, 30)


class StandInDoc:
    """Locates every key path at line 1 of ``t.toml`` (the policy loader is not needed here)."""

    def locate(self, key_path: str) -> Location:
        return Location(file="t.toml", line=1, key_path=key_path)


def make_ctx() -> CompileContext:
    names = {
        "revenue_12m": NUMBER.as_optional(),
        "gross_margin": NUMBER,
        "orders_12m": INTEGER,
        "industry": STRING.as_optional(),
        "region": STRING,
        "strategic": BOOLEAN,
        "nps": NUMBER.as_optional(),
    }
    return CompileContext(doc=StandInDoc(), registry=Registry(), names=names)  # type: ignore[arg-type]


def account(**values: Any) -> AccountRun:
    base: dict[str, Any] = {
        "revenue_12m": 250_000.0,
        "gross_margin": 0.3,
        "orders_12m": 12,
        "industry": "retail",
        "region": "emea",
        "strategic": False,
        "nps": 8,
    }
    base.update(values)
    return AccountRun("a1", base, {"warnings": []}, [], None, AS_OF)


def build(spec: Mapping[str, Any], table_id: str = "t") -> CompiledTable:
    ctx = make_ctx()
    table = compile_table(ctx, table_id, spec)
    assert [p.format() for p in ctx.problems] == []
    assert table is not None
    return table


def problems(spec: Mapping[str, Any], table_id: str = "t") -> list[tuple[str, str]]:
    """(key path, message) of every problem; the table must not compile."""
    ctx = make_ctx()
    table = compile_table(ctx, table_id, spec)
    assert table is None
    assert ctx.problems
    return [(p.location.key_path, p.message) for p in ctx.problems]


def run(table: CompiledTable, **values: Any) -> dict[str, Any]:
    return table.evaluate(account(**values))


def rule(rule_id: str, when: list[Any], then: list[Any]) -> dict[str, Any]:
    return {"id": rule_id, "when": when, "then": then}


TIER: dict[str, Any] = {
    "hit": "FIRST",
    "inputs": ["revenue_12m", "gross_margin", "strategic"],
    "outputs": ["tier"],
    "output_values": {"tier": ["KA", "NA", "growth", "standard"]},
    "rules": [
        rule("ka-large", [">= 5_000_000", ">= 0.2", "-"], ["KA"]),
        rule("ka-strategic", [">= 1_000_000", "-", "True"], ["KA"]),
        rule("na", [">= 1_000_000", "-", "-"], ["NA"]),
        rule("growth", [">= 100_000", "-", "-"], ["growth"]),
        rule("standard", ["-", "-", "-"], ["standard"]),
    ],
}


# -- single hit ---------------------------------------------------------------------------------


def test_first_returns_the_first_matching_row_in_table_order() -> None:
    table = build(TIER, "tier")
    assert run(table, revenue_12m=6e6, gross_margin=0.25) == {"tier": "KA"}
    assert run(table, revenue_12m=6e6, gross_margin=0.1) == {"tier": "NA"}
    assert run(table, revenue_12m=2e6, gross_margin=0.1, strategic=True) == {"tier": "KA"}
    assert run(table, revenue_12m=200_000.0) == {"tier": "growth"}
    assert run(table, revenue_12m=5.0) == {"tier": "standard"}


def test_fired_row_is_recorded_with_the_inputs_it_read() -> None:
    table = build(TIER, "tier")
    acc = account(revenue_12m=6e6, gross_margin=0.25)
    table.evaluate(acc)
    assert acc.fired == [
        {
            "rule": "tables.tier.rules[ka-large]",
            "kind": "table_row",
            "inputs": {"revenue_12m": 6e6, "gross_margin": 0.25},
            "note": None,
        }
    ]
    acc = account(revenue_12m=5.0)
    table.evaluate(acc)
    assert acc.fired == [
        {"rule": "tables.tier.rules[standard]", "kind": "table_row", "inputs": {}, "note": None}
    ]


def test_no_trace_when_explanations_are_off() -> None:
    table = build(TIER, "tier")
    acc = account(revenue_12m=6e6)
    acc.fired = None
    assert table.evaluate(acc) == {"tier": "KA"}


def test_first_stops_at_the_first_match() -> None:
    # The second row compares `nps`, which is missing: FIRST never gets there.
    spec = {
        "hit": "FIRST",
        "inputs": ["nps"],
        "outputs": ["flag"],
        "rules": [rule("all", ["-"], ["x"]), rule("low", ["< 7"], ["y"])],
    }
    assert run(build(spec), nps=None) == {"flag": "x"}
    spec_all = {**spec, "hit": "RULE ORDER"}
    with pytest.raises(AccountError) as info:
        run(build(spec_all), nps=None)
    assert info.value.where == "tables.t.rules[low].when[0]"
    assert "nps" in info.value.reason


UNIQUE_BY_REVENUE: dict[str, Any] = {
    "hit": "UNIQUE",
    "inputs": ["revenue_12m"],
    "outputs": ["size"],
    "rules": [
        rule("small", ["< 1_000_000"], ["small"]),
        rule("mid", ["[1_000_000..5_000_000)"], ["mid"]),
        rule("large", [">= 5_000_000"], ["large"]),
    ],
}


def test_unique_returns_the_single_matching_row() -> None:
    table = build(UNIQUE_BY_REVENUE)
    assert run(table, revenue_12m=0.0) == {"size": "small"}
    assert run(table, revenue_12m=1e6) == {"size": "mid"}
    assert run(table, revenue_12m=4_999_999.99) == {"size": "mid"}
    assert run(table, revenue_12m=5e6) == {"size": "large"}


def test_unique_violation_is_an_account_error_naming_the_rows() -> None:
    # Negations are not decided by the load-time lint, so the overlap surfaces per account.
    spec = {
        "hit": "UNIQUE",
        "inputs": ["industry"],
        "outputs": ["group"],
        "rules": [
            rule("not-retail", ['not("retail")'], ["a"]),
            rule("not-fmcg", ['not("fmcg")'], ["b"]),
        ],
    }
    table = build(spec, "groups")
    assert run(table, industry="retail") == {"group": "b"}
    with pytest.raises(AccountError) as info:
        run(table, industry="saas")
    assert info.value.account_id == "a1"
    assert info.value.where == "tables.groups"
    assert (
        info.value.reason
        == "rows `not-retail` and `not-fmcg` both match; hit policy UNIQUE allows one"
    )


ANY_SPEC: dict[str, Any] = {
    "hit": "ANY",
    "inputs": ["industry"],
    "outputs": ["group"],
    "rules": [
        rule("not-retail", ['not("retail")'], ["other"]),
        rule("not-fmcg", ['not("fmcg")'], ["other"]),
        rule("retail", ['"retail"'], ["retail"]),
    ],
}


def test_any_accepts_several_matches_that_agree() -> None:
    table = build(ANY_SPEC)
    acc = account(industry="saas")
    assert table.evaluate(acc) == {"group": "other"}
    assert acc.fired is not None
    assert [f["rule"] for f in acc.fired] == ["tables.t.rules[not-retail]"]


def test_any_with_disagreeing_matches_is_an_account_error() -> None:
    table = build(ANY_SPEC)
    with pytest.raises(AccountError) as info:
        run(table, industry="retail")  # matches not-fmcg ("other") and retail ("retail")
    assert info.value.where == "tables.t"
    assert info.value.reason == (
        "rows `not-fmcg` and `retail` both match but give different outputs; "
        "hit policy ANY requires them to agree"
    )


PRIORITY_SPEC: dict[str, Any] = {
    "hit": "PRIORITY",
    "inputs": ["revenue_12m", "strategic"],
    "outputs": ["tier"],
    "output_values": {"tier": ["KA", "NA", "standard"]},
    "rules": [
        rule("catch-all", ["-", "-"], ["standard"]),
        rule("big", [">= 1_000_000", "-"], ["NA"]),
        rule("strategic", ["-", "True"], ["KA"]),
    ],
}


def test_priority_picks_the_highest_ranked_output() -> None:
    table = build(PRIORITY_SPEC)
    assert run(table, revenue_12m=10.0) == {"tier": "standard"}
    assert run(table, revenue_12m=2e6) == {"tier": "NA"}
    acc = account(revenue_12m=2e6, strategic=True)
    assert table.evaluate(acc) == {"tier": "KA"}
    assert acc.fired is not None
    assert [f["rule"] for f in acc.fired] == ["tables.t.rules[strategic]"]


def test_priority_ties_keep_table_order_and_use_the_next_output() -> None:
    spec = {
        "hit": "PRIORITY",
        "inputs": ["orders_12m"],
        "outputs": ["tier", "reason"],
        "output_values": {"tier": ["KA", "NA"], "reason": ["volume", "loyalty"]},
        "rules": [
            rule("a", [">= 0"], ["NA", "volume"]),
            rule("b", [">= 5"], ["KA", "loyalty"]),
            rule("c", [">= 10"], ["KA", "volume"]),
        ],
    }
    table = build(spec)
    assert run(table, orders_12m=1) == {"tier": "NA", "reason": "volume"}
    assert run(table, orders_12m=7) == {"tier": "KA", "reason": "loyalty"}
    assert run(table, orders_12m=12) == {"tier": "KA", "reason": "volume"}


# -- multiple hit -------------------------------------------------------------------------------

MULTI_RULES = [
    rule("standard", ["-"], ["standard"]),
    rule("big", [">= 1_000_000"], ["NA"]),
    rule("huge", [">= 5_000_000"], ["KA"]),
]


def test_rule_order_lists_every_match_in_table_order() -> None:
    table = build(
        {"hit": "RULE ORDER", "inputs": ["revenue_12m"], "outputs": ["tier"], "rules": MULTI_RULES}
    )
    assert run(table, revenue_12m=6e6) == {"tier": ["standard", "NA", "KA"]}
    assert run(table, revenue_12m=2e6) == {"tier": ["standard", "NA"]}
    acc = account(revenue_12m=6e6)
    table.evaluate(acc)
    assert acc.fired is not None
    assert [f["rule"] for f in acc.fired] == [
        "tables.t.rules[standard]",
        "tables.t.rules[big]",
        "tables.t.rules[huge]",
    ]


def test_output_order_sorts_matches_by_declared_values() -> None:
    spec = {
        "hit": "OUTPUT ORDER",
        "inputs": ["revenue_12m"],
        "outputs": ["tier"],
        "output_values": {"tier": ["KA", "NA", "standard"]},
        "rules": MULTI_RULES,
    }
    table = build(spec)
    assert run(table, revenue_12m=6e6) == {"tier": ["KA", "NA", "standard"]}
    assert run(table, revenue_12m=0.0) == {"tier": ["standard"]}


def test_multiple_outputs_give_parallel_lists() -> None:
    spec = {
        "hit": "RULE ORDER",
        "inputs": ["orders_12m"],
        "outputs": ["label", "points"],
        "rules": [rule("a", [">= 1"], ["active", 1]), rule("b", [">= 10"], ["frequent", 5])],
    }
    assert run(build(spec), orders_12m=12) == {"label": ["active", "frequent"], "points": [1, 5]}


def test_collect_without_aggregate_lists_matches() -> None:
    table = build(
        {"hit": "COLLECT", "inputs": ["revenue_12m"], "outputs": ["tier"], "rules": MULTI_RULES}
    )
    assert run(table, revenue_12m=2e6) == {"tier": ["standard", "NA"]}


POINTS_RULES = [
    rule("lapsed", ["> 90", "-"], [30]),
    rule("detractor", ["-", "<= 6"], [20]),
    rule("quiet", ["> 30", "-"], [5]),
]


@pytest.mark.parametrize(
    ("aggregate", "expected"),
    [("SUM", 55), ("MIN", 5), ("MAX", 30), ("COUNT", 3)],
)
def test_collect_aggregates(aggregate: str, expected: int) -> None:
    spec = {
        "hit": "COLLECT",
        "aggregate": aggregate,
        "inputs": ["orders_12m", "nps"],
        "outputs": ["points"],
        "rules": POINTS_RULES,
    }
    table = build(spec)
    assert run(table, orders_12m=100, nps=3) == {"points": expected}
    assert table.output_types() == {"points": Type("number", optional=aggregate != "COUNT")}


def test_collect_sum_with_one_match_and_no_match() -> None:
    spec = {
        "hit": "COLLECT",
        "aggregate": "SUM",
        "inputs": ["orders_12m", "nps"],
        "outputs": ["points"],
        "rules": POINTS_RULES,
        "default": {"points": 0},
    }
    table = build(spec)
    assert run(table, orders_12m=40, nps=9) == {"points": 5}
    assert run(table, orders_12m=1, nps=9) == {"points": 0}


def test_collect_count_without_match_is_zero() -> None:
    spec = {
        "hit": "COLLECT",
        "aggregate": "COUNT",
        "inputs": ["orders_12m", "nps"],
        "outputs": ["n"],
        "rules": POINTS_RULES,
    }
    acc = account(orders_12m=1, nps=9)
    assert build(spec).evaluate(acc) == {"n": 0}


# -- no match -----------------------------------------------------------------------------------

NO_CATCH_ALL: dict[str, Any] = {
    "hit": "FIRST",
    "inputs": ["revenue_12m"],
    "outputs": ["tier"],
    "rules": [rule("big", [">= 1_000_000"], ["NA"])],
}


def test_no_match_uses_the_declared_default() -> None:
    table = build({**NO_CATCH_ALL, "default": {"tier": "standard"}})
    acc = account(revenue_12m=10.0)
    assert table.evaluate(acc) == {"tier": "standard"}
    assert acc.out["warnings"] == []
    assert acc.fired == []


def test_no_match_without_default_is_none_with_a_warning() -> None:
    # changed: the warning names the output (it used to say "there is no default")
    table = build(NO_CATCH_ALL, "tier")
    acc = account(revenue_12m=10.0)
    assert table.evaluate(acc) == {"tier": None}
    assert acc.out["warnings"] == ["table `tier`: no rule matched and output `tier` has no default"]


def test_a_partial_default_warns_for_each_output_left_missing() -> None:
    spec = {
        "hit": "UNIQUE",
        "inputs": ["revenue_12m"],
        "outputs": ["a", "b", "c"],
        "default": {"a": "x"},
        "rules": [rule("big", [">= 1_000_000"], ["y", "y", "y"])],
    }
    acc = account(revenue_12m=10.0)
    assert build(spec, "t").evaluate(acc) == {"a": "x", "b": None, "c": None}
    assert acc.out["warnings"] == [
        "table `t`: no rule matched and output `b` has no default",
        "table `t`: no rule matched and output `c` has no default",
    ]


def test_a_full_default_does_not_warn() -> None:
    spec = {**NO_CATCH_ALL, "default": {"tier": "standard"}}
    acc = account(revenue_12m=10.0)
    build(spec).evaluate(acc)
    assert acc.out["warnings"] == []


@pytest.mark.parametrize(
    ("hit", "aggregate", "empty"),
    [
        ("RULE ORDER", None, []),
        ("OUTPUT ORDER", None, []),
        ("COLLECT", None, []),
        ("COLLECT", "COUNT", 0),
        ("COLLECT", "SUM", None),
    ],
)
def test_a_multiple_hit_table_matching_nothing_is_not_a_warning(
    hit: str, aggregate: str | None, empty: Any
) -> None:
    spec: dict[str, Any] = {
        **NO_CATCH_ALL,
        "hit": hit,
        "rules": [rule("big", [">= 1_000_000"], [1])],
        "output_values": {"tier": [1, 2]},
    }
    if aggregate is not None:
        spec["aggregate"] = aggregate
    acc = account(revenue_12m=10.0)
    assert build(spec, "tier").evaluate(acc) == {"tier": empty}
    assert acc.out["warnings"] == []


def test_no_match_of_a_multiple_hit_table() -> None:
    table = build({**NO_CATCH_ALL, "hit": "RULE ORDER"}, "tier")
    acc = account(revenue_12m=10.0)
    assert table.evaluate(acc) == {"tier": []}
    assert acc.out["warnings"] == []
    table = build({**NO_CATCH_ALL, "hit": "RULE ORDER", "default": {"tier": "standard"}})
    assert run(table, revenue_12m=10.0) == {"tier": ["standard"]}


def test_warning_list_is_created_when_absent() -> None:
    acc = AccountRun("a1", account(revenue_12m=1.0).values, {}, None, None, AS_OF)
    build(NO_CATCH_ALL, "tier").evaluate(acc)
    assert acc.out == {
        "warnings": ["table `tier`: no rule matched and output `tier` has no default"]
    }


# -- cell kinds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value", "matches"),
    [
        ("-", "saas", True),
        ("-", None, True),
        ('"retail", "fmcg"', "fmcg", True),
        ('"retail", "fmcg"', "saas", False),
        ('"retail"', "retail", True),
        ('not("retail")', "saas", True),
        ('not("retail")', "retail", False),
        ("null", None, True),
        ("null", "retail", False),
    ],
)
def test_string_cells(cell: str, value: Any, matches: bool) -> None:
    spec = {
        "hit": "FIRST",
        "inputs": ["industry"],
        "outputs": ["hit"],
        "rules": [rule("r", [cell], [True])],
        "default": {"hit": False},
    }
    assert run(build(spec), industry=value) == {"hit": matches}


@pytest.mark.parametrize(
    ("cell", "value", "matches"),
    [
        (">= 1_000_000", 1e6, True),
        (">= 1_000_000", 999_999.0, False),
        ("< 0", -1.0, True),
        ("[100_000..1_000_000)", 100_000.0, True),
        ("[100_000..1_000_000)", 1e6, False),
        ("(0..10]", 0.0, False),
        ("(0..10]", 10.0, True),
        ("revenue_12m > orders_12m * 1000", 20_000.0, True),
        ("revenue_12m > orders_12m * 1000", 2_000.0, False),
    ],
)
def test_number_cells(cell: str, value: float, matches: bool) -> None:
    spec = {
        "hit": "FIRST",
        "inputs": ["revenue_12m"],
        "outputs": ["hit"],
        "rules": [rule("r", [cell], [True])],
        "default": {"hit": False},
    }
    assert run(build(spec), revenue_12m=value, orders_12m=10) == {"hit": matches}


def test_boolean_cells_and_toml_literals() -> None:
    spec = {
        "hit": "FIRST",
        "inputs": ["strategic", "orders_12m"],
        "outputs": ["hit"],
        "rules": [rule("r", [True, 12], ["yes"])],
        "default": {"hit": "no"},
    }
    table = build(spec)
    assert run(table, strategic=True, orders_12m=12) == {"hit": "yes"}
    assert run(table, strategic=False, orders_12m=12) == {"hit": "no"}
    assert run(table, strategic=True, orders_12m=11) == {"hit": "no"}


def test_inputs_are_expressions_evaluated_once() -> None:
    spec = {
        "hit": "UNIQUE",
        "inputs": ["revenue_12m / 1_000_000"],
        "outputs": ["millions"],
        "rules": [rule("lt1", ["< 1"], ["<1"]), rule("ge1", [">= 1"], [">=1"])],
    }
    table = build(spec)
    assert run(table, revenue_12m=2.5e6) == {"millions": ">=1"}
    assert table.names == ("revenue_12m",)


def test_missing_value_in_a_cell_is_an_account_error_at_that_cell() -> None:
    table = build(TIER, "tier")
    with pytest.raises(AccountError) as info:
        run(table, revenue_12m=None)
    assert info.value.where == "tables.tier.rules[ka-large].when[0]"
    assert "revenue_12m" in info.value.reason


@pytest.mark.parametrize(
    ("source", "values", "reason"),
    [
        ("revenue_12m / orders_12m", {"orders_12m": 0}, "division by zero"),
        ("1 if nps > 6 else 0", {"nps": None}, "`nps` is missing"),
    ],
)
def test_a_failing_input_is_an_account_error_at_that_input(
    source: str, values: dict[str, Any], reason: str
) -> None:
    spec = {
        "hit": "FIRST",
        "inputs": ["orders_12m", source],
        "outputs": ["x"],
        "rules": [rule("a", ["-", "-"], [1])],
    }
    with pytest.raises(AccountError) as info:
        run(build(spec), **values)
    assert info.value.where == "tables.t.inputs[1]"
    assert reason in info.value.reason


def test_an_overflow_in_an_input_is_an_account_error_like_in_any_rule() -> None:
    # the same failures as rules.evaluate: every ArithmeticError, not only division by zero
    spec = {
        "hit": "FIRST",
        "inputs": ["nps", "orders_12m / 3"],
        "outputs": ["x"],
        "rules": [rule("a", ["-", "-"], [1])],
    }
    with pytest.raises(AccountError) as info:
        run(build(spec), orders_12m=10**400)  # too large for a float: OverflowError
    assert info.value.where == "tables.t.inputs[1]"
    assert "too large" in info.value.reason


def _any_typed_table(input_source: str, cell: str) -> CompiledTable:
    ctx = make_ctx()
    ctx.names["thing"] = Type("any", optional=True)  # its kind is known only per account
    spec = {"hit": "FIRST", "inputs": ["orders_12m", input_source], "outputs": ["x"]}
    rules = [rule("b", ["-", cell], [1]), rule("a", ["-", "-"], [0])]
    table = compile_table(ctx, "t", {**spec, "rules": rules})
    assert ctx.problems == []
    assert table is not None
    return table


def test_a_type_error_in_a_cells_own_code_is_an_account_error_at_that_cell() -> None:
    with pytest.raises(AccountError) as info:
        _any_typed_table("thing", "> 5").evaluate(account(thing="text"))
    assert info.value.where == "tables.t.rules[b].when[1]"
    assert info.value.reason.startswith("cannot evaluate `> 5`: '>' not supported")


def test_a_type_error_in_an_inputs_own_code_is_an_account_error_at_that_input() -> None:
    with pytest.raises(AccountError) as info:
        _any_typed_table("thing + 1", "-").evaluate(account(thing="text"))
    assert info.value.where == "tables.t.inputs[1]"
    assert info.value.reason.startswith("cannot evaluate `thing + 1`:")


def test_output_types() -> None:
    assert build(TIER).output_types() == {"tier": Type("string", optional=True)}
    assert build({**TIER, "hit": "RULE ORDER"}).output_types() == {
        "tier": Type("list", item=Type("string"))
    }
    numbers = {**NO_CATCH_ALL, "rules": [rule("big", [">= 1"], [3])], "outputs": ["points"]}
    assert build(numbers).output_types() == {"points": Type("number", optional=True)}
    flags = {**NO_CATCH_ALL, "rules": [rule("big", [">= 1"], [True])], "outputs": ["flag"]}
    assert build(flags).output_types() == {"flag": Type("boolean", optional=True)}


def test_names_lists_everything_read() -> None:
    table = build(TIER)
    assert table.names == ("revenue_12m", "gross_margin", "strategic")
    assert table.outputs == ("tier",)
    assert table.hit == "FIRST"
    assert table.aggregate is None


# -- load-time errors ---------------------------------------------------------------------------


def test_wrong_cell_count_names_the_rule_and_counts() -> None:
    spec = {**TIER, "rules": [rule("ka", [">= 1", "-"], ["KA"])]}
    assert problems(spec, "tier") == [
        ("tables.tier.rules[ka].when", "rule `ka` has 2 cells in `when` but the table has 3 inputs")
    ]


def test_wrong_then_count() -> None:
    spec = {**TIER, "rules": [rule("ka", ["-", "-", "-"], ["KA", "x"])]}
    assert problems(spec, "tier") == [
        (
            "tables.tier.rules[ka].then",
            "rule `ka` has 2 values in `then` but the table has 1 output",
        )
    ]


def test_unknown_output_value_suggests_the_closest() -> None:
    spec = {**TIER, "rules": [rule("ka", ["-", "-", "-"], ["Ka"])]}
    assert problems(spec, "tier") == [
        (
            "tables.tier.rules[ka].then[0]",
            'rule `ka`: "Ka" is not one of the output_values of `tier` '
            '("KA", "NA", "growth", "standard"); did you mean "KA"?',
        )
    ]


@pytest.mark.parametrize(
    ("value", "hint"),
    [("standrd", '; did you mean "standard"?'), ("gold", ""), ("na", '; did you mean "NA"?')],
)
def test_output_value_suggestions_are_the_expression_checkers(value: str, hint: str) -> None:
    spec = {**TIER, "rules": [rule("r", ["-", "-", "-"], [value])]}
    ((_, message),) = problems(spec, "tier")
    assert message.endswith('("KA", "NA", "growth", "standard")' + hint)


def test_default_must_be_an_output_value() -> None:
    found = problems({**TIER, "default": {"tier": "gold"}})
    assert found[0][0] == "tables.t.default.tier"
    assert found[0][1].startswith('default "gold" is not one of the output_values of `tier`')


def test_overlapping_unique_rows_are_reported_at_load_time() -> None:
    spec = {
        "hit": "UNIQUE",
        "inputs": ["revenue_12m", "industry"],
        "outputs": ["tier"],
        "rules": [
            rule("mid", ["[1_000_000..5_000_000)", "-"], ["NA"]),
            rule("retail-big", [">= 1_000_000", '"retail", "fmcg"'], ["KA"]),
            rule("small", ["< 1_000_000", "-"], ["standard"]),
        ],
    }
    assert problems(spec, "tier") == [
        (
            "tables.tier.rules[retail-big]",
            "rows `mid` and `retail-big` overlap "
            '(e.g. revenue_12m in [1e6..5e6), industry = "fmcg")',
        )
    ]


def test_overlap_lint_skips_rows_with_full_conditions() -> None:
    spec = {
        "hit": "UNIQUE",
        "inputs": ["revenue_12m"],
        "outputs": ["tier"],
        "rules": [
            rule("a", [">= 0"], ["x"]),
            rule("b", ["revenue_12m > orders_12m"], ["y"]),
        ],
    }
    build(spec)


def test_overlap_of_equal_values_and_catch_alls() -> None:
    spec = {
        "hit": "UNIQUE",
        "inputs": ["industry", "region"],
        "outputs": ["team"],
        "rules": [
            rule("retail", ['"retail"', "-"], ["a"]),
            rule("emea", ["-", '"emea"'], ["b"]),
            rule("saas", ['"saas"', '"na"'], ["c"]),
        ],
    }
    assert problems(spec) == [
        (
            "tables.t.rules[emea]",
            'rows `retail` and `emea` overlap (e.g. industry = "retail", region = "emea")',
        ),
    ]


def test_any_lint_reports_only_disagreeing_overlaps() -> None:
    spec = {
        "hit": "ANY",
        "inputs": ["orders_12m"],
        "outputs": ["active"],
        "rules": [
            rule("some", [">= 1"], [True]),
            rule("many", [">= 10"], [True]),
            rule("none", ["<= 1"], [False]),
        ],
    }
    assert problems(spec) == [
        (
            "tables.t.rules[none]",
            "rows `some` and `none` overlap (e.g. orders_12m in [1..1]) with different outputs; "
            "hit policy ANY requires them to agree",
        )
    ]


def test_overlaps_past_the_first_fifty_are_counted_not_dropped() -> None:
    spec = {
        "hit": "UNIQUE",
        "inputs": ["orders_12m"],
        "outputs": ["x"],
        "rules": [rule(f"r{i}", ["-"], [i]) for i in range(12)],  # 66 pairs
    }
    found = problems(spec)
    assert len(found) == 51
    assert found[-1] == ("tables.t.rules", "... and 16 more overlapping pairs")


def test_the_overlap_count_of_an_any_table_counts_only_disagreeing_pairs() -> None:
    spec = {
        "hit": "ANY",
        "inputs": ["orders_12m"],
        "outputs": ["x"],
        "rules": [rule(f"r{i}", ["-"], [i % 2 == 0]) for i in range(16)],  # 8 x 8 disagree
    }
    found = problems(spec)
    assert len(found) == 51
    assert found[-1] == ("tables.t.rules", "... and 14 more overlapping pairs")


def test_exactly_fifty_overlaps_need_no_count() -> None:
    # rows overlap within groups of equal cells: 45 + 3 + 1 + 1 = 50 pairs
    cells = ["1"] * 10 + ["2"] * 3 + ["3"] * 2 + ["4"] * 2
    rules = [rule(f"r{i}", [cell], [i]) for i, cell in enumerate(cells)]
    found = problems({"hit": "UNIQUE", "inputs": ["orders_12m"], "outputs": ["x"], "rules": rules})
    assert len(found) == 50
    assert not any(message.startswith("...") for _, message in found)


def test_priority_and_output_order_need_output_values() -> None:
    for hit in ("PRIORITY", "OUTPUT ORDER"):
        spec = {"hit": hit, "inputs": ["revenue_12m"], "outputs": ["tier"], "rules": MULTI_RULES}
        assert problems(spec) == [
            (
                "tables.t.hit",
                f"hit policy {hit} ranks rows by the declared order of `tier`'s values; "
                "add output_values.tier = [...]",
            )
        ]


def test_aggregate_only_with_collect_and_numbers_for_sum() -> None:
    spec = {
        "hit": "FIRST",
        "aggregate": "SUM",
        "inputs": ["revenue_12m"],
        "outputs": ["tier"],
        "rules": MULTI_RULES,
    }
    assert problems(spec) == [
        (
            "tables.t.aggregate",
            "`aggregate` is only allowed with hit policy COLLECT (this table is FIRST)",
        )
    ]
    spec = {**spec, "hit": "COLLECT"}
    found = problems(spec)
    assert (
        "tables.t.rules[standard].then[0]",
        'rule `standard`: aggregate SUM needs numbers, got "standard" for `tier`',
    ) in found
    build({**spec, "aggregate": "COUNT"})


def test_unknown_hit_policy_and_aggregate() -> None:
    found = problems({**TIER, "hit": "FIRST_HIT"})
    assert found[0][0] == "tables.t.hit"
    assert found[0][1].startswith("unknown hit policy 'FIRST_HIT'; expected one of UNIQUE, ANY")
    found = problems({**TIER, "hit": "COLLECT", "aggregate": "AVG"})
    assert found[0][0] == "tables.t.aggregate"


def test_duplicate_and_missing_rule_ids() -> None:
    spec = {
        **TIER,
        "rules": [
            rule("a", ["-", "-", "-"], ["KA"]),
            rule("a", ["-", "-", "-"], ["NA"]),
            {"when": [], "then": []},
        ],
    }
    assert problems(spec) == [
        ("tables.t.rules[a]", "rule id `a` is used twice"),
        ("tables.t.rules[2]", "rule 3 needs an `id`"),
    ]


def test_cells_are_type_checked_against_the_input() -> None:
    spec = {**TIER, "rules": [rule("ka", ['>= "big"', "-", "-"], ["KA"])]}
    found = problems(spec)
    assert [k for k, _ in found] == ["tables.t.rules[ka].when[0]"]


def test_input_expressions_are_checked() -> None:
    spec = {**TIER, "inputs": ["revnue_12m", "gross_margin", "strategic"]}
    found = problems(spec)
    assert [k for k, _ in found] == ["tables.t.inputs[0]"]
    assert "revnue_12m" in found[0][1]


def test_then_values_must_be_literals_and_outputs_one_kind() -> None:
    spec = {
        "hit": "FIRST",
        "inputs": ["orders_12m"],
        "outputs": ["x"],
        "rules": [rule("a", [">= 1"], [[1, 2]]), rule("b", [">= 2"], ["s"]), rule("c", ["-"], [3])],
    }
    assert problems(spec) == [
        (
            "tables.t.rules[a].then[0]",
            "rule `a`: `then` values must be strings, numbers or booleans, got [1, 2] for `x`",
        ),
        (
            "tables.t.outputs",
            "output `x` mixes number and string values; give an output one kind of value",
        ),
    ]


def test_structural_problems_are_all_reported() -> None:
    found = problems({"hit": "FIRST", "inputs": [], "outputs": "tier", "rules": {}})
    assert [k for k, _ in found] == ["tables.t.inputs", "tables.t.outputs", "tables.t.rules"]


# -- properties ---------------------------------------------------------------------------------

_cuts = st.lists(
    st.integers(min_value=-1_000_000, max_value=1_000_000), min_size=1, max_size=6, unique=True
).map(sorted)


@settings(max_examples=60, deadline=None)
@given(cuts=_cuts, x=st.integers(min_value=-2_000_000, max_value=2_000_000))
def test_a_partition_of_the_line_passes_the_lint_and_matches_exactly_once(
    cuts: list[int], x: int
) -> None:
    cells = [f"< {cuts[0]}"]
    cells += [f"[{lo}..{hi})" for lo, hi in itertools.pairwise(cuts)]
    cells.append(f">= {cuts[-1]}")
    spec = {
        "hit": "UNIQUE",
        "inputs": ["orders_12m"],
        "outputs": ["band"],
        "rules": [rule(f"r{i}", [c], [i]) for i, c in enumerate(cells)],
    }
    table = build(spec)
    expected = sum(1 for c in cuts if x >= c)
    assert run(table, orders_12m=x) == {"band": expected}


@settings(max_examples=60, deadline=None)
@given(
    lo=st.integers(min_value=0, max_value=100),
    width=st.integers(min_value=1, max_value=100),
    shift=st.integers(min_value=-150, max_value=150),
)
def test_lint_finds_an_overlap_exactly_when_two_intervals_intersect(
    lo: int, width: int, shift: int
) -> None:
    a = (lo, lo + width)
    b = (lo + shift, lo + shift + width)
    spec = {
        "hit": "UNIQUE",
        "inputs": ["orders_12m"],
        "outputs": ["x"],
        "rules": [rule("a", [f"[{a[0]}..{a[1]})"], [1]), rule("b", [f"[{b[0]}..{b[1]})"], [2])],
    }
    ctx = make_ctx()
    compiled = compile_table(ctx, "t", spec)
    intersect = max(a[0], b[0]) < min(a[1], b[1])
    assert (compiled is None) == intersect


@settings(max_examples=100, deadline=None)
@given(
    revenue=st.floats(min_value=0, max_value=1e8, allow_nan=False),
    margin=st.floats(min_value=0, max_value=1, allow_nan=False),
    strategic=st.booleans(),
)
def test_first_table_agrees_with_the_hand_written_if_chain(
    revenue: float, margin: float, strategic: bool
) -> None:
    if (revenue >= 5e6 and margin >= 0.2) or (strategic and revenue >= 1e6):
        expected = "KA"
    elif revenue >= 1e6:
        expected = "NA"
    elif revenue >= 1e5:
        expected = "growth"
    else:
        expected = "standard"
    table = _tier_table()
    assert run(table, revenue_12m=revenue, gross_margin=margin, strategic=strategic) == {
        "tier": expected
    }


@functools.cache
def _tier_table() -> CompiledTable:
    return build(TIER, "tier")


def test_a_cells_portfolio_calls_are_requested_from_the_portfolio_phase() -> None:
    ctx = make_ctx()
    ctx.registry.register_function(
        Function("percentile", lambda column: column, ("number",), "number", portfolio=True),
        "test",
    )
    spec = {
        "hit": "FIRST",
        "inputs": ["revenue_12m"],
        "outputs": ["x"],
        "rules": [rule("top", ["> percentile(revenue_12m)"], [1])],
    }
    assert compile_table(ctx, "t", spec) is not None
    assert ctx.problems == []
    assert [call.function.name for call in ctx.portfolio_calls.values()] == ["percentile"]
