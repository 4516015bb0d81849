"""The pack's retention tactics: the customer-success playbook across the five dimensions.

They complement the built-in catalogue (``detractor_follow_up``, ``service_recovery``,
``executive_sponsor_visit``, ...), which the base policy also uses. Ids are namespaced
(``saas.``) and are a contract: policies pick them by id.
"""

from __future__ import annotations

from kamcore import Tactic

from .facts import label

__all__ = ["TACTICS"]


def _tactic(
    id_: str,
    dimension: str,
    en: str,
    zh: str,
    description: str,
    owner_role: str,
    due_in_days: int,
) -> Tactic:
    return Tactic(
        id=f"saas.{id_}",
        dimension=dimension,
        label=label(en, zh),
        description=description,
        owner_role=owner_role,
        due_in_days=due_in_days,
    )


TACTICS: tuple[Tactic, ...] = (
    # strategic: alignment with the customer's executives and strategy
    _tactic(
        "executive_business_review",
        "strategic",
        "Executive business review",
        "高层业务回顾",
        "Present the value delivered against the customer's goals to its executives and agree "
        "the priorities of the next term.",
        "account_executive",
        30,
    ),
    _tactic(
        "expansion_plan",
        "strategic",
        "Expansion account plan",
        "扩展客户规划",
        "Map the departments, seats and products the account does not use yet and agree a "
        "plan to reach them with the customer's sponsor.",
        "account_executive",
        45,
    ),
    # professional: expertise, technical support, growing together
    _tactic(
        "adoption_workshop",
        "professional",
        "Adoption workshop",
        "使用推广研讨会",
        "Work with the customer's team on the use cases they have not adopted, and leave a plan "
        "to activate the unused licences.",
        "customer_success_manager",
        21,
    ),
    _tactic(
        "admin_training",
        "professional",
        "Admin and user training",
        "管理员及用户培训",
        "Train the customer's administrators and power users (certification where there is "
        "one) so adoption does not depend on us.",
        "enablement",
        30,
    ),
    _tactic(
        "technical_health_check",
        "professional",
        "Technical health check",
        "技术健康检查",
        "Review the configuration, integrations and performance of the tenant and fix what "
        "drives the tickets.",
        "solution_engineer",
        21,
    ),
    # emotional: personal relationship, regular contact
    _tactic(
        "success_plan",
        "emotional",
        "Success plan",
        "客户成功计划",
        "Agree with the customer's champion what success means, the milestones and who does "
        "what; review it at every check-in.",
        "customer_success_manager",
        14,
    ),
    _tactic(
        "csm_check_in",
        "emotional",
        "CSM check-in",
        "客户成功经理回访",
        "A call with the champion outside any renewal agenda: how it is going, what is in the way.",
        "customer_success_manager",
        14,
    ),
    _tactic(
        "advocacy_invitation",
        "emotional",
        "Advocacy invitation",
        "推荐客户邀请",
        "Invite a promoter to the customer advisory board, a case study or a user-conference talk.",
        "customer_marketing",
        45,
    ),
    # benefit: pricing, rebates, terms beyond rebates
    _tactic(
        "renewal_incentive",
        "benefit",
        "Renewal incentive",
        "续约激励",
        "A time-limited commercial incentive (price hold, added seats or modules) to sign the "
        "renewal on time.",
        "renewals_manager",
        14,
    ),
    _tactic(
        "multi_year_discount",
        "benefit",
        "Multi-year discount",
        "多年期合约折扣",
        "Offer a discount for a two- or three-year term to a healthy account, securing the ARR "
        "beyond this renewal.",
        "renewals_manager",
        30,
    ),
    _tactic(
        "licence_rightsizing",
        "benefit",
        "Licence right-sizing",
        "许可规模调整",
        "Propose a seat count that matches real use, trading shelfware for a longer term or "
        "another module before the customer cuts it at renewal.",
        "account_executive",
        30,
    ),
    # service: standardised, professional service, compensation when it fails
    _tactic(
        "support_escalation",
        "service",
        "Support escalation",
        "支持升级处理",
        "Escalate the aged P1 tickets to engineering leadership, give the customer a daily "
        "status and a named owner until they are closed.",
        "support_lead",
        2,
    ),
    _tactic(
        "dedicated_support_engineer",
        "service",
        "Dedicated support engineer",
        "专属支持工程师",
        "Assign a named support engineer who knows the tenant and handles every ticket of the "
        "account.",
        "support_lead",
        14,
    ),
    _tactic(
        "onboarding_acceleration",
        "service",
        "Onboarding acceleration",
        "加速实施上线",
        "Add implementation capacity to a late onboarding: a project manager and a fixed "
        "go-live date.",
        "implementation_lead",
        7,
    ),
)
