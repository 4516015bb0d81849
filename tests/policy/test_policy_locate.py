"""The TOML position scanner: every key, header and item found on its line and column."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamcore.policy._toml import tomllib
from kamcore.policy.locate import RawPath, scan_positions

DATA = Path(__file__).parent / "data"


def leaf_paths(value: Any, path: RawPath = ()) -> list[RawPath]:
    """Every raw path tomllib's result has: tables, arrays, items and values."""
    found: list[RawPath] = [path] if path else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += leaf_paths(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += leaf_paths(child, (*path, i))
    return found


def test_every_path_of_the_tricky_fixture_is_located() -> None:
    text = (DATA / "tricky.toml").read_text(encoding="utf-8")
    positions = scan_positions(text)
    missing = [p for p in leaf_paths(tomllib.loads(text)) if p not in positions]
    assert missing == []


@pytest.mark.parametrize(
    ("path", "position"),
    [
        (("policy",), (4, 1)),
        (("policy", "id"), (5, 1)),
        (("policy", "description"), (7, 1)),
        (("policy", "labels"), (12, 1)),
        (("policy", "labels", "en"), (12, 12)),
        (("policy", "labels", "zh"), (12, 43)),
        (("policy", "extends"), (13, 1)),
        (("policy", "extends", 0), (14, 3)),
        (("policy", "extends", 1), (15, 3)),
        (("metrics", "growth"), (19, 1)),
        (("metrics", "quoted.name"), (20, 1)),
        (("metrics", "literal_ml"), (21, 1)),
        (("metrics", "weighted"), (25, 1)),
        (("metrics", "weighted", "expr"), (25, 10)),
        (("metrics", "margin_rate"), (27, 1)),
        (("metrics", "margin_rate", "type"), (29, 1)),
        (("tables", "tier", "output_values", "tier", 2), (35, 39)),
        (("tables", "tier", "rules"), (37, 1)),
        (("tables", "tier", "rules", 0), (37, 1)),
        (("tables", "tier", "rules", 0, "when", 1), (39, 25)),
        (("tables", "tier", "rules", 1), (42, 1)),
        (("tables", "tier", "rules", 1, "when", 1), (45, 9)),
        (("scorecards", "value", "measures", 0, "normalise", "bands", 1, "value"), (55, 102)),
        (("alerts", 0, "reason"), (65, 1)),
        (("alerts", 1), (67, 1)),
        (("tests", 0, "as_of"), (73, 1)),
        (("tests", 0, "account", "industry"), (74, 51)),
        (("tests", 0, "expect", "alerts"), (75, 25)),
    ],
)
def test_tricky_positions(path: RawPath, position: tuple[int, int]) -> None:
    text = (DATA / "tricky.toml").read_text(encoding="utf-8")
    assert scan_positions(text)[path] == position


def test_strings_and_comments_do_not_create_keys() -> None:
    text = (DATA / "tricky.toml").read_text(encoding="utf-8")
    positions = scan_positions(text)
    assert set(positions) == set(leaf_paths(tomllib.loads(text)))


def test_nested_arrays_of_tables_follow_their_latest_parent() -> None:
    text = "\n".join(
        [
            "[[a]]",  # 1
            "x = 1",
            "[[a.b]]",  # 3
            "y = 1",
            "[a.c]",  # 5
            "z = 1",
            "[[a]]",  # 7
            "[[a.b]]",  # 8
            "y = 2",  # 9
        ]
    )
    positions = scan_positions(text)
    assert positions[("a", 0, "b", 0, "y")] == (4, 1)
    assert positions[("a", 0, "c", "z")] == (6, 1)
    assert positions[("a", 1)] == (7, 1)
    assert positions[("a", 1, "b", 0, "y")] == (9, 1)


def test_a_table_declared_after_its_child_takes_the_explicit_header() -> None:
    positions = scan_positions("[a.b]\nx = 1\n\n[a]\ny = 2\n")
    assert positions[("a",)] == (4, 1)
    assert positions[("a", "b")] == (1, 1)


def test_crlf_and_whitespace_in_headers() -> None:
    text = '[ tables . "tier" ]\r\nhit = "FIRST"\r\n[[ tables.tier.rules ]]\r\nid = "r"\r\n'
    positions = scan_positions(text)
    assert positions[("tables", "tier", "hit")] == (2, 1)
    assert positions[("tables", "tier", "rules", 0, "id")] == (4, 1)


# --- property test: generated documents in every TOML style ----------------------------------

KEYS = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True),
    st.sampled_from(["with space", "dot.ted", "hash#", "eq=", "br[ack]et", "引号", "q'uote", "1"]),
)
TEXT = st.text(alphabet=st.sampled_from([*"ab =#[]{},.'\"\\\n\t", "中"]), max_size=12)
SCALARS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.booleans(),
    TEXT,
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)


def tables(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(KEYS, children, max_size=4)


VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        tables(inner),
        st.lists(tables(inner), min_size=1, max_size=3),
    ),
    max_leaves=20,
)


def key_text(key: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_-]+", key):
        return key
    if "'" not in key:
        return f"'{key}'"
    return json.dumps(key)


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


class Writer:
    """Renders a document in a style drawn per value, recording each path's expected line."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.lines: list[str] = []
        self.expected: dict[RawPath, int] = {}

    def emit(self, text: str) -> int:
        self.lines.append(text)
        return len(self.lines)

    def inline(self, value: Any, path: RawPath, line: int) -> str:
        """A value on one line; nested paths are expected on that line."""
        if isinstance(value, dict):
            parts = []
            for key, child in value.items():
                key_path = (*path, key)
                self.expected[key_path] = line
                parts.append(f"{key_text(key)} = {self.inline(child, key_path, line)}")
            return "{ " + ", ".join(parts) + " }" if parts else "{}"
        if isinstance(value, list):
            items = []
            for i, child in enumerate(value):
                item_path = (*path, i)
                self.expected[item_path] = line
                items.append(self.inline(child, item_path, line))
            return "[" + ", ".join(items) + "]"
        return scalar_text(value)

    def key_value(self, key: str, value: Any, path: RawPath) -> None:
        full = (*path, key)
        style = self.draw(st.sampled_from(["inline", "multiline", "dotted"]))
        if (
            style == "dotted"
            and isinstance(value, dict)
            and value
            and not any(isinstance(c, dict | list) for c in value.values())
        ):
            for sub, child in value.items():
                line = self.emit(f"{key_text(key)}.{key_text(sub)} = {scalar_text(child)}")
                self.expected.setdefault(full, line)
                sub_path = (*full, sub)
                self.expected[sub_path] = line
            return
        if style == "multiline" and isinstance(value, list):
            self.expected[full] = self.emit(f"{key_text(key)} = [  # a [comment], = #")
            for i, child in enumerate(value):
                line = len(self.lines) + 1
                item_path = (*full, i)
                self.expected[item_path] = line
                self.emit(f"  {self.inline(child, item_path, line)},  # item ] {{")
            self.emit("]")
            return
        if style == "multiline" and isinstance(value, str) and "'''" not in value:
            self.expected[full] = len(self.lines) + 1
            self.lines.extend(f"{key_text(key)} = '''\n{value}'''  # [x] = 1".split("\n"))
            return
        line = len(self.lines) + 1
        self.expected[full] = line
        self.emit(f"{key_text(key)} = {self.inline(value, full, line)}  # c = [x]")

    def table(self, value: dict[str, Any], path: RawPath, header: list[str]) -> None:
        sections = []
        for key, child in value.items():
            is_aot = isinstance(child, list) and child and all(isinstance(c, dict) for c in child)
            if isinstance(child, dict) and self.draw(st.booleans()):
                sections.append(("table", key, child))
            elif is_aot and self.draw(st.booleans()):
                sections.append(("aot", key, child))
            else:
                self.key_value(key, child, path)
        for kind, key, child in sections:
            names = [*header, key_text(key)]
            table_path = (*path, key)
            if kind == "table":
                self.expected[table_path] = self.emit("[" + ".".join(names) + "]")
                self.table(child, table_path, names)
            else:
                for i, item in enumerate(child):
                    line = self.emit("[[" + " . ".join(names) + "]]  # [[x]]")
                    self.expected.setdefault(table_path, line)
                    item_path = (*table_path, i)
                    self.expected[item_path] = line
                    self.table(item, item_path, names)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), tables(VALUES))
def test_generated_documents_locate_every_path_on_its_line(data: Any, doc: dict[str, Any]) -> None:
    writer = Writer(data.draw)
    writer.table(doc, (), [])
    text = "\n".join(writer.lines) + "\n"
    parsed = tomllib.loads(text)
    assert parsed == doc
    positions = scan_positions(text)
    for path in leaf_paths(parsed):
        assert path in positions, (path, text)
        assert positions[path][0] == writer.expected[path], (path, text)
