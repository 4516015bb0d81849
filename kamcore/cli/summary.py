"""The portfolio summary ``kam evaluate`` ends with, built while the evaluations stream past.

It holds counts and a short list of candidates, never the evaluations, so summarising a
million accounts costs no more memory than summarising ten. Orders come from the policy (tiers
in ``tier.values`` order, stages in lifecycle order, risk bands from low to high) so the summary
reads the way the policy was written.

A parallel run evaluates in worker processes, and shipping each evaluation back only to count
it would cost the main process more than writing it. There each worker gathers its chunk's
share in a :class:`SummaryPart` (from :meth:`PortfolioSummary.part`): a column of tiers, of
stages and of bands, the few rows with warnings or at risk. The main process merges the parts
in input order, dropping the rows it turned into duplicate-id rejects, with the same helpers
:meth:`PortfolioSummary.add` uses, so both ways give the same summary text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Container, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..runtime.compile import CompiledPolicy

__all__ = ["PortfolioSummary", "SummaryPart"]

_TOP = 10  # at-risk key accounts listed
_REJECTS_SHOWN = 10
_WARNINGS_SHOWN = 3
#: Distinct warning texts counted; past this, new texts are counted only in the total, so a
#: warning that quotes each account's values cannot grow the summary with the portfolio.
_WARNINGS_KEPT = 10_000


#: Evaluations by tier, by stage and by risk band.
_Counts = tuple[Counter[str | None], Counter[str | None], Counter[str | None]]
#: A key account at risk: (sort key, account id, the evaluation or the part of it shown).
_Candidate = tuple[float, str, dict[str, Any]]


def _distinct(warnings: Sequence[Any]) -> tuple[str, ...]:
    """An evaluation's warning texts, each once, in order."""
    return tuple(dict.fromkeys(map(str, warnings)))


def _keys(evaluation: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """What an evaluation is counted by: its tier, stage and risk band."""
    stage = evaluation.get("stage") or {}
    risk = evaluation.get("risk") or {}
    return evaluation.get("tier"), stage.get("value"), risk.get("band")


def _candidate(
    key_tier: str | None, bands: Sequence[str], evaluation: dict[str, Any], band: str | None
) -> _Candidate | None:
    """The at-risk entry of a key account outside the lowest risk band, else ``None``."""
    if key_tier is not None and evaluation.get("tier") != key_tier:
        return None
    if band is None or (bands and band == bands[0]):
        return None
    risk = evaluation["risk"]
    rank = bands.index(band) if band in bands else -1
    score = float(risk.get("score") or 0)
    return -(rank * 1e12 + score), str(evaluation["account_id"]), evaluation


def _shown(evaluation: dict[str, Any]) -> dict[str, Any]:
    """The part of an at-risk evaluation :meth:`PortfolioSummary.render` shows."""
    risk = evaluation["risk"]
    return {
        "risk": {"band": risk["band"], "score": risk["score"]},
        "alerts": [{"id": a["id"]} for a in evaluation.get("alerts", ())],
        "tactics": [{"id": t["id"]} for t in evaluation.get("tactics", ())],
    }


class SummaryPart:
    """One chunk's share of a :class:`PortfolioSummary`, gathered where the chunk is
    evaluated and merged in order by :meth:`PortfolioSummary.merge`.

    Positions count the evaluations added, from 0. Counted keys are kept as columns (merged
    with one :meth:`Counter.update <collections.Counter.update>` each); only rows with warnings
    or at risk are kept whole, the latter as the part of the evaluation the summary shows.
    """

    __slots__ = (
        "_counts",
        "bands",
        "candidates",
        "key_tier",
        "matched",
        "previous",
        "risk_bands",
        "stages",
        "tiers",
        "warned",
    )

    def __init__(
        self, key_tier: str | None, risk_bands: Sequence[str], previous: Container[str] | None
    ) -> None:
        self.key_tier = key_tier
        self.risk_bands = risk_bands
        self.previous = previous
        self.tiers: list[str | None] = []
        self.stages: list[str | None] = []
        self.bands: list[str | None] = []
        self.matched: list[int] = []  # positions whose account has a previous evaluation
        self.warned: list[tuple[int, tuple[str, ...]]] = []
        self.candidates: list[tuple[int, _Candidate]] = []
        self._counts: _Counts | None = None

    def add(self, evaluation: dict[str, Any]) -> None:
        """Gather one evaluation's share (:func:`_keys` and :func:`_candidate` inlined: this
        runs once a row in the workers)."""
        position = len(self.tiers)
        if self.previous is not None and str(evaluation["account_id"]) in self.previous:
            self.matched.append(position)
        warnings = evaluation.get("warnings")
        if warnings:
            self.warned.append((position, _distinct(warnings)))
        tier = evaluation.get("tier")
        stage = evaluation.get("stage")
        risk = evaluation.get("risk")
        band = risk.get("band") if risk else None
        self.tiers.append(tier)
        self.stages.append(stage.get("value") if stage else None)
        self.bands.append(band)
        if band is None or (self.key_tier is not None and tier != self.key_tier):
            return
        candidate = _candidate(self.key_tier, self.risk_bands, evaluation, band)
        if candidate is not None:
            key, account_id, _ = candidate
            self.candidates.append((position, (key, account_id, _shown(evaluation))))

    def counts(self) -> _Counts:
        """The tiers, stages and bands counted (made once, in the worker, when pickled)."""
        if self._counts is None:
            self._counts = (Counter(self.tiers), Counter(self.stages), Counter(self.bands))
        return self._counts

    def __getstate__(self) -> tuple[Any, ...]:
        # the previous ids stay behind: the main process has them
        columns = (self.tiers, self.stages, self.bands)
        return (*columns, self.counts(), self.matched, self.warned, self.candidates)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.key_tier, self.risk_bands, self.previous = None, (), None
        self.tiers, self.stages, self.bands, self._counts = state[:4]
        self.matched, self.warned, self.candidates = state[4:]


class PortfolioSummary:
    """Accounts by tier, stage and risk; the key accounts most at risk, with their tactics.

    :param tiers: the policy's tiers, top first; the first is "key account".
    :param stages: the lifecycle stages, in order.
    :param risk_bands: the risk band labels, lowest risk first; accounts in the first band
        are not "at risk".
    """

    def __init__(
        self,
        tiers: Sequence[str] = (),
        stages: Sequence[str] = (),
        risk_bands: Sequence[str] = (),
    ) -> None:
        self.tiers = list(tiers)
        self.stages = list(stages)
        self.risk_bands = list(risk_bands)
        self.key_tier = self.tiers[0] if self.tiers else None
        self.by_tier: Counter[str | None] = Counter()
        self.by_stage: Counter[str | None] = Counter()
        self.by_risk: Counter[str | None] = Counter()
        self.evaluated = 0
        self.rejected = 0
        self.key_at_risk = 0
        self.with_warnings = 0
        self.warnings: Counter[str] = Counter()
        self.previous_total: int | None = None
        self.previous_matched = 0
        self._previous: Container[str] = ()
        self._candidates: list[tuple[float, str, dict[str, Any]]] = []
        self._rejects: list[dict[str, Any]] = []

    @classmethod
    def for_policy(cls, policy: CompiledPolicy) -> PortfolioSummary:
        """A summary ordered the way ``policy`` declares tiers, stages and risk bands."""
        tiers = policy.tier.values if policy.tier is not None else ()
        stages = policy.lifecycle.stages if policy.lifecycle is not None else ()
        bands: list[str] = []
        if policy.risk is not None:
            ordered = sorted(policy.risk.bands, key=lambda b: float(b[1].lo or 0))
            bands = [label for label, _ in ordered]
        return cls(tiers, stages, bands)

    # -- collecting -------------------------------------------------------------------------

    def expect_previous(self, account_ids: Container[str], total: int) -> None:
        """Count the evaluations whose account has one of ``account_ids`` (the ``total``
        previous evaluations): an input whose ids changed format (``A42`` now ``A00042``)
        would otherwise lose every account's history without a sign."""
        self._previous = account_ids
        self.previous_total = total

    def add(self, evaluation: dict[str, Any]) -> None:
        """Count one evaluation; keep it while it is among the most at risk."""
        self.evaluated += 1
        if self.previous_total is not None and str(evaluation["account_id"]) in self._previous:
            self.previous_matched += 1
        warnings = evaluation.get("warnings")
        if warnings:
            self._count_warnings(_distinct(warnings))
        tier, stage, band = _keys(evaluation)
        self.by_tier[tier] += 1
        self.by_stage[stage] += 1
        self.by_risk[band] += 1
        candidate = _candidate(self.key_tier, self.risk_bands, evaluation, band)
        if candidate is not None:
            self._add_candidate(candidate)

    def part(self) -> SummaryPart:
        """An empty share of this summary, to fill where a chunk is evaluated and
        :meth:`merge` here; call it after :meth:`expect_previous`."""
        return SummaryPart(
            self.key_tier,
            self.risk_bands,
            self._previous if self.previous_total is not None else None,
        )

    def merge(self, part: SummaryPart, drop: Collection[int] = ()) -> None:
        """Count the evaluations of ``part`` but those at the positions in ``drop`` (rows
        refused after all, as duplicate ids), as :meth:`add` of each in turn would."""
        tiers, stages, bands = part.counts()
        if drop:
            tiers, stages, bands = (
                Counter(v for i, v in enumerate(column) if i not in drop)
                for column in (part.tiers, part.stages, part.bands)
            )
        self.evaluated += len(part.tiers) - len(drop)
        self.previous_matched += sum(1 for i in part.matched if i not in drop)
        self.by_tier.update(tiers)
        self.by_stage.update(stages)
        self.by_risk.update(bands)
        for i, warnings in part.warned:
            if i not in drop:
                self._count_warnings(warnings)
        for i, candidate in part.candidates:
            if i not in drop:
                self._add_candidate(candidate)

    def _count_warnings(self, warnings: Sequence[str]) -> None:
        self.with_warnings += 1
        for warning in warnings:
            if warning in self.warnings or len(self.warnings) < _WARNINGS_KEPT:
                self.warnings[warning] += 1

    def _add_candidate(self, candidate: _Candidate) -> None:
        self.key_at_risk += 1
        self._candidates.append(candidate)
        if len(self._candidates) > 20 * _TOP:
            self._prune()

    def reject(self, record: dict[str, Any]) -> None:
        """Count one rejected row; keep the first few for the summary."""
        self.rejected += 1
        if len(self._rejects) < _REJECTS_SHOWN:
            self._rejects.append(record)

    def _prune(self) -> None:
        self._candidates.sort(key=lambda c: (c[0], c[1]))
        del self._candidates[_TOP:]

    # -- reporting --------------------------------------------------------------------------

    @staticmethod
    def _counts(counter: Counter[str | None], order: Sequence[str]) -> str:
        known = [k for k in order if counter.get(k)]
        rest = sorted((k for k in counter if k not in order and k is not None), key=str)
        keys: list[str | None] = [*known, *rest]
        if counter.get(None):
            keys.append(None)
        return "  ".join(f"{'none' if k is None else k} {counter[k]}" for k in keys) or "-"

    def render(self, rejects_file: str | None = None) -> str:
        """The summary as text lines."""
        self._prune()
        lines = [
            f"{self.evaluated} accounts evaluated, {self.rejected} rejected",
            f"  by tier:   {self._counts(self.by_tier, self.tiers)}",
            f"  by stage:  {self._counts(self.by_stage, self.stages)}",
            f"  by risk:   {self._counts(self.by_risk, self.risk_bands)}",
        ]
        if self.previous_total is not None:
            lines.append(
                f"previous: {self.previous_matched} of {self.evaluated} accounts matched "
                f"({self.previous_total} previous evaluations)"
            )
        if self.with_warnings:
            lines.append(f"accounts with warnings: {self.with_warnings}; most common:")
            for warning, count in self.warnings.most_common(_WARNINGS_SHOWN):
                lines.append(f"  {count:>{len(str(self.with_warnings))}}  {warning}")
        who = f"key accounts ({self.key_tier})" if self.key_tier else "accounts"
        lines.append(f"{who} at risk: {self.key_at_risk}")
        for _, account_id, e in self._candidates:
            risk = e["risk"]
            tactics = ", ".join(t["id"] for t in e.get("tactics", ())) or "none"
            alerts = ", ".join(a["id"] for a in e.get("alerts", ())) or "none"
            lines.append(f"  {account_id}  risk {risk['band']} ({risk['score']:g})")
            lines.append(f"      alerts:  {alerts}")
            lines.append(f"      tactics: {tactics}")
        if self.rejected:
            where = f" (all in {rejects_file})" if rejects_file else ""
            lines.append(f"rejected rows: {self.rejected}{where}")
            for record in self._rejects:
                lines.append(
                    f"  row {record.get('row')} ({record.get('account_id') or 'no id'}): "
                    f"{record.get('where')}: {record.get('reason')}"
                )
            if self.rejected > len(self._rejects):
                lines.append(f"  ... and {self.rejected - len(self._rejects)} more")
        return "\n".join(lines)
