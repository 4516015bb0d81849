"""Retention tactics for retail chains, across the five dimensions.

These sit next to kamcore's built-in catalogue (``joint_business_plan``,
``executive_sponsor_visit``, ``payment_terms_review``, ... stay available and the base policy
uses them); the ones here are what a modern-trade team does that a generic B2B catalogue lacks:
work on the shelf and the replenishment chain (service), trade terms and promotion money
(benefit), the category buyer and the store managers (emotional), category captaincy and range
reviews (strategic), category and shopper insight (professional). Ids are a contract: policies
name them in ``[[tactics.rules]]``.
"""

from __future__ import annotations

from kamcore import Tactic

__all__ = ["TACTICS"]


def _tactic(
    id_: str,
    dimension: str,
    en: str,
    zh: str,
    description: str,
    owner_role: str = "key_account_manager",
    due_in_days: int = 30,
) -> Tactic:
    return Tactic(
        id=f"retail.{id_}",
        dimension=dimension,
        label={"en": en, "zh": zh},
        description=description,
        owner_role=owner_role,
        due_in_days=due_in_days,
    )


TACTICS: tuple[Tactic, ...] = (
    # strategic: alignment with the chain's management and category strategy
    _tactic(
        "category_captain_review",
        "strategic",
        "Category captain review",
        "品类队长评估",
        "Review with the chain's category director whether we act as category captain: "
        "planogram proposals, assortment and space recommendations for the whole category.",
        due_in_days=45,
    ),
    _tactic(
        "range_review_defence",
        "strategic",
        "Range review preparation",
        "品类调整应对",
        "Prepare the chain's next range review: sell-out and rate-of-sale evidence per SKU, "
        "which SKUs to defend, which to swap, before the buyer decides delistings.",
        due_in_days=21,
    ),
    # benefit: trade terms, promotion money, terms beyond price
    _tactic(
        "trade_terms_renegotiation",
        "benefit",
        "Trade terms renegotiation",
        "交易条款重谈",
        "Renegotiate the annual trade terms: move fixed fees to pay-for-performance rebates, "
        "align payment terms, tie funding to distribution and compliance targets.",
        owner_role="sales_director",
        due_in_days=60,
    ),
    _tactic(
        "promotional_funding",
        "benefit",
        "Promotional funding",
        "促销资源支持",
        "Fund a promotion plan (price, display, leaflet) that builds trial and rate of sale "
        "where distribution is new or sell-out is soft.",
        owner_role="trade_marketing",
    ),
    _tactic(
        "promo_spend_reallocation",
        "benefit",
        "Reallocate promotion spend",
        "促销费用优化",
        "Move trade spend from promotions that did not pay back to mechanics and stores that "
        "did, agreed with the buyer.",
        owner_role="trade_marketing",
        due_in_days=45,
    ),
    # service: the shelf, availability and replenishment
    _tactic(
        "shelf_audit",
        "service",
        "Shelf audit and merchandising support",
        "货架巡检与陈列支持",
        "Audit the stores that lost distribution or shelf: restore planogram, facings and "
        "price tags, and place merchandisers where the gaps are.",
        owner_role="field_sales",
        due_in_days=10,
    ),
    _tactic(
        "replenishment_review",
        "service",
        "Replenishment review",
        "补货流程评估",
        "Find why shelves run empty (our fill rate, the chain's DC, store ordering) and fix it: "
        "order parameters, safety stock, vendor-managed or automatic replenishment.",
        owner_role="supply_chain",
        due_in_days=14,
    ),
    _tactic(
        "promotion_execution_check",
        "service",
        "Promotion execution check",
        "促销执行检查",
        "Check in the stores that agreed promotions run as agreed (price, display, POSM) and "
        "correct them with the store managers while the promotion still runs.",
        owner_role="field_sales",
        due_in_days=7,
    ),
    # emotional: the buyer and the store teams
    _tactic(
        "buyer_onboarding",
        "emotional",
        "Onboard the new buyer",
        "新采购关系建立",
        "Meet the new category buyer within weeks: introduce the team, walk through the "
        "business and the agreements, learn the buyer's goals before the next range review.",
        due_in_days=14,
    ),
    _tactic(
        "store_manager_engagement",
        "emotional",
        "Store manager engagement",
        "门店店长关系维护",
        "Regular visits and recognition for the store managers of the chain's top stores, who "
        "decide day-to-day ordering and display.",
        owner_role="field_sales",
        due_in_days=30,
    ),
    # professional: insight and capability
    _tactic(
        "category_insight_workshop",
        "professional",
        "Category insight workshop",
        "品类洞察研讨会",
        "Share category and shopper insight with the buyer's team: growth drivers, missing "
        "SKUs, price ladders, so that the chain grows the category with us.",
        owner_role="category_manager",
        due_in_days=45,
    ),
    _tactic(
        "joint_forecasting",
        "professional",
        "Joint forecasting and replenishment",
        "协同预测补货",
        "Share POS and stock data and forecast promotions and seasonal peaks together (CPFR) "
        "so both sides plan the same volumes.",
        owner_role="supply_chain",
        due_in_days=60,
    ),
)
