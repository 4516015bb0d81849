"""``kam evaluate --workers N``: byte for byte the files and summary of ``--workers 1``.

The runs are in-process (``kamcore.cli.main``; the workers fork from the test process) with
chunks of a few hundred bytes, so a few hundred rows make dozens of chunks, and the inputs
carry what the chunking must get right: rejected rows, duplicate ids in the same chunk and
across chunks, blank lines and multi-line CSV cells (which throw the row numbers guessed at the
cut off), a quote inside an unquoted CSV cell (which throws the quote count off), a byte order
mark, CRLF line ends.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kamcore.cli import evaluate as evaluate_command
from kamcore.cli import main
from kamcore.cli.source import CsvCutter
from kamcore.runtime import parallel

from ..conftest import ROOT, make_accounts
from .conftest import AS_OF, SAMPLES

POLICY = ROOT / "policies" / "examples" / "bench-reference.toml"
ACME = ROOT / "policies" / "examples" / "acme-industrial.toml"

pytestmark = pytest.mark.skipif(not parallel.fork_available(), reason="needs fork")


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evaluate_command, "CHUNK_ROWS", 3)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts, in the main process: chunks settled, rejected rows evaluated again under their
    true row number, CSV files cut again by parsing."""
    seen: Counter[str] = Counter()

    def wrap(owner: Any, name: str) -> None:
        original = getattr(owner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            seen[name] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)

    wrap(parallel.Sequencer, "settle")
    wrap(parallel.Sequencer, "_again")
    wrap(CsvCutter, "recut")
    return seen


def _evaluate(
    capsys: pytest.CaptureFixture[str], folder: Path, *args: str | Path, workers: int = 1
) -> tuple[int, dict[str, bytes], str, str]:
    """Run ``kam evaluate ARGS -o folder/ev.jsonl``: status, the files written, stdout with
    the folder's name taken out, stderr."""
    folder.mkdir(parents=True)
    status = main(
        ["evaluate", *map(str, args), "-o", str(folder / "ev.jsonl"), "--workers", str(workers)]
    )
    out, err = capsys.readouterr()
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    return status, files, out.replace(str(folder), "OUT"), err


def _same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str | Path
) -> tuple[int, dict[str, bytes], str]:
    """Evaluate with one worker and with two; assert both wrote the same bytes and said the
    same; return what the one-worker run did."""
    one = _evaluate(capsys, tmp_path / "one", *args, workers=1)
    two = _evaluate(capsys, tmp_path / "two", *args, workers=2)
    assert two[0] == one[0]
    assert two[1].keys() == one[1].keys()
    for name in one[1]:
        assert two[1][name] == one[1][name], name
    assert two[2] == one[2]
    assert two[3] == one[3]
    return one[0], one[1], one[2]


def _rows(n: int = 400) -> list[dict[str, Any]]:
    rows = make_accounts(n)
    for row in rows:  # only the columns the policy reads, as a CRM export would have
        row.pop("渠道")
        row.pop("关键联系人离职")
    rows[3]["nps"] = "x"  # a bad cell
    rows[33]["nps"] = "w"  # bad cells after a multi-line CSV cell and blank lines: their
    rows[53]["nps"] = "z"  # rows were numbered wrong at the cut
    del rows[8]["id"]  # no account id
    rows[12]["id"] = rows[11]["id"]  # a duplicate in the same chunk
    rows[300]["id"] = rows[5]["id"]  # a duplicate of a row chunks before
    rows[301]["id"] = rows[3]["id"]  # the id of a row refused before its id was read
    rows[302]["id"] = rows[3]["id"]  # and again: now a duplicate
    rows[303]["nps"] = "y"  # a duplicate refused before its id was read
    rows[303]["id"] = rows[20]["id"]
    rows[-1]["id"] = rows[0]["id"]  # in the last chunk
    return rows


def _write_jsonl(path: Path, rows: list[dict[str, Any]], *, blank: bool = True) -> Path:
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    if blank:  # blank lines: rows and lines part ways
        lines[50:50] = ["", "   "]
        lines[200:200] = [""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write_csv(path: Path, rows: list[dict[str, Any]], **options: Any) -> Path:
    header = list(rows[0])
    with path.open("w", encoding=options.pop("encoding", "utf-8"), newline="") as handle:
        writer = csv.writer(handle, lineterminator=options.pop("end", "\n"))
        writer.writerow(header)
        for i, row in enumerate(rows):
            if i in (60, 260):
                handle.write("\n")  # a blank line
            writer.writerow([row.get(name, "") for name in header])
    return path


def test_json_lines_in_any_number_of_chunks_gives_the_same_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, spy: Counter[str]
) -> None:
    source = _write_jsonl(tmp_path / "accounts.jsonl", _rows())
    status, files, out = _same(capsys, tmp_path, POLICY, source, "--as-of", AS_OF)
    assert spy["settle"] > 100  # chunks
    assert spy["_again"] > 0  # rows numbered wrong after the blank lines, and mended
    assert status == 1
    assert "391 accounts evaluated, 9 rejected" in out
    rejects = list(csv.DictReader(files["ev.rejects.csv"].decode().splitlines()))
    assert [(r["row"], r["line"]) for r in rejects] == [
        ("4", "4"),
        ("9", "9"),
        ("13", "13"),
        ("34", "34"),
        ("54", "56"),
        ("301", "304"),
        ("303", "306"),
        ("304", "307"),
        ("400", "403"),
    ]
    assert "already appeared at row 12" in rejects[2]["reason"]
    assert "row 54)" in rejects[4]["where"]
    assert "already appeared at row 6" in rejects[5]["reason"]
    assert "already appeared at row 302" in rejects[6]["reason"]
    assert "'y'" in rejects[7]["reason"]


def test_csv_with_quotes_and_multiline_cells_gives_the_same_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, spy: Counter[str]
) -> None:
    rows = _rows()
    for row in rows:
        row["name"] = "Acme, Inc."  # quoted: a comma inside
    rows[30]["name"] = 'The "Big" one,\nover two lines'  # quotes and a line end inside
    rows[150]["name"] = "two\n\nline ends"
    source = _write_csv(tmp_path / "accounts.csv", rows, end="\r\n")
    lines = source.read_bytes().split(b"\r\n")
    lines[200] = lines[200].rsplit(b",", 2)[0]  # a short row after them: row and line quoted
    source.write_bytes(b"\r\n".join(lines))
    status, files, _ = _same(capsys, tmp_path, POLICY, source, "--as-of", AS_OF)
    assert spy["settle"] > 50
    assert spy["_again"] > 0
    assert spy["recut"] == 0
    assert status == 1
    rejects = list(csv.DictReader(files["ev.rejects.csv"].decode().splitlines()))
    assert len(rejects) == 10
    short = next(r for r in rejects if "cells but the header" in r["reason"])
    assert f"row {short['row']} (line {short['line']})" in short["reason"]


def test_a_quote_inside_an_unquoted_cell_is_cut_again_by_parsing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, spy: Counter[str]
) -> None:
    rows = _rows()
    for row in rows:
        row["note"] = "x"
    source = _write_csv(tmp_path / "odd.csv", rows)
    lines = source.read_text(encoding="utf-8").split("\n")
    lines[40] = lines[40].removesuffix(",x") + ',5" screen'  # a literal quote: odd count
    lines[45] = lines[45].removesuffix(",x") + ',"two\nlines"'  # a line end in quotes
    lines[130] = lines[130].removesuffix(",x")  # a short row
    source.write_text("\n".join(lines), encoding="utf-8")
    status, files, _ = _same(capsys, tmp_path, POLICY, source, "--as-of", AS_OF)
    assert spy["recut"] == 1
    assert spy["settle"] > 50
    assert status == 1
    assert files["ev.jsonl"].count(b"\n") == 390


def test_defaults_warnings_and_previous_evaluations_sum_up_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy = tmp_path / "defaults.toml"
    policy.write_text(
        POLICY.read_text(encoding="utf-8").replace(
            "[inputs.nps]\nrequired = true", "[inputs.nps]\ndefault = 7"
        ),
        encoding="utf-8",
    )
    rows = _rows()
    for row in rows[::7]:
        row["nps"] = ""
    source = _write_csv(tmp_path / "accounts.csv", rows, encoding="utf-8-sig")
    previous = tmp_path / "q1" / "ev.jsonl"
    main(["evaluate", str(policy), str(source), "-o", str(previous), "--as-of", "2026-03-31"])
    capsys.readouterr()
    _, _, out = _same(capsys, tmp_path, policy, source, "--as-of", AS_OF, "--previous", previous)
    assert "accounts with warnings:" in out
    assert "previous: 391 of 391 accounts matched" in out


@pytest.mark.parametrize("explain", ["none", "full"])
def test_explain_levels_give_the_same_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, explain: str
) -> None:
    source = _write_jsonl(tmp_path / "accounts.jsonl", make_accounts(200), blank=False)
    status, files, _ = _same(
        capsys, tmp_path, POLICY, source, "--as-of", AS_OF, "--explain", explain
    )
    assert status == 0
    assert files["ev.jsonl"].count(b"\n") == 200


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.jsonl", '{"id": "Z1", "nps": }', "invalid JSON"),
        ("list.jsonl", "[1, 2]", "expected a JSON object"),
        ("wide.csv", None, "cells but the header names"),
    ],
)
def test_a_broken_input_stops_with_the_same_error(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    text: str | None,
    message: str,
) -> None:
    rows = make_accounts(300)
    source = tmp_path / name
    if name.endswith(".jsonl"):
        _write_jsonl(source, rows, blank=False)
        lines = source.read_text(encoding="utf-8").splitlines()
        lines[250] = text or ""
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        _write_csv(source, rows)
        lines = source.read_text(encoding="utf-8").splitlines()
        lines[250] += ",extra"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = _evaluate(capsys, tmp_path / "one", POLICY, source, "--as-of", AS_OF, workers=1)
    two = _evaluate(capsys, tmp_path / "two", POLICY, source, "--as-of", AS_OF, workers=2)
    assert one[0] == two[0] == 1
    assert one[3] == two[3]
    assert message in two[3]
    assert one[1] == two[1] == {}  # nothing written: the outputs are atomic


def test_undecodable_bytes_stop_with_the_same_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = _write_jsonl(tmp_path / "accounts.jsonl", make_accounts(300), blank=False)
    data = source.read_bytes()
    cut = data.index(b"\n", len(data) * 2 // 3)
    source.write_bytes(data[:cut] + b" \xff\xfe" + data[cut:])
    one = _evaluate(capsys, tmp_path / "one", POLICY, source, "--as-of", AS_OF, workers=1)
    two = _evaluate(capsys, tmp_path / "two", POLICY, source, "--as-of", AS_OF, workers=2)
    assert one[0] == two[0] == 1
    assert one[3] == two[3]
    assert "cannot decode" in two[3]


def test_portfolio_rules_and_other_outputs_evaluate_in_one_process(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _same(capsys, tmp_path / "acme", ACME, SAMPLES / "acme-industrial.csv", "--as-of", AS_OF)
    source = _write_jsonl(tmp_path / "accounts.jsonl", make_accounts(100), blank=False)
    folder = tmp_path / "csv"
    folder.mkdir()
    assert (
        main(["evaluate", str(POLICY), str(source), "-o", str(folder / "ev.csv"), "--workers", "2"])
        == 0
    )


def test_workers_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["evaluate", str(POLICY), "x.jsonl", "--workers", "0"])
    assert stop.value.code == 2
    assert "at least 1" in capsys.readouterr().err


def test_evaluate_parallel_equals_evaluate_stream() -> None:
    from kamcore import Engine
    from kamcore.runtime.pipeline import evaluate_stream

    policy = Engine.from_policy(POLICY).policy
    rows = _rows()
    as_of = date(2026, 6, 30)
    plain = list(evaluate_stream(policy, lambda: rows, as_of=as_of))
    shared = list(parallel.evaluate_parallel(policy, rows, as_of=as_of, workers=2, chunk_rows=7))
    assert shared == plain
    assert sum(error is not None for _, error in plain) == 9
