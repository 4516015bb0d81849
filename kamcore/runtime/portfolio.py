"""The portfolio phase: one pass over per-account values that fills every portfolio column.

Rules such as "top 20 % by revenue" or "cumulative share up to 80 %" need the whole portfolio.
After the per-account metrics of every account are known, each requested portfolio function
(``percentile(revenue_12m)``) and each portfolio metric runs once over a column of values (one
sort each), and its per-account results are written back into every account's namespace. No
account ever scans the portfolio.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import PluginError
from ..plugins import ENV_RAISE
from .context import AccountRun
from .metrics import MetricStep
from .rollups import run_rollups

if TYPE_CHECKING:
    from ..expr import PortfolioCall

__all__ = ["run_portfolio_phase"]


def run_portfolio_phase(
    runs: Sequence[AccountRun],
    calls: Mapping[str, PortfolioCall],
    metrics: Sequence[MetricStep],
) -> None:
    """Compute every portfolio column and store each account's value under its key.

    :raises PluginError: a portfolio function or metric raised, or returned the wrong number
        of results; the plugin and the capability are named. A portfolio rule failing concerns
        every account, so the run stops rather than mis-rank the rest.
    """
    for key, call in calls.items():
        column = [acc.values.get(call.argument) for acc in runs]
        results = _call(
            call.function.plugin,
            f"function `{call.function.name}`",
            lambda column=column, call=call: call.function.fn(column, *call.constants),
            len(runs),
        )
        for acc, value in zip(runs, results, strict=True):
            acc.values[key] = value
    run_rollups(runs, [step.rollup for step in metrics if step.rollup is not None])
    for step in metrics:
        metric = step.metric
        if metric is None:
            continue  # a roll-up, computed above
        columns = [[acc.values.get(name) for acc in runs] for name in step.inputs]
        results = _call(
            metric.plugin,
            f"metric `{metric.name}`",
            lambda metric=metric, columns=columns: metric.fn(*columns),
            len(runs),
        )
        for acc, value in zip(runs, results, strict=True):
            acc.values[step.name] = value


def _call(plugin: str, what: str, thunk: Any, expected: int) -> list[Any]:
    try:
        results = list(thunk())
    except Exception as exc:
        if os.environ.get(ENV_RAISE):
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
