"""The pack's policy section, ``[config.kamcore_ict]``: its JSON Schema and its parsed form.

Public sources disagree on what Huawei's "NA" is: a *named* (value) account, the above-average
profit accounts just below KA, or simply a *normal* account, everyone who is not KA. The pack
does not pick a side: ``na_meaning`` says which one a policy means, and the classifier follows
it. The other keys are the few numbers and lists a region changes without rewriting rules: the
grid thresholds, the product lines profit is reported by, which industries are strategic, who in
the decision chain counts, and the owner roles that staff the account team.

The schema closes the section (``additionalProperties: false``) so a misspelt key fails when the
policy loads, with its file and line; what JSON Schema cannot say (``medium`` below ``high``) is
checked in :func:`parse_config` and reported as a :class:`kamcore.PluginUsageError` naming the
key at fault, which kamcore turns into a located :class:`kamcore.PolicyError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from kamcore import PluginUsageError

__all__ = [
    "BUYING_ROLES",
    "CONFIG_SCHEMA",
    "DEFAULT_PRODUCT_LINES",
    "DEFAULT_STRATEGIC_INDUSTRIES",
    "DEFAULT_TEAM_ROLES",
    "NA_MEANINGS",
    "TEAM_ROLES",
    "IctConfig",
    "parse_config",
]

#: The two readings of "NA".
NA_MEANINGS: Final = ("named", "normal")
#: The buying roles of kamcore's ``contacts`` stream items.
BUYING_ROLES: Final = (
    "decision_maker",
    "influencer",
    "user",
    "gatekeeper",
    "champion",
    "economic_buyer",
    "technical_buyer",
)
#: Product lines profit contribution is reported by (one ``ict.profit_<line>`` fact each).
DEFAULT_PRODUCT_LINES: Final = ("network", "cloud", "enterprise", "energy", "services")
#: Industries whose accounts score as strategic on the attractiveness axis.
DEFAULT_STRATEGIC_INDUSTRIES: Final = ("telecom", "government", "finance", "energy", "transport")
#: The buying roles that make up the decision chain whose coverage and support are measured.
DEFAULT_DECISION_ROLES: Final = (
    "decision_maker",
    "economic_buyer",
    "technical_buyer",
    "influencer",
    "champion",
)
#: The buying roles of a *key* decision maker (whose departure is an alert).
DEFAULT_KEY_DM_ROLES: Final = ("decision_maker", "economic_buyer")
#: The three roles of the account team ("iron triangle"), in reporting order.
TEAM_ROLES: Final = ("account", "solution", "fulfilment")
#: Owner roles (``owners[].role``) that staff each team role, compared case-insensitively.
DEFAULT_TEAM_ROLES: Final[Mapping[str, tuple[str, ...]]] = {
    "account": ("account_responsible", "account_manager", "ar"),
    "solution": ("solution_responsible", "solution_manager", "solution_architect", "sr"),
    "fulfilment": (
        "fulfilment_responsible",
        "fulfillment_responsible",
        "delivery_manager",
        "project_manager",
        "fr",
    ),
}

_NAME_PATTERN = "^[a-z][a-z0-9_]*$"
_ROLE_LIST: Final[dict[str, Any]] = {
    "type": "array",
    "items": {"enum": list(BUYING_ROLES)},
    "minItems": 1,
    "uniqueItems": True,
}
_OWNER_ROLES: Final[dict[str, Any]] = {
    "type": "array",
    "items": {"type": "string", "minLength": 1, "maxLength": 64},
    "minItems": 1,
    "maxItems": 20,
    "uniqueItems": True,
}

#: The JSON Schema (draft 2020-12) of ``[config.kamcore_ict]``.
CONFIG_SCHEMA: Final[dict[str, Any]] = {
    "title": "kamcore_ict configuration",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "na_meaning": {
            "enum": list(NA_MEANINGS),
            "description": 'What NA means: "named" (value accounts just below KA) or '
            '"normal" (every account that is not KA). Default "named".',
        },
        "na_min_profit_index": {
            "type": "number",
            "minimum": 0,
            "description": "With na_meaning = named: the least profit contribution, as a multiple "
            "of the portfolio average, of a named account. Default 1.0.",
        },
        "grid": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "medium": {"type": "number", "minimum": 0, "maximum": 100},
                "high": {"type": "number", "minimum": 0, "maximum": 100},
            },
            "description": "Attractiveness and strength scores (0..100) at which an axis is "
            "medium and high. Default medium = 40, high = 70.",
        },
        "product_lines": {
            "type": "array",
            "items": {"type": "string", "pattern": _NAME_PATTERN, "maxLength": 40},
            "minItems": 1,
            "maxItems": 20,
            "uniqueItems": True,
            "description": "Product lines profit is reported by; each adds the fact "
            "ict.profit_<line>.",
        },
        "strategic_industries": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 64},
            "uniqueItems": True,
            "description": "Industries (the account's `industry`, case-insensitive) that are "
            "strategic for the region.",
        },
        "decision_roles": {
            **_ROLE_LIST,
            "description": "Buying roles that make up the decision chain.",
        },
        "key_dm_roles": {
            **_ROLE_LIST,
            "description": "Buying roles of a key decision maker.",
        },
        "key_dm_min_influence": {
            "type": "integer",
            "minimum": 1,
            "maximum": 5,
            "description": "Least influence (1..5) of a key decision maker. Default 4.",
        },
        "dm_left_window_days": {
            "type": "integer",
            "minimum": 1,
            "maximum": 3650,
            "description": "How recent a key decision maker's departure must be to count. "
            "Default 90.",
        },
        "team_roles": {
            "type": "object",
            "additionalProperties": False,
            "properties": dict.fromkeys(TEAM_ROLES, _OWNER_ROLES),
            "description": "Owner roles (owners[].role) that staff the account, solution and "
            "fulfilment roles of the account team.",
        },
    },
}


@dataclass(frozen=True)
class IctConfig:
    """``[config.kamcore_ict]`` with every default applied.

    :param na_meaning: ``"named"`` or ``"normal"``; see :mod:`kamcore_ict.grid`.
    :param na_min_profit_index: least profit index of a named account (``named`` only).
    :param grid_medium: axis score at which an axis is medium.
    :param grid_high: axis score at which an axis is high.
    :param product_lines: the ``ict.profit_<line>`` facts, in order.
    :param strategic_industries: lower-cased industry names.
    :param decision_roles: buying roles of the decision chain (coverage, support, size).
    :param key_dm_roles: buying roles of a key decision maker.
    :param key_dm_min_influence: least influence of a key decision maker.
    :param dm_left_window_days: how many days back a departure counts.
    :param team_roles: team role -> lower-cased owner roles staffing it.
    """

    na_meaning: Literal["named", "normal"] = "named"
    na_min_profit_index: float = 1.0
    grid_medium: float = 40.0
    grid_high: float = 70.0
    product_lines: tuple[str, ...] = DEFAULT_PRODUCT_LINES
    strategic_industries: frozenset[str] = frozenset(DEFAULT_STRATEGIC_INDUSTRIES)
    decision_roles: frozenset[str] = frozenset(DEFAULT_DECISION_ROLES)
    key_dm_roles: frozenset[str] = frozenset(DEFAULT_KEY_DM_ROLES)
    key_dm_min_influence: int = 4
    dm_left_window_days: int = 90
    team_roles: Mapping[str, frozenset[str]] = field(
        default_factory=lambda: {k: frozenset(v) for k, v in DEFAULT_TEAM_ROLES.items()}
    )


def _strings(value: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else default


def parse_config(config: Mapping[str, Any]) -> IctConfig:
    """The validated ``[config.kamcore_ict]`` table as an :class:`IctConfig`.

    The schema has already checked every key and type; this adds the defaults and the one rule a
    schema cannot state.

    :raises PluginUsageError: ``grid.medium`` is not below ``grid.high`` (with ``key`` set, so
        kamcore reports it as a :class:`kamcore.PolicyError` at that key's file and line).
    """
    grid = config.get("grid") or {}
    medium = float(grid.get("medium", 40.0))
    high = float(grid.get("high", 70.0))
    if not medium < high:
        # located at the key the author wrote (medium if given, else high), so the message
        # carries its file and line
        raise PluginUsageError(
            f"grid: medium ({medium:g}) must be below high ({high:g})",
            key="grid.medium" if "medium" in grid else "grid.high",
        )
    team = config.get("team_roles") or {}
    team_roles = {
        role: frozenset(r.lower() for r in _strings(team.get(role), DEFAULT_TEAM_ROLES[role]))
        for role in TEAM_ROLES
    }
    meaning = config.get("na_meaning", "named")
    return IctConfig(
        na_meaning="normal" if meaning == "normal" else "named",
        na_min_profit_index=float(config.get("na_min_profit_index", 1.0)),
        grid_medium=medium,
        grid_high=high,
        product_lines=_strings(config.get("product_lines"), DEFAULT_PRODUCT_LINES),
        strategic_industries=frozenset(
            s.lower()
            for s in _strings(config.get("strategic_industries"), DEFAULT_STRATEGIC_INDUSTRIES)
        ),
        decision_roles=frozenset(_strings(config.get("decision_roles"), DEFAULT_DECISION_ROLES)),
        key_dm_roles=frozenset(_strings(config.get("key_dm_roles"), DEFAULT_KEY_DM_ROLES)),
        key_dm_min_influence=int(config.get("key_dm_min_influence", 4)),
        dm_left_window_days=int(config.get("dm_left_window_days", 90)),
        team_roles=team_roles,
    )
