"""Building flat retail-chain rows for the tests, the way a CSV export names its columns."""

from __future__ import annotations

from typing import Any


def chain(account_id: str, extra: dict[str, Any] | None = None, **facts: Any) -> dict[str, Any]:
    """A flat row: ``retail.<fact>`` columns from keyword arguments, plus ``extra`` columns
    as they are (master data, a client's own columns)."""
    row: dict[str, Any] = {"id": account_id}
    row.update({f"retail.{name}": value for name, value in facts.items()})
    row.update(extra or {})
    return row


def ids(items: list[dict[str, Any]]) -> list[str]:
    """The ids of an evaluation's alerts or tactics, in order."""
    return [item["id"] for item in items]
