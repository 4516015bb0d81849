"""Normalisation of a scorecard measure's raw value to [0, 1].

Three methods, each a small frozen object compiled once and called per account:

* :class:`Linear`: ``clamp((x - min) / (max - min), 0, 1)``;
* :class:`Banded`: the value of the band containing ``x`` (bands checked when the policy loads);
* :class:`Percentile`: the account's share of the portfolio at or below ``x``, computed by the
  portfolio phase and read from the namespace.

Inversion (``invert = true``) and missing values are the scorecard's business, not theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Banded", "Linear", "Normaliser", "OutsideBands", "Percentile"]


class OutsideBands(Exception):
    """A raw value lies in none of a measure's bands; the scorecard fails the account."""


@dataclass(frozen=True, slots=True)
class Linear:
    """Linear rescaling between ``lo`` and ``hi``, clamped to [0, 1].

    With ``lo == 0`` the ratio is computed as ``x / hi``: that is how people write the formula by
    hand (``min(revenue / 5e6, 1)``), and a scorecard must reproduce such a formula bit for bit.
    """

    lo: float
    hi: float

    def __call__(self, x: Any, values: Mapping[str, Any]) -> float:
        n: float = x / self.hi if self.lo == 0 else (x - self.lo) / (self.hi - self.lo)
        if n > 1.0:
            return 1.0
        if n < 0.0:
            return 0.0
        return n


@dataclass(frozen=True, slots=True)
class Banded:
    """Step function: each band (an interval) maps to a normalised value.

    :param bands: ``(interval, value)`` pairs in declared order; intervals have ``contains``.
    """

    bands: tuple[tuple[Any, float], ...]

    def __call__(self, x: Any, values: Mapping[str, Any]) -> float:
        for interval, value in self.bands:
            if interval.contains(x):
                return value
        raise OutsideBands(x)


@dataclass(frozen=True, slots=True)
class Percentile:
    """The portfolio percentile of the measure's metric, read from ``values[key]``.

    Returns ``None`` when the portfolio phase produced none for this account; the scorecard then
    treats the measure as missing.
    """

    key: str

    def __call__(self, x: Any, values: Mapping[str, Any]) -> float | None:
        n = values.get(self.key)
        return None if n is None else float(n)


Normaliser = Linear | Banded | Percentile
