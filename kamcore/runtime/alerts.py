"""The ``[[alerts]]`` and ``[risk]`` sections: churn warnings, their points, and the risk band.

Customer-success tools show a health colour nobody can trace back. Here each alert is a named
condition with a severity, points and a reason an account manager can read; the risk score is an
expression over those points (``alert_points`` unless the policy says otherwise), and the risk
bands state their closed ends and are checked for gaps and overlaps when the policy loads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ..errors import AccountError
from ..types import BOOLEAN, NUMBER, STRING, Type
from .checks import compile_bands, compile_interval
from .context import AccountRun, CompileContext
from .rules import did_you_mean, evaluate
from .templates import Template, compile_template
from .trace import record

if TYPE_CHECKING:
    from ..expr import CompiledExpr, Interval

__all__ = [
    "SEVERITIES",
    "Alert",
    "CompiledAlerts",
    "CompiledRisk",
    "compile_alerts",
    "compile_risk",
]

#: Alert severities, least to most severe.
SEVERITIES: Final = ("info", "warning", "critical")


@dataclass(frozen=True, slots=True)
class Alert:
    """One compiled alert; ``path`` is its key path ``alerts[<id>]``."""

    id: str
    when: CompiledExpr
    severity: str
    points: int | float
    reason: Template
    path: str


@dataclass(frozen=True, slots=True)
class CompiledAlerts:
    """Every alert of the policy, evaluated in declared order."""

    alerts: tuple[Alert, ...]

    def run(self, acc: AccountRun) -> None:
        """Append each firing alert to the evaluation; set ``alerts`` and ``alert_points``."""
        fired: list[dict[str, Any]] = []
        ids: list[str] = []
        total: int | float = 0
        values = acc.values
        for alert in self.alerts:
            if not evaluate(alert.when, acc, alert.path):
                continue
            fired.append(
                {
                    "id": alert.id,
                    "severity": alert.severity,
                    "points": alert.points,
                    "reason": alert.reason.render(values),
                }
            )
            ids.append(alert.id)
            total += alert.points
            record(acc, alert.path, "alert", alert.when.names)
        acc.out["alerts"] = fired
        values["alerts"] = ids
        values["alert_points"] = total


def compile_alerts(
    ctx: CompileContext, specs: Sequence[Mapping[str, Any]]
) -> CompiledAlerts | None:
    """Compile ``[[alerts]]``, recording every problem; ``None`` if any alert is unusable.

    ``alerts`` and ``alert_points`` are declared even then, so ``[risk]`` and tactic rules that
    read them are not reported a second time.
    """
    before = len(ctx.problems)
    alerts: list[Alert] = []
    raw: object = specs  # straight from TOML: the schema check may not have run
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        ctx.problem("`alerts` must be an array of tables ([[alerts]])", "alerts")
        specs = ()
    for aid, spec, path in ctx.identified(specs, "alerts", "alert"):
        alert = _compile_alert(ctx, aid, spec, path)
        if alert is not None:
            alerts.append(alert)
    ctx.declare("alerts", Type("list", item=STRING))
    ctx.declare("alert_points", NUMBER)
    if len(ctx.problems) > before:
        return None
    return CompiledAlerts(tuple(alerts))


def _compile_alert(
    ctx: CompileContext, aid: str, spec: Mapping[str, Any], path: str
) -> Alert | None:
    severity = spec.get("severity", "warning")
    severity_ok = severity in SEVERITIES
    if not severity_ok:
        ctx.problem(
            f"unknown severity {severity!r}{did_you_mean(str(severity), SEVERITIES)} "
            f"(expected one of {', '.join(SEVERITIES)})",
            f"{path}.severity",
        )
    points = spec.get("points", 0)
    points_ok = (
        isinstance(points, int | float) and not isinstance(points, bool) and math.isfinite(points)
    )
    if not points_ok or points < 0:
        ctx.problem(f"`points` must be a number >= 0, got {points!r}", f"{path}.points")
        points_ok = False
    if "when" not in spec:
        ctx.problem(f"alert `{aid}` needs a `when` condition", path)
        return None
    when = ctx.expr(spec["when"], f"{path}.when", BOOLEAN)
    if "reason" in spec:
        reason = compile_template(ctx, spec["reason"], f"{path}.reason")
    else:
        reason = Template.literal(_label_en(spec.get("label")) or aid)
    if when is None or reason is None or not severity_ok or not points_ok:
        return None
    return Alert(aid, when, str(severity), points, reason, path)


def _label_en(label: object) -> str | None:
    """The English display label, if the ``label`` table has one."""
    if isinstance(label, Mapping):
        text = label.get("en")
        return text if isinstance(text, str) and text else None
    return label if isinstance(label, str) and label else None


# -- risk -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompiledRisk:
    """The risk score expression, its range and its bands (checked to cover the range)."""

    score: CompiledExpr
    range: Interval
    bands: tuple[tuple[str, Interval], ...]

    def run(self, acc: AccountRun) -> None:
        """Compute the score, find its band; a score outside every band fails the account."""
        score = evaluate(self.score, acc, "risk.score")
        band: str | None = None
        if score is not None:
            if not self.range.contains(score):
                raise AccountError(
                    acc.account_id,
                    "risk.score",
                    f"risk score {score} is outside the range {self.range}",
                )
            if self.bands:
                band = next((label for label, iv in self.bands if iv.contains(score)), None)
                if band is None:
                    raise AccountError(
                        acc.account_id, "risk.bands", f"risk score {score} is in no risk band"
                    )
        acc.out["risk"] = {"score": score, "band": band}
        acc.values["risk_score"] = score
        acc.values["risk"] = band


def compile_risk(ctx: CompileContext, spec: Mapping[str, Any]) -> CompiledRisk | None:
    """Compile ``[risk]``, recording every problem; ``None`` if the section is unusable.

    A missing score (an optional metric was missing) gives a missing ``risk`` and
    ``risk_score``, which is why both are declared optional.
    """
    before = len(ctx.problems)
    score = ctx.expr(spec.get("score", "alert_points"), "risk.score", NUMBER.as_optional())
    domain = compile_interval(ctx, spec.get("range", "[0..)"), "risk.range")
    bands = compile_bands(ctx, spec.get("bands"), "risk.bands", domain)
    ctx.declare("risk", STRING.as_optional())
    ctx.declare("risk_score", NUMBER.as_optional())
    if len(ctx.problems) > before or score is None or domain is None or bands is None:
        return None
    return CompiledRisk(score, domain, tuple(bands))
