"""The account team's shape, and its delivery record.

A Huawei-style key account is served by three roles working as one ("iron triangle"): the
account responsible owns the relationship and the business, the solution responsible owns what
is proposed, and the fulfilment responsible owns delivery and acceptance. A key account missing
one of them is a gap in coverage, whatever the figures say. The roles come from flat-export
columns naming the person, or from the account's ``owners`` (``role`` matched against the
configured owner roles of each team role). The delivery record (milestones delivered on time) is
the fulfilment side's result and one of the business-strength measures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kamcore import Fact, Metric

from ._spec import fact, metric
from ._values import Items, items_of
from .config import TEAM_ROLES, IctConfig

__all__ = ["roles_missing", "roles_staffed", "team_complete", "team_facts", "team_metrics"]


def _named(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def roles_staffed(
    account: Any,
    solution: Any,
    fulfilment: Any,
    owners: Items,
    aliases: Mapping[str, frozenset[str]],
) -> list[str] | None:
    """The team roles that have a person, in the order account, solution, fulfilment: from the
    ``ict.*_responsible`` columns and from ``owners`` whose role is one of the role's aliases.
    Missing when neither source is present (a flat row without the columns says nothing)."""
    given = {"account": account, "solution": solution, "fulfilment": fulfilment}
    if owners is None and all(v is None for v in given.values()):
        return None
    staffed = {role for role, person in given.items() if _named(person)}
    for owner in items_of(owners):
        role = str(owner.get("role", "")).strip().lower()
        if not _named(owner.get("name")):
            continue
        staffed.update(team_role for team_role in TEAM_ROLES if role in aliases[team_role])
    return [role for role in TEAM_ROLES if role in staffed]


def roles_missing(staffed: list[str]) -> list[str]:
    """The team roles nobody holds."""
    return [role for role in TEAM_ROLES if role not in staffed]


def team_complete(staffed: list[str]) -> bool:
    """Whether all three roles are staffed."""
    return all(role in staffed for role in TEAM_ROLES)


def team_facts(cfg: IctConfig) -> tuple[Fact, ...]:
    """The three responsible persons, the account's ``owners`` and the on-time delivery rate."""
    del cfg  # the same facts under every configuration
    return (
        fact(
            "ict.account_responsible",
            "string",
            "Account responsible",
            "客户责任人",
            "Who owns the relationship and the business with the account (AR).",
        ),
        fact(
            "ict.solution_responsible",
            "string",
            "Solution responsible",
            "解决方案责任人",
            "Who owns the solutions proposed to the account (SR).",
        ),
        fact(
            "ict.fulfilment_responsible",
            "string",
            "Fulfilment responsible",
            "交付责任人",
            "Who owns delivery, acceptance and payment collection for the account (FR).",
        ),
        fact(
            "ict.on_time_delivery_rate",
            "ratio",
            "On-time delivery rate",
            "交付及时率",
            "Share of project milestones delivered on time in the last 12 months.",
        ),
    )


def team_metrics(cfg: IctConfig) -> tuple[Metric, ...]:
    """Staffed roles, missing roles and completeness, with the configured owner roles."""
    aliases = cfg.team_roles

    def staffed(account: Any, solution: Any, fulfilment: Any, owners: Items) -> list[str] | None:
        return roles_staffed(account, solution, fulfilment, owners, aliases)

    return (
        metric(
            "ict.team_roles_staffed",
            staffed,
            (
                "ict.account_responsible",
                "ict.solution_responsible",
                "ict.fulfilment_responsible",
                "owners",
            ),
            "list[string]",
            "Team roles staffed",
            "已配置团队角色",
            "Which of account, solution and fulfilment have a responsible person.",
            handles_missing=True,
        ),
        metric(
            "ict.team_roles_missing",
            roles_missing,
            ("ict.team_roles_staffed",),
            "list[string]",
            "Team roles missing",
            "缺位团队角色",
            "Which of account, solution and fulfilment nobody holds.",
        ),
        metric(
            "ict.team_complete",
            team_complete,
            ("ict.team_roles_staffed",),
            "boolean",
            "Account team complete",
            "铁三角完整",
            "Account, solution and fulfilment responsible are all staffed.",
        ),
    )
