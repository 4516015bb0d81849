"""Every shipped policy loads, validates, compiles and passes its own [[tests]] cases; the
complete example evaluates a whole generated portfolio deterministically and within the
evaluation schema."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from kamcore import Engine, Evaluation
from kamcore.policytests import run_cases
from kamcore.resources import read_schema

from .conftest import POLICIES, make_accounts

SHIPPED = sorted(p for p in POLICIES.rglob("*.toml") if not p.name.endswith(".test.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(POLICIES)))
def test_shipped_policy_compiles_and_passes_its_cases(path: Path) -> None:
    engine = Engine.from_policy(path)
    assert engine.id
    results = run_cases(engine)
    failures = {r.id: r.mismatches or r.error for r in results if not r.passed}
    assert failures == {}


@pytest.fixture(scope="module")
def acme() -> Engine:
    return Engine.from_policy(POLICIES / "examples" / "acme-industrial.toml")


def test_example_policy_has_cases_for_every_kind_of_output(acme: Engine) -> None:
    expected_keys = {k for case in acme.policy.tests for k in case["expect"]}
    assert {"tier", "risk", "stage", "alerts", "tactics", "metrics", "outputs"} <= expected_keys


def test_example_policy_evaluates_a_portfolio(acme: Engine) -> None:
    rows = make_accounts(4000, seed=3)
    result = acme.evaluate_portfolio(rows, as_of="2026-06-30")
    assert result.errors == []
    assert len(result) == 4000
    tiers = Counter(e["tier"] for e in result)
    assert tiers["KA"] <= 25  # the cap
    assert set(tiers) <= {"KA", "NA", "growth", "standard"}
    capped = [e for e in result if any(f["kind"] == "cap" for f in e["fired"])]
    assert capped, "the generated portfolio has more than 25 KA candidates; the cap must bite"
    assert all(e["tier"] == "NA" for e in capped)
    # every evaluation follows the published schema and the model
    schema = read_schema("evaluation")
    for evaluation in result.evaluations[:50]:
        jsonschema.validate(evaluation, schema)
        Evaluation.model_validate(evaluation)
    # portfolio segments are consistent with their definition
    top = [e for e in result if "top-20pct-revenue" in e["segments"]]
    assert 790 <= len(top) <= 810
    assert sum("top-10-profit" in e["segments"] for e in result) == 10


def test_evaluation_is_deterministic(acme: Engine) -> None:
    rows = make_accounts(120, seed=5)
    first = acme.evaluate_portfolio(rows, as_of="2026-06-30").to_jsonl()
    again = Engine.from_policy(POLICIES / "examples" / "acme-industrial.toml")
    second = again.evaluate_portfolio(rows, as_of="2026-06-30").to_jsonl()
    assert first == second
    assert first.count("\n") == 120


def test_every_evaluation_carries_its_stamp(acme: Engine) -> None:
    result = acme.evaluate_portfolio(make_accounts(5), as_of="2026-06-30")
    stamps = {(e["policy"]["id"], e["policy"]["version"], e["policy"]["hash"]) for e in result}
    assert stamps == {("acme-industrial", "2026.11.0", acme.content_hash)}
    assert acme.content_hash.startswith("sha256:")
    digests = {e["input_digest"] for e in result}
    assert len(digests) == 5
