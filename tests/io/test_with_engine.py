"""The readers and writers with the real engine: a GB18030 CRM export in, every format out, and
rejects that point at the input file's lines."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from kamcore import Engine, evaluation_json
from kamcore.io import flatten, open_evaluation_writer, open_rejects_writer, open_rows

from ..conftest import POLICIES, make_accounts


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def engine() -> Engine:
    # portfolio rules and tier caps: the engine reads the input three times
    return Engine.from_policy(POLICIES / "examples" / "acme-industrial.toml")


def test_gb18030_export_streamed_through_the_engine(tmp_path: Path, engine: Engine) -> None:
    rows = make_accounts(400, seed=5)
    rows[6] = {**rows[6], "revenue_12m": "n/a"}  # rejected: row 7
    rows[3] = {**rows[3], "industry": "retail\n(online)"}  # a quoted cell over two lines
    path = tmp_path / "crm.csv"
    write_csv(path, rows, "gb18030")
    source = open_rows(path)
    assert source.encoding == "gb18030"

    out_path, rejects_path = tmp_path / "out.jsonl", tmp_path / "rejects.csv"
    with open_evaluation_writer(out_path) as out, open_rejects_writer(rejects_path) as bad:
        for evaluation, error in engine.evaluate_stream(source, as_of="2026-06-30"):
            if evaluation is not None:
                out.write(evaluation)
            else:
                assert error is not None
                bad.write(error, line=source.line_of(error["row"]))

    # the same rows evaluated in memory give the same file
    expected = engine.evaluate_portfolio(list(source()), as_of="2026-06-30")
    assert out.count == len(expected.evaluations) == 399
    text = "".join(evaluation_json(e) + "\n" for e in expected.evaluations)
    assert out_path.read_text(encoding="utf-8") == text

    assert bad.count == 1
    with rejects_path.open(encoding="utf-8", newline="") as f:
        (reject,) = list(csv.DictReader(f))
    assert reject["row"] == "7"
    assert reject["line"] == "9"  # header, 6 rows, one of them on two lines
    assert reject["account_id"] == rows[6]["id"]
    assert "revenue" in reject["where"] + reject["reason"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_outputs_read_back_as_inputs(tmp_path: Path, engine: Engine, suffix: str) -> None:
    rows = make_accounts(50)
    evaluations = engine.evaluate_portfolio(rows, as_of="2026-06-30").evaluations
    path = tmp_path / f"out{suffix}"
    with open_evaluation_writer(path) as out:
        for e in evaluations:
            out.write(e)
    back = list(open_rows(path)())
    assert [r["account_id"] for r in back] == [e["account_id"] for e in evaluations]
    if suffix == ".parquet":
        assert back == [flatten(e) for e in evaluations]
