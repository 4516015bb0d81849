"""Recording which rules fired and the inputs they read.

The evaluation's ``fired`` list is what explanations are built from: for every rule, table row,
transition, alert or tactic that fired, its key path, its kind and the values of the names it
read. Recording is skipped entirely when explanations are off (``AccountRun.fired is None``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from .context import AccountRun

__all__ = ["json_ready", "record"]


def json_ready(value: Any) -> Any:
    """A value as it appears in an evaluation: dates as ISO strings, tuples as lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [json_ready(v) for v in value]
    return value


def record(
    acc: AccountRun,
    rule: str,
    kind: str,
    names: Iterable[str] = (),
    note: str | None = None,
) -> None:
    """Append one fired entry to ``acc.fired`` (no-op when explanations are off).

    :param rule: the rule's key path, e.g. ``tables.tier.rules[ka-large]``.
    :param kind: ``table_row``, ``segment``, ``cap``, ``hysteresis``, ``transition``, ``alert``,
        ``tactic``.
    :param names: the facts/metrics/outputs the rule read; their current values are copied
        (explain ``full``; at ``summary`` the record names the rule only).
    """
    if acc.fired is None:
        return
    values = acc.values
    acc.fired.append(
        {
            "rule": rule,
            "kind": kind,
            "inputs": {n: json_ready(values.get(n)) for n in names} if acc.detail else {},
            "note": note,
        }
    )
