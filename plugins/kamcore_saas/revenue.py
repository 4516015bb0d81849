"""Recurring-revenue metrics: current ARR, ARR growth, net and gross revenue retention.

NRR and GRR are the two numbers a subscription business is judged by. For one account over the
trailing 12 months:

* ``NRR = (starting ARR + expansion - contraction - churn) / starting ARR``: does the account
  grow on its own? Above 1 it does.
* ``GRR = (starting ARR - contraction - churn) / starting ARR``: how much of what it paid a
  year ago is still paid? Never above 1: expansion cannot hide losses.

Billing systems that report the movements give the exact figures. Many exports only carry
ARR now and ARR a year ago; then NRR is their ratio and GRR ``min(now, then) / then``, which is
exact unless the account both expanded and contracted in the year (then GRR is overstated).
The metrics say which source they used in the pack's docs, not in the value.

Movements are positive amounts (the facts say so); the formulas subtract contraction and churn.
A negative movement means the export signs them differently (a contraction written -30), and
its meaning cannot be guessed: read as written it would count a contraction as growth (NRR 1.8
instead of 1.2), and ``abs()`` would silently repair an export that may be wrong in other ways
too. So a negative movement makes NRR and GRR missing, not a guess; fix the export.
"""

from __future__ import annotations

__all__ = ["arr_growth", "current_arr", "grr", "nrr"]

Money = float | int


def current_arr(arr: Money | None, mrr: Money | None) -> Money | None:
    """ARR as exported, else ``12 x MRR``: billing exports carry one or the other."""
    if arr is not None:
        return arr
    return None if mrr is None else mrr * 12


def arr_growth(arr_prev_12m: Money, arr_now: Money) -> float | None:
    """``(now - a year ago) / a year ago``; missing for an account that paid nothing then (no
    base: a new logo's growth is not a percentage)."""
    if arr_prev_12m <= 0:
        return None
    return (arr_now - arr_prev_12m) / arr_prev_12m


def _movements(
    starting_arr: Money | None,
    arr_prev_12m: Money | None,
    expansion: Money | None,
    contraction: Money | None,
    churned: Money | None,
) -> tuple[Money | None, tuple[Money, Money, Money] | None]:
    """The starting ARR, and the three movements when any is given (the others then count 0:
    an export that reports movements leaves a cell empty when nothing moved).

    The starting ARR is missing, and with it NRR and GRR, when it is not positive or when a
    movement is negative (see the module doc: the sign convention of the export is unknown).
    """
    start = starting_arr if starting_arr is not None else arr_prev_12m
    if start is None or start <= 0:
        return None, None
    if any(move is not None and move < 0 for move in (expansion, contraction, churned)):
        return None, None
    if expansion is None and contraction is None and churned is None:
        return start, None
    return start, (expansion or 0, contraction or 0, churned or 0)


def nrr(
    starting_arr: Money | None,
    arr_prev_12m: Money | None,
    expansion: Money | None,
    contraction: Money | None,
    churned: Money | None,
    arr_now: Money | None,
) -> float | None:
    """Net revenue retention over the trailing 12 months, from the movements when given, else
    ARR now over the starting ARR. Missing without a positive starting ARR, or when a movement
    is negative."""
    start, moves = _movements(starting_arr, arr_prev_12m, expansion, contraction, churned)
    if start is None:
        return None
    if moves is not None:
        up, down, lost = moves
        return (start + up - down - lost) / start
    return None if arr_now is None else arr_now / start


def grr(
    starting_arr: Money | None,
    arr_prev_12m: Money | None,
    expansion: Money | None,
    contraction: Money | None,
    churned: Money | None,
    arr_now: Money | None,
) -> float | None:
    """Gross revenue retention over the trailing 12 months, in [0, 1]: from the movements when
    given, else ``min(ARR now, starting ARR) / starting ARR``. Missing like :func:`nrr`."""
    start, moves = _movements(starting_arr, arr_prev_12m, expansion, contraction, churned)
    if start is None:
        return None
    if moves is not None:
        _, down, lost = moves
        kept = start - down - lost
    elif arr_now is None:
        return None
    else:
        kept = min(arr_now, start)
    return min(1.0, max(0.0, kept / start))
