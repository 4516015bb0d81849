"""The built-in retention-tactic catalogue, covering the five dimensions of KAM retention.

Policies' ``[[tactics.rules]]`` pick tactics from this catalogue by id, so the ids are a
contract: rename one and every policy naming it fails to load. The owner roles and deadlines are
defaults a rule may override. Industry packs add their own tactics next to these.
"""

from __future__ import annotations

from collections.abc import Callable

from ..hookspecs import hookimpl
from ..registry import Tactic

__all__ = ["kamcore_register_tactics"]


def _tactic(
    id_: str,
    dimension: str,
    en: str,
    zh: str,
    description: str,
    owner_role: str = "account_manager",
    due_in_days: int = 30,
) -> Tactic:
    return Tactic(
        id=id_,
        dimension=dimension,
        label={"en": en, "zh": zh},
        description=description,
        owner_role=owner_role,
        due_in_days=due_in_days,
    )


_CATALOGUE: tuple[Tactic, ...] = (
    # emotional: personal relationship, regular contact
    _tactic(
        "relationship_check_in",
        "emotional",
        "Relationship check-in",
        "关系回访",
        "A personal call or visit with the main contacts, outside any sales agenda.",
        due_in_days=14,
    ),
    _tactic(
        "detractor_follow_up",
        "emotional",
        "Detractor follow-up",
        "贬损者回访",
        "Call the person who gave a low recommendation score: listen, acknowledge, agree a fix.",
        due_in_days=7,
    ),
    _tactic(
        "customer_appreciation",
        "emotional",
        "Customer appreciation",
        "客户答谢",
        "Mark an anniversary or milestone of the relationship: a thank-you visit or event.",
        due_in_days=60,
    ),
    _tactic(
        "new_contact_onboarding",
        "emotional",
        "Build rapport with a new contact",
        "新联系人关系建立",
        "A key contact left or changed role: introduce the team and build the new relationship.",
        due_in_days=14,
    ),
    # benefit: pricing, rebates, terms beyond rebates
    _tactic(
        "retention_offer",
        "benefit",
        "Retention offer",
        "挽留优惠",
        "A time-limited commercial offer to keep an account that is buying less.",
        owner_role="sales_manager",
        due_in_days=14,
    ),
    _tactic(
        "loyalty_rebate",
        "benefit",
        "Loyalty rebate",
        "忠诚返利",
        "A rebate on volume or tenure that rewards staying and growing with us.",
        owner_role="sales_manager",
    ),
    _tactic(
        "payment_terms_review",
        "benefit",
        "Payment terms review",
        "付款条件评估",
        "Review credit limits and payment terms beyond price, such as longer terms for growth.",
        owner_role="finance",
    ),
    _tactic(
        "volume_pricing_review",
        "benefit",
        "Volume pricing review",
        "批量价格评估",
        "Check that the account's price tier still matches its volume and potential.",
        owner_role="sales_manager",
        due_in_days=45,
    ),
    # service: standardised, professional service, compensation when it fails
    _tactic(
        "service_recovery",
        "service",
        "Service recovery",
        "服务补救",
        "Resolve the open issues, explain what went wrong and compensate where it is due.",
        owner_role="service_manager",
        due_in_days=3,
    ),
    _tactic(
        "dedicated_service_manager",
        "service",
        "Dedicated service manager",
        "专属服务经理",
        "Name one service manager who owns every request of the account.",
        owner_role="service_manager",
    ),
    _tactic(
        "priority_support",
        "service",
        "Priority support",
        "优先支持",
        "Route the account's tickets to the priority queue with a shorter response target.",
        owner_role="support_lead",
        due_in_days=7,
    ),
    _tactic(
        "service_level_review",
        "service",
        "Service level review",
        "服务水平回顾",
        "Review delivery, response times and open issues against the agreed service levels.",
        owner_role="service_manager",
    ),
    # strategic: alignment with the customer's executives and strategy
    _tactic(
        "executive_sponsor_visit",
        "strategic",
        "Executive sponsor visit",
        "高层拜访",
        "Our executive sponsor meets the customer's decision makers on the relationship.",
        owner_role="executive",
    ),
    _tactic(
        "upgrade_review",
        "strategic",
        "Upgrade review",
        "升级评估",
        "Assess whether the account qualifies for a higher tier and the programme it brings.",
    ),
    _tactic(
        "joint_business_plan",
        "strategic",
        "Joint business plan",
        "联合业务规划",
        "Agree shared goals, initiatives and review dates for the coming year with the customer.",
        due_in_days=45,
    ),
    _tactic(
        "quarterly_business_review",
        "strategic",
        "Quarterly business review",
        "季度业务回顾",
        "Review results, plans and open points with the customer's management each quarter.",
    ),
    # professional: expertise, technical support, growing together
    _tactic(
        "technical_workshop",
        "professional",
        "Technical workshop",
        "技术研讨会",
        "Our specialists work through the customer's technical questions and use cases.",
        owner_role="solution_engineer",
    ),
    _tactic(
        "training_programme",
        "professional",
        "Training programme",
        "培训计划",
        "Train the customer's users so they get more value from what they already buy.",
        owner_role="solution_engineer",
        due_in_days=45,
    ),
    _tactic(
        "adoption_review",
        "professional",
        "Adoption review",
        "使用情况评估",
        "Review how the products are used and where adoption lags, with a plan to close gaps.",
        owner_role="customer_success_manager",
        due_in_days=21,
    ),
    _tactic(
        "roadmap_briefing",
        "professional",
        "Roadmap briefing",
        "路线图沟通",
        "Share our product roadmap and align it with the customer's own plans.",
        owner_role="product_manager",
        due_in_days=60,
    ),
)


@hookimpl
def kamcore_register_tactics(register: Callable[[Tactic], None]) -> None:
    """Register the built-in tactic catalogue."""
    for tactic in _CATALOGUE:
        register(tactic)
