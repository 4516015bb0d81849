"""The ``[tactics]`` section: which retention tactics to propose, in what order, and how many.

Playbook tools fire every matching call-to-action and leave the account manager to sort out
duplicates. Here the firing rules are sorted by priority (lower is more urgent; ties keep rule
order), a tactic proposed twice is kept once, and a per-account cap keeps the list actionable.
Whatever is merged or dropped is said in the evaluation's warnings, never silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..registry import DIMENSIONS, Tactic
from ..types import BOOLEAN
from .checks import whole_number
from .context import AccountRun, CompileContext
from .rules import did_you_mean, evaluate
from .templates import Template, compile_template
from .trace import record

if TYPE_CHECKING:
    from ..expr import CompiledExpr

__all__ = ["POLICY_CATALOGUE", "CompiledTactics", "TacticRule", "compile_tactics"]

#: The ``plugin`` recorded on tactics defined in the policy's own catalogue.
POLICY_CATALOGUE = "policy"


@dataclass(frozen=True, slots=True)
class TacticRule:
    """One ``[[tactics.rules]]`` entry, with the catalogue defaults already applied.

    :param path: its key path, ``tactics.rules[<id>]``, reported as the tactic's ``rule``.
    """

    id: str
    when: CompiledExpr
    tactic: Tactic
    priority: int
    reason: Template
    owner_role: str
    due_in_days: int
    path: str


@dataclass(frozen=True, slots=True)
class CompiledTactics:
    """The tactic rules in declared order, and the per-account cap (``None``: no cap)."""

    rules: tuple[TacticRule, ...]
    max_per_account: int | None
    #: the rules by priority, ties in declared order: sorted once here, so that the firing
    #: rules of an account come out in proposal order from a filter, with no sort per account
    by_priority: tuple[TacticRule, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_priority", tuple(sorted(self.rules, key=_priority)))

    def run(self, acc: AccountRun) -> None:
        """Propose the tactics of the firing rules: by priority, each tactic once, capped."""
        firing = [r for r in self.by_priority if evaluate(r.when, acc, r.path)]
        kept, warnings, notes = self.select(firing)
        acc.out["tactics"] = [proposal(rule, acc.values) for rule in kept]
        if warnings:
            acc.out.setdefault("warnings", []).extend(warnings)
        if acc.fired is not None:
            # the trace lists rules in declared order, like every other section's
            fired = {rule.id for rule in firing}
            for rule in self.rules:
                if rule.id in fired:
                    record(acc, rule.path, "tactic", rule.when.names, notes.get(rule.id))

    def select(
        self, firing: list[TacticRule]
    ) -> tuple[list[TacticRule], list[str], dict[str, str]]:
        """The rules whose tactics are proposed (each tactic once, capped), the warnings about
        the others, and a note per merged or dropped rule; ``firing`` is in priority order."""
        kept: dict[str, TacticRule] = {}
        notes: dict[str, str] = {}
        warnings: list[str] = []
        cap = self.max_per_account
        for rule in firing:
            tactic_id = rule.tactic.id
            first = kept.get(tactic_id)
            if first is not None:
                warnings.append(
                    f"tactic `{tactic_id}` proposed by rules `{first.id}` and `{rule.id}`; "
                    f"kept `{first.id}`"
                )
                notes[rule.id] = f"duplicate of rule `{first.id}`"
            elif cap is not None and len(kept) >= cap:
                warnings.append(
                    f"tactic `{tactic_id}` (rule `{rule.id}`) dropped: over max_per_account = {cap}"
                )
                notes[rule.id] = f"dropped: over max_per_account = {cap}"
            else:
                kept[tactic_id] = rule
        return list(kept.values()), warnings, notes


def _priority(rule: TacticRule) -> int:
    return rule.priority


def proposal(rule: TacticRule, values: Mapping[str, Any]) -> dict[str, Any]:
    """The proposal of ``rule``'s tactic for one account, as the evaluation lists it."""
    return {
        "id": rule.tactic.id,
        "dimension": rule.tactic.dimension,
        "priority": rule.priority,
        "reason": rule.reason.render(values),
        "owner_role": rule.owner_role,
        "due_in_days": rule.due_in_days,
        "rule": rule.path,
    }


# -- compiling ------------------------------------------------------------------------------------


def compile_tactics(ctx: CompileContext, spec: Mapping[str, Any]) -> CompiledTactics | None:
    """Compile ``[tactics]``, recording every problem; ``None`` if the section is unusable.

    Tactics come last in the pipeline, so nothing is declared for later sections.
    """
    before = len(ctx.problems)
    cap = spec.get("max_per_account")
    if cap is not None:
        cap = whole_number(ctx, cap, "tactics.max_per_account", least=1)
    catalogue = {**ctx.registry.tactics, **_compile_catalogue(ctx, spec.get("catalogue", {}))}
    rules = _compile_rules(ctx, spec.get("rules", []), catalogue)
    if len(ctx.problems) > before:
        return None
    return CompiledTactics(tuple(rules), cap)


def _compile_catalogue(ctx: CompileContext, spec: object) -> dict[str, Tactic]:
    """The policy-local tactics, added on top of (and overriding) the registered ones."""
    if not isinstance(spec, Mapping):
        ctx.problem("`catalogue` must be a table of tactics", "tactics.catalogue")
        return {}
    out: dict[str, Tactic] = {}
    for tid, item in spec.items():
        path = f"tactics.catalogue.{tid}"
        if not isinstance(item, Mapping):
            ctx.problem("a catalogue tactic must be a table", path)
            continue
        dimension = item.get("dimension")
        if dimension not in DIMENSIONS:
            hint = did_you_mean(dimension, DIMENSIONS) if isinstance(dimension, str) else ""
            what = "needs a `dimension`" if dimension is None else f"has dimension {dimension!r}"
            ctx.problem(
                f"tactic `{tid}` {what}{hint} (one of {', '.join(DIMENSIONS)})",
                f"{path}.dimension",
            )
            continue
        owner = _role(ctx, item.get("owner_role", "account_manager"), f"{path}.owner_role")
        due = _days(ctx, item.get("due_in_days", 30), f"{path}.due_in_days")
        label = item.get("label", {})
        if owner is None or due is None:
            continue
        out[str(tid)] = Tactic(
            id=str(tid),
            dimension=str(dimension),
            label=label if isinstance(label, Mapping) else {"en": str(label)},
            description=str(item.get("description", "")),
            owner_role=owner,
            due_in_days=due,
            plugin=POLICY_CATALOGUE,
        )
    return out


def _compile_rules(
    ctx: CompileContext, specs: object, catalogue: Mapping[str, Tactic]
) -> list[TacticRule]:
    if not isinstance(specs, Sequence) or isinstance(specs, str):
        ctx.problem("`rules` must be an array of tables", "tactics.rules")
        return []
    rules: list[TacticRule] = []
    for rid, spec, path in ctx.identified(specs, "tactics.rules", "tactic rule"):
        rule = _compile_rule(ctx, rid, spec, catalogue, path)
        if rule is not None:
            rules.append(rule)
    return rules


def _compile_rule(
    ctx: CompileContext,
    rid: str,
    spec: Mapping[str, Any],
    catalogue: Mapping[str, Tactic],
    path: str,
) -> TacticRule | None:
    tactic = _find_tactic(ctx, spec.get("tactic"), catalogue, f"{path}.tactic")
    priority = spec.get("priority", 100)
    if isinstance(priority, bool) or not isinstance(priority, int):
        ctx.problem(f"`priority` must be a whole number, got {priority!r}", f"{path}.priority")
        priority = None
    if "when" not in spec:
        ctx.problem(f"tactic rule `{rid}` needs a `when` condition", path)
        return None
    when = ctx.expr(spec["when"], f"{path}.when", BOOLEAN)
    reason: Template | None = None
    if "reason" in spec:
        reason = compile_template(ctx, spec["reason"], f"{path}.reason")
    elif tactic is not None:
        reason = Template.literal(tactic.label.get("en") or tactic.id)
    if tactic is None:
        return None
    owner = _role(ctx, spec.get("owner_role", tactic.owner_role), f"{path}.owner_role")
    due = _days(ctx, spec.get("due_in_days", tactic.due_in_days), f"{path}.due_in_days")
    if when is None or reason is None or priority is None or owner is None or due is None:
        return None
    return TacticRule(rid, when, tactic, priority, reason, owner, due, path)


def _find_tactic(
    ctx: CompileContext, tid: object, catalogue: Mapping[str, Tactic], key_path: str
) -> Tactic | None:
    if not isinstance(tid, str):
        ctx.problem(f"expected a tactic id, got {tid!r}", key_path)
        return None
    tactic = catalogue.get(tid)
    if tactic is None:
        hint = did_you_mean(tid, catalogue)
        if not hint:
            known = ", ".join(sorted(catalogue)) or "empty"
            hint = f" (the catalogue: {known})" if len(catalogue) <= 12 else ""
        ctx.problem(f"unknown tactic `{tid}`{hint}", key_path)
    return tactic


def _role(ctx: CompileContext, value: object, key_path: str) -> str | None:
    if not isinstance(value, str) or not value:
        ctx.problem(f"`owner_role` must be a text, got {value!r}", key_path)
        return None
    return value


def _days(ctx: CompileContext, value: object, key_path: str) -> int | None:
    return whole_number(ctx, value, key_path, least=0, what="due_in_days")
