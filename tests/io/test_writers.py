"""Evaluation and rejects writers: formats, fixed columns, and all-or-nothing files."""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from kamcore import Engine, KamcoreError, evaluation_json
from kamcore.io import (
    REJECT_COLUMNS,
    atomic_path,
    flatten,
    open_evaluation_writer,
    open_rejects_writer,
    open_rows,
)

from ..conftest import POLICIES, make_accounts


@pytest.fixture(scope="module")
def evaluations() -> list[dict[str, Any]]:
    engine = Engine.from_policy(POLICIES / "examples" / "acme-industrial.toml")
    return engine.evaluate_portfolio(make_accounts(120), as_of="2026-06-30").evaluations


class Boom(Exception):
    pass


def write_all(
    path: Path, evaluations: list[dict[str, Any]], error: type[BaseException] | None = None
) -> None:
    """Write the evaluations, then raise ``error`` inside the block (if given)."""
    with open_evaluation_writer(path) as out:
        for e in evaluations:
            out.write(e)
        if error is not None:
            assert len(list(path.parent.iterdir())) >= 1  # the temporary file, hidden
            raise error


def test_json_lines_output_is_the_canonical_text(
    tmp_path: Path, evaluations: list[dict[str, Any]]
) -> None:
    path = tmp_path / "out.jsonl"
    with open_evaluation_writer(path) as out:
        for e in evaluations:
            out.write(e)
    assert out.count == len(evaluations)
    assert path.read_bytes() == "".join(evaluation_json(e) + "\n" for e in evaluations).encode()


def test_csv_output_reads_back_as_the_flat_rows(
    tmp_path: Path, evaluations: list[dict[str, Any]]
) -> None:
    path = tmp_path / "out.csv"
    with open_evaluation_writer(path) as out:
        for e in evaluations:
            out.write(e)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # plain UTF-8
    rows = list(open_rows(path)())
    flat = [flatten(e) for e in evaluations]
    assert list(rows[0]) == list(flat[0])
    assert rows[0]["account_id"] == flat[0]["account_id"]
    for got, want in zip(rows, flat, strict=True):
        for name, value in want.items():
            if value is None:
                assert got[name] == ""
            elif isinstance(value, bool):
                assert got[name] == ("true" if value else "false")
            elif isinstance(value, float):
                assert float(got[name]) == value
            else:
                assert got[name] == str(value)


def test_csv_output_without_evaluations_is_empty(tmp_path: Path) -> None:
    with open_evaluation_writer(tmp_path / "out.csv") as out:
        pass
    assert out.count == 0
    assert (tmp_path / "out.csv").read_bytes() == b""


def test_an_evaluation_with_an_unknown_column_is_refused(
    tmp_path: Path, evaluations: list[dict[str, Any]]
) -> None:
    odd = {**evaluations[1], "metrics": {**evaluations[1]["metrics"], "surprise": 1}}
    with pytest.raises(KamcoreError, match=r"metric\.surprise"):
        write_all(tmp_path / "out.csv", [evaluations[0], odd])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
@pytest.mark.parametrize("error", [Boom, KeyboardInterrupt])
def test_an_exception_inside_the_block_leaves_no_file(
    tmp_path: Path, evaluations: list[dict[str, Any]], suffix: str, error: type[BaseException]
) -> None:
    path = tmp_path / f"out{suffix}"
    with pytest.raises(error):
        write_all(path, evaluations, error)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_an_existing_destination_is_untouched_on_failure(
    tmp_path: Path, evaluations: list[dict[str, Any]], suffix: str
) -> None:
    path = tmp_path / f"out{suffix}"
    path.write_bytes(b"last month's results")
    with pytest.raises(Boom):
        write_all(path, evaluations[:1], Boom)
    assert path.read_bytes() == b"last month's results"
    assert list(tmp_path.iterdir()) == [path]


def test_an_existing_destination_is_replaced_keeping_its_permissions(
    tmp_path: Path, evaluations: list[dict[str, Any]]
) -> None:
    path = tmp_path / "out.jsonl"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    with open_evaluation_writer(path) as out:
        out.write(evaluations[0])
    assert path.read_text(encoding="utf-8") == evaluation_json(evaluations[0]) + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert list(tmp_path.iterdir()) == [path]


def test_an_unwritable_destination_fails_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(KamcoreError, match="cannot write here"):
        open_evaluation_writer(tmp_path / "no" / "such" / "dir" / "out.jsonl")
    with pytest.raises(KamcoreError, match="is a directory"):
        open_evaluation_writer(tmp_path, format="jsonl")


def test_writing_after_close_is_an_error(tmp_path: Path) -> None:
    out = open_evaluation_writer(tmp_path / "out.jsonl")
    out.close()
    out.close()  # idempotent
    with pytest.raises(KamcoreError, match="closed"):
        out.write({})


def test_atomic_path(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    with atomic_path(path) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.exists()
        assert not path.exists()
        tmp.write_text("[policy]\n", encoding="utf-8")
    assert path.read_text(encoding="utf-8") == "[policy]\n"

    def fail_half_way() -> None:
        with atomic_path(path) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise Boom

    with pytest.raises(Boom):
        fail_half_way()
    assert path.read_text(encoding="utf-8") == "[policy]\n"
    assert list(tmp_path.iterdir()) == [path]


RECORDS: list[dict[str, Any]] = [
    {"account_id": "A7", "where": "inputs.revenue_12m", "reason": "not a number: 'n/a'", "row": 7},
    {"account_id": None, "where": "inputs.id", "reason": '无账户编号, "quoted"', "row": 9},
]


def test_rejects_csv(tmp_path: Path) -> None:
    path = tmp_path / "rejects.csv"
    with open_rejects_writer(path) as bad:
        bad.write(RECORDS[0], line=8)
        bad.write(RECORDS[1])
    assert bad.count == 2
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [
        list(REJECT_COLUMNS),
        ["7", "8", "A7", "inputs.revenue_12m", "not a number: 'n/a'"],
        ["9", "", "", "inputs.id", '无账户编号, "quoted"'],
    ]


def test_rejects_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "rejects.jsonl"
    with open_rejects_writer(path) as bad:
        for record in RECORDS:
            bad.write(record, line=record["row"] + 1)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines[1] == {
        "row": 9,
        "line": 10,
        "account_id": None,
        "where": "inputs.id",
        "reason": '无账户编号, "quoted"',
    }
    assert list(lines[0]) == list(REJECT_COLUMNS)


@pytest.mark.parametrize(
    ("name", "content"), [("r.csv", b"row,line,account_id,where,reason\r\n"), ("r.jsonl", b"")]
)
def test_an_empty_rejects_file_is_still_written(tmp_path: Path, name: str, content: bytes) -> None:
    with open_rejects_writer(tmp_path / name) as bad:
        pass
    assert bad.count == 0
    assert (tmp_path / name).read_bytes() == content


def test_rejects_file_is_atomic_too(tmp_path: Path) -> None:

    def interrupted() -> None:
        with open_rejects_writer(tmp_path / "r.csv") as bad:
            bad.write(RECORDS[0])
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert list(tmp_path.iterdir()) == []


# -- output encodings ---------------------------------------------------------------------------


def test_csv_output_with_a_bom_for_excel(tmp_path: Path, evaluations: list[dict[str, Any]]) -> None:
    path = tmp_path / "out.csv"
    with open_evaluation_writer(path, encoding="UTF-8-SIG") as out:
        for e in evaluations[:3]:
            out.write(e)
    assert out.encoding == "utf-8-sig"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\xef\xbb\xbf") == 1
    source = open_rows(path)
    assert source.encoding == "utf-8-sig"
    assert [r["account_id"] for r in source()] == [e["account_id"] for e in evaluations[:3]]


def test_csv_output_and_rejects_in_gb18030(
    tmp_path: Path, evaluations: list[dict[str, Any]]
) -> None:
    path, rejects = tmp_path / "out.csv", tmp_path / "rejects.csv"
    with (
        open_evaluation_writer(path, encoding="gb18030") as out,
        open_rejects_writer(rejects, encoding="gb18030") as bad,
    ):
        out.write(evaluations[0])
        bad.write(RECORDS[1])
    assert (out.encoding, bad.encoding) == ("gb18030", "gb18030")
    assert (
        next(open_rows(path, encoding="gb18030")())["account_id"] == (evaluations[0]["account_id"])
    )
    text = rejects.read_bytes().decode("gb18030")
    assert '无账户编号, ""quoted""' in text


def test_default_output_encoding_is_utf8(tmp_path: Path) -> None:
    with open_rejects_writer(tmp_path / "r.csv") as bad:
        bad.write(RECORDS[1])
    assert bad.encoding == "utf-8"
    assert "无账户编号".encode() in (tmp_path / "r.csv").read_bytes()


@pytest.mark.parametrize(
    ("opener", "name", "what"),
    [
        (open_evaluation_writer, "out.jsonl", "JSON Lines"),
        (open_evaluation_writer, "out.parquet", "Parquet"),
        (open_rejects_writer, "r.jsonl", "JSON Lines"),
    ],
)
def test_an_encoding_is_refused_for_formats_that_are_always_utf8(
    tmp_path: Path, opener: Any, name: str, what: str
) -> None:
    with pytest.raises(KamcoreError) as info:
        opener(tmp_path / name, encoding="utf-8-sig")
    message = str(info.value)
    assert name in message
    assert "applies to CSV output only" in message
    assert f"{what} is always written as UTF-8" in message
    assert list(tmp_path.iterdir()) == []  # refused before any temporary file
    opener(tmp_path / name, encoding="utf8").close()  # asking for what it is anyway is fine


def test_an_unknown_output_encoding(tmp_path: Path) -> None:
    with pytest.raises(KamcoreError, match=r"out\.csv: unknown encoding 'klingon'"):
        open_evaluation_writer(tmp_path / "out.csv", encoding="klingon")
    with pytest.raises(KamcoreError, match=r"r\.csv: unknown encoding 'base64'"):
        open_rejects_writer(tmp_path / "r.csv", encoding="base64")
    assert list(tmp_path.iterdir()) == []


def test_a_character_the_encoding_cannot_hold_is_an_error_not_a_question_mark(
    tmp_path: Path, evaluations: list[dict[str, Any]]
) -> None:
    with pytest.raises(
        KamcoreError, match=r"r\.csv: cannot write '无账户编号' \(the reject of row 9"
    ):
        write_rejects_encoded(tmp_path / "r.csv", RECORDS, "latin-1")
    odd = {**evaluations[0], "account_id": "客户-1"}
    with pytest.raises(KamcoreError, match=r"cannot write '客户' \(the evaluation of account"):
        write_all_encoded(tmp_path / "out.csv", [odd], "cp1252")
    assert list(tmp_path.iterdir()) == []  # both runs left nothing behind


def write_rejects_encoded(path: Path, records: list[dict[str, Any]], encoding: str) -> None:
    with open_rejects_writer(path, encoding=encoding) as bad:
        for record in records:
            bad.write(record)


def write_all_encoded(path: Path, evaluations: list[dict[str, Any]], encoding: str) -> None:
    with open_evaluation_writer(path, encoding=encoding) as out:
        for e in evaluations:
            out.write(e)
