"""A deterministic generator of sample members, drawn from the BG/NBD and Gamma-Gamma story.

The sample should look like a real membership book and exercise every part of the pack, so it
is simulated from the same assumptions the models make, with parameters of a beauty shop:
each member buys at their own Poisson rate (gamma across members), may drop out after each
repeat purchase (beta across members), and spends a gamma amount per order around their own
mean (gamma-gamma across members). About one in eight members registered and never bought
(visitors); acquisition channels and costs, birthdays, NPS answers and a skin type column
(肤质, as the example client's CRM exports it) are added. Only the standard library's
:class:`random.Random` is used, so ``(n, seed)`` gives the same rows everywhere, and
``policies/membership/sample.csv`` is exactly ``write_csv(path)``.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

__all__ = [
    "COLUMNS",
    "DEFAULT_N",
    "DEFAULT_SEED",
    "SAMPLE_AS_OF",
    "TRUE_PARAMS",
    "generate",
    "write_csv",
]

#: The evaluation date the sample is drawn for.
SAMPLE_AS_OF = date(2025, 6, 30)
DEFAULT_N = 400
DEFAULT_SEED = 7
#: The generating parameters (weeks; CNY): BG/NBD r, alpha, a, b and Gamma-Gamma p, q, gamma.
TRUE_PARAMS: dict[str, float] = {
    "r": 0.9,
    "alpha": 6.0,
    "a": 0.8,
    "b": 4.0,
    "p": 5.0,
    "q": 4.0,
    "gamma": 150.0,
}

COLUMNS: tuple[str, ...] = (
    "id",
    "membership.channel",
    "membership.acquisition_cost",
    "membership.join_date",
    "membership.birthday",
    "first_order_date",
    "last_order_date",
    "membership.repeat_purchases",
    "membership.avg_repeat_value",
    "orders_12m",
    "revenue_12m",
    "revenue_prev_12m",
    "nps",
    "肤质",
)

#: Channel, weight, and the range of its acquisition cost (CNY).
_CHANNELS: tuple[tuple[str, int, float, float], ...] = (
    ("organic", 30, 5.0, 20.0),
    ("search", 20, 60.0, 120.0),
    ("social", 25, 40.0, 90.0),
    ("livestream", 15, 80.0, 150.0),
    ("referral", 10, 25.0, 35.0),
)
_SKIN_TYPES = ("干性", "油性", "混合性", "敏感性", "中性")
_VISITOR_SHARE = 0.12
_HISTORY_DAYS = 3 * 365
_MAX_PURCHASES = 200
_DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class _Member:
    """One member's simulated purchase days and values up to the sample date."""

    purchases: dict[date, float]


def _simulate(rng: random.Random, first: date) -> _Member:
    p = TRUE_PARAMS
    rate = rng.gammavariate(p["r"], 1.0 / p["alpha"])  # purchases per week while alive
    dropout = rng.betavariate(p["a"], p["b"])
    nu = rng.gammavariate(p["q"], 1.0 / p["gamma"])
    days: dict[date, float] = {}

    def spend() -> float:
        return round(rng.gammavariate(p["p"], 1.0 / nu), 2)

    days[first] = spend()
    when = first
    while len(days) < _MAX_PURCHASES:
        gap = rng.expovariate(rate) if rate > 0 else float("inf")
        if gap * _DAYS_PER_WEEK > (SAMPLE_AS_OF - when).days:
            break
        when = when + timedelta(days=int(gap * _DAYS_PER_WEEK))
        days[when] = round(days.get(when, 0.0) + spend(), 2)  # same day: one occasion
        if rng.random() < dropout:
            break
    return _Member(days)


def _in_window(days: dict[date, float], start: int, end: int) -> list[float]:
    """Values of the purchase days ``start`` to ``end - 1`` days before the sample date."""
    return [v for d, v in days.items() if start <= (SAMPLE_AS_OF - d).days < end]


def _row(rng: random.Random, number: int) -> dict[str, Any]:
    channel, cost_low, cost_high = _channel(rng)
    join = SAMPLE_AS_OF - timedelta(days=rng.randint(1, _HISTORY_DAYS))
    birthday = (
        None
        if rng.random() < 0.15
        else date(rng.randint(1970, 2005), 1, 1) + timedelta(days=rng.randint(0, 364))
    )
    row: dict[str, Any] = {
        "id": f"M{number:04d}",
        "membership.channel": channel,
        "membership.acquisition_cost": round(rng.uniform(cost_low, cost_high), 2),
        "membership.join_date": join.isoformat(),
        "membership.birthday": birthday.isoformat() if birthday else "",
        "nps": rng.choice((10, 10, 9, 9, 9, 8, 8, 7, 6, 5, 3)) if rng.random() < 0.4 else "",
        "肤质": rng.choice(_SKIN_TYPES),
    }
    first = join + timedelta(days=int(rng.expovariate(1 / 10)))
    if rng.random() < _VISITOR_SHARE or first > SAMPLE_AS_OF:
        return {**row, **_visitor()}
    days = _simulate(rng, first).purchases
    dates = sorted(days)
    repeat = [days[d] for d in dates[1:]]
    last_12m = _in_window(days, 0, 365)
    return {
        **row,
        "first_order_date": dates[0].isoformat(),
        "last_order_date": dates[-1].isoformat(),
        "membership.repeat_purchases": len(dates) - 1,
        "membership.avg_repeat_value": round(sum(repeat) / len(repeat), 2) if repeat else "",
        "orders_12m": len(last_12m),
        "revenue_12m": round(float(sum(last_12m)), 2),
        "revenue_prev_12m": round(float(sum(_in_window(days, 365, 730))), 2),
    }


def _channel(rng: random.Random) -> tuple[str, float, float]:
    total = sum(weight for _, weight, _, _ in _CHANNELS)
    pick = rng.uniform(0, total)
    for name, weight, low, high in _CHANNELS:
        if pick < weight:
            return name, low, high
        pick -= weight
    name, _, low, high = _CHANNELS[-1]
    return name, low, high


def _visitor() -> dict[str, Any]:
    return {
        "first_order_date": "",
        "last_order_date": "",
        "membership.repeat_purchases": "",
        "membership.avg_repeat_value": "",
        "orders_12m": 0,
        "revenue_12m": 0.0,
        "revenue_prev_12m": 0.0,
    }


def generate(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``n`` member rows (flat, columns :data:`COLUMNS`; an empty string is a missing value),
    the same for the same ``(n, seed)``."""
    rng = random.Random(seed)
    rows = [_row(rng, i) for i in range(1, n + 1)]
    return [{column: row[column] for column in COLUMNS} for row in rows]


def write_csv(
    path: str | Path = "sample.csv", n: int = DEFAULT_N, seed: int = DEFAULT_SEED
) -> None:
    """Write :func:`generate` as UTF-8 CSV with a header and ``\\n`` line ends."""
    with Path(path).open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(generate(n, seed))
