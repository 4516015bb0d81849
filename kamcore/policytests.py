"""Running a policy's ``[[tests]]`` cases.

A case gives an account (a flat row or an Account), an as-of date, optionally a previous
evaluation, and the outputs it expects. When the policy has portfolio rules, the cases sharing
an as-of date are evaluated together as one portfolio (a percentile of one account means
nothing), so their expectations are written with the other cases in mind.

The ``kam test`` command builds its report (diffs, coverage, JUnit) on :func:`run_cases`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["CaseResult", "Mismatch", "run_cases"]

#: What ``expect`` may name, and how the actual value is read from an evaluation.
_LIST_KEYS = {"alerts", "tactics"}


@dataclass(frozen=True)
class Mismatch:
    """One expected value that did not come out."""

    key: str
    expected: Any
    actual: Any


@dataclass
class CaseResult:
    """The outcome of one test case."""

    id: str
    mismatches: list[Mismatch] = field(default_factory=list)
    evaluation: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        """No mismatch."""
        return not self.mismatches


def _actual(evaluation: Mapping[str, Any], key: str) -> Any:
    if key in _LIST_KEYS:
        return [item["id"] for item in evaluation[key]]
    if key == "stage":
        stage = evaluation["stage"]
        return None if stage is None else stage["value"]
    if key == "risk":
        risk = evaluation["risk"]
        return None if risk is None else risk["band"]
    return evaluation.get(key)


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual if isinstance(expected, bool) else bool(expected == actual)
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(expected, date):
        return bool(expected.isoformat() == actual)
    return bool(expected == actual)


def compare(expect: Mapping[str, Any], evaluation: Mapping[str, Any]) -> list[Mismatch]:
    """Every expected value that differs from the evaluation's."""
    mismatches: list[Mismatch] = []
    for key, expected in expect.items():
        if key == "error":
            continue
        if key in ("metrics", "outputs"):
            actual_map = evaluation.get(key, {})
            for name, value in expected.items():
                if not _same(value, actual_map.get(name)):
                    mismatches.append(Mismatch(f"{key}.{name}", value, actual_map.get(name)))
            continue
        if key == "scores":
            for sc_id, value in expected.items():
                score = evaluation["scores"].get(sc_id) or {}
                if isinstance(value, Mapping):
                    for part, v in value.items():
                        if not _same(v, score.get(part)):
                            mismatches.append(
                                Mismatch(f"scores.{sc_id}.{part}", v, score.get(part))
                            )
                elif not _same(value, score.get("value")):
                    mismatches.append(Mismatch(f"scores.{sc_id}", value, score.get("value")))
            continue
        actual = _actual(evaluation, key)
        if isinstance(expected, list):
            if list(expected) != actual:
                mismatches.append(Mismatch(key, list(expected), actual))
        elif not _same(expected, actual):
            mismatches.append(Mismatch(key, expected, actual))
    return mismatches


def run_cases(engine: Engine) -> list[CaseResult]:
    """Run every ``[[tests]]`` case of the engine's policy, in order."""
    cases = list(engine.policy.tests)
    results: dict[int, CaseResult] = {}
    if engine.policy.uses_portfolio:
        by_date: dict[Any, list[int]] = {}
        for i, case in enumerate(cases):
            by_date.setdefault(case.get("as_of"), []).append(i)
        for as_of, indexes in by_date.items():
            previous = {
                str(cases[i]["account"].get("id")): cases[i]["previous"]
                for i in indexes
                if "previous" in cases[i]
            }
            outcome = engine.evaluate_portfolio(
                [cases[i]["account"] for i in indexes], as_of=as_of, previous=previous or None
            )
            evaluations = outcome.by_id()
            errors = {e["row"]: e for e in outcome.errors}
            for position, i in enumerate(indexes, start=1):
                account_id = str(cases[i]["account"].get("id"))
                results[i] = _judge(cases[i], evaluations.get(account_id), errors.get(position))
    else:
        from .errors import AccountError

        for i, case in enumerate(cases):
            try:
                evaluation = engine.evaluate_dict(
                    case["account"], as_of=case.get("as_of"), previous=case.get("previous")
                )
            except AccountError as exc:
                results[i] = _judge(case, None, exc.to_dict())
            else:
                results[i] = _judge(case, evaluation, None)
    return [results[i] for i in range(len(cases))]


def _judge(
    case: Mapping[str, Any], evaluation: dict[str, Any] | None, error: dict[str, Any] | None
) -> CaseResult:
    result = CaseResult(id=str(case.get("id")), evaluation=evaluation, error=error)
    expect = case.get("expect", {})
    wanted_error = expect.get("error")
    if error is not None:
        if wanted_error is None or wanted_error not in str(error.get("reason", "")):
            result.mismatches.append(Mismatch("error", wanted_error, error.get("reason")))
        return result
    if wanted_error is not None:
        result.mismatches.append(Mismatch("error", wanted_error, None))
    if evaluation is not None:
        result.mismatches.extend(compare(expect, evaluation))
    return result
