"""Support metrics: open P1 tickets, the age of the oldest one, and the support load.

An enterprise customer forgives many tickets but not a P1 (production down) left open for
weeks. The P1 figures come from the pack's facts or from the core ``support_tickets`` stream
(priority ``p1``..``p4``, ``opened``, ``closed``). The support load weighs open tickets by
priority (:attr:`kamcore_saas.config.SaasConfig.ticket_weights`) so that one P1 counts more
than several how-to questions.

Counts and ages are never negative: a negative ``saas.open_p1_tickets`` or
``saas.oldest_p1_days`` is a data error and counts as an empty cell (the stream is read
instead, when there is one), so it can neither raise nor silence an alert by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from .streams import open_tickets

__all__ = ["oldest_p1_age", "open_p1_count", "support_load"]


def _is_p1(ticket: Mapping[str, Any]) -> bool:
    return str(ticket.get("priority", "")).lower() == "p1"


def open_p1_count(
    open_p1_tickets: int | None, tickets: Iterable[Any] | None, as_of: date
) -> int | None:
    """Open P1 tickets: the fact, else those of the stream open on ``as_of``. A negative fact
    counts as missing."""
    if open_p1_tickets is not None and open_p1_tickets >= 0:
        return open_p1_tickets
    if tickets is None:
        return None
    return sum(1 for _, ticket in open_tickets(tickets, as_of) if _is_p1(ticket))


def oldest_p1_age(
    oldest_p1_days: int | None, open_p1: int | None, tickets: Iterable[Any] | None, as_of: date
) -> int | None:
    """Days the oldest open P1 ticket has been open: the fact, else from the stream.

    Missing when no P1 ticket is open (there is no oldest one): when ``open_p1`` (the metric
    ``saas.open_p1_count``) is 0, whatever the age column says. Helpdesk exports often compute
    the two columns separately, and a stale age left next to a count of 0 must not raise a
    critical P1 alert for a ticket that was closed. An unknown count (missing) leaves the age
    as given. A negative age counts as missing.
    """
    if open_p1 == 0:
        return None
    if oldest_p1_days is not None and oldest_p1_days >= 0:
        return oldest_p1_days
    ages = [(as_of - opened).days for opened, t in open_tickets(tickets, as_of) if _is_p1(t)]
    return max(ages, default=None)


def support_load(
    open_total: int | None,
    open_p1: int | None,
    tickets: Iterable[Any] | None,
    as_of: date,
    *,
    weights: Mapping[str, float],
) -> float | None:
    """Open tickets weighted by priority.

    With the open-ticket count of a flat export (the core ``open_tickets``), the P1 tickets
    weigh ``weights["p1"]`` and the others, whose priority the export does not give,
    ``weights["p3"]``. Otherwise every open ticket of the stream weighs its own priority's
    weight (an unknown priority weighs like ``p3``). Missing with neither source. A negative
    ``open_total`` counts as missing (the stream is read) and a negative ``open_p1`` as unknown,
    so the load is never negative.
    """
    if open_total is not None and open_total >= 0:
        p1 = min(max(open_p1 or 0, 0), open_total)
        return float(weights["p1"] * p1 + weights["p3"] * (open_total - p1))
    if tickets is None:
        return None
    default = weights["p3"]
    return float(
        sum(
            weights.get(str(t.get("priority", "")).lower(), default)
            for _, t in open_tickets(tickets, as_of)
        )
    )
