"""Portfolio metrics: BG/NBD and Gamma-Gamma fitted once on all members, applied to each.

kamcore calls a portfolio metric once per evaluation run with one column per input, covering
every account, so this is where a model can be fitted on the whole portfolio. Each metric here
(probability alive, expected purchases, expected spend, CLV, model basis) needs the same fits
and the same choice of parameters; kamcore runs them independently, so fits and the values
derived from them are cached by their data (a small LRU): one run fits each model once, and
every metric of a member rests on the same parameters, however many of them a policy reads.

Which parameters are used, in order:

1. the maximum-likelihood fit on the portfolio, when ``fit_models`` is on, the portfolio has at
   least ``min_fit_members`` valid summaries and ``min_fit_repeat_buyers`` repeat buyers (repeat
   buyers with a spend, for Gamma-Gamma), the optimum is not at the edge of the search box, and
   every value derived from it is a finite number (a Gamma-Gamma fit must have a mean spend,
   ``q > 1``). A fit failing any of these is what data that cannot identify the model produce:
   29 one-time buyers and one repeat buyer "fit" ``a = 77,000, b = 5e-5``, which calls the one
   repeat buyer gone (``P(alive) = 2e-10``) and overflows the expected purchases;
2. otherwise the parameters given in the policy (``bgnbd``, ``gamma_gamma``), a prior such as
   the published CDNOW values or last quarter's fit;
3. otherwise none: the metrics are missing, which policies handle with ``coalesce``.

``membership.model_basis`` tells, for each member, which of these applied. A value is never
dropped silently: should even the prior give a member a non-finite value, that member's BG/NBD
metrics are missing and their basis says ``bgnbd=prior (not finite)``.

A mean repeat order value ``m`` of 0 or below, or none at all, is not evidence about the
member's spend: such a member is left out of the Gamma-Gamma fit and, like a one-time buyer,
gets the portfolio's mean spend ``p gamma / (q - 1)`` (see
:func:`~kamcore_membership.gamma_gamma.expected_spend`).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .bgnbd import BgNbdParams, check_summaries, expected_purchases_path, fit_bgnbd, p_alive
from .clv import discounted_expected_purchases
from .config import Settings
from .gamma_gamma import GammaGammaParams, expected_spend, fit_gamma_gamma

__all__ = ["BgNbdValues", "PortfolioModels", "clear_fit_cache"]

Column = Sequence[Any]
T = TypeVar("T")
#: Fits and derived values kept in memory, newest last.
_CACHE_SIZE = 16
_FITS: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
#: A fitted log-parameter this close to the search bound means the data did not pin it down.
_EDGE = 14.5
#: The basis of a member whose values the chosen parameters cannot give as finite numbers.
_NOT_FINITE = " (not finite)"


def clear_fit_cache() -> None:
    """Forget every cached fit and derived value (tests, or to measure a fit's cost)."""
    _FITS.clear()


def _cached(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    if key in _FITS:
        _FITS.move_to_end(key)
        value: T = _FITS[key]
        return value
    value = compute()
    _FITS[key] = value
    while len(_FITS) > _CACHE_SIZE:
        _FITS.popitem(last=False)
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _spend(value: Any) -> float | None:
    """A mean repeat order value the spend model can read: a finite number above 0. Anything
    else (0, a negative mean left by refunds, a typo) says nothing about the member's spend and
    is treated as unknown, in the fit and in the prediction alike."""
    number = _number(value)
    return number if number is not None and number > 0 else None


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


@dataclass(frozen=True)
class BgNbdValues:
    """Everything BG/NBD gives the members of one run, under one choice of parameters.

    :param params: the parameters used (``None``: neither a usable fit nor a prior).
    :param basis: ``"fitted"``, ``"prior"`` or ``"none"``.
    :param p_alive: per member, ``None`` where not finite.
    :param expected: expected purchases over ``horizon_weeks``, ``None`` where not finite.
    :param discounted: discounted expected purchases over ``clv_horizon_weeks``, the CLV's
        purchase term, ``None`` where not finite.
    :param finite: per member, whether all three are finite numbers.
    """

    params: BgNbdParams | None
    basis: str
    p_alive: list[float | None]
    expected: list[float | None]
    discounted: list[float | None]
    finite: list[bool]


def _finite_or_none(values: Sequence[float], finite: Sequence[bool]) -> list[float | None]:
    return [v if ok else None for v, ok in zip(values, finite, strict=True)]


class PortfolioModels:
    """The pack's portfolio metrics for one policy's settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # -- parameters -------------------------------------------------------------------------

    def _bgnbd_fit(self, xs: list[float], ts: list[float], ages: list[float]) -> BgNbdParams | None:
        """The portfolio's fit, if the portfolio is allowed to and can identify it."""
        s = self.settings
        repeat_buyers = sum(1 for x in xs if x > 0)
        if not (
            s.fit_models
            and len(xs) >= s.min_fit_members
            and repeat_buyers >= s.min_fit_repeat_buyers
        ):
            return None
        key = ("bgnbd", tuple(xs), tuple(ts), tuple(ages))
        p = _cached(key, lambda: fit_bgnbd(xs, ts, ages)).params
        return p if _inside((p.r, p.alpha, p.a, p.b)) else None

    def _derive(
        self, params: BgNbdParams, xs: list[float], ts: list[float], ages: list[float]
    ) -> tuple[list[float | None], list[float | None], list[float | None], list[bool]]:
        """P(alive), expected purchases and discounted purchases under ``params``, ``None``
        where a member's three values are not all finite, and which members those are."""
        s = self.settings
        x, t, big_t = check_summaries(xs, ts, ages)
        alive = p_alive(params, xs, ts, ages)
        path = expected_purchases_path(params, [s.horizon_weeks], x, t, big_t)
        expected = [float(v) for v in path[:, 0]]
        discounted = discounted_expected_purchases(
            params, s.clv_horizon_weeks, s.annual_discount_rate, xs, ts, ages
        )
        finite = [
            all(math.isfinite(v) for v in trio)
            for trio in zip(alive, expected, discounted, strict=True)
        ]
        return (
            _finite_or_none(alive, finite),
            _finite_or_none(expected, finite),
            _finite_or_none(discounted, finite),
            finite,
        )

    def bgnbd_values(self, xs: list[float], ts: list[float], ages: list[float]) -> BgNbdValues:
        """The BG/NBD parameters for these summaries, where they came from, and every member's
        values under them (computed once per run and shared by the metrics, so that a member's
        P(alive), expected purchases, CLV and basis always rest on the same parameters)."""
        key = ("bgnbd-values", self.settings, tuple(xs), tuple(ts), tuple(ages))
        return _cached(key, lambda: self._bgnbd_values(xs, ts, ages))

    def _bgnbd_values(self, xs: list[float], ts: list[float], ages: list[float]) -> BgNbdValues:
        fitted = self._bgnbd_fit(xs, ts, ages)
        if fitted is not None:
            derived = self._derive(fitted, xs, ts, ages)
            if all(derived[3]):
                return BgNbdValues(fitted, "fitted", *derived)
            # a fit that cannot describe every member is not used for any: the prior, not a
            # model that is right for some members and undefined for others
        prior = self.settings.bgnbd
        if prior is not None:
            return BgNbdValues(prior, "prior", *self._derive(prior, xs, ts, ages))
        none: list[float | None] = [None] * len(xs)
        return BgNbdValues(None, "none", none, none, none, [True] * len(xs))

    def bgnbd(
        self, xs: list[float], ts: list[float], ages: list[float]
    ) -> tuple[BgNbdParams | None, str]:
        """The BG/NBD parameters for these summaries and where they came from."""
        values = self.bgnbd_values(xs, ts, ages)
        return values.params, values.basis

    def gamma_gamma(
        self, xs: list[float], ms: list[float | None]
    ) -> tuple[GammaGammaParams | None, str]:
        """The Gamma-Gamma parameters for these members and where they came from.

        ``ms`` are the members' mean repeat order values, already cleaned (see :func:`_spend`).
        A fit without a mean spend (``q <= 1``) is not used: it could not price a member whose
        own spend is unknown.
        """
        s = self.settings
        pairs = [(x, m) for x, m in zip(xs, ms, strict=True) if x >= 1 and m is not None]
        if s.fit_models and len(pairs) >= s.min_fit_repeat_buyers:
            fx, fm = [x for x, _ in pairs], [m for _, m in pairs]
            fit = _cached(("gamma_gamma", tuple(fx), tuple(fm)), lambda: fit_gamma_gamma(fx, fm))
            p = fit.params
            if _inside((p.p, p.q, p.gamma / (sum(fm) / len(fm)))) and p.population_mean:
                return p, "fitted"
        prior = s.gamma_gamma
        if prior is not None and prior.population_mean is not None:
            return prior, "prior"
        return None, "none"

    # -- the metrics ------------------------------------------------------------------------

    def p_alive(self, frequency: Column, recency: Column, age: Column) -> list[float | None]:
        """``membership.p_alive`` for every member."""
        rows, xs, ts, ages = _summaries(frequency, recency, age)
        return _scatter(len(frequency), rows, self.bgnbd_values(xs, ts, ages).p_alive)

    def expected_purchases(
        self, frequency: Column, recency: Column, age: Column
    ) -> list[float | None]:
        """``membership.expected_purchases`` over the configured horizon."""
        rows, xs, ts, ages = _summaries(frequency, recency, age)
        return _scatter(len(frequency), rows, self.bgnbd_values(xs, ts, ages).expected)

    def _spends(
        self, frequency: Column, recency: Column, age: Column, monetary: Column
    ) -> tuple[list[int], list[float], list[float], list[float], list[float | None]]:
        """The valid summaries and each one's expected spend per purchase."""
        rows, xs, ts, ages = _summaries(frequency, recency, age)
        ms = [_spend(monetary[i]) for i in rows]
        params, _ = self.gamma_gamma(xs, ms)
        spend: list[float | None] = (
            expected_spend(params, xs, ms) if params is not None else [None] * len(rows)
        )
        return rows, xs, ts, ages, spend

    def expected_spend(
        self, frequency: Column, recency: Column, age: Column, monetary: Column
    ) -> list[float | None]:
        """``membership.expected_spend``: Gamma-Gamma's expected value per future purchase."""
        rows, _, _, _, spend = self._spends(frequency, recency, age, monetary)
        return _scatter(len(frequency), rows, spend)

    def clv(
        self, frequency: Column, recency: Column, age: Column, monetary: Column
    ) -> list[float | None]:
        """``membership.clv``: discounted margin over the CLV horizon."""
        rows, xs, ts, ages, spend = self._spends(frequency, recency, age, monetary)
        purchases = self.bgnbd_values(xs, ts, ages).discounted
        margin = self.settings.margin
        values = [
            None if s is None or n is None else margin * s * n
            for s, n in zip(spend, purchases, strict=True)
        ]
        return _scatter(len(frequency), rows, values)

    def model_basis(
        self, frequency: Column, recency: Column, age: Column, monetary: Column
    ) -> list[str | None]:
        """``membership.model_basis``: ``"bgnbd=fitted; gamma_gamma=prior"`` and the like."""
        rows, xs, ts, ages = _summaries(frequency, recency, age)
        ms = [_spend(monetary[i]) for i in rows]
        bg = self.bgnbd_values(xs, ts, ages)
        _, gg = self.gamma_gamma(xs, ms)
        bases = [
            f"bgnbd={bg.basis}{'' if ok else _NOT_FINITE}; gamma_gamma={gg}" for ok in bg.finite
        ]
        return _scatter(len(frequency), rows, bases)


def _scatter(n: int, rows: list[int], values: Sequence[T]) -> list[T | None]:
    """One value per account: ``values`` at ``rows``, else ``None``.

    Every value has been checked where it was made (a member whose value is not finite has
    ``None`` and a basis saying so), so a non-finite number here is a bug in the pack: it is
    raised, not dropped, as a dropped value would look like a member outside the model.
    """
    out: list[T | None] = [None] * n
    for i, value in zip(rows, values, strict=True):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"kamcore_membership: a non-finite model value ({value}) at row {i}")
        out[i] = value
    return out
