"""``kam test``: cases in policies and *.test.toml files, diffs, coverage, JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .conftest import ACME, expect, kam

GOOD = (
    'id = "X0", industry = "ict", region = "cn-east", revenue_12m = 8_000_000, '
    "revenue_prev_12m = 7_000_000, gross_margin = 0.3, orders_12m = 50, "
    "days_since_last_order = 5, years_as_customer = 5.0, nps = 9, open_tickets = 0, "
    "share_of_wallet = 0.5"
)
LAPSING = (
    'id = "X1", industry = "retail", region = "emea", revenue_12m = 1_500_000, '
    "revenue_prev_12m = 2_400_000, gross_margin = 0.18, orders_12m = 3, "
    "days_since_last_order = 120, years_as_customer = 4.0, nps = 4, open_tickets = 7, "
    "share_of_wallet = 0.3"
)
FAILING = f"""\
policy = "{ACME.as_posix()}"

[[tests]]
id = "right"
as_of = 2026-06-30
account = {{ {GOOD} }}
[tests.expect]
tier = "KA"

[[tests]]
id = "wrong"
as_of = 2026-06-30
account = {{ {LAPSING} }}
[tests.expect]
tier = "KA"
alerts = ["order-lapse", "detractor"]

[[tests]]
id = "rejected"
as_of = 2026-06-30
account = {{ id = "X2", revenue_12m = "abc" }}
[tests.expect]
error = true
"""


def test_the_shipped_policies_pass_with_coverage() -> None:
    result = expect(kam("test", ACME))
    assert "  PASS  large-profitable-account-is-ka" in result.lines
    coverage = next(line for line in result.lines if line.startswith("  coverage:"))
    assert "rules exercised" in coverage
    assert "    tables.tier.rules[ka-strategic]" in result.lines  # no case reaches this row
    assert "    tables.tier.rules[ka-large]" not in result.lines
    assert result.lines[-1] == "1 policy, 4 cases: 4 passed, 0 failed"


def test_a_failing_case_shows_a_diff_and_fails(tmp_path: Path) -> None:
    (tmp_path / "acme.test.toml").write_text(FAILING, encoding="utf-8")
    result = expect(kam("test", "acme.test.toml", "--junit", "out/junit.xml", cwd=tmp_path), 1)
    lines = result.lines
    assert "  PASS  right" in lines
    assert "  PASS  rejected" in lines  # expect.error = true: any error
    at = lines.index("  FAIL  wrong  (acme.test.toml:10)")
    assert lines[at + 1 : at + 6] == [
        '        tier: expected "KA"',
        '              actual   "NA"',
        '        alerts: expected ["order-lapse", "detractor"]',
        '                actual   ["order-lapse", "revenue-decline", "detractor", '
        '"ticket-backlog"]',
        "                unexpected revenue-decline, ticket-backlog",
    ]
    assert lines[-2] == "1 policy, 7 cases: 6 passed, 1 failed"
    suites = ET.parse(tmp_path / "out" / "junit.xml").getroot()
    assert suites.get("tests") == "7"
    assert suites.get("failures") == "1"
    suite = suites.find("testsuite")
    assert suite is not None
    assert suite.get("name") == "acme-industrial"
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert len(cases) == 7
    failure = cases["wrong"].find("failure")
    assert failure is not None
    assert failure.text is not None
    assert 'tier: expected "KA"' in failure.text
    assert cases["wrong"].get("file") == "acme.test.toml"
    assert cases["wrong"].get("line") == "10"
    assert cases["right"].find("failure") is None


def test_a_bad_test_file_is_reported_located(tmp_path: Path) -> None:
    (tmp_path / "x.test.toml").write_text(
        f'policy = "{ACME.as_posix()}"\n\n[[tests]]\nid = "a"\naccount = {{ id = "A" }}\n'
        '[tests.expect]\ntire = "KA"\n',
        encoding="utf-8",
    )
    result = expect(kam("test", "x.test.toml", cwd=tmp_path), 1)
    assert any(
        line.strip().startswith("x.test.toml:7:1: [tests[a].expect.tire] unknown expectation")
        for line in result.lines
    )


MISSPELT = f"""\
policy = "{ACME.as_posix()}"

[[tests]]
id = "misspelt"
as_of = 2026-06-30
account = {{ {GOOD} }}
[tests.expect]
teir = "KA"
alerts = []

[[tests]]
id = "right"
as_of = 2026-06-30
account = {{ {GOOD.replace('"X0"', '"X9"')} }}
[tests.expect]
tier = "KA"
"""


def test_a_misspelt_expectation_fails_its_case_and_the_others_run(tmp_path: Path) -> None:
    (tmp_path / "typo.test.toml").write_text(MISSPELT, encoding="utf-8")
    result = expect(kam("test", "typo.test.toml", "--junit", "junit.xml", cwd=tmp_path), 1)
    lines = result.lines
    at = lines.index("  FAIL  misspelt  (typo.test.toml:3)")
    assert lines[at + 1] == (
        "        typo.test.toml:8:1: [tests[misspelt].expect.teir] unknown expectation `teir`; "
        "did you mean `tier`?"
    )
    assert "  PASS  right" in lines
    assert "  PASS  large-profitable-account-is-ka" in lines  # the policy's own cases ran too
    assert lines[-2] == "1 policy, 6 cases: 5 passed, 1 failed"
    suites = ET.parse(tmp_path / "junit.xml").getroot()
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == ("6", "1", "0")


SAME_ID = f"""\
policy = "{ACME.as_posix()}"

[[tests]]
id = "ka-now"
as_of = 2026-06-30
account = {{ {GOOD} }}
[tests.expect]
tier = "KA"

[[tests]]
id = "ka-last-time-stays-ka"
as_of = 2026-06-30
account = {{ {GOOD.replace("revenue_12m = 8_000_000", "revenue_12m = 3_000_000")} }}
previous = {{ account_id = "X0", tier = "KA", state = {{ tier = {{ pending = "", count = 0 }} }} }}
[tests.expect]
tier = "KA"

[[tests]]
id = "ka-last-time-without-history"
as_of = 2026-06-30
account = {{ {GOOD.replace("revenue_12m = 8_000_000", "revenue_12m = 3_000_000")} }}
[tests.expect]
tier = "NA"
"""


def test_cases_of_one_account_on_one_date_each_evaluate(tmp_path: Path) -> None:
    """The example policy has portfolio rules, so the cases of a date form a portfolio; three
    cases of account X0 on one date go to three portfolios instead of being rejected."""
    (tmp_path / "same.test.toml").write_text(SAME_ID, encoding="utf-8")
    result = expect(kam("test", "same.test.toml", cwd=tmp_path))
    for case in ("ka-now", "ka-last-time-stays-ka", "ka-last-time-without-history"):
        assert f"  PASS  {case}" in result.lines
    assert "already appeared" not in result.out


def test_a_folder_walk_skips_test_suites_and_fixtures(tmp_path: Path) -> None:
    """`kam test` at the root of a code project tests its policies, not the deliberately
    broken policies under tests/ and fixtures/."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "acme.test.toml").write_text(FAILING, encoding="utf-8")
    broken = '[policy]\nid = "broken"\nversion = "1"\n[[tests]]\nid = "x"\n'
    for folder in ("tests/cli/fixtures", "fixtures", ".venv/lib"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "broken.toml").write_text(broken, encoding="utf-8")
    result = expect(kam("test", cwd=tmp_path), 1)
    assert "broken" not in result.out
    assert result.lines[-1] == "1 policy, 7 cases: 6 passed, 1 failed"
    named = expect(kam("test", "tests/cli/fixtures", cwd=tmp_path), 1)  # named: searched
    assert "broken.toml" in named.out
    assert "kam test policies/" in expect(kam("test", "--help")).out


def test_a_folder_is_searched_and_non_policies_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "acme.test.toml").write_text(FAILING, encoding="utf-8")
    result = expect(kam("test", cwd=tmp_path), 1)
    assert "pyproject" not in result.out
    assert result.lines[-1] == "1 policy, 7 cases: 6 passed, 1 failed"


def test_nothing_to_test_is_a_failure(tmp_path: Path) -> None:
    result = expect(kam("test", cwd=tmp_path), 1)
    assert "no test cases found" in result.out
