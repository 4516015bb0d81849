"""Generating one Python function per policy and explain level: the compiled hot path.

The plain pipeline walks section objects, loops over their rules and builds the evaluation
through generic helpers; for a decision as small as a typical KAM policy that bookkeeping costs
ten times the decision itself. The generated function does the same work in straight-line code:
facts read into locals with one class check each, the checked expression trees of every rule
spliced in where they are used, scorecard weights folded at generation time, and the evaluation
dict built with literals.

It is a *fast path*, not a second implementation: it handles the common, well-formed row and
returns ``None`` for anything else (a cell that needs converting or is missing, an account whose
evaluation fails, a table no row matches, a previous tier to hold on to), and the plain pipeline
then evaluates that row from scratch. Every value it writes is computed by the same operations
in the same order as the plain path, so for the rows it accepts the two are identical; tests
compare them byte for byte. Sections it does not inline (segments, lifecycle, non-linear
scorecards, large or multi-hit tables) are called through their own ``run`` methods.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..cells import MISSING_MARKERS
from ..compile import CompiledPolicy
from ..context import AccountRun
from ..inputs import _ABSENT, _ACCOUNT_KEYS, LIST_FIELDS, _read_cell, input_digest
from ..scorecards import CompiledScorecard
from ..tables import CompiledTable
from ..tactics import proposal
from ..templates import Template
from ..trace import json_ready
from .writer import CodeWriter, Unsupported

__all__ = ["FILENAME", "FastRow", "PhaseFunctions", "generate", "generate_phases"]

#: The file name of generated code in tracebacks.
FILENAME = "<kamcore compiled policy>"

#: ``fast(row, number, previous, as_of, as_of_iso)`` -> ``(account_id, (evaluation, None))``
#: (the shape of :func:`~kamcore.runtime.pipeline.evaluate_row`), or ``None`` when the plain
#: pipeline must evaluate the row.
FastRow = Callable[
    [Any, int | None, Any, date, str], "tuple[str, tuple[dict[str, Any], None]] | None"
]

#: Tables up to this many rows become an if/elif chain; larger ones use their index.
INLINE_TABLE_ROWS = 24


@dataclass(frozen=True)
class PhaseFunctions:
    """The generated phases of a policy with portfolio rules (see :func:`generate_phases`)."""

    #: ``a(row, number, as_of, as_of_iso)`` -> the :class:`AccountRun` after reading and the
    #: per-account metrics, or ``None``: the plain ``_start`` and phase A then run.
    a: Callable[[Any, int | None, date, str], AccountRun | None]
    #: ``b(acc)`` -> ``None`` when done, else ``(step, raw tier)`` to resume the plain phase B.
    b: Callable[[AccountRun], tuple[int, Any] | None]
    #: ``c(acc)`` -> ``None`` when done, else the step to resume the plain phase C from.
    c: Callable[[AccountRun], int | None]


def generate(policy: CompiledPolicy, explain: str) -> FastRow:
    """The generated function for ``policy`` at ``explain`` level.

    :raises Unsupported: the policy needs the portfolio (its rows are not independent).
    """
    if policy.uses_portfolio:
        raise Unsupported("portfolio rules: accounts are evaluated in passes")
    fn: FastRow = _Generator(policy, explain, resume=None).build()
    return fn


def generate_phases(policy: CompiledPolicy, explain: str) -> PhaseFunctions:
    """The generated phases of a policy with portfolio rules: reading and per-account metrics
    (which bail out to the plain path as a whole), then phases B and C, which resume the plain
    pipeline at the section that could not be compiled for an account."""
    return _Generator(policy, explain, resume="").build_phases()


class _Bail(Exception):
    """Raised by generated phase code where row mode would return ``None``."""


class _Generator:
    def __init__(self, policy: CompiledPolicy, explain: str, resume: str | None) -> None:
        self.policy = policy
        self.trace = explain != "none"
        self.detail = explain == "full"
        self.w = CodeWriter()
        self.read_names: set[str] = set()
        #: how a failed step hands over (phase mode), or ``None`` (row mode: return None)
        self.resume: str | None = None
        self.phased = resume is not None
        self.bail = "raise _kg_bail" if self.phased else "return None"
        self.needs_acc = self.phased or self._needs_acc()
        for name, value in {
            "round": round,
            "str": str,
            "int": int,
            "bool": bool,
            "list": list,
            "dict": dict,
            "float": float,
            "len": len,
            "isfinite": math.isfinite,
            "_kg_jr": json_ready,
            "_kg_read": _read_cell,
            "_kg_absent": _ABSENT,
            "_kg_missing": MISSING_MARKERS,
            "_kg_template": dict.fromkeys(LIST_FIELDS),
            "_kg_digest": input_digest,
            "_kg_run": AccountRun,
            "_kg_proposal": proposal,
            "_kg_exception": Exception,
            "_kg_bail": _Bail,
            "_kg_date": date,
        }.items():
            self.w.bind(name, value)
        #: what every phase function's globals start from
        self.globals = dict(self.w.globals)

    # -- structure --------------------------------------------------------------------------

    def splice(self, tree: Any, fn: Any, names: Sequence[str], **rename: str) -> str:
        """A slot for a checked tree; ``names`` (what it reads) keep their place in ``values``."""
        self.read_names.update(names)
        return self.w.expr(tree, fn.__globals__, **rename)

    def hold(self, name: str, local: str) -> None:
        """``values[name]`` is in ``local`` from here on: later trees read the local."""
        self.w.held[name] = local

    def value_of(self, name: str) -> str:
        """Source reading ``values.get(name)``, from its local when the generated code set it."""
        self.read_names.add(name)
        return self.w.held.get(name) or f"values.get({name!r})"

    def _needs_acc(self) -> bool:
        p = self.policy
        return bool(
            (p.segments is not None and p.segments.tables)
            or p.lifecycle is not None
            or any(not _inline_scorecard(sc) for sc in p.scorecards)
            or any(not _inline_table(t) for t in p.tables)
        )

    def build(self) -> FastRow:
        w = self.w
        with w.block("def _kc_row(row, number, previous, as_of, as_of_iso)"):
            with w.block("try"):
                self.read()
                self.start()
                for step in self.policy.metrics.before:
                    self.metric_step(step)
                self.phase_b_steps()
                self.phase_c_steps()
                w.line("return aid, (out, None)")
            with w.block("except _kg_exception"):
                w.line("return None")
        return self._finish_build("_kc_row")  # type: ignore[no-any-return]

    def _finish_build(self, name: str) -> Any:
        # the list fields the plain reader always sets, where something may read them
        lists = LIST_FIELDS if self.needs_acc else [n for n in LIST_FIELDS if n in self.read_names]
        self.w.globals["_kg_template"] = dict.fromkeys(lists)
        return self.w.build(name, FILENAME)

    def phase_b_steps(self) -> None:
        """Metrics after the portfolio phase, scorecards, tables, tier: resumable steps."""
        self.w.line("rawtier = None")
        index = 0
        for step in self.policy.metrics.after:
            with self.step(index):
                self.metric_step(step)
            index += 1
        for sc in self.policy.scorecards:
            with self.step(index):
                self.scorecard_step(sc)
            index += 1
        for table in self.policy.tables:
            with self.step(index):
                self.table_step(table)
            index += 1
        with self.step(index):
            self.tier_step()

    def phase_c_steps(self) -> None:
        """Segments, lifecycle, alerts, risk, tactics, reported metrics: resumable steps."""
        steps = (self.segments, self.lifecycle, self.alerts, self.risk, self.tactics, self.finish)
        for index, emit in enumerate(steps):
            with self.step(index):
                emit()

    @contextmanager
    def step(self, index: int) -> Iterator[None]:
        """In phase mode, one section whose failure hands the rest of the phase to the plain
        pipeline from this section on; whatever it recorded first is taken back so the plain
        section records it once. In row mode the whole row falls back instead: no wrapper."""
        if self.resume is None:
            yield
            return
        w = self.w
        if self.trace:
            w.line("n0 = len(fired)")
        w.line("w0 = len(out['warnings'])")
        with w.block("try"):
            yield
        with w.block("except _kg_exception"):
            if self.trace:
                w.line("del fired[n0:]")
            w.line("del out['warnings'][w0:]")
            w.line(f"return {self.resume.format(index=index)}")

    def build_phases(self) -> PhaseFunctions:
        """Phase A (read and per-account metrics, or ``None``), then B and C over the
        :class:`AccountRun` once the portfolio values are in (``None``, or where to resume)."""
        w = self.w
        with w.block("def _kc_a(row, number, as_of, as_of_iso)"):
            with w.block("try"):
                self.read()
                self.start()
                for metric in self.policy.metrics.before:
                    self.metric_step(metric)
                w.line("return acc")
            with w.block("except _kg_exception"):
                w.line("return None")
        phase_a = self._finish_build("_kc_a")
        phases = []
        for name, emit, resume in (
            ("_kc_b", self.phase_b_steps, "({index}, rawtier)"),
            ("_kc_c", self.phase_c_steps, "{index}"),
        ):
            self.w = w = CodeWriter()
            w.globals.update(self.globals)
            self.resume = resume
            with w.block(f"def {name}(acc)"):
                w.line("values = acc.values")
                w.line("out = acc.out")
                if self.trace:
                    w.line("fired = acc.fired")
                emit()
                w.line("return None")
            phases.append(w.build(name, FILENAME))
        return PhaseFunctions(phase_a, phases[0], phases[1])

    # -- reading ----------------------------------------------------------------------------

    def read(self) -> None:
        w = self.w
        reader = self.policy.reader
        w.line("if row.__class__ is not dict: return None")
        keys = " or ".join(f"{k!r} in row" for k in sorted(_ACCOUNT_KEYS))
        w.line(f"if {keys}: return None")  # account-shaped: the plain reader flattens it
        w.line(f"raw = row.get({reader._id_columns[0]!r})")
        w.line("if raw.__class__ is not str: return None")
        w.line("aid = raw.strip()")
        w.line("if not aid or aid.lower() in _kg_missing: return None")
        w.line("warnings = []")
        w.line("values = _kg_template.copy()")
        for col in reader._inputs:
            self.read_column(col, col.column, declared=True)
        for col in reader._known:
            self.read_column(col, col.name, declared=False)
        w.line("values['as_of'] = as_of")

    def read_column(self, col: Any, key: str, *, declared: bool) -> None:
        """One fact: the common exact class kept (or widened as the converter would), anything
        else read by the plain reader's own cell function, an absent declared column refused
        (the plain reader may add a did-you-mean note for it)."""
        w = self.w
        kind = col.kind
        name = w.const(col.name)
        v = w.fresh("v")
        local = w.fresh("f")
        conv = w.const(col.convert)
        w.line(f"{v} = row.get({key!r}, _kg_absent)")
        fast = {
            "number": [
                (f"{v}.__class__ is float and {v} - {v} == 0.0", v),
                (f"{v}.__class__ is int", f"float({v})"),
            ],
            "integer": [(f"{v}.__class__ is int", v)],
            "boolean": [(f"{v}.__class__ is bool", v)],
            "date": [(f"{v}.__class__ is _kg_date", v)],
            # a blank text is missing; the converter strips and checks the allowed values
            "string": [(f"{v}.__class__ is str and {v} and not {v}.isspace()", f"{conv}({v})")],
        }.get(kind, [])
        first = True
        for test, value in fast:
            w.line(f"{'if' if first else 'elif'} {test}: {local} = {value}")
            first = False
        if declared:
            w.line(f"{'if' if first else 'elif'} {v} is _kg_absent: return None")
            first = False
        notes = "warnings" if declared else "None"
        call = f"_kg_read(aid, {w.const(col)}, row, {key!r}, None, number, {notes})"
        if first:
            w.line(f"{local} = {call}")
        else:
            w.line(f"else: {local} = {call}")
        w.line(f"values[{name}] = {local}")
        self.hold(col.name, local)

    def start(self) -> None:
        w = self.w
        p = self.policy
        stamp = f"{{'id': {p.id!r}, 'version': {p.version!r}, 'hash': {p.content_hash!r}}}"
        digest = "_kg_digest(row)" if self.detail else "None"
        w.line(
            f"out = {{'account_id': aid, 'policy': {stamp}, 'as_of': as_of_iso, "
            f"'input_digest': {digest}, 'metrics': {{}}, 'scores': {{}}, 'tier': None, "
            "'segments': [], 'outputs': {}, 'stage': None, 'alerts': [], 'risk': None, "
            "'tactics': [], 'fired': [], 'warnings': warnings, 'state': {}}"
        )
        if self.trace:
            w.line("fired = out['fired']")
        # phases: the caller sets the previous evaluation, as after the plain _start
        w.line("prev = None" if self.phased else "prev = previous.get(aid) if previous else None")
        if self.needs_acc:
            fired = "fired" if self.trace else "None"
            w.line(f"acc = _kg_run(aid, values, out, {fired}, prev, as_of, detail={self.detail!r})")

    def record(self, rule: str, kind: str, names: Sequence[str], note: str = "None") -> None:
        """Emit the fired-rule record the plain path's ``trace.record`` appends."""
        if not self.trace:
            return
        w = self.w
        inputs = (
            "{" + ", ".join(f"{n!r}: _kg_jr({self.value_of(n)})" for n in names) + "}"
            if self.detail
            else "{}"
        )
        w.line(
            f"fired.append({{'rule': {rule!r}, 'kind': {kind!r}, 'inputs': {inputs}, "
            f"'note': {note}}})"
        )

    # -- sections ---------------------------------------------------------------------------

    def metric_step(self, step: Any) -> None:
        w = self.w
        if step.compute is None:
            raise Unsupported(f"metric {step.name} is computed over the portfolio")
        m = w.fresh("m")
        if step.expr is not None:
            w.line(f"{m} = {self.splice(step.expr.tree, step.expr.fn, step.expr.names)}")
        else:
            self.read_names.update(step.inputs)
            w.line(f"{m} = {w.const(step.compute)}(values)")
        w.line(f"if {m}.__class__ is float and not isfinite({m}): {self.bail}")
        w.line(f"values[{step.name!r}] = {m}")
        self.hold(step.name, m)

    def scorecard_step(self, sc: CompiledScorecard) -> None:
        if _inline_scorecard(sc):
            self.scorecard(sc)
        else:
            self.w.line(f"{self.w.const(sc)}.run(acc)")
            self.w.held.pop(sc._score_key, None)
            self.w.held.pop(sc._band_key, None)

    def scorecard(self, sc: CompiledScorecard) -> None:
        w = self.w
        total = 0.0
        for _, _, _, _, weight in sc._plan:
            total += weight
        entries: list[str] = []
        terms: list[str] = []
        for measure, name, linear, invert, weight in sc._plan:
            assert name is not None
            assert linear is not None
            r, n, t = w.fresh("r"), w.fresh("n"), w.fresh("t")
            lo, hi = linear
            w.line(f"{r} = {self.value_of(name)}")
            w.line(f"if {r} is None or {r} != {r}: {self.bail}")
            if lo == 0:
                w.line(f"{n} = {r} / {w.const(hi)}")
            else:
                w.line(f"{n} = ({r} - {w.const(lo)}) / ({w.const(hi)} - {w.const(lo)})")
            w.line(f"if {n} > 1.0: {n} = 1.0")
            w.line(f"elif {n} < 0.0: {n} = 0.0")
            if invert:
                w.line(f"{n} = 1.0 - {n}")
            wt = weight if total == 1.0 else weight / total
            w.line(f"{t} = {w.const(wt)} * {n}")
            terms.append(t)
            entries.append(
                f"{{'id': {measure.id!r}, 'metric': {measure.metric!r}, 'raw': {r}, "
                f"'normalised': {n}, 'weight': {w.const(wt)}, "
                f"'points': {w.const(sc.scale)} * {t}, 'missing': None}}"
            )
        s = w.fresh("s")
        w.line(f"{s} = 0.0")
        for t in terms:
            w.line(f"{s} = {s} + {t}")
        w.line(f"{s} = {w.const(sc.scale)} * {s}")
        if sc.round is not None:
            w.line(f"{s} = round({s}, {sc.round!r})")
        band = w.fresh("b")
        if sc.bands:
            w.line(f"{band} = {w.const(sc)}._band({s})")
        else:
            w.line(f"{band} = None")
        w.line(f"values[{sc._score_key!r}] = {s}")
        w.line(f"values[{sc._band_key!r}] = {band}")
        self.hold(sc._score_key, s)
        self.hold(sc._band_key, band)
        measures = "[" + ", ".join(entries) + "]" if self.trace else "None"
        w.line(
            f"out['scores'][{sc.id!r}] = {{'value': {s}, 'band': {band}, "
            f"'direction': {sc.direction!r}, 'measures': {measures}}}"
        )

    def table_step(self, table: CompiledTable) -> None:
        w = self.w
        if _inline_table(table):
            self.table(table)
            return
        res = w.fresh("res")
        w.line(f"{res} = {w.const(table)}.evaluate(acc)")
        w.line(f"acc.table_outputs[{table.id!r}] = {res}")
        for name in table.outputs:
            if name == "tier":
                w.line(f"rawtier = {res}['tier']")
            else:
                w.line(f"values[{name!r}] = {res}[{name!r}]")
                w.line(f"out['outputs'][{name!r}] = _kg_jr({res}[{name!r}])")

    def tier_step(self) -> None:
        w = self.w
        tier = self.policy.tier
        if tier is None:
            w.line("values['tier'] = None")
            return
        if tier.downgrade_after > 1:  # hysteresis reads the previous evaluation's state
            w.line(f"{w.const(tier)}.decide(acc, rawtier)")
            return
        if tier.expr is not None:
            w.line(f"rawtier = {self.splice(tier.expr.tree, tier.expr.fn, tier.expr.names)}")
            self.record("tier.expr", "tier", tier.expr.names)
        if tier.values:
            w.line(f"if rawtier is not None and rawtier not in {w.const(tier.values)}: {self.bail}")
        w.line("values['tier'] = rawtier")
        w.line("out['tier'] = rawtier")
        self.hold("tier", "rawtier")
        w.line("out['state']['tier'] = {'pending': None, 'count': 0}")

    def table(self, table: CompiledTable) -> None:
        w = self.w
        inputs = []
        for column, expr in enumerate(table.inputs):
            local = f"_kg_ti{column}"
            w.line(f"{local} = {self.splice(expr.tree, expr.fn, expr.names)}")
            inputs.append(local)
        conditions = [self.row_condition(row, inputs) for row in table.rows]
        if table.hit == "FIRST":
            for i, (row, cond) in enumerate(zip(table.rows, conditions, strict=True)):
                with w.block(f"{'if' if i == 0 else 'elif'} {cond}"):
                    self.row_body(table, row)
            with w.block("else"):
                w.line(f"{self.bail}")  # no match: defaults and warnings on the plain path
            return
        hit, which = w.fresh("h"), w.fresh("u")
        w.line(f"{hit} = 0")
        w.line(f"{which} = -1")
        for i, cond in enumerate(conditions):
            with w.block(f"if {cond}"):
                w.line(f"{hit} += 1")
                w.line(f"{which} = {i}")
        w.line(f"if {hit} != 1: {self.bail}")  # none, or a UNIQUE violation: the plain path
        for i, row in enumerate(table.rows):
            with w.block(f"{'if' if i == 0 else 'elif'} {which} == {i}"):
                self.row_body(table, row)

    def row_condition(self, row: Any, inputs: list[str]) -> str:
        parts = []
        for column, test in row.checks:
            cell = row.cells[column]
            if cell.tree is None:
                if cell.kind != "null":
                    raise Unsupported(f"cell {cell.cell!r}")
                parts.append(f"({inputs[column]} is None)")
            else:
                parts.append(self.splice(cell.tree, test, cell.names, value=inputs[column]))
        return " and ".join(parts) or "True"

    def row_body(self, table: CompiledTable, row: Any) -> None:
        w = self.w
        self.record(row.key_path, "table_row", row.names)
        for name, value in zip(table.outputs, row.then, strict=True):
            if type(value) not in (str, int, float, bool, type(None)):
                raise Unsupported(f"table output {value!r}")
            if name == "tier":
                w.line(f"rawtier = {value!r}")
            else:
                w.line(f"values[{name!r}] = {value!r}")
                w.line(f"out['outputs'][{name!r}] = {json_ready(value)!r}")
        if self.needs_acc:
            pairs = ", ".join(f"{n!r}: {v!r}" for n, v in zip(table.outputs, row.then, strict=True))
            w.line(f"acc.table_outputs[{table.id!r}] = {{{pairs}}}")

    def segments(self) -> None:
        p = self.policy
        w = self.w
        if p.segments is not None and p.segments.tables:
            w.line(f"{w.const(p.segments)}.run(acc)")
        elif p.segments is not None:
            w.line("labels = []")
            for rule_id, expr, key, _ in p.segments._plan:
                with w.block(f"if {self.splice(expr.tree, expr.fn, expr.names)}"):
                    w.line(f"labels.append({rule_id!r})")
                    self.record(key, "segment", expr.names)
            w.line("segments = list(dict.fromkeys(labels))")
            w.line("values['segments'] = segments")
            w.line("out['segments'] = segments")
            self.hold("segments", "segments")

    def lifecycle(self) -> None:
        if self.policy.lifecycle is not None:
            self.w.line(f"{self.w.const(self.policy.lifecycle)}.run(acc)")

    def alerts(self) -> None:
        w = self.w
        w.line("alerts = []")
        w.line("alert_ids = []")
        w.line("points = 0")
        for alert in self.policy.alerts.alerts:
            with w.block(f"if {self.splice(alert.when.tree, alert.when.fn, alert.when.names)}"):
                reason = self.render(alert.reason)
                w.line(
                    f"alerts.append({{'id': {alert.id!r}, 'severity': {alert.severity!r}, "
                    f"'points': {alert.points!r}, 'reason': {reason}}})"
                )
                w.line(f"alert_ids.append({alert.id!r})")
                w.line(f"points += {alert.points!r}")
                self.record(alert.path, "alert", alert.when.names)
        w.line("out['alerts'] = alerts")
        w.line("values['alerts'] = alert_ids")
        w.line("values['alert_points'] = points")
        self.hold("alerts", "alert_ids")
        self.hold("alert_points", "points")

    def render(self, template: Template) -> str:
        if not template.names:
            return repr(template.parts[0][0])
        self.read_names.update(template.names)
        return f"{self.w.const(template)}.render(values)"

    def risk(self) -> None:
        risk = self.policy.risk
        if risk is None:
            return
        w = self.w
        w.line(f"risk_score = {self.splice(risk.score.tree, risk.score.fn, risk.score.names)}")
        w.line("band = None")
        with w.block("if risk_score is not None"):
            w.line(f"if not ({_contains(w, risk.range, 'risk_score')}): {self.bail}")
            for i, (label, interval) in enumerate(risk.bands):
                w.line(
                    f"{'if' if i == 0 else 'elif'} {_contains(w, interval, 'risk_score')}: "
                    f"band = {label!r}"
                )
            if risk.bands:
                w.line(f"else: {self.bail}")
        w.line("out['risk'] = {'score': risk_score, 'band': band}")
        w.line("values['risk_score'] = risk_score")
        w.line("values['risk'] = band")
        self.hold("risk_score", "risk_score")
        self.hold("risk", "band")

    def tactics(self) -> None:
        tactics = self.policy.tactics
        if tactics is None:
            return
        w = self.w
        flags = {rule.id: w.fresh("on") for rule in tactics.rules}
        ids = [rule.tactic.id for rule in tactics.rules]
        simple = len(set(ids)) == len(ids) and (
            tactics.max_per_account is None or tactics.max_per_account >= len(ids)
        )
        if self.trace or not simple:
            for flag in flags.values():
                w.line(f"{flag} = False")
        w.line("firing = []")
        for rule in tactics.by_priority:
            with w.block(f"if {self.splice(rule.when.tree, rule.when.fn, rule.when.names)}"):
                if self.trace or not simple:
                    w.line(f"{flags[rule.id]} = True")
                if simple:
                    w.line(f"firing.append({self.proposal(rule)})")
                else:
                    w.line(f"firing.append({w.const(rule)})")
        if simple:
            w.line("out['tactics'] = firing")
            notes = None
        else:
            w.line(f"kept, tactic_warnings, notes = {w.const(tactics)}.select(firing)")
            w.line("out['tactics'] = [_kg_proposal(r, values) for r in kept]")
            w.line("if tactic_warnings: out['warnings'].extend(tactic_warnings)")
            notes = "notes"
        if self.trace:
            for rule in tactics.rules:
                with w.block(f"if {flags[rule.id]}"):
                    note = f"{notes}.get({rule.id!r})" if notes else "None"
                    self.record(rule.path, "tactic", rule.when.names, note)

    def proposal(self, rule: Any) -> str:
        return (
            f"{{'id': {rule.tactic.id!r}, 'dimension': {rule.tactic.dimension!r}, "
            f"'priority': {rule.priority!r}, 'reason': {self.render(rule.reason)}, "
            f"'owner_role': {rule.owner_role!r}, 'due_in_days': {rule.due_in_days!r}, "
            f"'rule': {rule.path!r}}}"
        )

    def finish(self) -> None:
        outputs = ", ".join(
            f"{n!r}: _kg_jr({self.value_of(n)})" for n in self.policy.metrics.outputs
        )
        self.w.line(f"out['metrics'] = {{{outputs}}}")


def _contains(w: CodeWriter, interval: Any, x: str) -> str:
    """``interval.contains(x)`` as comparisons, written exactly as ``Interval.contains`` is
    (so a NaN, which no comparison holds for, comes out the same)."""
    parts = []
    if interval.lo is not None:
        lo = w.const(interval.lo)
        parts.append(f"{x} < {lo}" if interval.lo_closed else f"{x} < {lo} or {x} == {lo}")
    if interval.hi is not None:
        hi = w.const(interval.hi)
        parts.append(f"{x} > {hi}" if interval.hi_closed else f"{x} > {hi} or {x} == {hi}")
    if not parts:
        return "True"
    return "not (" + " or ".join(parts) + ")"


def _inline_scorecard(sc: CompiledScorecard) -> bool:
    """Linear measures of named metrics, always applicable: the common scorecard."""
    total = 0.0
    for _, name, linear, _, weight in sc._plan:
        if name is None or linear is None:
            return False
        total += weight
    return sc.when is None and total > 0.0 and bool(sc._plan)


def _inline_table(table: CompiledTable) -> bool:
    """A small single-hit table of cells with compiled trees (or ``null``)."""
    if table.hit not in ("FIRST", "UNIQUE") or len(table.rows) > INLINE_TABLE_ROWS:
        return False
    for row in table.rows:
        for column, _ in row.checks:
            cell = row.cells[column]
            if cell.tree is None and cell.kind != "null":
                return False
            if cell.portfolio_calls:
                return False
    return all(e.tree is not None for e in table.inputs)
