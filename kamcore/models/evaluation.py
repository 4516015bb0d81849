"""The verdict for one account: what was derived, by which policy, from which inputs, and why.

The runtime builds evaluations as plain dicts in exactly this shape (no model per account on the
hot path); these models document the shape, generate ``schemas/evaluation.schema.json`` and let
consumers validate what they read back. Every field is required, even when its value may be
``null``: an evaluation always carries the same keys in the same order, so two runs can be
compared byte for byte (see :func:`evaluation_json`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..registry import Dimension

__all__ = [
    "AccountErrorRecord",
    "AlertHit",
    "Evaluation",
    "Fired",
    "MeasureContribution",
    "PolicyStamp",
    "Risk",
    "Score",
    "StageState",
    "TacticHit",
    "evaluation_json",
]

#: How a scorecard handled a missing measure value (``None``: the value was present).
MissingHandling = Literal["exclude", "neutral", "penalize"]


class _Strict(BaseModel):
    # Readers of stored evaluations should notice a shape they do not know.
    model_config = ConfigDict(extra="forbid")


class PolicyStamp(_Strict):
    """The policy that produced the evaluation; with the inputs it pins the verdict down."""

    id: str = Field(description="The policy's id.")
    version: str = Field(description="The policy's declared version.")
    hash: str = Field(description="Content hash of the merged policy, e.g. sha256:<hex>.")


class MeasureContribution(_Strict):
    """How one measure contributed to a score, so the score can be explained line by line."""

    id: str = Field(description="The measure's id within the scorecard.")
    metric: str = Field(description="The fact or metric the measure reads.")
    raw: Any = Field(description="The value read; null when it was missing.")
    normalised: float | None = Field(description="The value mapped to the scorecard's scale.")
    weight: float = Field(description="The normalised weight actually applied (0 if excluded).")
    points: float | None = Field(description="normalised x weight: this measure's share.")
    missing: MissingHandling | None = Field(
        description="How a missing value was handled; null when the value was present."
    )


class Score(_Strict):
    """A scorecard result. ``direction`` says which end is good, so nobody has to guess."""

    value: float | None = Field(description="The score; null when it could not be computed.")
    band: str | None = Field(description="The band label the score falls in.")
    direction: Literal["higher_is_healthier", "higher_is_riskier"] = Field(
        description="Whether a higher value is better or worse."
    )
    measures: list[MeasureContribution] | None = Field(
        description="Each measure's contribution; null when the evaluation was made with "
        "explanations off (explain none)."
    )


class StageState(_Strict):
    """Where the account is in its lifecycle, and whether this evaluation moved it."""

    value: str = Field(description="The current stage.")
    previous: str | None = Field(description="The stage before this evaluation, if known.")
    changed: bool = Field(description="This evaluation moved the account to a new stage.")
    since: dt.date = Field(description="The date the account entered the current stage.")


class AlertHit(_Strict):
    """An early-warning alert that fired."""

    id: str = Field(description="The alert's id in the policy.")
    severity: Literal["info", "warning", "critical"] = Field(description="How urgent it is.")
    points: float = Field(description="Risk points it adds.")
    reason: str = Field(description="Plain-language reason, with the values that triggered it.")


class Risk(_Strict):
    """The overall churn risk, from the alerts that fired."""

    score: float | None = Field(description="Risk points; null when not computed.")
    band: str | None = Field(description="The risk band label.")


class TacticHit(_Strict):
    """A retention tactic recommended for the account, with who should act and by when."""

    id: str = Field(description="The tactic's id in the catalogue.")
    dimension: Dimension = Field(description="The retention dimension it belongs to.")
    priority: int = Field(description="Lower numbers come first.")
    reason: str = Field(description="Why it was recommended.")
    owner_role: str = Field(description="Who carries it out, e.g. account_manager.")
    due_in_days: int = Field(description="Deadline, in days after the evaluation date.")
    rule: str = Field(description="Key path of the tactic rule that picked it.")


class Fired(_Strict):
    """A rule, table row, transition, alert or tactic that fired, and the values it read."""

    rule: str = Field(description="The rule's key path, e.g. tables.tier.rules[ka-large].")
    kind: str = Field(description="table_row, segment, cap, hysteresis, transition, alert, ...")
    inputs: dict[str, Any] = Field(
        description="The names the rule read and their values; empty at explain summary."
    )
    note: str | None = Field(description="Extra explanation, if any.")


class Evaluation(_Strict):
    """Everything a policy derived for one account as of one date.

    Stamped with the policy id, version and content hash, the as-of date and a digest of the
    inputs, so any past verdict can be reproduced exactly.
    """

    account_id: str = Field(description="The account evaluated.")
    policy: PolicyStamp = Field(description="The policy used.")
    as_of: dt.date = Field(description="The evaluation date.")
    input_digest: str | None = Field(
        description="sha256:<hex> of the account's canonical input; recorded at explain full "
        "(the audit level), null otherwise: it costs more than most decisions."
    )
    metrics: dict[str, Any] = Field(description="Every metric computed, by name.")
    scores: dict[str, Score] = Field(description="Scorecard results by scorecard id.")
    tier: str | None = Field(description="The tier assigned; null if none applies.")
    segments: list[str] = Field(description="Segment labels, several at once.")
    outputs: dict[str, Any] = Field(description="Decision table outputs by name.")
    stage: StageState | None = Field(description="Lifecycle stage; null without a lifecycle.")
    alerts: list[AlertHit] = Field(description="Alerts that fired.")
    risk: Risk | None = Field(description="Overall risk; null without a risk section.")
    tactics: list[TacticHit] = Field(description="Recommended retention tactics.")
    fired: list[Fired] = Field(description="What fired and why (empty when explanations are off).")
    warnings: list[str] = Field(description="Things worth knowing that did not stop evaluation.")
    state: dict[str, Any] = Field(
        description="Carry-over for the next evaluation (hysteresis and dwell counters)."
    )


class AccountErrorRecord(_Strict):
    """An account that could not be evaluated; the rest of the portfolio still was."""

    account_id: str | None = Field(description="The account's id; null if the row had none.")
    where: str = Field(description="The field, metric or rule involved (inputs.revenue_12m).")
    reason: str = Field(description="Plain-language reason.")
    row: int | None = Field(description="1-based input row number, when read from a file.")


def _json_default(value: object) -> object:
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not allowed in an evaluation: {value!r}")


#: Built once: ``json.dumps`` with options builds a new encoder per call, which cost about
#: 3 µs an evaluation when writing a million of them.
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default
)


def evaluation_json(d: Mapping[str, Any]) -> str:
    """The canonical JSON text of an evaluation dict.

    Keys keep the order the runtime built them in (the :class:`Evaluation` field order), never
    sorted, so the text reads like the schema. Dates become ISO strings, floats their shortest
    round-tripping ``repr`` and text stays unescaped UTF-8: equal evaluations give byte-identical
    text, which is what makes "did this verdict change?" a plain ``diff``.

    :raises ValueError: for a NaN or infinite number, which JSON cannot carry (a metric bug:
        a missing value should be ``None``).
    :raises TypeError: for a value that has no JSON form.
    """
    try:
        return _ENCODER.encode(d)
    except ValueError as exc:
        where = _first_non_finite(d, "")
        raise ValueError(
            f"evaluation of account {d.get('account_id')!r}: {where} is not a finite number; "
            "JSON cannot carry NaN or infinity (return None for a missing value)"
        ) from exc


def _first_non_finite(value: object, path: str) -> str:
    """The key path of the first NaN/infinity, for the error message (slow path only)."""
    if isinstance(value, float) and not math.isfinite(value):
        return path or "<value>"
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _first_non_finite(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = _first_non_finite(item, f"{path}[{i}]")
            if found:
                return found
    return ""
