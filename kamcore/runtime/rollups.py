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
from .context import CompileContext
from .rules import did_you_mean

__all__ = ["METHODS", "Rollup", "check_rollups", "compile_rollups", "compute_rollups"]

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


def _tree(
    ids: Sequence[str], parents: Sequence[Any]
) -> tuple[list[list[int]], list[int], dict[int, list[str]]]:
    """Children of each account, a bottom-up order (children before parents), and warnings.

    A ``parent_id`` loop is broken at the account where the walk meets it, and every account on
    the loop gets a warning naming it.
    """
    index = {account_id: i for i, account_id in enumerate(ids)}
    parent: list[int | None] = []
    for i, p in enumerate(parents):
        j = index.get(str(p)) if p is not None else None
        parent.append(None if j == i else j)
    warnings: dict[int, list[str]] = {}
    # break loops: walk up from every account; meeting an account of the current walk is a loop
    state = [0] * len(ids)  # 0 unseen, 1 on the current walk, 2 done
    for start in range(len(ids)):
        walk: list[int] = []
        at: int | None = start
        while at is not None and state[at] == 0:
            state[at] = 1
            walk.append(at)
            at = parent[at]
        if at is not None and state[at] == 1:  # a loop from `at` back to itself
            loop = walk[walk.index(at) :]
            names = " → ".join([ids[k] for k in loop] + [ids[at]])
            for k in loop:
                warnings.setdefault(k, []).append(
                    f"parent_id forms a loop ({names}); roll-ups treat "
                    f"{ids[loop[-1]]} as the top of its hierarchy"
                )
            parent[loop[-1]] = None
        for k in walk:
            state[k] = 2
    children: list[list[int]] = [[] for _ in ids]
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
    return children, order, warnings


def compute_rollups(
    ids: Sequence[str], columns: Mapping[str, Sequence[Any]], rollups: Sequence[Rollup]
) -> tuple[dict[str, list[Any]], dict[int, list[str]]]:
    """Every roll-up for every account, one bottom-up pass each.

    :param columns: each name in :attr:`Rollup.inputs` -> its value for every account.
    :returns: roll-up name -> one value per account, and warnings by account position.
    """
    if not rollups:
        return {}, {}
    children, order, warnings = _tree(ids, columns["parent_id"])
    results: dict[str, list[Any]] = {}
    n = len(ids)
    for rollup in rollups:
        own = columns[rollup.metric]
        if rollup.method == "own":
            results[rollup.name] = list(own)
            continue
        weights = columns[rollup.weight] if rollup.weight else [1.0] * n
        # per subtree: (sum of w*x, sum of w, count, min, max), over present figures only
        below: list[tuple[float, float, int, float | None, float | None]] = [
            (0.0, 0.0, 0, None, None)
        ] * n
        subtree: list[tuple[float, float, int, float | None, float | None]] = list(below)
        for i in order:
            acc_sum = acc_w = 0.0
            count = 0
            low: float | None = None
            high: float | None = None
            for c in children[i]:
                s, w, k, lo, hi = subtree[c]
                acc_sum, acc_w, count = acc_sum + s, acc_w + w, count + k
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
        results[rollup.name] = [_finish(rollup, agg) for agg in pick]
        _note_gaps(rollup, children, order, own, weights, warnings)
    return results, warnings


def _note_gaps(
    rollup: Rollup,
    children: Sequence[Sequence[int]],
    order: Sequence[int],
    own: Sequence[Any],
    weights: Sequence[Any],
    warnings: dict[int, list[str]],
) -> None:
    """Tell a parent how many accounts below it had no figure: its roll-up left them out."""
    size = [0] * len(own)
    gaps = [0] * len(own)
    for i in order:  # children before parents
        for c in children[i]:
            size[i] += size[c] + 1
            gaps[i] += gaps[c] + (own[c] is None or weights[c] is None)
        if gaps[i]:
            what = f"`{rollup.metric}`" + (f" or `{rollup.weight}`" if rollup.weight else "")
            warnings.setdefault(i, []).append(
                f"roll-up `{rollup.name}`: {gaps[i]} of the {size[i]} accounts below have no "
                f"{what}; left out"
            )


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
