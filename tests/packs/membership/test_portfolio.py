"""Which model parameters the portfolio metrics use: the fit, the prior, or none."""

from __future__ import annotations

import math
from typing import Any

import pytest
from kamcore_membership import portfolio
from kamcore_membership.bgnbd import BgNbdParams, expected_purchases, fit_bgnbd
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


# -- degenerate data: the prior, never a silent gap ------------------------------------------------

# 29 one-time buyers and one repeat buyer (x = 1, t_x = 5, T = 30): far too little to identify
# the drop-out process. Fitted anyway, BG/NBD runs off to a = 77,000, b = 5e-5, calls the repeat
# buyer gone (P(alive) 1.6e-10) and overflows the expected purchases for everyone.
_ONE_REPEAT = ([0] * 29 + [1], [0.0] * 29 + [5.0], [30.0] * 30)


def test_too_few_repeat_buyers_use_the_prior() -> None:
    clear_fit_cache()
    x, t, age = _ONE_REPEAT
    models = PortfolioModels(settings(PRIORS))  # 30 members >= min_fit_members, 1 repeat buyer
    assert settings(PRIORS).min_fit_repeat_buyers == 20
    assert models.bgnbd(x, t, age) == (BgNbdParams(1.0, 10.0, 2.0, 4.0), "prior")
    # the prior's P(alive) of the repeat buyer: 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))
    # = 1 / (1 + 2/4 * (40/15)^2) = 1 / (1 + 0.5 * 64/9) = 1 / (41/9) = 9/41
    assert models.p_alive(x, t, age)[-1] == pytest.approx(9 / 41)
    m: list[Any] = [None] * 30
    for values in (models.expected_purchases(x, t, age), models.clv(x, t, age, m)):
        assert all(v is not None and v > 0 for v in values)
    assert set(models.model_basis(x, t, age, m)) == {"bgnbd=prior; gamma_gamma=prior"}


def test_too_few_repeat_buyers_without_a_prior_give_no_values() -> None:
    x, t, age = _ONE_REPEAT
    models = PortfolioModels(settings({}))
    assert models.p_alive(x, t, age) == [None] * 30
    assert set(models.model_basis(x, t, age, [None] * 30)) == {"bgnbd=none; gamma_gamma=none"}


def test_a_fit_with_non_finite_values_falls_back_to_the_prior() -> None:
    # Two repeat buyers pass min_fit_repeat_buyers = 2, and the fit is inside the search box
    # (a = 6.6e4, b = 2e-5: |log| < 14.5), but its expected purchases overflow to NaN.
    # pytest turns warnings into errors here, so this also shows that none escapes.
    clear_fit_cache()
    x, t, age = [0] * 28 + [1, 1], [0.0] * 28 + [5.0, 5.0], [30.0] * 30
    fitted = fit_bgnbd(x, t, age).params
    assert fitted.a > 1e4
    assert fitted.b < 1e-3
    assert all(math.isnan(v) for v in expected_purchases(fitted, 52, [1, 0], [5, 0], [30, 30]))
    models = PortfolioModels(settings({**PRIORS, "min_fit_repeat_buyers": 2}))
    assert models.bgnbd(x, t, age) == (BgNbdParams(1.0, 10.0, 2.0, 4.0), "prior")
    assert models.p_alive(x, t, age)[-1] == pytest.approx(9 / 41)  # as above
    assert None not in models.expected_purchases(x, t, age)


def test_a_prior_with_non_finite_values_says_so_for_the_member() -> None:
    # A prior nobody should use (the degenerate fit above, kept as "last quarter's fit"): its
    # values overflow, so they are missing, and the basis says why rather than leaving a gap
    # that looks like a member outside the model.
    degenerate = {"r": 0.03, "alpha": 3.29, "a": 65_579.0, "b": 2.05e-5}
    config = {**PRIORS, "bgnbd": degenerate, "fit_models": False}
    models = PortfolioModels(settings(config))
    x, t, age = [0, 1], [0.0, 5.0], [30.0, 30.0]
    assert models.p_alive(x, t, age) == [None, None]
    assert models.clv(x, t, age, [None, None]) == [None, None]
    assert (
        models.model_basis(x, t, age, [None, None])
        == ["bgnbd=prior (not finite); gamma_gamma=prior"] * 2
    )


def test_scatter_refuses_a_non_finite_value() -> None:
    assert portfolio._scatter(3, [0, 2], [0.5, None]) == [0.5, None, None]
    with pytest.raises(ValueError, match="non-finite"):
        portfolio._scatter(2, [1], [float("nan")])


# -- spend: an unknown or impossible mean is no evidence ------------------------------------------


def test_a_non_positive_mean_spend_is_unknown_and_priced_at_the_mean() -> None:
    # Four members with x = 2, t_x = 10, T = 30, and one one-time buyer; prior p, q, gamma =
    # 2, 3, 100. Own mean 150: 2 (100 + 2 * 150) / (2 * 2 + 3 - 1) = 800/6 = 400/3. A mean of
    # -50 (refunds), 0 or none says nothing about the member's spend: the portfolio mean
    # p gamma / (q - 1) = 200/2 = 100, as for the one-time buyer (before: 2 (100 - 100) / 6 = 0,
    # 200/6 = 33.3 and missing).
    models = PortfolioModels(settings(PRIORS))
    x, t, age = [2, 2, 2, 2, 0], [10, 10, 10, 10, 0], [30, 30, 30, 30, 30]
    m: list[Any] = [150.0, -50.0, 0.0, None, None]
    assert models.expected_spend(x, t, age, m) == pytest.approx([400 / 3, 100, 100, 100, 100])
    clv = models.clv(x, t, age, m)
    # the same purchase history: CLV in proportion to the spend, and never negative
    assert clv[1] == clv[2] == clv[3] == pytest.approx(clv[0] * 100 / (400 / 3))
    assert all(v is not None and v > 0 for v in clv)


def test_non_positive_means_are_left_out_of_the_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    # 25 repeat buyers with a mean above 0 and 5 with 0: the fit sees the 25 only, as the
    # prediction does (one cleaning, _spend, for both).
    clear_fit_cache()
    seen: list[list[float]] = []
    real = portfolio.fit_gamma_gamma  # type: ignore[attr-defined]

    def recording(x: list[float], m: list[float]) -> Any:
        seen.append(list(m))
        return real(x, m)

    monkeypatch.setattr(portfolio, "fit_gamma_gamma", recording)
    x, t, age, m = _columns(200)
    models = PortfolioModels(settings(PRIORS))
    repeat = [i for i, v in enumerate(m) if v is not None]
    for i in repeat[:5]:
        m[i] = 0.0
    models.expected_spend(x, t, age, m)
    assert len(seen) == 1
    assert len(seen[0]) == len(repeat) - 5
    assert min(seen[0]) > 0
