"""Scorecards: normalisation, missing-data rules, weights, bands, and bit-exact hand formulas."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kamcore.errors import AccountError, Location
from kamcore.registry import Function, Registry
from kamcore.runtime.context import AccountRun, CompileContext
from kamcore.runtime.normalise import Linear
from kamcore.runtime.scorecards import CompiledScorecard, compile_scorecard
from kamcore.types import BOOLEAN, INTEGER, NUMBER, STRING, Type

AS_OF = date(2024, 6, 30)


class StandInDoc:
    """Locates every key path at line 1 of ``t.toml`` (the policy loader is not needed here)."""

    def locate(self, key_path: str) -> Location:
        return Location(file="t.toml", line=1, key_path=key_path)


def _percentile(column: Sequence[Any]) -> list[float | None]:
    present = [v for v in column if v is not None]
    return [None if v is None else sum(1 for p in present if p <= v) / len(present) for v in column]


def make_ctx() -> CompileContext:
    registry = Registry()
    registry.register_function(
        Function("percentile", _percentile, ("number",), "number", portfolio=True), "test"
    )
    names = {
        "revenue_12m": NUMBER.as_optional(),
        "gross_margin": NUMBER.as_optional(),
        "orders_12m": INTEGER.as_optional(),
        "years_as_customer": NUMBER.as_optional(),
        "nps": NUMBER.as_optional(),
        "open_tickets": INTEGER.as_optional(),
        "industry": STRING.as_optional(),
        "strategic": BOOLEAN,
    }
    return CompileContext(doc=StandInDoc(), registry=registry, names=names)  # type: ignore[arg-type]


def account(**values: Any) -> AccountRun:
    base: dict[str, Any] = {
        "revenue_12m": 2_500_000.0,
        "gross_margin": 0.3,
        "orders_12m": 25,
        "years_as_customer": 5.0,
        "nps": 8.0,
        "open_tickets": 2,
        "industry": "retail",
        "strategic": False,
    }
    base.update(values)
    return AccountRun("a1", base, {"scores": {}, "warnings": []}, [], None, AS_OF)


def build(spec: Mapping[str, Any], sc_id: str = "value") -> CompiledScorecard:
    ctx = make_ctx()
    scorecard = compile_scorecard(ctx, sc_id, spec)
    assert [p.format() for p in ctx.problems] == []
    assert scorecard is not None
    return scorecard


def problems(spec: Mapping[str, Any], sc_id: str = "value") -> list[tuple[str, str]]:
    ctx = make_ctx()
    assert compile_scorecard(ctx, sc_id, spec) is None
    assert ctx.problems
    return [(p.location.key_path, p.message) for p in ctx.problems]


def score(scorecard: CompiledScorecard, **values: Any) -> dict[str, Any]:
    acc = account(**values)
    scorecard.run(acc)
    result: dict[str, Any] = acc.out["scores"][scorecard.id]
    assert acc.values[f"score.{scorecard.id}"] == result["value"]
    assert acc.values[f"band.{scorecard.id}"] == result["band"]
    return result


def measure(mid: str, weight: float, **extra: Any) -> dict[str, Any]:
    return {"id": mid, "weight": weight, **extra}


def linear(hi: float, lo: float = 0) -> dict[str, Any]:
    return {"method": "linear", "min": lo, "max": hi}


VALUE: dict[str, Any] = {
    "direction": "higher_is_healthier",
    "round": 2,
    "measures": [
        measure("revenue", 0.4, metric="revenue_12m", normalise=linear(5_000_000)),
        measure("margin", 0.2, metric="gross_margin", normalise=linear(0.4)),
        measure("orders", 0.2, metric="orders_12m", normalise=linear(50)),
        measure("loyalty", 0.2, metric="years_as_customer", normalise=linear(10)),
    ],
    "bands": [
        {"label": "low", "range": "[0..40)"},
        {"label": "medium", "range": "[40..70)"},
        {"label": "high", "range": "[70..100]"},
    ],
}


@functools.cache
def value_scorecard() -> CompiledScorecard:
    return build(VALUE)


def reference(rev: float, gm: float, orders: float, years: float) -> float:
    """The value score exactly as the hand-written benchmark decision computes it."""
    return round(
        100
        * (
            0.4 * min(rev / 5e6, 1)
            + 0.2 * min(gm / 0.4, 1)
            + 0.2 * min(orders / 50, 1)
            + 0.2 * min(years / 10, 1)
        ),
        2,
    )


# -- the score ----------------------------------------------------------------------------------


def test_value_score_reports_every_measure() -> None:
    result = score(value_scorecard())
    assert result["value"] == reference(2_500_000.0, 0.3, 25, 5.0) == 55.0
    assert result["band"] == "medium"
    assert result["direction"] == "higher_is_healthier"
    assert list(result) == ["value", "band", "direction", "measures"]
    first = result["measures"][0]
    assert list(first) == ["id", "metric", "raw", "normalised", "weight", "points", "missing"]
    assert first == {
        "id": "revenue",
        "metric": "revenue_12m",
        "raw": 2_500_000.0,
        "normalised": 0.5,
        "weight": 0.4,
        "points": 20.0,
        "missing": None,
    }
    assert [m["normalised"] for m in result["measures"]] == [0.5, 0.3 / 0.4, 0.5, 0.5]


def test_score_is_clamped_and_banded_at_the_top() -> None:
    result = score(
        value_scorecard(), revenue_12m=9e9, gross_margin=2.0, orders_12m=999, years_as_customer=11.0
    )
    assert result["value"] == 100.0
    assert result["band"] == "high"


def test_scorecard_declares_its_names() -> None:
    ctx = make_ctx()
    compile_scorecard(ctx, "value", VALUE)
    assert ctx.names["score.value"] == Type("number", optional=True)
    assert ctx.names["band.value"] == Type("string", optional=True)


def test_names_are_declared_even_when_the_scorecard_has_problems() -> None:
    ctx = make_ctx()
    assert compile_scorecard(ctx, "value", {"measures": []}) is None
    assert "score.value" in ctx.names
    assert "band.value" in ctx.names


@settings(max_examples=300, deadline=None)
@given(
    rev=st.floats(min_value=0, max_value=2e7, allow_nan=False),
    gm=st.floats(min_value=0, max_value=1, allow_nan=False),
    orders=st.integers(min_value=0, max_value=200),
    years=st.floats(min_value=0, max_value=40, allow_nan=False),
)
def test_value_score_is_bit_identical_to_the_hand_written_formula(
    rev: float, gm: float, orders: int, years: float
) -> None:
    result = score(
        value_scorecard(),
        revenue_12m=rev,
        gross_margin=gm,
        orders_12m=orders,
        years_as_customer=years,
    )
    assert result["value"] == reference(rev, gm, orders, years)


@settings(max_examples=200, deadline=None)
@given(
    a=st.floats(min_value=-1e7, max_value=2e7, allow_nan=False),
    b=st.floats(min_value=-1e7, max_value=2e7, allow_nan=False),
    lo=st.sampled_from([0, 1_000, -500]),
    invert=st.booleans(),
    direction=st.sampled_from(["higher_is_healthier", "higher_is_riskier"]),
)
def test_a_linear_measure_is_monotonic_in_its_raw_value(
    a: float, b: float, lo: int, invert: bool, direction: str
) -> None:
    assume(a <= b)
    scorecard = _monotonic_scorecard(lo, invert, direction)
    sa = score(scorecard, revenue_12m=a)["value"]
    sb = score(scorecard, revenue_12m=b)["value"]
    assert (sa >= sb) if invert else (sa <= sb)


@functools.cache
def _monotonic_scorecard(lo: int, invert: bool, direction: str) -> CompiledScorecard:
    return build(
        {
            "direction": direction,
            "measures": [
                measure("rev", 3, metric="revenue_12m", normalise=linear(5e6, lo), invert=invert),
                measure("margin", 1, metric="gross_margin", normalise=linear(0.4)),
            ],
        }
    )


def test_weights_are_normalised_and_reported() -> None:
    spec = {
        "direction": "higher_is_healthier",
        "measures": [
            measure("a", 3, metric="orders_12m", normalise=linear(10)),
            measure("b", 1, metric="open_tickets", normalise=linear(10)),
            measure("c", 0, metric="nps", normalise=linear(10)),
        ],
    }
    result = score(build(spec), orders_12m=10, open_tickets=0, nps=10)
    assert [m["weight"] for m in result["measures"]] == [0.75, 0.25, 0.0]
    assert [m["points"] for m in result["measures"]] == [75.0, 0.0, 0.0]
    assert result["value"] == 75.0
    assert result["band"] is None  # no bands declared


def test_scale_and_round() -> None:
    spec = {
        "direction": "higher_is_healthier",
        "scale": 10,
        "round": 1,
        "measures": [measure("a", 1, metric="orders_12m", normalise=linear(3))],
    }
    assert score(build(spec), orders_12m=1)["value"] == 3.3


def test_expression_measures_report_their_source() -> None:
    spec = {
        "direction": "higher_is_healthier",
        "measures": [
            measure("aov", 1, expr="revenue_12m / orders_12m", normalise=linear(200_000)),
        ],
    }
    result = score(build(spec), revenue_12m=1e6, orders_12m=10)
    assert result["measures"][0]["metric"] == "revenue_12m / orders_12m"
    assert result["measures"][0]["raw"] == 100_000.0
    assert result["value"] == 50.0


def test_expression_measure_failures() -> None:
    spec = {
        "direction": "higher_is_healthier",
        "measures": [
            measure("aov", 1, expr="revenue_12m / orders_12m", normalise=linear(1e5)),
            measure("promoter", 1, expr="1 if nps >= 9 else 0", normalise=linear(1)),
        ],
    }
    scorecard = build(spec)
    with pytest.raises(AccountError) as info:
        score(scorecard, orders_12m=0)
    assert info.value.where == "scorecards.value.measures[aov].expr"
    # a comparison on a missing value makes the measure missing, and its rule applies
    result = score(scorecard, revenue_12m=1e5, orders_12m=1, nps=None)
    assert result["measures"][1]["missing"] == "exclude"
    assert result["value"] == 100.0


# -- normalisation ------------------------------------------------------------------------------


def _one(normalise: Mapping[str, Any], **extra: Any) -> CompiledScorecard:
    return build(
        {
            "direction": "higher_is_healthier",
            "measures": [measure("m", 1, metric="nps", normalise=normalise, **extra)],
        }
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(-5.0, 0.0), (0.0, 0.0), (2.0, 0.0), (4.0, 0.25), (8.0, 0.75), (10.0, 1.0), (50.0, 1.0)],
)
def test_linear_with_a_minimum(raw: float, expected: float) -> None:
    result = score(_one(linear(10, 2)), nps=raw)
    assert result["measures"][0]["normalised"] == expected


@settings(max_examples=200, deadline=None)
@given(
    x=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    lo=st.sampled_from([0, 2, -3.5]),
)
def test_the_inlined_linear_normalisation_equals_linear(x: float, lo: float) -> None:
    # run() computes Linear inline for speed; the two must never drift apart.
    assert score(_linear_one(lo), nps=x)["measures"][0]["normalised"] == Linear(lo, 10)(x, {})


@functools.cache
def _linear_one(lo: float) -> CompiledScorecard:
    return _one(linear(10, lo))


def test_linear_inverted() -> None:
    result = score(_one(linear(10), invert=True), nps=2.0)
    assert result["measures"][0]["normalised"] == 0.8
    assert result["value"] == 80.0


NPS_BANDS: dict[str, Any] = {
    "method": "bands",
    "bands": [
        {"range": "[0..7)", "value": 0.0},
        {"range": "[7..9)", "value": 0.5},
        {"range": "[9..10]", "value": 1.0},
    ],
}


@pytest.mark.parametrize(("raw", "expected"), [(0.0, 0.0), (6.9, 0.0), (7.0, 0.5), (9.0, 1.0)])
def test_bands_normalisation(raw: float, expected: float) -> None:
    assert score(_one(NPS_BANDS), nps=raw)["measures"][0]["normalised"] == expected


def test_bands_normalisation_inverted() -> None:
    assert score(_one(NPS_BANDS, invert=True), nps=9.5)["measures"][0]["normalised"] == 0.0


def test_a_raw_value_outside_every_band_is_an_account_error() -> None:
    with pytest.raises(AccountError) as info:
        score(_one(NPS_BANDS), nps=11.0)
    assert info.value.where == "scorecards.value.measures[m].normalise"
    assert info.value.reason == "11 lies in none of the bands of measure `m`"


@pytest.mark.parametrize(
    ("middle", "message"),
    [
        (
            "[7.5..9)",
            "gap between bands `bands[0]` [0..7) and `bands[1]` [7.5..9): [7..7.5) belongs to "
            "neither",
        ),
        ("[6..9)", "bands `bands[0]` [0..7) and `bands[1]` [6..9) overlap at [6..7)"),
    ],
)
def test_measure_band_gaps_and_overlaps_are_load_errors(middle: str, message: str) -> None:
    normalise = copy.deepcopy(NPS_BANDS)
    normalise["bands"][1]["range"] = middle
    spec = {
        "direction": "higher_is_healthier",
        "measures": [measure("m", 1, metric="nps", normalise=normalise)],
    }
    assert problems(spec) == [("scorecards.value.measures[m].normalise.bands", message)]


def test_measure_bands_need_not_cover_the_whole_line() -> None:
    normalise = {
        "method": "bands",
        "bands": [{"range": "[0..5)", "value": 0}, {"range": "[5..)", "value": 1}],
    }
    assert score(_one(normalise), nps=7.0)["measures"][0]["normalised"] == 1


def test_band_values_must_be_normalised() -> None:
    bad = copy.deepcopy(NPS_BANDS)
    bad["bands"][2]["value"] = 10
    found = problems(
        {
            "direction": "higher_is_healthier",
            "measures": [measure("m", 1, metric="nps", normalise=bad)],
        }
    )
    assert found == [
        (
            "scorecards.value.measures[m].normalise.bands[2].value",
            "a band's `value` is the normalised value, a number from 0 to 1, got 10",
        )
    ]


def test_percentile_reads_the_portfolio_column() -> None:
    ctx = make_ctx()
    scorecard = compile_scorecard(
        ctx,
        "value",
        {
            "direction": "higher_is_healthier",
            "measures": [
                measure("rev", 1, metric="revenue_12m", normalise={"method": "percentile"})
            ],
        },
    )
    assert scorecard is not None
    assert len(ctx.portfolio_calls) == 1
    key = next(iter(ctx.portfolio_calls))
    acc = account(revenue_12m=5.0)
    acc.values[key] = 0.8
    scorecard.run(acc)
    result = acc.out["scores"]["value"]
    assert result["measures"][0]["raw"] == 5.0
    assert result["measures"][0]["normalised"] == 0.8
    assert result["value"] == 80.0


def test_percentile_needs_a_metric_name() -> None:
    spec = {
        "direction": "higher_is_healthier",
        "measures": [measure("rev", 1, expr="revenue_12m * 2", normalise={"method": "percentile"})],
    }
    assert problems(spec) == [
        (
            "scorecards.value.measures[rev].normalise",
            "measure `rev`: percentile normalisation needs `metric`, a fact or metric name "
            "(the portfolio column to rank), not `expr`",
        )
    ]


def test_linear_needs_max_greater_than_min() -> None:
    found = problems(
        {
            "direction": "higher_is_healthier",
            "measures": [measure("m", 1, metric="nps", normalise=linear(5, 5))],
        }
    )
    assert found == [
        ("scorecards.value.measures[m].normalise.max", "`max` (5) must be greater than `min` (5)")
    ]


# -- missing data -------------------------------------------------------------------------------

TWO: dict[str, Any] = {
    "measures": [
        measure("orders", 3, metric="orders_12m", normalise=linear(10)),
        measure("nps", 1, metric="nps", normalise=linear(10)),
    ],
}


@pytest.mark.parametrize("direction", ["higher_is_healthier", "higher_is_riskier"])
def test_exclude_renormalises_the_other_weights(direction: str) -> None:
    result = score(build({**TWO, "direction": direction}), orders_12m=5, nps=None)
    assert result["value"] == 50.0
    assert [m["weight"] for m in result["measures"]] == [1.0, 0.0]
    assert result["measures"][1] == {
        "id": "nps",
        "metric": "nps",
        "raw": None,
        "normalised": None,
        "weight": 0.0,
        "points": 0.0,
        "missing": "exclude",
    }
    present = score(build({**TWO, "direction": direction}), orders_12m=5, nps=10.0)
    assert [m["weight"] for m in present["measures"]] == [0.75, 0.25]


@pytest.mark.parametrize("direction", ["higher_is_healthier", "higher_is_riskier"])
def test_neutral_uses_the_scorecard_neutral_value(direction: str) -> None:
    spec = {**TWO, "direction": direction, "missing": "neutral", "neutral": 0.4}
    result = score(build(spec), orders_12m=10, nps=None)
    assert result["measures"][1]["normalised"] == 0.4
    assert result["measures"][1]["missing"] == "neutral"
    assert result["measures"][1]["weight"] == 0.25
    assert result["value"] == pytest.approx(85.0)
    default_neutral = score(build({**TWO, "direction": direction, "missing": "neutral"}), nps=None)
    assert default_neutral["measures"][1]["normalised"] == 0.5


@pytest.mark.parametrize(
    ("direction", "worst", "expected"),
    [("higher_is_healthier", 0.0, 75.0), ("higher_is_riskier", 1.0, 100.0)],
)
def test_penalize_gives_the_worst_value_for_the_direction(
    direction: str, worst: float, expected: float
) -> None:
    spec = {**TWO, "direction": direction}
    spec["measures"] = [dict(TWO["measures"][0]), {**TWO["measures"][1], "missing": "penalize"}]
    result = score(build(spec), orders_12m=10, nps=None)
    assert result["measures"][1]["normalised"] == worst
    assert result["measures"][1]["missing"] == "penalize"
    assert result["value"] == expected


@pytest.mark.parametrize("direction", ["higher_is_healthier", "higher_is_riskier"])
def test_error_rule_fails_the_account(direction: str) -> None:
    spec = {**TWO, "direction": direction, "missing": "error"}
    with pytest.raises(AccountError) as info:
        score(build(spec), nps=None)
    assert info.value.where == "scorecards.value.measures[nps]"
    assert info.value.reason == "`nps` is missing and the measure's missing rule is `error`"


def test_measure_rule_overrides_the_scorecard_default() -> None:
    spec = {**TWO, "direction": "higher_is_healthier", "missing": "error"}
    spec["measures"] = [dict(TWO["measures"][0]), {**TWO["measures"][1], "missing": "exclude"}]
    assert score(build(spec), orders_12m=10, nps=None)["value"] == 100.0


def test_nan_counts_as_missing() -> None:
    result = score(
        build({**TWO, "direction": "higher_is_healthier"}), orders_12m=5, nps=float("nan")
    )
    assert result["measures"][1]["missing"] == "exclude"
    assert result["measures"][1]["raw"] is None


def test_every_measure_missing_gives_no_score_and_a_warning() -> None:
    scorecard = build({**TWO, "direction": "higher_is_healthier"})
    acc = account(orders_12m=None, nps=None)
    scorecard.run(acc)
    result = acc.out["scores"]["value"]
    assert result["value"] is None
    assert result["band"] is None
    assert [m["missing"] for m in result["measures"]] == ["exclude", "exclude"]
    assert acc.out["warnings"] == ["scorecard `value`: every measure is missing; no score"]
    assert acc.values["score.value"] is None


def test_only_zero_weight_measures_present_gives_no_score() -> None:
    spec = {
        "direction": "higher_is_healthier",
        "measures": [
            measure("a", 1, metric="orders_12m", normalise=linear(10)),
            measure("b", 0, metric="nps", normalise=linear(10)),
        ],
    }
    acc = account(orders_12m=None, nps=5.0)
    build(spec).run(acc)
    assert acc.out["scores"]["value"]["value"] is None
    assert acc.out["warnings"] == [
        "scorecard `value`: only measures of weight 0 are present; no score"
    ]


# -- when ---------------------------------------------------------------------------------------


def test_when_false_gives_no_score_and_no_measures() -> None:
    spec = {**VALUE, "when": "revenue_12m >= 1_000_000"}
    scorecard = build(spec)
    assert score(scorecard, revenue_12m=500.0) == {
        "value": None,
        "band": None,
        "direction": "higher_is_healthier",
        "measures": [],
    }
    assert score(scorecard, revenue_12m=2_500_000.0)["value"] == 55.0


def test_when_comparing_a_missing_value_is_an_account_error() -> None:
    scorecard = build({**VALUE, "when": "revenue_12m >= 1_000_000"})
    with pytest.raises(AccountError) as info:
        score(scorecard, revenue_12m=None)
    assert info.value.where == "scorecards.value.when"


# -- bands of the score -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ranges",
    [
        ["[0..40)", "[45..70)", "[70..100]"],  # gap
        ["[0..40]", "[40..70)", "[70..100]"],  # overlap
        ["[0..40)", "[40..70)", "[70..90]"],  # top end uncovered
        ["(0..40)", "[40..70)", "[70..100]"],  # 0 uncovered
    ],
)
def test_score_band_problems_are_load_errors(ranges: list[str]) -> None:
    bands = [
        {"label": label, "range": r}
        for label, r in zip(["low", "mid", "high"], ranges, strict=True)
    ]
    found = problems({**VALUE, "bands": bands})
    assert found
    assert {k for k, _ in found} == {"scorecards.value.bands"}


def test_band_boundaries_follow_the_closed_ends() -> None:
    scorecard = value_scorecard()
    # revenue 2.5e6 -> 20 points, the rest 0 -> 20: "low"; 70 exactly is "high".
    assert (
        score(scorecard, revenue_12m=2.5e6, gross_margin=0.0, orders_12m=0, years_as_customer=0.0)[
            "band"
        ]
        == "low"
    )
    assert (
        score(scorecard, revenue_12m=5e6, gross_margin=0.4, orders_12m=25, years_as_customer=0.0)[
            "value"
        ]
        == 70.0
    )
    assert (
        score(scorecard, revenue_12m=5e6, gross_margin=0.4, orders_12m=25, years_as_customer=0.0)[
            "band"
        ]
        == "high"
    )


def test_band_labels_must_be_unique_and_ranges_valid() -> None:
    bands = [{"label": "low", "range": "[0..50)"}, {"label": "low", "range": "[50..100]"}]
    assert problems({**VALUE, "bands": bands}) == [
        ("scorecards.value.bands[1].label", "band label `low` is used twice")
    ]
    found = problems({**VALUE, "bands": [{"label": "all", "range": 100}]})
    assert found == [
        ("scorecards.value.bands[0].range", 'expected a range such as "[0..40)", got 100')
    ]


# -- load-time errors ---------------------------------------------------------------------------


def test_direction_is_required() -> None:
    spec = {k: v for k, v in VALUE.items() if k != "direction"}
    assert problems(spec) == [
        (
            "scorecards.value.direction",
            "`direction` is required: higher_is_healthier or higher_is_riskier",
        )
    ]


def test_metric_xor_expr() -> None:
    spec = {
        "direction": "higher_is_healthier",
        "measures": [
            measure("both", 1, metric="nps", expr="nps", normalise=linear(10)),
            measure("neither", 1, normalise=linear(10)),
        ],
    }
    assert problems(spec) == [
        (
            "scorecards.value.measures[both]",
            "measure `both` has both `metric` and `expr`; keep one",
        ),
        (
            "scorecards.value.measures[neither]",
            "measure `neither` needs `metric` (a fact or metric name) or `expr` (an expression)",
        ),
    ]


def test_measure_ids_unique_and_weights_not_all_zero() -> None:
    spec = {
        "direction": "higher_is_healthier",
        "measures": [
            measure("a", 0, metric="nps", normalise=linear(10)),
            measure("a", 0, metric="orders_12m", normalise=linear(10)),
        ],
    }
    assert problems(spec) == [
        ("scorecards.value.measures[a]", "measure id `a` is used twice"),
        (
            "scorecards.value.measures",
            "the measures' weights add up to 0; give at least one measure a positive weight",
        ),
    ]


def test_weights_must_be_non_negative_numbers() -> None:
    spec = {
        "direction": "higher_is_healthier",
        "measures": [measure("a", -1, metric="nps", normalise=linear(10))],
    }
    assert problems(spec) == [
        (
            "scorecards.value.measures[a].weight",
            "measure `a` needs a `weight`: a number >= 0, got -1",
        )
    ]


def test_metric_must_be_a_known_number() -> None:
    spec = {
        "direction": "higher_is_healthier",
        "measures": [measure("a", 1, metric="industry", normalise=linear(10))],
    }
    assert [k for k, _ in problems(spec)] == ["scorecards.value.measures[a].metric"]
    spec = {
        "direction": "higher_is_healthier",
        "measures": [measure("a", 1, metric="nsp", normalise=linear(10))],
    }
    assert [k for k, _ in problems(spec)] == ["scorecards.value.measures[a].metric"]
    spec = {
        "direction": "higher_is_healthier",
        "measures": [measure("a", 1, metric="nps * 2", normalise=linear(10))],
    }
    assert [k for k, _ in problems(spec)] == ["scorecards.value.measures[a].metric"]


def test_header_values_are_checked() -> None:
    spec = {**VALUE, "direction": "up", "scale": 0, "missing": "skip", "neutral": 2, "round": -1}
    assert [k for k, _ in problems(spec)] == [
        "scorecards.value.direction",
        "scorecards.value.scale",
        "scorecards.value.neutral",
        "scorecards.value.missing",
        "scorecards.value.round",
    ]


def test_normalise_is_required_and_its_method_known() -> None:
    spec = {
        "direction": "higher_is_healthier",
        "measures": [
            measure("a", 1, metric="nps"),
            measure("b", 1, metric="nps", normalise={"method": "zscore"}),
        ],
    }
    assert [k for k, _ in problems(spec)] == [
        "scorecards.value.measures[a].normalise",
        "scorecards.value.measures[b].normalise.method",
    ]


# -- shared failure handling and checks -----------------------------------------------------------


def test_when_and_expr_measures_fail_the_account_on_every_arithmetic_error() -> None:
    # rules.evaluate's failures, not only division by zero: an OverflowError too
    too_big = 10**400  # an integer no float can hold
    scorecard = build({**VALUE, "when": "orders_12m / 2 > 0"})
    with pytest.raises(AccountError) as info:
        score(scorecard, orders_12m=too_big)
    assert info.value.where == "scorecards.value.when"
    spec = {
        "direction": "higher_is_healthier",
        "measures": [measure("half", 1, expr="orders_12m / 2", normalise=linear(10))],
    }
    with pytest.raises(AccountError) as info:
        score(build(spec), orders_12m=too_big)
    assert info.value.where == "scorecards.value.measures[half].expr"
    assert "too large" in info.value.reason


def test_a_type_error_of_an_expr_measures_own_code_fails_the_account() -> None:
    ctx = make_ctx()
    ctx.names["thing"] = Type("any", optional=True)  # its kind is known only per account
    spec = {
        "direction": "higher_is_healthier",
        "measures": [measure("t", 1, expr="thing * 2.5", normalise=linear(10))],
    }
    scorecard = compile_scorecard(ctx, "value", spec)
    assert ctx.problems == []
    assert scorecard is not None
    with pytest.raises(AccountError) as info:
        score(scorecard, thing="text")
    assert info.value.where == "scorecards.value.measures[t].expr"
    assert info.value.reason.startswith("cannot evaluate `thing * 2.5`:")


def test_round_is_checked_as_every_whole_number() -> None:
    # changed: "`round` must be a whole number of decimals >= 0" -> the shared wording
    assert problems({**VALUE, "round": 1.5}) == [
        ("scorecards.value.round", "`round` must be a whole number >= 0, got 1.5")
    ]
    assert problems({**VALUE, "round": True}) == [
        ("scorecards.value.round", "`round` must be a whole number >= 0, got True")
    ]


def test_bands_must_be_an_array() -> None:
    assert problems({**VALUE, "bands": "low"}) == [
        (
            "scorecards.value.bands",
            '`bands` must be an array of { label, range = "[0..40)" } tables',
        )
    ]
