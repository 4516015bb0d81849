"""Cell parsing: one input cell to one typed value, by explicit rules only, with no guessing.

Split from :mod:`kamcore.runtime.inputs` (which reads whole rows) because how a single cell is
read is a concept of its own, tested cell by cell, and the reader only needs the prepared
converters. ``1,234.50`` is a number because the grouping is the canonical one; ``12,34`` is
refused rather than read as 12.34 or 1234. ``03/01/2026`` is refused unless the input declares a
``format``, because nothing in the cell says which part is the month. A wrong verdict computed
from a misread cell is worse than a refused row that names the column and the row.

Every parser raises :class:`CellError` with a plain-language reason; the reader adds the fact,
the column and the row.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from ..types import Type

__all__ = [
    "CURRENCY_CODE",
    "MISSING_MARKERS",
    "CellError",
    "Converter",
    "converter_for",
    "is_missing",
    "parse_boolean",
    "parse_date",
    "parse_number",
]

#: Cell texts meaning "no value" (compared case-insensitively after stripping).
MISSING_MARKERS: Final = frozenset({"", "na", "n/a", "null", "-"})

#: A function reading one present (non-missing) cell value; raises :class:`CellError`.
Converter = Callable[[Any], Any]


class CellError(ValueError):
    """A cell could not be read; ``reason`` is the plain-language message for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_missing(value: object, *, text: bool = False) -> bool:
    """Whether a cell holds no value: ``None``, a float NaN, or a :data:`MISSING_MARKERS` text.

    NaN counts because that is how pandas exports an empty cell. For a text fact (``text``)
    only a blank cell is missing: ``"NA"`` is North America in a region column, ``"-"`` may be
    a real code, and guessing otherwise would silently lose a value.
    """
    if value is None:
        return True
    if isinstance(value, str):
        if text:
            return not value.strip()
        return value.strip().lower() in MISSING_MARKERS
    return isinstance(value, float) and math.isnan(value)


# -- numbers --------------------------------------------------------------------------------------

_NUMERAL = re.compile(
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,234,567.89: commas only in the canonical grouping
    r"|\d+(?:_\d+)*(?:\.\d+)?(?:[eE][+-]?\d+)?"  # 1234, 1_234, 1.5e6
    r"|\.\d+(?:[eE][+-]?\d+)?",
    re.ASCII,
)
_CURRENCY_PREFIX = re.compile(r"(US\$|HK\$|[$¥￥€£]|[A-Z]{3}(?![A-Z]))\s*")
# A symbol is accepted for every currency that writes it; the fact's currency must be one of them.
_SYMBOLS: Final[dict[str, frozenset[str]]] = {
    "$": frozenset({"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN"}),
    "US$": frozenset({"USD"}),
    "HK$": frozenset({"HKD"}),
    "¥": frozenset({"CNY", "JPY"}),
    "￥": frozenset({"CNY", "JPY"}),
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP"}),
}
_CODE_ALIASES: Final = {"RMB": "CNY"}
#: An ISO 4217 code: a money type's unit is a currency only when it has this shape, and an
#: account's ``currency`` must have it.
CURRENCY_CODE: Final = re.compile(r"[A-Z]{3}")


def _take_sign(text: str) -> tuple[bool | None, str]:
    if text and text[0] in "+-":
        return text[0] == "-", text[1:].lstrip()
    return None, text


def _currency_matches(prefix: str, currency: str) -> bool:
    symbols = _SYMBOLS.get(prefix)
    if symbols is not None:
        return currency in symbols
    return _CODE_ALIASES.get(prefix, prefix) == _CODE_ALIASES.get(currency, currency)


def parse_number(text: str, *, integer: bool = False, currency: str | None = None) -> float | int:
    """Read a number cell.

    Accepted: ``1234``, ``-1234.5``, ``1,234.50`` (canonical 3-digit grouping only), ``1_234``,
    ``1.5e6``, surrounding spaces, ``12%`` (the ratio 0.12; not for integers), ``(1,234)``
    (accounting negative) and, when ``currency`` is given (a money input), a currency prefix that
    agrees with it: ``¥1,234``, ``$1,234``, ``€5``, ``CNY 1,234``, ``RMB 1,234``.

    :param integer: the value must be a whole number; returns an ``int``.
    :param currency: the input's currency code, for money; ``None`` refuses currency prefixes.
    :raises CellError: with the reason, e.g. ``cannot read '12,34' as a number``.
    """
    shown = text.strip()
    what = "an integer" if integer else "a number"
    body = shown
    negative = False
    if len(body) >= 2 and body[0] == "(" and body[-1] == ")":
        negative, body = True, body[1:-1].strip()
    sign, body = _take_sign(body)
    prefix = None
    match = _CURRENCY_PREFIX.match(body)
    if match:
        prefix, body = match.group(1), body[match.end() :]
        if sign is None:
            sign, body = _take_sign(body)
    percent = body.endswith("%")
    if percent:
        body = body[:-1].rstrip()
    if not _NUMERAL.fullmatch(body) or (negative and sign is not None):
        raise CellError(f"cannot read {shown!r} as {what}")
    if prefix is not None:
        if percent:
            raise CellError(f"cannot read {shown!r} as {what}")
        if currency is None:
            raise CellError(
                f"cannot read {shown!r} as {what} (a currency is allowed on money inputs only)"
            )
        if not _currency_matches(prefix, currency):
            raise CellError(f"{shown!r} is not in {currency}, the currency of this input")
    negative = negative or bool(sign)
    digits = body.replace(",", "").replace("_", "")
    if percent and currency is not None:
        raise CellError(f"cannot read {shown!r} as an amount of {currency}")
    if integer:
        if percent:
            raise CellError(f"cannot read {shown!r} as {what} (a percentage is not a count)")
        exact = Decimal(digits)
        if exact != exact.to_integral_value() or not math.isfinite(float(exact)):
            raise CellError(f"cannot read {shown!r} as an integer: it is not a whole number")
        whole = int(exact)
        return -whole if negative else whole
    # Decimal scaling keeps 12.3% exactly 0.123 (12.3 / 100 in floats is 0.12300000000000001).
    value = float(Decimal(digits).scaleb(-2)) if percent else float(digits)
    if not math.isfinite(value):
        raise CellError(f"cannot read {shown!r} as {what}")
    return -value if negative else value


# -- booleans -------------------------------------------------------------------------------------

_TRUE: Final = frozenset({"true", "yes", "y", "1", "是", "真"})
_FALSE: Final = frozenset({"false", "no", "n", "0", "否", "假"})


def parse_boolean(text: str) -> bool:
    """Read a boolean cell: true/false, yes/no, y/n, 1/0, 是/否, 真/假 (any case).

    :raises CellError: for anything else.
    """
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellError(
        f"cannot read {text.strip()!r} as a boolean (write true/false, yes/no, 1/0 or 是/否)"
    )


# -- dates ----------------------------------------------------------------------------------------

_TIME = (
    r"(?:[T ]\s*(?P<hh>\d{1,2}):(?P<mm>\d{2})(?::(?P<ss>\d{2})(?:[.,]\d{1,9})?)?"
    r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_YEAR_FIRST = (
    re.compile(
        rf"(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}}){_TIME}", re.A
    ),
    re.compile(rf"(?P<y>\d{{4}})(?P<m>\d{{2}})(?P<d>\d{{2}}){_TIME}", re.A),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日", re.A),
)
_DAY_MONTH = re.compile(r"\d{1,2}(?P<sep>[-/.])\d{1,2}(?P=sep)(?P<y>\d{2}|\d{4})(?:[T ].*)?", re.A)


def parse_date(text: str, fmt: str | None = None) -> dt.date:
    """Read a date cell.

    Without ``fmt``: ``2026-03-01``, ``2026/3/1``, ``2026.03.01``, ``20260301``, ``2026年3月1日``,
    and any of these followed by a time (``2026-03-01T09:30:00+08:00``), whose date part is kept
    as written. Day-first or month-first forms such as ``03/01/2026`` are refused: only a
    declared ``fmt`` (``"%m/%d/%Y"``) says which is which.

    :raises CellError: naming the cell, and the ambiguity when that is the problem.
    """
    shown = text.strip()
    if fmt is not None:
        try:
            return dt.datetime.strptime(shown, fmt).date()
        except ValueError:
            raise CellError(f"cannot read {shown!r} as a date in the format {fmt!r}") from None
    for pattern in _YEAR_FIRST:
        match = pattern.fullmatch(shown)
        if match:
            try:
                day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
                if "hh" in match.groupdict() and match["hh"] is not None:
                    dt.time(int(match["hh"]), int(match["mm"]), int(match["ss"] or 0))
            except ValueError:
                break
            return day
    ambiguous = _DAY_MONTH.fullmatch(shown)
    if ambiguous:
        sep = ambiguous["sep"]
        year = "%Y" if len(ambiguous["y"]) == 4 else "%y"
        raise CellError(
            f"cannot read {shown!r} as a date: the day and the month could be either way round; "
            f'declare a format for this input, e.g. "%d{sep}%m{sep}{year}" or '
            f'"%m{sep}%d{sep}{year}"'
        )
    raise CellError(f"cannot read {shown!r} as a date")


# -- converters: one per fact, built once per policy ----------------------------------------------


def _money_currency(type_: Type, currency: str | None) -> str | None:
    if currency is not None:
        return currency
    unit = type_.unit
    return unit if unit is not None and CURRENCY_CODE.fullmatch(unit) else None


def converter_for(
    type_: Type,
    *,
    fmt: str | None = None,
    allowed: frozenset[str] | None = None,
    currency: str | None = None,
) -> Converter:
    """A function reading one present (non-missing) value of ``type_``; raises :class:`CellError`.

    Built once per fact when a policy is compiled, so that reading a row only calls prepared
    functions. Typed JSON values are accepted where they mean the same thing (``12`` for a
    number) and refused where they would need guessing (``true`` for a number). Missing cells are
    the caller's business (see :func:`is_missing`): what an empty cell means is a row rule.

    :param fmt: the input's date ``format``; ``None`` reads only unambiguous year-first dates.
    :param allowed: the allowed values of a string fact (and of a list's items).
    :param currency: the input's currency, for money; defaults to the type's unit when that is
        a currency code.
    """
    kind = type_.kind
    if kind == "number":
        money = _money_currency(type_, currency)

        def number(value: Any) -> Any:
            if isinstance(value, str):
                return parse_number(value, currency=money)
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                result = float(value)
                if math.isfinite(result):
                    return result
            raise CellError(f"cannot read {value!r} as a number")

        return number
    if kind == "integer":

        def integer(value: Any) -> Any:
            if isinstance(value, str):
                return parse_number(value, integer=True)
            if isinstance(value, bool):
                raise CellError(f"cannot read {value!r} as an integer")
            if isinstance(value, int):
                return value
            if isinstance(value, float | Decimal) and math.isfinite(value):
                if value == int(value):
                    return int(value)
                raise CellError(f"cannot read {value!r} as an integer: it is not a whole number")
            raise CellError(f"cannot read {value!r} as an integer")

        return integer
    if kind == "string":
        choices = ", ".join(repr(v) for v in sorted(allowed)) if allowed else ""

        def string(value: Any) -> Any:
            if isinstance(value, str):
                text = value.strip()
            elif isinstance(value, int) and not isinstance(value, bool):
                text = str(value)  # a numeric code such as a postal code, typed by JSON
            else:
                raise CellError(f"cannot read {value!r} as text")
            if allowed is not None and text not in allowed:
                raise CellError(f"{text!r} is not one of the allowed values: {choices}")
            return text

        return string
    if kind == "boolean":

        def boolean(value: Any) -> Any:
            if isinstance(value, bool):
                return value
            if isinstance(value, str):
                return parse_boolean(value)
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            raise CellError(f"cannot read {value!r} as a boolean")

        return boolean
    if kind == "date":

        def date(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            if isinstance(value, str):
                return parse_date(value, fmt)
            raise CellError(f"cannot read {value!r} as a date")

        return date
    if kind == "list":
        item = type_.item
        convert_item = (
            converter_for(item, fmt=fmt, allowed=allowed, currency=currency) if item else None
        )
        return _list_converter(convert_item)
    return _identity  # any / none: the plugin declared it untyped


def _identity(value: Any) -> Any:
    return value


def _list_converter(convert_item: Converter | None) -> Converter:
    def convert(value: Any) -> Any:
        items = value
        if isinstance(value, str):
            text = value.strip()
            items = None
            if text.startswith("["):
                try:
                    items = json.loads(text)
                except ValueError:
                    items = None
            if not isinstance(items, list):
                raise CellError(
                    f'cannot read {text!r} as a list (write a JSON array, e.g. ["a", "b"])'
                )
        if not isinstance(items, list | tuple):
            raise CellError(f"cannot read {value!r} as a list")
        if convert_item is None:
            return list(items)
        out = []
        for i, item in enumerate(items):
            if is_missing(item):
                raise CellError(f"item {i} of the list is empty")
            try:
                out.append(convert_item(item))
            except CellError as exc:
                raise CellError(f"item {i} of the list: {exc.reason}") from None
        return out

    return convert
