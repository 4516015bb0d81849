"""The overlap lint prunes pairs by one column; it must still find every overlapping pair.

Compared with trying every pair, on random cells of every kind the lint understands, including
the awkward ones: ``1``, ``1.0`` and ``True`` in value lists, touching open and closed ends,
unbounded ranges and wildcards.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kamcore.runtime.table_lint import Span, _candidates, _common

_values = st.sampled_from([0, 1, 1.0, True, False, 2, "a", "b"])
_bound = st.one_of(st.none(), st.integers(-3, 3))


@st.composite
def _span(draw: Any) -> Span:
    lo, hi = draw(_bound), draw(_bound)
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return Span(lo, draw(st.booleans()), hi, draw(st.booleans()))


_cell = st.one_of(st.none(), st.frozensets(_values, min_size=1, max_size=3), _span())


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 3).flatmap(
        lambda k: st.lists(st.lists(_cell, min_size=k, max_size=k), max_size=12)
    )
)
def test_pruned_candidates_hold_every_overlapping_pair(rows: list[list[Any]]) -> None:
    every = {
        (i, j)
        for i in range(len(rows))
        for j in range(i + 1, len(rows))
        if all(_common(a, b, "x")[0] for a, b in zip(rows[i], rows[j], strict=True))
    }
    candidates = _candidates(rows)
    assert every <= set(candidates)
    assert candidates == sorted(set(candidates))  # table order, each pair once
