"""What ``kam evaluate`` says about its input before and after evaluating it: how the file is
read, the mapped columns it lacks, and the warnings the evaluations carry."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from .conftest import ACME, AS_OF, SAMPLES, expect, kam

CSV = SAMPLES / "acme-industrial.csv"


def _misspelt_policy(folder: Path) -> Path:
    """The example policy with `nps` mapped from a column the sample does not have."""
    policy = folder / "misspelt.toml"
    policy.write_text(
        f'[policy]\nid = "misspelt"\nversion = "1"\nextends = ["{ACME.as_posix()}"]\n\n'
        '[inputs.nps]\ncolumn = "npss"\n\n'
        '[inputs.segment_code]\ncolumn = "Segment code"\ntype = "string"\ndefault = "x"\n',
        encoding="utf-8",
    )
    return policy


def test_a_mapped_column_missing_from_the_header_is_an_error(tmp_path: Path) -> None:
    policy = _misspelt_policy(tmp_path)
    out = tmp_path / "out.jsonl"
    result = expect(kam("evaluate", policy, CSV, "-o", out, "--as-of", AS_OF), 1)
    assert "lacks 1 column the policy reads" in result.err
    assert "`npss` ([inputs.nps]); did you mean `nps`?" in result.err
    assert "Segment code" not in result.err  # it has a default: a missing column is fine
    assert "--allow-missing-columns" in result.err
    assert not out.exists()


def test_missing_columns_can_be_allowed(tmp_path: Path) -> None:
    policy = _misspelt_policy(tmp_path)
    out = tmp_path / "out.jsonl"
    result = expect(
        kam("evaluate", policy, CSV, "-o", out, "--as-of", AS_OF, "--allow-missing-columns")
    )
    assert "kam: warning:" in result.err
    assert "`npss` ([inputs.nps])" in result.err
    assert "300 accounts evaluated, 0 rejected" in result.lines


def test_the_account_id_column_is_checked(tmp_path: Path) -> None:
    renamed = tmp_path / "renamed.csv"
    text = CSV.read_text(encoding="utf-8")
    renamed.write_text("ident" + text[len("id") :], encoding="utf-8")
    result = expect(kam("evaluate", ACME, renamed, "-o", tmp_path / "o.jsonl", "--as-of", AS_OF), 1)
    assert "`id` or `account_id` (the account id)" in result.err


def test_explain_checks_the_columns_too(tmp_path: Path) -> None:
    policy = _misspelt_policy(tmp_path)
    result = expect(kam("explain", policy, CSV, "--account", "A00001", "--as-of", AS_OF), 1)
    assert "`npss` ([inputs.nps]); did you mean `nps`?" in result.err


def test_json_lines_rows_are_not_checked(tmp_path: Path) -> None:
    """A JSON row may leave out what it does not know: there is no header to check."""
    from kamcore.cli.sample import rows

    source = tmp_path / "book.jsonl"
    lines = [
        json.dumps(r, ensure_ascii=False) for r in rows(20, 7, chinese=False, chinese_headers=False)
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    policy = _misspelt_policy(tmp_path)
    result = expect(kam("evaluate", policy, source, "-o", tmp_path / "o.jsonl", "--as-of", AS_OF))
    assert result.err.splitlines()[0] == "input: JSON Lines, utf-8-sig"


@pytest.mark.parametrize(
    ("name", "extra", "said"),
    [
        ("acme-industrial.csv", (), "input: CSV, utf-8 (detected)"),
        ("acme-industrial-gb18030.csv", (), "input: CSV, gb18030 (detected)"),
        ("acme-industrial-gb18030.csv", ("--encoding", "GB18030"), "input: CSV, gb18030"),
    ],
)
def test_the_input_format_and_encoding_are_said_first(
    tmp_path: Path, name: str, extra: tuple[str, ...], said: str
) -> None:
    out = tmp_path / "o.jsonl"
    result = expect(kam("evaluate", ACME, SAMPLES / name, "-o", out, "--as-of", AS_OF, *extra))
    assert result.err.splitlines()[0] == said


def test_the_summary_counts_warnings_and_shows_the_commonest(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    result = expect(kam("evaluate", ACME, CSV, "-o", out, "--as-of", AS_OF))
    evaluations = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    warned = [e for e in evaluations if e["warnings"]]
    assert warned, "the sample is expected to produce some warnings"
    counts = Counter(w for e in warned for w in e["warnings"])
    lines = result.lines
    head = lines.index(f"accounts with warnings: {len(warned)}; most common:")
    shown = lines[head + 1 : head + 4]
    for line, (warning, count) in zip(shown, counts.most_common(3), strict=True):
        assert line.split(None, 1) == [str(count), warning]
