"""Built-in expression functions: dates, missing values, arithmetic helpers and text.

Registered through :func:`kamcore_register_functions` exactly like a third-party plugin's.
Every function is **total** (for every argument of its declared types it returns a value or
``None``, it never raises on data) and **bounded** (its work is linear in its arguments at most,
no input can make it loop or allocate without limit), because it runs on the per-account hot
path over data nobody has cleaned.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from ..hookspecs import hookimpl
from ..registry import Function
from ..types import NONE, Type, as_type_name
from ._values import as_date

__all__ = [
    "clamp",
    "coalesce",
    "coalesce_type",
    "days_between",
    "days_since",
    "kamcore_register_functions",
    "parse_date",
    "pct_change",
    "round_half_up",
    "safe_div",
]

Number = int | float

#: ``round`` keeps at most this many digits either side of the point: ``round(x, -10**9)`` on
#: an integer would otherwise build a number with a billion digits.
MAX_NDIGITS = 15
#: Enough decimal precision for any finite float (at most 309 integer digits) plus the digits
#: kept, so quantising never fails with ``InvalidOperation``.
_ROUND_CONTEXT = Context(prec=400)


# -- dates ------------------------------------------------------------------------------------


def days_since(as_of: date, value: date) -> int | None:
    """Whole days from ``value`` to the evaluation date (negative if ``value`` is later)."""
    when = as_date(value)
    return None if when is None else (as_of - when).days


def days_between(start: date, end: date) -> int | None:
    """Whole days from ``start`` to ``end`` (negative if ``end`` is earlier)."""
    a, b = as_date(start), as_date(end)
    return None if a is None or b is None else (b - a).days


def parse_date(text: str) -> date | None:
    """An ISO date (``"2024-05-01"``; a time part is ignored); missing if the text is not one.

    Missing rather than an error: a policy that parses an input column should treat a
    malformed cell like an empty one, which its missing-data rules already handle.
    """
    return as_date(text)


# -- missing values and arithmetic ------------------------------------------------------------


def coalesce(*values: Any) -> Any:
    """The first argument that is not missing, or missing if all are."""
    for value in values:
        if value is not None:
            return value
    return None


def pct_change(old: Number, new: Number) -> float | None:
    """Relative change ``(new - old) / old``; missing when ``old`` is 0 (no base to compare).

    The sign follows ``old``: from -100 to -50 gives -0.5. Growth figures in KAM are computed on
    revenue, which is not negative in practice.
    """
    if old == 0:
        return None
    return (new - old) / old


def safe_div(a: Number, b: Number, default: Number | None = None) -> Number | None:
    """``a / b``, or ``default`` (missing if not given) when ``b`` is 0."""
    if b == 0:
        return default
    return a / b


def clamp(x: Number, lo: Number, hi: Number) -> Number:
    """``x`` limited to ``[lo, hi]``; if ``lo > hi`` the result is ``hi``."""
    return min(max(x, lo), hi)


def round_half_up(x: Number, ndigits: int | None = None) -> Number:
    """Round half away from zero, as spreadsheets and invoices do.

    Python's :func:`round` rounds half to even (``round(2.5) == 2``) and works on the binary
    value (``round(2.675, 2) == 2.67``); policy authors expect 3 and 2.68, so the shortest
    decimal form of ``x`` is rounded instead. Without ``ndigits`` the result is an integer.
    ``ndigits`` is limited to :data:`MAX_NDIGITS` either way to keep the work bounded.
    """
    n = 0 if ndigits is None else max(-MAX_NDIGITS, min(MAX_NDIGITS, int(ndigits)))
    if isinstance(x, int):
        if n >= 0:
            return x
        step: int = 10 ** (-n)
        magnitude = (abs(x) + step // 2) // step * step
        return magnitude if x >= 0 else -magnitude
    if not math.isfinite(x):
        return x
    exponent = Decimal(1).scaleb(-n)
    rounded = Decimal(repr(x)).quantize(exponent, rounding=ROUND_HALF_UP, context=_ROUND_CONTEXT)
    return int(rounded) if ndigits is None else float(rounded)


# -- result types -----------------------------------------------------------------------------


def _common_unit(args: Sequence[Type]) -> str | None:
    units = {a.unit for a in args}
    return units.pop() if len(units) == 1 else None


def _numeric_result(args: Sequence[Type]) -> Type:
    """``integer`` if every argument is, else ``number``; a shared unit (currency) is kept."""
    kind = "integer" if args and all(a.kind == "integer" for a in args) else "number"
    return Type(kind, unit=_common_unit(args))


def coalesce_type(args: Sequence[Type]) -> Type:
    """The type of ``coalesce(...)``: what its arguments have in common.

    Missing only if every argument may be missing: one certain argument makes the result
    certain. Arguments of different kinds are refused rather than typed ``any``: the result
    would be an integer for one account and a text for the next, and ``coalesce(n, code) > 5``
    would then fail per account instead of once, when the policy loads. An ``any`` argument
    (a plugin fact of unknown type) is compatible with every kind and makes the result ``any``.
    Declared values (:attr:`Type.choices`) are kept only when every argument has some: a
    literal fallback (``coalesce(industry, "other")``) may be any text.

    :raises TypeError: for arguments of different kinds; the expression checker reports it as
        "`coalesce` cannot take these arguments: ...".
    """
    present = [a for a in args if a.kind != "none"]
    optional = all(a.optional for a in args)
    if not present:
        return NONE
    if any(a.kind == "any" for a in present):
        return Type("any", optional=optional)
    kinds = {a.kind for a in present}
    item = None
    if kinds <= {"integer", "number"}:
        kind = "number" if "number" in kinds else "integer"
    elif len(kinds) == 1:
        kind = kinds.pop()
        items = {a.item for a in present}
        item = items.pop() if len(items) == 1 else None
    else:
        names = list(dict.fromkeys(as_type_name(a) for a in present))
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        raise TypeError(f"its arguments must all have the same type, but they are {listed}")
    choices: frozenset[str] | None = None
    if all(a.choices is not None for a in present):
        choices = frozenset(value for a in present for value in a.choices or ())
    return Type(kind, optional, item, _common_unit(present), choices)


def _round_result(args: Sequence[Type]) -> Type:
    if len(args) < 2:
        return Type("integer", unit=_common_unit(args[:1]))
    return Type("number", unit=args[0].unit)


def _safe_div_result(args: Sequence[Type]) -> Type:
    certain = len(args) >= 3 and not args[2].optional and args[2].kind != "none"
    return Type("number", optional=not certain)


def _same_as_first(args: Sequence[Type]) -> Type:
    return args[0].as_optional(False) if args and args[0].is_numeric else Type("number")


# -- registration -----------------------------------------------------------------------------


def _minimum(*values: Number) -> Number:
    return min(values)


def _maximum(*values: Number) -> Number:
    return max(values)


_FUNCTIONS: tuple[Function, ...] = (
    Function(
        "days_since",
        days_since,
        ("date",),
        "integer",
        doc="Days from the date to the evaluation date (as_of).",
        pass_as_of=True,
    ),
    Function("days_between", days_between, ("date", "date"), "integer", doc="Days from a to b."),
    Function(
        "date", parse_date, ("string",), Type("date", optional=True), doc="Parse an ISO date."
    ),
    Function(
        "coalesce",
        coalesce,
        ("any",),
        coalesce_type,
        doc="The first argument that is not missing.",
        variadic=True,
        min_args=1,
        handles_missing=True,
    ),
    Function(
        "pct_change",
        pct_change,
        ("number", "number"),
        Type("number", optional=True),
        doc="(new - old) / old; missing when old is 0.",
    ),
    Function(
        "safe_div",
        safe_div,
        ("number", "number", "number"),
        _safe_div_result,
        doc="a / b, or default (missing if not given) when b is 0.",
        min_args=2,
    ),
    Function(
        "clamp", clamp, ("number", "number", "number"), _numeric_result, doc="x within [lo, hi]."
    ),
    Function(
        "min",
        _minimum,
        ("number",),
        _numeric_result,
        doc="The smallest argument.",
        variadic=True,
        min_args=1,
    ),
    Function(
        "max",
        _maximum,
        ("number",),
        _numeric_result,
        doc="The largest argument.",
        variadic=True,
        min_args=1,
    ),
    Function("abs", abs, ("number",), _same_as_first, doc="Absolute value."),
    Function(
        "round",
        round_half_up,
        ("number", "integer"),
        _round_result,
        doc="Round half away from zero; an integer without ndigits.",
        min_args=1,
    ),
    Function("count", len, (Type("list"),), "integer", doc="Number of items in a list."),
    Function("lower", str.lower, ("string",), "string", doc="Lower-case text."),
    Function("upper", str.upper, ("string",), "string", doc="Upper-case text."),
)


@hookimpl
def kamcore_register_functions(register: Callable[[Function], None]) -> None:
    """Register the built-in expression functions."""
    for function in _FUNCTIONS:
        register(function)
