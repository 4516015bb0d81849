"""Lazy access to numpy and scipy, which only the model fitting needs.

The pack's vocabulary (facts, RFM segments, tiers, stages, tactics) works without them, so they
are an optional extra (``kamcore[membership]``) imported only when a BG/NBD or Gamma-Gamma model
is fitted or applied. A missing extra is the policy author's problem to fix, not a bug in the
pack, so it is reported as :class:`kamcore.PluginUsageError` with the command that fixes it.
"""

from __future__ import annotations

from kamcore import PluginUsageError

__all__ = ["NUMERIC_HINT", "require_numeric"]

#: The message of the error raised when numpy or scipy is missing.
NUMERIC_HINT = "the membership pack needs numpy and scipy: pip install 'kamcore[membership]'"


def require_numeric() -> None:
    """Import numpy and the scipy parts the models use, or explain how to install them.

    :raises PluginUsageError: numpy or scipy cannot be imported.
    """
    try:
        import numpy  # noqa: F401
        import scipy.optimize  # type: ignore[import-untyped,unused-ignore]
        import scipy.special  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
    except ImportError as exc:
        raise PluginUsageError(NUMERIC_HINT) from exc
