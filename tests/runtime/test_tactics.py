"""Tactic rules: priority order, one proposal per tactic, the per-account cap, the catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from kamcore.errors import AccountError, Location
from kamcore.registry import Registry, Tactic
from kamcore.runtime.context import AccountRun, CompileContext
from kamcore.runtime.tactics import CompiledTactics, compile_tactics
from kamcore.types import INTEGER, NUMBER, STRING, Type


class StandInDoc:
    """Locates every key path at line 1 of ``t.toml`` (the policy loader is not needed here)."""

    def locate(self, key_path: str) -> Location:
        return Location(file="t.toml", line=1, key_path=key_path)


def make_ctx() -> CompileContext:
    registry = Registry()
    registry.register_tactic(
        Tactic(
            id="executive_sponsor_visit",
            dimension="strategic",
            label={"en": "Executive sponsor visit", "zh": "高层拜访"},
            owner_role="executive",
            due_in_days=14,
        ),
        "kamcore_test",
    )
    registry.register_tactic(Tactic(id="rebate_review", dimension="benefit"), "kamcore_test")
    names = {
        "risk_score": NUMBER.as_optional(),
        "risk": STRING.as_optional(),
        "alerts": Type("list", item=STRING),
        "open_tickets": INTEGER,
        "nps": NUMBER.as_optional(),
    }
    return CompileContext(doc=StandInDoc(), registry=registry, names=names)  # type: ignore[arg-type]


CATALOGUE = {
    "quarterly_review": {"dimension": "emotional", "label": {"en": "Quarterly business review"}},
    "service_recovery": {
        "dimension": "service",
        "label": {"en": "Service recovery plan"},
        "owner_role": "service_manager",
        "due_in_days": 7,
    },
}


def rule(rid: str, tactic: str, when: str = "risk_score >= 0", **extra: Any) -> dict[str, Any]:
    return {"id": rid, "when": when, "tactic": tactic, **extra}


def build(spec: Mapping[str, Any]) -> CompiledTactics:
    ctx = make_ctx()
    tactics = compile_tactics(ctx, spec)
    assert [p.message for p in ctx.problems] == []
    assert tactics is not None
    return tactics


def run(tactics: CompiledTactics, **values: Any) -> AccountRun:
    base: dict[str, Any] = {
        "risk_score": 50,
        "risk": "high",
        "alerts": [],
        "open_tickets": 3,
        "nps": 10,
    }
    base.update(values)
    out: dict[str, Any] = {"tactics": [], "warnings": [], "fired": []}
    acc = AccountRun("a1", base, out, out["fired"], None, date(2024, 6, 30))
    tactics.run(acc)
    return acc


def test_tactics_are_ordered_by_priority_ties_keeping_rule_order() -> None:
    tactics = build(
        {
            "catalogue": CATALOGUE,
            "rules": [
                rule("r-review", "quarterly_review"),
                rule("r-sponsor", "executive_sponsor_visit", priority=10),
                rule("r-service", "service_recovery", priority=10),
                rule("r-rebate", "rebate_review", when="risk_score > 90", priority=1),
            ],
        }
    )
    acc = run(tactics)
    assert [(t["id"], t["priority"]) for t in acc.out["tactics"]] == [
        ("executive_sponsor_visit", 10),
        ("service_recovery", 10),
        ("quarterly_review", 100),
    ]
    assert acc.out["warnings"] == []
    assert [(f["rule"], f["kind"]) for f in acc.out["fired"]] == [
        ("tactics.rules[r-review]", "tactic"),
        ("tactics.rules[r-sponsor]", "tactic"),
        ("tactics.rules[r-service]", "tactic"),
    ]


def test_a_proposal_has_its_keys_in_order_with_catalogue_defaults() -> None:
    tactics = build(
        {"catalogue": CATALOGUE, "rules": [rule("r-sponsor", "executive_sponsor_visit")]}
    )
    (proposal,) = run(tactics).out["tactics"]
    assert list(proposal) == [
        "id",
        "dimension",
        "priority",
        "reason",
        "owner_role",
        "due_in_days",
        "rule",
    ]
    assert proposal == {
        "id": "executive_sponsor_visit",
        "dimension": "strategic",
        "priority": 100,
        "reason": "Executive sponsor visit",
        "owner_role": "executive",
        "due_in_days": 14,
        "rule": "tactics.rules[r-sponsor]",
    }


def test_policy_catalogue_defaults_and_rule_overrides() -> None:
    tactics = build(
        {
            "catalogue": CATALOGUE,
            "rules": [
                rule("r-review", "quarterly_review"),
                rule(
                    "r-service",
                    "service_recovery",
                    owner_role="account_manager",
                    due_in_days=3,
                    reason="{open_tickets} open tickets; risk {risk} ({risk_score:.0f})",
                ),
                rule("r-rebate", "rebate_review"),
            ],
        }
    )
    review, service, rebate = run(tactics, risk_score=72.4).out["tactics"]
    assert (review["owner_role"], review["due_in_days"], review["reason"]) == (
        "account_manager",
        30,
        "Quarterly business review",
    )
    assert (service["owner_role"], service["due_in_days"], service["reason"]) == (
        "account_manager",
        3,
        "3 open tickets; risk high (72)",
    )
    assert rebate["reason"] == "rebate_review"  # no label: the id


def test_a_policy_catalogue_tactic_replaces_a_registered_one() -> None:
    catalogue = {"rebate_review": {"dimension": "strategic", "label": {"en": "Terms review"}}}
    tactics = build({"catalogue": catalogue, "rules": [rule("r", "rebate_review")]})
    (proposal,) = run(tactics).out["tactics"]
    assert (proposal["dimension"], proposal["reason"]) == ("strategic", "Terms review")


def test_a_tactic_proposed_twice_is_kept_once_with_a_warning() -> None:
    tactics = build(
        {
            "rules": [
                rule("late", "executive_sponsor_visit", priority=50),
                rule("early", "executive_sponsor_visit", priority=5),
                rule("again", "executive_sponsor_visit", priority=50),
            ]
        }
    )
    acc = run(tactics)
    assert [t["rule"] for t in acc.out["tactics"]] == ["tactics.rules[early]"]
    assert acc.out["warnings"] == [
        "tactic `executive_sponsor_visit` proposed by rules `early` and `late`; kept `early`",
        "tactic `executive_sponsor_visit` proposed by rules `early` and `again`; kept `early`",
    ]
    assert [f["note"] for f in acc.out["fired"]] == [
        "duplicate of rule `early`",
        None,
        "duplicate of rule `early`",
    ]


def test_the_cap_drops_the_least_urgent_with_a_warning_each() -> None:
    tactics = build(
        {
            "max_per_account": 2,
            "catalogue": CATALOGUE,
            "rules": [
                rule("r-review", "quarterly_review", priority=30),
                rule("r-sponsor", "executive_sponsor_visit", priority=10),
                rule("r-service", "service_recovery", priority=20),
                rule("r-rebate", "rebate_review", priority=40),
            ],
        }
    )
    acc = run(tactics)
    assert [t["id"] for t in acc.out["tactics"]] == ["executive_sponsor_visit", "service_recovery"]
    assert acc.out["warnings"] == [
        "tactic `quarterly_review` (rule `r-review`) dropped: over max_per_account = 2",
        "tactic `rebate_review` (rule `r-rebate`) dropped: over max_per_account = 2",
    ]


def test_nothing_fires() -> None:
    tactics = build({"rules": [rule("r", "rebate_review", when="risk_score > 90")]})
    acc = run(tactics)
    assert acc.out["tactics"] == []
    assert acc.out["warnings"] == []


def test_a_missing_value_compared_is_an_account_error_at_the_rule() -> None:
    tactics = build({"rules": [rule("r", "rebate_review", when="nps < 0")]})
    with pytest.raises(AccountError) as info:
        run(tactics, nps=None)
    assert info.value.where == "tactics.rules[r]"


def test_explanations_off_still_proposes() -> None:
    tactics = build({"rules": [rule("r", "rebate_review")]})
    acc = AccountRun("a1", {"risk_score": 1}, {}, None, None, date(2024, 6, 30))
    tactics.run(acc)
    assert [t["id"] for t in acc.out["tactics"]] == ["rebate_review"]


def problems(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    ctx = make_ctx()
    assert compile_tactics(ctx, spec) is None
    return [(p.location.key_path, p.message) for p in ctx.problems]


def test_an_unknown_tactic_is_a_located_problem_with_a_suggestion() -> None:
    assert problems({"rules": [rule("r", "executive_sponsor_vist")]}) == [
        (
            "tactics.rules[r].tactic",
            "unknown tactic `executive_sponsor_vist`; did you mean `executive_sponsor_visit`?",
        )
    ]
    assert problems({"rules": [rule("r", "zzz")]}) == [
        (
            "tactics.rules[r].tactic",
            "unknown tactic `zzz` (the catalogue: executive_sponsor_visit, rebate_review)",
        )
    ]


def test_rule_and_catalogue_problems_are_located() -> None:
    spec = {
        "max_per_account": 0,
        "catalogue": {
            "bad_dim": {"dimension": "emotinal"},
            "no_dim": {"label": {"en": "x"}},
            "bad_due": {"dimension": "service", "due_in_days": -3},
        },
        "rules": [
            rule("a", "rebate_review", priority="high"),
            rule("a", "rebate_review"),
            {"when": "risk_score > 1", "tactic": "rebate_review"},
            rule("b", "rebate_review", reason="{rsk}"),
            rule("c", "rebate_review", when="risk_scor > 1"),
            {"id": "d", "tactic": "rebate_review"},
            rule("e", "rebate_review", owner_role=""),
        ],
    }
    found = problems(spec)
    assert found[:10] == [
        ("tactics.max_per_account", "expected a whole number >= 1, got 0"),
        (
            "tactics.catalogue.bad_dim.dimension",
            "tactic `bad_dim` has dimension 'emotinal'; did you mean `emotional`? "
            "(one of emotional, benefit, service, strategic, professional)",
        ),
        (
            "tactics.catalogue.no_dim.dimension",
            "tactic `no_dim` needs a `dimension` "
            "(one of emotional, benefit, service, strategic, professional)",
        ),
        (
            "tactics.catalogue.bad_due.due_in_days",
            "`due_in_days` must be a whole number >= 0, got -3",
        ),
        ("tactics.rules[a].priority", "`priority` must be a whole number, got 'high'"),
        ("tactics.rules[a]", "tactic rule id `a` is used twice"),
        ("tactics.rules[2]", "tactic rule 3 needs an `id`"),
        ("tactics.rules[b].reason", "unknown name `rsk` in template; did you mean `risk`?"),
        ("tactics.rules[c].when", found[8][1]),
        ("tactics.rules[d]", "tactic rule `d` needs a `when` condition"),
    ]
    assert found[10:] == [("tactics.rules[e].owner_role", "`owner_role` must be a text, got ''")]


def test_rules_are_sorted_by_priority_once_when_compiling() -> None:
    tactics = build(
        {
            "catalogue": CATALOGUE,
            "rules": [
                rule("r-review", "quarterly_review"),
                rule("r-sponsor", "executive_sponsor_visit", priority=10),
                rule("r-service", "service_recovery", priority=10),
                rule("r-rebate", "rebate_review", priority=1),
            ],
        }
    )
    assert [r.id for r in tactics.rules] == ["r-review", "r-sponsor", "r-service", "r-rebate"]
    assert [r.id for r in tactics.by_priority] == [
        "r-rebate",
        "r-sponsor",
        "r-service",
        "r-review",
    ]


def test_a_failing_rule_is_an_account_error_whichever_order_rules_run_in() -> None:
    tactics = build(
        {
            "rules": [
                rule("late", "rebate_review", priority=50),
                rule("broken", "executive_sponsor_visit", when="nps > 5", priority=5),
            ]
        }
    )
    with pytest.raises(AccountError) as info:
        run(tactics, nps=None)
    assert info.value.where == "tactics.rules[broken]"


@pytest.mark.parametrize(
    ("cap", "due", "messages"),
    [
        (
            True,
            1.5,
            [
                ("tactics.max_per_account", "expected a whole number >= 1, got True"),
                (
                    "tactics.rules[r].due_in_days",
                    "`due_in_days` must be a whole number >= 0, got 1.5",
                ),
            ],
        ),
    ],
)
def test_whole_numbers_refuse_booleans_and_fractions(
    cap: Any, due: Any, messages: list[tuple[str, str]]
) -> None:
    spec = {"max_per_account": cap, "rules": [rule("r", "rebate_review", due_in_days=due)]}
    assert problems(spec) == messages
