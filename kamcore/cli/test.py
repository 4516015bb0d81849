"""``kam test [POLICY_OR_DIR...]``: run policy test cases, show diffs and rule coverage.

Cases come from two places: ``[[tests]]`` inside a policy (and its bases: tests merge by id
like everything else) and ``*.test.toml`` files that name the policy they test (see
:mod:`kamcore.policytests` and docs/cli.md). All cases of one policy are reported together,
with the rules none of them exercised: a table row no case reaches is a rule nobody has seen
work.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import EXIT_FINDINGS, EXIT_OK, CliError, add_command

if TYPE_CHECKING:
    from ..engine import Engine
    from ..policytests import CaseResult
    from .testfile import TestFile
    from .testreport import PolicyReport

__all__ = ["SKIP_DIRS", "add_parser", "collect", "run"]

_EXAMPLE = """
kam test policies/                        # every policy and *.test.toml under policies/
kam test policies/examples/acme-industrial.toml clients/hua-mart.test.toml
kam test policies/ --junit out/kam-tests.xml
"""

#: Folders a directory walk never enters: virtual environments, caches, VCS data, and a code
#: project's own test suites and fixtures (``tests/``, ``fixtures/``), whose policies are
#: deliberately broken to test a tool and are not the project's policies. Name such a folder
#: explicitly to test it. Hidden folders (``.git``, ``.venv``) are skipped too.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "__pycache__",
        "build",
        "dist",
        "fixtures",
        "node_modules",
        "site-packages",
        "tests",
        "venv",
    }
)


def add_parser(subparsers: Any) -> None:
    """Declare ``kam test``."""
    parser = add_command(
        subparsers,
        "test",
        "run policy test cases, with coverage",
        "Run the [[tests]] cases of policies and *.test.toml files: pass/fail per case with "
        "a diff of expected and actual, and the rules no case exercised. Exit status 1 if a "
        "case fails or a policy does not load.",
        _EXAMPLE,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="POLICY_OR_DIR",
        help="policies, *.test.toml files or folders to search (default: .; a search skips "
        "hidden folders, tests/, fixtures/, virtual environments and node_modules/)",
    )
    parser.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report")
    parser.set_defaults(run=run)


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        found.extend(Path(root) / f for f in sorted(files) if f.endswith(".toml"))
    return found


def _is_policy(path: Path) -> bool:
    """Whether a TOML file found by a folder walk is a policy (it has a ``[policy]`` table);
    ``pyproject.toml`` and friends are not. A file that does not parse is given to the loader,
    which reports its syntax error located."""
    from ..policy._toml import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return False
    except tomllib.TOMLDecodeError:
        return True
    return isinstance(data.get("policy"), dict)


def collect(paths: list[str]) -> tuple[dict[str, tuple[str, bool]], dict[str, list[TestFile]]]:
    """The policies to test and the test files of each.

    :returns: (policy key -> (the policy as shown, named explicitly), policy key -> its test
        files); the key is the policy's real path, so a policy reached twice is tested once.
    """
    from .testfile import load_test_file

    policies: dict[str, tuple[str, bool]] = {}
    test_files: dict[str, list[TestFile]] = {}

    def add_policy(path: str, explicit: bool) -> str:
        key = os.path.realpath(path)
        shown, was_explicit = policies.get(key, (path, False))
        policies[key] = (shown, explicit or was_explicit)
        return key

    for arg in paths or ["."]:
        path = Path(arg)
        if not path.exists():
            raise CliError(f"no such file or folder: {arg}")
        if path.is_dir():
            candidates = _walk(path)
            explicit = False
        else:
            candidates = [path]
            explicit = True
        for file in candidates:
            if file.name.endswith(".test.toml"):
                test_file = load_test_file(file)
                policy = test_file.policy or str(file)
                test_files.setdefault(add_policy(policy, explicit), []).append(test_file)
            elif explicit or _is_policy(file):
                add_policy(str(file), explicit)
    return policies, test_files


def _file_results(engine: Engine, test_file: TestFile) -> list[CaseResult]:
    """The results of a test file's cases, in file order. A case with a problem (a misspelt
    expectation) fails with it; it still runs when it has an account, so its other
    expectations are checked and, for a portfolio policy, the portfolio is the one the author
    wrote."""
    from ..policytests import CaseResult, run_cases

    runnable = [i for i, case in enumerate(test_file.cases) if "account" in case]
    ran = run_cases(engine, [test_file.cases[i] for i in runnable])
    by_index = dict(zip(runnable, ran, strict=True))
    results = []
    for i, case in enumerate(test_file.cases):
        result = by_index.get(i) or CaseResult(id=str(case.get("id", f"tests[{i}]")))
        result.problems.extend(p.format() for p in test_file.case_problems[i])
        result.file, result.line = test_file.path, test_file.lines[i]
        results.append(result)
    return results


def _test_policy(shown: str, files: list[TestFile]) -> PolicyReport:
    from ..engine import Engine
    from ..errors import KamcoreError, Location, PolicyError, Problem
    from ..policytests import coverage, run_cases
    from .testreport import PolicyReport

    report = PolicyReport(shown)
    for test_file in files:
        report.problems.extend(test_file.problems)
    if report.problems:
        return report
    try:
        engine = Engine.from_policy(shown)
    except PolicyError as exc:
        report.problems.extend(exc.problems)
        return report
    except (KamcoreError, OSError) as exc:
        report.problems.append(Problem(str(exc), Location(shown)))
        return report
    report.title = f"{engine.id} {engine.version}"
    results = run_cases(engine)
    for result in results:
        location = engine.document.locate(f"tests[{result.id}]")
        result.file, result.line = location.file, location.line
    for test_file in files:
        results.extend(_file_results(engine, test_file))
    report.results = results
    report.coverage = coverage(engine.policy, results)
    return report


def run(args: argparse.Namespace) -> int:
    """Run every case found; print the report; write JUnit XML when asked."""
    from .testreport import junit_xml, render

    policies, test_files = collect(list(args.paths))
    reports = []
    for key, (shown, explicit) in policies.items():
        report = _test_policy(shown, test_files.get(key, []))
        if not report.results and not report.problems and not explicit:
            continue  # a base or a policy without cases, found by a folder walk
        reports.append(report)
        for line in render(report):
            print(line)
        if not report.results and not report.problems:
            print("  no test cases")
        print()
    cases = sum(len(r.results) for r in reports)
    failed = sum(r.failures for r in reports)
    broken = sum(1 for r in reports if r.problems)
    n = len(reports)
    line = f"{n} polic{'ies' if n != 1 else 'y'}, {cases} case{'s' if cases != 1 else ''}: "
    line += f"{cases - failed} passed, {failed} failed"
    if broken:
        line += f", {broken} polic{'ies' if broken != 1 else 'y'} with problems"
    print(line)
    if args.junit:
        from ..io import atomic_path

        Path(args.junit).parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(args.junit) as tmp:
            Path(tmp).write_bytes(junit_xml(reports))
        print(f"JUnit report written to {args.junit}")
    if not cases and not broken:
        print("kam: no test cases found", flush=True)
        return EXIT_FINDINGS
    return EXIT_FINDINGS if failed or broken else EXIT_OK
