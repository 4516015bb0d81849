"""The ``*.test.toml`` format: policy test cases kept next to, not inside, the policy.

A consultancy's cases for a shared base, or a client's cases that should not ship with the
policy, go in a test file that names the policy it tests::

    policy = "acme-industrial.toml"   # relative to this file, or "kamcore:examples/..."

    [[tests]]
    id = "large-profitable-account-is-ka"
    as_of = 2026-06-30
    account = { id = "T-KA", revenue_12m = 8_000_000, gross_margin = 0.31 }
    [tests.expect]
    tier = "KA"

Cases are written exactly as a policy's ``[[tests]]`` (see docs/policy.md); a file is checked
for unknown keys and missing parts before anything runs, each problem located like a policy
problem, since a typo in ``expect`` would otherwise make a case pass vacuously.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Location, Problem
from .common import resolve_policy

__all__ = ["TestFile", "load_test_file"]

_CASE_KEYS = ("id", "description", "as_of", "account", "previous", "expect")
_EXPECT_KEYS = [
    "tier",
    "segments",
    "stage",
    "risk",
    "alerts",
    "tactics",
    "metrics",
    "scores",
    "outputs",
    "error",
]


@dataclass
class TestFile:
    """A parsed ``*.test.toml``: the policy it tests, its cases, and what is wrong with it.

    :param policy: the policy as written (``kamcore:...`` kept) resolved against the file's
        folder for a plain path.
    :param lines: the line of each case's ``[[tests]]`` header.
    """

    __test__ = False  # not a pytest test class, despite the name

    path: str
    policy: str = ""
    cases: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_test_file(path: str | Path) -> TestFile:
    """Read and check a test file; every problem is located (file, line, column, key)."""
    from ..policy.locate import scan_positions
    from ..policy.syntax import parse_toml

    display = str(path)
    result = TestFile(display)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        result.problems.append(Problem(f"cannot read: {exc.strerror or exc}", Location(display)))
        return result
    data = parse_toml(text, display)
    if isinstance(data, Problem):
        result.problems.append(data)
        return result
    positions = scan_positions(text)

    def problem(message: str, raw: tuple[str | int, ...], key: str) -> None:
        line, column = positions.get(raw, (None, None))
        result.problems.append(Problem(message, Location(display, line, column, key)))

    for key in data:
        if key not in ("policy", "tests"):
            problem(f"unknown key `{key}`; a test file has `policy` and [[tests]]", (key,), key)
    policy = data.get("policy")
    if not isinstance(policy, str) or not policy:
        problem('`policy` must name the policy file: policy = "my-policy.toml"', ("policy",), "")
    else:
        result.policy = resolve_policy(policy, Path(path).parent)
    tests = data.get("tests")
    if not isinstance(tests, list) or not tests:
        problem("no [[tests]] cases", ("tests",), "tests")
        return result
    for i, case in enumerate(tests):
        where = f"tests[{case.get('id', i) if isinstance(case, dict) else i}]"
        if not isinstance(case, dict):
            problem("a test case must be a table", ("tests", i), where)
            continue
        for key in case:
            if key not in _CASE_KEYS:
                problem(f"unknown key `{key}` in a test case", ("tests", i, key), f"{where}.{key}")
        for key in ("id", "account", "expect"):
            if key not in case:
                problem(f"the test case has no `{key}`", ("tests", i), where)
        expect = case.get("expect")
        for key in expect if isinstance(expect, dict) else ():
            if key not in _EXPECT_KEYS:
                known = ", ".join(_EXPECT_KEYS)
                raw = ("tests", i, "expect", key)
                problem(f"unknown expectation `{key}` (known: {known})", raw, f"{where}.expect")
        result.cases.append(case)
        result.lines.append(positions.get(("tests", i), (None, None))[0])
    return result
