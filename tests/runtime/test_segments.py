"""Segments: labels from decision tables and rules, each once, in order."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kamcore.errors import AccountError, Location
from kamcore.registry import Registry
from kamcore.runtime.context import AccountRun, CompileContext
from kamcore.runtime.segments import SegmentSection, compile_segments
from kamcore.types import NUMBER, STRING, Type


class StandInDoc:
    """Locates every key path at line 1 of ``t.toml`` (the policy loader is not needed here)."""

    def locate(self, key_path: str) -> Location:
        return Location(file="t.toml", line=1, key_path=key_path)


def build(spec: dict[str, Any], tables: set[str] | None = None) -> SegmentSection:
    names = {"revenue_12m": NUMBER.as_optional(), "industry": STRING}
    ctx = CompileContext(doc=StandInDoc(), registry=Registry(), names=names)  # type: ignore[arg-type]
    section = compile_segments(ctx, spec, tables or set())
    assert ctx.problems == []
    assert ctx.names["segments"] == Type("list", item=STRING)
    return section


def run(section: SegmentSection, **values: Any) -> AccountRun:
    out: dict[str, Any] = {"fired": []}
    acc = AccountRun("a1", values, out, out["fired"], None, date(2024, 6, 30))
    acc.table_outputs["industries"] = {"segment": ["consumer", "large", None]}
    section.run(acc)
    return acc


SPEC = {
    "tables": ["industries"],
    "rules": [
        {"id": "large", "when": "revenue_12m >= 1_000_000"},
        {"id": "retail", "when": 'industry == "retail"'},
    ],
}


def test_table_labels_then_rule_labels_each_once() -> None:
    acc = run(build(SPEC, {"industries"}), revenue_12m=2e6, industry="retail")
    assert acc.out["segments"] == ["consumer", "large", "retail"]
    assert acc.values["segments"] == acc.out["segments"]
    assert [(f["rule"], f["kind"]) for f in acc.out["fired"]] == [
        ("segments.rules[large]", "segment"),
        ("segments.rules[retail]", "segment"),
    ]


def test_key_paths_are_built_once_when_compiling() -> None:
    section = build(SPEC, {"industries"})
    assert [(label, key, when) for label, _, key, when in section._plan] == [
        ("large", "segments.rules[large]", "segments.rules[large].when"),
        ("retail", "segments.rules[retail]", "segments.rules[retail].when"),
    ]


def test_a_failing_rule_is_an_account_error_at_its_condition() -> None:
    with pytest.raises(AccountError) as info:
        run(build(SPEC, {"industries"}), revenue_12m=None, industry="retail")
    assert info.value.where == "segments.rules[large].when"
