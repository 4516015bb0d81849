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
