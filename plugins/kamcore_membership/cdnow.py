"""The CDNOW data set: the standard benchmark of BG/NBD and Gamma-Gamma implementations.

CDNOW purchases by the cohort of customers who first bought in the first quarter of 1997
(Fader & Hardie's public research data). Fader, Hardie & Lee (2005) fit BG/NBD on the 1/10
sample (2,357 customers) over a 39-week calibration period ending 1997-09-30, and publish
``r, alpha, a, b = 0.243, 4.414, 0.793, 2.426`` (log-likelihood -9582.4); the Gamma-Gamma spend
model on its 946 repeat buyers gives ``p, q, gamma = 6.25, 3.74, 15.44``. Reproducing those
figures from the raw log checks the whole chain (reading, same-day merging, weeks, the
likelihoods, the optimiser), which is why the pack's tests do it.

The files are not shipped with the pack; read them from wherever they are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from .summary import PurchaseSummary, summarise_transactions

__all__ = ["CALIBRATION_END", "read_transactions", "summarise"]

#: The last day of the usual 39-week calibration period (weeks 1-39 of 1997).
CALIBRATION_END = date(1997, 9, 30)


def _date(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def read_transactions(path: str | Path) -> list[tuple[str, date, float]]:
    """Read ``CDNOW_sample.txt`` or ``CDNOW_master.txt`` as ``(customer_id, date, dollars)``.

    Both are whitespace-separated with dates as ``YYYYMMDD``. The master file has a header
    line and the columns customer id, date, number of CDs, dollar value; the sample file has no
    header and an extra second column (the customer's index in the sample).
    """
    records: list[tuple[str, date, float]] = []
    with Path(path).open(encoding="ascii") as lines:
        for number, line in enumerate(lines, start=1):
            cells = line.split()
            if not cells or not cells[0].isdigit():
                continue  # the master file's header, or a blank line
            if len(cells) == 5:
                customer, _, day, _, dollars = cells
            elif len(cells) == 4:
                customer, day, _, dollars = cells
            else:
                raise ValueError(f"{path}:{number}: expected 4 or 5 columns, got {len(cells)}")
            records.append((customer, _date(day), float(dollars)))
    return records


def summarise(
    transactions: Iterable[tuple[str, date, float | None]],
    calibration_end: date = CALIBRATION_END,
) -> dict[str, PurchaseSummary]:
    """The per-customer summary for the calibration period, as in the literature (same-day
    transactions combined, weeks from each customer's first purchase, ``x`` = repeat
    purchases); see :func:`kamcore_membership.summary.summarise_transactions`."""
    return summarise_transactions(transactions, calibration_end)
