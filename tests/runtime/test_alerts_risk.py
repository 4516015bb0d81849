"""Alerts (points, reasons) and risk banding (checked bands, out-of-range scores)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pytest

from kamcore.errors import AccountError, Location
from kamcore.registry import Registry
from kamcore.runtime.alerts import CompiledAlerts, CompiledRisk, compile_alerts, compile_risk
from kamcore.runtime.context import AccountRun, CompileContext
from kamcore.types import INTEGER, NUMBER, STRING, Type

AS_OF = date(2024, 6, 30)

ALERTS: list[dict[str, Any]] = [
    {
        "id": "order-lapse",
        "when": "days_since_last_order > 90",
        "severity": "critical",
        "points": 40,
        "reason": (
            "No order for {days_since_last_order} days; revenue {revenue_12m:,.0f} {currency}"
        ),
    },
    {"id": "detractor", "when": "nps < 0", "points": 25, "label": {"en": "Detractor NPS"}},
    {"id": "tickets", "when": "open_tickets > 5", "severity": "info"},
]

BANDS = [
    {"label": "low", "range": "[0..30)"},
    {"label": "medium", "range": "[30..60)"},
    {"label": "high", "range": "[60..)"},
]


class StandInDoc:
    """Locates every key path at line 1 of ``t.toml`` (the policy loader is not needed here)."""

    def locate(self, key_path: str) -> Location:
        return Location(file="t.toml", line=1, key_path=key_path)


def make_ctx() -> CompileContext:
    names = {
        "days_since_last_order": INTEGER,
        "revenue_12m": NUMBER,
        "currency": STRING,
        "nps": NUMBER.as_optional(),
        "open_tickets": INTEGER,
        "churn_score": NUMBER.as_optional(),
    }
    return CompileContext(doc=StandInDoc(), registry=Registry(), names=names)  # type: ignore[arg-type]


def account(**values: Any) -> AccountRun:
    base: dict[str, Any] = {
        "days_since_last_order": 10,
        "revenue_12m": 1_234_567.0,
        "currency": "CNY",
        "nps": 30,
        "open_tickets": 0,
        "churn_score": None,
    }
    base.update(values)
    out: dict[str, Any] = {"alerts": [], "risk": None, "fired": []}
    return AccountRun("a1", base, out, out["fired"], None, AS_OF)


def build(
    specs: Sequence[Mapping[str, Any]], risk: Mapping[str, Any] | None = None
) -> tuple[CompiledAlerts, CompiledRisk | None]:
    ctx = make_ctx()
    alerts = compile_alerts(ctx, specs)
    compiled_risk = compile_risk(ctx, risk) if risk is not None else None
    assert [p.message for p in ctx.problems] == []
    assert alerts is not None
    return alerts, compiled_risk


def evaluate(acc: AccountRun, alerts: CompiledAlerts, risk: CompiledRisk | None = None) -> None:
    alerts.run(acc)
    if risk is not None:
        risk.run(acc)


# -- alerts ---------------------------------------------------------------------------------------


def test_firing_alerts_are_listed_in_order_with_rendered_reasons() -> None:
    alerts, _ = build(ALERTS)
    acc = account(days_since_last_order=97, nps=-10, open_tickets=9)
    evaluate(acc, alerts)
    assert acc.out["alerts"] == [
        {
            "id": "order-lapse",
            "severity": "critical",
            "points": 40,
            "reason": "No order for 97 days; revenue 1,234,567 CNY",
        },
        {"id": "detractor", "severity": "warning", "points": 25, "reason": "Detractor NPS"},
        {"id": "tickets", "severity": "info", "points": 0, "reason": "tickets"},
    ]
    assert acc.values["alerts"] == ["order-lapse", "detractor", "tickets"]
    assert acc.values["alert_points"] == 65
    assert isinstance(acc.values["alert_points"], int)
    assert [(f["rule"], f["kind"]) for f in acc.out["fired"]] == [
        ("alerts[order-lapse]", "alert"),
        ("alerts[detractor]", "alert"),
        ("alerts[tickets]", "alert"),
    ]
    assert acc.out["fired"][0]["inputs"] == {"days_since_last_order": 97}


def test_points_are_a_float_when_any_fired_alert_has_float_points() -> None:
    alerts, _ = build([*ALERTS[:2], {"id": "half", "when": "open_tickets > 0", "points": 2.5}])
    acc = account(days_since_last_order=97, open_tickets=1)
    evaluate(acc, alerts)
    assert acc.values["alert_points"] == 42.5
    assert acc.values["alerts"] == ["order-lapse", "half"]


def test_no_alert_fires() -> None:
    alerts, _ = build(ALERTS)
    acc = account()
    evaluate(acc, alerts)
    assert acc.out["alerts"] == []
    assert acc.values["alerts"] == []
    assert acc.values["alert_points"] == 0


def test_a_missing_value_compared_is_an_account_error_at_the_alert() -> None:
    alerts, _ = build(ALERTS)
    with pytest.raises(AccountError) as info:
        evaluate(account(nps=None), alerts)
    assert info.value.where == "alerts[detractor]"


def test_alert_names_are_declared_even_when_an_alert_is_unusable() -> None:
    ctx = make_ctx()
    assert compile_alerts(ctx, [{"id": "x", "when": "nsp < 0"}]) is None
    assert ctx.names["alerts"] == Type("list", item=STRING)
    assert ctx.names["alert_points"] == NUMBER


def test_alert_problems_are_located() -> None:
    ctx = make_ctx()
    specs: list[Any] = [
        {"id": "a", "when": "nps < 0", "severity": "critcal", "points": -1},
        {"id": "a", "when": "nps < 0"},
        {"when": "nps < 0"},
        {"id": "b", "when": "nps < 0", "points": True},
        {"id": "c", "when": "nps < 0", "reason": "{npss}"},
        {"id": "d"},
    ]
    assert compile_alerts(ctx, specs) is None
    assert [(p.location.key_path, p.message) for p in ctx.problems] == [
        (
            "alerts[a].severity",
            "unknown severity 'critcal'; did you mean `critical`? "
            "(expected one of info, warning, critical)",
        ),
        ("alerts[a].points", "`points` must be a number >= 0, got -1"),
        ("alerts[a]", "alert id `a` is used twice"),
        ("alerts[2]", "alert 3 needs an `id`"),
        ("alerts[b].points", "`points` must be a number >= 0, got True"),
        ("alerts[c].reason", "unknown name `npss` in template; did you mean `nps`?"),
        ("alerts[d]", "alert `d` needs a `when` condition"),
    ]


# -- risk -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "nps", "score", "band"),
    [(10, 30, 0, "low"), (10, -5, 25, "low"), (97, 30, 40, "medium"), (97, -5, 65, "high")],
)
def test_risk_bands_the_alert_points(days: int, nps: int, score: int, band: str) -> None:
    alerts, risk = build(ALERTS, {"bands": BANDS})
    acc = account(days_since_last_order=days, nps=nps)
    evaluate(acc, alerts, risk)
    assert acc.out["risk"] == {"score": score, "band": band}
    assert acc.values["risk_score"] == score
    assert acc.values["risk"] == band


def test_band_boundaries_follow_the_closed_ends() -> None:
    _, risk = build([], {"score": "days_since_last_order", "bands": BANDS})
    assert risk is not None
    for days, band in [(29, "low"), (30, "medium"), (59, "medium"), (60, "high")]:
        acc = account(days_since_last_order=days)
        risk.run(acc)
        assert acc.values["risk"] == band


def test_a_missing_score_gives_a_missing_risk() -> None:
    _, risk = build([], {"score": "churn_score", "range": "[0..1]", "bands": [
        {"label": "low", "range": "[0..0.5)"}, {"label": "high", "range": "[0.5..1]"}
    ]})  # fmt: skip
    assert risk is not None
    acc = account()
    risk.run(acc)
    assert acc.out["risk"] == {"score": None, "band": None}
    assert acc.values["risk"] is None


def test_a_score_outside_the_range_is_an_account_error() -> None:
    _, risk = build([], {"score": "days_since_last_order - 100", "bands": BANDS})
    assert risk is not None
    with pytest.raises(AccountError) as info:
        risk.run(account(days_since_last_order=10))
    assert info.value.where == "risk.score"
    assert info.value.reason == "risk score -90 is outside the range [0..)"


def test_risk_without_bands_gives_only_a_score() -> None:
    alerts, risk = build(ALERTS, {})
    acc = account(nps=-1)
    evaluate(acc, alerts, risk)
    assert acc.out["risk"] == {"score": 25, "band": None}


def test_risk_names_are_declared_optional() -> None:
    ctx = make_ctx()
    compile_alerts(ctx, [])
    compile_risk(ctx, {"bands": BANDS})
    assert ctx.names["risk"] == STRING.as_optional()
    assert ctx.names["risk_score"] == NUMBER.as_optional()


def risk_problems(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    ctx = make_ctx()
    compile_alerts(ctx, [])
    assert compile_risk(ctx, spec) is None
    return [(p.location.key_path, p.message) for p in ctx.problems]


def test_a_band_gap_is_a_load_time_problem() -> None:
    bands = [{"label": "low", "range": "[0..30)"}, {"label": "high", "range": "(30..)"}]
    found = risk_problems({"bands": bands})
    assert [key for key, _ in found] == ["risk.bands"]
    assert "30" in found[0][1]


def test_a_band_overlap_is_a_load_time_problem() -> None:
    bands = [{"label": "low", "range": "[0..30]"}, {"label": "high", "range": "[30..)"}]
    found = risk_problems({"bands": bands})
    assert [key for key, _ in found] == ["risk.bands"]


def test_bands_must_cover_the_range() -> None:
    found = risk_problems({"range": "[0..100]", "bands": BANDS[:2]})
    assert [key for key, _ in found] == ["risk.bands"]


def test_malformed_bands_and_scores_are_located() -> None:
    spec = {
        "score": "alert_point * 2",
        "bands": [{"label": "low", "range": "[0..30"}, {"range": "[30..)"}, {"label": 1}],
    }
    found = risk_problems(spec)
    assert [key for key, _ in found] == [
        "risk.score",
        "risk.bands[0].range",
        "risk.bands[1]",
        "risk.bands[2]",
    ]
    assert "alert_points" in found[0][1]


def test_risk_bands_are_checked_like_scorecard_bands() -> None:
    # changed: the band messages are the shared ones of kamcore.runtime.checks (they were
    # "a risk band needs a `label`" and "duplicate risk band `low`")
    spec = {
        "bands": [
            {"range": "[0..10)"},
            {"label": "low", "range": "[0..30)"},
            {"label": "low", "range": "[30..)"},
        ]
    }
    assert risk_problems(spec) == [
        ("risk.bands[0]", "a band needs a `label`"),
        ("risk.bands[2].label", "band label `low` is used twice"),
    ]
    assert risk_problems({"bands": "low"}) == [
        ("risk.bands", '`bands` must be an array of { label, range = "[0..40)" } tables')
    ]
    assert risk_problems({"range": 5}) == [
        ("risk.range", 'expected a range such as "[0..40)", got 5')
    ]
