"""JSON Lines (streamed) and JSON (loaded at once) inputs, and their errors with line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamcore import KamcoreError
from kamcore.io import open_rows

ROWS = [{"id": "A1", "revenue_12m": 1200.5, "渠道": "直销"}, {"id": "A2", "revenue_12m": None}]


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_json_lines_with_blank_lines_and_line_numbers(tmp_path: Path) -> None:
    text = '{"id":"A1","revenue_12m":1200.5,"渠道":"直销"}\n\n   \n{"id":"A2","revenue_12m":null}\n'
    source = open_rows(write(tmp_path, text, "in.jsonl"))
    assert source.format == "jsonl"
    assert list(source()) == ROWS
    assert list(source()) == ROWS  # fresh iterator each call
    assert [source.line_of(1), source.line_of(2), source.line_of(3)] == [1, 4, None]


def test_json_lines_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id":"A1"}\r\n{"id":"A2"}\r\n')
    assert list(open_rows(path)()) == [{"id": "A1"}, {"id": "A2"}]


def test_json_lines_malformed_line_reports_line_and_column(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, '{"id":"A1"}\n{"id": "A2", revenue: 1}\n', "in.jsonl"))
    rows = source()
    assert next(rows) == {"id": "A1"}  # streamed: the good line first
    with pytest.raises(KamcoreError, match=r"in\.jsonl:2:14: invalid JSON: Expecting property"):
        next(rows)


def test_json_lines_error_at_the_end_of_a_line_is_at_its_last_column(tmp_path: Path) -> None:
    # json.loads saw the newline too: the error was past it, "column 1" (bad.jsonl:21:1)
    bad = '{"id": "BAD", "revenue_12m": 1,'
    assert len(bad) == 31  # the error is just past the last character: column 32
    source = open_rows(write(tmp_path, f'{{"id":"A1"}}\n{bad}\n{{"id":"A3"}}\n', "in.jsonl"))
    with pytest.raises(KamcoreError, match=r"in\.jsonl:2:32: invalid JSON: Expecting property"):
        list(source())
    crlf = tmp_path / "crlf.jsonl"
    crlf.write_bytes(b'{"id": "A1"\r\n')
    with pytest.raises(KamcoreError, match=r"crlf\.jsonl:1:12: invalid JSON: Expecting ','"):
        list(open_rows(crlf)())


def test_json_lines_have_no_columns_or_delimiter(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, '{"id":"A1"}\n', "in.jsonl"))
    assert (source.columns, source.delimiter, source.encoding_detected) == (None, None, False)


def test_json_lines_line_that_is_not_an_object(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, '{"id":"A1"}\n["A2"]\n', "in.jsonl"))
    with pytest.raises(KamcoreError, match=r"in\.jsonl:2: expected a JSON object .* an array"):
        list(source())


def test_json_lines_invalid_utf8_names_the_offset(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id":"A1"}\n{"id":"\xff"}\n')
    with pytest.raises(KamcoreError, match=r"in\.jsonl:2: cannot decode .*byte offset 19"):
        list(open_rows(path)())


@pytest.mark.parametrize(
    "text",
    [
        '[{"id":"A1","revenue_12m":1200.5,"渠道":"直销"},{"id":"A2","revenue_12m":null}]',
        '{"accounts":[{"id":"A1","revenue_12m":1200.5,"渠道":"直销"},{"id":"A2",'
        '"revenue_12m":null}], "exported": "2026-06-30"}',
    ],
)
def test_json_array_or_accounts_object(tmp_path: Path, text: str) -> None:
    source = open_rows(write(tmp_path, text, "in.json"))
    assert (source.format, source.total_rows) == ("json", 2)
    first = list(source())
    assert first == ROWS
    first[0]["id"] = "changed"  # callers get copies: the next read is unaffected
    assert list(source()) == ROWS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[\n  {"id": "A1"},\n  {"id": "A2",}\n]', r"in\.json:3:15: invalid JSON"),
        ('{"id": "A1"}', r'in\.json: expected an array .* "accounts" array, got an object'),
        ('{"accounts": {"id": "A1"}}', r'in\.json: "accounts" must be an array'),
        ('[{"id": "A1"}, 3]', r"in\.json: item 1 of the top-level array \(row 2\) is a number"),
    ],
)
def test_json_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(KamcoreError, match=message):
        open_rows(write(tmp_path, text, "in.json"))
