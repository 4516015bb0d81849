"""Lenient readers for values that come straight from account data.

Fact streams (transactions, survey responses, ...) reach the built-in metrics as plain dicts
that nobody has cleaned: dates may be :class:`~datetime.date` objects, datetimes or ISO strings,
amounts may be missing. The built-ins must stay total on such data (a bad item is skipped, never
a crash for the whole account), so they all read items through these helpers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

__all__ = ["as_date", "as_number", "dated_items", "latest_item"]

#: Longer strings are not dates; refusing them early keeps parsing bounded.
_MAX_DATE_TEXT = 40


def as_date(value: object) -> date | None:
    """The value as a :class:`~datetime.date`, or ``None`` if it is not one.

    Datetimes are cut to their date (``date - datetime`` would raise), ISO strings are parsed
    (``2024-05-01`` or ``2024-05-01T10:00``), anything else is not a date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) <= _MAX_DATE_TEXT:
        text = value.strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            return None
    return None


def as_number(value: object) -> int | float | None:
    """The value if it is a number (booleans are not), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def dated_items(
    items: Iterable[Any] | None, as_of: date, key: str = "date"
) -> Iterator[tuple[date, Mapping[str, Any]]]:
    """``(date, item)`` for every dict item whose ``key`` is a date on or before ``as_of``.

    Items dated after ``as_of`` are left out so that evaluating a past date (a backtest) sees
    only what was known then; items without a readable date are left out too.
    """
    for item in items or ():
        if not isinstance(item, Mapping):
            continue
        when = as_date(item.get(key))
        if when is not None and when <= as_of:
            yield when, item


def latest_item(
    items: Iterable[Any] | None, as_of: date, key: str = "date"
) -> tuple[date, Mapping[str, Any]] | None:
    """The item with the latest date on or before ``as_of``; on equal dates the later item in
    the stream wins (streams are append-only, so it was recorded last)."""
    best: tuple[date, Mapping[str, Any]] | None = None
    for when, item in dated_items(items, as_of, key):
        if best is None or when >= best[0]:
            best = (when, item)
    return best
