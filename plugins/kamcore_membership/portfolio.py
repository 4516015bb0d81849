"""Portfolio metrics: BG/NBD and Gamma-Gamma fitted once on all members, applied to each.

kamcore calls a portfolio metric once per evaluation run with one column per input, covering
every account, so this is where a model can be fitted on the whole portfolio. Each metric here
(probability alive, expected purchases, expected spend, CLV) needs the same fits; kamcore runs
them independently, so fits are cached by their data (a small LRU): one run fits each model
once, however many of these metrics a policy reads.

Which parameters are used, in order:

1. the maximum-likelihood fit on the portfolio, when ``fit_models`` is on, the portfolio has
   at least ``min_fit_members`` valid summaries (``min_fit_repeat_buyers`` repeat buyers with a
   spend for Gamma-Gamma) with at least one repeat purchase, and the optimum is not at the edge
   of the search box (which means the data do not identify the model);
2. otherwise the parameters given in the policy (``bgnbd``, ``gamma_gamma``), a prior such as
   the published CDNOW values or last quarter's fit;
3. otherwise none: the metrics are missing, which policies handle with ``coalesce``.

``membership.model_basis`` tells, for each member, which of these applied.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from .bgnbd import BgNbdParams, expected_purchases, fit_bgnbd, p_alive
from .clv import lifetime_value
from .config import Settings
from .gamma_gamma import GammaGammaParams, expected_spend, fit_gamma_gamma

__all__ = ["PortfolioModels", "clear_fit_cache"]

Column = Sequence[Any]
#: Fits kept in memory, newest last.
_CACHE_SIZE = 8
_FITS: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
#: A fitted log-parameter this close to the search bound means the data did not pin it down.
_EDGE = 14.5


def clear_fit_cache() -> None:
    """Forget every cached fit (tests, or to measure a fit's cost)."""
    _FITS.clear()


def _cached(key: tuple[Any, ...], fit: Callable[[], Any]) -> Any:
    if key in _FITS:
        _FITS.move_to_end(key)
        return _FITS[key]
    value = fit()
    _FITS[key] = value
    while len(_FITS) > _CACHE_SIZE:
        _FITS.popitem(last=False)
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _summaries(
    frequency: Column, recency: Column, age: Column
) -> tuple[list[int], list[float], list[float], list[float]]:
    """Positions and values of the members with a valid ``(x, t_x, T)``; the others (no
    purchase yet, or an inconsistent summary such as a recency beyond the age) get no value."""
    rows: list[int] = []
    xs: list[float] = []
    ts: list[float] = []
    ages: list[float] = []
    for i, (x, t, big_t) in enumerate(zip(frequency, recency, age, strict=True)):
        xv, tv, av = _number(x), _number(t), _number(big_t)
        if xv is None or tv is None or av is None:
            continue
        if xv < 0 or xv != int(xv) or not 0 <= tv <= av:
            continue
        rows.append(i)
        xs.append(xv)
        ts.append(tv)
        ages.append(av)
    return rows, xs, ts, ages


def _inside(values: Sequence[float]) -> bool:
    return all(math.isfinite(v) and abs(math.log(v)) < _EDGE for v in values)


class PortfolioModels:
    """The pack's portfolio metrics for one policy's settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # -- parameters -------------------------------------------------------------------------

    def bgnbd(
        self, xs: list[float], ts: list[float], ages: list[float]
    ) -> tuple[BgNbdParams | None, str]:
        """The BG/NBD parameters for these summaries and where they came from."""
        s = self.settings
        if s.fit_models and len(xs) >= s.min_fit_members and any(x > 0 for x in xs):
            key = ("bgnbd", tuple(xs), tuple(ts), tuple(ages))
            fit = _cached(key, lambda: fit_bgnbd(xs, ts, ages))
            p = fit.params
            if _inside((p.r, p.alpha, p.a, p.b)):
                return p, "fitted"
        return (s.bgnbd, "prior") if s.bgnbd is not None else (None, "none")

    def gamma_gamma(
        self, xs: list[float], ms: list[float | None]
    ) -> tuple[GammaGammaParams | None, str]:
        """The Gamma-Gamma parameters for these members and where they came from."""
        s = self.settings
        pairs = [(x, m) for x, m in zip(xs, ms, strict=True) if x >= 1 and m is not None and m > 0]
        if s.fit_models and len(pairs) >= s.min_fit_repeat_buyers:
            fx, fm = [x for x, _ in pairs], [m for _, m in pairs]
            fit = _cached(("gamma_gamma", tuple(fx), tuple(fm)), lambda: fit_gamma_gamma(fx, fm))
            p = fit.params
            if _inside((p.p, p.q, p.gamma / (sum(fm) / len(fm)))):
                return p, "fitted"
        return (s.gamma_gamma, "prior") if s.gamma_gamma is not None else (None, "none")

    # -- the metrics ------------------------------------------------------------------------

    def p_alive(self, frequency: Column, recency: Column, age: Column) -> list[float | None]:
        """``membership.p_alive`` for every member."""
        rows, xs, ts, ages = _summaries(frequency, recency, age)
        params, _ = self.bgnbd(xs, ts, ages)
        values = p_alive(params, xs, ts, ages) if params is not None and rows else []
        return _scatter(len(frequency), rows, values)

    def expected_purchases(
        self, frequency: Column, recency: Column, age: Column
    ) -> list[float | None]:
        """``membership.expected_purchases`` over the configured horizon."""
        rows, xs, ts, ages = _summaries(frequency, recency, age)
        params, _ = self.bgnbd(xs, ts, ages)
        values: list[float] = []
        if params is not None and rows:
            values = expected_purchases(params, self.settings.horizon_weeks, xs, ts, ages)
        return _scatter(len(frequency), rows, values)

    def expected_spend(
        self, frequency: Column, recency: Column, age: Column, monetary: Column
    ) -> list[float | None]:
        """``membership.expected_spend``: Gamma-Gamma's expected value per future purchase."""
        rows, xs, _, _ = _summaries(frequency, recency, age)
        ms = [_number(monetary[i]) for i in rows]
        params, _ = self.gamma_gamma(xs, ms)
        values = expected_spend(params, xs, ms) if params is not None else []
        return _scatter(len(frequency), rows, values)

    def clv(
        self, frequency: Column, recency: Column, age: Column, monetary: Column
    ) -> list[float | None]:
        """``membership.clv``: discounted margin over the CLV horizon."""
        rows, xs, ts, ages = _summaries(frequency, recency, age)
        ms = [_number(monetary[i]) for i in rows]
        bg, _ = self.bgnbd(xs, ts, ages)
        gg, _ = self.gamma_gamma(xs, ms)
        values: list[float | None] = []
        if bg is not None and gg is not None and rows:
            s = self.settings
            values = lifetime_value(
                bg,
                gg,
                horizon_weeks=s.clv_horizon_weeks,
                annual_discount_rate=s.annual_discount_rate,
                margin=s.margin,
                frequency=xs,
                recency=ts,
                age=ages,
                monetary=ms,
            )
        return _scatter(len(frequency), rows, values)

    def model_basis(
        self, frequency: Column, recency: Column, age: Column, monetary: Column
    ) -> list[str | None]:
        """``membership.model_basis``: ``"bgnbd=fitted; gamma_gamma=prior"`` and the like."""
        rows, xs, ts, ages = _summaries(frequency, recency, age)
        ms = [_number(monetary[i]) for i in rows]
        _, bg = self.bgnbd(xs, ts, ages)
        _, gg = self.gamma_gamma(xs, ms)
        return _scatter(len(frequency), rows, [f"bgnbd={bg}; gamma_gamma={gg}"] * len(rows))


def _scatter(n: int, rows: list[int], values: Sequence[Any]) -> list[Any]:
    """One value per account: ``values`` at ``rows`` (non-finite numbers dropped), else
    ``None``."""
    out: list[Any] = [None] * n
    if not values:
        return out
    for i, value in zip(rows, values, strict=True):
        if isinstance(value, float) and not math.isfinite(value):
            continue
        out[i] = value
    return out
