"""``kam evaluate``: formats in and out, rejected rows, the summary, atomic output."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import ACME, AS_OF, KAM, SAMPLES, expect, kam, write_csv


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _sample_rows() -> list[dict[str, Any]]:
    """The rows of samples/acme-industrial.csv, typed (as JSON and Parquet carry them)."""
    from kamcore.cli.sample import rows

    return rows(300, 7, chinese=False, chinese_headers=False)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The sample portfolio evaluated once: (evaluations file, stdout)."""
    out = tmp_path_factory.mktemp("baseline") / "evaluations.jsonl"
    result = expect(
        kam("evaluate", ACME, SAMPLES / "acme-industrial.csv", "-o", out, "--as-of", AS_OF)
    )
    return out, result.out


def test_the_main_job_writes_evaluations_and_a_summary(baseline: tuple[Path, str]) -> None:
    out, stdout = baseline
    evaluations = _jsonl(out)
    assert len(evaluations) == 300
    assert evaluations[0]["account_id"] == "A00001"
    assert {e["as_of"] for e in evaluations} == {AS_OF}
    lines = stdout.splitlines()
    assert lines[0].startswith("policy acme-industrial 2026.11.0 (sha256:")
    assert "300 accounts evaluated, 0 rejected" in lines
    tiers = {str(e["tier"]) for e in evaluations}
    by_tier = next(line for line in lines if line.strip().startswith("by tier:"))
    for tier in tiers:
        count = sum(e["tier"] == tier for e in evaluations)
        assert f"{tier} {count}" in by_tier
    assert any(line.startswith("key accounts (KA) at risk:") for line in lines)
    assert any(line.strip().startswith("tactics:") for line in lines)
    rejects = out.with_name("evaluations.rejects.csv")
    assert rejects.read_text(encoding="utf-8").splitlines() == ["row,line,account_id,where,reason"]


def test_rejected_rows_go_to_the_rejects_file(tmp_path: Path) -> None:
    expect(kam("sample", "--accounts", "10", "-o", tmp_path / "book.csv"))
    with (tmp_path / "book.csv").open(encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    column = {name: i for i, name in enumerate(header)}
    rows[1][column["name"]] = "Two-line\nname"  # a quoted cell over two lines: lines != rows + 1
    rows[4][column["revenue_12m"]] = "12,34"  # row 5: an ambiguous number is never guessed
    rows[6][column["id"]] = ""  # row 7: no account id
    rows[8][column["nps"]] = "x"  # row 9: not an integer
    write_csv(tmp_path / "bad.csv", header, rows)
    result = expect(
        kam("evaluate", ACME, "bad.csv", "-o", "out/ev.jsonl", "--as-of", AS_OF, cwd=tmp_path), 1
    )
    assert "7 accounts evaluated, 3 rejected" in result.lines
    assert "rejected rows: 3 (all in out/ev.rejects.csv)" in result.lines
    with (tmp_path / "out" / "ev.rejects.csv").open(encoding="utf-8") as handle:
        rejected = list(csv.DictReader(handle))
    assert [(r["row"], r["line"], r["account_id"]) for r in rejected] == [
        ("5", "7", "A00005"),
        ("7", "9", ""),
        ("9", "11", "A00009"),
    ]
    assert "cannot read '12,34' as a number" in rejected[0]["reason"]
    assert "revenue_12m" in rejected[0]["where"]
    assert "no account id" in rejected[1]["reason"]
    assert "integer" in rejected[2]["reason"]
    assert len(_jsonl(tmp_path / "out" / "ev.jsonl")) == 7


def test_gb18030_input_gives_the_same_verdicts(baseline: tuple[Path, str], tmp_path: Path) -> None:
    out = tmp_path / "gb.jsonl"
    expect(
        kam("evaluate", ACME, SAMPLES / "acme-industrial-gb18030.csv", "-o", out, "--as-of", AS_OF)
    )
    utf8, gb = _jsonl(baseline[0]), _jsonl(out)
    assert [(e["account_id"], e["tier"], e["risk"], e["tactics"]) for e in gb] == [
        (e["account_id"], e["tier"], e["risk"], e["tactics"]) for e in utf8
    ]
    # and the named encoding is accepted as well as the detected one
    expect(
        kam(
            "evaluate",
            ACME,
            SAMPLES / "acme-industrial-gb18030.csv",
            "-o",
            out,
            "--encoding",
            "gb18030",
            "--as-of",
            AS_OF,
        )
    )


def test_chinese_headers_are_mapped_by_the_policy(
    baseline: tuple[Path, str], tmp_path: Path
) -> None:
    out = tmp_path / "cn.jsonl"
    expect(
        kam(
            "evaluate",
            SAMPLES / "crm-export-cn.toml",
            SAMPLES / "crm-export-cn.csv",
            "-o",
            out,
            "--as-of",
            AS_OF,
        )
    )
    assert [e["tier"] for e in _jsonl(out)] == [e["tier"] for e in _jsonl(baseline[0])]


def test_parquet_round_trip(baseline: tuple[Path, str], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "ev.parquet"
    expect(kam("evaluate", ACME, SAMPLES / "acme-industrial.csv", "-o", out, "--as-of", AS_OF))
    table = pq.read_table(out)
    assert table.num_rows == 300
    evaluations = _jsonl(baseline[0])
    assert table.column("account_id").to_pylist() == [e["account_id"] for e in evaluations]
    assert table.column("tier").to_pylist() == [e["tier"] for e in evaluations]
    # and Parquet in: a Parquet file of accounts is read like any other input
    import pyarrow as pa  # type: ignore[import-untyped]

    accounts = tmp_path / "accounts.parquet"
    pq.write_table(pa.Table.from_pylist(_sample_rows()), accounts)
    again = tmp_path / "again.jsonl"
    expect(kam("evaluate", ACME, accounts, "-o", again, "--as-of", AS_OF))
    assert [e["tier"] for e in _jsonl(again)] == [e["tier"] for e in evaluations]


def test_json_input_and_csv_output(baseline: tuple[Path, str], tmp_path: Path) -> None:
    (tmp_path / "accounts.json").write_text(json.dumps(_sample_rows()), encoding="utf-8")
    out = tmp_path / "flat.csv"
    expect(
        kam(
            "evaluate",
            ACME,
            tmp_path / "accounts.json",
            "-o",
            out,
            "--explain",
            "none",
            "--as-of",
            AS_OF,
        )
    )
    with out.open(encoding="utf-8") as handle:
        flat = list(csv.DictReader(handle))
    assert [r["tier"] for r in flat] == [e["tier"] for e in _jsonl(baseline[0])]
    assert "risk_band" in flat[0]


def test_previous_evaluations_keep_a_key_account_for_now(
    baseline: tuple[Path, str], tmp_path: Path
) -> None:
    """downgrade_after = 2: an account that was KA and now comes out lower stays KA once."""
    previous = tmp_path / "previous.jsonl"
    records = _jsonl(baseline[0])
    demoted = next(e for e in records if e["tier"] == "growth")
    demoted["tier"] = "KA"
    previous.write_text("".join(json.dumps(e) + "\n" for e in records), encoding="utf-8")
    out = tmp_path / "next.jsonl"
    expect(
        kam(
            "evaluate",
            ACME,
            SAMPLES / "acme-industrial.csv",
            "-o",
            out,
            "--as-of",
            "2026-09-30",
            "--previous",
            previous,
        )
    )
    again = {e["account_id"]: e for e in _jsonl(out)}[demoted["account_id"]]
    assert again["tier"] == "KA"
    assert again["state"]["tier"] == {"pending": "growth", "count": 1}
    assert any(f["kind"] == "hysteresis" for f in again["fired"])


def test_default_output_next_to_the_input(tmp_path: Path) -> None:
    expect(kam("sample", "--accounts", "20", "-o", tmp_path / "book.csv"))
    result = expect(kam("evaluate", ACME, "book.csv", "--as-of", AS_OF, cwd=tmp_path))
    assert (tmp_path / "book.evaluations.jsonl").exists()
    assert (tmp_path / "book.evaluations.rejects.csv").exists()
    assert "evaluations written to book.evaluations.jsonl" in result.lines
    # no progress bar when stderr is not a terminal: only how the input was read
    assert result.err == "input: CSV, utf-8 (detected)\n"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert kam("evaluate", ACME, "missing.csv", cwd=tmp_path).status == 2
    bad_date = kam("evaluate", ACME, SAMPLES / "acme-industrial.csv", "--as-of", "30/06/2026")
    assert bad_date.status == 2
    assert "YYYY-MM-DD" in bad_date.err
    assert kam("evaluate").status == 2
    same = kam(
        "evaluate", ACME, SAMPLES / "acme-industrial.csv", "-o", SAMPLES / "acme-industrial.csv"
    )
    assert same.status == 2
    assert "overwrite the input" in same.err


@pytest.mark.parametrize(
    "args",
    [
        ("-o", "out.json"),
        ("-o", "out.txt"),
        ("-o", "out.jsonl", "--rejects", "bad.txt"),
        ("-o", "out.jsonl", "--encoding", "nope"),
        ("-o", "out.csv", "--encoding-out", "nope"),
        ("-o", "out.jsonl", "--rejects", "bad.jsonl", "--encoding-out", "gb18030"),
    ],
)
def test_what_can_be_checked_up_front_is_a_usage_error(tmp_path: Path, args: tuple[str]) -> None:
    result = expect(kam("evaluate", ACME, SAMPLES / "acme-industrial.csv", *args, cwd=tmp_path), 2)
    assert "Traceback" not in result.err
    assert not any(tmp_path.iterdir())  # nothing evaluated, nothing written


def test_encoding_out_writes_csv_for_excel(tmp_path: Path) -> None:
    with (SAMPLES / "acme-industrial.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))[:3]
    rows[0][0], rows[1][0] = "客户-1", "客户-2"
    rows[1][header.index("revenue_12m")] = "abc"  # rejected
    source = write_csv(tmp_path / "book.csv", header, rows)
    for encoding, bom in (("utf-8-sig", True), ("gb18030", False)):
        out = tmp_path / f"{encoding}.csv"
        expect(
            kam("evaluate", ACME, source, "-o", out, "--as-of", AS_OF, "--encoding-out", encoding),
            1,
        )
        rejects = out.with_suffix(".rejects.csv")
        for path, account in ((out, "客户-1"), (rejects, "客户-2")):
            data = path.read_bytes()
            assert data.startswith(b"\xef\xbb\xbf") is bom, (path.name, data[:20])
            assert account in data.decode(encoding)
            if encoding == "gb18030":
                assert account.encode("gb18030") in data


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A portfolio large enough that evaluating it takes many seconds."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    expect(kam("sample", "--accounts", "60000", "--seed", "3", "-o", path))
    return path


def _interrupt(big: Path, tmp_path: Path, sig: int) -> tuple[int, str]:
    out = tmp_path / "out" / "big.jsonl"
    process = subprocess.Popen(
        [KAM, "evaluate", str(ACME), str(big), "-o", str(out), "--as-of", AS_OF],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not any(p.name.endswith(".tmp") for p in out.parent.glob(".*")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the output's temporary file never appeared"
        time.sleep(0.05)
    time.sleep(1.0)  # well into the first pass
    process.send_signal(sig)
    _, err = process.communicate(timeout=30)
    assert sorted(os.listdir(out.parent)) == []  # no output, no rejects, no temporary files
    return process.returncode, err


def test_an_interrupted_run_leaves_no_partial_file(big: Path, tmp_path: Path) -> None:
    status, err = _interrupt(big, tmp_path, signal.SIGINT)
    assert status == 130
    assert "kam: interrupted" in err
    assert "Traceback" not in err


def test_a_terminated_run_leaves_no_partial_file(big: Path, tmp_path: Path) -> None:
    status, err = _interrupt(big, tmp_path, signal.SIGTERM)
    assert status == 143
    assert "Traceback" not in err
