"""``kam validate``: every problem in compiler style, JSON for tools, exit status 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import ACME, SAMPLES, expect, kam

BROKEN = """\
[policy]
id = "broken"
version = "1"
extends = ["kamcore:base/generic.toml"]

[[alerts]]
id = "big"
when = "revenue_12 > 10"
points = 5

[tables.tier]
hit = "UNIQUE"
inputs = ["revenue_12m"]
outputs = ["tier"]

[[tables.tier.rules]]
id = "a"
when = [">= 10"]
then = ["KA"]

[[tables.tier.rules]]
id = "b"
when = [">= 5"]
then = ["NA"]

[[tactics.rules]]
id = "nudge"
when = "tier == 'KA'"
tactic = "no_such_tactic"
"""


def test_valid_policies_pass(tmp_path: Path) -> None:
    result = expect(kam("validate", ACME, SAMPLES / "crm-export-cn.toml"))
    assert result.lines[0].startswith(f"{ACME}: ok (acme-industrial 2026.11.0")
    assert "ok (acme-industrial-cn-export" in result.lines[1]


def test_every_problem_is_reported_compiler_style(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(BROKEN, encoding="utf-8")
    result = expect(kam("validate", "broken.toml", cwd=tmp_path), 1)
    located = [line for line in result.lines if line.startswith("broken.toml:")]
    prefixes = [line.split("] ")[0] + "]" for line in located]
    assert prefixes == [
        "broken.toml:8:1: [alerts[big].when]",
        "broken.toml:21:1: [tables.tier.rules[b]]",
        "broken.toml:29:1: [tactics.rules[nudge].tactic]",
    ]
    assert "unknown fact `revenue_12`; did you mean `revenue_12m`?" in located[0]
    assert "overlap" in located[1]
    assert "no_such_tactic" in located[2]
    # the expression is shown with a caret under the mistake
    assert "    revenue_12 > 10" in result.lines
    assert "    ^" in result.lines
    assert "3 problems found" in result.err


def test_json_format_for_tools(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(BROKEN, encoding="utf-8")
    problems = json.loads(
        expect(kam("validate", "--format", "json", "broken.toml", ACME, cwd=tmp_path), 1).out
    )
    assert [(p["file"], p["line"], p["column"]) for p in problems] == [
        ("broken.toml", 8, 1),
        ("broken.toml", 21, 1),
        ("broken.toml", 29, 1),
    ]
    assert set(problems[0]) == {"file", "line", "column", "key_path", "message", "detail"}
    # the valid policy given with it adds nothing


def test_a_missing_plugin_is_located_on_its_entry(tmp_path: Path) -> None:
    policy = tmp_path / "needs-plugin.toml"
    policy.write_text(
        '[policy]\nid = "p"\nversion = "1"\nplugins = ["kamcore_nope"]\n', encoding="utf-8"
    )
    result = expect(kam("validate", policy.name, cwd=tmp_path), 1)
    assert result.lines[0].startswith("needs-plugin.toml:4:12: [policy.plugins[0]]")
    assert 'plugin "kamcore_nope"' in result.lines[0]
    assert "not installed" in result.lines[0]


def test_syntax_errors_are_located(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('[policy]\nid = "x\n', encoding="utf-8")
    result = expect(kam("validate", "bad.toml", cwd=tmp_path), 1)
    assert result.lines[0].startswith("bad.toml:2:")
    assert "TOML syntax error" in result.lines[0]


def test_a_missing_file_is_a_usage_error_and_the_others_are_validated(tmp_path: Path) -> None:
    result = expect(kam("validate", "nowhere.toml", ACME, cwd=tmp_path), 2)
    assert "kam: error: policy not found: nowhere.toml" in result.err
    assert result.lines == [f"{ACME}: ok (acme-industrial 2026.11.0, 2 layers, 4 test cases)"]


def test_a_missing_plugin_does_not_hide_the_other_problems(tmp_path: Path) -> None:
    policy = tmp_path / "broken.toml"
    policy.write_text(
        BROKEN.replace('version = "1"\n', 'version = "1"\nplugins = ["kamcore_nope"]\n'),
        encoding="utf-8",
    )
    result = expect(kam("validate", policy.name, cwd=tmp_path), 1)
    lines = result.lines
    assert lines[0].startswith('broken.toml:4:12: [policy.plugins[0]] plugin "kamcore_nope"')
    assert any("[alerts[big].when] unknown fact `revenue_12`" in line for line in lines[1:])
    assert any("rows `a` and `b` overlap" in line for line in lines[1:])
    as_json = json.loads(
        expect(kam("validate", "--format", "json", policy.name, cwd=tmp_path), 1).out
    )
    assert as_json[0]["key_path"] == "policy.plugins[0]"
    assert len(as_json) >= 3
