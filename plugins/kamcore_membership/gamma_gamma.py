"""The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005), fitted by
maximum likelihood.

Why this model: a member's average order value over a handful of repeat purchases is a noisy
estimate of what they will spend per order in future. Gamma-Gamma shrinks it towards the
portfolio mean by an amount that depends on how many orders it rests on: two orders of 400 say
less than twenty. Each transaction value is gamma with shape ``p`` and a member-specific rate
``nu``; ``nu`` is gamma across members with shape ``q`` and rate ``gamma``. It assumes spend
per order is independent of how often a member buys, which is why it pairs with BG/NBD.

It is fitted on repeat buyers only (``x >= 1``), with ``m`` the mean value of their repeat
transactions (the first purchase is left out, as in the literature: it often differs, e.g.
discounted by an acquisition offer). The log-likelihood is the closed form of the distribution
of the mean of ``x`` gamma values, written with :func:`scipy.special.gammaln`.
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
    "GammaGammaFit",
    "GammaGammaParams",
    "expected_spend",
    "fit_gamma_gamma",
    "log_likelihood",
]


@dataclass(frozen=True)
class GammaGammaParams:
    """The three Gamma-Gamma parameters.

    :param p: shape of the gamma distribution of one transaction's value.
    :param q: shape of the gamma distribution of the rate ``nu`` across members.
    :param gamma: its rate, in the currency's units (scale of money: ``p * gamma / (q - 1)``
        is the mean spend per transaction across members, finite only for ``q > 1``).
    :raises ValueError: a parameter is not a finite positive number.
    """

    p: float
    q: float
    gamma: float

    def __post_init__(self) -> None:
        for name in ("p", "q", "gamma"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(
                    f"Gamma-Gamma parameter {name} must be a positive number, got {value}"
                )

    @property
    def population_mean(self) -> float | None:
        """``p * gamma / (q - 1)``: the expected spend per transaction of a member about whom
        nothing is known; ``None`` when ``q <= 1`` (the mean does not exist)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else None


@dataclass(frozen=True)
class GammaGammaFit:
    """The outcome of :func:`fit_gamma_gamma`."""

    params: GammaGammaParams
    log_likelihood: float
    customers: int
    converged: bool


def _arrays(frequency: Sequence[float], monetary: Sequence[float]) -> tuple[Array, Array]:
    require_numeric()
    import numpy as np

    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    if not (x.ndim == m.ndim == 1 and x.shape == m.shape):
        raise ValueError("frequency and monetary value must be sequences of the same length")
    if not (np.isfinite(x).all() and np.isfinite(m).all()):
        raise ValueError("frequency and monetary value must be finite numbers")
    if (x < 1).any() or (x != np.floor(x)).any():
        raise ValueError("Gamma-Gamma is fitted on repeat buyers: frequency must be >= 1")
    if (m <= 0).any():
        raise ValueError("Gamma-Gamma needs a positive mean transaction value")
    return x, m


def _terms(log_params: Array, x: Array, m: Array) -> tuple[Array, Array]:
    """Per-customer log-likelihood of the observed mean ``m`` of ``x`` transactions, and its
    gradient with respect to the log-parameters:
    ``G(px+q)/(G(px) G(q)) gamma^q m^(px-1) x^(px) / (gamma + m x)^(px+q)``."""
    import numpy as np
    from scipy.special import (  # type: ignore[import-untyped,unused-ignore]
        digamma,
        gammaln,
    )

    p, q, gamma = np.exp(log_params)
    px = p * x
    log_m, log_x, log_sum = np.log(m), np.log(x), np.log(gamma + m * x)
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * log_m
        + px * log_x
        - (px + q) * log_sum
    )
    d_p = x * (digamma(px + q) - digamma(px) + log_m + log_x - log_sum)
    d_q = digamma(px + q) - digamma(q) + np.log(gamma) - log_sum
    d_gamma = q / gamma - (px + q) / (gamma + m * x)
    return ll, np.stack([d_p * p, d_q * q, d_gamma * gamma])


def log_likelihood(
    params: GammaGammaParams, frequency: Sequence[float], monetary: Sequence[float]
) -> float:
    """The Gamma-Gamma log-likelihood of repeat buyers' mean spend (sum over customers)."""
    import numpy as np

    x, m = _arrays(frequency, monetary)
    log_params = np.log([params.p, params.q, params.gamma])
    return float(_terms(log_params, x, m)[0].sum())


def fit_gamma_gamma(frequency: Sequence[float], monetary: Sequence[float]) -> GammaGammaFit:
    """Estimate ``p``, ``q`` and ``gamma`` by maximum likelihood on repeat buyers.

    The values are divided by their mean before fitting and ``gamma`` is scaled back (the
    model is scale-equivariant in ``gamma``): the fixed start ``p = q = gamma = 1`` then suits
    any currency, from dollars to yen.

    :param frequency: repeat purchases ``x`` (each >= 1).
    :param monetary: mean value of those repeat purchases (each > 0).
    :raises ValueError: no customers, or invalid values.
    :raises kamcore.PluginUsageError: numpy or scipy is not installed.
    """
    x, m = _arrays(frequency, monetary)
    if x.size == 0:
        raise ValueError("cannot fit Gamma-Gamma on no repeat buyers")
    scale = float(m.mean())
    scaled = m / scale
    best, _, converged = maximise_log_likelihood(lambda v: _terms(v, x, scaled), 3)
    params = GammaGammaParams(float(best[0]), float(best[1]), float(best[2]) * scale)
    return GammaGammaFit(
        params, log_likelihood(params, frequency, monetary), int(x.size), converged
    )


def expected_spend(
    params: GammaGammaParams, frequency: Sequence[float], monetary: Sequence[float | None]
) -> list[float | None]:
    """Each member's expected spend per future transaction (FHL 2005 spend model):
    ``p (gamma + x m) / (p x + q - 1)``, a weighted mean of the population mean
    ``p gamma / (q - 1)`` and the member's own mean ``m``, the weight on ``m`` growing with
    ``x``.

    A member whose own mean is unknown gets the population mean: a one-time buyer (``x == 0``,
    ``m`` ignored) and equally a repeat buyer whose ``m`` is ``None``. Knowing how many orders
    they placed but not their values says nothing about ``nu``, so the posterior is the prior;
    treating the two alike keeps CLV from existing for one kind of member and not the other.
    ``None`` only where the expectation does not exist (``q <= 1``, or ``p x + q <= 1``).

    :raises ValueError: a known ``m`` that is not a finite positive number (a mean order value
        of 0 or below is not one the model can have produced: clean it to ``None`` first).
    """
    out: list[float | None] = []
    p, q, gamma = params.p, params.q, params.gamma
    for x, m in zip(frequency, monetary, strict=True):
        if x == 0 or m is None:
            out.append(params.population_mean)
            continue
        if not (math.isfinite(m) and m > 0):
            raise ValueError(f"a mean transaction value must be a positive number, got {m}")
        out.append(p * (gamma + x * m) / (p * x + q - 1) if p * x + q > 1 else None)
    return out
