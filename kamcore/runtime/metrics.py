"""Metrics: the policy's own ``[metrics]`` expressions and the plugins' metric functions, put in
dependency order once, at compile time.

Only metrics the policy actually reads (directly or through other metrics) are computed per
account, so a rich plugin vocabulary costs nothing for a policy that ignores most of it.
Metrics that depend on the portfolio (a portfolio metric, or an expression with ``percentile()``
and the like, or anything built on those) are split off into a second phase that runs after the
portfolio statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..registry import Metric
from ..types import ANY, Type, as_type_name
from .context import CompileContext
from .rollups import Rollup

if TYPE_CHECKING:
    from ..expr import CompiledExpr

__all__ = ["MetricPlan", "MetricStep", "compile_metrics"]


@dataclass(frozen=True)
class MetricStep:
    """One metric, ready to run.

    :param compute: per-account: ``compute(values) -> value``. For a portfolio metric it is
        ``None`` and :attr:`metric` is run over columns by the portfolio phase.
    :param key_path: where the metric is defined (``metrics.growth``) or which plugin supplied it.
    """

    name: str
    inputs: tuple[str, ...]
    compute: Callable[[Mapping[str, Any]], Any] | None
    key_path: str
    plugin: str | None
    portfolio_dependent: bool
    metric: Metric | None = None
    rollup: Rollup | None = None
    #: the checked expression of a policy metric (``[metrics]``), for code generation
    expr: CompiledExpr | None = None


@dataclass(frozen=True)
class MetricPlan:
    """Metrics in the order they run: per-account before the portfolio phase (``before``), the
    portfolio metrics themselves (``portfolio``), then those depending on them (``after``).
    ``outputs`` lists the metrics reported in the evaluation, in a stable order."""

    before: tuple[MetricStep, ...]
    portfolio: tuple[MetricStep, ...]
    after: tuple[MetricStep, ...]
    outputs: tuple[str, ...]


def _plugin_step(metric: Metric) -> Callable[[Mapping[str, Any]], Any]:
    fn = metric.fn
    inputs = metric.inputs
    if metric.handles_missing:
        return lambda values: fn(*[values[n] for n in inputs])

    def compute(values: Mapping[str, Any]) -> Any:
        args = [values[n] for n in inputs]
        if None in args:
            return None
        return fn(*args)

    return compute


def declare_metric_names(ctx: CompileContext, policy_metrics: Mapping[str, Any]) -> None:
    """Make every plugin metric and policy metric name visible (types refined later)."""
    for name, metric in ctx.registry.metrics.items():
        if name not in ctx.names:
            ctx.declare(name, metric.value_type)
    for name in policy_metrics:
        ctx.declare(name, ANY.as_optional())


def rollup_step(rollup: Rollup) -> MetricStep:
    """A roll-up as a step of the portfolio phase."""
    return MetricStep(
        name=rollup.name,
        inputs=rollup.inputs,
        compute=None,
        key_path=rollup.key_path,
        plugin=None,
        portfolio_dependent=True,
        rollup=rollup,
    )


def compile_metrics(
    ctx: CompileContext,
    policy_metrics: Mapping[str, Any],
    fact_names: set[str],
    rollups: Sequence[Rollup] = (),
) -> tuple[dict[str, MetricStep], list[str]]:
    """Compile the policy's ``[metrics]`` and wrap the plugins' metrics.

    :returns: every metric step by name (not yet pruned to what is used) and the policy metric
        names in document order. Problems (unknown names, type mismatches, cycles, a metric
        named like a fact) are recorded on ``ctx``.
    """
    steps: dict[str, MetricStep] = {r.name: rollup_step(r) for r in rollups}
    for name, metric in ctx.registry.metrics.items():
        if name in fact_names:
            continue  # the policy maps this value from its inputs: the input wins
        steps[name] = MetricStep(
            name=name,
            inputs=metric.inputs,
            compute=None if metric.portfolio else _plugin_step(metric),
            key_path=f"metrics.{name}",
            plugin=metric.plugin,
            portfolio_dependent=metric.portfolio,
            metric=metric,
        )

    specs: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for name, raw in policy_metrics.items():
        key = f"metrics.{name}"
        if name in fact_names:
            ctx.problem(f"metric `{name}` has the name of a fact; choose another name", key)
            continue
        if isinstance(raw, str):
            specs[name] = (raw, {})
        elif isinstance(raw, Mapping) and isinstance(raw.get("expr"), str):
            specs[name] = (raw["expr"], raw)
        else:
            ctx.problem(f'metric `{name}` needs an expression: `{name} = "..."`', key)

    # Pass 1: which policy metrics does each one read? (others typed `any` for now)
    deps: dict[str, list[str]] = {}
    probe_problems = len(ctx.problems)
    for name, (source, _) in specs.items():
        compiled = ctx.expr(source, _expr_key(name, specs[name][1]))
        deps[name] = [n for n in compiled.names if n in specs] if compiled else []
    if len(ctx.problems) > probe_problems:
        return steps, list(specs)

    order = _topological(ctx, deps)
    # Pass 2: compile in dependency order with the real types.
    for name in order:
        source, spec = specs[name]
        key = _expr_key(name, spec)
        compiled = ctx.expr(source, key)  # cycles were refused above
        if compiled is None:
            continue
        result_type = compiled.type
        declared = spec.get("type")
        if isinstance(declared, str):
            from ..types import parse_type

            try:
                want = parse_type(declared, unit=spec.get("unit"))
            except ValueError as exc:
                ctx.problem(str(exc), f"metrics.{name}.type")
                want = result_type
            if not want.accepts(result_type.as_optional(False)) and result_type.kind != "any":
                ctx.problem(
                    f"metric `{name}` is declared `{as_type_name(want)}` but its expression "
                    f"gives `{as_type_name(result_type)}`",
                    f"metrics.{name}.type",
                )
            result_type = Type(want.kind, True, want.item, want.unit)
        ctx.declare(name, result_type.as_optional())
        portfolio_dependent = bool(compiled.portfolio_calls) or any(
            steps[n].portfolio_dependent for n in compiled.names if n in steps
        )
        steps[name] = MetricStep(
            name=name,
            inputs=compiled.names,
            compute=compiled.fn,
            key_path=key,
            plugin=None,
            portfolio_dependent=portfolio_dependent,
            expr=compiled,
        )
    # plugin metrics built on portfolio metrics are portfolio-dependent too
    _propagate_portfolio(steps)
    return steps, [n for n in specs if n in steps]


def _expr_key(name: str, spec: Mapping[str, Any]) -> str:
    return f"metrics.{name}.expr" if spec else f"metrics.{name}"


def _topological(ctx: CompileContext, deps: Mapping[str, list[str]]) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        mark = state.get(name)
        if mark == 2:
            return
        if mark == 1:
            cycle = " -> ".join([*path[path.index(name) :], name])
            ctx.problem(f"metrics depend on each other in a cycle: {cycle}", f"metrics.{name}")
            return
        state[name] = 1
        for dep in deps.get(name, []):
            visit(dep, [*path, name])
        state[name] = 2
        order.append(name)

    for name in deps:
        visit(name, [])
    return order


def _propagate_portfolio(steps: dict[str, MetricStep]) -> None:
    changed = True
    while changed:
        changed = False
        for name, step in list(steps.items()):
            if step.portfolio_dependent:
                continue
            if any(steps[n].portfolio_dependent for n in step.inputs if n in steps):
                steps[name] = replace(step, portfolio_dependent=True)
                changed = True


def plan_metrics(
    ctx: CompileContext, steps: Mapping[str, MetricStep], policy_order: list[str]
) -> MetricPlan:
    """Prune to the metrics the policy reads and order them for the pipeline."""
    needed: list[str] = []
    seen: set[str] = set()

    def need(name: str, stack: tuple[str, ...]) -> None:
        if name in seen or name not in steps:
            return
        if name in stack:
            ctx.problem(
                f"metric `{name}` depends on itself through {' -> '.join(stack)}",
                steps[name].key_path,
            )
            return
        for dep in steps[name].inputs:
            need(dep, (*stack, name))
        seen.add(name)
        needed.append(name)

    for name in policy_order:
        need(name, ())
    for name in sorted(ctx.used):
        need(name, ())
    for call in ctx.portfolio_calls.values():
        need(call.argument, ())
        if steps.get(call.argument) is not None and steps[call.argument].portfolio_dependent:
            ctx.problem(
                f"`{call.key}` ranks `{call.argument}`, which itself depends on the portfolio; "
                "portfolio rules work on per-account values",
                steps[call.argument].key_path,
            )

    for name in needed:
        step = steps[name]
        if step.plugin is None:
            continue  # policy metrics were checked as expressions
        for dep in step.inputs:
            if dep not in ctx.names:
                ctx.problem(
                    f'metric `{name}` of plugin "{step.plugin}" reads `{dep}`, which no fact, '
                    "input or metric declares (a typo in the plugin's Metric inputs?)",
                    step.key_path,
                )

    before = tuple(steps[n] for n in needed if not steps[n].portfolio_dependent)
    portfolio = tuple(
        steps[n] for n in needed if steps[n].portfolio_dependent and steps[n].compute is None
    )
    after = tuple(
        steps[n] for n in needed if steps[n].portfolio_dependent and steps[n].compute is not None
    )
    for step in portfolio:
        for dep in step.inputs:
            if dep in steps and steps[dep].portfolio_dependent:
                what = "roll-up" if step.rollup is not None else "portfolio metric"
                ctx.problem(
                    f"{what} `{step.name}` reads `{dep}`, which itself depends on the portfolio",
                    step.key_path,
                )
    outputs = tuple(dict.fromkeys([*policy_order, *needed]))
    return MetricPlan(before, portfolio, after, outputs)
