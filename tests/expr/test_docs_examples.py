"""Run every example of docs/expressions.md.

Fenced blocks are examples in one of four forms:

``kamcore-expr``
    Lines ``EXPR  # => RESULT`` (a Python literal), ``EXPR  # error: MESSAGE`` (the exact
    compile-time message), ``EXPR  # missing: NAME`` (a MissingValueError about NAME) or
    ``EXPR  # raises: ERROR`` (the exception's class name, or ``Class: message``).
    ``# given: name = value; ...`` lines set values for the lines below (``2024-05-02`` is a
    date); names not given are missing; ``as_of`` is 2024-06-01.
``kamcore-cell``
    Decision-table cells: ``# input: name = value`` chooses the input column and its value;
    then the same line forms, with a cell instead of an expression.
``kamcore-bands``
    ``# range: DOMAIN``, ``label = RANGE`` lines, then ``# => MESSAGE`` lines (or ``# => ok``)
    for exactly what :func:`kamcore.expr.check_bands` reports.
``kamcore-error``
    A rendered error: its first line ends with the message, the next two lines are the
    expression and the caret.

Any other fenced block fails :func:`test_every_block_is_an_executed_example`, so no example
can sit in the docs unchecked.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kamcore.errors import ExpressionError
from kamcore.expr import (
    MissingValueError,
    check_bands,
    compile_expression,
    compile_unary_test,
    parse_interval,
)

from .expr_support import NAMES, make_scope

DOC = Path(__file__).resolve().parents[2] / "docs" / "expressions.md"
KINDS = ("kamcore-expr", "kamcore-cell", "kamcore-bands", "kamcore-error")
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
LINE = re.compile(r"^(?P<source>.*?)\s+# (?P<kind>=>|error:|missing:|raises:)\s*(?P<want>.*)$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AS_OF = date(2024, 6, 1)
#: Facts the page declares with their values (``[inputs.<x>] values``), as a policy would.
DECLARED = {"industry": frozenset({"retail", "fmcg", "ict"})}
SCOPE = make_scope(**{name: replace(NAMES[name], choices=v) for name, v in DECLARED.items()})


def blocks() -> Iterator[tuple[str, str, int]]:
    text = DOC.read_text(encoding="utf-8")
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        yield match.group(1).strip(), match.group(2), line


def examples(kind: str) -> list[Any]:
    return [pytest.param(body, id=f"line{line}") for lang, body, line in blocks() if lang == kind]


def parse_value(text: str) -> Any:
    text = text.strip()
    if ISO_DATE.match(text):
        return date.fromisoformat(text)
    return ast.literal_eval(text)


def parse_given(text: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for part in text.split(";"):
        name, _, value = part.partition("=")
        values[name.strip()] = parse_value(value)
    return values


def fresh_values() -> dict[str, Any]:
    return {**dict.fromkeys(NAMES), "as_of": AS_OF}


def assert_same(result: Any, want: Any, line: str) -> None:
    if isinstance(want, float) or isinstance(result, float):
        assert result == pytest.approx(want), line
    else:
        assert result == want, line
    assert isinstance(result, bool) == isinstance(want, bool), line
    assert (result is None) == (want is None), line


def check_line(line: str, compile_: Any, run: Any) -> None:
    match = LINE.match(line)
    assert match, f"example without an expected result: {line!r}"
    source, kind, want = match.group("source"), match.group("kind"), match.group("want").strip()
    if kind == "error:":
        with pytest.raises(ExpressionError) as info:
            compile_(source)
        assert info.value.message == want, line
        return
    compiled = compile_(source)
    if kind == "=>":
        assert_same(run(compiled), parse_value(want), line)
    elif kind == "missing:":
        with pytest.raises(MissingValueError) as missing:
            run(compiled)
        assert missing.value.name == want, line
    else:
        with pytest.raises(Exception) as raised:  # noqa: PT011 - the class is checked below
            run(compiled)
        error = raised.value
        assert want in (type(error).__name__, f"{type(error).__name__}: {error}"), line


@pytest.mark.parametrize("body", examples("kamcore-expr"))
def test_expression_examples(body: str) -> None:
    values = fresh_values()
    for line in body.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("# given:"):
            values.update(parse_given(stripped.removeprefix("# given:")))
            continue
        check_line(
            line,
            lambda source: compile_expression(source, SCOPE),
            lambda compiled, values=values: compiled.fn(values),
        )


@pytest.mark.parametrize("body", examples("kamcore-cell"))
def test_cell_examples(body: str) -> None:
    values = fresh_values()
    column: str | None = None
    for line in body.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("# given:"):
            values.update(parse_given(stripped.removeprefix("# given:")))
            continue
        if stripped.startswith("# input:"):
            given = parse_given(stripped.removeprefix("# input:"))
            (column,) = given
            values.update(given)
            continue
        assert column is not None, "a cell example needs an `# input:` line first"
        name = column
        check_line(
            line,
            lambda cell, name=name: compile_unary_test(cell, name, SCOPE.names[name], SCOPE),
            lambda test, name=name, values=values: test.test(values[name], values),
        )


@pytest.mark.parametrize("body", examples("kamcore-bands"))
def test_band_examples(body: str) -> None:
    domain = None
    bands = []
    expected: list[str] = []
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith("# range:"):
            domain = parse_interval(stripped.removeprefix("# range:"))
        elif stripped.startswith("# =>"):
            message = stripped.removeprefix("# =>").strip()
            if message != "ok":
                expected.append(message)
        elif stripped:
            label, _, text = stripped.partition("=")
            bands.append((label.strip(), parse_interval(text)))
    assert bands
    assert check_bands(bands, domain) == expected


@pytest.mark.parametrize("body", examples("kamcore-error"))
def test_rendered_error_examples(body: str) -> None:
    header, expression, caret = body.splitlines()
    with pytest.raises(ExpressionError) as info:
        compile_expression(expression.removeprefix("    "), SCOPE)
    assert header.endswith("] " + info.value.message)
    assert info.value.caret() == f"{expression}\n{caret}"


def test_every_block_is_an_executed_example() -> None:
    found = [(lang, line) for lang, _, line in blocks()]
    assert [item for item in found if item[0] not in KINDS] == []
    assert len(found) >= 25


def test_the_facts_table_matches_the_example_scope() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("The examples use these facts:", 1)[1].split("\n\n## ", 1)[0]
    table = dict(re.findall(r"^\| `([\w.]+)` \| ([^|]+?) \|$", section, re.MULTILINE))
    assert table == {name: str(type_) for name, type_ in NAMES.items()}
    declared = re.findall(r"`([\w.]+)` is declared with its values, `values = (\[.*?\])`", section)
    assert {name: frozenset(json.loads(values)) for name, values in declared} == DECLARED
