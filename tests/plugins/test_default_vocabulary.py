"""The built-in facts, tactic catalogue and stage model."""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from typing import Any

import pytest

from kamcore.default_plugins import DEFAULT_PLUGINS
from kamcore.plugins import PluginHost
from kamcore.registry import DIMENSIONS, Registry
from kamcore.types import Type

FACTS = "kamcore.default_plugins.facts"


def test_default_plugins_are_the_builtin_modules() -> None:
    assert DEFAULT_PLUGINS == (
        "kamcore.default_plugins.facts",
        "kamcore.default_plugins.functions",
        "kamcore.default_plugins.metrics",
        "kamcore.default_plugins.portfolio",
        "kamcore.default_plugins.tactics",
        "kamcore.default_plugins.stages",
    )
    assert PluginHost(environ={}).builtin == list(DEFAULT_PLUGINS)


def test_builtins_load_even_when_external_plugins_are_hidden() -> None:
    registry = PluginHost(environ={"KAMCORE_LOAD_PLUGINS": ""}).build_registry({})
    assert "revenue_12m" in registry.facts
    assert registry.overrides == []


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("name", "kind", "industry", "region", "country", "currency", "parent_id"), "string"),
        (("revenue_12m", "revenue_prev_12m", "gross_profit_12m", "wallet_estimate"), "number"),
        (("gross_margin", "share_of_wallet", "years_as_customer"), "number"),
        (("orders_12m", "open_tickets", "nps", "days_since_last_order"), "integer"),
        (("last_order_date", "first_order_date", "customer_since"), "date"),
        (("strategic",), "boolean"),
        (
            (
                "transactions",
                "contracts",
                "opportunities",
                "contacts",
                "interactions",
                "survey_responses",
                "support_tickets",
                "usage",
                "payments",
                "wallet_estimates",
            ),
            "list",
        ),
    ],
)
def test_builtin_facts_and_their_types(
    builtins: Registry, names: tuple[str, ...], expected: str
) -> None:
    for name in names:
        fact = builtins.facts[name]
        assert fact.plugin == FACTS
        assert fact.value_type.kind == expected, name
        assert fact.value_type.optional  # no built-in fact is required: inputs vary
        assert set(fact.label) == {"en", "zh"}, name
        assert all(fact.label.values()), name
        assert fact.doc, name


def test_fact_units(builtins: Registry) -> None:
    assert builtins.facts["days_since_last_order"].value_type == Type(
        "integer", optional=True, unit="days"
    )
    assert builtins.facts["years_as_customer"].value_type.unit == "years"
    assert builtins.facts["revenue_12m"].value_type.unit is None  # the policy's currency


def test_stream_facts_document_the_account_model_fields(builtins: Registry) -> None:
    from kamcore.models.account import STREAM_MODELS

    for stream, model in STREAM_MODELS.items():
        doc = builtins.facts[stream].doc
        missing = [f for f in model.model_fields if not re.search(rf"\b{f}\b", doc)]
        assert not missing, f"{stream}: the fact doc does not mention {missing}"


def test_every_builtin_fact_is_listed(builtins: Registry) -> None:
    assert len([f for f in builtins.facts.values() if f.plugin == FACTS]) == 34
    assert builtins.facts["owners"].value_type.kind == "list"  # the account team, as a list
    assert builtins.facts["team"].value_type.kind == "list"


# -- tactics ----------------------------------------------------------------------------------

POLICY_TACTICS = {
    "executive_sponsor_visit": "strategic",
    "retention_offer": "benefit",
    "service_recovery": "service",
    "detractor_follow_up": "emotional",
    "upgrade_review": "strategic",
    "relationship_check_in": "emotional",
    "joint_business_plan": "strategic",
    "technical_workshop": "professional",
    "loyalty_rebate": "benefit",
    "dedicated_service_manager": "service",
}


def test_catalogue_has_the_tactics_policies_name(builtins: Registry) -> None:
    for tactic_id, dimension in POLICY_TACTICS.items():
        assert builtins.tactics[tactic_id].dimension == dimension


def test_catalogue_covers_all_five_dimensions(builtins: Registry) -> None:
    tactics = list(builtins.tactics.values())
    assert len(tactics) >= 15
    per_dimension = {d: sum(t.dimension == d for t in tactics) for d in DIMENSIONS}
    assert all(count >= 3 for count in per_dimension.values()), per_dimension


def test_every_tactic_is_described_for_people(builtins: Registry) -> None:
    for tactic in builtins.tactics.values():
        assert set(tactic.label) == {"en", "zh"}, tactic.id
        assert tactic.description, tactic.id
        assert tactic.owner_role, tactic.id
        assert 0 < tactic.due_in_days <= 90, tactic.id


# -- the stage model --------------------------------------------------------------------------

_TOKEN = re.compile(r"\b[A-Za-z_][A-Za-z0-9_.]*\b")
_WORDS = {"and", "or", "not", "is", "in", "if", "else", "None", "True", "False"}


def test_b2b_relationship_shape(builtins: Registry) -> None:
    model = builtins.stage_models["b2b_relationship"]
    assert model.plugin == "kamcore.default_plugins.stages"
    assert model.stages == ("prospect", "onboarding", "growing", "mature", "at_risk", "lapsed")
    assert model.initial == "prospect"
    assert set(model.label) == set(model.stages)
    assert all(set(label) == {"en", "zh"} for label in model.label.values())


def test_transitions_only_mention_builtin_names(builtins: Registry) -> None:
    model = builtins.stage_models["b2b_relationship"]
    readable = {*builtins.facts, *builtins.metrics}
    for transition in model.transitions:
        for token in _TOKEN.findall(transition["when"]):
            if token in _WORDS or keyword.iskeyword(token):
                continue
            if token in builtins.functions:
                assert not builtins.functions[token].portfolio, transition["id"]
                continue
            assert token in readable, f"{transition['id']}: unknown name {token!r}"


def test_every_stage_is_reachable_from_the_initial_one(builtins: Registry) -> None:
    model = builtins.stage_models["b2b_relationship"]
    reached = {model.initial}
    while True:
        more = {
            t["to"]
            for t in model.transitions
            if t["from"] == "*" or reached.intersection(t["from"])
        }
        if more <= reached:
            break
        reached |= more
    assert reached == set(model.stages)


def _coalesce(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _place(transitions: Any, start: str, values: Mapping[str, Any]) -> str:
    """Follow the first true transition from each stage until none applies (no dwell rules),
    evaluating the Python-compatible conditions with nothing but the values and coalesce."""
    stage = start
    for _ in range(20):
        for t in transitions:
            if (t["from"] == "*" or stage in t["from"]) and eval(
                t["when"], {"__builtins__": {}, "coalesce": _coalesce}, dict(values)
            ):
                stage = t["to"]
                break
        else:
            return stage
    raise AssertionError(f"transitions loop from {start} with {values}")


_HEALTHY = {
    "recency_days": 20,
    "growth": 0.3,
    "detractor": False,
    "frequency_12m": 12,
    "tenure_years": 5.0,
}


@pytest.mark.parametrize(
    ("start", "changes", "expected"),
    [
        ("prospect", {"recency_days": None, "frequency_12m": None}, "prospect"),
        ("prospect", {}, "growing"),
        ("prospect", {"growth": 0.0}, "mature"),
        ("prospect", {"growth": -0.3}, "at_risk"),
        ("prospect", {"detractor": True}, "at_risk"),
        ("prospect", {"recency_days": 500}, "lapsed"),
        ("prospect", {"growth": None, "detractor": None, "tenure_years": None}, "growing"),
        # hysteresis: between the enter (-20 %) and leave (0 %) thresholds nothing moves
        ("growing", {"growth": -0.1, "tenure_years": 2.0}, "growing"),
        ("mature", {"growth": -0.1}, "mature"),
        ("at_risk", {"growth": -0.1}, "at_risk"),
        ("at_risk", {"growth": 0.0, "tenure_years": 1.0}, "growing"),
        ("at_risk", {"growth": 0.3, "detractor": True}, "at_risk"),
        ("lapsed", {"recency_days": 200}, "lapsed"),
        ("lapsed", {"recency_days": 30, "frequency_12m": 1, "tenure_years": 0.1}, "onboarding"),
        ("mature", {"growth": 0.1}, "mature"),
        ("mature", {"growth": 0.2}, "growing"),
    ],
)
def test_stage_model_behaviour(
    builtins: Registry, start: str, changes: Mapping[str, Any], expected: str
) -> None:
    model = builtins.stage_models["b2b_relationship"]
    assert _place(model.transitions, start, {**_HEALTHY, **changes}) == expected


def test_transitions_compile_in_the_expression_dialect(builtins: Registry) -> None:
    expr = pytest.importorskip("kamcore.expr")
    if not hasattr(expr, "compile_expression"):
        pytest.skip("the expression compiler is not available yet")
    names = {n: f.value_type for n, f in builtins.facts.items()}
    names.update({n: m.value_type for n, m in builtins.metrics.items()})
    scope = expr.Scope(names=names, functions=builtins.functions)
    for transition in builtins.stage_models["b2b_relationship"].transitions:
        compiled = expr.compile_expression(transition["when"], scope, expected=Type("boolean"))
        assert set(compiled.names) <= set(names), transition["id"]
