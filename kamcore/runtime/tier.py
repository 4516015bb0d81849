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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import AccountError
from ..types import STRING
from . import trace
from .context import AccountRun, CompileContext
from .rules import evaluate

if TYPE_CHECKING:
    from ..expr import CompiledExpr

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
            prev_state = _previous_state(acc.previous)
            count = prev_state.get("count", 0) + 1 if prev_state.get("pending") == raw else 1
            if count < self.downgrade_after:
                tier = previous
                state = {"pending": raw, "count": count}
                trace.record(
                    acc,
                    "tier.downgrade_after",
                    "hysteresis",
                    (),
                    f"stays `{previous}`: `{raw}` came out {count} of "
                    f"{self.downgrade_after} evaluations in a row",
                )
        acc.values["tier"] = tier
        acc.out["tier"] = tier
        acc.out["state"]["tier"] = state


def _previous_tier(previous: Mapping[str, Any] | None) -> Any:
    return None if previous is None else previous.get("tier")


def _previous_state(previous: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if previous is None:
        return {}
    state = previous.get("state") or {}
    tier_state = state.get("tier") if isinstance(state, Mapping) else None
    return tier_state if isinstance(tier_state, Mapping) else {}


def compile_tier(
    ctx: CompileContext, spec: Mapping[str, Any], tier_table: str | None
) -> TierSection | None:
    """Compile ``[tier]``. ``tier_table`` is the id of the table whose output is ``tier``."""
    values = tuple(spec.get("values", ()))
    if len(set(values)) != len(values):
        ctx.problem("tier.values lists a tier twice", "tier.values")
    expr: CompiledExpr | None = None
    table = spec.get("table")
    if table is not None and table != tier_table:
        ctx.problem(
            f"tier.table names `{table}`, but "
            + (
                f"the table with output `tier` is `{tier_table}`"
                if tier_table
                else "no decision table has an output named `tier`"
            ),
            "tier.table",
        )
    if "expr" in spec:
        if tier_table is not None:
            ctx.problem(
                f"tier.expr and table `{tier_table}` both decide the tier; keep one", "tier.expr"
            )
        expr = ctx.expr(spec["expr"], "tier.expr", STRING)
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
