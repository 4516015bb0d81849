"""Which model parameters the portfolio metrics use: the fit, the prior, or none."""

from __future__ import annotations

from typing import Any

import pytest
from kamcore_membership import portfolio
from kamcore_membership.bgnbd import BgNbdParams
from kamcore_membership.config import settings
from kamcore_membership.gamma_gamma import GammaGammaParams
from kamcore_membership.portfolio import PortfolioModels, clear_fit_cache
from kamcore_membership.sample import generate

PRIORS: dict[str, Any] = {
    "bgnbd": {"r": 1.0, "alpha": 10.0, "a": 2.0, "b": 4.0},
    "gamma_gamma": {"p": 2.0, "q": 3.0, "gamma": 100.0},
}


def _columns(n: int) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Summaries of generated members (visitors give missing values), in weeks."""
    from datetime import date

    from kamcore_membership.sample import SAMPLE_AS_OF

    x: list[Any] = []
    t: list[Any] = []
    age: list[Any] = []
    m: list[Any] = []
    for row in generate(n, seed=5):
        if not row["first_order_date"]:
            x.append(None)
            t.append(None)
            age.append(None)
            m.append(None)
            continue
        first = date.fromisoformat(row["first_order_date"])
        last = date.fromisoformat(row["last_order_date"])
        x.append(int(row["membership.repeat_purchases"]))
        t.append((last - first).days / 7)
        age.append((SAMPLE_AS_OF - first).days / 7)
        value = row["membership.avg_repeat_value"]
        m.append(None if value == "" else float(value))
    return x, t, age, m


def test_a_large_enough_portfolio_is_fitted() -> None:
    models = PortfolioModels(settings(PRIORS))
    x, t, age, m = _columns(200)
    basis = models.model_basis(x, t, age, m)
    assert {b for b in basis if b is not None} == {"bgnbd=fitted; gamma_gamma=fitted"}
    alive = models.p_alive(x, t, age)
    # visitors (no summary) have no value; everybody else a probability
    assert all((a is None) == (v is None) for a, v in zip(alive, x, strict=True))
    assert all(0 < a <= 1 for a in alive if a is not None)


def test_a_small_portfolio_uses_the_priors_or_nothing() -> None:
    x, t, age = [2, 0], [10, 0], [30, 30]
    with_priors = PortfolioModels(settings(PRIORS))
    assert with_priors.p_alive(x, t, age) == pytest.approx([5 / 21, 1.0])  # see test_golden
    assert (
        with_priors.model_basis(x, t, age, [150, None])
        == [
            "bgnbd=prior; gamma_gamma=prior",
        ]
        * 2
    )
    without = PortfolioModels(settings({}))
    assert without.p_alive(x, t, age) == [None, None]
    assert without.clv(x, t, age, [150, None]) == [None, None]


def test_fit_models_false_always_uses_the_priors() -> None:
    models = PortfolioModels(settings({**PRIORS, "fit_models": False}))
    x, t, age, m = _columns(200)
    assert {b for b in models.model_basis(x, t, age, m) if b} == {"bgnbd=prior; gamma_gamma=prior"}


def test_an_unidentified_fit_falls_back_to_the_prior() -> None:
    # Every repeat buyer spends exactly the same per order: no heterogeneity, q runs off to
    # the edge of the search box. The prior is used instead of a meaningless fit.
    models = PortfolioModels(settings({**PRIORS, "min_fit_repeat_buyers": 2}))
    params, basis = models.gamma_gamma([1, 2, 3, 4], [50.0, 50.0, 50.0, 50.0])
    assert (params, basis) == (GammaGammaParams(2.0, 3.0, 100.0), "prior")


def test_invalid_summaries_are_left_out() -> None:
    models = PortfolioModels(settings(PRIORS))
    # recency beyond age, a negative count, a fractional count, a missing value
    alive = models.p_alive([2, 1, -1, 1.5, None], [10, 9, 0, 1, 1], [30, 5, 5, 5, 5])
    assert alive[0] == pytest.approx(5 / 21)
    assert alive[1:] == [None, None, None, None]


def test_fits_are_cached_across_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_fit_cache()
    calls: list[int] = []
    real = portfolio.fit_bgnbd  # type: ignore[attr-defined]

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(portfolio, "fit_bgnbd", counting)
    models = PortfolioModels(settings(PRIORS))
    x, t, age, m = _columns(120)
    models.p_alive(x, t, age)
    models.expected_purchases(x, t, age)
    models.clv(x, t, age, m)
    assert len(calls) == 1
    clear_fit_cache()
    models.p_alive(x, t, age)
    assert len(calls) == 2


def test_prior_parameters_are_read_from_the_config() -> None:
    parsed = settings(PRIORS)
    assert parsed.bgnbd == BgNbdParams(1.0, 10.0, 2.0, 4.0)
    assert parsed.gamma_gamma == GammaGammaParams(2.0, 3.0, 100.0)
