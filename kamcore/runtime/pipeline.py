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

import os
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ..errors import AccountError, KamcoreError
from ..plugins import ENV_RAISE
from .compile import CompiledPolicy
from .context import AccountRun
from .inputs import input_digest
from .metrics import MetricStep
from .portfolio import run_portfolio_phase
from .tier import apply_caps
from .trace import json_ready

__all__ = ["EXPLAIN_LEVELS", "evaluate_many", "evaluate_one"]

#: ``none``: no fired-rule records (fastest); ``full``: every fired rule with the inputs it read.
EXPLAIN_LEVELS = ("none", "full")


def _start(
    policy: CompiledPolicy,
    row: Mapping[str, Any],
    row_number: int | None,
    as_of: date,
    explain: str,
) -> AccountRun:
    """Read the row and set up the evaluation being built (the caller sets ``previous``)."""
    warnings: list[str] = []  # the reader notes every [inputs] default it applies
    account_id, values = policy.reader.read(row, row_number, warnings)
    for name in policy.fact_names:
        if name not in values:
            values[name] = None
    values["as_of"] = as_of
    out: dict[str, Any] = {
        "account_id": account_id,
        "policy": policy.stamp(),
        "as_of": as_of.isoformat(),
        "input_digest": input_digest(row),
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
    fired = out["fired"] if explain == "full" else None
    return AccountRun(account_id, values, out, fired, None, as_of)


def _run_metrics(acc: AccountRun, steps: tuple[MetricStep, ...]) -> None:
    values = acc.values
    for step in steps:
        compute = step.compute
        assert compute is not None
        try:
            values[step.name] = compute(values)
        except KamcoreError as exc:
            if isinstance(exc, AccountError):
                raise
            raise AccountError(acc.account_id, step.key_path, str(exc)) from exc
        except ArithmeticError as exc:
            raise AccountError(acc.account_id, step.key_path, str(exc)) from exc
        except Exception as exc:
            if step.plugin is None:
                raise
            if os.environ.get(ENV_RAISE):
                raise
            raise AccountError(
                acc.account_id,
                step.key_path,
                f'plugin "{step.plugin}" raised in metric `{step.name}` (registered through '
                f"kamcore_register_metrics): {type(exc).__name__}: {exc}",
            ) from exc


def _phase_a(policy: CompiledPolicy, acc: AccountRun) -> None:
    _run_metrics(acc, policy.metrics.before)


def _phase_b(policy: CompiledPolicy, acc: AccountRun) -> None:
    _run_metrics(acc, policy.metrics.after)
    for scorecard in policy.scorecards:
        scorecard.run(acc)
    raw_tier = None
    for table in policy.tables:
        result = table.evaluate(acc)
        acc.table_outputs[table.id] = result
        for name, value in result.items():
            if name == "tier":
                raw_tier = value
            else:
                acc.values[name] = value
                acc.out["outputs"][name] = json_ready(value)
    if policy.tier is not None:
        policy.tier.decide(acc, raw_tier)
    else:
        acc.values["tier"] = None


def _phase_c(policy: CompiledPolicy, acc: AccountRun) -> None:
    if policy.segments is not None:
        policy.segments.run(acc)
    if policy.lifecycle is not None:
        policy.lifecycle.run(acc)
    policy.alerts.run(acc)
    if policy.risk is not None:
        policy.risk.run(acc)
    if policy.tactics is not None:
        policy.tactics.run(acc)
    values = acc.values
    acc.out["metrics"] = {name: json_ready(values.get(name)) for name in policy.metrics.outputs}


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
        if plugin is None or os.environ.get(ENV_RAISE):
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


def evaluate_many(
    policy: CompiledPolicy,
    rows: Iterable[Mapping[str, Any]],
    *,
    as_of: date,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
    explain: str = "full",
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Evaluate a portfolio; returns (evaluations in input order, error records)."""
    evaluations: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    if not policy.uses_portfolio:
        for number, row in enumerate(rows, start=1):
            acc: AccountRun | None = None
            try:
                acc = _start(policy, row, number, as_of, explain)
                acc.previous = previous.get(acc.account_id) if previous else None
                _phase_a(policy, acc)
                _phase_b(policy, acc)
                _phase_c(policy, acc)
            except Exception as exc:
                errors.append(
                    _account_error(
                        policy, exc, acc.account_id if acc else _row_id(row), number, "evaluation"
                    )
                )
                continue
            evaluations.append(acc.out)
        return evaluations, errors

    runs: list[tuple[int, AccountRun]] = []
    for number, row in enumerate(rows, start=1):
        try:
            acc = _start(policy, row, number, as_of, explain)
            acc.previous = previous.get(acc.account_id) if previous else None
            _phase_a(policy, acc)
        except Exception as exc:
            errors.append(_account_error(policy, exc, _row_id(row), number, "metrics"))
            continue
        runs.append((number, acc))
    run_portfolio_phase([acc for _, acc in runs], policy.portfolio_calls, policy.metrics.portfolio)
    survivors: list[tuple[int, AccountRun]] = []
    for number, acc in runs:
        try:
            _phase_b(policy, acc)
        except Exception as exc:
            errors.append(_account_error(policy, exc, acc.account_id, number, "tier"))
            continue
        survivors.append((number, acc))
    if policy.tier is not None and policy.tier.caps:
        apply_caps(policy.tier, [acc for _, acc in survivors])
    for number, acc in survivors:
        try:
            _phase_c(policy, acc)
        except Exception as exc:
            errors.append(_account_error(policy, exc, acc.account_id, number, "evaluation"))
            continue
        evaluations.append(acc.out)
    errors.sort(key=lambda e: e["row"] or 0)
    return evaluations, errors


def _row_id(row: Mapping[str, Any]) -> str | None:
    value = row.get("id", row.get("account_id")) if isinstance(row, Mapping) else None
    return None if value is None else str(value)
