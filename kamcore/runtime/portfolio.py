"""The portfolio phase: one pass over per-account values that fills every portfolio column.

Rules such as "top 20 % by revenue" or "cumulative share up to 80 %" need the whole portfolio.
After the per-account metrics of every account are known, each requested portfolio function
(``percentile(revenue_12m)``) and each portfolio metric runs once over a column of values (one
sort each), and its per-account results are written back into every account's namespace. No
account ever scans the portfolio.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import PluginError
from .context import AccountRun
from .metrics import MetricStep
from .rollups import compute_rollups

if TYPE_CHECKING:
    from ..expr import PortfolioCall

__all__ = ["compute_portfolio", "portfolio_inputs", "run_portfolio_phase"]


def portfolio_inputs(
    calls: Mapping[str, PortfolioCall], metrics: Sequence[MetricStep]
) -> tuple[str, ...]:
    """The per-account values the portfolio phase reads: all it needs to keep per account
    when the accounts themselves cannot all be held in memory."""
    names = [call.argument for call in calls.values()]
    for step in metrics:
        names.extend(step.inputs)
    return tuple(dict.fromkeys(names))


def compute_portfolio(
    ids: Sequence[str],
    columns: Mapping[str, Sequence[Any]],
    calls: Mapping[str, PortfolioCall],
    metrics: Sequence[MetricStep],
    *,
    raise_errors: bool = False,
) -> tuple[dict[str, list[Any]], dict[int, list[str]]]:
    """Every portfolio column, from the per-account inputs named by :func:`portfolio_inputs`.

    :returns: values key -> one value per account, and warnings by account position.
    :raises PluginError: a portfolio function or metric raised, or returned the wrong number
        of results; the plugin and the capability are named. A portfolio rule failing concerns
        every account, so the run stops rather than mis-rank the rest.
    """
    n = len(ids)
    results: dict[str, list[Any]] = {}
    for key, call in calls.items():
        column = list(columns[call.argument])
        results[key] = _call(
            call.function.plugin,
            f"function `{call.function.name}`",
            lambda column=column, call=call: call.function.fn(column, *call.constants),
            n,
            raise_errors,
        )
    rolled, warnings = compute_rollups(
        ids, columns, [step.rollup for step in metrics if step.rollup is not None]
    )
    results.update(rolled)
    for step in metrics:
        metric = step.metric
        if metric is None:
            continue  # a roll-up, computed above
        args = [list(columns[name]) for name in step.inputs]
        results[step.name] = _call(
            metric.plugin,
            f"metric `{metric.name}`",
            lambda metric=metric, args=args: metric.fn(*args),
            n,
            raise_errors,
        )
    return results, warnings


def run_portfolio_phase(
    runs: Sequence[AccountRun],
    calls: Mapping[str, PortfolioCall],
    metrics: Sequence[MetricStep],
    *,
    raise_errors: bool = False,
) -> None:
    """The portfolio phase over accounts held in memory: results go into each namespace."""
    names = portfolio_inputs(calls, metrics)
    columns = {name: [acc.values.get(name) for acc in runs] for name in names}
    ids = [acc.account_id for acc in runs]
    results, warnings = compute_portfolio(ids, columns, calls, metrics, raise_errors=raise_errors)
    for key, column in results.items():
        for acc, value in zip(runs, column, strict=True):
            acc.values[key] = value
    for i, messages in warnings.items():
        runs[i].out["warnings"].extend(messages)


def _call(plugin: str, what: str, thunk: Any, expected: int, raise_errors: bool) -> list[Any]:
    try:
        results = list(thunk())
    except Exception as exc:
        if raise_errors:
            raise
        raise PluginError(
            plugin, "portfolio phase", f"{what} raised {type(exc).__name__}: {exc}"
        ) from exc
    if len(results) != expected:
        raise PluginError(
            plugin,
            "portfolio phase",
            f"{what} returned {len(results)} results for {expected} accounts",
        )
    return results
