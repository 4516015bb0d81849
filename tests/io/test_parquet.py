"""Parquet in and out through pyarrow: streamed batches, typed columns, a clear message
without pyarrow."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from kamcore import Engine, KamcoreError
from kamcore.io import ParquetEvaluationWriter, flatten, open_evaluation_writer, open_rows
from kamcore.io._arrow import install_hint

from ..conftest import POLICIES, make_accounts


@pytest.fixture(scope="module")
def evaluations() -> list[dict[str, Any]]:
    engine = Engine.from_policy(POLICIES / "examples" / "acme-industrial.toml")
    return engine.evaluate_portfolio(make_accounts(250), as_of="2026-06-30").evaluations


def test_round_trip_of_flattened_evaluations(
    tmp_path: Path, evaluations: list[dict[str, Any]]
) -> None:
    path = tmp_path / "out.parquet"
    with ParquetEvaluationWriter(path, batch_rows=64) as out:  # several batches
        for e in evaluations:
            out.write(e)
    assert out.count == len(evaluations)
    assert pq.ParquetFile(path).metadata.num_rows == len(evaluations)
    source = open_rows(path)
    assert source.format == "parquet"
    assert source.total_rows == len(evaluations)
    back = list(source())
    assert back == [flatten(e) for e in evaluations]  # 20 == 20.0: numbers are float64
    assert list(back[0]) == list(flatten(evaluations[0]))
    assert list(source()) == back


def test_schema_is_typed(tmp_path: Path, evaluations: list[dict[str, Any]]) -> None:
    path = tmp_path / "out.parquet"
    with open_evaluation_writer(path) as out:
        for e in evaluations:
            out.write(e)
    schema = pq.read_schema(path)
    assert schema.field("account_id").type == pa.string()
    assert schema.field("stage_changed").type == pa.bool_()
    assert schema.field("risk_score").type == pa.float64()
    assert schema.field("metric.gross_profit").type == pa.float64()


def test_later_batches_are_coerced_to_the_first_batch_types(tmp_path: Path) -> None:
    base = {"account_id": "A", "policy": {}, "metrics": {}, "outputs": {}}
    path = tmp_path / "out.parquet"
    with ParquetEvaluationWriter(path, batch_rows=2) as out:
        # batch 1: an integer and a float; a column empty throughout; mixed kinds
        out.write({**base, "metrics": {"n": 1, "empty": None, "mixed": 1}})
        out.write({**base, "metrics": {"n": 1.5, "empty": None, "mixed": "x"}})
        # batch 2: a value where batch 1 had none
        out.write({**base, "metrics": {"n": 2, "empty": 3.25, "mixed": True}})
    table = pq.read_table(path)
    assert table.schema.field("metric.n").type == pa.float64()
    assert table.column("metric.n").to_pylist() == [1.0, 1.5, 2.0]
    assert table.schema.field("metric.empty").type == pa.string()
    assert table.column("metric.empty").to_pylist() == [None, None, "3.25"]
    assert table.schema.field("metric.mixed").type == pa.string()
    assert table.column("metric.mixed").to_pylist() == ["1", "x", "true"]


def test_a_value_that_does_not_fit_its_column_is_an_error(tmp_path: Path) -> None:
    base = {"account_id": "A", "policy": {}, "metrics": {}, "outputs": {}}

    def write() -> None:
        with ParquetEvaluationWriter(tmp_path / "out.parquet", batch_rows=1) as out:
            out.write({**base, "metrics": {"n": 1}})
            out.write({**base, "account_id": "B", "metrics": {"n": "many"}})

    with pytest.raises(KamcoreError, match=r"column 'metric\.n' holds number values"):
        write()
    assert list(tmp_path.iterdir()) == []


def test_no_evaluations_gives_a_valid_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    with open_evaluation_writer(path):
        pass
    assert pq.ParquetFile(path).metadata.num_rows == 0
    assert list(open_rows(path)()) == []


def test_parquet_input_rows_are_typed(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    table = pa.table({"id": ["A1", "A2"], "revenue_12m": [1.5, None], "strategic": [True, False]})
    pq.write_table(table, path)
    assert list(open_rows(path)()) == [
        {"id": "A1", "revenue_12m": 1.5, "strategic": True},
        {"id": "A2", "revenue_12m": None, "strategic": False},
    ]


def test_not_a_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    path.write_bytes(b"id,revenue\nA,1\n")
    with pytest.raises(KamcoreError, match=r"in\.parquet: not a readable Parquet file"):
        open_rows(path)


def test_without_pyarrow_the_message_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["A1"]}), path)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    # the tests run from the source checkout: install the extra from it, not from the index
    with pytest.raises(
        KamcoreError, match=r"reading Parquet needs pyarrow: pip install -e '\.\[parquet\]'"
    ):
        open_rows(path)
    with pytest.raises(KamcoreError, match="writing Parquet needs pyarrow"):
        open_evaluation_writer(tmp_path / "out.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet"]


def test_the_install_hint_depends_on_how_kamcore_is_installed(tmp_path: Path) -> None:
    checkout = tmp_path / "src"
    (checkout / "kamcore").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text('[project]\nname = "kamcore"\n', encoding="utf-8")
    assert install_hint(checkout / "kamcore") == (
        f"pip install -e '.[parquet]' (in the source checkout {checkout})"
    )
    # site-packages: no pyproject.toml next to the package
    site = tmp_path / "site-packages"
    (site / "kamcore").mkdir(parents=True)
    assert install_hint(site / "kamcore") == "pip install 'kamcore[parquet]'"
    # vendored inside another project: its pyproject.toml is not kamcore's
    other = tmp_path / "app"
    (other / "kamcore").mkdir(parents=True)
    (other / "pyproject.toml").write_text('[project]\nname = "crm-sync"\n', encoding="utf-8")
    assert install_hint(other / "kamcore") == "pip install 'kamcore[parquet]'"


def test_parquet_columns_come_from_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["A1"], "revenue_12m": [1.5]}), path)
    source = open_rows(path)
    assert (source.columns, source.delimiter, source.encoding) == (
        ("id", "revenue_12m"),
        None,
        None,
    )
