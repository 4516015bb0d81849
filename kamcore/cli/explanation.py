"""One account's verdict as a structured explanation, built from its evaluation and the policy.

An evaluation already records which rules fired and the values they read (``fired``); this
module puts each record next to the verdict it produced and, for decision tables, next to the
cells of the row that matched, so "why KA?" is answered with the rule and the numbers. It is
the JSON of ``kam explain --format json``; :mod:`kamcore.cli.explain_text` renders it for a
terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..engine import Engine
    from ..runtime.tables import CompiledTable

__all__ = ["build_explanation", "namespace"]

_TIER_KINDS = ("cap", "hysteresis", "tier")
_STAGE_KINDS = ("transition", "dwell", "pending")


def namespace(facts: Mapping[str, Any], evaluation: Mapping[str, Any]) -> dict[str, Any]:
    """The names expressions read, rebuilt from the account's facts and its evaluation.

    Good enough to show the value of a table's input column (``coalesce(strategic, False)``);
    portfolio values are not in an evaluation, so expressions reading them may come out missing.
    """
    values = dict(facts)
    values.update(evaluation.get("metrics") or {})
    for sc_id, score in (evaluation.get("scores") or {}).items():
        values[f"score.{sc_id}"] = score.get("value")
        values[f"band.{sc_id}"] = score.get("band")
    values.update(evaluation.get("outputs") or {})
    values["tier"] = evaluation.get("tier")
    return values


def _value_of(table: CompiledTable, column: int, values: Mapping[str, Any]) -> Any:
    try:
        return table.inputs[column].fn(values)
    except Exception:  # a portfolio value or a name of a later stage: not shown, not fatal
        return None


def _table_rows(
    engine: Engine, table: CompiledTable, fired: list[dict[str, Any]], values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The rows of ``table`` that fired, each with its tested cells and the input values."""
    spec = engine.document.data.get("tables", {}).get(table.id, {})
    written = spec.get("rules", []) if isinstance(spec, Mapping) else []
    by_path = {row.key_path: row for row in table.rows}
    rows = []
    for record in fired:
        row = by_path.get(record["rule"])
        if row is None:
            continue
        when = written[row.position].get("when", []) if row.position < len(written) else []
        cells = []
        for column, expr in enumerate(table.inputs):
            cell = when[column] if column < len(when) else "-"
            if str(cell).strip() == "-":
                continue
            cells.append(
                {"input": expr.source, "test": cell, "value": _value_of(table, column, values)}
            )
        then = dict(zip(table.outputs, row.then, strict=False))
        rows.append({"rule": row.key_path, "id": row.id, "cells": cells, "then": then})
    return rows


def _table_decision(
    engine: Engine, table: CompiledTable, fired: list[dict[str, Any]], values: Mapping[str, Any]
) -> dict[str, Any]:
    prefix = table.key_path + ".rules["
    mine = [f for f in fired if f["rule"].startswith(prefix)]
    rows = _table_rows(engine, table, mine, values)
    decision: dict[str, Any] = {"table": table.id, "hit": table.hit, "rows": rows}
    if not rows:
        decision["default"] = dict(table.default)
        decision["inputs"] = [
            {"input": expr.source, "value": _value_of(table, i, values)}
            for i, expr in enumerate(table.inputs)
        ]
    return decision


def build_explanation(
    engine: Engine, evaluation: Mapping[str, Any], facts: Mapping[str, Any]
) -> dict[str, Any]:
    """The explanation of one evaluation (made with ``explain="full"``).

    :param facts: the account's typed input values (the policy's reader applied to its row).
    """
    policy = engine.policy
    fired: list[dict[str, Any]] = list(evaluation.get("fired") or [])
    values = namespace(facts, evaluation)
    tables = {t.id: t for t in policy.tables}

    tier: dict[str, Any] = {"value": evaluation.get("tier"), "decision": None, "notes": []}
    if policy.tier is not None and policy.tier.table in tables:
        tier["decision"] = _table_decision(engine, tables[policy.tier.table], fired, values)
    tier["notes"] = [f for f in fired if f["kind"] in _TIER_KINDS or f["rule"].startswith("tier.")]

    outputs = []
    for table in policy.tables:
        if table.id == (policy.tier.table if policy.tier else None):
            continue
        decision = _table_decision(engine, table, fired, values)
        decision["values"] = {
            name: (evaluation.get("outputs") or {}).get(name) for name in table.outputs
        }
        outputs.append(decision)

    def fired_for(path: str) -> dict[str, Any]:
        return next((f for f in fired if f["rule"] == path), {})

    alerts = [
        {**alert, "inputs": fired_for(f"alerts[{alert['id']}]").get("inputs", {})}
        for alert in evaluation.get("alerts") or []
    ]
    tactics = [
        {**tactic, "inputs": fired_for(str(tactic.get("rule"))).get("inputs", {})}
        for tactic in evaluation.get("tactics") or []
    ]
    stage = evaluation.get("stage")
    return {
        "account_id": evaluation.get("account_id"),
        "policy": evaluation.get("policy"),
        "as_of": evaluation.get("as_of"),
        "tier": tier,
        "scores": evaluation.get("scores") or {},
        "outputs": outputs,
        "segments": {
            "values": evaluation.get("segments") or [],
            "rules": [f for f in fired if f["kind"] == "segment"],
        },
        "stage": None
        if stage is None
        else {**stage, "transitions": [f for f in fired if f["kind"] in _STAGE_KINDS]},
        "alerts": alerts,
        "risk": evaluation.get("risk"),
        "tactics": tactics,
        "metrics": evaluation.get("metrics") or {},
        "warnings": evaluation.get("warnings") or [],
    }
