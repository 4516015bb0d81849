"""Evaluations as flat rows: one scalar per column, for CSV and Parquet outputs.

An evaluation is a nested document (see ``docs/architecture.md``); spreadsheets and BI tools
want one row per account with one value per cell. The flattening is fixed, so column names are a
contract people build reports on:

``account_id, policy_id, policy_version, policy_hash, as_of, input_digest, tier, segments,
stage, stage_previous, stage_changed, stage_since, risk_score, risk_band, alerts, alert_points,
tactics``, then ``metric.<name>``, ``score.<id>``, ``band.<id>``, ``output.<name>`` in the order
the policy declares them, then ``warnings``.

Lists become text joined with ``|`` (``segments``, alert and tactic ids, list-valued outputs);
warnings, which are sentences, are joined with `` | ``. The explanation (``fired``), the score
breakdown and the carry-over ``state`` stay in the JSON Lines output, which loses nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Final, TypeAlias

__all__ = ["HEAD_COLUMNS", "LIST_SEPARATOR", "WARNING_SEPARATOR", "Scalar", "flatten", "text"]

#: A flattened cell.
Scalar: TypeAlias = str | int | float | bool | None

#: The columns every flattened evaluation starts with, in order.
HEAD_COLUMNS: Final = (
    "account_id",
    "policy_id",
    "policy_version",
    "policy_hash",
    "as_of",
    "input_digest",
    "tier",
    "segments",
    "stage",
    "stage_previous",
    "stage_changed",
    "stage_since",
    "risk_score",
    "risk_band",
    "alerts",
    "alert_points",
    "tactics",
)
LIST_SEPARATOR: Final = "|"
WARNING_SEPARATOR: Final = " | "


def text(value: Any) -> str:
    """A value as cell text: ``""`` for missing, ``true``/``false``, floats in their shortest
    round-tripping form, dates in ISO form, lists joined with ``|``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return LIST_SEPARATOR.join(text(v) for v in items)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=text)
    return str(value)


def _scalar(value: Any) -> Scalar:
    if value is None or isinstance(value, str | int | float):  # bool is an int
        return value
    return text(value)


def _ids(items: Any) -> str:
    return LIST_SEPARATOR.join(str(item.get("id", "")) for item in items or ())


def flatten(evaluation: Mapping[str, Any]) -> dict[str, Scalar]:
    """One flat row for an evaluation (plain dict in the evaluation schema), in column order.

    Sections the policy does not have (no lifecycle: ``stage`` is null; no risk section) give
    empty cells, so every policy yields the same head columns.
    """
    policy = evaluation.get("policy") or {}
    stage = evaluation.get("stage") or {}
    risk = evaluation.get("risk") or {}
    alerts = evaluation.get("alerts") or []
    row: dict[str, Scalar] = {
        "account_id": _scalar(evaluation.get("account_id")),
        "policy_id": _scalar(policy.get("id")),
        "policy_version": _scalar(policy.get("version")),
        "policy_hash": _scalar(policy.get("hash")),
        "as_of": _scalar(evaluation.get("as_of")),
        "input_digest": _scalar(evaluation.get("input_digest")),
        "tier": _scalar(evaluation.get("tier")),
        "segments": text(evaluation.get("segments") or []),
        "stage": _scalar(stage.get("value")),
        "stage_previous": _scalar(stage.get("previous")),
        "stage_changed": _scalar(stage.get("changed")),
        "stage_since": _scalar(stage.get("since")),
        "risk_score": _scalar(risk.get("score")),
        "risk_band": _scalar(risk.get("band")),
        "alerts": _ids(alerts),
        "alert_points": sum(alert.get("points") or 0 for alert in alerts),
        "tactics": _ids(evaluation.get("tactics")),
    }
    for name, value in (evaluation.get("metrics") or {}).items():
        row[f"metric.{name}"] = _scalar(value)
    scores: Mapping[str, Any] = evaluation.get("scores") or {}
    for score_id, score in scores.items():
        row[f"score.{score_id}"] = _scalar(score.get("value"))
    for score_id, score in scores.items():
        row[f"band.{score_id}"] = _scalar(score.get("band"))
    for name, value in (evaluation.get("outputs") or {}).items():
        row[f"output.{name}"] = _scalar(value)
    row["warnings"] = WARNING_SEPARATOR.join(evaluation.get("warnings") or ())
    return row
