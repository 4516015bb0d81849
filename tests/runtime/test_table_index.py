"""The decision-table row index: the indexed path gives exactly what the scan gives.

Random tables (equalities, lists, negations, ranges, comparisons, ``-``, ``null`` and
conditions, over text, integer, float and mixed columns) are built through the real policy
compiler, once with indexing (forced on even for small tables) and once without. Both engines
evaluate the same accounts: outputs, fired rows, warnings, errors and UNIQUE violations must be
identical. The engine may run small tables through its generated fast path instead of
``CompiledTable.evaluate``, so ``evaluate`` is also compared directly, on values no typed input
produces (booleans, NaN, texts in number columns). Hand-written cases pin the interval
boundaries and a row the index must not leave out (a failing cell left of the column that
rules it out).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kamcore import Engine
from kamcore.runtime import tables
from kamcore.runtime.context import AccountRun
from kamcore.runtime.table_lint import iter_overlaps
from kamcore.runtime.tables import CompiledTable

AS_OF = "2026-06-30"
HEADER = """[policy]
id = "ix"
version = "1"

[inputs.s]
type = "string"
[inputs.n]
type = "integer"
[inputs.x]
type = "number"

[metrics]
m = "n if coalesce(s, '') == 'a' else x"
"""
#: s: text; n: integers; x: floats; m: an int or a float, depending on s.
INPUTS = ["s", "n", "x", "m"]
NUMBERS = [-1, 0, 1, 2, 2.5, 3, 10]


@contextmanager
def indexing(on: bool, min_rows: int = 0) -> Iterator[None]:
    """Tables compiled inside are indexed from ``min_rows`` rows, or never."""
    saved = tables.INDEXING, tables.MIN_INDEXED_ROWS
    tables.INDEXING, tables.MIN_INDEXED_ROWS = on, min_rows
    try:
        yield
    finally:
        tables.INDEXING, tables.MIN_INDEXED_ROWS = saved


def engines(policy: str) -> tuple[Engine, Engine]:
    """``(indexed, scanning)`` engines of the same policy text."""
    with indexing(True):
        indexed = Engine.from_text(policy)
    with indexing(False):
        scanning = Engine.from_text(policy)
    return indexed, scanning


def toml_row(row_id: str, cells: list[str], then: str) -> str:
    when = ", ".join(f"'{c}'" for c in cells)
    return f'  {{ id = "{row_id}", when = [{when}], then = ["{then}"] }},'


def policy_text(
    hit: str, rows: list[tuple[str, list[str]]], *, default: bool, inputs: list[str] = INPUTS
) -> str:
    lines = [HEADER, "[tables.t]", f'hit = "{hit}"', f"inputs = {inputs!r}".replace("'", '"')]
    lines.append('outputs = ["o"]')
    if hit in ("PRIORITY", "OUTPUT ORDER"):
        ranked = ", ".join(f'"{row_id}"' for row_id, _ in reversed(rows))
        lines.append(f'output_values = {{ o = [{ranked}, "none"] }}')
    if default:
        lines.append('default = { o = "none" }')
    lines.append("rules = [")
    lines.extend(toml_row(row_id, cells, row_id) for row_id, cells in rows)
    lines.append("]")
    return "\n".join(lines) + "\n"


# -- random cells -----------------------------------------------------------------------------

number = st.sampled_from(NUMBERS)


def _literal(value: float) -> str:
    return repr(value)


@st.composite
def interval_cell(draw: st.DrawFn) -> str:
    lo, hi = sorted((draw(number), draw(number)))
    shape = draw(st.sampled_from(["both", "lo", "hi"]))
    if shape == "lo":
        return f"{draw(st.sampled_from('[(]'))}{lo}..)"
    if shape == "hi":
        return f"(..{hi}{draw(st.sampled_from(')]['))}"
    if lo == hi:
        return f"[{lo}..{hi}]"
    return f"{draw(st.sampled_from('[(]'))}{lo}..{hi}{draw(st.sampled_from(')]['))}"


def number_cell() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just("-"),
        number.map(_literal),
        st.lists(number, min_size=2, max_size=3).map(lambda vs: ", ".join(map(_literal, vs))),
        number.map(lambda v: f"not({v!r})"),
        interval_cell(),
        st.tuples(st.sampled_from([">", ">=", "<", "<="]), number).map(lambda t: f"{t[0]} {t[1]}"),
        st.just("null"),
        st.just("> n"),  # a comparison with another fact: fails when n is missing
        st.just("x >= 2"),  # a full condition, reading x whatever the column
    )


def string_cell() -> st.SearchStrategy[str]:
    texts = st.sampled_from(["a", "b", "c"])
    return st.one_of(
        st.just("-"),
        texts.map(lambda t: f'"{t}"'),
        st.lists(texts, min_size=2, max_size=3, unique=True).map(
            lambda ts: ", ".join(f'"{t}"' for t in ts)
        ),
        texts.map(lambda t: f'not("{t}")'),
        st.just("null"),
        st.just("n > 1"),
    )


@st.composite
def table_rows(draw: st.DrawFn) -> list[tuple[str, list[str]]]:
    # up to 40 rows: small tables and ones past any size threshold of the evaluation path
    count = draw(st.integers(min_value=1, max_value=40))
    rows = []
    for i in range(count):
        cells = [draw(string_cell()), draw(number_cell()), draw(number_cell()), draw(number_cell())]
        rows.append((f"r{i}", cells))
    return rows


maybe_text = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]))
maybe_int = st.one_of(st.none(), st.sampled_from([-1, 0, 1, 2, 3, 10]))
maybe_number = st.one_of(st.none(), st.sampled_from([*NUMBERS, 2.0, 2.4999, 9.5, -0.0, 1e9]))


@st.composite
def portfolio(draw: st.DrawFn) -> list[dict[str, Any]]:
    size = draw(st.integers(min_value=1, max_value=25))
    accounts = []
    for i in range(size):
        row: dict[str, Any] = {"id": f"A{i}"}
        for key, values in (("s", maybe_text), ("n", maybe_int), ("x", maybe_number)):
            value = draw(values)
            if value is not None or draw(st.booleans()):
                row[key] = value
        accounts.append(row)
    return accounts


def unique_rows(rows: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """The rows kept greedily so that the load-time overlap check of UNIQUE passes.

    Rows with a negation or a condition are not checked at load time, so they stay and can
    still both match an account: the violations the index must report as the scan does.
    """
    with indexing(False):
        table = Engine.from_text(policy_text("FIRST", rows, default=False)).policy.tables[0]
    kept: list[int] = []
    for i, row in enumerate(table.rows):
        pairs = [[table.rows[k].cells, row.cells] for k in kept]
        if not any(any(True for _ in iter_overlaps(pair, INPUTS)) for pair in pairs):
            kept.append(i)
    return [rows[i] for i in kept]


def assert_same(policy: str, accounts: list[dict[str, Any]]) -> None:
    indexed, scanning = engines(policy)
    for explain in ("none", "full"):
        got = indexed.evaluate_portfolio(accounts, as_of=AS_OF, explain=explain)
        want = scanning.evaluate_portfolio(accounts, as_of=AS_OF, explain=explain)
        assert got.evaluations == want.evaluations
        assert got.errors == want.errors


def settings_for(examples: int) -> Any:
    # Each example compiles two or three engines (~50 ms each): examples are few but each
    # evaluates a whole portfolio, where the variety lies.
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


ALL_HITS = ["UNIQUE", "ANY", "FIRST", "PRIORITY", "RULE ORDER", "OUTPUT ORDER", "COLLECT"]


def table_policy(hit: str, rows: list[tuple[str, list[str]]], default: bool) -> str:
    """The policy of a random table; UNIQUE and ANY keep only rows the load-time check allows
    (every row has its own output, so ANY minds every overlap as UNIQUE does)."""
    if hit in ("UNIQUE", "ANY"):
        rows = unique_rows(rows)
    return policy_text(hit, rows, default=default)


@settings_for(100)
@given(
    rows=table_rows(),
    accounts=portfolio(),
    default=st.booleans(),
    hit=st.sampled_from(["FIRST", "UNIQUE", *ALL_HITS]),
)
def test_indexed_equals_scan(
    rows: list[tuple[str, list[str]]], accounts: list[dict[str, Any]], default: bool, hit: str
) -> None:
    """Through the engine: evaluations and error records, at explain none and full."""
    assert_same(table_policy(hit, rows, default), accounts)


# -- the table alone, with any values at all --------------------------------------------------

#: What the pipeline hands a table (and odd values no typed input produces): a missing value,
#: booleans and texts where numbers are expected, NaN and infinities, ints beyond floats.
ORDINARY: list[Any] = [*NUMBERS, 2.0, 2.4999, 9.5, -0.0, "a", "b", "c"]
ODD: list[Any] = [None, True, False, math.nan, math.inf, -math.inf, 2**70, "2", 1e300]
VALUE = st.sampled_from(ORDINARY * 3 + ODD)


def run(table: CompiledTable, values: dict[str, Any], fired: bool) -> tuple[Any, ...]:
    """Everything one evaluation of ``table`` shows: outputs or error, fired rows, warnings."""
    acc = AccountRun("A", dict(values), {"warnings": []}, [] if fired else None, None, date.today())
    try:
        result: Any = table.evaluate(acc)
    except Exception as exc:  # the error itself is what is compared
        result = (type(exc).__name__, str(exc), getattr(exc, "where", None))
    return result, acc.fired, acc.out


@settings_for(100)
@given(
    rows=table_rows(),
    hit=st.sampled_from(["FIRST", "UNIQUE", *ALL_HITS]),
    default=st.booleans(),
    inputs=st.lists(st.fixed_dictionaries(dict.fromkeys(INPUTS, VALUE)), min_size=1, max_size=40),
)
def test_table_indexed_equals_scan(
    rows: list[tuple[str, list[str]]], hit: str, default: bool, inputs: list[dict[str, Any]]
) -> None:
    """``evaluate`` itself, on the table the engine compiled and a twin compiled unindexed."""
    with indexing(True):
        indexed = Engine.from_text(table_policy(hit, rows, default)).policy.tables[0]
    with indexing(False):
        scanning = dataclasses.replace(indexed)  # the same rows, compiled without an index
    assert not scanning.indexed
    for values in inputs:
        for fired in (True, False):
            got = run(indexed, values, fired)
            want = run(scanning, values, fired)
            assert repr(got) == repr(want)  # repr: NaN != NaN inside a comparison of tuples


# -- hand-written cases -----------------------------------------------------------------------

BANDS = [
    ("neg", ["-", "-", "< 0", "-"]),
    ("low", ["-", "-", "[0..10)", "-"]),
    ("ten", ["-", "-", "[10..20]", "-"]),
    ("mid", ["-", "-", "(20..30)", "-"]),
    ("five", ["-", "-", "5", "-"]),
    ("high", ["-", "-", ">= 30", "-"]),
    ("b-list", ['"b", "c"', "-", "-", "-"]),
    ("not-a", ['not("a")', "2, 3", "-", "-"]),
    ("n-big", ["-", "> 5", "-", "-"]),
    ("catch", ["-", "-", "-", "-"]),
]


def first_table() -> tuple[Engine, Engine]:
    policy = policy_text("FIRST", BANDS, default=False)
    with indexing(True, min_rows=tables.MIN_INDEXED_ROWS):
        indexed = Engine.from_text(policy)
    with indexing(False):
        scanning = Engine.from_text(policy)
    return indexed, scanning


@pytest.mark.parametrize(
    ("x", "row"),
    [
        (-0.000001, "neg"),
        (-0.0, "low"),
        (0, "low"),
        (5, "low"),
        (9.999999, "low"),
        (10, "ten"),
        (10.0, "ten"),
        (20, "ten"),
        (20.000001, "mid"),
        (29.99, "mid"),
        (30, "high"),
        (1e300, "high"),
    ],
)
def test_interval_boundaries(x: float, row: str) -> None:
    indexed, scanning = first_table()
    assert indexed.policy.tables[0].indexed
    assert not scanning.policy.tables[0].indexed
    account = {"id": "A", "s": "a", "n": 1, "x": x}
    for engine in (indexed, scanning):
        result = engine.evaluate_portfolio([account], as_of=AS_OF, explain="full")
        (evaluation,) = result.evaluations
        assert evaluation["outputs"] == {"o": row}
        assert evaluation["fired"][0]["rule"] == f"tables.t.rules[{row}]"


def test_missing_value_fails_the_same_cell() -> None:
    indexed, scanning = first_table()
    account = {"id": "A", "s": "a", "n": 1}  # x missing: row `neg` fails on it
    got = indexed.evaluate_portfolio([account], as_of=AS_OF).errors
    assert got == scanning.evaluate_portfolio([account], as_of=AS_OF).errors
    assert got[0]["where"] == "tables.t.rules[neg].when[2]"


def test_a_failing_cell_left_of_the_deciding_column_still_fails() -> None:
    # `"z"` rules row `cond` out for s = "a", but the scan never gets there: the condition on
    # its left fails first (n is missing). The index must keep the row so the account fails.
    rows = [(f"r{i}", [f'"v{i}"', "-"]) for i in range(10)]
    rows.insert(3, ("cond", ["n > 1", '"z"']))
    policy = policy_text("FIRST", rows, default=True, inputs=["s", "s"])
    indexed, scanning = engines(policy)
    account = {"id": "A", "s": "a"}
    got = indexed.evaluate_portfolio([account], as_of=AS_OF).errors
    assert got == scanning.evaluate_portfolio([account], as_of=AS_OF).errors
    assert got[0]["where"] == "tables.t.rules[cond].when[0]"


def test_unique_violation_is_reported_with_the_same_rows() -> None:
    rows = [(f"r{i}", [f'"v{i}"', "-", f"[{i}..{i + 1})", "-"]) for i in range(10)]
    rows.append(("neg", ['not("v0")', "-", ">= 3", "-"]))  # negations are not linted
    policy = policy_text("UNIQUE", rows, default=True)
    indexed, scanning = engines(policy)
    account = {"id": "A", "s": "v4", "n": 1, "x": 4.5}
    got = indexed.evaluate_portfolio([account], as_of=AS_OF).errors
    assert got == scanning.evaluate_portfolio([account], as_of=AS_OF).errors
    assert "rows `r4` and `neg` both match" in got[0]["reason"]


def test_small_tables_and_switched_off_indexing_scan() -> None:
    small = policy_text("FIRST", BANDS[:3], default=True)
    with indexing(True, min_rows=tables.MIN_INDEXED_ROWS):
        assert not Engine.from_text(small).policy.tables[0].indexed
    with indexing(False):
        assert (
            not Engine.from_text(policy_text("FIRST", BANDS, default=True)).policy.tables[0].indexed
        )


def test_a_table_of_conditions_only_is_not_indexed() -> None:
    rows = [(f"r{i}", [f"n > {i}"]) for i in range(12)]
    with indexing(True):
        engine = Engine.from_text(policy_text("FIRST", rows, default=True, inputs=["s"]))
    assert not engine.policy.tables[0].indexed
