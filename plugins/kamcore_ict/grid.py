"""Account selection: the attractiveness x business-strength grid, and KA / NA by it.

Each axis is a 0..100 score (the base policy's ``attractiveness`` and ``strength`` scorecards)
cut into low, medium and high at ``[config.kamcore_ict] grid`` (``medium = 40``, ``high = 70``).
The nine cells fall into three zones, as in the GE-McKinsey matrix:

* ``invest``: high-high, high-medium, medium-high. Win and grow: the key-account candidates.
* ``selective``: high-low, medium-medium, low-high. Invest where it pays.
* ``harvest``: medium-low, low-medium, low-low. Serve efficiently.

:func:`account_class` turns that into a tier. ``invest`` accounts are KA. What NA means is the
policy's choice:

* ``na_meaning = "named"``: a named / value account is a ``selective`` account whose profit
  contribution is at least ``na_min_profit_index`` times the portfolio average: the accounts
  just below KA that pay for themselves. Everyone else is ``other``.
* ``na_meaning = "normal"``: every account that is not KA is NA.

The number of KAs is capped by kamcore's ``[[tier.caps]]``, not here, and a cap moves the
accounts over it to the next tier, NA, whatever their profit: under ``named`` those are NA
without passing the named test. The classifier cannot apply the cap itself, because the cap
ranks by ``score.priority`` and a classifier only sees the portfolio through kamcore's portfolio
functions, which run before the scorecards. The base policy marks those accounts with the
segment ``ka-overflow``; docs/packs/ict.md states the behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from kamcore import Classifier

from .config import IctConfig

__all__ = [
    "CELLS",
    "LEVELS",
    "ZONES",
    "account_class",
    "account_class_labels",
    "classifiers",
    "grid_cell",
    "grid_zone",
    "level",
]

#: The three levels of an axis, low to high.
LEVELS: Final = ("low", "medium", "high")
#: The three zones of the grid, best first.
ZONES: Final = ("invest", "selective", "harvest")
#: The nine cells, ``<attractiveness>-<strength>``.
CELLS: Final = tuple(f"{a}-{s}" for a in reversed(LEVELS) for s in reversed(LEVELS))


def level(score: float, medium: float, high: float) -> int:
    """0 (low), 1 (medium) or 2 (high): ``score >= high`` is high, ``>= medium`` medium."""
    if score >= high:
        return 2
    return 1 if score >= medium else 0


def grid_zone(attractiveness: float, strength: float, medium: float, high: float) -> str:
    """The zone of the cell: the two levels add up to 3 or 4 in ``invest``, 2 in
    ``selective`` and 0 or 1 in ``harvest`` (the grid's diagonals)."""
    total = level(attractiveness, medium, high) + level(strength, medium, high)
    if total >= 3:
        return "invest"
    return "selective" if total == 2 else "harvest"


def grid_cell(attractiveness: float, strength: float, medium: float, high: float) -> str:
    """The cell, e.g. ``"high-medium"`` (attractiveness first)."""
    a = LEVELS[level(attractiveness, medium, high)]
    s = LEVELS[level(strength, medium, high)]
    return f"{a}-{s}"


def account_class(
    attractiveness: float, strength: float, profit_index: float, cfg: IctConfig
) -> str:
    """``KA``, ``NA`` or (``named`` only) ``other``, as the module docstring explains."""
    zone = grid_zone(attractiveness, strength, cfg.grid_medium, cfg.grid_high)
    if zone == "invest":
        return "KA"
    if cfg.na_meaning == "normal":
        return "NA"
    if zone == "selective" and profit_index >= cfg.na_min_profit_index:
        return "NA"
    return "other"


def account_class_labels(cfg: IctConfig) -> tuple[str, ...]:
    """The tiers :func:`account_class` can give under this configuration."""
    return ("KA", "NA") if cfg.na_meaning == "normal" else ("KA", "NA", "other")


def classifiers(cfg: IctConfig) -> tuple[Classifier, ...]:
    """``ict_account_class``, ``ict_grid_zone`` and ``ict_grid_cell`` with the configured
    thresholds and NA meaning."""
    medium, high = cfg.grid_medium, cfg.grid_high

    def classify(attractiveness: float, strength: float, profit_index: float) -> str:
        return account_class(attractiveness, strength, profit_index, cfg)

    def zone(attractiveness: float, strength: float) -> str:
        return grid_zone(attractiveness, strength, medium, high)

    def cell(attractiveness: float, strength: float) -> str:
        return grid_cell(attractiveness, strength, medium, high)

    axes = f"(medium >= {medium:g}, high >= {high:g})"
    specs: tuple[tuple[str, Callable[..., str], tuple[str, ...], tuple[str, ...], str], ...] = (
        (
            "ict_account_class",
            classify,
            ("number", "number", "number"),
            account_class_labels(cfg),
            f"KA / NA from attractiveness, strength and profit index; NA means "
            f'"{cfg.na_meaning}" {axes}.',
        ),
        (
            "ict_grid_zone",
            zone,
            ("number", "number"),
            ZONES,
            f"Grid zone from attractiveness and strength {axes}.",
        ),
        (
            "ict_grid_cell",
            cell,
            ("number", "number"),
            CELLS,
            f"Grid cell <attractiveness>-<strength> {axes}.",
        ),
    )
    return tuple(
        Classifier(name, fn, params, labels, doc=doc) for name, fn, params, labels, doc in specs
    )
