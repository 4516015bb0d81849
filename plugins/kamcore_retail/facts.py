"""The facts a modern-trade key account (a retail chain) carries.

A supplier sees a chain through two lenses: what it sells *to* the chain (sell-in, invoiced by
us) and what the chain sells *to shoppers* (sell-out, from the chain's POS data or a retail
panel). Between the two sit the execution measures a field team is judged on: in how many
stores the products are (numeric distribution), how much of the category's sales those stores
make (weighted distribution), shelf share, availability (out-of-stock, fill rate, OTIF) and
whether agreed promotions really ran. The commercial side is trade spend and what it bought,
and how fast the chain pays (DSO against the agreed terms). The category buyer is the one
person who decides listings, so the date the buyer last changed is a fact of its own.

Every fact lives under ``retail.``: a flat export names its column ``retail.sell_out_12m``, an
account document puts it under ``attributes["retail"]["sell_out_12m"]``. Ratios are ratios
(0.62, not 62); a CSV cell may also say ``62%``. Sell-out is valued at our invoice prices, like
sell-in, so that the two can be divided (sell-through); money carries the policy currency.
"""

from __future__ import annotations

from kamcore import Fact

__all__ = ["FACTS", "FORMATS"]

#: The store formats the base policy accepts in ``retail.format``.
FORMATS: tuple[str, ...] = (
    "hypermarket",
    "supermarket",
    "convenience",
    "warehouse_club",
    "online",
    "mixed",
)


def _fact(name: str, type_: str, en: str, zh: str, doc: str, unit: str | None = None) -> Fact:
    return Fact(f"retail.{name}", type_, doc=doc, unit=unit, label={"en": en, "zh": zh})


FACTS: tuple[Fact, ...] = (
    # -- what the chain is
    _fact(
        "format",
        "string",
        "Store format",
        "业态",
        "The chain's main store format: hypermarket, supermarket, convenience, warehouse_club, "
        "online or mixed.",
    ),
    _fact(
        "store_count",
        "integer",
        "Store count",
        "门店数",
        "Stores the chain operates (all of them, whether they carry our products or not).",
        unit="stores",
    ),
    _fact(
        "regions_covered",
        "integer",
        "Regions covered",
        "覆盖大区数",
        "How many of our sales regions the chain has stores in; national chains cover several.",
        unit="regions",
    ),
    _fact(
        "listing_date",
        "date",
        "Listing date",
        "进场日期",
        "When our products were first listed with the chain (the listing agreement's start).",
    ),
    _fact(
        "listed_skus",
        "integer",
        "Listed SKUs",
        "在售单品数",
        "Our SKUs currently listed with the chain; 0 means we have been delisted.",
        unit="SKUs",
    ),
    # -- sell-in and sell-out
    _fact(
        "sell_in_12m",
        "money",
        "Sell-in (12 months)",
        "近12个月进货额",
        "What we invoiced the chain in the last 12 months, net of returns.",
    ),
    _fact(
        "sell_in_prev_12m",
        "money",
        "Sell-in (previous 12 months)",
        "上一个12个月进货额",
        "Sell-in of the 12 months before the last 12, the base of sell-in growth.",
    ),
    _fact(
        "sell_out_12m",
        "money",
        "Sell-out (12 months)",
        "近12个月动销额",
        "What the chain sold of our products to shoppers in the last 12 months, valued at our "
        "invoice prices so it compares with sell-in.",
    ),
    _fact(
        "sell_out_prev_12m",
        "money",
        "Sell-out (previous 12 months)",
        "上一个12个月动销额",
        "Sell-out of the 12 months before the last 12, the base of sell-out growth.",
    ),
    # -- distribution and shelf
    _fact(
        "numeric_distribution",
        "ratio",
        "Numeric distribution",
        "数值铺货率",
        "Share of the chain's stores that carry at least one of our listed SKUs.",
    ),
    _fact(
        "numeric_distribution_prev",
        "ratio",
        "Numeric distribution (previous)",
        "上期数值铺货率",
        "Numeric distribution a year earlier.",
    ),
    _fact(
        "weighted_distribution",
        "ratio",
        "Weighted distribution",
        "加权铺货率",
        "Share of the chain's category sales made in the stores that carry our products: "
        "distribution weighted by how much each store matters.",
    ),
    _fact(
        "weighted_distribution_prev",
        "ratio",
        "Weighted distribution (previous)",
        "上期加权铺货率",
        "Weighted distribution a year earlier.",
    ),
    _fact(
        "share_of_shelf",
        "ratio",
        "Share of shelf",
        "货架占比",
        "Our share of the category's shelf space (facings or linear metres) in audited stores.",
    ),
    # -- service and availability
    _fact(
        "fill_rate",
        "ratio",
        "Fill rate",
        "订单满足率",
        "Share of the units the chain ordered that we delivered.",
    ),
    _fact(
        "otif",
        "ratio",
        "OTIF",
        "准时足量交付率",
        "Share of the chain's orders delivered on time and in full.",
    ),
    _fact(
        "oos_rate",
        "ratio",
        "Out-of-stock rate",
        "缺货率",
        "Share of store-SKU checks that found our listed product missing from the shelf.",
    ),
    _fact(
        "oos_rate_prev",
        "ratio",
        "Out-of-stock rate (previous)",
        "上期缺货率",
        "Out-of-stock rate of the previous period.",
    ),
    _fact(
        "promo_compliance",
        "ratio",
        "Promotion compliance",
        "促销执行率",
        "Share of the agreed promotions (price, display, leaflet) found executed as agreed in "
        "store audits.",
    ),
    # -- trade spend and payment
    _fact(
        "trade_spend_12m",
        "money",
        "Trade spend (12 months)",
        "近12个月渠道费用",
        "What we spent with the chain in 12 months: listing fees, promotion funding, display "
        "fees and rebates.",
    ),
    _fact(
        "incremental_revenue_12m",
        "money",
        "Incremental revenue (12 months)",
        "近12个月增量收入",
        "Revenue the trade spend brought on top of the baseline (promotion uplift), from our "
        "post-event analysis.",
    ),
    _fact(
        "dso_days",
        "number",
        "DSO",
        "应收账款周转天数",
        "Days sales outstanding: how long the chain takes on average to pay our invoices.",
        unit="days",
    ),
    _fact(
        "payment_terms_days",
        "integer",
        "Payment terms",
        "约定账期",
        "Payment terms agreed in the trade terms, in days.",
        unit="days",
    ),
    # -- people
    _fact(
        "buyer_changed_on",
        "date",
        "Buyer changed on",
        "采购变更日期",
        "When the chain's category buyer for our category last changed.",
    ),
)
