"""The compiled hot path agrees with the plain pipeline byte for byte, and is really taken.

Each test evaluates the same rows twice, through :func:`row_evaluator` with the generated
function (``compiled=True``) and with the plain pipeline only (``compiled=False``), and compares
the JSON of every outcome. Rows are the benchmark's generated accounts, the shipped samples, and
the same rows broken in every way a cell can be (text, missing, NaN, wrong class, absent column),
so the fall-back from the fast path to the plain one is exercised as much as the fast path.
"""

from __future__ import annotations

import csv
import json
import math
import random
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kamcore import Engine
from kamcore.runtime.fastpath import fast_path, fast_phases, plain_only, why_not
from kamcore.runtime.pipeline import EXPLAIN_LEVELS, row_evaluator

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT.parent / "shared" / "bench"
AS_OF = date(2026, 6, 30)
PER_ACCOUNT = ["generic", "retail", "saas"]  # the shipped bases without portfolio rules


def _generated(n: int) -> list[dict[str, Any]]:
    pytest.importorskip("numpy")
    sys.path.insert(0, str(BENCH))
    try:
        import gen  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(BENCH))
    rows: list[dict[str, Any]] = gen.generate(n)
    return rows


def _sample_rows() -> list[dict[str, str]]:
    with (ROOT / "samples" / "acme-industrial.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _typed(row: Mapping[str, str]) -> dict[str, Any]:
    """The CSV row as a JSON export would type it: numbers as numbers, blanks as null."""
    out: dict[str, Any] = {}
    for key, text in row.items():
        if text == "":
            out[key] = None
            continue
        try:
            number = float(text)
        except ValueError:
            out[key] = {"true": True, "false": False}.get(text.lower(), text)
            continue
        out[key] = int(number) if number.is_integer() and "." not in text else number
    return out


_BROKEN: list[Any] = ["", "n/a", "12,34", "abc", None, math.nan, math.inf, True, [1], {"x": 1}, "7"]


def _broken(rows: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Copies of ``rows`` with one or two cells replaced by trouble, or a column dropped."""
    rng = random.Random(seed)
    out = []
    for row in rows:
        bad = dict(row)
        for _ in range(rng.randint(1, 2)):
            key = rng.choice(sorted(bad))
            if rng.random() < 0.2:
                del bad[key]
            else:
                bad[key] = rng.choice(_BROKEN)
        out.append(bad)
    return out


def _both(engine: Engine, rows: list[Any], explain: str, previous: Any = None) -> tuple[int, int]:
    """Compare compiled and plain outcomes row by row; returns (rows, rows the fast path took)."""
    policy = engine.policy
    compiled = row_evaluator(policy, as_of=AS_OF, previous=previous, explain=explain)
    plain = row_evaluator(policy, as_of=AS_OF, previous=previous, explain=explain, compiled=False)
    fast = fast_path(policy, explain)
    assert fast is not None, why_not(policy, explain)
    taken = 0
    for number, row in enumerate(rows, start=1):
        got = json.dumps(compiled(row, number), sort_keys=False)
        want = json.dumps(plain(row, number), sort_keys=False)
        assert got == want, f"row {number} differs: {row}"
        taken += fast(row, number, previous, AS_OF, AS_OF.isoformat()) is not None
    return len(rows), taken


@pytest.fixture(scope="module")
def bench_engine() -> Engine:
    return Engine.from_policy(ROOT / "policies" / "examples" / "bench-reference.toml")


@pytest.mark.parametrize("explain", EXPLAIN_LEVELS)
def test_reference_policy_takes_the_fast_path_and_agrees(
    bench_engine: Engine, explain: str
) -> None:
    total, taken = _both(bench_engine, _generated(3000), explain)
    assert taken == total  # every well-formed row is compiled, none falls back


@pytest.mark.parametrize("explain", EXPLAIN_LEVELS)
def test_broken_rows_fall_back_to_the_same_outcome(bench_engine: Engine, explain: str) -> None:
    rows = _broken(_generated(1500), seed=len(explain))
    total, taken = _both(bench_engine, rows, explain)
    assert 0 < taken < total  # some rows survive their damage (an int where a float was)


@pytest.mark.parametrize("name", PER_ACCOUNT)
@pytest.mark.parametrize("explain", EXPLAIN_LEVELS)
def test_shipped_base_policies_agree_on_the_samples(name: str, explain: str) -> None:
    engine = (
        Engine.from_policy(ROOT / "policies" / "base" / "generic.toml")
        if name == ("generic")
        else Engine.from_policy(ROOT / "policies" / name / "base.toml")
    )
    rows = _sample_rows()
    typed = [_typed(r) for r in rows]
    _both(engine, rows, explain)  # CSV text: cells take the reader's own path
    _both(engine, typed, explain)
    _both(engine, _broken(typed, seed=3), explain)


def test_previous_evaluations_and_duplicates_agree(bench_engine: Engine) -> None:
    rows = _generated(400)
    plain = bench_engine.evaluate_portfolio(rows, as_of=AS_OF, explain="full")
    previous = {e["account_id"]: e for e in plain.evaluations[::3]}
    _both(bench_engine, rows, "full", previous=previous)
    doubled = rows[:50] + rows[:50]
    result = bench_engine.evaluate_portfolio(doubled, as_of=AS_OF, explain="none")
    assert len(result.evaluations) == 50
    assert [e["row"] for e in result.errors] == list(range(51, 101))
    assert "already appeared at row 1" in result.errors[0]["reason"]


def test_hysteresis_policy_falls_back_only_for_accounts_with_history() -> None:
    text = (ROOT / "policies" / "examples" / "bench-reference.toml").read_text(encoding="utf-8")
    text = text.replace(
        "[tables.tier]\n", '[tier]\ntable = "tier"\ndowngrade_after = 2\n\n[tables.tier]\n', 1
    )
    engine = Engine.from_text(text, name="hysteresis.toml")
    rows = _generated(300)
    first = engine.evaluate_portfolio(rows, as_of=AS_OF, explain="full").evaluations
    # drop every account one tier, so that hysteresis holds some of them
    previous = {e["account_id"]: {**e, "tier": "KA"} for e in first}
    _both(engine, rows, "full", previous=previous)
    _both(engine, rows, "summary")


def test_summary_names_the_rules_without_their_inputs(bench_engine: Engine) -> None:
    row = _generated(20)[7]
    full = bench_engine.evaluate_dict(row, as_of=AS_OF, explain="full")
    summary = bench_engine.evaluate_dict(row, as_of=AS_OF, explain="summary")
    none = bench_engine.evaluate_dict(row, as_of=AS_OF, explain="none")
    assert [f["rule"] for f in summary["fired"]] == [f["rule"] for f in full["fired"]]
    assert all(f["inputs"] == {} for f in summary["fired"])
    assert any(f["inputs"] for f in full["fired"])
    assert none["fired"] == []
    assert none["scores"]["value"]["measures"] is None
    assert summary["scores"]["value"]["measures"] == full["scores"]["value"]["measures"]
    assert full["input_digest"].startswith("sha256:")
    assert summary["input_digest"] is None
    assert none["input_digest"] is None
    for level in (full, summary, none):  # the verdicts never depend on the explain level
        assert (level["tier"], level["risk"], level["tactics"]) == (
            full["tier"],
            full["risk"],
            full["tactics"],
        )


def test_portfolio_policies_compile_in_phases_not_per_row() -> None:
    engine = Engine.from_policy(ROOT / "policies" / "examples" / "acme-industrial.toml")
    assert fast_path(engine.policy, "none") is None  # rows are not independent
    assert fast_phases(engine.policy, "none") is not None
    assert why_not(engine.policy) is None
    with plain_only():
        assert fast_phases(engine.policy, "none") is None
        assert why_not(engine.policy, "summary") is None  # generated, just not used


PORTFOLIO = [
    ("examples/acme-industrial.toml", "acme-industrial.csv"),
    ("retail/example-jade-spring.toml", None),
    ("saas/example-northwind.toml", None),
    ("ict/example-south-china.toml", None),
    ("membership/example-huayang-beauty.toml", None),
    ("ict/base.toml", None),
    ("membership/base.toml", None),
]


def _pack_rows(policy: str) -> list[dict[str, Any]]:
    """Rows for the policy: its pack's sample generator (text cells, as a CSV export has
    them), or the bundled acme sample."""
    pack = policy.split("/")[0]
    if pack == "examples":
        return _sample_rows()
    module = __import__(f"kamcore_{pack}.sample", fromlist=["generate"])
    rows: list[dict[str, Any]] = module.generate(300)
    return [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]


@pytest.mark.parametrize(("policy", "sample"), PORTFOLIO)
@pytest.mark.parametrize("explain", EXPLAIN_LEVELS)
def test_portfolio_policies_generated_phases_agree(
    policy: str, sample: str | None, explain: str
) -> None:
    engine = Engine.from_policy(ROOT / "policies" / policy)
    assert why_not(engine.policy, explain) is None
    rows = _pack_rows(policy)
    typed = [_typed(r) for r in rows]
    for data in (rows, typed, _broken(typed, seed=5)):
        compiled = engine.evaluate_portfolio(data, as_of=AS_OF, explain=explain)
        streamed = list(engine.evaluate_stream(lambda d=data: d, as_of=AS_OF, explain=explain))
        with plain_only():
            plain = engine.evaluate_portfolio(data, as_of=AS_OF, explain=explain)
            plain_streamed = list(
                engine.evaluate_stream(lambda d=data: d, as_of=AS_OF, explain=explain)
            )
        assert json.dumps(compiled.evaluations) == json.dumps(plain.evaluations)
        assert json.dumps(compiled.errors) == json.dumps(plain.errors)
        assert json.dumps(streamed) == json.dumps(plain_streamed)
