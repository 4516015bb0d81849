"""How ``kam test`` reports: a readable diff per failing case, and JUnit XML for CI servers.

A mismatch is shown as expected and actual on consecutive lines, aligned, so the difference
jumps out; for lists (alerts, tactics, segments) the missing and unexpected items are named too,
since "the same items in another order" and "one item missing" look alike at a glance.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..errors import Problem
    from ..policytests import CaseResult, Coverage, Mismatch

__all__ = ["PolicyReport", "describe", "junit_xml"]


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def describe(mismatch: Mismatch) -> list[str]:
    """The lines explaining one mismatch."""
    key, expected, actual = mismatch.key, mismatch.expected, mismatch.actual
    if key == "error":
        if expected is None or expected is False:
            return [f"error: unexpected: {actual}"]
        wanted = "an error" if expected is True else f"an error containing {_show(expected)}"
        got = "no error" if actual is None else f"the error {actual}"
        return [f"error: expected {wanted}", f"       actual   {got}"]
    label = f"{key}: "
    pad = " " * len(label)
    lines = [f"{label}expected {_show(expected)}", f"{pad}actual   {_show(actual)}"]
    if isinstance(expected, list) and isinstance(actual, list):
        missing = [x for x in expected if x not in actual]
        extra = [x for x in actual if x not in expected]
        if missing:
            lines.append(f"{pad}missing    {', '.join(map(str, missing))}")
        if extra:
            lines.append(f"{pad}unexpected {', '.join(map(str, extra))}")
        if not missing and not extra:
            lines.append(f"{pad}(the same items in another order)")
    return lines


@dataclass
class PolicyReport:
    """One policy's outcome: its cases, its coverage, or the problems that stopped it.

    :param name: what the report is called (the policy file as given).
    :param title: the policy id and version, once it loaded.
    """

    name: str
    title: str = ""
    results: list[CaseResult] = field(default_factory=list)
    coverage: Coverage | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def failures(self) -> int:
        """Failed cases."""
        return sum(not r.passed for r in self.results)

    @property
    def ok(self) -> bool:
        """No failed case and no problem."""
        return not self.problems and not self.failures


def _where(result: CaseResult) -> str:
    if result.file is None:
        return ""
    return f"{result.file}:{result.line}" if result.line else result.file


def render(report: PolicyReport) -> list[str]:
    """The text lines for one policy."""
    lines = [f"{report.name}" + (f"  ({report.title})" if report.title else "")]
    for problem in report.problems:
        lines.extend("  " + line for line in problem.format().splitlines())
    for result in report.results:
        if result.passed:
            lines.append(f"  PASS  {result.id}")
            continue
        where = _where(result)
        lines.append(f"  FAIL  {result.id}" + (f"  ({where})" if where else ""))
        for text in result.problems:
            lines.extend("        " + line for line in text.splitlines())
        for mismatch in result.mismatches:
            lines.extend("        " + line for line in describe(mismatch))
    cov = report.coverage
    if cov is not None and cov.rules:
        exercised = len(cov.rules) - len(cov.missed)
        head = f"  coverage: {exercised} of {len(cov.rules)} rules exercised ({cov.percent:.0f}%)"
        lines.append(head + ("; not exercised:" if cov.missed else ""))
        lines.extend(f"    {rule}" for rule in cov.missed)
    return lines


def junit_xml(reports: Sequence[PolicyReport]) -> bytes:
    """The reports as JUnit XML: one ``testsuite`` per policy, one ``testcase`` per case;
    a policy that did not load is one test case in error."""
    import xml.etree.ElementTree as ET

    total = sum(max(len(r.results), 1 if r.problems else 0) for r in reports)
    failures = sum(r.failures for r in reports)
    errors = sum(1 for r in reports if r.problems)
    root = ET.Element(
        "testsuites",
        name="kam test",
        tests=str(total),
        failures=str(failures),
        errors=str(errors),
    )
    for report in reports:
        suite = ET.SubElement(
            root,
            "testsuite",
            name=report.title.split(" ")[0] if report.title else report.name,
            tests=str(max(len(report.results), 1 if report.problems else 0)),
            failures=str(report.failures),
            errors=str(1 if report.problems else 0),
            file=report.name,
        )
        if report.coverage is not None:
            props = ET.SubElement(suite, "properties")
            percent = f"{report.coverage.percent:.1f}"
            ET.SubElement(props, "property", name="coverage", value=percent)
            missed = ",".join(report.coverage.missed)
            ET.SubElement(props, "property", name="not_exercised", value=missed)
        if report.problems:
            case = ET.SubElement(suite, "testcase", classname=report.name, name="load policy")
            text = "\n".join(p.format() for p in report.problems)
            err = ET.SubElement(case, "error", message=report.problems[0].message, type="policy")
            err.text = text
        for result in report.results:
            attrs = {"classname": suite.get("name", ""), "name": result.id}
            if result.file:
                attrs["file"] = result.file
            if result.line:
                attrs["line"] = str(result.line)
            case = ET.SubElement(suite, "testcase", attrs)
            if not result.passed:
                lines = [*result.problems]
                lines += [line for m in result.mismatches for line in describe(m)]
                n = len(result.mismatches) + len(result.problems)
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=f"{n} expectation{'s' if n != 1 else ''} not met",
                    type="mismatch",
                )
                failure.text = "\n".join(lines)
    ET.indent(root)
    buffer = io.BytesIO()
    ET.ElementTree(root).write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue() + b"\n"
