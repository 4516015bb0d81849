"""Maximum likelihood over log-parameters, shared by the BG/NBD and Gamma-Gamma fits.

Both models have only positive parameters, so they are optimised on the log scale: the search
is unconstrained in practice (wide box bounds only stop runaway steps on degenerate data) and
the scale of each parameter no longer matters. L-BFGS-B uses the models' analytic gradients;
should it stop without converging inside the box, Nelder-Mead continues from where it stopped
and the better of the two is kept. The start is fixed (every parameter 1), so a fit depends
only on the data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._numeric import require_numeric

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Array = NDArray[Any]

__all__ = ["LOG_BOUND", "maximise_log_likelihood"]

#: Log-parameters stay within +-LOG_BOUND (parameters between 3e-7 and 3.3e6).
LOG_BOUND = 15.0
#: Returned instead of a non-finite objective, so that line searches back off.
_PENALTY = 1e12

Terms = Callable[["Array"], tuple["Array", "Array"]]


def maximise_log_likelihood(terms: Terms, k: int) -> tuple[Array, float, bool]:
    """Maximise ``sum(terms(log_params)[0])`` over ``k`` log-parameters.

    :param terms: ``log_params -> (per-observation log-likelihood, gradient)`` where the
        gradient has shape ``(k, n)`` and is taken with respect to the log-parameters.
    :returns: the parameters (natural scale), the maximised log-likelihood, and whether the
        optimiser reported convergence.
    """
    require_numeric()
    import numpy as np
    from scipy.optimize import minimize  # type: ignore[import-untyped,unused-ignore]

    def objective(log_params: Array) -> tuple[float, Array]:
        # the mean (not the sum) keeps gradient tolerances meaningful for any portfolio size;
        # overflow on the way to a runaway step is expected and answered with the penalty, so
        # numpy's warnings about it are silenced rather than leaked to the user
        with np.errstate(all="ignore"):
            ll, grad = terms(log_params)
            value = -float(ll.mean())
            gradient = -grad.mean(axis=1)
        if not (np.isfinite(value) and np.isfinite(gradient).all()):
            return _PENALTY, np.zeros(k)
        return value, gradient

    bounds = [(-LOG_BOUND, LOG_BOUND)] * k
    result = minimize(
        objective,
        np.zeros(k),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10},
    )
    best, best_value, converged = result.x, float(result.fun), bool(result.success)
    # At the edge of the box the data do not identify the model (the caller treats the fit as
    # unusable); polishing there would only spend time.
    if not converged and bool((np.abs(best) < LOG_BOUND - 0.5).all()):
        polished = minimize(
            lambda v: objective(v)[0],
            best,
            method="Nelder-Mead",
            bounds=bounds,
            options={"maxiter": 4_000, "xatol": 1e-10, "fatol": 1e-13},
        )
        if float(polished.fun) <= best_value:
            best, converged = polished.x, bool(polished.success)
    with np.errstate(all="ignore"):
        total = float(terms(best)[0].sum())
    return np.exp(best), total, converged
