"""Static overlap check of decision-table rows, run when a policy loads.

A UNIQUE table promises that at most one row matches any account; DMN tools in the Java world
verify that promise before deployment, most Python engines only find out when an account trips
over it. Two rows can both match exactly when, column by column, their cells have a value in
common. That is decidable for the cells most tables are made of (``-``, value lists, ``null``,
comparisons and intervals), so this module decides it for those and leaves rows with a full
boolean condition (``expr`` cells) or a negation (``not(...)``) alone rather than guess.

The check is pairwise (quadratic in the number of rows); the rows' cell sets are computed once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Overlap",
    "Span",
    "find_overlaps",
    "format_span",
    "format_value",
    "iter_overlaps",
    "span_of",
]


@dataclass(frozen=True, slots=True)
class Span:
    """An interval with ``None`` for an unbounded end (infinities are normalised to ``None``).

    The lint keeps its own small type so that intersecting two intervals does not depend on how
    :class:`kamcore.expr.Interval` represents an open end.
    """

    lo: Any
    lo_closed: bool
    hi: Any
    hi_closed: bool

    def contains(self, x: Any) -> bool:
        """Whether ``x`` lies in the span; a value of another type never does."""
        try:
            if self.lo is not None and (x < self.lo or (x == self.lo and not self.lo_closed)):
                return False
            return not (
                self.hi is not None and (x > self.hi or (x == self.hi and not self.hi_closed))
            )
        except TypeError:
            return False

    def intersect(self, other: Span) -> Span | None:
        """The common part of two spans, or ``None`` when they share no point."""
        try:
            lo, lo_closed = _tighter(self.lo, self.lo_closed, other.lo, other.lo_closed, low=True)
            hi, hi_closed = _tighter(self.hi, self.hi_closed, other.hi, other.hi_closed, low=False)
            if lo is not None and hi is not None:
                if lo > hi:
                    return None
                if lo == hi and not (lo_closed and hi_closed):
                    return None
        except TypeError:
            return None
        return Span(lo, lo_closed, hi, hi_closed)


def _tighter(a: Any, a_closed: bool, b: Any, b_closed: bool, *, low: bool) -> tuple[Any, bool]:
    """The tighter of two bounds on the same side (``None`` is no bound at all)."""
    if a is None:
        return b, b_closed
    if b is None:
        return a, a_closed
    if a == b:
        return a, a_closed and b_closed
    if (a > b) == low:
        return a, a_closed
    return b, b_closed


def _bound(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return None
    return value


def span_of(interval: Any) -> Span:
    """Convert anything with ``lo``, ``lo_closed``, ``hi``, ``hi_closed`` into a :class:`Span`."""
    lo, hi = _bound(interval.lo), _bound(interval.hi)
    return Span(lo, bool(interval.lo_closed) and lo is not None, hi, bool(interval.hi_closed))


def format_value(value: Any) -> str:
    """A value as a policy author would write it in a cell: ``1e6``, ``"retail"``, ``null``.

    Large round numbers are written in scientific form because overlap messages quote bounds
    such as ``5_000_000`` that are hard to count at a glance.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return repr(value)
        if isinstance(value, float) and abs(value) >= 1e16:
            return repr(value)
        number = int(value)
        digits = str(abs(number))
        significant = digits.rstrip("0")
        if len(digits) - len(significant) >= 4:
            mantissa = significant[0] + ("." + significant[1:] if len(significant) > 1 else "")
            return f"{'-' if number < 0 else ''}{mantissa}e{len(digits) - 1}"
        return str(number)
    return str(value)


def format_span(span: Span) -> str:
    """``[1e6..5e6)``, ``[0..)``, ``(..0)``: the interval notation of table cells."""
    left = "[" if span.lo_closed and span.lo is not None else "("
    right = "]" if span.hi_closed and span.hi is not None else ")"
    lo = "" if span.lo is None else format_value(span.lo)
    hi = "" if span.hi is None else format_value(span.hi)
    return f"{left}{lo}..{hi}{right}"


# A decidable cell: ``None`` matches anything, a frozenset is a set of values, a Span a range.
_Cell = frozenset[Any] | Span | None


@dataclass(frozen=True, slots=True)
class Overlap:
    """Two rows (by position) that can both match, and an input that shows it."""

    first: int
    second: int
    example: str


def _decidable(test: Any) -> tuple[bool, _Cell]:
    """``(True, cell)`` for a cell the lint understands, ``(False, None)`` otherwise."""
    kind = test.kind
    if kind == "any":
        return True, None
    if kind == "null":
        return True, frozenset({None})
    if kind == "eq" and test.values is not None:
        return True, frozenset(test.values)
    if kind in ("interval", "compare") and test.interval is not None:
        return True, span_of(test.interval)
    return False, None


def _common(a: _Cell, b: _Cell, source: str) -> tuple[bool, str]:
    """Whether two cells of one column share a value, and a description of one such value."""
    if a is None and b is None:
        return True, ""
    if a is None or b is None:
        only = a if b is None else b
        if isinstance(only, Span):
            return True, f"{source} in {format_span(only)}"
        return True, f"{source} = {_pick(only)}" if only else ""
    if isinstance(a, Span) and isinstance(b, Span):
        both = a.intersect(b)
        return (both is not None), (f"{source} in {format_span(both)}" if both else "")
    if isinstance(a, Span) or isinstance(b, Span):
        span, values = (a, b) if isinstance(a, Span) else (b, a)
        assert isinstance(span, Span)
        assert isinstance(values, frozenset)
        inside = frozenset(v for v in values if v is not None and span.contains(v))
        return bool(inside), (f"{source} = {_pick(inside)}" if inside else "")
    assert isinstance(a, frozenset)
    assert isinstance(b, frozenset)
    shared = a & b
    return bool(shared), (f"{source} = {_pick(shared)}" if shared else "")


def _candidates(rows: Sequence[Sequence[_Cell]]) -> list[tuple[int, int]]:
    """The pairs of rows (``i < j``, in table order) that may overlap, without trying them all.

    Two rows overlap only if they share a value in *every* column, so one column is enough to
    rule most pairs out: the column that leaves the fewest candidates (ranges swept in order of
    their lower end, value lists bucketed by value). A 1,000-row table of disjoint bands is then
    checked in about n log n instead of half a million pair comparisons.
    """
    n = len(rows)
    best: set[tuple[int, int]] | None = None
    for column in range(len(rows[0]) if rows else 0):
        found = _column_candidates(
            [row[column] for row in rows], n * n if best is None else len(best)
        )
        if found is not None and (best is None or len(found) < len(best)):
            best = found
    if best is None:
        return [(i, j) for i in range(n) for j in range(i + 1, n)]
    return sorted(best)


def _column_candidates(cells: Sequence[_Cell], limit: int) -> set[tuple[int, int]] | None:
    """The pairs whose cells in one column may share a value; ``None`` past ``limit`` pairs."""
    pairs: set[tuple[int, int]] = set()
    wild = [i for i, c in enumerate(cells) if c is None]
    spans = [(i, c) for i, c in enumerate(cells) if isinstance(c, Span)]
    sets = [(i, c) for i, c in enumerate(cells) if isinstance(c, frozenset)]
    n = len(cells)
    if len(wild) * n > limit:
        return None
    for i in wild:
        pairs.update((min(i, j), max(i, j)) for j in range(n) if j != i)
    # ranges: sorted by lower end, each meets only the earlier ones still open at its start
    low = [(s.lo is not None, s.lo, i, s) for i, s in spans]
    try:
        low.sort(key=lambda t: (t[0], t[1]) if t[0] else (False, 0))
    except TypeError:  # bounds of mixed types: compare every pair of ranges
        low = [(True, None, i, s) for i, s in spans]
        pairs.update((min(a, b), max(a, b)) for a, _ in spans for b, _ in spans if a < b)
    else:
        active: list[tuple[int, Span]] = []
        for _, _, i, span in low:
            if span.lo is not None:
                active = [(j, a) for j, a in active if not _ends_before(a, span.lo)]
            pairs.update((min(i, j), max(i, j)) for j, _ in active)
            active.append((i, span))
            if len(pairs) > limit:
                return None
    # value lists: rows sharing a value, and the ranges holding one of a row's values
    buckets: dict[Any, list[int]] = {}
    for i, values in sets:
        for value in values:
            buckets.setdefault(value, []).append(i)  # 1, 1.0 and True meet, as in sets
    for members in buckets.values():
        pairs.update((a, b) for x, a in enumerate(members) for b in members[x + 1 :] if a != b)
        if len(pairs) > limit:
            return None
    for i, values in sets:
        for j, span in spans:
            if any(v is not None and span.contains(v) for v in values):
                pairs.add((min(i, j), max(i, j)))
    return pairs


def _ends_before(span: Span, x: Any) -> bool:
    """Whether every value of ``span`` lies below ``x`` (a range that has closed by ``x``)."""
    try:
        return span.hi is not None and (span.hi < x or (span.hi == x and not span.hi_closed))
    except TypeError:
        return False


def _shares(a: _Cell, b: _Cell) -> bool:
    """Whether two cells of one column share a value (:func:`_common` without the words)."""
    if a is None or b is None:
        return True
    if isinstance(a, Span):
        if isinstance(b, Span):
            return a.intersect(b) is not None
        return any(v is not None and a.contains(v) for v in b)
    if isinstance(b, Span):
        return any(v is not None and b.contains(v) for v in a)
    return not a.isdisjoint(b)


def _pick(values: frozenset[Any] | None) -> str:
    """One value of a set, chosen deterministically so messages do not change between runs."""
    assert values
    return format_value(sorted(values, key=repr)[0])


def iter_overlaps(rows: Sequence[Sequence[Any]], sources: Sequence[str]) -> Iterator[Overlap]:
    """Every pair of rows that can both match some input, in table order, found lazily.

    :param rows: per row, its cells as :class:`kamcore.expr.UnaryTest` objects, in column order.
    :param sources: the input expression of each column, quoted in the example.
    :returns: pairs, each with an example such as ``revenue_12m in [1e6..5e6)``.
    """
    cells: list[tuple[int, tuple[_Cell, ...]]] = []
    for position, tests in enumerate(rows):
        decided = [_decidable(t) for t in tests]
        if all(ok for ok, _ in decided):
            cells.append((position, tuple(c for _, c in decided)))
    for i, j in _candidates([c for _, c in cells]):
        (first, a_cells), (second, b_cells) = cells[i], cells[j]
        # most candidates still differ in some column: find that cheaply, describe overlaps only
        if not all(_shares(a, b) for a, b in zip(a_cells, b_cells, strict=True)):
            continue
        parts: list[str] = []
        for column, (a, b) in enumerate(zip(a_cells, b_cells, strict=True)):
            _, description = _common(a, b, sources[column])
            if description:
                parts.append(description)
        yield Overlap(first, second, ", ".join(parts) or "any input")


def find_overlaps(
    rows: Sequence[Sequence[Any]],
    sources: Sequence[str],
    limit: int = 50,
    keep: Callable[[Overlap], bool] | None = None,
) -> tuple[list[Overlap], int]:
    """The first ``limit`` overlapping pairs, and how many more there are.

    A table with hundreds of overlaps has one design mistake, and a thousand messages would
    bury it; but the author must learn that the list was cut, so the rest are counted.

    :param keep: which pairs count (an ANY table minds only pairs whose outputs differ);
        every pair by default.
    :returns: ``(pairs, more)``: pairs in table order (see :func:`iter_overlaps`) and the
        number of further pairs left out.
    """
    found: list[Overlap] = []
    more = 0
    for overlap in iter_overlaps(rows, sources):
        if keep is not None and not keep(overlap):
            continue
        if len(found) < limit:
            found.append(overlap)
        else:
            more += 1
    return found, more
