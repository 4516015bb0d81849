"""Choosing the format: by suffix or by name; unknown ones are refused with the known list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kamcore import KamcoreError
from kamcore.io import open_evaluation_writer, open_rejects_writer, open_rows


def test_format_from_suffix_any_case(tmp_path: Path) -> None:
    path = tmp_path / "IN.CSV"
    path.write_text("id\nA\n", encoding="utf-8")
    assert open_rows(path).format == "csv"
    ndjson = tmp_path / "in.ndjson"
    ndjson.write_text('{"id": "A"}\n', encoding="utf-8")
    assert open_rows(ndjson).format == "jsonl"


def test_explicit_format_wins_over_the_suffix(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("id\nA\n", encoding="utf-8")
    assert list(open_rows(path, format="CSV")()) == [{"id": "A"}]


def test_unknown_suffix_names_the_file_and_the_formats(tmp_path: Path) -> None:
    path = tmp_path / "accounts.xlsx"
    path.write_bytes(b"")
    with pytest.raises(KamcoreError) as info:
        open_rows(path)
    message = str(info.value)
    assert "accounts.xlsx" in message
    for known in ("csv (.csv)", "jsonl (.jsonl/.ndjson)", "json (.json)", "parquet (.parquet)"):
        assert known in message


def test_unknown_format_name(tmp_path: Path) -> None:
    with pytest.raises(KamcoreError, match="unknown input format 'xls'"):
        open_rows(tmp_path / "a.csv", format="xls")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(KamcoreError, match="no such file"):
        open_rows(tmp_path / "missing.csv")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(KamcoreError, match="is a directory"):
        open_rows(tmp_path / "d.csv")


def test_outputs_cannot_be_plain_json(tmp_path: Path) -> None:
    with pytest.raises(KamcoreError, match=r"out\.json: cannot tell the output format"):
        open_evaluation_writer(tmp_path / "out.json")
    with pytest.raises(KamcoreError, match="rejects format"):
        open_rejects_writer(tmp_path / "rejects.parquet")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("opener", "name", "hint"),
    [
        (open_rows, "accounts.xlsx", "(--format-in)"),
        (open_evaluation_writer, "out.txt", "(--format-out)"),
        (open_rejects_writer, "r.txt", "give --rejects a file name ending in .csv or .jsonl"),
    ],
)
def test_an_unknown_suffix_says_how_to_fix_it_for_each_option(
    tmp_path: Path, opener: Callable[[Path], object], name: str, hint: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(KamcoreError) as info:
        opener(path)
    assert hint in str(info.value)
    assert "the format argument" not in str(info.value)  # no such option exists
