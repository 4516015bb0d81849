"""The published CDNOW results, reproduced from the raw transaction log.

Fader, Hardie & Lee (2005) fit BG/NBD to the 2,357 customers of the CDNOW 1/10 sample over the
39 weeks to 1997-09-30 and report r, alpha, a, b = 0.243, 4.414, 0.793, 2.426 with
log-likelihood -9582.4; the Gamma-Gamma spend model on the 946 repeat buyers gives
p, q, gamma = 6.25, 3.74, 15.44. The checks are to the published precision, so the whole chain
(reading, same-day merging, weeks, likelihoods, optimiser) has to be right.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from kamcore_membership import (
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    p_alive,
)
from kamcore_membership.cdnow import CALIBRATION_END, read_transactions, summarise
from kamcore_membership.summary import PurchaseSummary

from .conftest import BASE, membership_engine


@pytest.fixture(scope="module")
def summaries(cdnow_path: Path) -> dict[str, PurchaseSummary]:
    return summarise(read_transactions(cdnow_path), CALIBRATION_END)


def _columns(
    summaries: dict[str, PurchaseSummary],
) -> tuple[list[int], list[float], list[float]]:
    values = list(summaries.values())
    return [s.frequency for s in values], [s.recency for s in values], [s.age for s in values]


def test_calibration_summary_matches_the_literature(
    summaries: dict[str, PurchaseSummary],
) -> None:
    assert date(1997, 9, 30) == CALIBRATION_END
    assert len(summaries) == 2_357
    assert sum(s.frequency > 0 for s in summaries.values()) == 946
    # Customer 4, the example of the BG/NBD papers: purchases on 1997-01-01, 01-18 and 08-02
    # in the calibration period (12-12 is after it). x = 2; t_x = 213 days / 7 = 30.43 weeks;
    # T = 272 days / 7 = 38.86 weeks (1 January to 30 September).
    first = summaries["00004"]
    assert first.frequency == 2
    assert first.recency == pytest.approx(213 / 7)
    assert round(first.recency, 2) == 30.43
    assert first.age == pytest.approx(272 / 7)
    assert round(first.age, 2) == 38.86
    # its repeat transactions: 29.73 (01-18) and 14.96 (08-02)
    assert first.monetary_value == pytest.approx((29.73 + 14.96) / 2)


def test_bgnbd_fit_reproduces_the_published_estimates(
    summaries: dict[str, PurchaseSummary],
) -> None:
    fit = fit_bgnbd(*_columns(summaries))
    p = fit.params
    assert fit.converged
    assert fit.customers == 2_357
    assert (round(p.r, 3), round(p.alpha, 3), round(p.a, 3), round(p.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert round(fit.log_likelihood, 1) == -9582.4


def test_gamma_gamma_fit_reproduces_the_published_estimates(
    summaries: dict[str, PurchaseSummary],
) -> None:
    repeat = [s for s in summaries.values() if s.frequency > 0]
    assert len(repeat) == 946
    fit = fit_gamma_gamma([s.frequency for s in repeat], [s.monetary_value or 0.0 for s in repeat])
    p = fit.params
    assert fit.converged
    assert (round(p.p, 2), round(p.q, 2), round(p.gamma, 2)) == (6.25, 3.74, 15.44)


def test_conditional_expectation_of_the_papers_example(
    summaries: dict[str, PurchaseSummary],
) -> None:
    """FHL 2005: a customer with x = 2, t_x = 30.43, T = 38.86 is expected to make 1.226
    purchases in the next 39 weeks."""
    params = fit_bgnbd(*_columns(summaries)).params
    assert round(expected_purchases(params, 39, [2], [30.43], [38.86])[0], 3) == 1.226


def test_the_engine_fits_the_cdnow_portfolio(summaries: dict[str, PurchaseSummary]) -> None:
    """Through the base policy, the portfolio metric fits the same model: each member's
    p_alive is the one computed directly from the published-precision fit."""
    rows = [
        {
            "id": customer,
            "membership.repeat_purchases": s.frequency,
            "membership.recency_weeks": s.recency,
            "membership.age_weeks": s.age,
            "membership.avg_repeat_value": s.monetary_value,
        }
        for customer, s in summaries.items()
    ]
    engine = membership_engine(BASE)
    result = engine.evaluate_portfolio(rows, as_of=CALIBRATION_END, explain="none")
    assert result.errors == []
    by_id = result.by_id()
    params = fit_bgnbd(*_columns(summaries)).params
    direct = dict(zip(summaries, p_alive(params, *_columns(summaries)), strict=True))
    for customer in ("00004", "00021", "00050", "23537"):
        metrics = by_id[customer]["metrics"]
        assert metrics["membership.p_alive"] == pytest.approx(direct[customer], rel=1e-6)
        assert metrics["membership.model_basis"] == "bgnbd=fitted; gamma_gamma=fitted"
