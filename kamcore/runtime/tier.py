"""The tier: a decision table's or an expression's verdict, then hysteresis, then caps.

* **Hysteresis** (``downgrade_after = N``): an upgrade applies at once; a downgrade only after
  the lower tier has come out N evaluations in a row. The count travels in the evaluation's
  ``state.tier`` and is read back from the previous evaluation the caller passes.
* **Caps** (``[[tier.caps]] value = "KA", max = 25, order_by = "revenue_12m"``): a portfolio
  rule applied once every account has its tier. The accounts of a capped tier are ranked by the
  stated metric (highest first, ties by account id); those past the cap fall to the next tier
  in ``values``, which may itself be capped.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import AccountError
from ..types import STRING
from . import trace
from .context import AccountRun, CompileContext
from .rules import did_you_mean, evaluate, previous_state

if TYPE_CHECKING:
    from ..expr import CompiledExpr
    from .tables import CompiledTable

__all__ = ["Cap", "TierSection", "apply_caps", "cap_demotions", "compile_tier", "demote"]


@dataclass(frozen=True)
class Cap:
    """At most ``max`` accounts in tier ``value``, ranked by ``order_by``."""

    value: str
    max: int
    order_by: str
    key_path: str


@dataclass(frozen=True)
class TierSection:
    """The compiled ``[tier]`` section."""

    values: tuple[str, ...]
    expr: CompiledExpr | None
    table: str | None
    downgrade_after: int
    caps: tuple[Cap, ...]

    def decide(self, acc: AccountRun, raw: Any) -> None:
        """Set the account's tier from ``raw`` (the table's output, or ``None`` to use
        :attr:`expr`), applying hysteresis against the previous evaluation."""
        if self.expr is not None:
            raw = evaluate(self.expr, acc, "tier.expr")
            trace.record(acc, "tier.expr", "tier", self.expr.names)
        if raw is not None and self.values and raw not in self.values:
            raise AccountError(
                acc.account_id,
                "tier",
                f"the tier came out as `{raw}`, which is not one of tier.values "
                f"{list(self.values)}",
            )
        tier = raw
        state = {"pending": None, "count": 0}
        previous = _previous_tier(acc.previous)
        if (
            self.downgrade_after > 1
            and previous in self.values
            and raw in self.values
            and self.values.index(raw) > self.values.index(previous)
        ):
            # Count evaluations in a row that came out below the previous tier, whichever lower
            # tier it was (NA, then standard, then NA is three below KA); at N, downgrade to
            # the latest.
            prev_state = previous_state(acc, "tier")
            pending, counted = prev_state.get("pending"), prev_state.get("count")
            below = pending in self.values and self.values.index(pending) > self.values.index(
                previous
            )
            count = counted + 1 if below and isinstance(counted, int) and counted > 0 else 1
            if count < self.downgrade_after:
                tier = previous
                state = {"pending": raw, "count": count}
                trace.record(
                    acc,
                    "tier.downgrade_after",
                    "hysteresis",
                    (),
                    f"stays `{previous}`: a lower tier (now `{raw}`) came out {count} of "
                    f"{self.downgrade_after} evaluations in a row",
                )
        acc.values["tier"] = tier
        acc.out["tier"] = tier
        acc.out["state"]["tier"] = state


def _previous_tier(previous: Mapping[str, Any] | None) -> Any:
    return None if previous is None else previous.get("tier")


def compile_tier(
    ctx: CompileContext, spec: Mapping[str, Any], table: CompiledTable | None
) -> TierSection | None:
    """Compile ``[tier]``. ``table`` is the decision table whose output is ``tier``, if any.

    Everything the tier can come out as is checked here, so a typo in a row (``"Ka"``) or a
    multiple-hit table is a problem when the policy loads, not an error on every account.
    """
    tier_table = table.id if table is not None else None
    values = tuple(spec.get("values", ()))
    if not values and table is not None:
        values = tuple(table.output_values.get("tier", ()))
    if len(set(values)) != len(values):
        ctx.problem("tier.values lists a tier twice", "tier.values")
    expr: CompiledExpr | None = None
    named = spec.get("table")
    if named is not None and named != tier_table:
        ctx.problem(
            f"tier.table names `{named}`, but "
            + (
                f"the table with output `tier` is `{tier_table}`"
                if tier_table
                else "no decision table has an output named `tier`"
            ),
            "tier.table",
        )
    if table is not None:
        _check_tier_table(ctx, table, values)
    if "expr" in spec:
        if tier_table is not None:
            ctx.problem(
                f"tier.expr and table `{tier_table}` both decide the tier; keep one", "tier.expr"
            )
        expr = ctx.expr(spec["expr"], "tier.expr", STRING)
        if expr is not None and values:
            _check_classifier_labels(ctx, expr, values)
    elif tier_table is None and (values or spec.get("caps")):
        ctx.problem("[tier] needs `expr`, or a decision table with an output named `tier`", "tier")
    downgrade_after = int(spec.get("downgrade_after", 1))
    if downgrade_after > 1 and not values:
        ctx.problem(
            "tier.downgrade_after needs tier.values to know which way is down",
            "tier.downgrade_after",
        )
    caps: list[Cap] = []
    for i, raw_cap in enumerate(spec.get("caps", ())):
        key = f"tier.caps[{i}]"
        value, order_by = raw_cap.get("value"), raw_cap.get("order_by")
        if value not in values:
            ctx.problem(
                f"cap on `{value}`, which is not one of tier.values {list(values)}", f"{key}.value"
            )
            continue
        if values.index(value) == len(values) - 1:
            ctx.problem(
                f"cap on `{value}`, the last tier: the accounts over the cap would have "
                "no tier to fall to",
                f"{key}.value",
            )
        if not isinstance(order_by, str) or order_by not in ctx.names:
            ctx.expr(str(order_by), f"{key}.order_by")  # reports unknown name with a suggestion
            continue
        if not ctx.names[order_by].is_numeric:
            ctx.problem(
                f"caps are ordered by a number; `{order_by}` is {ctx.names[order_by].kind}",
                f"{key}.order_by",
            )
        ctx.use(order_by)
        caps.append(Cap(value, int(raw_cap.get("max", 0)), order_by, key))
    return TierSection(values, expr, tier_table, downgrade_after, tuple(caps))


def _check_tier_table(ctx: CompileContext, table: CompiledTable, values: tuple[str, ...]) -> None:
    key = f"tables.{table.id}"
    if table.multi_hit:
        ctx.problem(
            f"table `{table.id}` decides `tier`, so it must give one value per account: use a "
            f"single-hit policy (UNIQUE, ANY, FIRST or PRIORITY), not {table.hit}",
            f"{key}.hit",
        )
        return
    if not values:
        return
    column = table.outputs.index("tier")
    for row in table.rows:
        value = row.then[column]
        if value not in values:
            ctx.problem(
                f"`{value}` is not one of tier.values ({', '.join(values)})"
                + did_you_mean(str(value), values),
                f"{key}.rules[{row.id}].then[{column}]",
            )
    default = table.default.get("tier")
    if default is not None and default not in values:
        ctx.problem(
            f"`{default}` is not one of tier.values ({', '.join(values)})"
            + did_you_mean(str(default), values),
            f"{key}.default.tier",
        )


def _check_classifier_labels(
    ctx: CompileContext, expr: CompiledExpr, values: tuple[str, ...]
) -> None:
    """``tier.expr = "some_classifier(x)"``: its declared labels must all be tiers."""
    source_call = ast.parse(expr.source.strip(), mode="eval").body  # already checked: parses
    if not (isinstance(source_call, ast.Call) and isinstance(source_call.func, ast.Name)):
        return
    classifier = ctx.registry.classifiers.get(source_call.func.id)
    if classifier is None:
        return
    unknown = [label for label in classifier.labels if label not in values]
    if unknown:
        ctx.problem(
            f"classifier `{classifier.name}` can give {', '.join(f'`{u}`' for u in unknown)}, "
            f"which tier.values ({', '.join(values)}) does not list",
            "tier.expr",
        )


def cap_demotions(
    section: TierSection,
    ids: Sequence[str],
    tiers: Sequence[str | None],
    order_values: Mapping[str, Sequence[Any]],
) -> dict[int, list[tuple[str, Cap, str]]]:
    """Which accounts the caps demote, from each account's tier and ranking values only.

    Caps run in tier order, so an account falling into a capped tier competes there too.

    :param order_values: each cap's ``order_by`` name -> its value for every account.
    :returns: account position -> each demotion in order: (the tier it fell to, the cap, the
        note); the last tier is the account's final one.
    """
    current = list(tiers)
    demoted: dict[int, list[tuple[str, Cap, str]]] = {}
    for cap in sorted(section.caps, key=lambda c: section.values.index(c.value)):
        members = [i for i, tier in enumerate(current) if tier == cap.value]
        if len(members) <= cap.max:
            continue
        column = order_values[cap.order_by]
        members.sort(key=lambda i: _rank_key(column[i], ids[i]))
        fallback = section.values[section.values.index(cap.value) + 1]
        for position, i in enumerate(members[cap.max :], start=cap.max + 1):
            current[i] = fallback
            note = (
                f"over the cap of {cap.max} `{cap.value}` (ranked {position} by "
                f"{cap.order_by}); falls to `{fallback}`"
            )
            demoted.setdefault(i, []).append((fallback, cap, note))
    return demoted


def apply_caps(section: TierSection, runs: Sequence[AccountRun]) -> None:
    """Apply the caps to accounts held in memory."""
    order_values = {
        cap.order_by: [acc.values.get(cap.order_by) for acc in runs] for cap in section.caps
    }
    demoted = cap_demotions(
        section, [acc.account_id for acc in runs], [acc.out["tier"] for acc in runs], order_values
    )
    for i, steps in demoted.items():
        for tier, cap, note in steps:
            demote(runs[i], tier, cap, note)


def demote(acc: AccountRun, tier: str, cap: Cap, note: str) -> None:
    """Set the tier a cap gave the account, with the fired-rule record saying why."""
    acc.values["tier"] = tier
    acc.out["tier"] = tier
    trace.record(acc, cap.key_path, "cap", (cap.order_by,), note)


def _rank_key(value: Any, account_id: str) -> tuple[int, float, str]:
    if value is None:
        return (1, 0.0, account_id)
    return (0, -float(value), account_id)
