"""Account-hierarchy roll-ups, end to end through the engine."""

from __future__ import annotations

from typing import Any

import pytest

from kamcore import Engine, PolicyError

HEADER = '[policy]\nid = "h"\nversion = "1"\n'

#  G (group, 100) ── S1 (50) ── P1 (10)
#                 └─ S2 (missing revenue)
#  L (lone, 7)       X (parent "NOT-HERE", 3)
ROWS: list[dict[str, Any]] = [
    {"id": "G", "revenue_12m": 100, "nps": 9, "days_since_last_order": 5},
    {"id": "S1", "parent_id": "G", "revenue_12m": 50, "nps": 5, "days_since_last_order": 40},
    {"id": "P1", "parent_id": "S1", "revenue_12m": 10, "nps": 2, "days_since_last_order": 200},
    {"id": "S2", "parent_id": "G", "nps": 8, "days_since_last_order": 1},
    {"id": "L", "revenue_12m": 7, "nps": 6, "days_since_last_order": 9},
    {"id": "X", "parent_id": "NOT-HERE", "revenue_12m": 3, "nps": 4, "days_since_last_order": 0},
]


def rolled(policy: str, rows: list[dict[str, Any]] = ROWS) -> dict[str, dict[str, Any]]:
    engine = Engine.from_text(HEADER + policy)
    result = engine.evaluate_portfolio(rows, as_of="2026-06-30")
    assert result.errors == []
    return result.by_id()


def figures(policy: str, name: str) -> dict[str, Any]:
    return {k: e["metrics"][name] for k, e in rolled(policy).items()}


def test_sum_covers_the_whole_subtree_and_leaves_out_missing_figures() -> None:
    got = figures(
        '[rollups.group_revenue]\nmetric = "revenue_12m"\nmethod = "sum"\n', "group_revenue"
    )
    assert got == {"G": 160.0, "S1": 60.0, "P1": 10.0, "S2": None, "L": 7.0, "X": 3.0}


def test_without_self_a_parent_counts_only_the_accounts_below() -> None:
    got = figures(
        '[rollups.below]\nmetric = "revenue_12m"\nmethod = "sum"\ninclude_self = false\n', "below"
    )
    assert got == {"G": 60.0, "S1": 10.0, "P1": None, "S2": None, "L": None, "X": None}


@pytest.mark.parametrize(
    ("method", "extra", "expected_g"),
    [
        ("mean", "", (9 + 5 + 2 + 8) / 4),
        ("weighted_mean", 'weight = "revenue_12m"\n', (9 * 100 + 5 * 50 + 2 * 10) / 160),
        ("min", "", 2),
        ("max", "", 9),
        ("worst", 'worse = "lower"\n', 2),
        ("worst", 'worse = "higher"\n', 9),
        ("own", "", 9),
    ],
)
def test_methods(method: str, extra: str, expected_g: float) -> None:
    policy = f'[rollups.r]\nmetric = "nps"\nmethod = "{method}"\n{extra}'
    assert figures(policy, "r")["G"] == pytest.approx(expected_g)


def test_the_worst_recency_in_a_group_drives_an_alert_on_the_parent() -> None:
    policy = """
[rollups.slowest_days]
metric = "days_since_last_order"
method = "worst"
worse = "higher"

[[alerts]]
id = "part-of-the-group-is-lapsing"
when = "slowest_days > 90"
points = 10
"""
    alerted = {k for k, e in rolled(policy).items() if e["alerts"]}
    assert alerted == {"G", "S1", "P1"}


def test_a_parent_id_loop_is_broken_and_reported() -> None:
    rows = [
        {"id": "A", "parent_id": "C", "revenue_12m": 1},
        {"id": "B", "parent_id": "A", "revenue_12m": 2},
        {"id": "C", "parent_id": "B", "revenue_12m": 4},
        {"id": "D", "parent_id": "D", "revenue_12m": 8},  # its own parent: a top account
    ]
    result = rolled('[rollups.t]\nmetric = "revenue_12m"\nmethod = "sum"\n', rows)
    warned = {k: e["warnings"] for k, e in result.items() if e["warnings"]}
    assert set(warned) == {"A", "B", "C"}
    assert warned["A"] == [
        "parent_id forms a loop (A → C → B → A); roll-ups treat B as the top of its hierarchy"
    ]
    # every figure is still counted exactly once: the top of the broken loop holds the total
    assert result["B"]["metrics"]["t"] == 7.0
    assert result["D"]["metrics"]["t"] == 8.0


def test_policy_problems_are_located() -> None:
    policy = """
[rollups.a]
metric = "revnue_12m"
method = "sum"

[rollups.b]
metric = "nps"
method = "weighted_mean"

[rollups.c]
metric = "industry"
method = "sum"
"""
    with pytest.raises(PolicyError) as info:
        Engine.from_text(HEADER + policy, name="h.toml")
    found = {(p.location.key_path, p.message) for p in info.value.problems}
    assert found == {
        ("rollups.a.metric", "unknown fact or metric `revnue_12m`; did you mean `revenue_12m`?"),
        ("rollups.b.weight", "`weight` goes with method `weighted_mean`, and only with it"),
        ("rollups.c.metric", "roll-ups add up numbers; `industry` is string"),
    }
    assert all(p.location.line for p in info.value.problems)


def test_a_rollup_makes_the_policy_a_portfolio_policy() -> None:
    engine = Engine.from_text(HEADER + '[rollups.t]\nmetric = "revenue_12m"\nmethod = "sum"\n')
    assert engine.policy.uses_portfolio
