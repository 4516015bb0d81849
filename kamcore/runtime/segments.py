"""Segments: several labels per account at once, from rules and from decision tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..types import BOOLEAN, STRING, Type
from . import trace
from .context import AccountRun, CompileContext
from .rules import evaluate

if TYPE_CHECKING:
    from ..expr import CompiledExpr

__all__ = ["SegmentSection", "compile_segments"]


@dataclass(frozen=True)
class SegmentSection:
    """The compiled ``[segments]`` section: table outputs first, then rules in order."""

    rules: tuple[tuple[str, CompiledExpr], ...]
    tables: tuple[str, ...]
    #: ``(label, condition, rule key path, condition key path)`` per rule: the key paths are
    #: built once here rather than for every account
    _plan: tuple[tuple[str, CompiledExpr, str, str], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        plan = tuple(
            (rule_id, expr, f"segments.rules[{rule_id}]", f"segments.rules[{rule_id}].when")
            for rule_id, expr in self.rules
        )
        object.__setattr__(self, "_plan", plan)

    def run(self, acc: AccountRun) -> None:
        """Collect the account's segment labels (no duplicates, first occurrence kept)."""
        labels: list[str] = []
        for table_id in self.tables:
            for value in acc.table_outputs.get(table_id, {}).values():
                if isinstance(value, list):
                    labels.extend(str(v) for v in value if v is not None)
                elif value is not None:
                    labels.append(str(value))
        for rule_id, expr, key, when_key in self._plan:
            if evaluate(expr, acc, when_key):
                labels.append(rule_id)
                trace.record(acc, key, "segment", expr.names)
        segments = list(dict.fromkeys(labels))
        acc.values["segments"] = segments
        acc.out["segments"] = segments


def compile_segments(
    ctx: CompileContext, spec: Mapping[str, Any], table_ids: set[str]
) -> SegmentSection:
    """Compile ``[segments]``; declares ``segments`` (a list of strings)."""
    rules: list[tuple[str, CompiledExpr]] = []
    for rule_id, rule, key in ctx.identified(
        spec.get("rules", ()), "segments.rules", "segment rule"
    ):
        compiled = ctx.expr(rule.get("when"), f"{key}.when", BOOLEAN)
        if compiled is not None:
            rules.append((rule_id, compiled))
    tables = tuple(spec.get("tables", ()))
    for i, table_id in enumerate(tables):
        if table_id not in table_ids:
            ctx.problem(
                f"no decision table `{table_id}`; tables: {sorted(table_ids)}",
                f"segments.tables[{i}]",
            )
    ctx.declare("segments", Type("list", item=STRING))
    return SegmentSection(tuple(rules), tables)
