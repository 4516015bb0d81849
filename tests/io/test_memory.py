"""Reading streams: a large CSV is never held in memory, and rows come before the file ends."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from kamcore.io import open_rows

ROWS = 200_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "accounts.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("客户编号,营业收入,渠道,industry,nps\n")
        for i in range(ROWS):
            f.write(f"C{i:07d},{i * 37.5:.2f},直销,manufacturing,{i % 11}\n")
    return path


def test_reading_a_large_csv_keeps_memory_flat(big_csv: Path) -> None:
    size = big_csv.stat().st_size
    assert size > 8_000_000
    tracemalloc.start()
    try:
        source = open_rows(big_csv)  # detection decodes the whole file, in chunks
        count = 0
        for row in source():
            count += 1
            assert len(row) == 5
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert source.encoding == "utf-8"
    assert count == ROWS
    assert source.line_of(ROWS) == ROWS + 1
    assert peak < size / 4, f"peak {peak} bytes for a {size}-byte file"


def test_the_first_row_comes_before_the_file_is_read(big_csv: Path) -> None:
    source = open_rows(big_csv, encoding="utf-8")
    rows = source()
    assert next(rows)["客户编号"] == "C0000000"
    assert 0 < source.bytes_read < source.size / 100
    rows.close()  # type: ignore[attr-defined]
    assert source.bytes_read == source.size
