"""The ICT tactic catalogue: what an account team does about what the metrics show, in each of
the five retention dimensions.

The ids are a contract: policies' ``[[tactics.rules]]`` name them, so renaming one breaks every
policy that does. Owners are the account-team roles (``account_responsible``,
``solution_responsible``, ``fulfilment_responsible``) or the people above them (``executive``,
``sales_director``, ``finance``); a rule may hand a tactic to someone else.
"""

from __future__ import annotations

from typing import Final

from kamcore import Tactic

from ._spec import label

__all__ = ["CATALOGUE"]


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
        id=id_,
        dimension=dimension,
        label=label(en, zh),
        description=description,
        owner_role=owner_role,
        due_in_days=due_in_days,
    )


#: Every tactic the pack registers.
CATALOGUE: Final[tuple[Tactic, ...]] = (
    # strategic: alignment with the customer's executives and strategy
    _tactic(
        "ict.executive_exchange",
        "strategic",
        "Executive exchange",
        "高层互访",
        "Reciprocal visits of both sides' executives (headquarters, showroom, the customer's "
        "strategy meeting) to align on the customer's plans for the next three years.",
        "executive",
        45,
    ),
    _tactic(
        "ict.joint_innovation_lab",
        "strategic",
        "Joint innovation lab",
        "联合创新中心",
        "Propose a joint innovation lab on the customer's next big problem: shared roadmap, "
        "joint team, pilot sites; the step from partnership to strategic alliance.",
        "solution_responsible",
        90,
    ),
    # professional: expertise, technical support, growing together
    _tactic(
        "ict.solution_workshop",
        "professional",
        "Solution workshop",
        "解决方案研讨会",
        "A workshop with the customer's planning and technical departments on their pain "
        "points, to shape the next projects before they are tendered.",
        "solution_responsible",
        30,
    ),
    _tactic(
        "ict.reference_site_visit",
        "professional",
        "Reference site visit",
        "样板点参观",
        "Take the customer's decision makers to a reference site of a peer that runs the "
        "solution, so they hear the results from the peer.",
        "solution_responsible",
        45,
    ),
    # emotional: personal relationship, regular contact
    _tactic(
        "ict.high_level_visit",
        "emotional",
        "High-level visit",
        "高层拜访",
        "Visit the new or remaining decision makers at the highest level we can reach: "
        "introduce the team, listen to their priorities, re-establish the relationship.",
        "account_responsible",
        14,
    ),
    _tactic(
        "ict.relationship_mapping",
        "emotional",
        "Relationship mapping",
        "客户关系规划",
        "Map the decision chain person by person (role, influence, attitude), and plan who on "
        "our side builds each relationship and how.",
        "account_responsible",
        21,
    ),
    _tactic(
        "ict.opponent_engagement",
        "emotional",
        "Opponent engagement",
        "反对者转化",
        "Find out why the influential opponent opposes us and plan one-to-one engagement by a "
        "peer of the same level to bring the person to neutral.",
        "account_responsible",
        21,
    ),
    # benefit: pricing, rebates, terms beyond rebates
    _tactic(
        "ict.financing_package",
        "benefit",
        "Financing and payment-terms package",
        "融资与付款方案",
        "Offer vendor financing, instalments or milestone terms that fit the customer's budget "
        "cycle, so price is not the only lever in the next tenders.",
        "finance",
        30,
    ),
    _tactic(
        "ict.milestone_payment_review",
        "benefit",
        "Payment-milestone review",
        "回款里程碑评审",
        "Review the overdue milestones with the customer: clear acceptance blockers, agree a "
        "payment plan, restructure milestones where the project changed.",
        "fulfilment_responsible",
        14,
    ),
    # service: standardised, professional service, compensation when it fails
    _tactic(
        "ict.fulfilment_recovery_plan",
        "service",
        "Fulfilment recovery plan",
        "交付恢复计划",
        "A recovery plan for late or troubled deliveries: root causes, extra resources, a "
        "committed schedule reviewed weekly with the customer.",
        "fulfilment_responsible",
        14,
    ),
    _tactic(
        "ict.iron_triangle_staffing",
        "service",
        "Staff the account team",
        "铁三角补位",
        "Name the missing account, solution or fulfilment responsible so the account is "
        "served by a complete team.",
        "sales_director",
        14,
    ),
)
