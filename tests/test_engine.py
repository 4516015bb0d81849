"""The engine end to end on small inline policies: error records, portfolio rules, hysteresis,
caps, plugin failures, all problems at once, explain levels."""

from __future__ import annotations

from typing import Any

import pytest

from kamcore import (
    AccountError,
    Classifier,
    Engine,
    Fact,
    Function,
    KamcoreError,
    Metric,
    PluginError,
    PluginUsageError,
    PolicyError,
    hookimpl,
)

HEADER = """
[policy]
id = "t"
version = "1"
"""

TIERS = (
    HEADER
    + """
[metrics]
big = "revenue_12m >= 1_000_000"

[tables.tier]
hit = "FIRST"
inputs = ["revenue_12m"]
outputs = ["tier"]
output_values = { tier = ["KA", "NA", "growth"] }
default = { tier = "growth" }

[[tables.tier.rules]]
id = "ka"
when = [">= 1_000_000"]
then = ["KA"]

[[tables.tier.rules]]
id = "na"
when = [">= 100_000"]
then = ["NA"]
"""
)


def row(account_id: str, revenue: float | None, **extra: Any) -> dict[str, Any]:
    return {"id": account_id, "revenue_12m": revenue, **extra}


def test_one_bad_account_does_not_stop_the_portfolio() -> None:
    engine = Engine.from_text(TIERS + "\n[inputs.revenue_12m]\nrequired = true\n")
    result = engine.evaluate_portfolio(
        [row("A", 2e6), row("B", None), row("C", "lots"), row("D", 5e5)], as_of="2026-01-31"
    )
    assert [e["account_id"] for e in result] == ["A", "D"]
    assert [e["tier"] for e in result] == ["KA", "NA"]
    assert [(e["account_id"], e["row"]) for e in result.errors] == [("B", 2), ("C", 3)]
    assert all("revenue_12m" in e["where"] for e in result.errors)


def test_comparing_a_missing_value_is_an_error_for_that_account_not_a_silent_false() -> None:
    engine = Engine.from_text(TIERS)
    result = engine.evaluate_portfolio([row("A", None), row("B", 2e6)], as_of="2026-01-31")
    assert [e["account_id"] for e in result] == ["B"]
    (error,) = result.errors
    assert error["account_id"] == "A"
    assert error["where"].startswith("metrics.big")
    assert "`revenue_12m` is missing" in error["reason"]


def test_a_portfolio_policy_refuses_single_account_evaluation() -> None:
    engine = Engine.from_text(
        TIERS + '\n[[segments.rules]]\nid = "top"\nwhen = "percentile(revenue_12m) > 0.5"\n'
    )
    with pytest.raises(KamcoreError, match=r"percentile\(revenue_12m\).*evaluate_portfolio"):
        engine.evaluate({"id": "A", "revenue_12m": 1.0}, as_of="2026-01-31")
    result = engine.evaluate_portfolio([row("A", 1.0), row("B", 2.0)], as_of="2026-01-31")
    assert [e["segments"] for e in result] == [[], ["top"]]


def test_tier_downgrade_waits_for_consecutive_evaluations_but_upgrade_is_immediate() -> None:
    engine = Engine.from_text(
        TIERS + '\n[tier]\nvalues = ["KA", "NA", "growth"]\ndowngrade_after = 2\n'
    )
    revenues = [2e6, 5e5, 2e6, 5e5, 5e5, 5e5, 2e6]
    previous = None
    tiers = []
    for month, revenue in enumerate(revenues, start=1):
        evaluation = engine.evaluate_dict(
            row("A", revenue), as_of=f"2026-{month:02d}-28", previous=previous
        )
        tiers.append(evaluation["tier"])
        previous = evaluation
    # one dip is absorbed; two in a row downgrade; the upgrade applies at once
    assert tiers == ["KA", "KA", "KA", "KA", "NA", "NA", "KA"]


def test_caps_cascade_down_the_tier_order_by_the_stated_metric() -> None:
    engine = Engine.from_text(
        TIERS
        + '\n[tier]\nvalues = ["KA", "NA", "growth"]\n'
        + '[[tier.caps]]\nvalue = "KA"\nmax = 2\norder_by = "revenue_12m"\n'
        + '[[tier.caps]]\nvalue = "NA"\nmax = 1\norder_by = "revenue_12m"\n'
    )
    rows = [row("A", 3e6), row("B", 5e6), row("C", 4e6), row("D", 2e5)]
    result = engine.evaluate_portfolio(rows, as_of="2026-01-31")
    # B and C keep KA; A (3rd by revenue) falls to NA, where it outranks D for the one
    # NA place, so D falls on to growth
    assert {e["account_id"]: e["tier"] for e in result} == {
        "A": "NA",
        "B": "KA",
        "C": "KA",
        "D": "growth",
    }
    by_id = result.by_id()
    notes = [f["note"] for f in by_id["A"]["fired"] if f["kind"] == "cap"]
    assert notes == ["over the cap of 2 `KA` (ranked 3 by revenue_12m); falls to `NA`"]


class ExplodingMetric:
    @hookimpl
    def kamcore_register_facts(self, register: Any) -> None:
        register(Fact("boom_input", "number"))

    @hookimpl
    def kamcore_register_metrics(self, register: Any) -> None:
        def explode(value: float) -> float:
            raise RuntimeError(f"cannot handle {value}")

        register(Metric("boom", explode, inputs=("boom_input",)))

    @hookimpl
    def kamcore_register_functions(self, register: Any) -> None:
        def fragile(value: float) -> float:
            if value > 10:
                raise ValueError("too big")
            return value

        register(Function("fragile", fragile, params=("number",), returns="number"))


def test_a_plugin_raising_during_evaluation_names_the_plugin_and_the_hook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = HEADER + '\n[[alerts]]\nid = "x"\nwhen = "boom > 1"\n'
    engine = Engine.from_text(policy, plugins={"exploding": ExplodingMetric()})
    result = engine.evaluate_portfolio([{"id": "A", "boom_input": 3}], as_of="2026-01-31")
    (error,) = result.errors
    assert error["where"] == "metrics.boom"
    assert error["reason"] == (
        'plugin "exploding" raised in metric `boom` (registered through '
        "kamcore_register_metrics): RuntimeError: cannot handle 3.0"
    )
    # the switch is read when an engine is built, from its environment
    debugging = Engine.from_text(
        policy,
        plugins={"exploding": ExplodingMetric()},
        environ={"KAMCORE_RAISE_PLUGIN_ERRORS": "1"},
    )
    with pytest.raises(RuntimeError, match=r"cannot handle 3\.0"):
        debugging.evaluate_portfolio([{"id": "A", "boom_input": 3}], as_of="2026-01-31")
    monkeypatch.setenv("KAMCORE_RAISE_PLUGIN_ERRORS", "1")
    with pytest.raises(RuntimeError, match=r"cannot handle 3\.0"):
        Engine.from_text(policy, plugins={"exploding": ExplodingMetric()}).evaluate_portfolio(
            [{"id": "A", "boom_input": 3}], as_of="2026-01-31"
        )


def test_a_plugin_function_raising_names_the_plugin() -> None:
    policy = HEADER + '\n[[alerts]]\nid = "x"\nwhen = "fragile(boom_input) > 1"\n'
    engine = Engine.from_text(policy, plugins={"exploding": ExplodingMetric()})
    result = engine.evaluate_portfolio(
        [{"id": "A", "boom_input": 3}, {"id": "B", "boom_input": 30}], as_of="2026-01-31"
    )
    assert [e["account_id"] for e in result] == ["A"]
    (error,) = result.errors
    assert error["account_id"] == "B"
    assert 'plugin "exploding" raised in function `fragile`' in error["reason"]
    assert "ValueError: too big" in error["reason"]


class BrokenAtBuild:
    @hookimpl
    def kamcore_register_tactics(self, register: Any) -> None:
        raise KeyError("catalogue.csv")


def test_a_plugin_failing_at_build_time_leaves_no_engine() -> None:
    with pytest.raises(PluginError) as info:
        Engine.from_text(HEADER, plugins={"broken": BrokenAtBuild()})
    assert info.value.plugin == "broken"
    assert info.value.hook == "kamcore_register_tactics"


def test_a_policy_naming_a_missing_plugin_lists_the_installed_ones() -> None:
    with pytest.raises(PluginError, match="not installed; installed plugins: "):
        Engine.from_text(HEADER.replace('version = "1"', 'version = "1"\nplugins = ["nope"]'))


def test_all_problems_are_reported_at_once_with_their_lines() -> None:
    policy = (
        TIERS
        + """
[[alerts]]
id = "a"
when = "revnue_12m > 5"

[[alerts]]
id = "b"
when = "tier == 'KA'"

[[tactics.rules]]
id = "t"
when = "risk_score > 1"
tactic = "retention_offer"
"""
    )
    with pytest.raises(PolicyError) as info:
        Engine.from_text(policy, name="client.toml")
    messages = [p.message for p in info.value.problems]
    assert "unknown fact `revnue_12m`; did you mean `revenue_12m`?" in messages
    assert len(info.value.problems) == 2, messages
    for problem in info.value.problems:
        assert problem.location.file == "client.toml"
        assert problem.location.line is not None


def test_a_name_from_a_later_stage_is_refused_with_the_reason() -> None:
    policy = HEADER + "\n[metrics]\nx = \"1 if tier == 'KA' else 0\"\n"
    with pytest.raises(PolicyError, match="decided later in the pipeline"):
        Engine.from_text(policy)


def test_explain_levels() -> None:
    engine = Engine.from_text(TIERS)
    full = engine.evaluate_dict(row("A", 2e6), as_of="2026-01-31")
    bare = engine.evaluate_dict(row("A", 2e6), as_of="2026-01-31", explain="none")
    assert full["fired"] == [
        {
            "rule": "tables.tier.rules[ka]",
            "kind": "table_row",
            "inputs": {"revenue_12m": 2e6},
            "note": None,
        }
    ]
    assert bare["fired"] == []
    # explanations off: no fired rules and no input digest (the audit level's), same verdicts
    assert full["input_digest"].startswith("sha256:")
    assert bare["input_digest"] is None
    why = ("fired", "input_digest")
    assert {k: v for k, v in full.items() if k not in why} == {
        k: v for k, v in bare.items() if k not in why
    }
    with pytest.raises(KamcoreError, match="explain must be one of"):
        engine.evaluate_dict(row("A", 2e6), as_of="2026-01-31", explain="verbose")


def test_only_metrics_the_policy_reads_are_computed_and_reported() -> None:
    engine = Engine.from_text(TIERS)
    evaluation = engine.evaluate_dict(row("A", 2e6), as_of="2026-01-31")
    assert evaluation["metrics"] == {"big": True}


def test_account_shaped_input_and_models() -> None:
    from kamcore import Account

    engine = Engine.from_text(TIERS)
    account = Account(id="A", name="Hua Mart", industry="retail", facts={"revenue_12m": 3e6})
    evaluation = engine.evaluate(account, as_of="2026-01-31")
    assert evaluation.account_id == "A"
    assert evaluation.tier == "KA"


def test_an_applied_input_default_is_recorded_in_the_evaluation() -> None:
    policy = TIERS + '\n[inputs.channel]\ncolumn = "渠道"\ntype = "string"\ndefault = "direct"\n'
    policy += '\n[[segments.rules]]\nid = "direct"\nwhen = "channel == \'direct\'"\n'
    engine = Engine.from_text(policy)
    defaulted = engine.evaluate_dict(row("A", 2e6, 渠道=""), as_of="2026-01-31")
    given = engine.evaluate_dict(row("B", 2e6, 渠道="online"), as_of="2026-01-31")
    assert defaulted["segments"] == ["direct"]
    assert defaulted["warnings"] == [
        "input `channel` (column '渠道') was empty; used the default 'direct'"
    ]
    assert given["warnings"] == []
    assert given["segments"] == []


def test_a_plugin_function_raising_in_a_single_evaluation_names_the_plugin() -> None:
    from kamcore import AccountError

    policy = HEADER + '\n[[alerts]]\nid = "x"\nwhen = "fragile(boom_input) > 1"\n'
    engine = Engine.from_text(policy, plugins={"exploding": ExplodingMetric()})
    with pytest.raises(AccountError, match='plugin "exploding" raised in function `fragile`'):
        engine.evaluate_dict({"id": "B", "boom_input": 30}, as_of="2026-01-31")


def test_downgrade_counts_consecutive_evaluations_below_whichever_lower_tier() -> None:
    engine = Engine.from_text(
        TIERS + '\n[tier]\nvalues = ["KA", "NA", "growth"]\ndowngrade_after = 3\n'
    )
    previous = engine.evaluate_dict(row("A", 2e6), as_of="2026-01-31")
    tiers = []
    for month, revenue in enumerate([5e5, 5e4, 5e5, 5e4], start=2):  # NA, growth, NA, growth
        previous = engine.evaluate_dict(
            row("A", revenue), as_of=f"2026-{month:02d}-28", previous=previous
        )
        tiers.append((previous["tier"], previous["state"]["tier"]["count"]))
    # three evaluations below KA in a row downgrade, to the tier of the third; a further
    # drop below NA then waits its own three evaluations
    assert tiers == [("KA", 1), ("KA", 2), ("NA", 0), ("NA", 1)]


def test_what_the_tier_can_come_out_as_is_checked_when_the_policy_loads() -> None:
    typo = TIERS.replace('then = ["NA"]', 'then = ["Na"]').replace(
        'output_values = { tier = ["KA", "NA", "growth"] }\n', ""
    )
    policy = typo + '\n[tier]\nvalues = ["KA", "NA", "growth"]\n'
    with pytest.raises(PolicyError) as info:
        Engine.from_text(policy)
    ((key, message),) = [(p.location.key_path, p.message) for p in info.value.problems]
    assert key == "tables.tier.rules[na].then[0]"
    assert message == "`Na` is not one of tier.values (KA, NA, growth); did you mean `NA`?"

    collect = TIERS.replace('hit = "FIRST"', 'hit = "COLLECT"').replace(
        'default = { tier = "growth" }\n', ""
    )
    with pytest.raises(PolicyError, match="must give one value per account"):
        Engine.from_text(collect)


def test_a_table_output_may_not_shadow_a_fact_or_another_output() -> None:
    policy = (
        TIERS
        + """
[tables.shadow]
hit = "FIRST"
inputs = ["revenue_12m"]
outputs = ["revenue_12m"]

[[tables.shadow.rules]]
id = "zero"
when = ["-"]
then = [0]
"""
    )
    with pytest.raises(PolicyError) as info:
        Engine.from_text(policy)
    assert [p.message for p in info.value.problems] == [
        "output `revenue_12m` of table `shadow` has the name of a fact, a metric or an earlier "
        "table's output; choose another name"
    ]


def test_a_bad_input_default_is_a_located_policy_problem() -> None:
    policy = HEADER + '\n[inputs.size]\ntype = "integer"\ndefault = "big"\n'
    policy += '\n[inputs.when]\ntype = "date"\ndefault = "soon"\n'
    with pytest.raises(PolicyError) as info:
        Engine.from_text(policy, name="p.toml")
    keys = [(p.location.key_path, p.location.line) for p in info.value.problems]
    assert keys == [("inputs.size.default", 8), ("inputs.when.default", 12)]


def test_a_non_finite_metric_is_the_accounts_error() -> None:
    policy = HEADER + '\n[metrics]\nratio = "revenue_12m / 1e-320"\n'
    result = Engine.from_text(policy).evaluate_portfolio(
        [row("A", 1e10), row("B", 0.0)], as_of="2026-01-31"
    )
    assert [e["account_id"] for e in result] == ["B"]
    (error,) = result.errors
    assert error["where"] == "metrics.ratio"
    assert error["reason"] == "metric `ratio` came out as inf; a figure must be a finite number"
    assert result.to_jsonl().count("\n") == 1


def test_as_of_may_be_a_datetime_and_counts_days() -> None:
    from datetime import datetime

    engine = Engine.from_text(TIERS)
    evaluation = engine.evaluate_dict(row("A", 2e6), as_of=datetime(2026, 1, 31, 17, 45))
    assert evaluation["as_of"] == "2026-01-31"


def test_a_header_of_the_wrong_type_is_a_validation_problem_not_a_crash() -> None:
    with pytest.raises(PolicyError, match="policy"):
        Engine.from_text('policy = "x"\n')


def test_a_repeated_account_id_is_refused_not_silently_merged() -> None:
    engine = Engine.from_text(TIERS)
    rows = [row("A", 1.0), row("B", 2.0), row("A", 3.0)]
    for result in (
        engine.evaluate_portfolio(rows, as_of="2026-01-31"),
        Engine.from_text(
            TIERS + '\n[[segments.rules]]\nid = "t"\nwhen = "percentile(revenue_12m) > 0.5"\n'
        ).evaluate_portfolio(rows, as_of="2026-01-31"),
    ):
        assert [e["account_id"] for e in result] == ["A", "B"]
        assert result.errors == [
            {
                "account_id": "A",
                "where": "inputs.id",
                "reason": "account id `A` already appeared at row 1; each account must appear once",
                "row": 3,
            }
        ]


class TypoInputs:
    @hookimpl
    def kamcore_register_metrics(self, register: Any) -> None:
        register(Metric("spend_ratio", lambda a, b: a / b, inputs=("revenue_12m", "spendd")))


def test_a_plugin_metric_reading_an_undeclared_name_fails_when_the_policy_loads() -> None:
    policy = HEADER + '\n[[alerts]]\nid = "x"\nwhen = "spend_ratio > 1"\n'
    with pytest.raises(PolicyError) as info:
        Engine.from_text(policy, plugins={"typo": TypoInputs()})
    assert [p.message for p in info.value.problems] == [
        'metric `spend_ratio` of plugin "typo" reads `spendd`, which no fact, input or metric '
        "declares (a typo in the plugin's Metric inputs?)"
    ]
    # a policy that does not use the metric is not held back by it
    assert Engine.from_text(HEADER, plugins={"typo": TypoInputs()}).id == "t"


class BetterGrowth:
    @hookimpl
    def kamcore_register_metrics(self, register: Any) -> None:
        register(Metric("growth", lambda a, b: 0.0, inputs=("revenue_prev_12m", "revenue_12m")))


def test_an_external_plugin_replacing_a_built_in_is_listed_by_the_engine() -> None:
    engine = Engine.from_text(HEADER, plugins={"better": BetterGrowth()})
    assert engine.overrides == [("metric", "growth", "better")]
    assert Engine.from_text(HEADER).overrides == []


def test_comparing_the_tier_with_a_value_it_cannot_take_fails_at_load() -> None:
    policy = TIERS + '\n[[alerts]]\nid = "x"\nwhen = "tier == \'Ka\'"\n'
    with pytest.raises(PolicyError) as info:
        Engine.from_text(policy)
    assert [p.message for p in info.value.problems] == [
        '`"Ka"` is not one of the values of `tier` ("KA", "NA", "growth"); did you mean `"KA"`?'
    ]


def test_schema_problems_do_not_hide_the_compilers() -> None:
    policy = (
        HEADER
        + """
[metrics]
growth = "(revnue_12m - revenue_prev_12m) / revenue_prev_12m"

[tables.tier]
hit = "FRIST"
inputs = ["revenue_12m"]
outputs = ["tier"]
rules = [{ id = "ka", when = [">= 1,000,000"], then = ["KA"] }]
"""
    )
    with pytest.raises(PolicyError) as info:
        Engine.from_text(policy, name="p.toml")
    found = [(p.location.line, p.location.key_path) for p in info.value.problems]
    assert found == [
        (7, "metrics.growth"),
        (10, "tables.tier.hit"),
        (13, "tables.tier.rules[ka].when[0]"),
    ]


class StrictConfig:
    @hookimpl
    def kamcore_register_config_schema(self, register: Any) -> None:
        register({"type": "object", "properties": {"tiers": {"type": "object"}}})

    @hookimpl
    def kamcore_register_facts(self, register: Any, config: Any) -> None:
        tiers = config.get("tiers", {})
        if tiers.get("high", 2) <= tiers.get("low", 1):
            raise PluginUsageError("`high` must be above `low`", key="tiers.high")
        register(Fact("spend", "number"))


def test_a_plugin_refusing_its_config_is_reported_at_the_key() -> None:
    policy = (
        HEADER.replace('version = "1"', 'version = "1"\nplugins = ["strict"]')
        + "\n[config.strict.tiers]\nlow = 5\nhigh = 3\n"
    )
    with pytest.raises(PolicyError) as info:
        Engine.from_text(policy, name="p.toml", plugins={"strict": StrictConfig()})
    (problem,) = info.value.problems
    assert problem.message == 'plugin "strict": `high` must be above `low`'
    assert (problem.location.key_path, problem.location.line) == ("config.strict.tiers.high", 9)


class Grader:
    @hookimpl
    def kamcore_register_classifiers(self, register: Any) -> None:
        def grade(spend: float | None) -> str:
            return "unknown" if spend is None else "big" if spend > 10 else "small"

        register(
            Classifier(
                "grade", grade, ("number",), ("big", "small", "unknown"), handles_missing=True
            )
        )


def test_a_classifier_may_decide_on_missing_arguments() -> None:
    policy = (
        HEADER + '\n[tier]\nexpr = "grade(revenue_12m)"\nvalues = ["big", "small", "unknown"]\n'
    )
    engine = Engine.from_text(policy, plugins={"grader": Grader()})
    assert engine.evaluate_dict(row("A", None), as_of="2026-01-31")["tier"] == "unknown"
    assert engine.evaluate_dict(row("B", 50.0), as_of="2026-01-31")["tier"] == "big"


def test_a_built_in_money_fact_accepts_the_policys_currency_sign() -> None:
    policy = HEADER.replace('version = "1"', 'version = "1"\ncurrency = "CNY"') + (
        '\n[[alerts]]\nid = "big"\nwhen = "revenue_12m > 500"\n'
    )
    engine = Engine.from_text(policy)
    evaluation = engine.evaluate_dict({"id": "X", "revenue_12m": "¥1,000"}, as_of="2026-01-31")
    assert [a["id"] for a in evaluation["alerts"]] == ["big"]
    assert evaluation["warnings"] == []
    with pytest.raises(AccountError, match="currency"):
        engine.evaluate_dict({"id": "Y", "revenue_12m": "$1,000"}, as_of="2026-01-31")


def test_a_flat_row_with_a_column_named_like_a_stream_stays_flat() -> None:
    engine = Engine.from_text(TIERS)
    evaluation = engine.evaluate_dict(row("A", 2e6, contacts="3", usage="high"), as_of="2026-01-31")
    assert evaluation["tier"] == "KA"


def test_a_plugin_money_fact_absent_from_the_row_is_not_a_near_miss_note() -> None:
    policy = HEADER + '\n[[alerts]]\nid = "x"\nwhen = "coalesce(revenue_prev_12m, 0) > 1"\n'
    evaluation = Engine.from_text(policy).evaluate_dict(
        {"id": "X", "revenue_12m": "5"}, as_of="2026-01-31"
    )
    assert evaluation["warnings"] == []


def test_ranking_a_score_is_refused_at_load_not_silently_missing() -> None:
    policy = (
        HEADER
        + """
[scorecards.value]
direction = "higher_is_healthier"
[[scorecards.value.measures]]
id = "revenue"
metric = "revenue_12m"
weight = 1
normalise = { method = "linear", min = 0, max = 100 }

[[alerts]]
id = "top"
when = "rank(score.value) <= 3"
"""
    )
    with pytest.raises(PolicyError) as info:
        Engine.from_text(policy)
    assert [(p.location.key_path, p.message) for p in info.value.problems] == [
        (
            "alerts[top].when",
            "`rank(score.value)` ranks `score.value`, which is decided after the portfolio "
            "statistics are taken; portfolio functions rank facts and metrics",
        )
    ]


def test_describe_names_the_policy_and_every_active_plugin_version() -> None:
    import json

    engine = Engine.from_text(HEADER, plugins={"grader": Grader()})
    described = json.loads(engine.describe())
    assert described["policy"] == {"id": "t", "version": "1", "hash": engine.content_hash}
    assert "grader" in described["plugins"]
    assert "kamcore.default_plugins.metrics" in described["plugins"]
