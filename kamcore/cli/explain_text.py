"""``kam explain`` for people: an explanation (see :mod:`kamcore.cli.explanation`) as text.

Plain text with aligned columns and no colour, so it reads the same in a terminal, a ticket
or an e-mail to the account manager who asked "why is this customer not a key account?".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import columns

__all__ = ["render", "show"]


def show(value: Any) -> str:
    """A value as a person reads it: thousands separators, a few significant digits."""
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:,.0f}"
        if abs(value) >= 1000:
            return f"{value:,.2f}"
        return f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def _inputs(inputs: Mapping[str, Any]) -> str:
    return ", ".join(f"{name} = {show(value)}" for name, value in inputs.items())


def _decision(decision: Mapping[str, Any], lines: list[str]) -> None:
    table, hit = decision["table"], decision["hit"]
    if not decision["rows"]:
        default = decision.get("default") or {}
        shown = ", ".join(f"{k} = {show(v)}" for k, v in default.items()) or "none"
        lines.append(f"  table `{table}` ({hit}): no row matched; the default applies ({shown})")
        cells = [[i["input"], show(i["value"])] for i in decision.get("inputs", [])]
        if cells:
            lines.append("  with:")
            lines.extend(columns(cells, indent="    "))
        return
    for row in decision["rows"]:
        then = ", ".join(f"{k} = {show(v)}" for k, v in row["then"].items())
        lines.append(f"  table `{table}` ({hit}): row `{row['id']}` matched -> {then}")
        cells = [[c["input"], show(c["value"]), str(c["test"])] for c in row["cells"]]
        if cells:
            lines.extend(columns([["input", "value", "test"], *cells], indent="    "))
        else:
            lines.append("    (the row tests nothing: it matches every account)")


def _scores(scores: Mapping[str, Any], lines: list[str]) -> None:
    for sc_id, score in scores.items():
        band = f"band {score['band']}, " if score.get("band") is not None else ""
        lines.append(f"  {sc_id}: {show(score.get('value'))} ({band}{score.get('direction')})")
        rows: list[list[Any]] = [["measure", "metric", "raw", "normalised", "weight", "points"]]
        for m in score.get("measures", []):
            rows.append(
                [
                    m["id"],
                    m["metric"],
                    show(m.get("raw")),
                    show(m.get("normalised")),
                    show(m.get("weight")),
                    show(m.get("points")),
                ]
                + ([f"missing: {m['missing']}"] if m.get("missing") else [])
            )
        lines.extend(columns(rows, indent="    "))


def _tactics(tactics: list[Mapping[str, Any]], lines: list[str]) -> None:
    rows: list[list[Any]] = [["tactic", "dimension", "priority", "owner", "due", "rule"]]
    for t in tactics:
        due = t.get("due_in_days")
        rows.append(
            [
                t["id"],
                t.get("dimension"),
                t.get("priority"),
                t.get("owner_role"),
                "-" if due is None else f"{due} days",
                t.get("rule"),
            ]
        )
    lines.extend(columns(rows, indent="  "))
    for t in tactics:
        why = t.get("reason") or ""
        inputs = _inputs(t.get("inputs") or {})
        lines.append(f"  {t['id']}: {why}" + (f" ({inputs})" if inputs else ""))


def render(exp: Mapping[str, Any]) -> str:
    """The explanation as text lines."""
    stamp = exp.get("policy") or {}
    lines = [
        f"Account {exp['account_id']}  -  policy {stamp.get('id')} {stamp.get('version')}"
        f"  -  as of {exp.get('as_of')}",
        "",
        f"Tier: {show(exp['tier']['value'])}",
    ]
    if exp["tier"]["decision"] is not None:
        _decision(exp["tier"]["decision"], lines)
    for note in exp["tier"]["notes"]:
        said = note.get("note") or _inputs(note.get("inputs") or {})
        lines.append(f"  {note['kind']} ({note['rule']})" + (f": {said}" if said else ""))
    if exp["scores"]:
        lines += ["", "Scores"]
        _scores(exp["scores"], lines)
    if exp["outputs"]:
        lines += ["", "Other decisions"]
        for decision in exp["outputs"]:
            values = ", ".join(f"{k} = {show(v)}" for k, v in decision["values"].items())
            lines.append(f"  {values}")
            _decision(decision, lines)
    segments = exp["segments"]
    lines += ["", "Segments: " + (", ".join(segments["values"]) or "none")]
    for rule in segments["rules"]:
        lines.append(f"  {rule['rule']}: {_inputs(rule['inputs'])}")
    stage = exp["stage"]
    if stage is not None:
        moved = f"from {stage['previous']}" if stage.get("changed") else "unchanged"
        previous = "first evaluation" if stage.get("previous") is None else moved
        lines += ["", f"Stage: {stage['value']} ({previous}; since {stage.get('since')})"]
        for t in stage["transitions"]:
            note = f": {t['note']}" if t.get("note") else ""
            lines.append(f"  {t['kind']} {t['rule']}{note}")
            if t["inputs"]:
                lines.append(f"      {_inputs(t['inputs'])}")
    lines += ["", f"Alerts: {len(exp['alerts']) or 'none'}"]
    rows = [[a["id"], a.get("severity"), a.get("points"), a.get("reason")] for a in exp["alerts"]]
    if rows:
        lines.extend(columns(rows, indent="  "))
        for a in exp["alerts"]:
            if a["inputs"]:
                lines.append(f"  {a['id']} read {_inputs(a['inputs'])}")
    risk = exp.get("risk")
    if risk is not None:
        lines += ["", f"Risk: {show(risk.get('band'))} (score {show(risk.get('score'))})"]
    lines += ["", f"Tactics: {len(exp['tactics']) or 'none'}"]
    if exp["tactics"]:
        _tactics(exp["tactics"], lines)
    if exp["warnings"]:
        lines += ["", "Warnings"]
        lines.extend(f"  - {w}" for w in exp["warnings"])
    return "\n".join(lines)
