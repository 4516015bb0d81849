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
        line.strip().startswith("x.test.toml:7:1: [tests[a].expect] unknown expectation `tire`")
        for line in result.lines
    )


def test_a_folder_is_searched_and_non_policies_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    (tmp_path / "acme.test.toml").write_text(FAILING, encoding="utf-8")
    result = expect(kam("test", cwd=tmp_path), 1)
    assert "pyproject" not in result.out
    assert result.lines[-1] == "1 policy, 7 cases: 6 passed, 1 failed"


def test_nothing_to_test_is_a_failure(tmp_path: Path) -> None:
    result = expect(kam("test", cwd=tmp_path), 1)
    assert "no test cases found" in result.out
