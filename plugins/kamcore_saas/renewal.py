"""Renewal and tenure metrics: days to renewal, the renewal window, lapsed renewals, tenure.

A subscription is won again at every renewal. The renewal date comes from the
``saas.renewal_date`` fact or, for account documents, from the ``contracts`` stream (the end
of the latest contract in force). The window is a configured number of days before that date
(:attr:`kamcore_saas.config.SaasConfig.renewal_window_days`); an overdue renewal is still in
the window until it is signed or has lapsed.

Two day counts treat a negative value differently. The days to renewal count *down* to a
date: they are negative once the date has passed, and that is information (an overdue renewal,
lapsed after the grace period), so they are kept. Tenure is an *age*, counted up from a start:
a start after ``as_of`` (a contract signed to begin next quarter, a date typed wrongly) gives no
age at all rather than a negative one, which would read as "onboarding for -185 days".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from .streams import as_date, dated

__all__ = ["days_to_renewal", "in_renewal_window", "renewal_lapsed", "tenure_days"]


def _contract_end(contracts: Iterable[Any] | None, as_of: date) -> date | None:
    """The latest end among contracts started on or before ``as_of``: the current term's end."""
    ends = (as_date(item.get("end")) for _, item in dated(contracts, as_of, "start"))
    return max((end for end in ends if end is not None), default=None)


def days_to_renewal(
    renewal_date: date | None, contracts: Iterable[Any] | None, as_of: date
) -> int | None:
    """Days from ``as_of`` to the renewal date; negative once the date has passed (an overdue
    renewal: the value :func:`renewal_lapsed` and the renewal window read, so it is kept)."""
    when = as_date(renewal_date) or _contract_end(contracts, as_of)
    return None if when is None else (when - as_of).days


def in_renewal_window(days: int, *, window_days: int) -> bool:
    """The renewal is due within ``window_days`` or already overdue."""
    return days <= window_days


def renewal_lapsed(days: int | None, signed: bool | None, *, grace_days: int) -> bool | None:
    """The renewal date passed more than ``grace_days`` ago and the renewal is not signed.
    Missing without a renewal date."""
    if days is None:
        return None
    return days < -grace_days and not signed


def tenure_days(
    contract_start_date: date | None,
    customer_since: date | None,
    contracts: Iterable[Any] | None,
    as_of: date,
) -> int | None:
    """Days since the first subscription started: ``saas.contract_start_date``, else the core
    ``customer_since``, else the earliest contract start on or before ``as_of``.

    Missing when that start is after ``as_of``: an age is never negative (see the module doc).
    The stated start is not replaced by an older ``customer_since`` then, because the export
    says the subscription has not begun.
    """
    start = as_date(contract_start_date) or as_date(customer_since)
    if start is None:
        start = min((when for when, _ in dated(contracts, as_of, "start")), default=None)
    if start is None or start > as_of:
        return None
    return (as_of - start).days
