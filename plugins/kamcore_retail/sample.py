"""A deterministic generator of sample retail-chain portfolios (``policies/retail/sample.csv``).

The rows are what a beverage maker such as the example client, Jade Spring Beverages (碧泉饮料),
exports for its modern-trade chains: one flat row per chain, the pack's ``retail.*`` columns,
plus the cooler register column (``冰柜数``) the example policy maps. The book has the skew real
books have: a dozen or so national chains (Chinese and international hypermarket, supermarket,
convenience and warehouse-club groups) make most of the sell-out, a hundred regional chains
follow and a long tail of local chains sells little and often shares no POS data at all
(empty sell-out, unaudited shelves). Some listings are new, a few chains have delisted us,
some pay late, some changed their category buyer lately.

Chain names are made up (stems and formats combined), so no figure here describes a real
retailer. The same ``(n, seed)`` always gives the same rows, byte for byte in the CSV: a test
regenerates the shipped file and compares.
"""

from __future__ import annotations

import csv
import os
import random
from datetime import date, timedelta
from typing import Any

from .config import RetailConfig

__all__ = ["AS_OF", "COLUMNS", "DEFAULT_N", "DEFAULT_SEED", "generate", "write_csv"]

#: The evaluation date the sample is drawn for (dates are relative to it).
AS_OF = date(2026, 6, 30)
DEFAULT_N = 300
DEFAULT_SEED = 2026

#: CSV columns, in order: master data, the pack's facts, the example client's cooler register.
COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "country",
    "region",
    "retail.format",
    "retail.store_count",
    "retail.regions_covered",
    "retail.listing_date",
    "retail.listed_skus",
    "retail.sell_in_12m",
    "retail.sell_in_prev_12m",
    "retail.sell_out_12m",
    "retail.sell_out_prev_12m",
    "retail.numeric_distribution",
    "retail.numeric_distribution_prev",
    "retail.weighted_distribution",
    "retail.weighted_distribution_prev",
    "retail.share_of_shelf",
    "retail.fill_rate",
    "retail.otif",
    "retail.oos_rate",
    "retail.oos_rate_prev",
    "retail.promo_compliance",
    "retail.trade_spend_12m",
    "retail.incremental_revenue_12m",
    "retail.dso_days",
    "retail.payment_terms_days",
    "retail.buyer_changed_on",
    "冰柜数",
)

#: The gross margin the sample's incremental revenue is drawn for: the pack's default, which the
#: example client keeps. Trade-spend ROI is on margin, so the revenue that pays a spend back is
#: ``spend / margin`` (about 2.9 times the spend at 35 %), not the spend itself.
_GROSS_MARGIN = RetailConfig().gross_margin_rate

_REGIONS = ("east", "south", "north", "central", "southwest", "northwest", "northeast")

#: Made-up national chains: (Chinese name, English name, format).
_NATIONAL: tuple[tuple[str, str, str], ...] = (
    ("禾润大卖场", "Herun Hypermarkets", "hypermarket"),
    ("枫叶大卖场", "Maple Leaf Hypermarkets", "hypermarket"),
    ("邦茹大卖场", "Bonjour Hyper", "hypermarket"),
    ("万福购物广场", "Wanfu Shopping Plaza", "hypermarket"),
    ("佳选超市", "Jiaxuan Supermarkets", "supermarket"),
    ("金威超市", "Kingsway Supermarkets", "supermarket"),
    ("阿尔彭鲜超", "Alpen Fresh", "supermarket"),
    ("润佳生活超市", "Runjia Life Mart", "supermarket"),
    ("日升便利", "Sunrise 24", "convenience"),
    ("樱花便利", "Sakura Mart", "convenience"),
    ("惠邻便利", "Huilin Convenience", "convenience"),
    ("北港会员店", "Nordhaven Warehouse Club", "warehouse_club"),
    ("海港仓储会员店", "Harbor Club", "warehouse_club"),
    ("悦购到家", "Yuegou Home", "online"),
    ("鲜达到家", "Xianda Express", "online"),
    ("嘉汇百货超市", "Jiahui Department & Supermarket", "mixed"),
)

#: Name parts of regional chains (a region's old name) and local ones (a city)...
_REGION_STEMS: tuple[tuple[str, str], ...] = (
    ("江南", "Jiangnan"),
    ("岭南", "Lingnan"),
    ("燕赵", "Yanzhao"),
    ("荆楚", "Jingchu"),
    ("巴蜀", "Bashu"),
    ("陇原", "Longyuan"),
    ("关东", "Guandong"),
    ("齐鲁", "Qilu"),
    ("八闽", "Bamin"),
    ("三秦", "Sanqin"),
)
_CITIES: tuple[tuple[str, str], ...] = (
    ("泉州", "Quanzhou"),
    ("温州", "Wenzhou"),
    ("佛山", "Foshan"),
    ("东莞", "Dongguan"),
    ("无锡", "Wuxi"),
    ("常州", "Changzhou"),
    ("洛阳", "Luoyang"),
    ("襄阳", "Xiangyang"),
    ("绵阳", "Mianyang"),
    ("宜宾", "Yibin"),
    ("遵义", "Zunyi"),
    ("柳州", "Liuzhou"),
    ("赣州", "Ganzhou"),
    ("潍坊", "Weifang"),
    ("临沂", "Linyi"),
    ("保定", "Baoding"),
    ("唐山", "Tangshan"),
    ("大同", "Datong"),
    ("包头", "Baotou"),
    ("大庆", "Daqing"),
    ("宝鸡", "Baoji"),
    ("天水", "Tianshui"),
    ("芜湖", "Wuhu"),
    ("岳阳", "Yueyang"),
    ("株洲", "Zhuzhou"),
    ("南通", "Nantong"),
    ("嘉兴", "Jiaxing"),
    ("绍兴", "Shaoxing"),
    ("烟台", "Yantai"),
    ("桂林", "Guilin"),
)
#: ... followed by a trade name.
_STEMS: tuple[tuple[str, str], ...] = (
    ("金禾", "Jinhe"),
    ("鑫源", "Xinyuan"),
    ("丰泽", "Fengze"),
    ("福临", "Fulin"),
    ("永盛", "Yongsheng"),
    ("同心", "Tongxin"),
    ("汇鑫", "Huixin"),
    ("鹏程", "Pengcheng"),
    ("百味", "Baiwei"),
    ("优邻", "Youlin"),
)
#: Attempts at an unused name before the chain number is appended (bounded, deterministic).
_NAME_ATTEMPTS = 20

_SUFFIX: dict[str, tuple[str, str]] = {
    "hypermarket": ("大卖场", "Hypermarket"),
    "supermarket": ("超市", "Supermarket"),
    "convenience": ("便利", "Convenience"),
    "mixed": ("购物中心", "Shopping Centre"),
}

_NATIONAL_STORES: dict[str, tuple[int, int]] = {
    "hypermarket": (90, 480),
    "supermarket": (300, 1200),
    "convenience": (1500, 6000),
    "warehouse_club": (12, 50),
    "online": (150, 900),  # front warehouses, counted as stores
    "mixed": (150, 400),
}


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    labels = [w[0] for w in weighted]
    return rng.choices(labels, weights=[w[1] for w in weighted])[0]


def _clip(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


def _ratio(x: float) -> float:
    return round(_clip(x, 0.0, 1.0), 4)


def _name(rng: random.Random, kind: str, fmt: str, used: set[str]) -> tuple[str, str]:
    """A made-up, unused chain name: region or city, trade name, format."""
    places = _REGION_STEMS if kind == "regional" else _CITIES
    suffix_zh, suffix_en = _SUFFIX[fmt]
    zh = en = ""
    for _ in range(_NAME_ATTEMPTS):
        (place_zh, place_en), (stem_zh, stem_en) = rng.choice(places), rng.choice(_STEMS)
        zh, en = f"{place_zh}{stem_zh}{suffix_zh}", f"{place_en} {stem_en} {suffix_en}"
        if zh not in used:
            break
    else:
        zh, en = f"{zh}{len(used)}", f"{en} {len(used)}"
    used.add(zh)
    return zh, en


def _chain(
    rng: random.Random, kind: str, national: list[tuple[str, str, str]], used: set[str]
) -> dict[str, Any]:
    """Name, format, footprint and size of one chain of the given kind."""
    if kind == "national" and national:
        zh, en, fmt = national.pop(0)
        low, high = _NATIONAL_STORES[fmt]
        stores = rng.randint(low, high)
        regions = rng.choice((4, 5, 6, 7, 7)) if fmt != "warehouse_club" else rng.randint(3, 6)
        sell_out = _clip(rng.lognormvariate(17.9, 0.6), 18e6, 320e6)
    else:
        if kind == "national":
            kind = "regional"  # more national slots than named national chains
        fmt = _pick(
            rng,
            (("supermarket", 0.5), ("hypermarket", 0.15), ("convenience", 0.28), ("mixed", 0.07))
            if kind == "regional"
            else (("supermarket", 0.5), ("convenience", 0.42), ("mixed", 0.08)),
        )
        zh, en = _name(rng, kind, fmt, used)
        if kind == "regional":
            stores = rng.randint(40, 700) if fmt == "convenience" else rng.randint(15, 220)
            regions = rng.choice((1, 1, 1, 2))
            sell_out = _clip(rng.lognormvariate(15.75, 0.7), 1.2e6, 45e6)
        else:
            stores = rng.randint(3, 120) if fmt == "convenience" else rng.randint(2, 40)
            regions = 1
            sell_out = _clip(rng.lognormvariate(13.5, 0.9), 40e3, 5e6)
    return {
        "kind": kind,
        "zh": zh,
        "en": en,
        "format": fmt,
        "stores": stores,
        "regions": regions,
        "sell_out": sell_out,
    }


def _row(rng: random.Random, index: int, chain: dict[str, Any]) -> dict[str, Any]:
    kind, fmt = chain["kind"], chain["format"]
    national, local = kind == "national", kind == "local"
    new_listing = rng.random() < 0.07
    delisted = not new_listing and rng.random() < 0.03
    if new_listing:
        listed_on = AS_OF - timedelta(days=rng.randint(20, 330))
    else:
        first_year = 2008 if national else 2011 if kind == "regional" else 2014
        listed_on = date(rng.randint(first_year, 2024), rng.randint(1, 12), rng.randint(1, 28))
    skus_range = (20, 60) if national else (8, 30) if kind == "regional" else (3, 15)
    skus = 0 if delisted else rng.randint(*skus_range)
    if new_listing:
        skus = max(2, skus // 3)

    # sell-out and its growth: new listings start from (almost) nothing, delistings collapse
    sell_out = chain["sell_out"]
    if new_listing:
        sell_out *= rng.uniform(0.05, 0.3)
        prev_out = sell_out * rng.uniform(0.0, 0.15)
    else:
        growth = rng.uniform(-0.9, -0.6) if delisted else _clip(rng.gauss(0.04, 0.14), -0.5, 0.9)
        prev_out = sell_out / (1 + growth)
    shares_pos = rng.random() < (1.0 if national else 0.9 if kind == "regional" else 0.6)
    loading = rng.random() < 0.06
    in_factor = rng.uniform(1.15, 1.4) if loading else _clip(rng.gauss(1.0, 0.06), 0.85, 1.15)
    sell_in = sell_out * in_factor
    prev_in = prev_out * _clip(rng.gauss(1.0, 0.06), 0.85, 1.15)

    # distribution: national chains list centrally, local ones store by store
    nd_low, nd_high = (
        (0.85, 0.99) if national else (0.6, 0.95) if kind == "regional" else (0.4, 0.9)
    )
    nd = rng.uniform(0.05, 0.45) if new_listing else rng.uniform(nd_low, nd_high)
    if delisted:
        nd = 0.0
    nd_prev = 0.0 if new_listing else _clip(nd - rng.gauss(0.01, 0.04), 0.0, 1.0)
    if delisted:
        nd_prev = rng.uniform(0.3, 0.7)
    wd = _clip(nd * rng.uniform(1.0, 1.12), 0.0, 0.99)
    losing = not new_listing and rng.random() < 0.1
    wd_drop = rng.uniform(0.05, 0.15) if losing else rng.gauss(-0.005, 0.025)
    wd_prev = 0.0 if new_listing else _clip(wd + wd_drop, 0.0, 0.99)
    if delisted:
        wd_prev = _clip(nd_prev * 1.05, 0.0, 0.99)

    audited = rng.random() < (1.0 if national else 0.85 if kind == "regional" else 0.55)
    oos_prev = _clip(rng.lognormvariate(-3.4, 0.45), 0.005, 0.2)
    worse = rng.random() < 0.12  # availability slipping: a DC problem, a replenishment change
    oos = oos_prev + rng.uniform(0.015, 0.05) if worse else oos_prev * rng.uniform(0.8, 1.2)
    fill = _clip(1 - rng.lognormvariate(-3.3, 0.6), 0.7, 0.999)
    otif = _clip(fill - rng.uniform(0.01, 0.08), 0.6, 0.99)
    promo = _clip(rng.betavariate(7, 2), 0.3, 1.0)
    spend_rate = rng.uniform(0.07, 0.14) if national else rng.uniform(0.03, 0.1)
    spend = sell_in * spend_rate
    roi = _clip(rng.gauss(0.6, 0.6), -0.8, 3.0)  # on margin: about one chain in six loses money
    terms = rng.choice((60, 75, 90) if national else (45, 60) if kind == "regional" else (30, 45))
    late = rng.random() < 0.1
    dso = terms + (rng.uniform(18, 60) if late else rng.gauss(3, 6))
    buyer_known = rng.random() < 0.7
    buyer_on = AS_OF - timedelta(days=rng.randint(0, 1100)) if buyer_known else None
    coolers = (
        int(chain["stores"] * rng.uniform(0.05, 0.9))
        if fmt in ("convenience", "supermarket") and rng.random() < 0.8
        else None
    )

    def money(x: float) -> int:
        return round(x)

    return {
        "id": f"RC{index:04d}",
        "name": f"{chain['zh']} {chain['en']}",
        "country": "CN",
        "region": rng.choice(_REGIONS),
        "retail.format": fmt,
        "retail.store_count": chain["stores"],
        "retail.regions_covered": chain["regions"],
        "retail.listing_date": listed_on.isoformat(),
        "retail.listed_skus": skus,
        "retail.sell_in_12m": money(sell_in),
        "retail.sell_in_prev_12m": money(prev_in),
        "retail.sell_out_12m": money(sell_out) if shares_pos else None,
        "retail.sell_out_prev_12m": money(prev_out) if shares_pos else None,
        "retail.numeric_distribution": _ratio(nd),
        "retail.numeric_distribution_prev": _ratio(nd_prev),
        "retail.weighted_distribution": _ratio(wd),
        "retail.weighted_distribution_prev": _ratio(wd_prev),
        "retail.share_of_shelf": _ratio(rng.betavariate(2.5, 12)) if audited else None,
        "retail.fill_rate": _ratio(fill),
        "retail.otif": _ratio(otif) if not local or rng.random() < 0.8 else None,
        "retail.oos_rate": _ratio(oos) if audited else None,
        "retail.oos_rate_prev": _ratio(oos_prev) if audited else None,
        "retail.promo_compliance": _ratio(promo) if audited else None,
        "retail.trade_spend_12m": money(spend),
        "retail.incremental_revenue_12m": (
            money(spend * (1 + roi) / _GROSS_MARGIN) if audited else None
        ),
        "retail.dso_days": round(max(dso, 5.0), 1),
        "retail.payment_terms_days": terms if rng.random() < 0.9 else None,
        "retail.buyer_changed_on": buyer_on.isoformat() if buyer_on else None,
        "冰柜数": coolers,
    }


def generate(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``n`` flat rows, one per chain, with the columns of :data:`COLUMNS`.

    Missing values are ``None`` (empty cells in the CSV). About 5 % of the chains are national,
    30 % regional and the rest local; the named national chains are used first, so a small
    ``n`` still has them.
    """
    rng = random.Random(seed)
    national = list(_NATIONAL)
    rng.shuffle(national)
    used: set[str] = set()
    rows: list[dict[str, Any]] = []
    for i in range(1, n + 1):
        draw = rng.random()
        kind = "national" if draw < 0.05 else "regional" if draw < 0.35 else "local"
        rows.append(_row(rng, i, _chain(rng, kind, national, used)))
    return rows


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def write_csv(path: str | os.PathLike[str], n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> None:
    """Write :func:`generate`'s rows as UTF-8 CSV with ``\\n`` line ends (byte-stable)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in generate(n, seed):
            writer.writerow([_cell(row[c]) for c in COLUMNS])


if __name__ == "__main__":  # pragma: no cover - regenerate the shipped sample
    import sys

    write_csv(sys.argv[1] if len(sys.argv) > 1 else "policies/retail/sample.csv")
