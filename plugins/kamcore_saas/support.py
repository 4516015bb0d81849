"""Support metrics: open P1 tickets, the age of the oldest one, and the support load.

An enterprise customer forgives many tickets but not a P1 (production down) left open for
weeks. The P1 figures come from the pack's facts or from the core ``support_tickets`` stream
(priority ``p1``..``p4``, ``opened``, ``closed``). The support load weighs open tickets by
priority (:attr:`kamcore_saas.config.SaasConfig.ticket_weights`) so that one P1 counts more
than several how-to questions.
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
    """Open P1 tickets: the fact, else those of the stream open on ``as_of``."""
    if open_p1_tickets is not None:
        return open_p1_tickets
    if tickets is None:
        return None
    return sum(1 for _, ticket in open_tickets(tickets, as_of) if _is_p1(ticket))


def oldest_p1_age(
    oldest_p1_days: int | None, tickets: Iterable[Any] | None, as_of: date
) -> int | None:
    """Days the oldest open P1 ticket has been open: the fact, else from the stream. Missing
    when no P1 ticket is open (there is no oldest one)."""
    if oldest_p1_days is not None:
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
    weight (an unknown priority weighs like ``p3``). Missing with neither source.
    """
    if open_total is not None:
        p1 = min(open_p1 or 0, open_total)
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
