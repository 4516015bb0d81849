"""kamcore_plugin_example: event attendance for kamcore, as a third-party plugin would add it.

Key-account relationships are kept warm at events: user conferences, executive dinners,
trade-show hospitality. When a customer's people stop accepting the invitations, the emotional
side of the relationship is cooling, usually before revenue shows it. This plugin gives
policies the words for that:

* the facts ``events_invited_12m`` and ``events_attended_12m``;
* the metric ``event_engagement``: the share of the invitations accepted;
* the tactic ``vip_event_invitation`` (emotional dimension);
* ``[config.kamcore_plugin_example] min_events``: below this many invitations the engagement is
  missing instead of being computed from too little evidence.

The module is the plugin object: kamcore finds it through the entry point
``kamcore_plugin_example = "kamcore_plugin_example"`` in the ``kamcore`` group, and a policy
activates it with ``[policy] plugins = ["kamcore_plugin_example"]``. The packaged policy
``kamcore_plugin_example:policies/events.toml`` uses all of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from kamcore import Fact, Metric, Tactic, hookimpl

__all__ = [
    "CONFIG_SCHEMA",
    "DEFAULT_MIN_EVENTS",
    "event_engagement",
    "kamcore_register_config_schema",
    "kamcore_register_facts",
    "kamcore_register_metrics",
    "kamcore_register_tactics",
]

__version__ = "0.1.0"

#: Invitations needed before the engagement is computed, unless the policy configures it.
DEFAULT_MIN_EVENTS = 3

#: The JSON Schema of ``[config.kamcore_plugin_example]``. ``additionalProperties: false`` is
#: what turns a typo (``min_event = 5``) into a load error with its line, instead of a setting
#: that is silently ignored.
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "min_events": {
            "type": "integer",
            "minimum": 1,
            "description": "Invitations in the last 12 months below which event engagement is "
            "missing rather than computed.",
        },
    },
}


def event_engagement(
    attended: int, invited: int, min_events: int = DEFAULT_MIN_EVENTS
) -> float | None:
    """The share of the last 12 months' invitations the account's people accepted, 0 to 1.

    Below ``min_events`` invitations the result is ``None`` (missing): one declined invitation
    says little about a relationship, and a missing value leaves the policy to decide
    (``coalesce(event_engagement, 1)``) instead of the plugin guessing. More attendances than
    invitations (walk-ins, colleagues brought along) count as full engagement.
    """
    if invited < max(min_events, 1):
        return None
    return max(0.0, min(attended / invited, 1.0))


@hookimpl
def kamcore_register_config_schema(register: Callable[[Mapping[str, Any]], None]) -> None:
    """Have kamcore check ``[config.kamcore_plugin_example]`` when a policy loads."""
    register(CONFIG_SCHEMA)


@hookimpl
def kamcore_register_facts(register: Callable[[Fact], None]) -> None:
    """Declare the attendance facts, so policies can name them and inputs are type-checked."""
    register(
        Fact(
            "events_invited_12m",
            "count",
            doc="Event invitations sent to the account's people in the last 12 months.",
            label={"en": "Event invitations (12 months)", "zh": "活动邀请次数（12个月）"},
        )
    )
    register(
        Fact(
            "events_attended_12m",
            "count",
            doc="Events the account's people attended in the last 12 months.",
            label={"en": "Events attended (12 months)", "zh": "参加活动次数（12个月）"},
        )
    )


@hookimpl
def kamcore_register_metrics(register: Callable[[Metric], None], config: Mapping[str, Any]) -> None:
    """Register ``event_engagement`` with the policy's ``min_events`` bound in.

    The configuration is read here, once per engine, not per account: the registered function
    is a plain :func:`functools.partial` that evaluation calls directly.
    """
    min_events = int(config.get("min_events", DEFAULT_MIN_EVENTS))
    register(
        Metric(
            "event_engagement",
            partial(event_engagement, min_events=min_events),
            inputs=("events_attended_12m", "events_invited_12m"),
            type="ratio",
            doc=f"Share of event invitations accepted (missing below {min_events} invitations).",
            label={"en": "Event engagement", "zh": "活动参与度"},
        )
    )


@hookimpl
def kamcore_register_tactics(register: Callable[[Tactic], None]) -> None:
    """Add the VIP event invitation to the tactics catalogue."""
    register(
        Tactic(
            "vip_event_invitation",
            "emotional",
            label={"en": "Invite to a VIP event", "zh": "邀请参加贵宾专场活动"},
            description="Invite the account's decision makers in person to a small VIP event "
            "(an executive dinner, a closed-door briefing) to rebuild the personal relationship.",
            owner_role="account_manager",
            due_in_days=21,
        )
    )
