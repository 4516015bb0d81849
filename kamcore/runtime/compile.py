"""Compiling a policy document into a :class:`CompiledPolicy`, once, with every problem found.

Sections are compiled in pipeline order so each expression sees exactly the names decided before
it (inputs → metrics → scorecards → tables → tier → segments → lifecycle → alerts → risk →
tactics); a name from a later stage is refused with the reason. Problems are collected across
all sections and raised together as one :class:`~kamcore.errors.PolicyError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import PolicyError
from ..registry import Fact
from ..types import DATE, Type, parse_type
from .context import CompileContext
from .inputs import FactInput, InputReader
from .metrics import MetricPlan, compile_metrics, declare_metric_names, plan_metrics
from .rollups import check_rollups, compile_rollups
from .segments import SegmentSection, compile_segments
from .tier import TierSection, compile_tier

if TYPE_CHECKING:
    from ..expr import PortfolioCall
    from ..policy import PolicyDocument
    from ..registry import Registry
    from .alerts import CompiledAlerts, CompiledRisk
    from .lifecycle import CompiledLifecycle
    from .scorecards import CompiledScorecard
    from .tables import CompiledTable
    from .tactics import CompiledTactics

__all__ = ["PIPELINE", "CompiledPolicy", "compile_policy"]

#: The order sections run in; an expression may read names decided by earlier sections only.
PIPELINE = (
    "inputs",
    "metrics",
    "rollups",
    "scorecards",
    "tables",
    "tier",
    "segments",
    "lifecycle",
    "alerts",
    "risk",
    "tactics",
)
_LATER = "it is decided later in the pipeline (" + " → ".join(PIPELINE) + ")"


@dataclass(frozen=True)
class CompiledPolicy:
    """Everything needed to evaluate accounts; plain Python objects, no plugin calls."""

    id: str
    version: str
    content_hash: str
    currency: str | None
    reader: InputReader
    metrics: MetricPlan
    portfolio_calls: Mapping[str, PortfolioCall]
    scorecards: tuple[CompiledScorecard, ...]
    tables: tuple[CompiledTable, ...]
    tier: TierSection | None
    segments: SegmentSection | None
    lifecycle: CompiledLifecycle | None
    alerts: CompiledAlerts
    risk: CompiledRisk | None
    tactics: CompiledTactics | None
    tests: tuple[Mapping[str, Any], ...]
    function_codes: Mapping[Any, tuple[str, str]]
    raise_plugin_errors: bool = False

    @property
    def uses_portfolio(self) -> bool:
        """Whether evaluation needs the whole portfolio (portfolio functions, metrics, caps)."""
        return bool(
            self.portfolio_calls
            or self.metrics.portfolio
            or (self.tier is not None and self.tier.caps)
        )

    def stamp(self) -> dict[str, str]:
        """The policy stamp every evaluation carries."""
        return {"id": self.id, "version": self.version, "hash": self.content_hash}


def _later_names(data: Mapping[str, Any]) -> dict[str, str]:
    later: dict[str, str] = {}
    for sc_id in data.get("scorecards", {}):
        later[f"score.{sc_id}"] = _LATER
        later[f"band.{sc_id}"] = _LATER
    for table in data.get("tables", {}).values():
        for output in table.get("outputs", ()) if isinstance(table, Mapping) else ():
            later[str(output)] = _LATER
    for name in (
        "tier",
        "segments",
        "stage",
        "previous_stage",
        "stage_changed",
        "days_in_stage",
        "alerts",
        "alert_points",
        "risk",
        "risk_score",
    ):
        later[name] = _LATER
    return later


def _compile_inputs(
    ctx: CompileContext, inputs: Mapping[str, Any], currency: str | None
) -> dict[str, FactInput]:
    facts: dict[str, FactInput] = {}
    for name, spec in inputs.items():
        key = f"inputs.{name}"
        registered = ctx.registry.facts.get(name)
        type_name = spec.get("type")
        if type_name is None and registered is None:
            ctx.problem(
                f"input `{name}` needs a `type`: no plugin declares a fact of that name", key
            )
            continue
        money = type_name == "money" or (type_name is None and _is_money(registered))
        try:
            if type_name is not None:
                unit = spec.get("currency") or spec.get("unit")
                if type_name == "money":
                    unit = unit or currency
                base = parse_type(type_name, unit=unit)
            else:
                assert registered is not None
                base = registered.value_type
                if money:
                    base = replace(base, unit=spec.get("currency") or base.unit or currency)
        except ValueError as exc:
            ctx.problem(str(exc), f"{key}.type")
            continue
        if registered is not None and type_name is not None:
            want = registered.value_type
            if not want.as_optional(True).accepts(base) and want.kind != "any":
                ctx.problem(
                    f"input `{name}` is typed `{base.kind}`, but plugin "
                    f'"{registered.plugin}" declares it `{want.kind}`',
                    f"{key}.type",
                )
        required = bool(spec.get("required", False))
        allowed = spec.get("values")
        facts[name] = FactInput(
            name=name,
            column=spec.get("column", name),
            type=Type(
                base.kind,
                not required,
                base.item,
                base.unit,
                frozenset(allowed) if allowed else None,
            ),
            required=required,
            default=spec.get("default"),
            format=spec.get("format"),
            allowed=frozenset(allowed) if allowed else None,
            currency=base.unit if money else None,
        )
        if facts[name].default is not None:
            try:  # the reader converts defaults once; report a bad one here, located
                InputReader({name: facts[name]}, {})
            except ValueError as exc:
                ctx.problem(str(exc).removeprefix(f"inputs.{name}: "), f"{key}.default")
                del facts[name]
                continue
        ctx.declare(name, facts[name].type)
    return facts


def compile_policy(
    doc: PolicyDocument, registry: Registry, *, raise_plugin_errors: bool = False
) -> CompiledPolicy:
    """Compile a validated policy document against the capabilities the plugins registered.

    :param raise_plugin_errors: let a plugin's exception propagate during evaluation instead of
        becoming the account's error record (``KAMCORE_RAISE_PLUGIN_ERRORS``, read by the
        engine's plugin host from the environment it was given).

    :raises PolicyError: with every problem found, each located in its file.
    """
    from .alerts import compile_alerts, compile_risk
    from .lifecycle import compile_lifecycle
    from .scorecards import compile_scorecard
    from .tables import compile_table
    from .tactics import compile_tactics

    data = doc.data
    header = data.get("policy", {})
    currency = header.get("currency")
    ctx = CompileContext(doc=doc, registry=registry, later=_later_names(data))

    # inputs and facts
    for name, fact in registry.facts.items():
        ctx.declare(name, fact.value_type)
    ctx.declare("as_of", DATE)
    fact_inputs = _compile_inputs(ctx, data.get("inputs", {}), currency)
    fact_names = set(registry.facts) | set(fact_inputs)

    # metrics and hierarchy roll-ups
    policy_metrics = data.get("metrics", {})
    declare_metric_names(ctx, policy_metrics)
    for name in fact_inputs:  # an input shadows a plugin metric of the same name
        ctx.declare(name, fact_inputs[name].type)
    rollups = compile_rollups(ctx, data.get("rollups", {}))
    steps, policy_order = compile_metrics(ctx, policy_metrics, set(fact_inputs), rollups)
    check_rollups(ctx, rollups)
    policy_order.extend(r.name for r in rollups)

    # scorecards
    scorecards = []
    for sc_id, spec in data.get("scorecards", {}).items():
        compiled_sc = compile_scorecard(ctx, sc_id, spec)
        if compiled_sc is not None:
            scorecards.append(compiled_sc)

    # decision tables; `tier` becomes visible only after the [tier] section
    tables = []
    tier_table: str | None = None
    for table_id, spec in data.get("tables", {}).items():
        compiled_table = compile_table(ctx, table_id, spec)
        if compiled_table is None:
            continue
        tables.append(compiled_table)
        for output, out_type in compiled_table.output_types().items():
            if output == "tier":
                if tier_table is not None:
                    ctx.problem(
                        f"tables `{tier_table}` and `{table_id}` both decide `tier`",
                        f"tables.{table_id}.outputs",
                    )
                tier_table = table_id
            elif output in ctx.names:
                # an output would replace a fact, a metric or an earlier table's output in
                # every later expression: refuse it rather than shadow silently
                ctx.problem(
                    f"output `{output}` of table `{table_id}` has the name of a fact, a metric "
                    "or an earlier table's output; choose another name",
                    f"tables.{table_id}.outputs",
                )
            else:
                ctx.declare(output, _with_choices(out_type, compiled_table.output_values, output))

    # tier
    tier: TierSection | None = None
    tier_spec = data.get("tier")
    if tier_spec is not None or tier_table is not None:
        decider = next((t for t in tables if t.id == tier_table), None)
        tier = compile_tier(ctx, tier_spec or {}, decider)
    tier_values = frozenset(tier.values) if tier is not None and tier.values else None
    ctx.declare("tier", Type("string", True, None, None, tier_values))

    # segments
    segments = compile_segments(ctx, data.get("segments", {}), {t.id for t in tables})

    # lifecycle, alerts, risk, tactics
    lifecycle = None
    if "lifecycle" in data:
        lifecycle = compile_lifecycle(ctx, data["lifecycle"])
    alerts = compile_alerts(ctx, data.get("alerts", []))
    risk = compile_risk(ctx, data["risk"]) if "risk" in data else None
    tactics = compile_tactics(ctx, data["tactics"]) if "tactics" in data else None

    plan = plan_metrics(ctx, steps, policy_order)
    for key, call in ctx.portfolio_calls.items():
        if call.argument not in fact_names and call.argument not in steps:
            # scores, table outputs, the tier ... are decided after the portfolio pass: their
            # column would be all missing, and every rank or percentile silently missing too
            ctx.problem(
                f"`{key}` ranks `{call.argument}`, which is decided after the portfolio "
                "statistics are taken; portfolio functions rank facts and metrics",
                ctx.portfolio_sites.get(key, "policy"),
            )
    if ctx.problems or alerts is None:  # alerts is None only with problems; narrows the type
        raise PolicyError(sorted(ctx.problems, key=lambda p: p.location.sort_key))

    read_facts = tuple(sorted(n for n in ctx.used | set(plan.outputs) if n in fact_names))
    read_facts = tuple(dict.fromkeys([*read_facts, *_all_inputs(plan, fact_names)]))
    # The reader converts only the plugin facts this policy reads: a rich vocabulary costs
    # nothing per row for a policy that ignores most of it.
    known = {
        name: registry.facts[name].value_type
        for name in read_facts
        if name in registry.facts and name not in fact_inputs
    }
    # plugin money facts are read like declared money inputs, so "¥1,234" in the policy's
    # currency is accepted for them too
    money_inputs = {
        name: _money_input(registry.facts[name], currency)
        for name in known
        if _is_money(registry.facts[name])
    }
    for name in money_inputs:
        del known[name]
    reader = InputReader({**fact_inputs, **money_inputs}, known)
    return CompiledPolicy(
        id=str(header.get("id", "")),
        version=str(header.get("version", "")),
        content_hash=doc.content_hash,
        currency=currency,
        reader=reader,
        metrics=plan,
        portfolio_calls=dict(ctx.portfolio_calls),
        scorecards=tuple(scorecards),
        tables=tuple(tables),
        tier=tier,
        segments=segments,
        lifecycle=lifecycle,
        alerts=alerts,
        risk=risk,
        tactics=tactics,
        tests=tuple(data.get("tests", ())),
        function_codes={
            f.fn.__code__: (f.name, f.plugin)
            for f in registry.functions.values()
            if hasattr(f.fn, "__code__")
        },
        raise_plugin_errors=raise_plugin_errors,
    )


def _is_money(fact: Fact | None) -> bool:
    """Whether a registered fact was declared as money (the ``money`` type name)."""
    return fact is not None and isinstance(fact.type, str) and fact.type.strip() == "money"


def _money_input(fact: Fact, currency: str | None) -> FactInput:
    """A plugin's money fact, read from the column of its name in its or the policy's currency."""
    unit = fact.unit or currency
    value_type = replace(fact.value_type, unit=unit)
    return FactInput(
        name=fact.name,
        column=fact.name,
        type=value_type,
        required=fact.required,
        currency=unit,
        declared=False,
    )


def _with_choices(out_type: Type, output_values: Mapping[str, Any], output: str) -> Type:
    """A string output with declared values carries them, so a comparison with any other
    literal (``tier == 'Ka'``) is refused when the policy loads."""
    declared = output_values.get(output)
    if not declared or not all(isinstance(v, str) for v in declared):
        return out_type
    if out_type.kind == "string":
        return replace(out_type, choices=frozenset(declared))
    if out_type.kind == "list" and out_type.item is not None and out_type.item.kind == "string":
        return replace(out_type, item=replace(out_type.item, choices=frozenset(declared)))
    return out_type


def _all_inputs(plan: MetricPlan, fact_names: set[str]) -> list[str]:
    names: list[str] = []
    for step in (*plan.before, *plan.portfolio, *plan.after):
        names.extend(n for n in step.inputs if n in fact_names)
    return names
