"""A deterministic sample book of an ICT vendor's region: flat CRM-export rows.

The rows imitate the account list of a telecom-equipment vendor's Southeast China region
(Guangdong, Guangxi, Hainan, Fujian): a handful of provincial carriers and power and transport
groups with wallets in the billions, a long tail of enterprise, government and campus accounts,
profit reported by product line (or as one total for some accounts), decision-chain support and
the share of decision roles reached, overdue milestones and departures of key decision makers at
realistic rates. Columns are named like the facts they feed (``ict.profit_cloud``,
``wallet_estimate``), plus one Chinese header as CRM exports have (``代表处``, the representative
office), which the example policy maps.

The same ``(n, seed)`` always gives the same rows, on every platform: only :mod:`random` with its
own seed, and numbers rounded and written in a fixed format. The share of decision roles reached
(``ict.roles_covered``, added after the other columns existed) is drawn from a second generator
seeded from the same seed, so adding it left every other column of the sample as it was.
``policies/ict/sample.csv`` is ``write_csv`` of the defaults, and a test regenerates it byte for
byte.
"""

from __future__ import annotations

import csv
import math
import os
import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Final

__all__ = ["AS_OF", "COLUMNS", "DEFAULT_N", "DEFAULT_SEED", "generate", "write_csv"]

#: The evaluation date the sample is drawn for (departure dates are relative to it).
AS_OF: Final = date(2026, 6, 30)
DEFAULT_N: Final = 300
DEFAULT_SEED: Final = 20260630

#: The CSV columns, in order.
COLUMNS: Final = (
    "id",
    "name",
    "industry",
    "region",
    "代表处",
    "strategic",
    "wallet_estimate",
    "ict.wallet_growth",
    "ict.credit_grade",
    "revenue_12m",
    "revenue_prev_12m",
    "share_of_wallet",
    "ict.share_of_wallet_prev",
    "ict.profit_12m",
    "ict.profit_network",
    "ict.profit_cloud",
    "ict.profit_enterprise",
    "ict.profit_energy",
    "ict.profit_services",
    "ict.opportunities_won_12m",
    "ict.opportunities_lost_12m",
    "ict.win_rate_prev_12m",
    "ict.pipeline_value",
    "ict.overdue_amount",
    "ict.days_overdue",
    "ict.supporter_coverage",
    "ict.top_opponent_influence",
    "ict.key_dm_left_on",
    "ict.key_people_mapped",
    "ict.roles_covered",
    "ict.on_time_delivery_rate",
    "ict.account_responsible",
    "ict.solution_responsible",
    "ict.fulfilment_responsible",
    "ict.strategic_agreement",
    "years_as_customer",
    "nps",
    "open_tickets",
)

#: industry -> (weight in the book, median ICT wallet in CNY, product lines it buys, names)
_INDUSTRIES: Final[dict[str, tuple[int, float, tuple[str, ...], tuple[str, ...]]]] = {
    "telecom": (5, 1.5e9, ("network", "energy", "services", "cloud"), ("移动", "联通", "电信")),
    "government": (
        16,
        1.2e8,
        ("cloud", "enterprise", "services"),
        ("政务服务数据管理局", "公安局"),
    ),
    "finance": (12, 1.5e8, ("cloud", "enterprise", "services"), ("农商银行", "城市商业银行")),
    "energy": (10, 3.0e8, ("energy", "enterprise", "network", "services"), ("供电局", "能源集团")),
    "transport": (8, 1.5e8, ("enterprise", "cloud", "services"), ("地铁集团", "港务集团")),
    "manufacturing": (20, 5.0e7, ("enterprise", "cloud"), ("智能制造集团", "电子有限公司")),
    "internet": (9, 1.0e8, ("cloud", "network"), ("网络科技公司", "云计算公司")),
    "education": (10, 2.0e7, ("enterprise", "cloud"), ("大学", "职业技术学院")),
    "healthcare": (10, 3.0e7, ("enterprise", "cloud"), ("人民医院", "妇幼保健院")),
}
#: representative office -> (region code, city names used in account names)
_OFFICES: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "广州": ("CN-GD", ("广州", "佛山", "湛江")),
    "深圳": ("CN-GD", ("深圳", "东莞", "惠州")),
    "南宁": ("CN-GX", ("南宁", "柳州", "桂林")),
    "海口": ("CN-HI", ("海口", "三亚")),
    "福州": ("CN-FJ", ("福州", "莆田")),
    "厦门": ("CN-FJ", ("厦门", "泉州", "漳州")),
}
_LINES: Final = ("network", "cloud", "enterprise", "energy", "services")
_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
_GIVEN: Final = ("伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "勇", "杰", "涛", "明", "超", "霞")


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _beta(rng: random.Random, a: float, b: float, digits: int) -> float:
    return round(rng.betavariate(a, b), digits)


def _clamp(value: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, value))


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))


def _profit_lines(
    rng: random.Random, revenue: float, lines: Sequence[str]
) -> tuple[int, dict[str, int]]:
    """Total profit and its split over a random subset of the industry's lines; one project in
    twenty loses money."""
    margin = rng.uniform(0.08, 0.32)
    chosen = rng.sample(list(lines), rng.randint(1, len(lines)))
    weights = [rng.random() + 0.2 for _ in chosen]
    total = revenue * margin
    split = {
        line: int(round(total * w / sum(weights), -3))
        for line, w in zip(chosen, weights, strict=True)
    }
    if rng.random() < 0.05:
        split[chosen[-1]] = -int(round(revenue * rng.uniform(0.01, 0.05), -3))
    return sum(split.values()), split


def _roles_covered(rng: random.Random, people: int | None, share: float) -> float | None:
    """Share of the five default decision roles with a contact in post: at least one, at most
    as many as the people mapped, more often high where our share of wallet is; one export in
    ten leaves it blank. Always four draws, so rows never shift each other."""
    draws = [rng.random() for _ in range(4)]
    reached = 1 + sum(d < 0.35 + 0.6 * share for d in draws[:3])
    if people is None or draws[3] < 0.1:
        return None
    return min(reached + (share > 0.4), people, 5) / 5


def _row(rng: random.Random, number: int, roles_rng: random.Random) -> dict[str, Any]:
    industry = _pick(rng, {name: spec[0] for name, spec in _INDUSTRIES.items()})
    _, median_wallet, lines, suffixes = _INDUSTRIES[industry]
    office = rng.choice(list(_OFFICES))
    region, cities = _OFFICES[office]
    wallet = _clamp(rng.lognormvariate(math.log(median_wallet), 0.9), 2e6, 6e9)
    share = _beta(rng, 4, 4, 3) if industry == "telecom" else _beta(rng, 1.6, 4, 3)
    revenue = round(wallet * share, -3)
    new = rng.random() < 0.05
    profit, split = _profit_lines(rng, revenue, lines)
    total_only = rng.random() < 0.15

    decided = rng.randint(0, 3) + int(min(30.0, revenue / 3e7 * rng.random() * 2))
    p_win = _clamp(0.15 + 0.5 * share + rng.gauss(0, 0.1), 0.02, 0.95)
    won = sum(rng.random() < p_win for _ in range(decided))
    collapse = rng.random() < 0.1
    win_prev = _clamp(p_win + (0.3 if collapse else rng.gauss(0, 0.12)), 0.0, 1.0)
    pipeline = revenue * rng.lognormvariate(0.2, 0.4)
    if rng.random() < 0.08:
        pipeline *= rng.uniform(0.05, 0.45)
    overdue = rng.random() < 0.3
    days_overdue = min(540, int(rng.expovariate(1 / 70)) + 1) if overdue else 0
    coverage = _beta(rng, 1 + 6 * share, 3.5, 2) if rng.random() >= 0.08 else None
    left = AS_OF - timedelta(days=rng.randint(1, 240)) if rng.random() < 0.07 else None
    big = wallet > 3e8
    agreement = rng.random() < (0.6 if share > 0.45 else 0.05 if big else 0.02)
    if agreement and coverage is not None:  # a signed alliance comes with executive support
        coverage = round(min(0.95, coverage + 0.2), 2)
    nps = rng.choice((3, 5, 6, 7, 7, 8, 8, 9, 9, 10)) if rng.random() < 0.6 else None

    row: dict[str, Any] = {
        "id": f"ICT{number:04d}",
        "name": f"{rng.choice(cities)}{rng.choice(suffixes)}",
        "industry": industry,
        "region": region,
        "代表处": office,
        "strategic": rng.random() < 0.03,
        "wallet_estimate": round(wallet, -4),
        "ict.wallet_growth": round(rng.gauss(0.04, 0.05), 3),
        "ict.credit_grade": (
            rng.choices((5, 4, 3, 2, 1), weights=(25, 35, 25, 10, 5))[0]
            if rng.random() >= 0.08
            else None
        ),
        "revenue_12m": revenue,
        "revenue_prev_12m": 0.0 if new else round(revenue * rng.lognormvariate(0, 0.25), -3),
        "share_of_wallet": share,
        "ict.share_of_wallet_prev": (
            round(_clamp(share + rng.gauss(0.0, 0.035), 0.0, 0.95), 3)
            if rng.random() >= 0.12
            else None
        ),
        "ict.profit_12m": profit if total_only else None,
        **{f"ict.profit_{line}": (None if total_only else split.get(line)) for line in _LINES},
        "ict.opportunities_won_12m": won,
        "ict.opportunities_lost_12m": decided - won,
        "ict.win_rate_prev_12m": round(win_prev, 3) if rng.random() >= 0.15 else None,
        "ict.pipeline_value": round(pipeline, -4),
        "ict.overdue_amount": round(revenue * rng.uniform(0.01, 0.15), -3) if overdue else 0,
        "ict.days_overdue": days_overdue,
        "ict.supporter_coverage": coverage,
        "ict.top_opponent_influence": rng.choices(range(6), weights=(45, 10, 15, 15, 10, 5))[0],
        "ict.key_dm_left_on": left.isoformat() if left else None,
        "ict.key_people_mapped": rng.randint(2, 12) if coverage is not None else None,
        "ict.on_time_delivery_rate": _beta(rng, 12, 2.2, 2) if rng.random() >= 0.05 else None,
        "ict.account_responsible": _person(rng) if rng.random() < 0.97 else None,
        "ict.solution_responsible": (
            _person(rng) if rng.random() < (0.95 if big else 0.75) else None
        ),
        "ict.fulfilment_responsible": (
            _person(rng) if rng.random() < (0.9 if big else 0.65) else None
        ),
        "ict.strategic_agreement": agreement,
        "years_as_customer": (
            round(rng.random(), 1)
            if new
            else round(min(25.0, rng.expovariate(1 / (3 + 10 * share))), 1)
        ),
        "nps": nps,
        "open_tickets": rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 8)),
    }
    row["ict.roles_covered"] = _roles_covered(roles_rng, row["ict.key_people_mapped"], share)
    return row


def generate(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``n`` flat account rows (see :data:`COLUMNS`); missing values are ``None``, dates ISO
    text. The same ``(n, seed)`` always gives the same rows."""
    rng = random.Random(seed)
    roles_rng = random.Random(f"{seed}:roles")
    return [_row(rng, number, roles_rng) for number in range(1, n + 1)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 6))
    return str(value)


def write_csv(path: str | os.PathLike[str], n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> None:
    """Write :func:`generate` ``(n, seed)`` as UTF-8 CSV with a header row and ``\\n`` line
    ends, so the file is byte-identical wherever it is written."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in generate(n, seed):
            writer.writerow([_cell(row.get(column)) for column in COLUMNS])
