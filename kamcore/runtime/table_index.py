"""An index over a decision table's rows: which rows can match an account, found without a scan.

A table of a thousand rows tested row by row costs a thousand cell tests per account. Most
tables are made of cells whose answer depends only on the input value (``"emea", "na"``,
``not("x")``, ``[0..10)``, ``>= 5``, ``null``), so the rows a value can match are known in
advance: per column, the index maps an input value to a bitmask of the rows (bit ``i``: row
``i``) whose cell may accept it; ANDing the columns' masks leaves a few candidate rows, which
the table then checks with its ordinary row test, in table order. The index only ever drops
rows; deciding whether a row matches stays with the compiled cells, so results are the scan's.

A dropped row must also be a row the scan would have left *without an error*: the scan tests a
row's cells left to right and stops at the first false one, so a cell that can fail (an
expression reading a missing fact, a comparison with another metric) before the column that
rules the row out would have failed the account. A row is therefore only dropped by a column
when every tested cell to its left is one of the value-only kinds above, in an indexed column
whose value has been checked. Values are checked by exact class (``str``; ``int`` and
``float`` for numbers; ``bool``): a missing value, a NaN, a ``bool`` where numbers are
expected or anything unusual makes the table scan, so such accounts behave (and fail) exactly
as without the index.

Equality uses a dict from literal to mask. Python's ``1 == 1.0 == True`` puts those literals
under one key, whose mask is the union of their rows: exactly the rows ``value == literal``
accepts, because dict lookups and the compiled ``==`` / ``in`` agree on such values. Ranges
cut the number line at every bound: with ``n`` sorted bounds there are ``2n + 1`` elementary
segments (each bound as a point, and the open gaps between), so open and closed ends are exact,
and a value finds its segment with one bisection.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from operator import xor
from typing import Any, TypeVar

from ..expr import UnaryTest
from ..expr.interval import Interval

__all__ = ["TableIndex", "build_index"]

_Row = TypeVar("_Row")
_Mask = Callable[[Any], int]

#: The classes a value must have exactly for a column of each literal group.
_NUMBERS: frozenset[type] = frozenset({int, float})
_GROUPS: dict[type, frozenset[type]] = {
    str: frozenset({str}),
    bool: frozenset({bool}),
    int: _NUMBERS,
    float: _NUMBERS,
}
#: Cell kinds whose test reads only the input value and cannot fail on a value of the
#: column's class (``compare`` only with a number literal, i.e. with an interval).
_VALUE_ONLY = frozenset({"null", "eq", "not_eq", "interval", "compare"})


def _value_only(cell: UnaryTest) -> bool:
    """The cell's answer depends on the input value alone (and can be indexed)."""
    if cell.kind not in _VALUE_ONLY:
        return False
    if cell.kind in ("interval", "compare"):
        return cell.interval is not None
    return cell.kind == "null" or cell.values is not None


def _accepted(cells: Sequence[UnaryTest]) -> frozenset[type]:
    """The exact classes of value a column is indexed for (empty: do not index it).

    A column with a range takes numbers only: a text compared with a bound raises, so it must
    take the scan. Otherwise the classes of its literals: equality with any other class is just
    false, but keeping to the literals' classes keeps the index to values it was built for.
    """
    indexable = [c for c in cells if _value_only(c)]
    if any(c.interval is not None for c in indexable):
        return _NUMBERS
    accepted: frozenset[type] = frozenset()
    for cell in indexable:
        for value in cell.values or ():
            accepted |= _GROUPS.get(type(value), frozenset())
    return accepted


@dataclass
class _ColumnBuilder:
    """The masks of one column, filled row by row (each row sets one bit somewhere)."""

    accepts: frozenset[type]
    wild: int = 0
    equal: dict[Any, int] = field(default_factory=dict)
    unequal_all: int = 0
    unequal: dict[Any, int] = field(default_factory=dict)
    ranges: list[tuple[int, Interval]] = field(default_factory=list)
    excludes: bool = False

    def add(self, bit: int, cell: UnaryTest) -> None:
        """Index ``cell`` of the row ``bit``: it may now be ruled out by this column."""
        self.excludes = True
        if cell.kind == "null":
            return  # the value is never missing on the indexed path: no value matches
        if cell.interval is not None:
            self.ranges.append((bit, cell.interval))
            return
        target = self.unequal if cell.kind == "not_eq" else self.equal
        if cell.kind == "not_eq":
            self.unequal_all |= bit
        for value in cell.values or ():
            target[value] = target.get(value, 0) | bit

    def mask_function(self) -> _Mask:
        """``value -> rows that may match it``, doing only the lookups this column needs.

        The always-candidate rows are folded into the equality masks (the lookup's default)
        and into every range segment, so the common columns cost one lookup.
        """
        wild, unequal_all, unequal = self.wild, self.unequal_all, self.unequal
        if not self.ranges:
            equal = {value: rows | wild for value, rows in self.equal.items()}
            if not unequal_all:
                return _equality(equal, wild)
            return _negation(equal, wild, unequal_all, unequal)
        cuts, segments = _segments(self.ranges)
        segments = [rows | wild for rows in segments]
        if not self.equal and not unequal_all:
            return _ranges(cuts, segments)
        return _mixed(cuts, segments, self.equal, unequal_all, unequal)


def _equality(equal: dict[Any, int], wild: int) -> _Mask:
    return lambda value: equal.get(value, wild)


def _negation(equal: dict[Any, int], wild: int, unequal_all: int, unequal: dict[Any, int]) -> _Mask:
    return lambda value: equal.get(value, wild) | (unequal_all & ~unequal.get(value, 0))


def _ranges(cuts: list[float], segments: list[int]) -> _Mask:
    last = len(cuts)

    def mask(value: Any) -> int:
        i = bisect_left(cuts, value)
        return segments[2 * i + 1 if i < last and cuts[i] == value else 2 * i]

    return mask


def _mixed(
    cuts: list[float],
    segments: list[int],
    equal: dict[Any, int],
    unequal_all: int,
    unequal: dict[Any, int],
) -> _Mask:
    by_range = _ranges(cuts, segments)
    return lambda value: (
        by_range(value) | equal.get(value, 0) | (unequal_all & ~unequal.get(value, 0))
    )


def _segments(ranges: Sequence[tuple[int, Interval]]) -> tuple[list[float], list[int]]:
    """The sorted bounds and the mask of each elementary segment.

    Segment ``2i + 1`` is the point ``cuts[i]``, segment ``2i`` the open gap below it (``2n``:
    above the last bound). A range covers a run of segments; its bit is switched on at the
    run's start and off after its end in a difference array, and a running XOR turns that into
    each segment's mask: linear in rows plus segments, not their product.
    """
    cuts = sorted({b for _, r in ranges for b in (r.lo, r.hi) if b is not None})
    diff = [0] * (2 * len(cuts) + 2)
    for bit, interval in ranges:
        start, end = _span(cuts, interval)
        diff[start] ^= bit
        diff[end + 1] ^= bit
    return cuts, list(accumulate(diff[:-1], xor))


def _span(cuts: Sequence[float], interval: Interval) -> tuple[int, int]:
    """The first and last segment of ``interval`` (its bounds are among ``cuts``)."""
    start = 0
    if interval.lo is not None:
        start = 2 * bisect_left(cuts, interval.lo) + (1 if interval.lo_closed else 2)
    end = 2 * len(cuts)
    if interval.hi is not None:
        end = 2 * bisect_left(cuts, interval.hi) + (1 if interval.hi_closed else 0)
    return start, end


@dataclass(frozen=True, slots=True)
class _Column:
    position: int
    accepts: frozenset[type]
    mask: _Mask | None  # None: only checked (rows to its right rely on its value's class)


class TableIndex:
    """Candidate rows of a table for one account's input values.

    Built by :func:`build_index`; :meth:`candidates` is all a table calls.
    """

    __slots__ = ("_columns", "_full")

    def __init__(self, columns: Sequence[_Column], rows: int) -> None:
        self._columns = tuple(columns)
        self._full = (1 << rows) - 1

    def mask(self, inputs: Sequence[Any]) -> int | None:
        """The rows that may match, or ``None`` when a value is not of its column's class.

        Columns are taken left to right and the loop may stop once no row is left: a row is
        only ruled out by a column whose left-hand columns were checked already.
        """
        found = self._full
        for column in self._columns:
            value = inputs[column.position]
            cls = type(value)
            if cls not in column.accepts or (cls is float and value != value):
                return None
            if column.mask is not None:
                found &= column.mask(value)
                if not found:
                    return 0
        return found

    def candidates(
        self, inputs: Sequence[Any], rows: Sequence[_Row]
    ) -> Sequence[_Row] | Iterator[_Row]:
        """The rows to test, in table order: all of ``rows`` when the index cannot help."""
        found = self.mask(inputs)
        if found is None:
            return rows
        if not found & (found - 1):  # none or one row: the usual case of a UNIQUE table
            return (rows[found.bit_length() - 1],) if found else ()
        return _pick(found, rows)


def _pick(found: int, rows: Sequence[_Row]) -> Iterator[_Row]:
    """The rows whose bits are set, lowest first (lazily: FIRST stops at its first match)."""
    while found:
        low = found & -found
        yield rows[low.bit_length() - 1]
        found ^= low


def build_index(cells: Sequence[Sequence[UnaryTest]]) -> TableIndex | None:
    """Index a table given each row's cells in column order; ``None`` if no column would help.

    A row is indexed in a column (may be ruled out by it) while every tested cell to its left
    is value-only in an indexed column; from its first other tested cell on, it stays a
    candidate of every column (``wild``). Trailing columns that rule out nothing are dropped;
    earlier ones are kept as checks, since rows to their right rely on them.
    """
    if not cells:
        return None
    width = len(cells[0])
    builders = [_ColumnBuilder(_accepted([row[c] for row in cells])) for c in range(width)]
    for position, row in enumerate(cells):
        bit = 1 << position
        safe = True
        for builder, cell in zip(builders, row, strict=True):
            indexable = bool(builder.accepts) and _value_only(cell)
            if safe and indexable:
                builder.add(bit, cell)
            else:
                builder.wild |= bit
                safe = safe and (indexable or cell.kind == "any")
    used = [c for c in range(width) if builders[c].excludes]
    if not used:
        return None
    columns = [
        _Column(
            c, builders[c].accepts, builders[c].mask_function() if builders[c].excludes else None
        )
        for c in range(used[-1] + 1)
        if builders[c].accepts
    ]
    return TableIndex(columns, len(cells))
