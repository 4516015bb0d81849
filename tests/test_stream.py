"""Streamed evaluation gives exactly what in-memory evaluation gives, reading the input once
without portfolio rules and in passes with them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kamcore import Engine, KamcoreError, evaluation_json

from .conftest import POLICIES, make_accounts


def _lines(outcomes: Any) -> tuple[list[str], list[dict[str, Any]]]:
    evaluations, errors = [], []
    for evaluation, error in outcomes:
        if evaluation is not None:
            evaluations.append(evaluation_json(evaluation))
        else:
            errors.append(error)
    return evaluations, errors


class CountingSource:
    """Rows read afresh on every call, counting the reads."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.reads = 0

    def __call__(self) -> Iterator[dict[str, Any]]:
        self.reads += 1
        return iter(self.rows)


@pytest.mark.parametrize(
    ("policy", "reads"),
    [("bench-reference.toml", 1), ("acme-industrial.toml", 3)],
)
def test_stream_equals_in_memory_evaluation(policy: str, reads: int) -> None:
    engine = Engine.from_policy(POLICIES / "examples" / policy)
    rows = make_accounts(3000, seed=9)
    rows[10] = {**rows[10], "revenue_12m": "not a number"}  # one bad row
    source = CountingSource(rows)
    streamed, stream_errors = _lines(engine.evaluate_stream(source, as_of="2026-06-30"))
    batch = engine.evaluate_portfolio(rows, as_of="2026-06-30")
    assert streamed == [evaluation_json(e) for e in batch.evaluations]
    assert stream_errors == batch.errors
    assert len(stream_errors) == 1
    assert stream_errors[0]["row"] == 11
    assert source.reads == reads


def test_the_caps_still_bite_when_streamed() -> None:
    engine = Engine.from_policy(POLICIES / "examples" / "acme-industrial.toml")
    rows = make_accounts(4000, seed=3)
    outcomes = list(engine.evaluate_stream(lambda: iter(rows), as_of="2026-06-30"))
    tiers = [e["tier"] for e, _ in outcomes if e is not None]
    capped = [e for e, _ in outcomes if e and any(f["kind"] == "cap" for f in e["fired"])]
    assert tiers.count("KA") == 25
    assert capped


def test_portfolio_rules_need_a_rereadable_source() -> None:
    engine = Engine.from_policy(POLICIES / "examples" / "acme-industrial.toml")
    with pytest.raises(KamcoreError, match="pass a function returning a fresh iterator"):
        engine.evaluate_stream(iter(make_accounts(3)), as_of="2026-06-30")


def test_a_source_that_changes_between_passes_is_refused() -> None:
    engine = Engine.from_policy(POLICIES / "examples" / "acme-industrial.toml")
    reads: list[list[dict[str, Any]]] = [make_accounts(5, seed=1), make_accounts(5, seed=2)]
    changing = [{**r, "id": f"B{i}"} for i, r in enumerate(reads[1])]

    def source() -> Iterator[dict[str, Any]]:
        return iter(reads.pop(0) if len(reads) > 1 else changing)

    with pytest.raises(KamcoreError, match="the input changed while it was being evaluated"):
        list(engine.evaluate_stream(source, as_of="2026-06-30"))


def test_a_one_shot_iterable_is_fine_without_portfolio_rules() -> None:
    engine = Engine.from_policy(POLICIES / "examples" / "bench-reference.toml")
    outcomes = list(engine.evaluate_stream(iter(make_accounts(50)), as_of="2026-06-30"))
    assert len(outcomes) == 50
    assert all(e is not None for e, _ in outcomes)
