"""Decision tables (DMN): rows of unary tests over input columns, resolved by a hit policy.

Consultants know tables by the DMN vocabulary, so kamcore implements all of it: the single-hit
policies UNIQUE, ANY, FIRST and PRIORITY and the multiple-hit policies RULE ORDER, OUTPUT ORDER
and COLLECT (optionally aggregated by SUM, MIN, MAX or COUNT). Everything that can be checked
without an account is checked when the policy loads: cell counts, cell types against the input
column's type, output values against the declared ones, and, for UNIQUE and ANY tables, rows that
can both match. What is left for evaluation time (two rows of a UNIQUE table matching after all,
a missing value compared in a cell) fails that one account with the rows or the cell named.

Evaluation is kept flat: every input expression runs once per account, ``-`` cells are dropped
when the table compiles, and a FIRST table stops at its first match. A table of at least
:data:`MIN_INDEXED_ROWS` rows also gets an index (:mod:`.table_index`) built from its rows'
:class:`~kamcore.expr.UnaryTest` cells: it hands evaluation the few rows that can match an
account, in table order, and those are tested exactly as a scan tests them, so a thousand-row
table costs little more than a ten-row one and gives the same answers and the same errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ..errors import AccountError, ExpressionError
from ..expr import CompiledExpr, UnaryTest, compile_unary_test
from ..expr.suggest import did_you_mean
from ..types import Type
from .context import AccountRun, CompileContext
from .rules import guard
from .table_index import TableIndex, build_index
from .table_lint import Overlap, find_overlaps, format_value
from .trace import record

__all__ = [
    "AGGREGATES",
    "HIT_POLICIES",
    "INDEXING",
    "MIN_INDEXED_ROWS",
    "MULTI_HIT",
    "SINGLE_HIT",
    "CompiledTable",
    "TableRow",
    "compile_table",
]

#: Hit policies returning one row's outputs.
SINGLE_HIT: Final = ("UNIQUE", "ANY", "FIRST", "PRIORITY")
#: Hit policies returning every matching row's outputs (a list per output).
MULTI_HIT: Final = ("RULE ORDER", "OUTPUT ORDER", "COLLECT")
HIT_POLICIES: Final = SINGLE_HIT + MULTI_HIT
#: Aggregations allowed with COLLECT; they turn the list into one number.
AGGREGATES: Final = ("SUM", "MIN", "MAX", "COUNT")

#: Whether tables compiled from now on get a row index. The index changes speed, never results;
#: switching it off (tests comparing both paths, the benchmark) makes every table scan.
INDEXING = True
#: Tables with fewer rows are scanned: below this, masks and bit tricks cost more than they save.
MIN_INDEXED_ROWS = 9

_OUTPUT_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")

_Test = Callable[[Any, Mapping[str, Any]], bool]


@dataclass(frozen=True, slots=True)
class TableRow:
    """One compiled rule of a table.

    :param position: 0-based position in the table (table order for FIRST and RULE ORDER).
    :param key_path: ``tables.<table>.rules[<rule>]``: the rule's name in the trace, and the
        prefix of its cells' key paths in errors.
    :param cells: one unary test per input column, ``-`` included, so an index can be built
        from each cell's ``kind``, ``values`` and ``interval``.
    :param checks: ``(column, test)`` for the cells that actually test something, in column
        order: what evaluation runs.
    :param then: the row's output literals, one per output.
    :param rank: position of each ``then`` value in its output's declared ``output_values``
        (PRIORITY and OUTPUT ORDER sort on it); outputs without declared values rank equal, so
        table order breaks the tie.
    :param names: the names this row reads (its tested columns' inputs and its cells), for the
        fired-rule trace.
    """

    id: str
    position: int
    key_path: str
    cells: tuple[UnaryTest, ...]
    checks: tuple[tuple[int, _Test], ...]
    then: tuple[Any, ...]
    rank: tuple[int, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class CompiledTable:
    """A decision table ready to evaluate accounts.

    :param hit: the hit policy, one of :data:`HIT_POLICIES`.
    :param aggregate: with COLLECT, one of :data:`AGGREGATES`; else ``None``.
    :param inputs: the compiled input expressions, one per column.
    :param output_values: the declared, ordered values of the outputs that have them.
    :param default: output name -> value used when no row matches (empty: no default declared).
    :param names: every name the table reads, in first-use order.
    """

    id: str
    hit: str
    aggregate: str | None
    inputs: tuple[CompiledExpr, ...]
    outputs: tuple[str, ...]
    rows: tuple[TableRow, ...]
    output_values: Mapping[str, tuple[Any, ...]]
    default: Mapping[str, Any]
    names: tuple[str, ...]
    value_kinds: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Derived once: evaluate() runs per account and reads these on every call.
        object.__setattr__(self, "key_path", f"tables.{self.id}")
        object.__setattr__(self, "multi_hit", self.hit in MULTI_HIT)
        object.__setattr__(self, "_input_fns", tuple(e.fn for e in self.inputs))
        warnings = (
            ()
            if self.multi_hit
            else tuple(
                f"table `{self.id}`: no rule matched and output `{name}` has no default"
                for name in self.outputs
                if name not in self.default
            )
        )
        object.__setattr__(self, "_no_match_warnings", warnings)
        index = None
        if INDEXING and len(self.rows) >= MIN_INDEXED_ROWS:
            index = build_index([row.cells for row in self.rows])
        object.__setattr__(self, "_index", index)

    #: ``tables.<id>``: where AccountErrors about the whole table point.
    key_path: str = field(init=False, repr=False, compare=False)
    #: Whether the table yields every match (a list, or an aggregate) rather than one.
    multi_hit: bool = field(init=False, repr=False, compare=False)
    _input_fns: tuple[Callable[[Mapping[str, Any]], Any], ...] = field(
        init=False, repr=False, compare=False
    )
    #: what a single-hit table that matches nothing warns: one per output without a default
    _no_match_warnings: tuple[str, ...] = field(init=False, repr=False, compare=False)
    #: the row index, or ``None``: the table is scanned (small, indexing off, nothing to index)
    _index: TableIndex | None = field(init=False, repr=False, compare=False)

    @property
    def indexed(self) -> bool:
        """Whether evaluation narrows the rows through an index (else it scans them all)."""
        return self._index is not None

    def output_types(self) -> dict[str, Type]:
        """The type of each output as later expressions see it.

        A single-hit output may be missing (no match, no default); a multiple-hit output is a
        list of its values; an aggregated COLLECT is a number (missing for SUM/MIN/MAX over no
        match, never for COUNT).
        """
        types: dict[str, Type] = {}
        for name in self.outputs:
            kind = self.value_kinds.get(name, "any")
            if self.aggregate is not None:
                types[name] = Type("number", optional=self.aggregate != "COUNT")
            elif self.multi_hit:
                types[name] = Type("list", item=Type(kind))
            else:
                types[name] = Type(kind, optional=True)
        return types

    # -- evaluation -------------------------------------------------------------------------

    def evaluate(self, acc: AccountRun) -> dict[str, Any]:
        """Run the table for one account: output name -> value.

        :raises AccountError: two rows match a UNIQUE table, matching rows of an ANY table
            disagree, or a cell or input compares a missing value (or divides by zero).
        """
        matched = self._match(acc)
        if not matched:
            return self._no_match(acc)
        chosen = self._resolve(acc, matched) if len(matched) > 1 else matched
        if acc.fired is not None:
            for row in chosen:
                record(acc, row.key_path, "table_row", row.names)
        if not self.multi_hit:
            return dict(zip(self.outputs, chosen[0].then, strict=True))
        if self.aggregate is not None:
            return {self.outputs[0]: _aggregate(self.aggregate, [r.then[0] for r in chosen])}
        return {name: [r.then[i] for r in chosen] for i, name in enumerate(self.outputs)}

    def _match(self, acc: AccountRun) -> list[TableRow]:
        """Compute the inputs, then every matching row in table order (only the first for
        FIRST).

        One guard covers both loops, and where a failure happened is worked out only after
        one: an input while ``row`` is unset (the failing column is the first not computed),
        else the cell ``column`` of ``row``. With an index, only its candidate rows are tested;
        the rows it leaves out are rows the scan would reject without an error.
        """
        values = acc.values
        index = self._index
        first_only = self.hit == "FIRST"
        inputs: list[Any] = []
        matched: list[TableRow] = []
        row: TableRow | None = None
        column = 0

        def failed() -> tuple[str, CompiledExpr | str]:
            if row is None:
                return f"{self.key_path}.inputs[{len(inputs)}]", self.inputs[len(inputs)]
            return f"{row.key_path}.when[{column}]", row.cells[column].cell

        with guard(acc, failed):
            for fn in self._input_fns:
                inputs.append(fn(values))
            rows = self.rows if index is None else index.candidates(inputs, self.rows)
            for row in rows:
                for column, test in row.checks:
                    if not test(inputs[column], values):
                        break
                else:
                    matched.append(row)
                    if first_only:
                        break
        return matched

    def _resolve(self, acc: AccountRun, matched: list[TableRow]) -> list[TableRow]:
        """Apply the hit policy to the matching rows: the rows whose outputs are returned."""
        hit = self.hit
        if hit == "UNIQUE":
            if len(matched) > 1:
                a, b = matched[0].id, matched[1].id
                raise AccountError(
                    acc.account_id,
                    self.key_path,
                    f"rows `{a}` and `{b}` both match; hit policy UNIQUE allows one",
                )
            return matched
        if hit == "ANY":
            first = matched[0]
            for other in matched[1:]:
                if other.then != first.then:
                    raise AccountError(
                        acc.account_id,
                        self.key_path,
                        f"rows `{first.id}` and `{other.id}` both match but give different "
                        "outputs; hit policy ANY requires them to agree",
                    )
            return [first]
        if hit == "FIRST":
            return matched[:1]
        if hit == "PRIORITY":
            return [min(matched, key=_by_rank)]
        if hit == "OUTPUT ORDER":
            return sorted(matched, key=_by_rank)
        return matched  # RULE ORDER, COLLECT

    def _no_match(self, acc: AccountRun) -> dict[str, Any]:
        """The declared defaults; an output without one is missing, an empty list, or 0.

        Only a single-hit output coming out missing is worth a warning: a multiple-hit table
        that matches nothing (no segment applies) has simply found nothing.
        """
        if self._no_match_warnings:
            acc.out.setdefault("warnings", []).extend(self._no_match_warnings)
        result: dict[str, Any] = {}
        for name in self.outputs:
            if name in self.default:
                value = self.default[name]
                if self.multi_hit and self.aggregate is None:
                    value = list(value) if isinstance(value, list) else [value]
                result[name] = value
            elif self.aggregate == "COUNT":
                result[name] = 0
            elif self.multi_hit and self.aggregate is None:
                result[name] = []
            else:
                result[name] = None
        return result


def _by_rank(row: TableRow) -> tuple[int, ...]:
    return row.rank


def _aggregate(aggregate: str, outputs: list[Any]) -> Any:
    if aggregate == "COUNT":
        return len(outputs)
    if aggregate == "MIN":
        return min(outputs)
    if aggregate == "MAX":
        return max(outputs)
    total: Any = 0
    for value in outputs:  # left to right, as written: sum() may compensate on newer Pythons
        total = total + value
    return total


# -- compilation ------------------------------------------------------------------------------


def _is_literal(value: object) -> bool:
    return isinstance(value, str | bool | int | float)


def _kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell_source(cell: object) -> str | None:
    """The unary-test text of a cell; TOML numbers and booleans are accepted as literals.

    A TOML ``true`` becomes the dialect's ``True``, so authors need not quote booleans.
    """
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "True" if cell else "False"
    if isinstance(cell, int | float):
        return repr(cell)
    return None


def _suggest(value: object, allowed: Sequence[Any]) -> str:
    """``; did you mean "KA"?`` for a value close to an allowed one, quoted as in a cell
    (case-only differences first, as :func:`~kamcore.expr.suggest.did_you_mean` does)."""
    if not isinstance(value, str):
        return ""
    close = did_you_mean(value, [a for a in allowed if isinstance(a, str)])
    return f"; did you mean {format_value(close)}?" if close else ""


class _TableCompiler:
    """Checks one ``[tables.<id>]`` section, recording every problem before giving up.

    The header (hit policy, inputs, outputs, declared values) is checked first and kept on the
    compiler, so the row checks can refer to it.
    """

    def __init__(self, ctx: CompileContext, table_id: str, spec: object) -> None:
        self.ctx = ctx
        self.table_id = table_id
        self.raw_spec = spec
        self.spec: Mapping[str, Any] = spec if isinstance(spec, Mapping) else {}
        self.path = f"tables.{table_id}"
        self.start = len(ctx.problems)
        self.hit = "UNIQUE"
        self.aggregate: str | None = None
        self.inputs: list[CompiledExpr | None] = []
        self.sources: list[str] = []
        self.outputs: list[str] = []
        self.output_values: dict[str, list[Any]] = {}

    def problem(self, message: str, key_path: str, detail: str = "") -> None:
        self.ctx.problem(message, key_path, detail)

    def failed(self) -> bool:
        return len(self.ctx.problems) > self.start

    def compile(self) -> CompiledTable | None:
        if not isinstance(self.raw_spec, Mapping):
            self.problem("expected a table of keys (hit, inputs, outputs, rules)", self.path)
            return None
        self._hit_policy()
        self._inputs()
        self._outputs()
        self._output_values()
        first = self.outputs[0] if self.outputs else None
        if self.hit in ("PRIORITY", "OUTPUT ORDER") and first and first not in self.output_values:
            self.problem(
                f"hit policy {self.hit} ranks rows by the declared order of `{first}`'s values; "
                f"add output_values.{first} = [...]",
                f"{self.path}.hit",
            )
        rows = self._rows()
        default = self._default()
        kinds = self._value_kinds(rows, default)
        if self.failed():
            return None
        if self.hit in ("UNIQUE", "ANY"):
            self._lint_overlaps(rows)
            if self.failed():
                return None
        names: dict[str, None] = {}
        for expr in self.inputs:
            if expr is not None:
                names.update(dict.fromkeys(expr.names))
        for row in rows:
            names.update(dict.fromkeys(row.names))
        return CompiledTable(
            id=self.table_id,
            hit=self.hit,
            aggregate=self.aggregate,
            inputs=tuple(e for e in self.inputs if e is not None),
            outputs=tuple(self.outputs),
            rows=tuple(rows),
            output_values={k: tuple(v) for k, v in self.output_values.items()},
            default=default,
            names=tuple(names),
            value_kinds=kinds,
        )

    # -- header ---------------------------------------------------------------------------

    def _hit_policy(self) -> None:
        hit = self.spec.get("hit", "UNIQUE")
        if hit not in HIT_POLICIES:
            self.problem(
                f"unknown hit policy {hit!r}; expected one of {', '.join(HIT_POLICIES)}",
                f"{self.path}.hit",
            )
        else:
            self.hit = str(hit)
        aggregate = self.spec.get("aggregate")
        key = f"{self.path}.aggregate"
        if aggregate is None:
            return
        if aggregate not in AGGREGATES:
            self.problem(
                f"unknown aggregate {aggregate!r}; expected one of {', '.join(AGGREGATES)}", key
            )
        elif self.hit != "COLLECT":
            self.problem(
                f"`aggregate` is only allowed with hit policy COLLECT (this table is {self.hit})",
                key,
            )
        else:
            self.aggregate = str(aggregate)

    def _inputs(self) -> None:
        raw = self.spec.get("inputs")
        if not isinstance(raw, list) or not raw:
            self.problem("`inputs` must be a non-empty array of expressions", f"{self.path}.inputs")
            return
        self.inputs = [self.ctx.expr(src, f"{self.path}.inputs[{i}]") for i, src in enumerate(raw)]
        self.sources = [src if isinstance(src, str) else repr(src) for src in raw]

    def _outputs(self) -> None:
        raw = self.spec.get("outputs")
        key = f"{self.path}.outputs"
        if not isinstance(raw, list) or not raw:
            self.problem("`outputs` must be a non-empty array of output names", key)
            return
        for name in raw:
            if not isinstance(name, str) or not _OUTPUT_NAME.match(name):
                self.problem(f"invalid output name {name!r}: use lower_case words", key)
            elif name in self.outputs:
                self.problem(f"output `{name}` is listed twice", key)
            else:
                self.outputs.append(name)
        if self.aggregate is not None and len(raw) != 1:
            self.problem(
                f"aggregate {self.aggregate} combines one output; this table has {len(raw)}", key
            )

    def _output_values(self) -> None:
        raw = self.spec.get("output_values", {})
        key = f"{self.path}.output_values"
        if not isinstance(raw, Mapping):
            self.problem("`output_values` must map output names to arrays of values", key)
            return
        for name, allowed in raw.items():
            if name not in self.outputs:
                self.problem(f"output_values names `{name}`, which is not an output", key)
                continue
            if (
                not isinstance(allowed, list)
                or not allowed
                or not all(_is_literal(v) for v in allowed)
            ):
                self.problem(
                    f"output_values.{name} must be a non-empty array of strings, numbers or "
                    "booleans",
                    f"{key}.{name}",
                )
                continue
            for i, v in enumerate(allowed):
                if _among(v, allowed[:i]):
                    self.problem(f"output_values.{name} lists {format_value(v)} twice", key)
            self.output_values[name] = list(allowed)

    # -- rows -----------------------------------------------------------------------------

    def _rows(self) -> list[TableRow]:
        raw = self.spec.get("rules", [])
        if not isinstance(raw, list):
            self.problem("`rules` must be an array of tables", f"{self.path}.rules")
            return []
        scope = self.ctx.scope()
        rows: list[TableRow] = []
        for position, (rule_id, rule, key) in enumerate(
            self.ctx.identified(raw, f"{self.path}.rules", "rule")
        ):
            row = self._row(rule, rule_id, position, key, scope)
            if row is not None:
                rows.append(row)
        return rows

    def _row(
        self, rule: Mapping[str, Any], rule_id: str, position: int, key: str, scope: Any
    ) -> TableRow | None:
        when = self._row_list(rule.get("when"), rule_id, "when", len(self.inputs), key)
        then = self._row_list(rule.get("then"), rule_id, "then", len(self.outputs), key)
        if when is None or then is None or not self.inputs or not self.outputs:
            return None
        for i, (name, value) in enumerate(zip(self.outputs, then, strict=True)):
            self._check_then(rule_id, f"{key}.then[{i}]", name, value)
        cells: list[UnaryTest] = []
        for column, cell in enumerate(when):
            test = self._cell(cell, f"{key}.when[{column}]", column, scope)
            if test is not None:
                cells.append(test)
        if len(cells) != len(when):
            return None
        checks: list[tuple[int, _Test]] = []
        names: dict[str, None] = {}
        for column, test in enumerate(cells):
            if test.kind == "any":
                continue
            checks.append((column, test.test))
            input_expr = self.inputs[column]
            assert input_expr is not None
            names.update(dict.fromkeys(input_expr.names))
            names.update(dict.fromkeys(test.names))
        return TableRow(
            id=rule_id,
            position=position,
            key_path=key,
            cells=tuple(cells),
            checks=tuple(checks),
            then=tuple(then),
            rank=tuple(
                _rank(value, self.output_values.get(name))
                for name, value in zip(self.outputs, then, strict=True)
            ),
            names=tuple(names),
        )

    def _row_list(
        self, value: object, rule_id: str, field_name: str, expected: int, key: str
    ) -> list[Any] | None:
        """A rule's ``when`` or ``then`` array, if it has one entry per input / output."""
        item, owner = ("cell", "input") if field_name == "when" else ("value", "output")
        if not isinstance(value, list):
            self.problem(
                f"rule `{rule_id}`: `{field_name}` must be an array with one {item} per {owner} "
                f"({expected})",
                f"{key}.{field_name}",
            )
            return None
        if expected and len(value) != expected:
            self.problem(
                f"rule `{rule_id}` has {_count(len(value), item)} in `{field_name}` but the table "
                f"has {_count(expected, owner)}",
                f"{key}.{field_name}",
            )
            return None
        return value

    def _cell(self, cell: object, key: str, column: int, scope: Any) -> UnaryTest | None:
        source = _cell_source(cell)
        if source is None:
            self.problem(
                'a cell must be a unary test written as a string (`>= 5`, `"retail"`, `-`), '
                f"got {cell!r}",
                key,
            )
            return None
        input_expr = self.inputs[column]
        if input_expr is None:  # the input column itself failed; its problem is recorded
            return None
        try:
            test = compile_unary_test(source, self.sources[column], input_expr.type, scope)
        except ExpressionError as exc:
            detail = exc.caret() + ("\n" + exc.hint if exc.hint else "")
            self.problem(exc.message, key, detail)
            return None
        self.ctx.use(test.names)
        for call in test.portfolio_calls:
            self.ctx.portfolio_calls.setdefault(call.key, call)
        return test

    def _check_then(self, rule_id: str, key: str, name: str, value: object) -> None:
        if not _is_literal(value):
            self.problem(
                f"rule `{rule_id}`: `then` values must be strings, numbers or booleans, "
                f"got {value!r} for `{name}`",
                key,
            )
            return
        allowed = self.output_values.get(name)
        if allowed is not None and not _among(value, allowed):
            self.problem(
                f"rule `{rule_id}`: {format_value(value)} is not one of the output_values of "
                f"`{name}` ({', '.join(format_value(v) for v in allowed)})"
                + _suggest(value, allowed),
                key,
            )
        if self.aggregate in ("SUM", "MIN", "MAX") and not _is_number(value):
            self.problem(
                f"rule `{rule_id}`: aggregate {self.aggregate} needs numbers, "
                f"got {format_value(value)} for `{name}`",
                key,
            )

    def _default(self) -> dict[str, Any]:
        raw = self.spec.get("default")
        key = f"{self.path}.default"
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.problem("`default` must map output names to values", key)
            return {}
        lists = self.hit in MULTI_HIT and self.aggregate is None
        default: dict[str, Any] = {}
        for name, value in raw.items():
            if name not in self.outputs:
                self.problem(f"default names `{name}`, which is not an output", key)
                continue
            items = value if lists and isinstance(value, list) else [value]
            if all(self._check_default(name, item, f"{key}.{name}") for item in items):
                default[name] = value
        return default

    def _check_default(self, name: str, item: object, key: str) -> bool:
        if not _is_literal(item):
            self.problem(f"default.{name} must be a string, number or boolean, got {item!r}", key)
            return False
        if self.aggregate is not None:
            if not _is_number(item):
                self.problem(
                    f"default.{name} of a table aggregated by {self.aggregate} must be a number, "
                    f"got {format_value(item)}",
                    key,
                )
                return False
            return True
        allowed = self.output_values.get(name)
        if allowed is not None and not _among(item, allowed):
            self.problem(
                f"default {format_value(item)} is not one of the output_values of `{name}` "
                f"({', '.join(format_value(v) for v in allowed)})" + _suggest(item, allowed),
                key,
            )
            return False
        return True

    def _value_kinds(self, rows: list[TableRow], default: Mapping[str, Any]) -> dict[str, str]:
        """The kind of each output, from every literal that can come out of it."""
        kinds: dict[str, str] = {}
        for i, name in enumerate(self.outputs):
            literals: list[Any] = list(self.output_values.get(name, ()))
            literals.extend(row.then[i] for row in rows)
            if name in default:
                value = default[name]
                literals.extend(value if isinstance(value, list) else [value])
            found = sorted({_kind_of(v) for v in literals if _is_literal(v)})
            if len(found) > 1:
                self.problem(
                    f"output `{name}` mixes {' and '.join(found)} values; "
                    "give an output one kind of value",
                    f"{self.path}.outputs",
                )
            kinds[name] = found[0] if len(found) == 1 else "any"
        return kinds

    def _lint_overlaps(self, rows: list[TableRow]) -> None:
        def conflicting(overlap: Overlap) -> bool:
            # UNIQUE allows no overlap at all; ANY allows rows that agree on their outputs
            return self.hit == "UNIQUE" or rows[overlap.first].then != rows[overlap.second].then

        found, more = find_overlaps([row.cells for row in rows], self.sources, keep=conflicting)
        for overlap in found:
            a, b = rows[overlap.first], rows[overlap.second]
            if self.hit == "UNIQUE":
                self.problem(
                    f"rows `{a.id}` and `{b.id}` overlap (e.g. {overlap.example})", b.key_path
                )
            else:
                self.problem(
                    f"rows `{a.id}` and `{b.id}` overlap (e.g. {overlap.example}) with "
                    "different outputs; hit policy ANY requires them to agree",
                    b.key_path,
                )
        if more:
            pairs = "pair" if more == 1 else "pairs"
            self.problem(f"... and {more} more overlapping {pairs}", f"{self.path}.rules")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _among(value: object, allowed: Sequence[Any]) -> bool:
    """Membership that keeps ``True`` and ``1`` apart, as the policy author means them."""
    return any(value == a and isinstance(value, bool) == isinstance(a, bool) for a in allowed)


def _rank(value: object, allowed: Sequence[Any] | None) -> int:
    if allowed is None:
        return 0
    for i, a in enumerate(allowed):
        if value == a and isinstance(value, bool) == isinstance(a, bool):
            return i
    return len(allowed)


def compile_table(
    ctx: CompileContext, table_id: str, spec: Mapping[str, Any]
) -> CompiledTable | None:
    """Compile ``[tables.<table_id>]``.

    Every problem is recorded on ``ctx`` with its key path (``tables.tier.rules[ka].when[1]``)
    so the author sees them all at once. The table's outputs are not declared here: the caller
    decides which stage makes them visible (a table deciding ``tier`` is read after ``[tier]``).

    :returns: the compiled table, or ``None`` when any problem was found.
    """
    return _TableCompiler(ctx, table_id, spec).compile()
