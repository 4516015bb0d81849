"""Account-hierarchy roll-ups: a parent's figure from itself and the accounts below it.

A retail chain's head office, a group's subsidiaries, a customer's plants: key accounts come in
hierarchies linked by ``parent_id``. CRM tools leave implicit what a parent's figure means;
kamcore makes the policy say it::

    [rollups.group_revenue]
    metric = "revenue_12m"
    method = "sum"            # own, sum, mean, weighted_mean, min, max, worst

Each roll-up becomes a name every account carries (a leaf's value is its own figure), computed
once in the portfolio phase by one walk over the hierarchy: no account scans the portfolio.
Accounts whose parent is not in the portfolio are tops of their own trees. A ``parent_id`` loop
is broken where it is first met and reported in the warnings of the accounts involved, never
silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ..types import NUMBER, Type
from .context import AccountRun, CompileContext
from .rules import did_you_mean

__all__ = ["METHODS", "Rollup", "compile_rollups", "run_rollups"]

#: How a parent's figure is formed from the figures in its subtree.
METHODS: Final = ("own", "sum", "mean", "weighted_mean", "min", "max", "worst")


@dataclass(frozen=True)
class Rollup:
    """One compiled ``[rollups.<name>]`` entry.

    :param include_self: the account's own figure counts (default). Without it a parent's figure
        comes from the accounts below it only, and a leaf's is missing.
    :param worse: for ``worst``: ``"lower"`` (the lowest figure is the worst, e.g. a health
        score) or ``"higher"`` (e.g. days since the last order).
    """

    name: str
    metric: str
    method: str
    weight: str | None
    worse: str | None
    include_self: bool
    key_path: str

    @property
    def inputs(self) -> tuple[str, ...]:
        """The names read from every account: the figure, its weight, the parent link."""
        names = [self.metric, "parent_id"]
        if self.weight:
            names.insert(1, self.weight)
        return tuple(names)


def compile_rollups(ctx: CompileContext, spec: Mapping[str, Any]) -> list[Rollup]:
    """Compile ``[rollups]`` and declare each roll-up's name (a number that may be missing).

    Names are declared before the metrics compile so metrics and later sections can use them;
    the figures they roll up are checked by :func:`check_rollups` once metric types are known.
    """
    rollups: list[Rollup] = []
    for name, raw in spec.items():
        key = f"rollups.{name}"
        if name in ctx.names:
            ctx.problem(f"roll-up `{name}` has the name of a fact or metric; choose another", key)
            continue
        method = raw.get("method")
        if method not in METHODS:
            ctx.problem(
                f"unknown roll-up method {method!r}{did_you_mean(str(method), METHODS)} "
                f"(one of {', '.join(METHODS)})",
                f"{key}.method",
            )
            continue
        weight = raw.get("weight")
        if (method == "weighted_mean") != (weight is not None):
            ctx.problem(
                "`weight` goes with method `weighted_mean`, and only with it", f"{key}.weight"
            )
            continue
        worse = raw.get("worse")
        if (method == "worst") != (worse is not None) or worse not in (None, "lower", "higher"):
            ctx.problem(
                'method `worst` needs `worse = "lower"` or `worse = "higher"` (which end of the '
                "figure is worse), and only it takes `worse`",
                f"{key}.worse",
            )
            continue
        rollups.append(
            Rollup(
                name=name,
                metric=str(raw.get("metric")),
                method=method,
                weight=weight,
                worse=worse,
                include_self=bool(raw.get("include_self", True)),
                key_path=key,
            )
        )
        ctx.declare(name, NUMBER.as_optional())
    return rollups


def check_rollups(ctx: CompileContext, rollups: Sequence[Rollup]) -> None:
    """Check what each roll-up reads exists and is a number (after the metrics compiled)."""
    for rollup in rollups:
        for field, name in (("metric", rollup.metric), ("weight", rollup.weight)):
            if name is None:
                continue
            found: Type | None = ctx.names.get(name)
            if found is None or name in ctx.later:
                hint = did_you_mean(name, ctx.names)
                ctx.problem(f"unknown fact or metric `{name}`{hint}", f"{rollup.key_path}.{field}")
            elif not found.is_numeric and not (rollup.method == "own" and field == "metric"):
                ctx.problem(
                    f"roll-ups add up numbers; `{name}` is {found.kind}",
                    f"{rollup.key_path}.{field}",
                )
            else:
                ctx.use(name)
        ctx.use("parent_id")


def _tree(runs: Sequence[AccountRun]) -> tuple[list[list[int]], list[int]]:
    """Children of each account and a bottom-up order (children before parents).

    A ``parent_id`` loop is broken at the account where the walk meets it, and every account on
    the loop gets a warning naming it.
    """
    index = {acc.account_id: i for i, acc in enumerate(runs)}
    parent: list[int | None] = []
    for i, acc in enumerate(runs):
        p = acc.values.get("parent_id")
        j = index.get(str(p)) if p is not None else None
        parent.append(None if j == i else j)
    # break loops: walk up from every account; meeting an account of the current walk is a loop
    state = [0] * len(runs)  # 0 unseen, 1 on the current walk, 2 done
    for start in range(len(runs)):
        walk: list[int] = []
        at: int | None = start
        while at is not None and state[at] == 0:
            state[at] = 1
            walk.append(at)
            at = parent[at]
        if at is not None and state[at] == 1:  # a loop from `at` back to itself
            loop = walk[walk.index(at) :]
            names = " → ".join([runs[k].account_id for k in loop] + [runs[at].account_id])
            for k in loop:
                runs[k].out["warnings"].append(
                    f"parent_id forms a loop ({names}); roll-ups treat "
                    f"{runs[loop[-1]].account_id} as the top of its hierarchy"
                )
            parent[loop[-1]] = None
        for k in walk:
            state[k] = 2
    children: list[list[int]] = [[] for _ in runs]
    roots: list[int] = []
    for i, p in enumerate(parent):
        (roots if p is None else children[p]).append(i)
    order: list[int] = []
    stack = [(r, False) for r in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(children[node]))
    return children, order


def run_rollups(runs: Sequence[AccountRun], rollups: Sequence[Rollup]) -> None:
    """Compute every roll-up for every account in one bottom-up pass each."""
    if not rollups:
        return
    children, order = _tree(runs)
    for rollup in rollups:
        own = [acc.values.get(rollup.metric) for acc in runs]
        if rollup.method == "own":
            for acc, value in zip(runs, own, strict=True):
                acc.values[rollup.name] = value
            continue
        weights = (
            [acc.values.get(rollup.weight) for acc in runs] if rollup.weight else [1.0] * len(runs)
        )
        # per subtree: (sum of w*x, sum of w, count, min, max), over present figures only
        below: list[tuple[float, float, int, float | None, float | None]] = [
            (0.0, 0.0, 0, None, None)
        ] * len(runs)
        subtree: list[tuple[float, float, int, float | None, float | None]] = list(below)
        for i in order:
            acc_sum = acc_w = 0.0
            count = 0
            low: float | None = None
            high: float | None = None
            for c in children[i]:
                s, w, n, lo, hi = subtree[c]
                acc_sum, acc_w, count = acc_sum + s, acc_w + w, count + n
                low = lo if low is None or (lo is not None and lo < low) else low
                high = hi if high is None or (hi is not None and hi > high) else high
            below[i] = (acc_sum, acc_w, count, low, high)
            raw_x, raw_w = own[i], weights[i]
            if raw_x is not None and raw_w is not None:
                x, weight = float(raw_x), float(raw_w)
                acc_sum, acc_w, count = acc_sum + weight * x, acc_w + weight, count + 1
                low = x if low is None or x < low else low
                high = x if high is None or x > high else high
            subtree[i] = (acc_sum, acc_w, count, low, high)
        pick = subtree if rollup.include_self else below
        for i, acc in enumerate(runs):
            acc.values[rollup.name] = _finish(rollup, pick[i])


def _finish(rollup: Rollup, agg: tuple[float, float, int, float | None, float | None]) -> Any:
    total, weight, count, low, high = agg
    if count == 0:
        return None
    method = rollup.method
    if method == "sum":
        return total
    if method in ("mean", "weighted_mean"):
        return total / weight if weight else None
    if method == "min" or (method == "worst" and rollup.worse == "lower"):
        return low
    return high
