"""The decision chain: who decides at the customer, how much each weighs, and where they stand.

Huawei-style account teams map the customer's key people, rate each one's influence on a
decision (1..5) and attitude (supporter, neutral, opponent), and plan the relationship person by
person. What the pack measures from that map:

* **coverage**: the share of the decision chain's influence held by supporters. Influence
  weighting is the point: three friendly engineers do not offset a hostile CFO.
* **the strongest opponent**: one opponent of influence 4 or 5 can block a deal alone.
* **a key decision maker who left**: the relationship built with that person is gone, and the
  successor is often courted by competitors first.

They come from kamcore's ``contacts`` stream (``buying_role``, ``influence``, ``attitude``,
``active``, ``left_on``) or from flat-export columns. A contact is in post on ``as_of`` unless
it left on or before that day (or, with no ``left_on``, is marked inactive).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from kamcore import Fact, Metric

from ._spec import fact, metric
from ._values import Items, as_date, as_number, items_of
from .config import IctConfig

__all__ = [
    "chain_coverage",
    "chain_size",
    "in_post",
    "key_dm_left",
    "relationship_facts",
    "relationship_metrics",
    "strongest_opponent",
]


def in_post(contact: Mapping[str, Any], as_of: date) -> bool:
    """Whether the contact was in post on ``as_of``: a known ``left_on`` decides (later than
    ``as_of`` means still there then); without one, the ``active`` flag does."""
    left = as_date(contact.get("left_on"))
    if left is not None:
        return left > as_of
    return contact.get("active") is not False


def _influence(contact: Mapping[str, Any]) -> int | float | None:
    value = as_number(contact.get("influence"))
    return value if value is not None and value > 0 else None


def _chain(contacts: Items, as_of: date, roles: frozenset[str]) -> Iterator[Mapping[str, Any]]:
    """The in-post contacts of the decision chain with a usable influence rating."""
    for contact in items_of(contacts):
        if (
            contact.get("buying_role") in roles
            and _influence(contact) is not None
            and in_post(contact, as_of)
        ):
            yield contact


def chain_coverage(given: Any, contacts: Items, as_of: date, roles: frozenset[str]) -> float | None:
    """Influence-weighted share of the decision chain that supports us: the exported figure,
    else sum(influence of supporters) / sum(influence of everyone in the chain); missing when
    nobody in the chain is mapped."""
    value = as_number(given)
    if value is not None:
        return value
    total = supporting = 0.0
    for contact in _chain(contacts, as_of, roles):
        weight = float(_influence(contact) or 0)
        total += weight
        if contact.get("attitude") == "supporter":
            supporting += weight
    return round(supporting / total, 12) if total else None


def chain_size(given: Any, contacts: Items, as_of: date, roles: frozenset[str]) -> int | None:
    """How many people of the decision chain are mapped and in post."""
    value = as_number(given)
    if value is not None:
        return int(value)
    if contacts is None:
        return None
    return sum(1 for _ in _chain(contacts, as_of, roles))


def strongest_opponent(given: Any, contacts: Items, as_of: date) -> int | None:
    """The highest influence among in-post opponents, in any role (0: no opponent); missing
    when no contact is mapped at all, since then nobody knows."""
    value = as_number(given)
    if value is not None:
        return int(value)
    people = [c for c in items_of(contacts) if in_post(c, as_of)]
    if not people:
        return None
    return max(
        (int(_influence(c) or 0) for c in people if c.get("attitude") == "opponent"), default=0
    )


def key_dm_left(
    left_on: Any,
    contacts: Items,
    as_of: date,
    roles: frozenset[str],
    min_influence: int,
    window_days: int,
) -> bool | None:
    """Whether a key decision maker (a key role, influence >= ``min_influence``) left in the
    last ``window_days`` days (``as_of - window_days`` .. ``as_of``): the exported departure
    date, else the stream's ``left_on`` dates; missing when there is neither."""
    exported = as_date(left_on)
    if exported is not None:
        return 0 <= (as_of - exported).days <= window_days
    if contacts is None:
        return None
    for contact in items_of(contacts):
        left = as_date(contact.get("left_on"))
        influence = _influence(contact)
        if (
            left is not None
            and contact.get("buying_role") in roles
            and influence is not None
            and influence >= min_influence
            and 0 <= (as_of - left).days <= window_days
        ):
            return True
    return False


def relationship_facts(cfg: IctConfig) -> tuple[Fact, ...]:
    """The flat-export figures of the decision chain, and the strategic agreement flag."""
    del cfg  # the same facts under every configuration
    return (
        fact(
            "ict.supporter_coverage",
            "ratio",
            "Supporter coverage (exported)",
            "支持者覆盖度（导出）",
            "Influence-weighted share of the decision chain that supports us, as exported.",
        ),
        fact(
            "ict.top_opponent_influence",
            "integer",
            "Strongest opponent's influence (exported)",
            "最强反对者影响力（导出）",
            "Influence (1..5) of the most influential opponent in post, 0 if there is none.",
        ),
        fact(
            "ict.key_dm_left_on",
            "date",
            "Key decision maker left on",
            "关键决策人离职日期",
            "When the latest key decision maker left the customer, as exported.",
        ),
        fact(
            "ict.key_people_mapped",
            "integer",
            "Decision-chain people mapped (exported)",
            "已识别决策链人数（导出）",
            "People of the decision chain mapped and in post, as exported.",
        ),
        fact(
            "ict.strategic_agreement",
            "boolean",
            "Strategic cooperation agreement",
            "战略合作协议",
            "A strategic cooperation agreement (or joint innovation centre) is signed and in "
            "force with the customer.",
        ),
    )


def relationship_metrics(cfg: IctConfig) -> tuple[Metric, ...]:
    """Coverage, chain size, strongest opponent and key-decision-maker departure, with the
    configured roles and window."""
    roles, key_roles = cfg.decision_roles, cfg.key_dm_roles
    min_influence, window = cfg.key_dm_min_influence, cfg.dm_left_window_days

    def coverage(given: Any, contacts: Items, as_of: date) -> float | None:
        return chain_coverage(given, contacts, as_of, roles)

    def size(given: Any, contacts: Items, as_of: date) -> int | None:
        return chain_size(given, contacts, as_of, roles)

    def left(left_on: Any, contacts: Items, as_of: date) -> bool | None:
        return key_dm_left(left_on, contacts, as_of, key_roles, min_influence, window)

    return (
        metric(
            "ict.decision_chain_coverage",
            coverage,
            ("ict.supporter_coverage", "contacts", "as_of"),
            "ratio",
            "Decision-chain coverage",
            "决策链覆盖度",
            "Influence-weighted share of the decision chain (the configured decision_roles, "
            "in post) whose attitude is supporter.",
            handles_missing=True,
        ),
        metric(
            "ict.decision_chain_size",
            size,
            ("ict.key_people_mapped", "contacts", "as_of"),
            "integer",
            "Decision-chain people mapped",
            "决策链已识别人数",
            "People of the decision chain mapped and in post.",
            handles_missing=True,
        ),
        metric(
            "ict.opponent_influence",
            strongest_opponent,
            ("ict.top_opponent_influence", "contacts", "as_of"),
            "integer",
            "Strongest opponent's influence",
            "最强反对者影响力",
            "Influence (1..5) of the most influential opponent in post; 0 if none.",
            handles_missing=True,
        ),
        metric(
            "ict.key_dm_left_recently",
            left,
            ("ict.key_dm_left_on", "contacts", "as_of"),
            "boolean",
            "Key decision maker left recently",
            "关键决策人近期离职",
            f"A key decision maker ({', '.join(sorted(key_roles))}, influence >= "
            f"{min_influence}) left in the last {window} days.",
            handles_missing=True,
        ),
    )
