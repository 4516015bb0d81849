"""Ranges such as ``[0..40)``, and the check that a set of bands covers its range exactly once.

Band boundaries are where scoring tools go quietly wrong (is 70 amber or green?). A kamcore
range states both ends explicitly, and :func:`check_bands` reports every overlap, gap and
uncovered end in plain language when the policy loads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Interval", "check_bands", "format_number", "parse_interval"]

_NUMBER = r"[+-]?(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?"
_BRACKETS = re.compile(
    rf"^\s*(?P<lo_b>[\[\(\]])\s*(?P<lo>{_NUMBER})?\s*\.\.\s*(?P<hi>{_NUMBER})?\s*(?P<hi_b>[\]\)\[])\s*$"
)
_COMPARISON = re.compile(rf"^\s*(?P<op><=|>=|<|>)\s*(?P<value>{_NUMBER})\s*$")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_EXAMPLES = "write it like [0..40), (0..1], [50..) or >= 50"


def format_number(value: float) -> str:
    """A bound as written in a range: ``40``, ``0.5``, ``1_000_000`` (whole numbers grouped)."""
    if float(value).is_integer() and abs(value) < 1e16:
        return f"{int(value):_}"
    return repr(float(value))


def _number(text: str) -> float:
    # int for whole numbers written without a point, so ranges print back as written.
    if re.fullmatch(r"[+-]?\d[\d_]*", text):
        return int(text.replace("_", ""))
    return float(text.replace("_", ""))


@dataclass(frozen=True)
class Interval:
    """A range of numbers; ``None`` on a side means unbounded there.

    :param lo: the lower bound, or ``None``.
    :param lo_closed: ``lo`` itself belongs to the range (``[``) or not (``(``).
    :param hi: the upper bound, or ``None``.
    :param hi_closed: ``hi`` itself belongs to the range (``]``) or not (``)``).
    """

    lo: float | None
    lo_closed: bool
    hi: float | None
    hi_closed: bool

    def contains(self, x: float) -> bool:
        """Whether ``x`` is in the range."""
        if self.lo is not None and (x < self.lo or (x == self.lo and not self.lo_closed)):
            return False
        return not (self.hi is not None and (x > self.hi or (x == self.hi and not self.hi_closed)))

    def is_empty(self) -> bool:
        """No number is in the range (``[40..40)``, ``[70..40]``)."""
        if self.lo is None or self.hi is None:
            return False
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def __str__(self) -> str:
        left = "[" if self.lo_closed else "("
        right = "]" if self.hi_closed else ")"
        lo = "" if self.lo is None else format_number(self.lo)
        hi = "" if self.hi is None else format_number(self.hi)
        return f"{left}{lo}..{hi}{right}"


def parse_interval(text: str) -> Interval:
    """Read a range: ``[0..40)``, ``(0..1]``, ``[50..)`` (empty bound: unbounded), ``]0..1[``
    (ISO open brackets), or a one-sided comparison ``>= 50``, ``> 50``, ``< 0``, ``<= 0``.

    :raises ValueError: with the accepted forms in the message, for anything else, for a range
        with no bound at all, and for an empty range.
    """
    if _THOUSANDS.search(text):
        fixed = _THOUSANDS.search(text)
        assert fixed is not None
        raise ValueError(
            f"thousands separators are not allowed in the range {text.strip()!r}: "
            f"write `{fixed.group().replace(',', '_')}`"
        )
    match = _BRACKETS.match(text)
    if match:
        lo_text, hi_text = match.group("lo"), match.group("hi")
        try:
            lo = None if lo_text is None else _number(lo_text)
            hi = None if hi_text is None else _number(hi_text)
        except ValueError:
            raise ValueError(f"cannot read the range {text.strip()!r}: {_EXAMPLES}") from None
        if lo is None and hi is None:
            raise ValueError(
                f"the range {text.strip()!r} has no bound; give at least one, as in [50..)"
            )
        interval = Interval(lo, match.group("lo_b") == "[", hi, match.group("hi_b") == "]")
    else:
        match = _COMPARISON.match(text)
        if match is None:
            raise ValueError(f"cannot read the range {text.strip()!r}: {_EXAMPLES}")
        try:
            value = _number(match.group("value"))
        except ValueError:
            raise ValueError(f"cannot read the range {text.strip()!r}: {_EXAMPLES}") from None
        op = match.group("op")
        if op.startswith(">"):
            interval = Interval(value, op == ">=", None, False)
        else:
            interval = Interval(None, False, value, op == "<=")
    for bound in (interval.lo, interval.hi):
        if bound is not None and not math.isfinite(bound):
            raise ValueError(f"the range {text.strip()!r} has a bound that is not a finite number")
    if interval.is_empty():
        raise ValueError(f"the range {text.strip()!r} is empty: no number is in it")
    return interval


# -- band checks ------------------------------------------------------------------------------


def _lower_key(interval: Interval) -> tuple[float, int]:
    # Sort by where a band starts; at equal bounds a closed start comes first.
    if interval.lo is None:
        return (-math.inf, 0)
    return (interval.lo, 0 if interval.lo_closed else 1)


def _upper_key(interval: Interval) -> tuple[float, int]:
    # How far a band reaches; at equal bounds a closed end reaches further.
    if interval.hi is None:
        return (math.inf, 1)
    return (interval.hi, 1 if interval.hi_closed else 0)


def _intersection(a: Interval, b: Interval) -> Interval:
    lo, lo_closed = a.lo, a.lo_closed
    if b.lo is not None and (lo is None or b.lo > lo or (b.lo == lo and not b.lo_closed)):
        lo, lo_closed = b.lo, b.lo_closed
    hi, hi_closed = a.hi, a.hi_closed
    if b.hi is not None and (hi is None or b.hi < hi or (b.hi == hi and not b.hi_closed)):
        hi, hi_closed = b.hi, b.hi_closed
    return Interval(lo, lo_closed, hi, hi_closed)


def _between(end: Interval, start: Interval) -> Interval:
    """The numbers after ``end``'s upper bound and before ``start``'s lower bound."""
    return Interval(end.hi, not end.hi_closed, start.lo, not start.lo_closed)


def _where(part: Interval) -> str:
    if part.lo is not None and part.lo == part.hi:
        return format_number(part.lo)
    return str(part)


def check_bands(
    intervals: Sequence[tuple[str, Interval]], domain: Interval | None = None
) -> list[str]:
    """Every overlap, gap and uncovered end of a set of bands, in plain language.

    :param intervals: ``(label, range)`` pairs, in any order.
    :param domain: the range the bands must cover exactly (``[0..100]`` for a score), or
        ``None`` to check only overlaps and gaps between the bands.
    :returns: one message per problem, from the low end up; empty when the bands are fine.
    """
    bands = sorted(intervals, key=lambda band: _lower_key(band[1]))
    problems: list[str] = []
    if not bands:
        return [f"there are no bands to cover {domain}"] if domain is not None else []

    def name(band: tuple[str, Interval]) -> str:
        return f"`{band[0]}` {band[1]}"

    for label, interval in bands:
        if interval.is_empty():
            problems.append(f"band `{label}` {interval} is empty: no number is in it")
    if domain is not None:
        first = bands[0][1]
        if _lower_key(first) > _lower_key(domain):
            uncovered = _intersection(domain, Interval(None, False, first.lo, not first.lo_closed))
            problems.append(f"no band covers {_where(uncovered)} at the low end of {domain}")
    for i, a in enumerate(bands):
        for b in bands[i + 1 :]:
            common = _intersection(a[1], b[1])
            if not common.is_empty():
                problems.append(f"bands {name(a)} and {name(b)} overlap at {_where(common)}")
    reach = bands[0]
    for band in bands[1:]:
        if reach[1].hi is not None and band[1].lo is not None:
            gap = _between(reach[1], band[1])
            if not gap.is_empty():
                problems.append(
                    f"gap between bands {name(reach)} and {name(band)}: "
                    f"{_where(gap)} belongs to neither"
                )
        if _upper_key(band[1]) > _upper_key(reach[1]):
            reach = band
    if domain is not None and _upper_key(reach[1]) < _upper_key(domain):
        last = reach[1]
        uncovered = _intersection(domain, Interval(last.hi, not last.hi_closed, None, False))
        problems.append(f"no band covers {_where(uncovered)} at the high end of {domain}")
    return problems
