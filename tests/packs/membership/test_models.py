"""The BG/NBD, Gamma-Gamma and CLV code against values worked out by hand, finite
differences, and the generating parameters of simulated data."""

from __future__ import annotations

import math
import sys
from datetime import date

import pytest
from kamcore_membership import bgnbd, gamma_gamma
from kamcore_membership._numeric import NUMERIC_HINT
from kamcore_membership.bgnbd import BgNbdParams, expected_purchases, fit_bgnbd, p_alive
from kamcore_membership.clv import (
    discounted_expected_purchases,
    lifetime_value,
    weekly_rate,
)
from kamcore_membership.gamma_gamma import GammaGammaParams, expected_spend, fit_gamma_gamma
from kamcore_membership.sample import SAMPLE_AS_OF, TRUE_PARAMS, generate

from kamcore import PluginUsageError

from .test_golden import _hyp2f1

SIMPLE = BgNbdParams(r=1.0, alpha=10.0, a=2.0, b=4.0)


def _equation_10(p: BgNbdParams, x: int, t_x: float, big_t: float, t: float) -> float:
    """FHL 2005 equation 10 as printed, with the series summed directly."""
    z = t / (p.alpha + big_t + t)
    hyper = ((p.alpha + big_t) / (p.alpha + big_t + t)) ** (p.r + x) * _hyp2f1(
        p.r + x, p.b + x, p.a + p.b + x - 1, z
    )
    odds = (p.a / (p.b + x - 1)) * ((p.alpha + big_t) / (p.alpha + t_x)) ** (p.r + x) if x else 0
    return float((p.a + p.b + x - 1) / (p.a - 1) * (1 - hyper) / (1 + odds))


# -- BG/NBD --------------------------------------------------------------------------------------


def test_bgnbd_log_likelihood_by_hand() -> None:
    # x = 0, T = 30: L = (alpha / (alpha + T))^r = (10/40)^1 = 1/4.
    # x = 2, t_x = 10, T = 30:
    #   B(a, b+x)/B(a, b) = B(2, 6)/B(2, 4) = (1! 5!/7!) / (1! 3!/5!) = (1/42) / (1/20) = 10/21
    #   B(a+1, b+x-1)/B(a, b) = B(3, 5)/B(2, 4) = (2! 4!/7!) / (1/20) = (1/105) * 20 = 4/21
    #   G(r+x) alpha^r / G(r) = 2! * 10 = 20
    #   L = 10/21 * 20 / 40^3 + 4/21 * 20 / 20^3 = 200/1,344,000 + 640/1,344,000 = 1/1,600
    # Sum of logs: ln(1/4) + ln(1/1600) = ln(1/6400).
    ll = bgnbd.log_likelihood(SIMPLE, [0, 2], [0, 10], [30, 30])
    assert ll == pytest.approx(math.log(1 / 6400))


def test_bgnbd_gradient_matches_finite_differences() -> None:
    import numpy as np

    x = np.array([0.0, 1.0, 2.0, 7.0])
    t = np.array([0.0, 3.0, 10.0, 25.0])
    big_t = np.array([12.0, 20.0, 30.0, 26.0])
    point = np.log([0.7, 5.0, 1.3, 3.1])
    _, grad = bgnbd._terms(point, x, t, big_t)
    for k in range(4):
        step = np.zeros(4)
        step[k] = 1e-6
        up = bgnbd._terms(point + step, x, t, big_t)[0].sum()
        down = bgnbd._terms(point - step, x, t, big_t)[0].sum()
        assert grad[k].sum() == pytest.approx((up - down) / 2e-6, rel=1e-5)


def test_p_alive_by_hand() -> None:
    # 1 / (1 + 2/5 * 2^3) = 5/21; without a repeat purchase BG/NBD has nobody drop out: 1.
    assert p_alive(SIMPLE, [2, 0], [10, 0], [30, 30]) == pytest.approx([5 / 21, 1.0])


@pytest.mark.parametrize(
    ("x", "t_x", "big_t", "t"),
    [(0, 0, 30, 52), (2, 10, 30, 52), (9, 29, 30, 13), (1, 2, 60, 104), (30, 50, 52, 26)],
)
def test_expected_purchases_match_equation_10(x: int, t_x: float, big_t: float, t: float) -> None:
    value = expected_purchases(SIMPLE, t, [x], [t_x], [big_t])[0]
    assert value == pytest.approx(_equation_10(SIMPLE, x, t_x, big_t, t), rel=1e-9)


def test_expected_purchases_are_stable_for_heavy_buyers_and_a_near_one() -> None:
    # x = 300: 2F1(r+x, b+x; ...) is about e^25 and the power before it about e^-26; the
    # pack's Euler form never builds either, and agrees with the series summed term by term.
    heavy = expected_purchases(SIMPLE, 10, [300], [99.5], [100])[0]
    assert heavy == pytest.approx(_equation_10(SIMPLE, 300, 99.5, 100, 10), rel=1e-9)
    assert 0.8 * 10 * 301 / 110 < heavy < 10 * 301 / 110  # about (r + x)/(alpha + T) a week
    # a = 1 divides by zero in the closed form; the value is continuous there
    near = [BgNbdParams(1.0, 10.0, a, 4.0) for a in (1.0, 1.0 + 1e-4, 1.0 - 1e-4)]
    values = [expected_purchases(p, 52, [2], [10], [30])[0] for p in near]
    assert values[0] == pytest.approx(values[1], rel=1e-3)
    assert values[0] == pytest.approx(values[2], rel=1e-3)


def test_bgnbd_recovers_the_generating_parameters() -> None:
    rows = [r for r in generate(5_000, seed=11) if r["first_order_date"]]
    x = [int(r["membership.repeat_purchases"]) for r in rows]
    first = [date.fromisoformat(r["first_order_date"]) for r in rows]
    last = [date.fromisoformat(r["last_order_date"]) for r in rows]
    t_x = [(b - a).days / 7 for a, b in zip(first, last, strict=True)]
    age = [(SAMPLE_AS_OF - a).days / 7 for a in first]
    p = fit_bgnbd(x, t_x, age).params
    for name in ("r", "alpha", "a", "b"):
        assert getattr(p, name) == pytest.approx(TRUE_PARAMS[name], rel=0.2), name
    repeat = [r for r in rows if int(r["membership.repeat_purchases"]) > 0]
    g = fit_gamma_gamma(
        [int(r["membership.repeat_purchases"]) for r in repeat],
        [float(r["membership.avg_repeat_value"]) for r in repeat],
    ).params
    for name in ("p", "q", "gamma"):
        assert getattr(g, name) == pytest.approx(TRUE_PARAMS[name], rel=0.2), name


def test_fits_are_deterministic() -> None:
    x, t_x, age = [0, 1, 2, 5, 0, 3], [0, 4, 9, 20, 0, 30], [30, 25, 20, 30, 10, 31]
    assert fit_bgnbd(x, t_x, age) == fit_bgnbd(x, t_x, age)


@pytest.mark.parametrize(
    ("x", "t_x", "big_t", "message"),
    [
        ([], [], [], "no customers"),
        ([-1], [0], [5], "whole number"),
        ([1.5], [2], [5], "whole number"),
        ([1], [6], [5], "between 0"),
        ([1], [float("nan")], [5], "finite"),
        ([1, 2], [1], [5], "same length"),
    ],
)
def test_fit_bgnbd_refuses_bad_summaries(
    x: list[float], t_x: list[float], big_t: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fit_bgnbd(x, t_x, big_t)


def test_parameters_must_be_positive() -> None:
    with pytest.raises(ValueError, match="alpha"):
        BgNbdParams(1.0, 0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="gamma"):
        GammaGammaParams(1.0, 2.0, -3.0)


# -- Gamma-Gamma ---------------------------------------------------------------------------------


def test_gamma_gamma_log_likelihood_by_hand() -> None:
    # p, q, gamma = 2, 3, 100; one repeat purchase of 100 (x = 1, m = 100):
    # G(px+q)/(G(px) G(q)) gamma^q m^(px-1) x^(px) / (gamma + m x)^(px+q)
    # = G(5)/(G(2) G(3)) * 100^3 * 100^1 * 1 / 200^5 = 12 * 10^8 / 3.2 * 10^11 = 0.00375
    params = GammaGammaParams(2.0, 3.0, 100.0)
    assert gamma_gamma.log_likelihood(params, [1], [100]) == pytest.approx(math.log(0.00375))


def test_gamma_gamma_gradient_matches_finite_differences() -> None:
    import numpy as np

    x, m = np.array([1.0, 2.0, 6.0]), np.array([1.3, 0.6, 0.9])
    point = np.log([2.5, 3.5, 1.2])
    _, grad = gamma_gamma._terms(point, x, m)
    for k in range(3):
        step = np.zeros(3)
        step[k] = 1e-6
        up = gamma_gamma._terms(point + step, x, m)[0].sum()
        down = gamma_gamma._terms(point - step, x, m)[0].sum()
        assert grad[k].sum() == pytest.approx((up - down) / 2e-6, rel=1e-5)


def test_expected_spend_by_hand() -> None:
    params = GammaGammaParams(2.0, 3.0, 100.0)
    # x = 2, m = 150: 2 (100 + 300) / (4 + 2) = 400/3; x = 0: the mean 2 * 100 / 2 = 100;
    # a repeat buyer without a known mean: the same population mean, 100. (This used to be
    # missing, so a repeat buyer lacking an order value had no CLV while every one-time buyer
    # had one; knowing the count of orders but not their values says nothing about spend.)
    assert expected_spend(params, [2, 0, 3], [150, None, None]) == pytest.approx(
        [400 / 3, 100.0, 100.0]
    )
    # q <= 1: the population mean does not exist
    assert expected_spend(GammaGammaParams(2.0, 0.5, 100.0), [0, 2], [None, None]) == [None, None]


@pytest.mark.parametrize("m", [0.0, -50.0, float("nan")])
def test_expected_spend_refuses_an_impossible_mean(m: float) -> None:
    # -50 would give 2 (100 - 100) / 6 = 0, and a spend of -24 with other parameters: a
    # negative CLV. The portfolio metrics clean such values to None first.
    with pytest.raises(ValueError, match="positive"):
        expected_spend(GammaGammaParams(2.0, 3.0, 100.0), [2], [m])


def test_gamma_gamma_fit_is_scale_equivariant() -> None:
    rows = [r for r in generate(300, seed=3) if r["membership.avg_repeat_value"] != ""]
    x = [int(r["membership.repeat_purchases"]) for r in rows]
    m = [float(r["membership.avg_repeat_value"]) for r in rows]
    small = fit_gamma_gamma(x, m).params
    large = fit_gamma_gamma(x, [v * 7.0 for v in m]).params
    assert large.p == pytest.approx(small.p, rel=1e-4)
    assert large.q == pytest.approx(small.q, rel=1e-4)
    assert large.gamma == pytest.approx(7.0 * small.gamma, rel=1e-4)


def test_fit_gamma_gamma_refuses_non_repeat_buyers() -> None:
    with pytest.raises(ValueError, match="repeat buyers"):
        fit_gamma_gamma([0, 2], [10.0, 20.0])
    with pytest.raises(ValueError, match="positive"):
        fit_gamma_gamma([1, 2], [0.0, 20.0])


# -- CLV -----------------------------------------------------------------------------------------


def test_weekly_rate_compounds_to_the_annual_rate() -> None:
    assert (1 + weekly_rate(0.1)) ** 52 == pytest.approx(1.1)
    assert weekly_rate(0.0) == 0.0


def test_discounted_purchases_by_hand() -> None:
    # Two weeks at 50 % a year: E[Y(1)] / (1 + d) + (E[Y(2)] - E[Y(1)]) / (1 + d)^2
    d = 1.5 ** (1 / 52) - 1
    e1 = _equation_10(SIMPLE, 2, 10, 30, 1)
    e2 = _equation_10(SIMPLE, 2, 10, 30, 2)
    value = discounted_expected_purchases(SIMPLE, 2, 0.5, [2], [10], [30])[0]
    assert value == pytest.approx(e1 / (1 + d) + (e2 - e1) / (1 + d) ** 2, rel=1e-9)
    # without discounting it is just E[Y(H)]
    undiscounted = discounted_expected_purchases(SIMPLE, 52, 0.0, [2], [10], [30])[0]
    assert undiscounted == pytest.approx(_equation_10(SIMPLE, 2, 10, 30, 52), rel=1e-9)


def test_lifetime_value_by_hand() -> None:
    gg = GammaGammaParams(2.0, 3.0, 100.0)
    values = lifetime_value(
        SIMPLE,
        gg,
        horizon_weeks=52,
        annual_discount_rate=0.0,
        margin=0.5,
        frequency=[2, 3],
        recency=[10, 20],
        age=[30, 30],
        monetary=[150, None],
    )
    assert values[0] == pytest.approx(0.5 * 400 / 3 * _equation_10(SIMPLE, 2, 10, 30, 52))
    # a repeat buyer without a known mean is priced at the population mean 2 * 100 / 2 = 100
    # (it used to have no CLV at all)
    assert values[1] == pytest.approx(0.5 * 100 * _equation_10(SIMPLE, 3, 20, 30, 52))


# -- the optional dependency -----------------------------------------------------------------------


def test_missing_scipy_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "scipy.optimize", None)
    with pytest.raises(PluginUsageError) as info:
        fit_bgnbd([1, 0], [2, 0], [5, 5])
    assert str(info.value) == NUMERIC_HINT
    assert NUMERIC_HINT == (
        "the membership pack needs numpy and scipy: pip install 'kamcore[membership]'"
    )
