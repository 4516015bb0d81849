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
problem, since a typo in ``expect`` would otherwise make a case pass vacuously. A problem of
one case (``teir = "KA"``) fails that case, with a did-you-mean, and leaves the file's other
cases to run: one typo should not hide whether forty other expectations hold. Problems of the
file itself (no ``policy``, a syntax error) stop the whole file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Location, Problem
from ..expr.suggest import did_you_mean
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
    :param cases: the cases, unknown expectation keys taken out (they are in
        :attr:`case_problems`, and would otherwise be compared with nothing).
    :param lines: the line of each case's ``[[tests]]`` header.
    :param case_problems: what is wrong with each case, parallel to :attr:`cases`; a case with
        a problem fails.
    :param problems: what is wrong with the file as a whole; then no case runs.
    """

    __test__ = False  # not a pytest test class, despite the name

    path: str
    policy: str = ""
    cases: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)
    case_problems: list[list[Problem]] = field(default_factory=list)
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

    def located(message: str, raw: tuple[str | int, ...], key: str) -> Problem:
        line, column = positions.get(raw, (None, None))
        return Problem(message, Location(display, line, column, key))

    def problem(message: str, raw: tuple[str | int, ...], key: str) -> None:
        result.problems.append(located(message, raw, key))

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
        mine: list[Problem] = []
        for key in case:
            if key not in _CASE_KEYS:
                message = f"unknown key `{key}` in a test case{_hint(key, _CASE_KEYS)}"
                mine.append(located(message, ("tests", i, key), f"{where}.{key}"))
        for key in ("id", "account", "expect"):
            if key not in case:
                mine.append(located(f"the test case has no `{key}`", ("tests", i), where))
        expect = case.get("expect")
        if isinstance(expect, dict):
            for key in expect:
                if key not in _EXPECT_KEYS:
                    message = f"unknown expectation `{key}`{_hint(key, _EXPECT_KEYS)}"
                    raw = ("tests", i, "expect", key)
                    mine.append(located(message, raw, f"{where}.expect.{key}"))
            case = {**case, "expect": {k: v for k, v in expect.items() if k in _EXPECT_KEYS}}
        elif expect is not None:
            mine.append(located("`expect` must be a table", ("tests", i, "expect"), where))
            case = {**case, "expect": {}}
        result.cases.append(case)
        result.case_problems.append(mine)
        result.lines.append(positions.get(("tests", i), (None, None))[0])
    return result


def _hint(key: str, known: Sequence[str]) -> str:
    """``; did you mean `tier`?`` for a close known key, else the list of known keys."""
    close = did_you_mean(key, known)
    if close is not None:
        return f"; did you mean `{close}`?"
    return f" (known: {', '.join(known)})"
