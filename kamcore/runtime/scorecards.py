"""Scorecards: weighted measures normalised to [0, 1], a score on ``[0..scale]``, and bands.

Customer-success tools let a health score drift into a decorative number nobody can explain.
A kamcore scorecard states everything those tools leave implicit: which direction is good
(``higher_is_healthier`` or ``higher_is_riskier``), how each raw value is normalised, what
happens when a value is missing (``exclude``, ``neutral``, ``penalize`` or ``error``, per
measure), and which end of every band is closed. Each evaluation reports, per measure, the raw
and normalised values, the weight actually used after exclusions and the points contributed.

The score is computed so that it equals the formula an analyst would write by hand, bit for
bit: with weights that already add up to 1 they are used as written, the weighted terms are
added left to right and the scale is applied once at the end.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeGuard

from ..errors import AccountError
from ..expr import CompiledExpr, Interval, MissingValueError, check_bands
from ..types import Type
from .checks import compile_bands, compile_interval, whole_number
from .context import AccountRun, CompileContext
from .normalise import Banded, Linear, Normaliser, OutsideBands, Percentile
from .rules import evaluate, guard
from .table_lint import format_value

__all__ = [
    "DIRECTIONS",
    "MISSING_RULES",
    "CompiledScorecard",
    "Measure",
    "compile_scorecard",
]

#: What a high score means; required, because a number without it cannot be acted on.
DIRECTIONS: Final = ("higher_is_healthier", "higher_is_riskier")
#: What a measure does when its raw value is missing.
MISSING_RULES: Final = ("exclude", "neutral", "penalize", "error")

_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_NUMBER_OR_MISSING: Final = Type("number", optional=True)
_CONDITION: Final = Type("boolean", optional=True)


@dataclass(frozen=True, slots=True)
class Measure:
    """One compiled measure.

    :param metric: what the evaluation reports as the measure's metric: the fact or metric name,
        or the expression's source.
    :param name: the name read directly from the namespace (``metric`` measures), else ``None``.
    :param expr: the compiled expression (``expr`` measures), else ``None``.
    :param weight: the declared weight (normalised per account, over the measures counted).
    :param missing: the missing-data rule in force (the measure's own or the scorecard's).
    :param linear: ``(min, max)`` when ``normalise`` is :class:`Linear`, which the scorecard
        computes inline (it is most measures, and a call per measure per account adds up).
    """

    id: str
    key_path: str
    metric: str
    name: str | None
    expr: CompiledExpr | None
    weight: float
    normalise: Normaliser
    invert: bool
    missing: str
    linear: tuple[float, float] | None = None


@dataclass(frozen=True)
class CompiledScorecard:
    """A scorecard ready to score accounts.

    :param neutral: the normalised value the ``neutral`` rule substitutes.
    :param round: decimals of the score, or ``None`` to keep it unrounded.
    :param when: the applicability condition, or ``None`` (always applies).
    :param bands: ``(label, interval)`` of the score, covering ``[0..scale]``.
    """

    id: str
    direction: str
    scale: float
    neutral: float
    round: int | None
    when: CompiledExpr | None
    measures: tuple[Measure, ...]
    bands: tuple[tuple[str, Interval], ...]
    _plan: tuple[tuple[Measure, str | None, tuple[float, float] | None, bool, float], ...] = field(
        init=False, repr=False, compare=False
    )
    _score_key: str = field(init=False, repr=False, compare=False)
    _band_key: str = field(init=False, repr=False, compare=False)
    _when_key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # What run() reads per measure, unpacked from one tuple instead of five attribute
        # lookups: the scorecard runs once per account, so this is the hot path.
        plan = tuple((m, m.name, m.linear, m.invert, m.weight) for m in self.measures)
        object.__setattr__(self, "_plan", plan)
        object.__setattr__(self, "_score_key", f"score.{self.id}")
        object.__setattr__(self, "_band_key", f"band.{self.id}")
        object.__setattr__(self, "_when_key", f"scorecards.{self.id}.when")

    @property
    def key_path(self) -> str:
        """``scorecards.<id>``."""
        return f"scorecards.{self.id}"

    @property
    def worst(self) -> float:
        """The normalised value ``penalize`` gives: the unhealthy end for this direction."""
        return 0.0 if self.direction == "higher_is_healthier" else 1.0

    def run(self, acc: AccountRun) -> None:
        """Score one account: sets ``score.<id>`` and ``band.<id>`` and reports the measures.

        :raises AccountError: the ``when`` condition compares a missing value, a measure with
            the ``error`` rule is missing, a raw value falls outside every band of its measure,
            or an expression divides by zero.
        """
        values = acc.values
        if self.when is not None and not evaluate(self.when, acc, self._when_key):
            self._publish(acc, None, None, [])
            return
        # One pass normalises the measures and builds their report entries; a second pass,
        # once the counted weights are known, fills in weight and points.
        reported: list[dict[str, Any]] = []
        counted: list[tuple[dict[str, Any], float, float]] = []
        total = 0.0  # counted weights added left to right: sum() compensates on 3.12+
        for measure, name, linear, invert, weight in self._plan:
            raw = values.get(name) if name is not None else self._expr_raw(acc, measure)
            rule = None
            if raw is None or raw != raw:  # missing, or NaN
                raw = n = None
            else:
                if linear is not None:  # inlined Linear: most measures, so worth it
                    lo, hi = linear
                    n = raw / hi if lo == 0 else (raw - lo) / (hi - lo)
                    if n > 1.0:
                        n = 1.0
                    elif n < 0.0:
                        n = 0.0
                else:
                    n = self._normalise(acc, measure, raw)
                if invert and n is not None:
                    n = 1.0 - n
            if n is None:
                rule = measure.missing
                if rule == "neutral":
                    n = self.neutral
                elif rule == "penalize":
                    n = self.worst
                elif rule == "error":
                    raise AccountError(
                        acc.account_id,
                        measure.key_path,
                        f"`{measure.metric}` is missing and the measure's missing rule is `error`",
                    )
            entry = {
                "id": measure.id,
                "metric": measure.metric,
                "raw": raw,
                "normalised": n,
                "weight": 0.0,
                "points": 0.0,
                "missing": rule,
            }
            reported.append(entry)
            if n is not None:  # not excluded
                counted.append((entry, weight, n))
                total += weight

        score: float | None = None
        if total > 0.0:
            scale = self.scale
            weighted = 0.0
            for entry, weight, n in counted:
                # Weights that already add up to exactly 1 are used as written, so a policy
                # reproduces a hand-written formula bit for bit.
                w = weight if total == 1.0 else weight / total
                term = w * n
                entry["weight"] = w
                entry["points"] = scale * term
                weighted = weighted + term
            score = scale * weighted
            if self.round is not None:
                score = round(score, self.round)
        else:
            reason = (
                "every measure is missing"
                if not counted
                else "only measures of weight 0 are present"
            )
            acc.out.setdefault("warnings", []).append(f"scorecard `{self.id}`: {reason}; no score")
        self._publish(acc, score, None if score is None else self._band(score), reported)

    def _expr_raw(self, acc: AccountRun, measure: Measure) -> Any:
        """The raw value of an ``expr`` measure; ``None`` when a missing input is compared.

        Unlike a condition, a measure has a rule for a missing value (``exclude``, ``neutral``,
        ...), so a missing comparison makes the measure missing; any other failure is the
        account's error (:func:`~kamcore.runtime.rules.guard`).
        """
        expr = measure.expr
        assert expr is not None
        with guard(acc, f"{measure.key_path}.expr", expr):
            try:
                return expr.fn(acc.values)
            except MissingValueError:
                return None  # a comparison inside the expression met a missing input

    def _normalise(self, acc: AccountRun, measure: Measure, raw: Any) -> float | None:
        try:
            n = measure.normalise(raw, acc.values)
        except OutsideBands:
            raise AccountError(
                acc.account_id,
                f"{measure.key_path}.normalise",
                f"{format_value(raw)} lies in none of the bands of measure `{measure.id}`",
            ) from None
        return n

    def _band(self, score: float) -> str | None:
        # The weights may add up to 1 + 1 ulp; a score a hair above the scale still belongs
        # to the top band.
        x = min(max(score, 0.0), self.scale)
        for label, interval in self.bands:
            if interval.contains(x):
                return label
        return None

    def _publish(
        self, acc: AccountRun, score: float | None, band: str | None, measures: list[Any]
    ) -> None:
        acc.values[self._score_key] = score
        acc.values[self._band_key] = band
        acc.out.setdefault("scores", {})[self.id] = {
            "value": score,
            "band": band,
            "direction": self.direction,
            # the breakdown explains the score: left out when explanations are off
            "measures": measures if acc.fired is not None else None,
        }


# -- compilation ------------------------------------------------------------------------------


def _is_number(value: object) -> TypeGuard[float]:
    """A TOML number (``true`` is an int to Python, never a weight or a bound to an author)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


class _ScorecardCompiler:
    """Checks one ``[scorecards.<id>]`` section, recording every problem before giving up."""

    def __init__(self, ctx: CompileContext, scorecard_id: str, spec: object) -> None:
        self.ctx = ctx
        self.scorecard_id = scorecard_id
        self.raw_spec = spec
        self.spec: Mapping[str, Any] = spec if isinstance(spec, Mapping) else {}
        self.path = f"scorecards.{scorecard_id}"
        self.start = len(ctx.problems)

    def problem(self, message: str, key_path: str) -> None:
        self.ctx.problem(message, key_path)

    def failed(self) -> bool:
        return len(self.ctx.problems) > self.start

    def compile(self) -> CompiledScorecard | None:
        if not isinstance(self.raw_spec, Mapping):
            self.problem("expected a table of keys (direction, measures, bands)", self.path)
            return None
        direction = self.spec.get("direction")
        if direction not in DIRECTIONS:
            self.problem(
                f"`direction` is required: {' or '.join(DIRECTIONS)}"
                + ("" if direction is None else f" (got {direction!r})"),
                f"{self.path}.direction",
            )
        scale = self._number("scale", 100, low=0.0, low_open=True)
        neutral = self._number("neutral", 0.5, low=0.0, high=1.0)
        missing = self._missing_rule(self.spec.get("missing", "exclude"), f"{self.path}.missing")
        digits = self._round()
        when = None
        if self.spec.get("when") is not None:
            when = self.ctx.expr(self.spec["when"], f"{self.path}.when", _CONDITION)
        measures = self._measures(missing or "exclude")
        bands = self._bands(scale)
        if self.failed():
            return None
        assert isinstance(direction, str)
        assert scale is not None
        assert neutral is not None
        return CompiledScorecard(
            id=self.scorecard_id,
            direction=direction,
            scale=scale,
            neutral=neutral,
            round=digits,
            when=when,
            measures=tuple(measures),
            bands=tuple(bands),
        )

    # -- header ---------------------------------------------------------------------------

    def _number(
        self,
        key: str,
        default: float,
        *,
        low: float,
        high: float | None = None,
        low_open: bool = False,
    ) -> float | None:
        value = self.spec.get(key, default)
        ok = _is_number(value) and (value > low if low_open else value >= low)
        if ok and high is not None:
            ok = value <= high
        if not ok:
            if high is not None:
                wanted = f"a number from {format_value(low)} to {format_value(high)}"
            else:
                wanted = f"a number {'>' if low_open else '>='} {format_value(low)}"
            self.problem(f"`{key}` must be {wanted}, got {value!r}", f"{self.path}.{key}")
            return None
        return value  # type: ignore[no-any-return]

    def _missing_rule(self, value: object, key_path: str) -> str | None:
        if value not in MISSING_RULES:
            self.problem(
                f"unknown missing-data rule {value!r}; expected one of {', '.join(MISSING_RULES)}",
                key_path,
            )
            return None
        return str(value)

    def _round(self) -> int | None:
        value = self.spec.get("round")
        if value is None:
            return None
        return whole_number(self.ctx, value, f"{self.path}.round", least=0, what="round")

    # -- measures -------------------------------------------------------------------------

    def _measures(self, default_missing: str) -> list[Measure]:
        raw = self.spec.get("measures")
        key = f"{self.path}.measures"
        if not isinstance(raw, list) or not raw:
            self.problem("a scorecard needs at least one [[measures]] entry", key)
            return []
        measures: list[Measure] = []
        seen: set[str] = set()
        weights: list[float] = []
        for position, spec in enumerate(raw):
            weight = spec.get("weight") if isinstance(spec, Mapping) else None
            if _is_number(weight) and weight >= 0:
                weights.append(weight)
            mid = spec.get("id") if isinstance(spec, Mapping) else None
            if not isinstance(mid, str) or not mid:
                self.problem(f"measure {position + 1} needs an `id`", f"{key}[{position}]")
                continue
            if mid in seen:
                self.problem(f"measure id `{mid}` is used twice", f"{key}[{mid}]")
                continue
            seen.add(mid)
            assert isinstance(spec, Mapping)
            measure = self._measure(spec, mid, f"{key}[{mid}]", default_missing)
            if measure is not None:
                measures.append(measure)
        if len(weights) == len(raw) and not any(w > 0 for w in weights):
            self.problem(
                "the measures' weights add up to 0; give at least one measure a positive weight",
                key,
            )
        return measures

    def _measure(
        self, spec: Mapping[str, Any], mid: str, key: str, default_missing: str
    ) -> Measure | None:
        start = len(self.ctx.problems)
        metric, source = spec.get("metric"), spec.get("expr")
        name: str | None = None
        expr: CompiledExpr | None = None
        if metric is not None and source is not None:
            self.problem(f"measure `{mid}` has both `metric` and `expr`; keep one", key)
        elif metric is None and source is None:
            self.problem(
                f"measure `{mid}` needs `metric` (a fact or metric name) or `expr` (an expression)",
                key,
            )
        elif metric is not None:
            if not isinstance(metric, str) or not _NAME.match(metric):
                self.problem(
                    f"`metric` must be a fact or metric name, got {metric!r}; "
                    "write an expression under `expr`",
                    f"{key}.metric",
                )
            elif self.ctx.expr(metric, f"{key}.metric", _NUMBER_OR_MISSING) is not None:
                name = metric
        else:
            expr = self.ctx.expr(source, f"{key}.expr", _NUMBER_OR_MISSING)
        weight: object = spec.get("weight")
        if not (_is_number(weight) and weight >= 0):
            self.problem(
                f"measure `{mid}` needs a `weight`: a number >= 0"
                + ("" if weight is None else f", got {weight!r}"),
                f"{key}.weight",
            )
        missing = self._missing_rule(spec.get("missing", default_missing), f"{key}.missing")
        invert = spec.get("invert", False)
        if not isinstance(invert, bool):
            self.problem(f"`invert` must be true or false, got {invert!r}", f"{key}.invert")
        normaliser = self._normaliser(spec.get("normalise"), mid, metric, f"{key}.normalise")
        if len(self.ctx.problems) > start or normaliser is None:
            return None
        assert missing is not None
        assert _is_number(weight)
        return Measure(
            id=mid,
            key_path=key,
            metric=name if name is not None else str(source),
            name=name,
            expr=expr,
            weight=weight,
            normalise=normaliser,
            invert=invert,
            missing=missing,
            linear=(normaliser.lo, normaliser.hi) if isinstance(normaliser, Linear) else None,
        )

    def _normaliser(self, spec: object, mid: str, metric: object, key: str) -> Normaliser | None:
        if not isinstance(spec, Mapping):
            self.problem(
                f"measure `{mid}` needs `normalise`: "
                '{ method = "linear", min = ..., max = ... }, { method = "bands", bands = [...] }'
                ' or { method = "percentile" }',
                key,
            )
            return None
        method = spec.get("method")
        if method == "linear":
            return self._linear(spec, key)
        if method == "bands":
            return self._banded(spec, key)
        if method == "percentile":
            return self._percentile(mid, metric, key)
        self.problem(
            f"unknown normalise method {method!r}; expected linear, bands or percentile",
            f"{key}.method",
        )
        return None

    def _linear(self, spec: Mapping[str, Any], key: str) -> Linear | None:
        lo: object = spec.get("min", 0)
        hi: object = spec.get("max")
        if not _is_number(lo):
            self.problem(f"`min` must be a number, got {lo!r}", f"{key}.min")
        if not _is_number(hi):
            self.problem(
                "linear normalisation needs `max`, a number"
                + ("" if hi is None else f" (got {hi!r})"),
                f"{key}.max",
            )
        if not (_is_number(lo) and _is_number(hi)):
            return None
        if hi <= lo:
            self.problem(
                f"`max` ({format_value(hi)}) must be greater than `min` ({format_value(lo)})",
                f"{key}.max",
            )
            return None
        return Linear(lo, hi)

    def _banded(self, spec: Mapping[str, Any], key: str) -> Banded | None:
        raw = spec.get("bands")
        if not isinstance(raw, list) or not raw:
            self.problem(
                'bands normalisation needs `bands = [{ range = "[0..10)", value = 0.0 }, ...]`',
                f"{key}.bands",
            )
            return None
        bands: list[tuple[Any, float]] = []
        ok = True
        for i, band in enumerate(raw):
            where = f"{key}.bands[{i}]"
            if not isinstance(band, Mapping):
                self.problem("a band is a table with `range` and `value`", where)
                ok = False
                continue
            interval = compile_interval(self.ctx, band.get("range"), f"{where}.range")
            value: object = band.get("value")
            if not (_is_number(value) and 0 <= value <= 1):
                self.problem(
                    f"a band's `value` is the normalised value, a number from 0 to 1, "
                    f"got {value!r}",
                    f"{where}.value",
                )
                ok = False
            elif interval is not None:
                bands.append((interval, value))
            ok = ok and interval is not None
        if not ok:
            return None
        # Measure bands need not cover the whole line (an outlier fails its account instead),
        # but neighbouring bands must meet exactly.
        labelled = [(f"bands[{i}]", interval) for i, (interval, _) in enumerate(bands)]
        messages = check_bands(labelled, None)
        for message in messages:
            self.problem(message, f"{key}.bands")
        return None if messages else Banded(tuple(bands))

    def _percentile(self, mid: str, metric: object, key: str) -> Percentile | None:
        if not isinstance(metric, str) or not _NAME.match(metric):
            self.problem(
                f"measure `{mid}`: percentile normalisation needs `metric`, a fact or metric "
                "name (the portfolio column to rank), not `expr`",
                key,
            )
            return None
        if "percentile" not in self.ctx.registry.functions:
            self.problem(
                "percentile normalisation needs the `percentile` portfolio function, which no "
                "active plugin registers",
                key,
            )
            return None
        values_key = self.ctx.portfolio("percentile", metric, key)
        if values_key is None:
            return None  # the located problem is recorded already
        return Percentile(values_key)

    # -- bands of the score ---------------------------------------------------------------

    def _bands(self, scale: float | None) -> list[tuple[str, Interval]]:
        domain = Interval(0, True, scale, True) if scale is not None else None
        return compile_bands(self.ctx, self.spec.get("bands"), f"{self.path}.bands", domain) or []


def compile_scorecard(
    ctx: CompileContext, scorecard_id: str, spec: Mapping[str, Any]
) -> CompiledScorecard | None:
    """Compile ``[scorecards.<scorecard_id>]`` and declare ``score.<id>`` and ``band.<id>``.

    The two names are declared even when the section has problems, so that later sections
    reading them are not reported as using unknown names on top of the real mistake.

    :returns: the compiled scorecard, or ``None`` when any problem was found.
    """
    try:
        return _ScorecardCompiler(ctx, scorecard_id, spec).compile()
    finally:
        ctx.declare(f"score.{scorecard_id}", Type("number", optional=True))
        ctx.declare(f"band.{scorecard_id}", Type("string", optional=True))
