"""The lifecycle stage machine: placement, hysteresis by guards, consecutive, dwell."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import pytest

from kamcore.errors import AccountError, Location
from kamcore.registry import Registry, StageModel
from kamcore.runtime.context import AccountRun, CompileContext
from kamcore.runtime.lifecycle import CompiledLifecycle, _resolve_model, compile_lifecycle
from kamcore.runtime.rules import previous_state
from kamcore.types import BOOLEAN, INTEGER, NUMBER, STRING

START = date(2024, 1, 1)


class StandInDoc:
    """Locates every key path at line 1 of ``t.toml`` (the policy loader is not needed here)."""

    def locate(self, key_path: str) -> Location:
        return Location(file="t.toml", line=1, key_path=key_path)


def make_ctx(registry: Registry | None = None) -> CompileContext:
    names = {"risk_points": NUMBER.as_optional(), "orders_12m": INTEGER}
    return CompileContext(doc=StandInDoc(), registry=registry or Registry(), names=names)  # type: ignore[arg-type]


def spec(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "stages": ["onboarding", "active", "at_risk", "churned"],
        "initial": "onboarding",
        "transitions": [
            {"id": "onboarded", "from": ["onboarding"], "to": "active", "when": "orders_12m >= 3"},
            {"id": "risk-up", "from": ["active"], "to": "at_risk", "when": "risk_points >= 50"},
            {"id": "risk-down", "from": ["at_risk"], "to": "active", "when": "risk_points < 30"},
            {"id": "lapse", "from": "*", "to": "churned", "when": "orders_12m == 0"},
        ],
    }
    base.update(changes)
    return base


def build(section: Mapping[str, Any], registry: Registry | None = None) -> CompiledLifecycle:
    ctx = make_ctx(registry)
    lifecycle = compile_lifecycle(ctx, section)
    assert [p.message for p in ctx.problems] == []
    assert lifecycle is not None
    return lifecycle


def run(
    lifecycle: CompiledLifecycle,
    values: Mapping[str, Any],
    previous: Mapping[str, Any] | None = None,
    as_of: date = START,
) -> AccountRun:
    out: dict[str, Any] = {"fired": [], "state": {}}
    acc = AccountRun("a1", dict(values), out, out["fired"], previous, as_of)
    lifecycle.run(acc)
    return acc


def series(
    lifecycle: CompiledLifecycle,
    steps: list[Mapping[str, Any]],
    previous: Mapping[str, Any] | None,
    every: int = 30,
) -> list[AccountRun]:
    """Evaluate monthly, feeding each evaluation back as the next one's previous evaluation."""
    runs = []
    for i, values in enumerate(steps, start=1):
        acc = run(lifecycle, values, previous, START + timedelta(days=every * i))
        previous = {"stage": acc.out["stage"], "state": acc.out["state"]}
        runs.append(acc)
    return runs


def in_stage(
    stage: str, since: date = START, pending: str | None = None, count: int = 0
) -> dict[str, Any]:
    return {
        "stage": {"value": stage, "previous": None, "changed": False, "since": since.isoformat()},
        "state": {"lifecycle": {"pending": pending, "count": count}},
    }


# -- placement ------------------------------------------------------------------------------------


def test_first_evaluation_places_by_following_transitions_from_initial() -> None:
    acc = run(build(spec()), {"orders_12m": 5, "risk_points": 60})
    assert acc.out["stage"] == {
        "value": "at_risk",
        "previous": None,
        "changed": False,
        "since": "2024-01-01",
    }
    assert acc.out["state"]["lifecycle"] == {"pending": None, "count": 0}
    assert [(f["rule"], f["kind"], f["note"]) for f in acc.out["fired"]] == [
        ("lifecycle.transitions[onboarded]", "transition", "initial placement"),
        ("lifecycle.transitions[risk-up]", "transition", "initial placement"),
    ]
    assert acc.out["fired"][1]["inputs"] == {"risk_points": 60}
    assert acc.values["stage"] == "at_risk"
    assert acc.values["previous_stage"] is None
    assert acc.values["stage_changed"] is False
    assert acc.values["days_in_stage"] == 0


def test_placement_ignores_consecutive_and_min_days() -> None:
    section = spec(min_days={"onboarding": 90})
    section["transitions"][0]["consecutive"] = 3
    acc = run(build(section), {"orders_12m": 5, "risk_points": 10})
    assert acc.out["stage"]["value"] == "active"


def test_placement_stays_at_initial_when_nothing_holds() -> None:
    acc = run(build(spec()), {"orders_12m": 1, "risk_points": 10})
    assert acc.out["stage"]["value"] == "onboarding"
    assert acc.out["fired"] == []


def test_placement_never_revisits_a_stage() -> None:
    section = {
        "stages": ["a", "b"],
        "initial": "a",
        "transitions": [
            {"id": "ab", "from": ["a"], "to": "b", "when": "orders_12m >= 0"},
            {"id": "ba", "from": ["b"], "to": "a", "when": "orders_12m >= 0"},
        ],
    }
    acc = run(build(section), {"orders_12m": 1})
    assert acc.out["stage"]["value"] == "b"


def test_a_previous_evaluation_without_a_stage_places_again() -> None:
    acc = run(build(spec()), {"orders_12m": 5, "risk_points": 0}, {"stage": None})
    assert acc.out["stage"]["value"] == "active"
    assert acc.out["stage"]["previous"] is None


# -- moving ---------------------------------------------------------------------------------------


def test_one_transition_per_evaluation() -> None:
    acc = run(build(spec()), {"orders_12m": 5, "risk_points": 60}, in_stage("onboarding"))
    assert acc.out["stage"] == {
        "value": "active",
        "previous": "onboarding",
        "changed": True,
        "since": "2024-01-01",
    }
    assert acc.values["stage_changed"] is True
    assert acc.values["previous_stage"] == "onboarding"


def test_distinct_enter_and_leave_thresholds_do_not_flap() -> None:
    points = [40, 55, 40, 55, 40, 55, 25]
    runs = series(
        build(spec()), [{"orders_12m": 9, "risk_points": p} for p in points], in_stage("active")
    )
    assert [r.out["stage"]["value"] for r in runs] == [
        "active", "at_risk", "at_risk", "at_risk", "at_risk", "at_risk", "active"
    ]  # fmt: skip
    assert [r.out["stage"]["changed"] for r in runs].count(True) == 2
    assert runs[1].out["stage"]["since"] == "2024-03-01"
    assert runs[3].out["stage"]["since"] == "2024-03-01"
    assert runs[3].values["days_in_stage"] == 60


def test_a_backward_move_is_taken_and_recorded() -> None:
    acc = run(build(spec()), {"orders_12m": 9, "risk_points": 10}, in_stage("at_risk"))
    assert acc.out["stage"]["value"] == "active"
    (fired,) = acc.out["fired"]
    assert fired["rule"] == "lifecycle.transitions[risk-down]"
    assert fired["kind"] == "transition"
    assert fired["note"] == "from `at_risk` back to `active`"


def test_consecutive_needs_evaluations_in_a_row() -> None:
    section = spec()
    section["transitions"][1]["consecutive"] = 2
    runs = series(build(section), [{"orders_12m": 9, "risk_points": 55}] * 2, in_stage("active"))
    first, second = runs
    assert first.out["stage"]["value"] == "active"
    assert first.out["stage"]["changed"] is False
    assert first.out["state"]["lifecycle"] == {"pending": "risk-up", "count": 1}
    assert [(f["kind"], f["note"]) for f in first.out["fired"]] == [
        ("pending", "1 of 2 consecutive evaluations")
    ]
    assert second.out["stage"]["value"] == "at_risk"
    assert second.out["state"]["lifecycle"] == {"pending": None, "count": 0}


def test_a_break_resets_the_consecutive_count() -> None:
    section = spec()
    section["transitions"][1]["consecutive"] = 2
    steps = [{"orders_12m": 9, "risk_points": p} for p in (55, 40, 55, 40)]
    runs = series(build(section), steps, in_stage("active"))
    assert [r.out["stage"]["value"] for r in runs] == ["active"] * 4
    assert [r.out["state"]["lifecycle"]["count"] for r in runs] == [1, 0, 1, 0]


def test_min_days_blocks_early_exits() -> None:
    section = spec(min_days={"onboarding": 90})
    steps = [{"orders_12m": 5, "risk_points": 0}] * 3
    runs = series(build(section), steps, in_stage("onboarding", since=START))
    assert [r.out["stage"]["value"] for r in runs] == ["onboarding", "onboarding", "active"]
    assert [(f["kind"], f["note"]) for f in runs[0].out["fired"]] == [
        ("dwell", "stays in `onboarding`: 30 of 90 days")
    ]
    assert runs[1].values["days_in_stage"] == 60
    assert runs[1].out["stage"]["since"] == "2024-01-01"
    assert runs[2].out["stage"]["since"] == "2024-03-31"


def test_the_consecutive_count_keeps_growing_during_dwell() -> None:
    section = spec(min_days={"onboarding": 60})
    section["transitions"][0]["consecutive"] = 2
    steps = [{"orders_12m": 5, "risk_points": 0}] * 2
    first, second = series(build(section), steps, in_stage("onboarding"))
    assert first.out["fired"][0]["kind"] == "dwell"
    assert first.out["state"]["lifecycle"] == {"pending": "onboarded", "count": 1}
    assert second.out["stage"]["value"] == "active"


def test_since_may_be_a_date_and_days_in_stage_counts_from_it() -> None:
    previous = in_stage("active")
    previous["stage"]["since"] = date(2023, 12, 1)
    acc = run(build(spec()), {"orders_12m": 9, "risk_points": 40}, previous)
    assert acc.values["days_in_stage"] == 31
    assert acc.out["stage"]["since"] == "2023-12-01"


def test_explanations_off_records_nothing() -> None:
    acc = AccountRun(
        "a1", {"orders_12m": 9, "risk_points": 99}, {}, None, in_stage("active"), START
    )
    build(spec()).run(acc)
    assert acc.out["stage"]["value"] == "at_risk"


# -- account errors -------------------------------------------------------------------------------


def test_a_stage_no_longer_in_the_policy_is_an_account_error() -> None:
    with pytest.raises(AccountError) as info:
        run(build(spec()), {"orders_12m": 9, "risk_points": 0}, in_stage("dormant"))
    assert info.value.where == "lifecycle"
    assert "`dormant` is not a stage of this policy" in info.value.reason


def test_a_previous_evaluation_newer_than_as_of_is_an_account_error() -> None:
    with pytest.raises(AccountError, match="after the as-of date"):
        run(
            build(spec()), {"orders_12m": 9, "risk_points": 0}, in_stage("active", date(2025, 1, 1))
        )


def test_a_bad_since_is_an_account_error() -> None:
    previous = in_stage("active")
    previous["stage"]["since"] = "yesterday"
    with pytest.raises(AccountError, match="no valid `since` date"):
        run(build(spec()), {"orders_12m": 9, "risk_points": 0}, previous)


def test_a_missing_value_in_a_guard_is_an_account_error_at_the_transition() -> None:
    with pytest.raises(AccountError) as info:
        run(build(spec()), {"orders_12m": 9, "risk_points": None}, in_stage("active"))
    assert info.value.account_id == "a1"
    assert info.value.where == "lifecycle.transitions[risk-up]"


# -- compiling ------------------------------------------------------------------------------------


def test_declares_the_lifecycle_names() -> None:
    ctx = make_ctx()
    compile_lifecycle(ctx, spec())
    assert ctx.names["stage"] == STRING
    assert ctx.names["previous_stage"] == STRING.as_optional()
    assert ctx.names["stage_changed"] == BOOLEAN
    assert ctx.names["days_in_stage"] == INTEGER


def problems(section: Mapping[str, Any], registry: Registry | None = None) -> list[tuple[str, str]]:
    ctx = make_ctx(registry)
    assert compile_lifecycle(ctx, section) is None
    assert "stage" in ctx.names  # declared anyway: later sections are not reported twice
    return [(p.location.key_path, p.message) for p in ctx.problems]


def test_load_time_problems_are_located() -> None:
    section = spec(initial="onbording", min_days={"actve": 10, "at_risk": -1})
    section["transitions"] += [
        {"id": "risk-up", "from": ["active"], "to": "at_risk", "when": "risk_points >= 60"},
        {"id": "stay", "from": ["active"], "to": "active", "when": "risk_points >= 0"},
        {
            "id": "odd",
            "from": ["actve"],
            "to": "churnd",
            "when": "orders_12m > 0",
            "consecutive": 0,
        },
        {"id": "nowhen", "from": ["active"], "to": "churned"},
        {"from": ["active"], "to": "churned", "when": "orders_12m > 0"},
        {"id": "typo", "from": ["active"], "to": "churned", "when": "order_12m > 0"},
    ]
    found = problems(section)
    assert found[:9] == [
        (
            "lifecycle.initial",
            "initial stage `onbording` is not one of the stages (onboarding, active, at_risk, "
            "churned); did you mean `onboarding`?",
        ),
        ("lifecycle.transitions[risk-up]", "transition id `risk-up` is used twice"),
        ("lifecycle.transitions[stay].to", "transition `stay` leads from `active` to itself"),
        ("lifecycle.transitions[odd].to", "unknown stage `churnd`; did you mean `churned`?"),
        ("lifecycle.transitions[odd].from", "unknown stage `actve`; did you mean `active`?"),
        ("lifecycle.transitions[odd].consecutive", "expected a whole number >= 1, got 0"),
        ("lifecycle.transitions[nowhen]", "transition `nowhen` needs a `when` condition"),
        ("lifecycle.transitions[8]", "transition 9 needs an `id`"),
        ("lifecycle.transitions[typo].when", found[8][1]),
    ]
    assert "order_12m" in found[8][1]
    assert found[9:] == [
        ("lifecycle.min_days.actve", "unknown stage `actve`; did you mean `active`?"),
        ("lifecycle.min_days.at_risk", "expected a whole number >= 0, got -1"),
    ]


def test_stages_or_a_model_are_required() -> None:
    assert problems({"transitions": []}) == [
        ("lifecycle", "`lifecycle` needs a `model`, or `stages` and `initial`")
    ]
    assert problems(spec(stages=["a", "a"], initial="a", transitions=[])) == [
        ("lifecycle.stages", "stage `a` is listed twice")
    ]


# -- stage models ---------------------------------------------------------------------------------


def registry_with_model() -> Registry:
    registry = Registry()
    model = StageModel(
        name="saas",
        stages=("onboarding", "adoption", "renewal"),
        initial="onboarding",
        transitions=(
            {"id": "adopted", "from": ["onboarding"], "to": "adoption", "when": "orders_12m >= 3"},
            {"id": "renewing", "from": ["adoption"], "to": "renewal", "when": "orders_12m >= 10"},
            {"id": "gone", "from": "*", "to": "onboarding", "when": "orders_12m < 0"},
        ),
    )
    registry.register_stage_model(model, "kamcore_saas")
    return registry


def test_a_model_supplies_stages_and_transitions() -> None:
    lifecycle = build({"model": "saas"}, registry_with_model())
    assert lifecycle.stages == ("onboarding", "adoption", "renewal")
    assert run(lifecycle, {"orders_12m": 12}).out["stage"]["value"] == "renewal"


def test_policy_transitions_override_the_models_by_id_and_add_new_ones() -> None:
    section = {
        "model": "saas",
        "stages": ["onboarding", "adoption", "renewal", "expansion"],
        "transitions": [
            {"id": "adopted", "when": "orders_12m >= 5"},
            {"id": "gone", "drop": True},
            {"id": "expanded", "from": ["renewal"], "to": "expansion", "when": "orders_12m >= 20"},
        ],
    }
    lifecycle = build(section, registry_with_model())
    assert [t.id for t in lifecycle.outgoing["onboarding"]] == ["adopted"]
    assert lifecycle.outgoing["onboarding"][0].when.source == "orders_12m >= 5"
    assert run(lifecycle, {"orders_12m": 4}).out["stage"]["value"] == "onboarding"
    assert run(lifecycle, {"orders_12m": 25}).out["stage"]["value"] == "expansion"


def test_an_unknown_model_lists_the_registered_ones() -> None:
    assert problems({"model": "sass"}, registry_with_model()) == [
        ("lifecycle.model", "unknown stage model `sass`; did you mean `saas`? (registered: saas)")
    ]


def test_an_override_is_deep_merged_key_by_key_into_the_models_transition() -> None:
    registry = registry_with_model()
    model = registry.stage_models["saas"]
    labelled = {**model.transitions[0], "label": {"en": "Adopted", "zh": "采用"}}
    registry.stage_models["saas"] = StageModel(
        name="saas",
        stages=model.stages,
        initial=model.initial,
        transitions=(labelled, *model.transitions[1:]),
    )
    section = {
        "model": "saas",
        "transitions": [{"id": "adopted", "consecutive": 2, "label": {"en": "In use"}}],
    }
    ctx = make_ctx(registry)
    _, _, transitions = _resolve_model(ctx, section)
    assert ctx.problems == []
    assert transitions[0] == {
        "id": "adopted",
        "from": ["onboarding"],
        "to": "adoption",
        "when": "orders_12m >= 3",
        "label": {"en": "In use", "zh": "采用"},
        "consecutive": 2,
    }
    assert [t["id"] for t in transitions] == ["adopted", "renewing", "gone"]
    assert build(section, registry).outgoing["onboarding"][0].consecutive == 2


def test_dropping_or_changing_an_id_the_model_lacks_is_located_with_a_suggestion() -> None:
    section = {
        "model": "saas",
        "transitions": [
            {"id": "gnoe", "drop": True},
            {"id": "adopt", "when": "orders_12m >= 5"},
            {"id": "zzz", "to": "renewal"},
        ],
    }
    assert problems(section, registry_with_model()) == [
        (
            "lifecycle.transitions[gnoe]",
            "cannot drop transition `gnoe`: stage model `saas` has no transition `gnoe`; "
            "did you mean `gone`?",
        ),
        (
            "lifecycle.transitions[adopt]",
            "stage model `saas` has no transition `adopt` to change, and a new transition needs "
            "`from`, `to` and `when`; did you mean `adopted`?",
        ),
        (
            "lifecycle.transitions[zzz]",
            "stage model `saas` has no transition `zzz` to change, and a new transition needs "
            "`from`, `to` and `when`",
        ),
    ]


def test_a_drop_carrying_a_base_policys_transition_needs_no_model_counterpart() -> None:
    # the loader merges `drop = true` into the item a base wrote; nothing of it remains
    base_written = {"id": "extra", "from": ["adoption"], "to": "onboarding", "when": "True"}
    section = {"model": "saas", "transitions": [{**base_written, "drop": True}]}
    lifecycle = build(section, registry_with_model())
    assert [t.id for t in lifecycle.outgoing["adoption"]] == ["renewing", "gone"]


def test_a_drop_without_a_model_or_base_is_a_problem() -> None:
    section = spec()
    section["transitions"] = [*section["transitions"], {"id": "lapse2", "drop": True}]
    assert problems(section) == [
        (
            "lifecycle.transitions[lapse2]",
            "cannot drop transition `lapse2`: no base policy or stage model defines it",
        )
    ]


def test_items_referring_to_an_unknown_model_are_not_reported_again() -> None:
    section = {"model": "sass", "transitions": [{"id": "gone", "drop": True}, {"id": "x"}]}
    assert problems(section, registry_with_model()) == [
        ("lifecycle.model", "unknown stage model `sass`; did you mean `saas`? (registered: saas)")
    ]


@pytest.mark.parametrize(
    "previous",
    [
        {**in_stage("active", pending="risk-up", count=1), "state": ["not", "a", "table"]},
        {**in_stage("active", pending="risk-up", count=1), "state": "corrupt"},
        {**in_stage("active", pending="risk-up", count=1), "state": {"lifecycle": 7}},
        {**in_stage("active", pending="risk-up", count=1), "state": None},
        {k: v for k, v in in_stage("active", pending="risk-up", count=1).items() if k != "state"},
    ],
)
def test_a_malformed_previous_state_reads_as_no_state(previous: dict[str, Any]) -> None:
    lifecycle = build(spec(transitions=[{**spec()["transitions"][1], "consecutive": 2}]))
    acc = run(lifecycle, {"orders_12m": 5, "risk_points": 60}, previous)
    # the consecutive count starts again instead of the account failing
    assert acc.out["stage"]["value"] == "active"
    assert acc.out["state"]["lifecycle"] == {"pending": "risk-up", "count": 1}


def test_previous_state_helper() -> None:
    def acc(previous: Any) -> AccountRun:
        return AccountRun("a1", {}, {}, None, previous, START)

    assert previous_state(acc(None), "tier") == {}
    assert previous_state(acc({"state": 3}), "tier") == {}
    assert previous_state(acc({"state": {"tier": [1]}}), "tier") == {}
    assert previous_state(acc({"state": {"tier": {"count": 2}}}), "tier") == {"count": 2}


def test_stage_positions_are_computed_once_when_compiling() -> None:
    lifecycle = build(spec())
    assert lifecycle.order == {"onboarding": 0, "active": 1, "at_risk": 2, "churned": 3}
