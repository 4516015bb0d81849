"""The ``[lifecycle]`` section: a stage machine with explicit hysteresis and dwell.

CRM stage fields move silently (HubSpot ignores backward moves) or flap when a metric hovers at a
threshold. Here every move is a named transition whose guard is an expression, and the three
ways to keep a stage stable are stated in the policy instead of implied:

* **distinct enter/leave thresholds**: ``risk_points >= 50`` to enter ``at_risk`` but
  ``risk_points < 30`` to leave it, so an account hovering at 40 stays where it is;
* **consecutive**: a guard must hold on N evaluations in a row (the count is carried in the
  evaluation's ``state.lifecycle`` and fed back through the previous evaluation);
* **min_days**: a minimum stay in a stage before any transition out of it.

Backward moves are ordinary transitions, taken and recorded like any other.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ..errors import AccountError
from ..types import BOOLEAN, INTEGER, STRING
from .checks import whole_number
from .context import AccountRun, CompileContext
from .rules import did_you_mean, evaluate, previous_state
from .trace import record

if TYPE_CHECKING:
    from ..expr import CompiledExpr
    from ..registry import StageModel

__all__ = ["CompiledLifecycle", "Transition", "compile_lifecycle"]

_SECTION = "lifecycle"


@dataclass(frozen=True, slots=True)
class Transition:
    """One guarded move between stages.

    :param sources: the stages it leaves (``"*"`` expanded to every stage but ``to``).
    :param min_days: a minimum stay in the source stage for this transition only (stage models
        may set it; the policy's ``min_days`` per stage applies as well).
    :param path: its key path, ``lifecycle.transitions[<id>]``.
    """

    id: str
    sources: frozenset[str]
    to: str
    when: CompiledExpr
    consecutive: int
    min_days: int
    path: str


@dataclass(frozen=True, slots=True)
class CompiledLifecycle:
    """The stage machine of one policy, ready to place or move accounts.

    :param outgoing: stage -> its transitions, in declared order (the first whose guard holds
        is the candidate).
    :param min_days: stage -> minimum days in it before any transition out.
    """

    stages: tuple[str, ...]
    initial: str
    outgoing: Mapping[str, tuple[Transition, ...]]
    min_days: Mapping[str, int]
    #: stage -> its position in :attr:`stages`: whether a move goes back, without a list search
    #: per transition taken
    order: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "order", {stage: i for i, stage in enumerate(self.stages)})

    def run(self, acc: AccountRun) -> None:
        """Place the account (first evaluation) or move it at most one transition."""
        previous = _previous_stage(acc)
        if previous is None:
            self._place(acc)
        else:
            self._move(acc, *previous)

    def _candidate(
        self, acc: AccountRun, stage: str, skip: Collection[str] = ()
    ) -> Transition | None:
        """The first transition out of ``stage`` whose guard holds (guards after it unread)."""
        for t in self.outgoing[stage]:
            if t.to not in skip and evaluate(t.when, acc, t.path):
                return t
        return None

    def _place(self, acc: AccountRun) -> None:
        """Place a first-time account by following holding guards from the initial stage.

        An account that is already lapsed on its first evaluation should not wait out onboarding,
        so dwell and consecutive do not apply; a visited stage is never entered again, which
        bounds the walk even when guards form a cycle.
        """
        stage = self.initial
        visited = {stage}
        for _ in range(len(self.stages)):
            t = self._candidate(acc, stage, visited)
            if t is None:
                break
            record(acc, t.path, "transition", t.when.names, "initial placement")
            stage = t.to
            visited.add(stage)
        self._emit(acc, stage, None, changed=False, since=acc.as_of, pending=None, count=0)

    def _move(self, acc: AccountRun, current: str, since: date, state: tuple[Any, int]) -> None:
        """Take at most one transition out of ``current``.

        Dwell and consecutive are independent brakes: while ``min_days`` holds the account, the
        candidate's consecutive count still grows, so a guard that held throughout moves the
        account as soon as the minimum stay is over. Placement ignores both (see :meth:`_place`).
        """
        if current not in self.outgoing:
            raise AccountError(
                acc.account_id,
                _SECTION,
                f"the previous evaluation's stage `{current}` is not a stage of this policy "
                f"({', '.join(self.stages)}); evaluate without the previous evaluation to place "
                "the account again",
            )
        days = (acc.as_of - since).days
        if days < 0:
            raise AccountError(
                acc.account_id,
                _SECTION,
                f"the previous evaluation entered `{current}` on {since.isoformat()}, after the "
                f"as-of date {acc.as_of.isoformat()}",
            )
        t = self._candidate(acc, current)
        if t is None:
            self._emit(acc, current, current, changed=False, since=since, pending=None, count=0)
            return
        count = state[1] + 1 if state[0] == t.id else 1
        dwell = max(self.min_days.get(current, 0), t.min_days)
        if days < dwell:
            note = f"stays in `{current}`: {days} of {dwell} days"
            record(acc, t.path, "dwell", t.when.names, note)
        elif count < t.consecutive:
            note = f"{count} of {t.consecutive} consecutive evaluations"
            record(acc, t.path, "pending", t.when.names, note)
        else:
            backward = self.order[t.to] < self.order[current]
            note = f"from `{current}` {'back ' if backward else ''}to `{t.to}`"
            record(acc, t.path, "transition", t.when.names, note)
            self._emit(acc, t.to, current, changed=True, since=acc.as_of, pending=None, count=0)
            return
        self._emit(acc, current, current, changed=False, since=since, pending=t.id, count=count)

    @staticmethod
    def _emit(
        acc: AccountRun,
        stage: str,
        previous: str | None,
        *,
        changed: bool,
        since: date,
        pending: str | None,
        count: int,
    ) -> None:
        acc.out["stage"] = {
            "value": stage,
            "previous": previous,
            "changed": changed,
            "since": since.isoformat(),
        }
        acc.out.setdefault("state", {})["lifecycle"] = {"pending": pending, "count": count}
        values = acc.values
        values["stage"] = stage
        values["previous_stage"] = previous
        values["stage_changed"] = changed
        values["days_in_stage"] = (acc.as_of - since).days


def _previous_stage(acc: AccountRun) -> tuple[str, date, tuple[Any, int]] | None:
    """(stage, since, (pending id, count)) from the previous evaluation, or ``None`` to place.

    A previous evaluation without a stage (the policy had no lifecycle then, or the account
    failed) places the account like a first evaluation.
    """
    prev = acc.previous
    stage = prev.get("stage") if prev is not None else None
    if prev is None or not isinstance(stage, Mapping) or stage.get("value") is None:
        return None
    since = stage.get("since")
    if isinstance(since, str):
        try:
            since = date.fromisoformat(since)
        except ValueError:
            since = None
    if not isinstance(since, date):
        raise AccountError(
            acc.account_id,
            _SECTION,
            f"the previous evaluation's stage has no valid `since` date: {stage.get('since')!r}",
        )
    state = previous_state(acc, _SECTION)
    count = state.get("count")
    return (
        str(stage["value"]),
        since,
        (state.get("pending"), count if isinstance(count, int) else 0),
    )


# -- compiling ------------------------------------------------------------------------------------


def compile_lifecycle(ctx: CompileContext, spec: Mapping[str, Any]) -> CompiledLifecycle | None:
    """Compile ``[lifecycle]``, recording every problem; ``None`` if the section is unusable.

    ``stage``, ``previous_stage``, ``stage_changed`` and ``days_in_stage`` are declared even then,
    so later sections that read them are not reported a second time.
    """
    before = len(ctx.problems)
    stages, initial, raw_transitions = _resolve_model(ctx, spec)
    transitions = _compile_transitions(ctx, raw_transitions, stages)
    min_days = _compile_min_days(ctx, spec.get("min_days", {}), stages)
    ctx.declare("stage", STRING)
    ctx.declare("previous_stage", STRING.as_optional())
    ctx.declare("stage_changed", BOOLEAN)
    ctx.declare("days_in_stage", INTEGER)
    if len(ctx.problems) > before or initial is None:
        return None
    outgoing = {s: tuple(t for t in transitions if s in t.sources) for s in stages}
    return CompiledLifecycle(tuple(stages), initial, outgoing, min_days)


def _resolve_model(
    ctx: CompileContext, spec: Mapping[str, Any]
) -> tuple[list[str], str | None, list[Mapping[str, Any]]]:
    """Stages, initial stage and raw transitions: the stage model's, overridden by the policy."""
    stages: Any = None
    initial: Any = None
    model: StageModel | None = None
    name = spec.get("model")
    if name is not None:
        model = ctx.registry.stage_models.get(name) if isinstance(name, str) else None
        if model is None:
            known = ", ".join(sorted(ctx.registry.stage_models)) or "none"
            hint = did_you_mean(str(name), ctx.registry.stage_models)
            ctx.problem(
                f"unknown stage model `{name}`{hint} (registered: {known})", "lifecycle.model"
            )
        else:
            stages, initial = list(model.stages), model.initial
    stages = spec.get("stages", stages)
    initial = spec.get("initial", initial)
    if name is None and (stages is None or initial is None):
        ctx.problem("`lifecycle` needs a `model`, or `stages` and `initial`", _SECTION)
    stages = _check_stages(ctx, stages)
    if initial is not None and initial not in stages and stages:
        ctx.problem(
            f"initial stage `{initial}` is not one of the stages ({', '.join(stages)})"
            + did_you_mean(str(initial), stages),
            "lifecycle.initial",
        )
    own = spec.get("transitions", [])
    if not isinstance(own, Sequence) or isinstance(own, str):
        ctx.problem("`transitions` must be an array of tables", "lifecycle.transitions")
        own = []
    transitions = _over_model(ctx, model, name is not None, own)
    return stages, initial if isinstance(initial, str) else None, transitions


#: What a transition must state unless it changes one of its stage model's.
_DEFINING = ("from", "to", "when")


def _over_model(
    ctx: CompileContext, model: StageModel | None, selected: bool, own: Sequence[Any]
) -> list[Mapping[str, Any]]:
    """The model's transitions with the policy's applied, as ``extends`` applies a layer.

    The model is the bottom layer: an item naming one of its ids is merged into it key by key,
    ``drop = true`` removes it, and a new id is appended. The loader leaves a ``drop`` and a
    partial item in the effective policy when a model is selected, since only the model knows
    its ids; so naming an id it does not have is reported here. A drop that also carries
    ``from``/``to``/``when`` removed a transition a base policy wrote (the loader merges the
    drop into it), which needs no counterpart in the model.

    :param selected: whether the policy names a model (``model`` is ``None`` when the name is
        unknown: that is reported once, and items that refer to the model are skipped).
    """
    base: dict[str, Mapping[str, Any]] = {}
    if model is not None:
        base = {str(t.get("id")): t for t in model.transitions}
    known = tuple(base)  # for suggestions, dropped ones included
    extra: list[Mapping[str, Any]] = []
    for item in own:
        tid = item.get("id") if isinstance(item, Mapping) else None
        if not isinstance(tid, str):
            extra.append(item)  # reported by ctx.identified
            continue
        drop = item.get("drop") is True
        partial = not all(k in item for k in _DEFINING)
        if tid in base:
            if drop:
                del base[tid]
            else:
                base[tid] = _overlay(base[tid], item)
            continue
        if selected and model is None and (drop or partial):
            continue  # refers to the unknown model's transitions
        path = f"lifecycle.transitions[{tid}]"
        if model is None:
            if drop:
                ctx.problem(
                    f"cannot drop transition `{tid}`: no base policy or stage model defines it",
                    path,
                )
            else:
                extra.append(item)
        elif drop:
            if not any(k in item for k in _DEFINING):
                ctx.problem(
                    f"cannot drop transition `{tid}`: stage model `{model.name}` has no "
                    f"transition `{tid}`{did_you_mean(tid, known)}",
                    path,
                )
        elif partial:
            ctx.problem(
                f"stage model `{model.name}` has no transition `{tid}` to change, and a new "
                f"transition needs `from`, `to` and `when`{did_you_mean(tid, known)}",
                path,
            )
        else:
            extra.append(item)
    return [*base.values(), *extra]


def _overlay(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` merged into ``base`` key by key (tables deep-merged), without ``drop``."""
    out = dict(base)
    for key, value in over.items():
        if key == "drop":
            continue
        old = out.get(key)
        out[key] = (
            _overlay(old, value)
            if isinstance(old, Mapping) and isinstance(value, Mapping)
            else value
        )
    return out


def _check_stages(ctx: CompileContext, stages: Any) -> list[str]:
    if stages is None:
        return []
    if (
        not isinstance(stages, Sequence)
        or isinstance(stages, str)
        or not stages
        or not all(isinstance(s, str) for s in stages)
    ):
        ctx.problem("`stages` must be a non-empty array of stage names", "lifecycle.stages")
        return []
    seen: set[str] = set()
    for s in stages:
        if s in seen:
            ctx.problem(f"stage `{s}` is listed twice", "lifecycle.stages")
        seen.add(s)
    return list(stages)


def _compile_transitions(
    ctx: CompileContext, items: list[Mapping[str, Any]], stages: list[str]
) -> list[Transition]:
    out: list[Transition] = []
    for tid, item, path in ctx.identified(items, "lifecycle.transitions", "transition"):
        t = _compile_transition(ctx, tid, item, stages, path)
        if t is not None:
            out.append(t)
    return out


def _compile_transition(
    ctx: CompileContext, tid: str, item: Mapping[str, Any], stages: list[str], path: str
) -> Transition | None:
    to = item.get("to")
    to_ok = _check_stage(ctx, to, stages, f"{path}.to")
    sources = _check_sources(ctx, item.get("from"), stages, f"{path}.from")
    if to_ok and to in sources and item.get("from") != "*":
        ctx.problem(f"transition `{tid}` leads from `{to}` to itself", f"{path}.to")
        to_ok = False
    if item.get("from") == "*":
        sources = frozenset(s for s in stages if s != to)
    consecutive = whole_number(ctx, item.get("consecutive", 1), f"{path}.consecutive", least=1)
    min_days = whole_number(ctx, item.get("min_days", 0), f"{path}.min_days", least=0)
    if "when" not in item:
        ctx.problem(f"transition `{tid}` needs a `when` condition", path)
        return None
    when = ctx.expr(item["when"], f"{path}.when", BOOLEAN)
    if when is None or not to_ok or consecutive is None or min_days is None:
        return None
    return Transition(tid, sources, str(to), when, consecutive, min_days, path)


def _check_stage(ctx: CompileContext, stage: object, stages: list[str], key_path: str) -> bool:
    if not isinstance(stage, str):
        ctx.problem(f"expected a stage name, got {stage!r}", key_path)
        return False
    if stages and stage not in stages:
        ctx.problem(f"unknown stage `{stage}`{did_you_mean(stage, stages)}", key_path)
        return False
    return True


def _check_sources(
    ctx: CompileContext, value: object, stages: list[str], key_path: str
) -> frozenset[str]:
    """The ``from`` stages: ``"*"``, a stage list, or (leniently) one stage name."""
    if value == "*":
        return frozenset(stages)
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not items:
        ctx.problem('`from` must be a list of stages or "*"', key_path)
        return frozenset()
    return frozenset(s for s in items if _check_stage(ctx, s, stages, key_path))


def _compile_min_days(ctx: CompileContext, spec: object, stages: list[str]) -> dict[str, int]:
    if not isinstance(spec, Mapping):
        ctx.problem("`min_days` must be a table: stage = days", "lifecycle.min_days")
        return {}
    out: dict[str, int] = {}
    for stage, days in spec.items():
        key_path = f"lifecycle.min_days.{stage}"
        if _check_stage(ctx, stage, stages, key_path):
            value = whole_number(ctx, days, key_path, least=0)
            if value is not None:
                out[stage] = value
    return out
