"""Running policy test cases (``[[tests]]``) and measuring which rules they exercise.

A case gives an account (a flat row or an Account), an as-of date, optionally a previous
evaluation, and the outputs it expects. When the policy has portfolio rules, the cases sharing
an as-of date are evaluated together as one portfolio (a percentile of one account means
nothing), so their expectations are written with the other cases in mind. A portfolio cannot
hold one account twice (the engine rejects the repeat), yet two cases of one account on one
date are natural (with and without a previous evaluation); such cases go to separate
portfolios, each case to the first one its account is not in yet, in case order.

Cases may also live in ``*.test.toml`` files next to the policy (read by
:mod:`kamcore.cli.testfile`); :func:`run_cases` takes them as its ``cases``. The ``kam test``
command builds its report (diffs, coverage, JUnit) on :func:`run_cases` and :func:`coverage`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Engine
    from .runtime.compile import CompiledPolicy

__all__ = [
    "CaseResult",
    "Coverage",
    "Mismatch",
    "compare",
    "coverage",
    "rule_paths",
    "run_cases",
]

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
    """The outcome of one test case.

    :param file: where the case is written (a policy layer or a test file), when known.
    :param line: the line of its ``[[tests]]`` header.
    :param problems: what is wrong with the case as written (a misspelt expectation key), each
        a located message; such a case fails whatever the evaluation says, since the check it
        meant to make was never made.
    """

    id: str
    mismatches: list[Mismatch] = field(default_factory=list)
    evaluation: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    file: str | None = None
    line: int | None = None
    description: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """No mismatch and no problem."""
        return not self.mismatches and not self.problems


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


def _compare_parts(
    prefix: str, expected: Mapping[str, Any], actual: Mapping[str, Any] | None
) -> list[Mismatch]:
    actual = actual or {}
    return [
        Mismatch(f"{prefix}.{name}", value, actual.get(name))
        for name, value in expected.items()
        if not _same(value, actual.get(name))
    ]


def compare(expect: Mapping[str, Any], evaluation: Mapping[str, Any]) -> list[Mismatch]:
    """Every expected value that differs from the evaluation's."""
    mismatches: list[Mismatch] = []
    for key, expected in expect.items():
        if key == "error":
            continue
        if key in ("metrics", "outputs"):
            mismatches.extend(_compare_parts(key, expected, evaluation.get(key)))
        elif key == "scores":
            for sc_id, value in expected.items():
                score = evaluation["scores"].get(sc_id) or {}
                if isinstance(value, Mapping):
                    mismatches.extend(_compare_parts(f"scores.{sc_id}", value, score))
                elif not _same(value, score.get("value")):
                    mismatches.append(Mismatch(f"scores.{sc_id}", value, score.get("value")))
        elif key == "risk" and isinstance(expected, Mapping):
            mismatches.extend(_compare_parts("risk", expected, evaluation.get("risk")))
        elif isinstance(expected, list):
            actual = _actual(evaluation, key)
            if list(expected) != actual:
                mismatches.append(Mismatch(key, list(expected), actual))
        elif not _same(expected, actual := _actual(evaluation, key)):
            mismatches.append(Mismatch(key, expected, actual))
    return mismatches


def run_cases(engine: Engine, cases: Sequence[Mapping[str, Any]] | None = None) -> list[CaseResult]:
    """Run test cases against the engine's policy, in order.

    :param cases: the cases to run (a test file's); default: the policy's own ``[[tests]]``.

    In portfolio mode the outcomes are matched to cases by position in the portfolio, not by
    account id, so two cases may use the same id (with and without a previous evaluation, say,
    when their as-of dates differ).
    """
    cases = list(engine.policy.tests if cases is None else cases)
    results: dict[int, CaseResult] = {}
    if engine.policy.uses_portfolio:
        for as_of, members in _portfolios(engine, cases):
            indexes = [i for i, _ in members]
            previous = {
                account_id: cases[i]["previous"]
                for i, account_id in members
                if "previous" in cases[i]
            }
            outcome = engine.evaluate_portfolio(
                [cases[i]["account"] for i in indexes], as_of=as_of, previous=previous or None
            )
            errors = {e["row"]: e for e in outcome.errors}
            evaluations = iter(outcome.evaluations)  # input order, without the failed rows
            for position, i in enumerate(indexes, start=1):
                if position in errors:
                    results[i] = _judge(cases[i], None, errors[position])
                else:
                    results[i] = _judge(cases[i], next(evaluations), None)
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


def _account_id(engine: Engine, account: Any) -> str | None:
    """The id the engine will read from a case's account (its ``[inputs.id]`` column, ``id``
    or ``account_id``), or ``None`` when the row cannot be read: its case reports the error."""
    from .errors import KamcoreError

    try:
        account_id, _ = engine.policy.reader.read(account)
    except (KamcoreError, ValueError, TypeError, AttributeError):
        return None
    return account_id


def _portfolios(
    engine: Engine, cases: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, list[tuple[int, str]]]]:
    """The portfolios to evaluate: ``(as_of, [(case index, account id), ...])``, one per
    date, split where an account id repeats (each case joins the first portfolio of its date
    that lacks its id), in order of first appearance: deterministic, and the same grouping
    as before for cases without repeats."""
    portfolios: list[tuple[Any, list[tuple[int, str]], set[str]]] = []
    for i, case in enumerate(cases):
        as_of = case.get("as_of")
        account = case.get("account")
        account_id = _account_id(engine, account)
        key = account_id if account_id is not None else str(_raw_id(account))
        target = next(
            (
                portfolio
                for portfolio in portfolios
                if portfolio[0] == as_of and (account_id is None or account_id not in portfolio[2])
            ),
            None,
        )
        if target is None:
            target = (as_of, [], set())
            portfolios.append(target)
        target[1].append((i, key))
        if account_id is not None:
            target[2].add(account_id)
    return [(as_of, members) for as_of, members, _ in portfolios]


def _raw_id(account: Any) -> Any:
    return account.get("id") if isinstance(account, Mapping) else None


def _judge(
    case: Mapping[str, Any], evaluation: dict[str, Any] | None, error: dict[str, Any] | None
) -> CaseResult:
    """``expect.error``: ``true`` any error, a text an error containing it, ``false`` or absent
    no error."""
    result = CaseResult(
        id=str(case.get("id")),
        evaluation=evaluation,
        error=error,
        description=str(case.get("description", "")),
    )
    expect = case.get("expect", {})
    wanted = expect.get("error")
    if error is not None:
        reason = str(error.get("reason", ""))
        if wanted is None or wanted is False or (isinstance(wanted, str) and wanted not in reason):
            result.mismatches.append(Mismatch("error", wanted, f"{error.get('where')}: {reason}"))
        return result
    if wanted is not None and wanted is not False:
        result.mismatches.append(Mismatch("error", wanted, None))
    if evaluation is not None:
        result.mismatches.extend(compare(expect, evaluation))
    return result


# -- coverage ---------------------------------------------------------------------------------


def rule_paths(policy: CompiledPolicy) -> list[str]:
    """Every rule a case can exercise, by key path, in pipeline order: table rows, segment
    rules, lifecycle transitions, alerts and tactic rules."""
    paths = [row.key_path for table in policy.tables for row in table.rows]
    if policy.segments is not None:
        paths += [f"segments.rules[{rule_id}]" for rule_id, _ in policy.segments.rules]
    if policy.lifecycle is not None:
        transitions = [t for ts in policy.lifecycle.outgoing.values() for t in ts]
        paths += list(dict.fromkeys(t.path for t in transitions))
    paths += [alert.path for alert in policy.alerts.alerts]
    if policy.tactics is not None:
        paths += [rule.path for rule in policy.tactics.rules]
    return paths


@dataclass(frozen=True)
class Coverage:
    """Which rules the cases exercised (fired, or for a transition: its guard held)."""

    rules: tuple[str, ...]
    exercised: frozenset[str]

    @property
    def missed(self) -> list[str]:
        """The rules no case exercised, in pipeline order."""
        return [rule for rule in self.rules if rule not in self.exercised]

    @property
    def percent(self) -> float:
        """Share of the rules exercised (100 for a policy without rules)."""
        if not self.rules:
            return 100.0
        return 100.0 * (len(self.rules) - len(self.missed)) / len(self.rules)


def coverage(policy: CompiledPolicy, results: Iterable[CaseResult]) -> Coverage:
    """The coverage of ``policy``'s rules by the fired-rule records of the case evaluations."""
    fired = {
        record["rule"]
        for result in results
        if result.evaluation is not None
        for record in result.evaluation.get("fired") or ()
    }
    rules = tuple(rule_paths(policy))
    return Coverage(rules, frozenset(fired & set(rules)))
