"""Compile-time checks several sections share: whole numbers, ranges, and sets of bands.

A count of days, a band set or a range means the same in every section that has one, so it is
checked by one piece of code: the same mistake gets the same message (and the same fix) in
``[tactics]`` as in ``[lifecycle]``, and in ``[risk]`` as in ``[scorecards]``. Each check records
a located problem on the :class:`~kamcore.runtime.context.CompileContext` and returns ``None``,
so the section compiler goes on to find the author's other mistakes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..errors import ExpressionError
from ..expr import Interval, check_bands, parse_interval
from .context import CompileContext

__all__ = ["compile_bands", "compile_interval", "whole_number"]


def whole_number(
    ctx: CompileContext, value: object, key: str, *, least: int, what: str | None = None
) -> int | None:
    """``value`` if it is a whole number ``>= least``, else ``None`` after a problem at ``key``.

    ``true`` is an int to Python but never a count to a policy author, so it is refused.

    :param what: the key as the message names it (``due_in_days``: "`due_in_days` must be a
        whole number >= 0"); without it the message is "expected a whole number >= 0", for keys
        whose name the key path already shows.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        wanted = f"a whole number >= {least}, got {value!r}"
        ctx.problem(f"`{what}` must be {wanted}" if what else f"expected {wanted}", key)
        return None
    return value


def compile_interval(ctx: CompileContext, text: object, key: str) -> Interval | None:
    """Parse a range written in the policy (``"[0..40)"``, ``">= 50"``); ``None`` after a
    problem at ``key``."""
    if not isinstance(text, str):
        ctx.problem(f'expected a range such as "[0..40)", got {text!r}', key)
        return None
    try:
        return parse_interval(text)
    except (ExpressionError, ValueError) as exc:
        ctx.problem(exc.message if isinstance(exc, ExpressionError) else str(exc), key)
        return None


def compile_bands(
    ctx: CompileContext, raw: object, key: str, domain: Interval | None
) -> list[tuple[str, Interval]] | None:
    """A band set, ``[{ label, range }, ...]``: labelled ranges with no gap and no overlap.

    A band set is one design (it is replaced as a whole by ``extends``), so it is checked as
    one: every label present and distinct, every range readable, then gaps and overlaps
    between the bands, and with a ``domain`` (``[0..scale]`` for a score) that they cover it.

    :param raw: the ``bands`` value as written; ``None`` (no ``bands`` key) is no bands.
    :param key: the array's key path (``risk.bands``, ``scorecards.value.bands``).
    :returns: ``(label, interval)`` pairs in declared order, or ``None`` if any problem was
        recorded.
    """
    if raw is None:
        return []
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        ctx.problem('`bands` must be an array of { label, range = "[0..40)" } tables', key)
        return None
    bands: list[tuple[str, Interval]] = []
    labels: set[str] = set()
    ok = True
    for index, band in enumerate(raw):
        where = f"{key}[{index}]"
        label = band.get("label") if isinstance(band, Mapping) else None
        if not isinstance(label, str) or not label:
            ctx.problem("a band needs a `label`", where)
            ok = False
            continue
        if label in labels:
            ctx.problem(f"band label `{label}` is used twice", f"{where}.label")
            ok = False
        labels.add(label)
        assert isinstance(band, Mapping)
        interval = compile_interval(ctx, band.get("range"), f"{where}.range")
        if interval is None:
            ok = False
        else:
            bands.append((label, interval))
    if not ok:
        return None
    if bands:
        messages = check_bands(bands, domain)
        for message in messages:
            ctx.problem(message, key)
        if messages:
            return None
    return bands
