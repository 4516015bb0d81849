"""Retention tactics for B2C members, across the five retention dimensions.

The core's catalogue is written for key accounts (sponsor visits, business reviews); members
are kept with coupons, care moments, service perks, programme status and useful content. Ids
are namespaced ``membership.`` and are a contract: policies pick them by id. Owners are the
B2C roles that carry them out (CRM operations, member service, content team).
"""

from __future__ import annotations

from kamcore import Tactic

__all__ = ["TACTICS"]


def _tactic(
    name: str,
    dimension: str,
    en: str,
    zh: str,
    description: str,
    owner_role: str,
    due_in_days: int,
) -> Tactic:
    return Tactic(
        id=f"membership.{name}",
        dimension=dimension,
        label={"en": en, "zh": zh},
        description=description,
        owner_role=owner_role,
        due_in_days=due_in_days,
    )


TACTICS: tuple[Tactic, ...] = (
    # benefit: price, coupons, points
    _tactic(
        "win_back_coupon",
        "benefit",
        "Win-back coupon",
        "召回优惠券",
        "A time-limited coupon on the member's usual categories, sent to a member the model "
        "or the calendar says is slipping away.",
        "crm_operations",
        7,
    ),
    _tactic(
        "second_purchase_coupon",
        "benefit",
        "Second-purchase coupon",
        "二次购买券",
        "A coupon for the second order while the first is fresh: the step from buyer to "
        "repeat buyer is where most members are lost.",
        "crm_operations",
        7,
    ),
    _tactic(
        "points_bonus",
        "benefit",
        "Bonus points",
        "积分加倍",
        "Double points for a period, to bring a member whose spend is collapsing back to "
        "their usual basket.",
        "crm_operations",
        14,
    ),
    # emotional: personal relationship, care moments
    _tactic(
        "birthday_gift",
        "emotional",
        "Birthday care",
        "生日关怀",
        "A birthday greeting with a small gift or gift coupon, sent in the week before.",
        "crm_operations",
        7,
    ),
    _tactic(
        "anniversary_greeting",
        "emotional",
        "Membership anniversary",
        "入会周年关怀",
        "Thank the member on the anniversary of joining, with what the year brought them.",
        "crm_operations",
        7,
    ),
    _tactic(
        "personal_care_call",
        "emotional",
        "Personal care call",
        "专属顾问回访",
        "The member's advisor calls or messages personally: ask, listen, no sales script.",
        "member_advisor",
        3,
    ),
    # service: standardised, professional service; compensation when it fails
    _tactic(
        "vip_service_line",
        "service",
        "VIP service line",
        "VIP专属客服",
        "Route the member to the VIP service line: priority answer, one agent, no queue.",
        "member_service",
        3,
    ),
    _tactic(
        "priority_delivery",
        "service",
        "Free express and returns",
        "优先发货与免费退换",
        "Ship the member's orders first and by express, with free returns, for the period.",
        "member_service",
        14,
    ),
    # strategic: the membership programme itself
    _tactic(
        "tier_upgrade_invitation",
        "strategic",
        "Tier upgrade invitation",
        "会员升级邀请",
        "Tell a member how close the next tier is and what it brings, with a path to reach it.",
        "membership_programme",
        14,
    ),
    _tactic(
        "tier_keep_reminder",
        "strategic",
        "Tier retention reminder",
        "保级提醒",
        "Tell a member who keeps a tier on grace (the last 12 months earn a lower one) what it "
        "takes to keep it before the grace runs out.",
        "membership_programme",
        14,
    ),
    _tactic(
        "paid_membership_offer",
        "strategic",
        "Paid membership offer",
        "付费会员邀请",
        "Offer the paid membership (annual fee, year-round benefits) to members whose "
        "expected value makes it pay for both sides.",
        "membership_programme",
        30,
    ),
    # professional: expertise, content, growing together
    _tactic(
        "usage_tips_content",
        "professional",
        "Product and usage tips",
        "产品使用指南",
        "Send content on getting the most out of what the member bought: how to use it, "
        "routines, what goes with it.",
        "content_team",
        14,
    ),
    _tactic(
        "expert_consultation",
        "professional",
        "Expert consultation",
        "专家咨询",
        "A one-to-one consultation with a product expert (stylist, beauty advisor, "
        "nutritionist) on the member's needs.",
        "member_advisor",
        21,
    ),
)
