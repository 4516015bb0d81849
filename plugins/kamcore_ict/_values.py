"""Lenient readers for stream items and the date windows the ICT metrics share.

Stream items (opportunities, payments, contacts, owners) reach the pack's metrics as plain dicts
nobody has cleaned. A metric runs for every account, so one bad item must be skipped, never crash
the account; every metric therefore reads items through these helpers. They are written here
rather than imported from kamcore's private modules because a pack uses the public API only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, Final

__all__ = [
    "WINDOW_DAYS",
    "Items",
    "as_date",
    "as_number",
    "in_window",
    "items_of",
]

#: Length of a "12 months" window, in days: the 365 days ending on ``as_of``, both included,
#: the same convention as kamcore's built-in ``*_12m`` metrics.
WINDOW_DAYS: Final = 365
#: Longer strings are not dates; refusing them early keeps parsing bounded.
_MAX_DATE_TEXT: Final = 40

#: A fact stream as a metric receives it: a list of dicts, or ``None`` for a flat row.
Items = Iterable[Any] | None


def as_date(value: object) -> date | None:
    """The value as a :class:`~datetime.date` (datetimes cut, ISO text parsed), else ``None``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) <= _MAX_DATE_TEXT:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def as_number(value: object) -> float | int | None:
    """The value if it is a number (booleans are not), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def items_of(items: Items) -> Iterator[Mapping[str, Any]]:
    """The dict items of a stream; anything else in it is skipped."""
    for item in items or ():
        if isinstance(item, Mapping):
            yield item


def in_window(when: date | None, as_of: date, start_days: int = 0) -> bool:
    """Whether ``when`` falls in the 12-month window ending ``start_days`` before ``as_of``.

    ``start_days = 0`` is the last 12 months (``as_of - 364`` .. ``as_of``); ``start_days =
    365`` the 12 months before those. A date after ``as_of`` is never in a window, so evaluating
    a past date sees only what was known then.
    """
    if when is None or when > as_of:
        return False
    age = (as_of - when).days - start_days
    return 0 <= age < WINDOW_DAYS
