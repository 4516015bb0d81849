"""A deterministic sample book of B2B subscription accounts (Northwind Cloud's customers).

The rows are what a SaaS vendor's flat export looks like: billing (ARR, the 12-month movements,
MRR instead of ARR for monthly-billed accounts), product analytics (licences, active users,
weekly active users this period and the previous one), the helpdesk (open tickets, P1s), the
CRM (renewal and contract dates, NPS, CSM sentiment) with empty cells where a source has
nothing. Distributions follow the usual shape of such a book: ARR log-normal with a long tail of
small accounts and a few strategic ones, most accounts healthy, a minority with falling usage,
shelfware, detractors, aged P1 tickets or an overdue renewal, so every warning of the base
policy fires somewhere.

The same ``(n, seed)`` always gives the same rows; ``policies/saas/sample.csv`` is
``write_csv`` of the defaults and a test regenerates it byte for byte.
"""

from __future__ import annotations

import csv
import os
import random
from datetime import date, timedelta
from typing import Any

__all__ = ["COLUMNS", "SAMPLE_AS_OF", "SAMPLE_SEED", "SAMPLE_SIZE", "generate", "write_csv"]

#: The day the sample describes; evaluate it "as of" this date.
SAMPLE_AS_OF = date(2026, 6, 30)
SAMPLE_SIZE = 300
SAMPLE_SEED = 2026

#: The CSV columns, in file order.
COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "industry",
    "region",
    "country",
    "entity",
    "strategic",
    "saas.arr",
    "saas.mrr",
    "saas.arr_prev_12m",
    "saas.starting_arr",
    "saas.expansion_arr",
    "saas.contraction_arr",
    "saas.churned_arr",
    "saas.potential_arr",
    "saas.licences",
    "saas.active_users",
    "saas.usage",
    "saas.usage_prev",
    "saas.feature_adoption",
    "saas.contract_start_date",
    "saas.go_live_date",
    "saas.renewal_date",
    "saas.renewal_signed",
    "nps",
    "open_tickets",
    "saas.open_p1_tickets",
    "saas.oldest_p1_days",
    "saas.csm_sentiment",
    "saas.reference_account",
)

_INDUSTRIES = (
    "software",
    "financial_services",
    "manufacturing",
    "retail",
    "healthcare",
    "logistics",
    "education",
)
#: (region, countries, contracting entity): Northwind's Chinese subsidiary contracts in China.
_MARKETS = (
    ("na", ("US", "US", "US", "CA"), "us"),
    ("emea", ("DE", "GB", "FR", "NL"), "us"),
    ("apac", ("SG", "JP", "AU"), "us"),
    ("cn", ("CN",), "cn"),
)
_MARKET_WEIGHTS = (40, 28, 12, 20)
_NAME_PARTS = (
    ("Blue", "Summit", "Harbor", "Nova", "Granite", "Vertex", "Cedar", "Atlas", "Orion", "Pine"),
    ("Logistics", "Bank", "Health", "Retail", "Systems", "Foods", "Energy", "Labs", "Motors"),
)
_ZH_NAME_PARTS = (
    ("华东", "鼎新", "远航", "星河", "恒通", "天盛", "博远", "云杉", "海川", "金桥"),
    ("物流", "银行", "医疗", "零售", "科技", "食品", "能源", "制造", "教育"),
)
_NPS_WEIGHTS = (2, 1, 2, 3, 4, 6, 7, 12, 18, 22, 14)  # answers 0..10, promoters common


def _name(rng: random.Random, entity: str, i: int) -> str:
    if entity == "cn":
        first, second = _ZH_NAME_PARTS
        return f"{rng.choice(first)}{rng.choice(second)}{i:03d}"
    first, second = _NAME_PARTS
    return f"{rng.choice(first)} {rng.choice(second)} {i:03d}"


def _anniversary_after(start: date, as_of: date) -> date:
    """The first anniversary of ``start`` after ``as_of`` (29 February falls on the 28th)."""
    year = as_of.year
    while True:
        day = min(start.day, 28) if start.month == 2 else start.day
        candidate = date(year, start.month, day)
        if candidate > as_of:
            return candidate
        year += 1


def _money(value: float) -> float:
    return round(value, 2)


def _movements(rng: random.Random, start: float) -> tuple[float, float, float, float]:
    """Expansion, contraction and churn over 12 months, and the resulting ARR."""
    contraction = _money(start * rng.uniform(0.02, 0.2)) if rng.random() < 0.25 else 0.0
    churned = _money(start * rng.uniform(0.05, 0.3)) if rng.random() < 0.08 else 0.0
    expansion = _money(start * rng.lognormvariate(-2.2, 0.9)) if rng.random() < 0.55 else 0.0
    return expansion, contraction, churned, _money(start + expansion - contraction - churned)


def _revenue(rng: random.Random, tenure: int, row: dict[str, Any]) -> float:
    """Fill the ARR columns; returns the current ARR."""
    arr = _money(min(max(rng.lognormvariate(10.9, 1.3), 3_000.0), 6_000_000.0))
    if tenure >= 365:
        start = _money(arr / rng.lognormvariate(0.04, 0.18))
        if rng.random() < 0.7:  # billing reports the movements
            expansion, contraction, churned, arr = _movements(rng, start)
            row.update(
                {
                    "saas.starting_arr": start,
                    "saas.expansion_arr": expansion,
                    "saas.contraction_arr": contraction,
                    "saas.churned_arr": churned,
                }
            )
        row["saas.arr_prev_12m"] = start
    if rng.random() < 0.1:  # billed monthly: the export has MRR only
        row["saas.mrr"] = _money(arr / 12)
    else:
        row["saas.arr"] = arr
    row["saas.potential_arr"] = _money(arr * rng.lognormvariate(0.7, 0.5))
    return arr


def _adoption(rng: random.Random, arr: float, troubled: bool, row: dict[str, Any]) -> None:
    licences = max(5, int(arr / rng.uniform(300, 900)))
    utilisation = rng.betavariate(2.0, 3.5) if troubled else rng.betavariate(4.0, 2.0) * 1.15
    active = int(licences * utilisation)
    weekly = max(1, int(active * rng.uniform(0.55, 0.85)))
    falling = troubled or rng.random() < 0.06
    trend = rng.uniform(-0.5, -0.1) if falling else rng.gauss(0.02, 0.1)
    row.update(
        {
            "saas.licences": licences,
            "saas.active_users": active,
            "saas.usage": weekly,
            "saas.usage_prev": max(1, round(weekly / (1 + trend))),
            "saas.feature_adoption": round(rng.betavariate(3.0, 2.0), 3),
        }
    )


def _dates(rng: random.Random, tenure: int, row: dict[str, Any]) -> None:
    start = SAMPLE_AS_OF - timedelta(days=tenure)
    row["saas.contract_start_date"] = start
    if tenure < 120 or rng.random() < 0.6:  # older accounts often lack a recorded go-live
        row["saas.go_live_date"] = start + timedelta(days=rng.randint(30, 110))
    renewal = _anniversary_after(start, SAMPLE_AS_OF)
    if tenure >= 365 and rng.random() < 0.04:  # the renewal date passed without a renewal
        renewal = SAMPLE_AS_OF - timedelta(days=rng.randint(1, 40))
    row["saas.renewal_date"] = renewal
    days = (renewal - SAMPLE_AS_OF).days
    row["saas.renewal_signed"] = 0 <= days <= 90 and rng.random() < 0.35


def _support_and_sentiment(
    rng: random.Random, licences: int, troubled: bool, row: dict[str, Any]
) -> None:
    tickets = min(25, int(rng.expovariate(0.5 if troubled else 1.0) * (1 + licences / 400)))
    p1 = 0 if tickets == 0 or rng.random() > (0.4 if troubled else 0.08) else 1
    row["open_tickets"] = tickets
    row["saas.open_p1_tickets"] = p1
    if p1:
        row["saas.oldest_p1_days"] = rng.randint(1, 35)
    if rng.random() < 0.75:
        row["nps"] = rng.randint(0, 7) if troubled else rng.choices(range(11), _NPS_WEIGHTS)[0]
    if rng.random() < 0.85:
        sentiment = (5, 4, 2, 0, 0) if troubled else (1, 3, 6, 8, 4)
        row["saas.csm_sentiment"] = rng.choices((1, 2, 3, 4, 5), weights=sentiment)[0]
    row["saas.reference_account"] = rng.random() < 0.06


def generate(n: int = SAMPLE_SIZE, seed: int = SAMPLE_SEED) -> list[dict[str, Any]]:
    """``n`` flat account rows, every column of :data:`COLUMNS` present (``None``: empty)."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for i in range(1, n + 1):
        region, countries, entity = rng.choices(_MARKETS, weights=_MARKET_WEIGHTS)[0]
        row: dict[str, Any] = dict.fromkeys(COLUMNS)
        row.update(
            {
                "id": f"NW-{i:04d}",
                "name": _name(rng, entity, i),
                "industry": rng.choice(_INDUSTRIES),
                "region": region,
                "country": rng.choice(countries),
                "entity": entity,
                "strategic": rng.random() < 0.03,
            }
        )
        tenure = rng.randint(10, 119) if rng.random() < 0.08 else int(rng.uniform(120, 2900))
        troubled = rng.random() < 0.12  # a latent cause behind several warning signs at once
        arr = _revenue(rng, tenure, row)
        _adoption(rng, arr, troubled, row)
        _dates(rng, tenure, row)
        _support_and_sentiment(rng, int(row["saas.licences"]), troubled, row)
        rows.append(row)
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)  # floats are rounded when generated; str() is their shortest form


def write_csv(path: str | os.PathLike[str], n: int = SAMPLE_SIZE, seed: int = SAMPLE_SEED) -> None:
    """Write :func:`generate` as UTF-8 CSV with ``\\n`` line ends, byte-identical per
    ``(n, seed)``."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in generate(n, seed):
            writer.writerow([_cell(row[column]) for column in COLUMNS])
