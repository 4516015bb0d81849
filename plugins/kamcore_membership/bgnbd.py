"""The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005), fitted by maximum likelihood.

Why this model: a member who has not bought for a while may have left for good or may just be
between purchases, and the difference is what a retention budget is spent on. BG/NBD separates
the two from three numbers per member, so it needs no churn label (B2C members never say they
have left):

* ``x`` (frequency): repeat purchases, i.e. purchase occasions after the first;
* ``t_x`` (recency): the time of the last purchase, measured from the first;
* ``T`` (age): the time from the first purchase to the end of the observation period.

While alive, a member buys at a Poisson rate ``lambda`` (gamma-distributed across members with
shape ``r`` and rate ``alpha``); after each purchase they drop out with probability ``p``
(beta-distributed with ``a`` and ``b``). The four parameters are estimated once for the whole
portfolio; each member's probability of being alive and expected purchases then follow in
closed form from their own ``(x, t_x, T)``.

Time is in whatever unit ``t_x`` and ``T`` share (the pack uses weeks). Everything is
vectorised with numpy; the log-likelihood is the paper's closed form (its equation 6) written
with :func:`scipy.special.gammaln` so that large frequencies do not overflow, and it is
maximised over the log-parameters (so the optimiser needs no positivity constraints) with
L-BFGS-B and analytic gradients, from a fixed starting point, so the same data always give the
same estimates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._numeric import require_numeric
from ._optimise import maximise_log_likelihood

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Array = NDArray[Any]

__all__ = [
    "BgNbdFit",
    "BgNbdParams",
    "check_summaries",
    "expected_purchases",
    "expected_purchases_path",
    "fit_bgnbd",
    "log_likelihood",
    "p_alive",
]


@dataclass(frozen=True)
class BgNbdParams:
    """The four BG/NBD parameters.

    :param r: shape of the gamma distribution of purchase rates across members.
    :param alpha: its rate (scale of time: ``r / alpha`` is the mean purchase rate per unit).
    :param a: first shape of the beta distribution of drop-out probabilities.
    :param b: second shape (``a / (a + b)`` is the mean drop-out probability per purchase).
    :raises ValueError: a parameter is not a finite positive number.
    """

    r: float
    alpha: float
    a: float
    b: float

    def __post_init__(self) -> None:
        for name in ("r", "alpha", "a", "b"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"BG/NBD parameter {name} must be a positive number, got {value}")


@dataclass(frozen=True)
class BgNbdFit:
    """The outcome of :func:`fit_bgnbd`.

    :param log_likelihood: the maximised log-likelihood (sum over customers).
    :param customers: how many customers the fit used.
    :param converged: the optimiser reported convergence.
    """

    params: BgNbdParams
    log_likelihood: float
    customers: int
    converged: bool


def check_summaries(
    frequency: Sequence[float], recency: Sequence[float], age: Sequence[float]
) -> tuple[Array, Array, Array]:
    """The summaries as float arrays, checked: a wrong summary would silently bias the fit."""
    require_numeric()
    import numpy as np

    x = np.asarray(frequency, dtype=float)
    t = np.asarray(recency, dtype=float)
    big_t = np.asarray(age, dtype=float)
    if not (x.ndim == t.ndim == big_t.ndim == 1 and x.shape == t.shape == big_t.shape):
        raise ValueError("frequency, recency and age must be sequences of the same length")
    if not (np.isfinite(x).all() and np.isfinite(t).all() and np.isfinite(big_t).all()):
        raise ValueError("frequency, recency and age must be finite numbers")
    if (x < 0).any() or (x != np.floor(x)).any():
        raise ValueError("frequency (repeat purchases) must be a whole number >= 0")
    if (t < 0).any() or (t > big_t).any():
        raise ValueError("recency must lie between 0 and the customer's age")
    return x, t, big_t


def _terms(log_params: Array, x: Array, t: Array, big_t: Array) -> tuple[Array, Array]:
    """Per-customer log-likelihood and its gradient with respect to the log-parameters.

    ``L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
    + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))``; the common
    factor is taken out and the two remaining terms are added in log space (``logaddexp``).
    """
    import numpy as np
    from scipy.special import (  # type: ignore[import-untyped,unused-ignore]
        digamma,
        gammaln,
    )

    r, alpha, a, b = np.exp(log_params)
    repeat = x > 0
    common = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + gammaln(a + b)
        + gammaln(b + x)
        - gammaln(b)
        - gammaln(a + b + x)
    )
    log_t = np.log(alpha + big_t)
    log_tx = np.log(alpha + t)
    stay = -(r + x) * log_t
    # b + x - 1 > 0 for repeat buyers; the 1.0 only keeps the log finite where x == 0
    dropped = np.where(
        repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * log_tx, -np.inf
    )
    total = np.logaddexp(stay, dropped)
    w = np.exp(dropped - total)  # share of the "dropped after the last purchase" term
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - (1 - w) * log_t - w * log_tx
    d_alpha = r / alpha - (1 - w) * (r + x) / (alpha + big_t) - w * (r + x) / (alpha + t)
    d_a = digamma(a + b) - digamma(a + b + x) + w / a
    d_b = (
        digamma(a + b)
        + digamma(b + x)
        - digamma(b)
        - digamma(a + b + x)
        - w / np.where(repeat, b + x - 1, 1.0)
    )
    grad = np.stack([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
    return common + total, grad


def log_likelihood(
    params: BgNbdParams,
    frequency: Sequence[float],
    recency: Sequence[float],
    age: Sequence[float],
) -> float:
    """The BG/NBD log-likelihood of the summaries under ``params`` (sum over customers)."""
    import numpy as np

    x, t, big_t = check_summaries(frequency, recency, age)
    log_params = np.log([params.r, params.alpha, params.a, params.b])
    return float(_terms(log_params, x, t, big_t)[0].sum())


def fit_bgnbd(
    frequency: Sequence[float], recency: Sequence[float], age: Sequence[float]
) -> BgNbdFit:
    """Estimate the BG/NBD parameters by maximum likelihood.

    Starts from ``r = alpha = a = b = 1`` (fixed, so fits are reproducible) and maximises over
    the log-parameters.

    :param frequency: repeat purchases ``x`` per customer.
    :param recency: time of the last purchase since the first, ``t_x`` (0 when ``x == 0``).
    :param age: time from the first purchase to the end of the period, ``T``.
    :raises ValueError: no customers, or a summary that is not a valid ``(x, t_x, T)``.
    :raises kamcore.PluginUsageError: numpy or scipy is not installed.
    """
    x, t, big_t = check_summaries(frequency, recency, age)
    if x.size == 0:
        raise ValueError("cannot fit BG/NBD on no customers")
    best, total, converged = maximise_log_likelihood(lambda p: _terms(p, x, t, big_t), 4)
    r, alpha, a, b = (float(v) for v in best)
    return BgNbdFit(BgNbdParams(r, alpha, a, b), total, int(x.size), converged)


def _alive_odds(params: BgNbdParams, x: Array, t: Array, big_t: Array) -> Array:
    """``a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x)`` for repeat buyers, 0 otherwise: the odds
    that a member with this history has dropped out."""
    import numpy as np

    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    repeat = x > 0
    log_odds = (
        math.log(a)
        - np.log(np.where(repeat, b + x - 1, 1.0))
        + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t))
    )
    return np.where(repeat, np.exp(np.minimum(log_odds, 700.0)), 0.0)


def p_alive(
    params: BgNbdParams,
    frequency: Sequence[float],
    recency: Sequence[float],
    age: Sequence[float],
) -> list[float]:
    """The probability that each member is still alive at the end of the period (FHL 2005,
    equation 11): ``1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))``.

    A member with no repeat purchase is alive with probability 1 under BG/NBD (drop-out only
    happens right after a purchase); read their prospects from the expected purchases instead.
    """
    x, t, big_t = check_summaries(frequency, recency, age)
    return [float(v) for v in 1.0 / (1.0 + _alive_odds(params, x, t, big_t))]


def expected_purchases_path(
    params: BgNbdParams, horizons: Sequence[float] | Array, x: Array, t: Array, big_t: Array
) -> Array:
    """Expected purchases in ``(T, T + h]`` for every customer (rows) and horizon ``h``
    (columns), FHL 2005 equation 10.

    The Gauss hypergeometric term ``((alpha+T)/(alpha+T+h))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)``
    is evaluated through Euler's transformation as ``(1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1;
    z)`` with ``z = h/(alpha+T+h)``: the same value, but its first two parameters no longer grow
    with ``x``, so heavy buyers do not overflow it.

    Degenerate parameters (a fit on data that cannot identify the model, such as ``a = 77,000``
    with ``b = 5e-5``) can still take the term beyond floating point; the value is then NaN or
    infinite, without a numpy warning. Callers check :func:`numpy.isfinite` and decide (the
    portfolio metrics fall back to the prior): a warning would reach the user as noise, or as an
    error where warnings are errors, and say nothing about which member or what to do.
    """
    import numpy as np
    from scipy.special import hyp2f1  # type: ignore[import-untyped,unused-ignore]

    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    if abs(a - 1.0) < 1e-7:  # the closed form divides by a - 1; its limit is continuous
        a = 1.0 + 1e-7
    h = np.asarray(horizons, dtype=float)[None, :]
    xs, bt = x[:, None], big_t[:, None]
    z = h / (alpha + bt + h)
    c = a + b + xs - 1
    with np.errstate(all="ignore"):
        hyper = hyp2f1(a + b - 1 - r, a - 1, c, z)
        unconditional = c / (a - 1) * (1.0 - (1.0 - z) ** (a - 1) * hyper)
        odds = _alive_odds(params, x, t, big_t)[:, None]
        result: Array = unconditional / (1.0 + odds)
    return result


def expected_purchases(
    params: BgNbdParams,
    horizon: float,
    frequency: Sequence[float],
    recency: Sequence[float],
    age: Sequence[float],
) -> list[float]:
    """Expected purchases of each member in the next ``horizon`` time units, given their
    ``(x, t_x, T)`` (FHL 2005, equation 10); NaN or infinite where degenerate parameters take
    the computation beyond floating point (see :func:`expected_purchases_path`)."""
    if not (math.isfinite(horizon) and horizon >= 0):
        raise ValueError(f"the horizon must be a number >= 0, got {horizon}")
    x, t, big_t = check_summaries(frequency, recency, age)
    return [float(v) for v in expected_purchases_path(params, [horizon], x, t, big_t)[:, 0]]
