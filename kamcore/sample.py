"""A deterministic generator of sample key-account portfolios.

Flat CRM-style rows (one per account, pre-aggregated columns) with the skew real books have: a
few large accounts and a long tail, some new accounts with no prior-year revenue, some dormant
ones. The same ``(n, seed)`` always gives the same rows, so demos, docs and tests run offline
and reproducibly.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["INDUSTRIES", "REGIONS", "generate_accounts"]

INDUSTRIES = ("retail", "fmcg", "saas", "manufacturing", "ict", "other")
REGIONS = ("cn-east", "cn-south", "cn-north", "emea", "na", "apac")


def generate_accounts(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` flat account rows: columns named like the built-in facts (``revenue_12m``,
    ``nps``...) plus two with Chinese headers, as CRM exports often have (渠道: the sales channel;
    关键联系人离职: a key contact left)."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for i in range(1, n + 1):
        revenue = min(max(rng.lognormvariate(11.9, 1.45), 500.0), 50e6)
        new = rng.random() < 0.06
        dormant = rng.random() < 0.05
        orders = 0 if dormant else min(400, int(revenue / 9000 * rng.random() * 2))
        days = rng.randint(366, 720) if orders == 0 else min(365, int(rng.expovariate(1 / 55)))
        rows.append(
            {
                "id": f"A{i:05d}",
                "industry": rng.choice(INDUSTRIES),
                "region": rng.choice(REGIONS),
                "revenue_12m": round(revenue, 2),
                "revenue_prev_12m": 0.0 if new else round(revenue * rng.lognormvariate(0, 0.3), 2),
                "gross_margin": round(0.6 * rng.betavariate(2.2, 3.0), 4),
                "orders_12m": orders,
                "days_since_last_order": days,
                "years_as_customer": round(
                    rng.random() if new else min(25.0, rng.expovariate(1 / 5.5)), 2
                ),
                "nps": rng.randint(0, 10),
                "open_tickets": rng.choice((0, 0, 1, 1, 2, 3, 4, 6, 9)),
                "share_of_wallet": round(rng.betavariate(2.0, 2.6), 4),
                "strategic": rng.random() < 0.05,
                # columns as a Chinese CRM exports them (the example policy maps them)
                "渠道": rng.choice(("direct", "direct", "distributor", "online")),
                "关键联系人离职": rng.random() < 0.03,
            }
        )
    return rows
