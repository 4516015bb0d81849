"""The run-time error for a missing value used where a value is required.

A missing fact must never silently turn a rule false (JSONLogic does exactly that, and nobody
notices until a key account is mis-tiered). Comparisons, boolean operators, ``in`` and ``if``
tests on a missing operand therefore raise :class:`MissingValueError`, naming the operand and
the expression, and telling the author the two ways to handle it.
"""

from __future__ import annotations

from typing import NoReturn

from ..errors import KamcoreError

__all__ = ["MissingValueError", "raise_missing"]


class MissingValueError(KamcoreError):
    """A missing (``None``) value was used where the expression needs a value.

    :param name: the operand as written, e.g. ``"nps"`` or ``"days_since(last_order)"``.
    :param source: the whole expression (or the decision-table test) being evaluated.
    """

    def __init__(self, name: str, source: str) -> None:
        self.name = name
        self.source = source
        super().__init__(
            f"`{name}` is missing in `{source}`; "
            f"handle it with `{name} is None` or `coalesce({name}, ...)`"
        )

    def __reduce__(self) -> tuple[type[MissingValueError], tuple[str, str]]:
        # Portfolio runs may cross process boundaries: rebuild from the two fields, not from
        # the rendered message that ``Exception.__reduce__`` would pass to ``__init__``.
        return (type(self), (self.name, self.source))


def raise_missing(name: str, source: str) -> NoReturn:
    """Raise :class:`MissingValueError`; compiled expressions call this on their slow path.

    Compiled code cannot contain a ``raise`` statement (it is a single expression), so the
    check ``x if (x := v) is not None else _kc_missing("v", "...")`` calls this instead.
    """
    raise MissingValueError(name, source)
