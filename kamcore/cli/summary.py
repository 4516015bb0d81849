"""The portfolio summary ``kam evaluate`` ends with, built while the evaluations stream past.

It holds counts and a short list of candidates, never the evaluations, so summarising a
million accounts costs no more memory than summarising ten. Orders come from the policy (tiers
in ``tier.values`` order, stages in lifecycle order, risk bands from low to high) so the summary
reads the way the policy was written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..runtime.compile import CompiledPolicy

__all__ = ["PortfolioSummary"]

_TOP = 10  # at-risk key accounts listed
_REJECTS_SHOWN = 10
_WARNINGS_SHOWN = 3
#: Distinct warning texts counted; past this, new texts are counted only in the total, so a
#: warning that quotes each account's values cannot grow the summary with the portfolio.
_WARNINGS_KEPT = 10_000


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
        warnings = evaluation.get("warnings") or ()
        if warnings:
            self.with_warnings += 1
            for warning in dict.fromkeys(map(str, warnings)):
                if warning in self.warnings or len(self.warnings) < _WARNINGS_KEPT:
                    self.warnings[warning] += 1
        tier = evaluation.get("tier")
        stage = evaluation.get("stage") or {}
        risk = evaluation.get("risk") or {}
        self.by_tier[tier] += 1
        self.by_stage[stage.get("value")] += 1
        band = risk.get("band")
        self.by_risk[band] += 1
        if self.key_tier is not None and tier != self.key_tier:
            return
        if band is None or (self.risk_bands and band == self.risk_bands[0]):
            return
        self.key_at_risk += 1
        rank = self.risk_bands.index(band) if band in self.risk_bands else -1
        score = float(risk.get("score") or 0)
        self._candidates.append((-(rank * 1e12 + score), str(evaluation["account_id"]), evaluation))
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
