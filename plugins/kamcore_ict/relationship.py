"""The decision chain: who decides at the customer, how much each weighs, and where they stand.

Huawei-style account teams map the customer's key people, rate each one's influence on a
decision (1..5) and attitude (supporter, neutral, opponent), and plan the relationship person by
person. What the pack measures from that map keeps two questions apart, because one number
cannot answer both:

* **coverage** (``ict.decision_roles_covered``): which of the buying roles that make up the
  decision chain (``decision_roles``) we have reached at all, i.e. have a contact in post. A
  chain where only the decision maker is known is 1 role in 5, however friendly that person.
* **support** (``ict.decision_chain_support``): of the people we have mapped, the share of
  their influence held by supporters. Influence weighting is the point: three friendly
  engineers do not offset a hostile CFO. Support says nothing about the people nobody mapped,
  which is why coverage is measured beside it.
* **the strongest opponent**: one opponent of influence 4 or 5 can block a deal alone.
* **a key decision maker who left**: the relationship built with that person is gone, and the
  successor is often courted by competitors first.

They come from kamcore's ``contacts`` stream (``buying_role``, ``influence``, ``attitude``,
``active``, ``left_on``) or from flat-export columns. A contact is in post on ``as_of`` unless
it left on or before that day (or, with no ``left_on``, is marked inactive).

Out-of-range figures are refused rather than trusted: an exported share outside 0..1 or an
influence outside 1..5 (0..5 for "strongest opponent", where 0 means none) is a data error, and
a metric built on it would rank the account on nonsense (a support of 1.7 scores above a
perfect chain). Such a figure counts as not given: the metric falls back to the stream, and is
missing when there is none.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, Final

from kamcore import Fact, Metric

from ._spec import fact, metric
from ._values import Items, as_date, as_number, items_of
from .config import IctConfig

__all__ = [
    "INFLUENCE_MAX",
    "INFLUENCE_MIN",
    "chain_size",
    "chain_support",
    "in_post",
    "key_dm_left",
    "key_dm_left_days_ago",
    "relationship_facts",
    "relationship_metrics",
    "roles_covered",
    "strongest_opponent",
]

#: The influence scale of a contact: 1 (little) to 5 (decides alone).
INFLUENCE_MIN: Final = 1
INFLUENCE_MAX: Final = 5


def in_post(contact: Mapping[str, Any], as_of: date) -> bool:
    """Whether the contact was in post on ``as_of``: a known ``left_on`` decides (later than
    ``as_of`` means still there then); without one, the ``active`` flag does."""
    left = as_date(contact.get("left_on"))
    if left is not None:
        return left > as_of
    return contact.get("active") is not False


def _in_range(value: object, lo: float, hi: float) -> float | int | None:
    """The value if it is a number within ``lo .. hi`` (both included), else ``None``."""
    number = as_number(value)
    return number if number is not None and lo <= number <= hi else None


def _influence(contact: Mapping[str, Any]) -> int | float | None:
    """The contact's influence rating if it is on the 1..5 scale; an unrated contact, or one
    rated off the scale, carries no weight (it is not guessed)."""
    return _in_range(contact.get("influence"), INFLUENCE_MIN, INFLUENCE_MAX)


def _chain(contacts: Items, as_of: date, roles: frozenset[str]) -> Iterator[Mapping[str, Any]]:
    """The in-post contacts of the decision chain with a usable influence rating."""
    for contact in items_of(contacts):
        if (
            contact.get("buying_role") in roles
            and _influence(contact) is not None
            and in_post(contact, as_of)
        ):
            yield contact


def chain_support(given: Any, contacts: Items, as_of: date, roles: frozenset[str]) -> float | None:
    """Influence-weighted share of the mapped decision chain that supports us: the exported
    figure if it is a ratio in 0..1, else sum(influence of supporters) / sum(influence of
    everyone mapped in the chain); missing when nobody in the chain is mapped.

    It is a share of the people *mapped*: one supporter mapped alone gives 1.0. Read it with
    :func:`roles_covered`, which says how much of the chain was mapped at all.
    """
    value = _in_range(given, 0, 1)
    if value is not None:
        return value
    total = supporting = 0.0
    for contact in _chain(contacts, as_of, roles):
        weight = float(_influence(contact) or 0)
        total += weight
        if contact.get("attitude") == "supporter":
            supporting += weight
    return round(supporting / total, 12) if total else None


def roles_covered(given: Any, contacts: Items, as_of: date, roles: frozenset[str]) -> float | None:
    """Share of the decision roles (``roles``) that have at least one contact in post, whatever
    that contact's influence rating or attitude: the exported figure if it is a ratio in 0..1,
    else counted from the stream; missing with neither (an empty stream is 0.0: nobody is
    reached).

    This is the coverage of the chain, the breadth of our access; :func:`chain_support` is the
    attitude of those reached. A mapped decision maker alone covers one role of five (0.2).
    """
    value = _in_range(given, 0, 1)
    if value is not None:
        return value
    if contacts is None or not roles:
        return None
    reached = {
        contact.get("buying_role")
        for contact in items_of(contacts)
        if contact.get("buying_role") in roles and in_post(contact, as_of)
    }
    return round(len(reached) / len(roles), 12)


def chain_size(given: Any, contacts: Items, as_of: date, roles: frozenset[str]) -> int | None:
    """How many people of the decision chain are mapped (rated) and in post: the exported
    count if it is a whole number >= 0, else counted from the stream."""
    value = as_number(given)
    if value is not None and value >= 0 and value == int(value):
        return int(value)
    if contacts is None:
        return None
    return sum(1 for _ in _chain(contacts, as_of, roles))


def strongest_opponent(given: Any, contacts: Items, as_of: date) -> int | None:
    """The highest influence among in-post opponents, in any role (0: no opponent); missing
    when no contact is mapped at all, since then nobody knows. An exported figure counts if it
    is 0..5; opponents rated off the 1..5 scale are not counted."""
    value = _in_range(given, 0, INFLUENCE_MAX)
    if value is not None:
        return int(value)
    people = [c for c in items_of(contacts) if in_post(c, as_of)]
    if not people:
        return None
    return max(
        (int(_influence(c) or 0) for c in people if c.get("attitude") == "opponent"), default=0
    )


def _key_departures(
    left_on: Any, contacts: Items, as_of: date, roles: frozenset[str], min_influence: int
) -> list[date] | None:
    """Departure dates of key decision makers, on or before ``as_of``: the exported date if
    there is one, else the stream's; ``None`` when there is neither source."""
    exported = as_date(left_on)
    if exported is not None:
        return [exported] if exported <= as_of else []
    if contacts is None:
        return None
    found: list[date] = []
    for contact in items_of(contacts):
        left = as_date(contact.get("left_on"))
        influence = _influence(contact)
        if (
            left is not None
            and left <= as_of
            and contact.get("buying_role") in roles
            and influence is not None
            and influence >= min_influence
        ):
            found.append(left)
    return found


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
    found = _key_departures(left_on, contacts, as_of, roles, min_influence)
    if found is None:
        return None
    return any((as_of - left).days <= window_days for left in found)


def key_dm_left_days_ago(
    left_on: Any, contacts: Items, as_of: date, roles: frozenset[str], min_influence: int
) -> int | None:
    """Days since the latest key decision maker's departure on or before ``as_of`` (0: left on
    ``as_of``); missing when none is known to have left. What a reason text says instead of the
    window, so the text never contradicts a configured ``dm_left_window_days``."""
    found = _key_departures(left_on, contacts, as_of, roles, min_influence)
    if not found:
        return None
    return (as_of - max(found)).days


def relationship_facts(cfg: IctConfig) -> tuple[Fact, ...]:
    """The flat-export figures of the decision chain, and the strategic agreement flag."""
    del cfg  # the same facts under every configuration
    return (
        fact(
            "ict.supporter_coverage",
            "ratio",
            "Supporter share (exported)",
            "支持者影响力占比（导出）",
            "Influence-weighted share of the mapped decision chain that supports us, as "
            "exported (0..1; a figure outside that range is ignored).",
        ),
        fact(
            "ict.roles_covered",
            "ratio",
            "Decision roles covered (exported)",
            "决策角色覆盖率（导出）",
            "Share of the decision chain's buying roles that have a contact in post, as "
            "exported (0..1; a figure outside that range is ignored).",
        ),
        fact(
            "ict.top_opponent_influence",
            "integer",
            "Strongest opponent's influence (exported)",
            "最强反对者影响力（导出）",
            "Influence (1..5) of the most influential opponent in post, 0 if there is none; a "
            "figure outside 0..5 is ignored.",
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
    """Coverage, support, chain size, strongest opponent and key-decision-maker departure, with
    the configured roles and window."""
    roles, key_roles = cfg.decision_roles, cfg.key_dm_roles
    min_influence, window = cfg.key_dm_min_influence, cfg.dm_left_window_days

    def support(given: Any, contacts: Items, as_of: date) -> float | None:
        return chain_support(given, contacts, as_of, roles)

    def covered(given: Any, contacts: Items, as_of: date) -> float | None:
        return roles_covered(given, contacts, as_of, roles)

    def size(given: Any, contacts: Items, as_of: date) -> int | None:
        return chain_size(given, contacts, as_of, roles)

    def left(left_on: Any, contacts: Items, as_of: date) -> bool | None:
        return key_dm_left(left_on, contacts, as_of, key_roles, min_influence, window)

    def days_ago(left_on: Any, contacts: Items, as_of: date) -> int | None:
        return key_dm_left_days_ago(left_on, contacts, as_of, key_roles, min_influence)

    key_dm = f"{', '.join(sorted(key_roles))}, influence >= {min_influence}"
    return (
        metric(
            "ict.decision_roles_covered",
            covered,
            ("ict.roles_covered", "contacts", "as_of"),
            "ratio",
            "Decision roles covered",
            "决策角色覆盖率",
            f"Share of the decision roles ({', '.join(sorted(roles))}) that have a contact in "
            "post: how much of the decision chain we reach at all.",
            handles_missing=True,
        ),
        metric(
            "ict.decision_chain_support",
            support,
            ("ict.supporter_coverage", "contacts", "as_of"),
            "ratio",
            "Decision-chain support",
            "决策链支持度",
            "Influence-weighted share of the mapped decision chain (the configured "
            "decision_roles, rated and in post) whose attitude is supporter. Says nothing "
            "about unmapped roles: read it with ict.decision_roles_covered.",
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
            f"A key decision maker ({key_dm}) left in the last {window} days.",
            handles_missing=True,
        ),
        metric(
            "ict.key_dm_left_days_ago",
            days_ago,
            ("ict.key_dm_left_on", "contacts", "as_of"),
            "integer",
            "Days since a key decision maker left",
            "关键决策人离职天数",
            f"Days since the latest key decision maker ({key_dm}) left; missing when none is "
            "known to have left.",
            unit="days",
            handles_missing=True,
        ),
    )
