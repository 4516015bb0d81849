"""``--previous``: only an earlier run's JSON Lines output, checked, and held in little memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import ACME, AS_OF, KAM, SAMPLES, expect, kam

CSV = SAMPLES / "acme-industrial.csv"
NEXT = "2026-09-30"


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample portfolio evaluated as of AS_OF, as JSON Lines, CSV and Parquet."""
    folder = tmp_path_factory.mktemp("earlier")
    for name in ("q2.jsonl", "q2.csv"):
        expect(kam("evaluate", ACME, CSV, "-o", folder / name, "--as-of", AS_OF))
    return folder / "q2.jsonl"


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _evaluate(previous: Path, *more: str | Path, as_of: str = NEXT) -> Any:
    out = previous.parent / "next.jsonl"
    return kam("evaluate", ACME, CSV, "-o", out, "--as-of", as_of, "--previous", previous, *more)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_flat_outputs_are_refused_as_previous(earlier: Path, suffix: str) -> None:
    flat = earlier.with_suffix(suffix)
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
        expect(kam("evaluate", ACME, CSV, "-o", flat, "--as-of", AS_OF))
    result = expect(_evaluate(flat), 2)
    assert "--previous needs the JSON Lines output of an earlier run" in result.err
    assert "Parquet and CSV outputs drop the state" in result.err
    assert "Traceback" not in result.err


def test_a_binary_file_named_jsonl_is_a_clean_error(earlier: Path) -> None:
    binary = earlier.parent / "binary.jsonl"
    binary.write_bytes(b"PAR1\x15\x04\xf0\xff\x00\x01\n\x80\x81")
    result = expect(_evaluate(binary), 1)
    assert "binary.jsonl:1: not UTF-8 text" in result.err
    assert "Traceback" not in result.err


def test_previous_evaluations_not_before_as_of_are_refused(earlier: Path) -> None:
    result = expect(_evaluate(earlier, as_of=AS_OF), 2)
    assert f"the previous evaluations are as of {AS_OF}, not before {AS_OF}" in result.err
    later = expect(_evaluate(earlier, as_of="2026-01-01"), 2)
    assert f"are as of {AS_OF}, not before 2026-01-01" in later.err


def test_the_summary_counts_accounts_that_found_their_history(earlier: Path) -> None:
    partial = earlier.parent / "partial.jsonl"
    records = _records(earlier)
    partial.write_text(
        "".join(json.dumps(r) + "\n" for r in records[:120]) + '{"account_id": "GONE-1"}\n',
        encoding="utf-8",
    )
    result = expect(_evaluate(partial))
    assert "previous: 120 of 300 accounts matched (121 previous evaluations)" in result.lines
    assert "warning" not in result.err


def test_another_policy_id_is_a_warning(earlier: Path) -> None:
    renamed = earlier.parent / "renamed.jsonl"
    records = _records(earlier)
    for record in records:
        record["policy"]["id"] = "acme-old"
    renamed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = expect(_evaluate(renamed))
    assert "kam: warning: the previous evaluations" in result.err
    assert "policy acme-old, not acme-industrial" in result.err
    assert "previous: 300 of 300 accounts matched (300 previous evaluations)" in result.lines


_MEASURE = """\
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _peak_kib(*args: str | Path) -> int:
    """The peak resident memory of ``kam ARGS`` in KiB (Linux reports ru_maxrss in KiB)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, KAM, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss units differ")
def test_previous_evaluations_are_held_in_little_memory(earlier: Path) -> None:
    """10,000 previous evaluations cost well over 100 MB held whole; slimmed to what the
    engine reads back (tier, stage, state), a few MB."""
    records = _records(earlier)
    big = earlier.parent / "history.jsonl"
    with big.open("w", encoding="utf-8") as handle:
        for n in range(10_000):
            record = records[n % len(records)]
            if n >= len(records):
                record = {**record, "account_id": f"OLD{n:06d}"}
            handle.write(json.dumps(record) + "\n")
    out = earlier.parent / "mem.jsonl"
    common = ("evaluate", ACME, CSV, "-o", out, "--as-of", NEXT, "--explain", "none")
    without = _peak_kib(*common)
    with_history = _peak_kib(*common, "--previous", big)
    assert with_history - without < 40 * 1024, (without, with_history)
    # and the history still works: every sample account found its previous evaluation
    assert expect(_evaluate(big)).out.count("previous: 300 of 300 accounts matched") == 1
