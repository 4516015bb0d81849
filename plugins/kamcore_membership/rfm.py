"""RFM segments from the core's R, F and M quintile scores.

kamcore's built-in portfolio metrics ``rfm_r``, ``rfm_f`` and ``rfm_m`` score every member 1..5
against the portfolio (5 best: most recent, most orders, most spend in 12 months). A 125-cell
cube is not something a CRM team acts on, so the scores are folded into ten named segments
with the classic recency x frequency grid. The frequency axis is FM, the mean of F and M
rounded half up (``FM = (F + M + 1) // 2``), so a rare big spender and a frequent small one
both count as engaged:

* R 5: FM 1 ``new``, FM 2-3 ``potential_loyalist``, FM 4-5 ``champions``;
* R 4: FM 1 ``promising``, FM 2-3 ``potential_loyalist``, FM 4-5 ``loyal``;
* R 3: FM 1-2 ``about_to_sleep``, FM 3 ``need_attention``, FM 4-5 ``loyal``;
* R 1-2: FM 1-2 ``hibernating``, FM 3-4 ``at_risk``, FM 5 ``cant_lose``.

Every one of the 25 (R, FM) cells has exactly one segment.

Quintiles are relative to the evaluated portfolio, and over a handful of members they mean
nothing: alone, a member is "better than nobody" on every axis. So the metric
``membership.rfm_segment`` (unlike the pure classifier :func:`rfm_segment`) is missing while
fewer than ``rfm_min_members`` members have a purchase recency to be ranked on
(:func:`rfm_population`), and for a member whose days since the last purchase are not known
(none yet, or a last order dated after the evaluation date: R would rank a date that has not
happened as the most recent purchase of all).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = [
    "RFM_SEGMENTS",
    "SEGMENT_LABELS",
    "fm_score",
    "rfm_population",
    "rfm_segment",
    "segment_metric",
]

#: Every segment, best first.
RFM_SEGMENTS: tuple[str, ...] = (
    "champions",
    "loyal",
    "potential_loyalist",
    "new",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose",
    "hibernating",
)

#: Display labels of the segments.
SEGMENT_LABELS: Mapping[str, Mapping[str, str]] = {
    "champions": {"en": "Champions", "zh": "冠军会员"},
    "loyal": {"en": "Loyal", "zh": "忠诚会员"},
    "potential_loyalist": {"en": "Potential loyalist", "zh": "潜力会员"},
    "new": {"en": "New", "zh": "新会员"},
    "promising": {"en": "Promising", "zh": "有望会员"},
    "need_attention": {"en": "Need attention", "zh": "需关注会员"},
    "about_to_sleep": {"en": "About to sleep", "zh": "将沉睡会员"},
    "at_risk": {"en": "At risk", "zh": "流失风险会员"},
    "cant_lose": {"en": "Can't lose them", "zh": "不能失去的会员"},
    "hibernating": {"en": "Hibernating", "zh": "沉睡会员"},
}

_SCORES = range(1, 6)


def fm_score(f: int, m: int) -> int:
    """The mean of the F and M scores, rounded half up: (4, 5) -> 5, (3, 4) -> 4."""
    return (f + m + 1) // 2


def _low_recency(fm: int) -> str:
    return "hibernating" if fm <= 2 else "at_risk" if fm <= 4 else "cant_lose"


def rfm_segment(r: int, f: int, m: int) -> str | None:
    """The segment of a member with RFM scores ``r``, ``f``, ``m`` (each 1..5); missing for a
    score outside 1..5."""
    if r not in _SCORES or f not in _SCORES or m not in _SCORES:
        return None
    fm = fm_score(f, m)
    if r <= 2:
        return _low_recency(fm)
    if fm >= 4:
        return "champions" if r == 5 else "loyal"
    if r == 3:
        return "need_attention" if fm == 3 else "about_to_sleep"
    if fm == 1:
        return "new" if r == 5 else "promising"
    return "potential_loyalist"


def rfm_population(recency_days: Sequence[Any]) -> list[int]:
    """For every member, how many members of the portfolio the R score ranks: those with a
    recency (the core's ``rfm_r`` is computed over exactly these)."""
    ranked = sum(1 for days in recency_days if days is not None)
    return [ranked] * len(recency_days)


def segment_metric(min_members: int) -> Callable[[int, int, int, int, int], str | None]:
    """``membership.rfm_segment(r, f, m, days_since_purchase, population)``: the segment, or
    missing below ``min_members`` ranked members (``days_since_purchase`` only has to be
    present: a missing one means the recency the R score rests on is not a real one)."""

    def segment(r: int, f: int, m: int, days_since_purchase: int, population: int) -> str | None:
        if population < min_members:
            return None
        return rfm_segment(r, f, m)

    return segment
