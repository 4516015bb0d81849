"""Lenient readers of the core fact streams (``contracts``, ``usage``, ``support_tickets``).

The pack's metrics prefer a pre-aggregated fact and fall back to a stream. Stream items reach
them as plain dicts that nobody has cleaned (kamcore checks account documents lightly, and
callers may hand over raw data), so every read here is total: an item without a readable date
or number is skipped, never an error for the whole account. Items dated after ``as_of`` are
ignored so that evaluating a past date sees only what was known then.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

__all__ = ["as_date", "as_number", "dated", "open_tickets"]

#: Longer strings are not dates; refusing them early keeps parsing bounded.
_MAX_DATE_TEXT = 40


def as_date(value: object) -> date | None:
    """The value as a date (datetimes cut to their day, ISO text parsed), else ``None``."""
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


def as_number(value: object) -> float | None:
    """The value as a float if it is a finite number (booleans are not), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if number == number and abs(number) != float("inf") else None


def dated(
    items: Iterable[Any] | None, as_of: date, key: str
) -> Iterator[tuple[date, Mapping[str, Any]]]:
    """``(date, item)`` for each mapping item whose ``key`` is a date on or before ``as_of``."""
    for item in items or ():
        if isinstance(item, Mapping):
            when = as_date(item.get(key))
            if when is not None and when <= as_of:
                yield when, item


def open_tickets(
    tickets: Iterable[Any] | None, as_of: date
) -> Iterator[tuple[date, Mapping[str, Any]]]:
    """``(opened, ticket)`` for each ticket open on ``as_of``: opened by then and not closed
    by then (a ticket closed on ``as_of`` is closed)."""
    for opened, ticket in dated(tickets, as_of, "opened"):
        closed = as_date(ticket.get("closed"))
        if closed is None or closed > as_of:
            yield opened, ticket
