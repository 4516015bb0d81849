"""The evaluation pipeline over plain dicts.

facts → metrics → (portfolio phase) → scorecards → tables → tier → (caps) → segments →
lifecycle → alerts → risk → tactics → evaluation.

A policy without portfolio rules evaluates each account start to finish on its own (so rows can
stream). A policy with portfolio rules runs phase A (inputs and per-account metrics) for every
account, then one portfolio pass, then phase B (up to the tier) for every account, then the
caps, then phase C. One bad account becomes an error record with its id, the field or rule and
the reason; the others go on.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from math import isfinite
from typing import Any

from ..errors import AccountError, KamcoreError
from .compile import CompiledPolicy
from .context import AccountRun
from .fastpath import PhaseFunctions, fast_path, fast_phases
from .inputs import input_digest
from .metrics import MetricStep
from .portfolio import compute_portfolio, portfolio_inputs, run_portfolio_phase
from .seen import FirstRows
from .tier import apply_caps, cap_demotions, demote
from .trace import json_ready

__all__ = [
    "EXPLAIN_LEVELS",
    "Outcome",
    "RowEvaluator",
    "checked_outcome",
    "duplicate_error",
    "evaluate_many",
    "evaluate_one",
    "evaluate_row",
    "evaluate_stream",
    "row_evaluator",
]

#: How much of the why an evaluation records. ``none``: the verdicts only (no fired rules, no
#: measure breakdown, no input digest): the fastest. ``summary``: also every rule that fired
#: and each scorecard measure's contribution, without the input values the rules read.
#: ``full``: also those values, and the digest of the input row, for an audit trail.
EXPLAIN_LEVELS = ("none", "summary", "full")

#: One outcome of a streamed evaluation: ``(evaluation, None)`` or ``(None, error record)``.
Outcome = tuple[dict[str, Any] | None, dict[str, Any] | None]


def _start(
    policy: CompiledPolicy,
    row: Mapping[str, Any],
    row_number: int | None,
    as_of: date,
    explain: str,
) -> AccountRun:
    """Read the row and set up the evaluation being built (the caller sets ``previous``)."""
    warnings: list[str] = []  # the reader notes every [inputs] default it applies
    # the reader supplies every fact the policy reads (None when absent), in both row shapes
    account_id, values = policy.reader.read(row, row_number, warnings)
    values["as_of"] = as_of
    out: dict[str, Any] = {
        "account_id": account_id,
        "policy": policy.stamp(),
        "as_of": as_of.isoformat(),
        "input_digest": input_digest(row) if explain == "full" else None,
        "metrics": {},
        "scores": {},
        "tier": None,
        "segments": [],
        "outputs": {},
        "stage": None,
        "alerts": [],
        "risk": None,
        "tactics": [],
        "fired": [],
        "warnings": warnings,
        "state": {},
    }
    fired = out["fired"] if explain != "none" else None
    return AccountRun(account_id, values, out, fired, None, as_of, detail=explain == "full")


def _first_time(seen: FirstRows, acc: AccountRun, number: int) -> None:
    """Refuse an account id met before: roll-ups, previous evaluations and results by id
    would otherwise pick one of the rows silently."""
    first = seen.setdefault(acc.account_id, number)
    if first != number:
        raise duplicate_error(acc.account_id, first)


def duplicate_error(account_id: str, first: int) -> AccountError:
    """The error for an account id that already appeared at row ``first``."""
    return AccountError(
        account_id,
        "inputs.id",
        f"account id `{account_id}` already appeared at row {first}; each account must appear once",
    )


def _run_metrics(policy: CompiledPolicy, acc: AccountRun, steps: tuple[MetricStep, ...]) -> None:
    values = acc.values
    for step in steps:
        compute = step.compute
        assert compute is not None
        try:
            value = compute(values)
        except KamcoreError as exc:
            if isinstance(exc, AccountError):
                raise
            raise AccountError(acc.account_id, step.key_path, str(exc)) from exc
        except ArithmeticError as exc:
            raise AccountError(acc.account_id, step.key_path, str(exc)) from exc
        except Exception as exc:
            if step.plugin is None or policy.raise_plugin_errors:
                raise
            raise AccountError(
                acc.account_id,
                step.key_path,
                f'plugin "{step.plugin}" raised in metric `{step.name}` (registered through '
                f"kamcore_register_metrics): {type(exc).__name__}: {exc}",
            ) from exc
        if value.__class__ is float and not isfinite(value):
            # an infinity or NaN would silently poison every comparison and cannot be written
            # as JSON: it is this account's error, at the metric that produced it
            raise AccountError(
                acc.account_id,
                step.key_path,
                f"metric `{step.name}` came out as {value}"
                + (f' (plugin "{step.plugin}")' if step.plugin else "")
                + "; a figure must be a finite number",
            )
        values[step.name] = value


def _phase_a(policy: CompiledPolicy, acc: AccountRun) -> None:
    _run_metrics(policy, acc, policy.metrics.before)


def _phase_b(policy: CompiledPolicy, acc: AccountRun, start: int = 0, raw_tier: Any = None) -> None:
    """Metrics after the portfolio phase, scorecards, tables, tier.

    :param start: the step to start from (a metric, scorecard, table or the tier, counted in
        that order), where the generated phase handed over, with the tier the tables before it
        gave (``raw_tier``).
    """
    after = policy.metrics.after
    _run_metrics(policy, acc, after[start:])
    step = len(after)
    for scorecard in policy.scorecards:
        if step >= start:
            scorecard.run(acc)
        step += 1
    for table in policy.tables:
        if step >= start:
            result = table.evaluate(acc)
            acc.table_outputs[table.id] = result
            for name, value in result.items():
                if name == "tier":
                    raw_tier = value
                else:
                    acc.values[name] = value
                    acc.out["outputs"][name] = json_ready(value)
        step += 1
    if policy.tier is not None:
        policy.tier.decide(acc, raw_tier)
    else:
        acc.values["tier"] = None


def _phase_c(policy: CompiledPolicy, acc: AccountRun, start: int = 0) -> None:
    """Segments (step 0), lifecycle, alerts, risk, tactics, the reported metrics (step 5)."""
    if start <= 0 and policy.segments is not None:
        policy.segments.run(acc)
    if start <= 1 and policy.lifecycle is not None:
        policy.lifecycle.run(acc)
    if start <= 2:
        policy.alerts.run(acc)
    if start <= 3 and policy.risk is not None:
        policy.risk.run(acc)
    if start <= 4 and policy.tactics is not None:
        policy.tactics.run(acc)
    values = acc.values
    acc.out["metrics"] = {name: json_ready(values.get(name)) for name in policy.metrics.outputs}


# -- the generated phases of a policy with portfolio rules ------------------------------------


def _phases(policy: CompiledPolicy, explain: str) -> PhaseFunctions | None:
    return fast_phases(policy, explain) if policy.uses_portfolio else None


def _open(
    policy: CompiledPolicy,
    phases: PhaseFunctions | None,
    row: Mapping[str, Any],
    number: int,
    as_of: date,
    as_of_iso: str,
    explain: str,
) -> tuple[AccountRun, bool]:
    """``_start``, and phase A too when the generated code could do both: ``(acc, done)``.

    When the generated code declines, nothing has happened yet and the caller goes on exactly
    as without it (``_start`` here, phase A at its usual place)."""
    if phases is not None:
        acc = phases.a(row, number, as_of, as_of_iso)
        if acc is not None:
            return acc, True
    return _start(policy, row, number, as_of, explain), False


def _run_b(policy: CompiledPolicy, phases: PhaseFunctions | None, acc: AccountRun) -> None:
    if phases is None:
        _phase_b(policy, acc)
        return
    handed = phases.b(acc)
    if handed is not None:  # a step the generated code could not finish: the plain one does
        _phase_b(policy, acc, handed[0], handed[1])


def _run_c(policy: CompiledPolicy, phases: PhaseFunctions | None, acc: AccountRun) -> None:
    if phases is None:
        _phase_c(policy, acc)
        return
    handed = phases.c(acc)
    if handed is not None:
        _phase_c(policy, acc, handed)


def _account_error(
    policy: CompiledPolicy,
    exc: Exception,
    account_id: str | None,
    row_number: int | None,
    section: str,
) -> dict[str, Any]:
    """The error record for an account; a plugin's function raising is named as such."""
    if isinstance(exc, AccountError):
        record = exc.to_dict()
    else:
        plugin = _plugin_in_traceback(policy, exc)
        if plugin is None or policy.raise_plugin_errors:
            raise exc
        name, owner = plugin
        record = {
            "account_id": account_id,
            "where": section,
            "reason": f'plugin "{owner}" raised in function `{name}` (registered through '
            f"kamcore_register_functions): {type(exc).__name__}: {exc}",
        }
    record["row"] = row_number
    return record


def _plugin_in_traceback(policy: CompiledPolicy, exc: Exception) -> tuple[str, str] | None:
    """The registered function (name, plugin) deepest in the traceback, if any."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        hit = policy.function_codes.get(tb.tb_frame.f_code)
        if hit is not None:
            found = hit
        tb = tb.tb_next
    return found


def evaluate_one(
    policy: CompiledPolicy,
    row: Mapping[str, Any],
    *,
    as_of: date,
    previous: Mapping[str, Any] | None = None,
    explain: str = "full",
    row_number: int | None = None,
) -> dict[str, Any]:
    """Evaluate one account of a policy without portfolio rules.

    :raises AccountError: the account could not be evaluated (field or rule, and why).
    """
    fast = fast_path(policy, explain)
    if fast is not None:
        given = None if previous is None else _Given(previous)
        done = fast(row, row_number, given, as_of, as_of.isoformat())
        if done is not None:
            return done[1][0]
    acc = _start(policy, row, row_number, as_of, explain)
    acc.previous = previous
    try:
        _phase_a(policy, acc)
        _phase_b(policy, acc)
        _phase_c(policy, acc)
    except AccountError:
        raise
    except Exception as exc:  # a plugin's function: name it, as in a portfolio run
        record = _account_error(policy, exc, acc.account_id, row_number, "evaluation")
        raise AccountError(record["account_id"], record["where"], record["reason"]) from exc
    return acc.out


class _Given:
    """The one previous evaluation given for a single account, looked up like a by-id map."""

    __slots__ = ("_previous",)

    def __init__(self, previous: Mapping[str, Any]) -> None:
        self._previous = previous

    def get(self, _account_id: str) -> Mapping[str, Any]:
        return self._previous


def evaluate_row(
    policy: CompiledPolicy,
    row: Mapping[str, Any],
    number: int,
    *,
    as_of: date,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
    explain: str = "full",
) -> tuple[str | None, Outcome]:
    """Evaluate one row of a policy without portfolio rules, never raising for the account.

    The unit every per-row path shares (in memory, streamed, and each worker of a parallel
    run), so they agree byte for byte by construction. Duplicate ids are the caller's to
    check, since only it sees every row: it replaces the outcome of a row whose id it has met
    before with :func:`duplicate_error`. Many rows: take :func:`row_evaluator` once instead.

    :returns: the account id (``None`` when the row could not even be read: such a row takes
        no part in the duplicate check) and the outcome.
    """
    return row_evaluator(policy, as_of=as_of, previous=previous, explain=explain)(row, number)


#: ``run(row, row_number) -> (account id or None, outcome)``: see :func:`evaluate_row`.
RowEvaluator = Callable[[Mapping[str, Any], int], "tuple[str | None, Outcome]"]


def row_evaluator(
    policy: CompiledPolicy,
    *,
    as_of: date,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
    explain: str = "full",
    compiled: bool = True,
) -> RowEvaluator:
    """:func:`evaluate_row` for many rows, with everything that does not change per row (the
    compiled function, the date's text) looked up once.

    :param compiled: try the policy's generated function first (see
        :mod:`kamcore.runtime.fastpath`); ``False`` runs the plain pipeline only, which the
        tests use to check the two agree.
    """
    fast = fast_path(policy, explain) if compiled else None
    as_of_iso = as_of.isoformat()

    def plain(row: Mapping[str, Any], number: int) -> tuple[str | None, Outcome]:
        acc: AccountRun | None = None
        try:
            acc = _start(policy, row, number, as_of, explain)
            acc.previous = previous.get(acc.account_id) if previous else None
            _phase_a(policy, acc)
            _phase_b(policy, acc)
            _phase_c(policy, acc)
        except Exception as exc:
            account_id = acc.account_id if acc else None
            shown = account_id if acc else _row_id(row)
            return account_id, (None, _account_error(policy, exc, shown, number, "evaluation"))
        return acc.account_id, (acc.out, None)

    if fast is None:
        return plain

    def run(row: Mapping[str, Any], number: int) -> tuple[str | None, Outcome]:
        done = fast(row, number, previous, as_of, as_of_iso)
        if done is None:  # not the common case: the plain pipeline says what happened
            return plain(row, number)
        return done

    return run


def checked_outcome(
    policy: CompiledPolicy,
    seen: FirstRows,
    account_id: str | None,
    outcome: Outcome,
    number: int,
) -> Outcome:
    """``outcome``, or the duplicate-id error when ``account_id`` was met at an earlier row."""
    if account_id is None:
        return outcome
    first = seen.setdefault(account_id, number)
    if first == number:
        return outcome
    exc = duplicate_error(account_id, first)
    return None, _account_error(policy, exc, account_id, number, "evaluation")


def evaluate_many(
    policy: CompiledPolicy,
    rows: Iterable[Mapping[str, Any]],
    *,
    as_of: date,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
    explain: str = "full",
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Evaluate a portfolio; returns (evaluations in input order, error records).

    The cyclic garbage collector is paused meanwhile: every evaluation kept is a tree of
    fresh dicts and lists with no cycles, and letting the collector rescan the growing list of
    them every few hundred allocations costs more than evaluating (twice the time, measured on
    100,000 accounts). It is restored, and runs as usual, when the batch is done.
    """
    with _collector_paused():
        return _evaluate_many(policy, rows, as_of=as_of, previous=previous, explain=explain)


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _evaluate_many(
    policy: CompiledPolicy,
    rows: Iterable[Mapping[str, Any]],
    *,
    as_of: date,
    previous: Mapping[str, Mapping[str, Any]] | None,
    explain: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    evaluations: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    if not policy.uses_portfolio:
        run = row_evaluator(policy, as_of=as_of, previous=previous, explain=explain)
        for number, row in enumerate(rows, start=1):
            account_id, outcome = run(row, number)
            evaluation, error = checked_outcome(policy, seen, account_id, outcome, number)
            if evaluation is not None:
                evaluations.append(evaluation)
            else:
                assert error is not None
                errors.append(error)
        return evaluations, errors

    phases = _phases(policy, explain)
    iso = as_of.isoformat()
    runs: list[tuple[int, AccountRun]] = []
    for number, row in enumerate(rows, start=1):
        try:
            acc, done = _open(policy, phases, row, number, as_of, iso, explain)
            _first_time(seen, acc, number)
            acc.previous = previous.get(acc.account_id) if previous else None
            if not done:
                _phase_a(policy, acc)
        except Exception as exc:
            errors.append(_account_error(policy, exc, _row_id(row), number, "metrics"))
            continue
        runs.append((number, acc))
    run_portfolio_phase(
        [acc for _, acc in runs],
        policy.portfolio_calls,
        policy.metrics.portfolio,
        raise_errors=policy.raise_plugin_errors,
    )
    survivors: list[tuple[int, AccountRun]] = []
    for number, acc in runs:
        try:
            _run_b(policy, phases, acc)
        except Exception as exc:
            errors.append(_account_error(policy, exc, acc.account_id, number, "tier"))
            continue
        survivors.append((number, acc))
    if policy.tier is not None and policy.tier.caps:
        apply_caps(policy.tier, [acc for _, acc in survivors])
    for number, acc in survivors:
        try:
            _run_c(policy, phases, acc)
        except Exception as exc:
            errors.append(_account_error(policy, exc, acc.account_id, number, "evaluation"))
            continue
        evaluations.append(acc.out)
    errors.sort(key=lambda e: e["row"] or 0)
    return evaluations, errors


def _row_id(row: Mapping[str, Any]) -> str | None:
    value = row.get("id", row.get("account_id")) if isinstance(row, Mapping) else None
    return None if value is None else str(value)


def evaluate_stream(
    policy: CompiledPolicy,
    source: Callable[[], Iterable[Mapping[str, Any]]],
    *,
    as_of: date,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
    explain: str = "full",
    seen: FirstRows | None = None,
) -> Iterator[Outcome]:
    """Evaluate rows as they are read, holding as little as possible in memory.

    A policy without portfolio rules reads the source once and yields each outcome as its row
    is read. A policy with portfolio rules reads it again, each read a fresh call of
    ``source``: pass 1 keeps only the per-account values the portfolio phase needs (a few
    numbers per account, not the accounts), pass 2 evaluates, and when the tiers are capped
    pass 2 keeps only each account's tier and ranking value and pass 3 evaluates. Outcomes
    equal :func:`evaluate_many`'s; errors come first when found in an early pass.

    :param source: returns a fresh iterator over the same rows each time it is called.
    :param seen: the account ids met, for the duplicate check (default: a dict, which grows
        with the input; :class:`~kamcore.runtime.seen.SeenIds` keeps memory flat).
    :raises KamcoreError: the rows differ between passes.
    """
    if seen is None:
        seen = {}
    if not policy.uses_portfolio:
        run = row_evaluator(policy, as_of=as_of, previous=previous, explain=explain)
        for number, row in enumerate(source(), start=1):
            account_id, outcome = run(row, number)
            yield checked_outcome(policy, seen, account_id, outcome, number)
        return

    # pass 1: per-account metrics; keep only what the portfolio phase reads
    names = portfolio_inputs(policy.portfolio_calls, policy.metrics.portfolio)
    ids: list[str] = []
    rejected: set[int] = set()  # rows refused in pass 1: few, unlike the rows kept
    columns: dict[str, list[Any]] = {name: [] for name in names}
    phases = _phases(policy, explain)
    iso = as_of.isoformat()
    for number, row in enumerate(source(), start=1):
        try:
            acc, done = _open(policy, phases, row, number, as_of, iso, explain)
            _first_time(seen, acc, number)
            if not done:
                _phase_a(policy, acc)
        except Exception as exc:
            rejected.add(number)
            yield None, _account_error(policy, exc, _row_id(row), number, "metrics")
            continue
        ids.append(acc.account_id)
        for name in names:
            columns[name].append(acc.values.get(name))
    results, warnings = compute_portfolio(
        ids,
        columns,
        policy.portfolio_calls,
        policy.metrics.portfolio,
        raise_errors=policy.raise_plugin_errors,
    )
    del columns

    def replay() -> Iterator[tuple[int, int, AccountRun | None, Exception | None]]:
        """Re-read the rows kept after pass 1, up to the tier, with the portfolio values."""
        i = -1
        for number, row in enumerate(source(), start=1):
            if number in rejected:
                continue
            i += 1
            if i >= len(ids):
                raise KamcoreError(
                    f"row {number} was not in the first pass: the input changed while it was "
                    "being evaluated"
                )
            acc, done = _open(policy, phases, row, number, as_of, iso, explain)
            if acc.account_id != ids[i]:
                raise KamcoreError(
                    f"row {number} held account {ids[i]!r} in the first pass and "
                    f"{acc.account_id!r} now: the input changed while it was being evaluated"
                )
            acc.previous = previous.get(acc.account_id) if previous else None
            try:
                if not done:
                    _phase_a(policy, acc)
                for key, column in results.items():
                    acc.values[key] = column[i]
                acc.out["warnings"].extend(warnings.get(i, ()))
                _run_b(policy, phases, acc)
            except Exception as exc:
                yield number, i, None, exc
                continue
            yield number, i, acc, None

    tier = policy.tier
    if tier is None or not tier.caps:
        for number, i, acc_b, failure in replay():
            if acc_b is None:
                assert failure is not None
                yield None, _account_error(policy, failure, ids[i], number, "tier")
                continue
            yield _finish_c(policy, phases, acc_b, number)
        return

    # pass 2: tiers and ranking values only, for the caps
    tiers: list[str | None] = [None] * len(ids)
    order_values: dict[str, list[Any]] = {cap.order_by: [None] * len(ids) for cap in tier.caps}
    failed: set[int] = set()
    for number, i, acc_b, failure in replay():
        if acc_b is None:
            assert failure is not None
            failed.add(i)
            yield None, _account_error(policy, failure, ids[i], number, "tier")
            continue
        tiers[i] = acc_b.out["tier"]
        for name, column in order_values.items():
            column[i] = acc_b.values.get(name)
    demoted = cap_demotions(tier, ids, tiers, order_values)
    # pass 3: evaluate, applying the demotions
    for number, i, acc_b, failure in replay():
        if i in failed:
            continue
        if acc_b is None:  # failed now though it passed in pass 2: report, never drop
            assert failure is not None
            yield None, _account_error(policy, failure, ids[i], number, "tier")
            continue
        for fallback, cap, note in demoted.get(i, ()):
            demote(acc_b, fallback, cap, note)
        yield _finish_c(policy, phases, acc_b, number)


def _finish_c(
    policy: CompiledPolicy, phases: PhaseFunctions | None, acc: AccountRun, number: int
) -> Outcome:
    try:
        _run_c(policy, phases, acc)
    except Exception as exc:
        return None, _account_error(policy, exc, acc.account_id, number, "evaluation")
    return acc.out, None
