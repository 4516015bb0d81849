"""Reading one input row into the expression namespace: typed facts from cells, with no guessing.

This is the first step of every evaluation, so it works on plain dicts and precompiled
converters; no pydantic model is built per row. Two row shapes are read:

* **flat rows**, one per account with pre-aggregated columns (a CSV line, where every cell is a
  string, or a JSON object whose values may already be typed). The ``[inputs.<fact>]`` section
  maps columns to facts; columns named like a fact a plugin registered are read with its type;
  other columns are not facts and are ignored.
* **account-shaped documents** (the :class:`~kamcore.models.Account` shape: ``facts``,
  ``attributes``, dated streams...), checked lightly here; callers who want the full check call
  :meth:`Account.model_validate <pydantic.BaseModel.model_validate>` first.

Single cells are read by :mod:`kamcore.runtime.cells`, by explicit rules only (``12,34`` and
``03/01/2026`` are refused, not guessed); this module adds what a row needs on top: which column
feeds which fact, what an empty cell means (``required``, ``default``), and errors that name the
fact, the column and the row. The cell parsers stay importable from here, where they lived first.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import json
import math
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from ..errors import AccountError
from ..io.readers import ShortRow
from ..models.account import STREAM_MODELS, Account, Owner
from ..types import Type
from .cells import (
    CURRENCY_CODE,
    MISSING_MARKERS,
    CellError,
    Converter,
    converter_for,
    is_missing,
    parse_boolean,
    parse_date,
    parse_number,
)

__all__ = [
    "LIST_FIELDS",
    "MASTER_FIELDS",
    "MISSING_MARKERS",
    "CellError",
    "FactInput",
    "InputReader",
    "input_digest",
    "is_missing",
    "parse_boolean",
    "parse_date",
    "parse_number",
]

#: Account master data read as string facts of the same name, in both row shapes.
MASTER_FIELDS: Final = ("name", "parent_id", "kind", "industry", "region", "country", "currency")
#: List-valued account fields: ``owners``, ``team`` and every dated stream. Account-shaped rows
#: give them as lists of plain dicts (``team``: strings); flat rows leave them missing (``None``)
#: so a stream metric reports "missing input" instead of computing over nothing.
LIST_FIELDS: Final = ("owners", "team", *STREAM_MODELS)

_ACCOUNT_KEYS: Final = frozenset({"attributes", "facts", "owners", *STREAM_MODELS})
_ACCOUNT_FIELDS: Final = frozenset(Account.model_fields)
_KINDS: Final = frozenset(get_args(Account.model_fields["kind"].annotation))
_ABSENT: Final = object()


@dataclass(frozen=True, slots=True)
class FactInput:
    """How one policy input (``[inputs.<fact>]``) is read from a row.

    :param column: the input column, any Unicode (``"营业收入"``).
    :param required: a row without a value is rejected, naming the column.
    :param default: used for an empty cell (``None``: no default).
    :param format: a :func:`~datetime.datetime.strptime` format for date cells; without one only
        unambiguous year-first forms are read.
    :param allowed: the allowed values of a string fact.
    :param currency: the currency of a money fact; currency signs in cells must agree with it.
    :param declared: the policy declared this column in ``[inputs]`` (so a row without it but
        with a near-miss column is noted); ``False`` for a plugin fact read like an input.
    """

    name: str
    column: str
    type: Type
    required: bool = False
    default: Any = None
    format: str | None = None
    allowed: frozenset[str] | None = None
    currency: str | None = None
    declared: bool = True


@dataclass(frozen=True, slots=True)
class _Column:
    """One fact to read: from where, how, and what an empty cell means."""

    name: str
    column: str
    convert: Converter
    required: bool
    default: Any  # already converted; None: no default
    kind: str = "any"  # the fact's type kind; for "string" only a blank cell is missing
    shown_default: str = ""  # the default as the policy wrote it, quoted in notes
    declared: bool = True  # the policy names this column: a near-miss header is noted


def _column(
    name: str,
    column: str,
    type_: Type,
    required: bool,
    default: Any,
    declared: bool = True,
    **options: Any,
) -> _Column:
    convert = converter_for(type_, **options)
    converted = default
    if default is not None:
        try:
            converted = convert(default)
        except CellError as exc:
            raise ValueError(
                f"inputs.{name}: the default {default!r} is invalid: {exc.reason}"
            ) from None
    return _Column(
        name,
        column,
        convert,
        required,
        converted,
        type_.kind,
        _shown(default),
        declared,
    )


def _shown(value: Any) -> str:
    """A policy value as a user wrote it: ``'direct'``, ``0``, ``2026-01-01`` (not a repr)."""
    return value.isoformat() if isinstance(value, dt.date) else repr(value)


def _where(fact: str, column: str, row_number: int | None) -> str:
    if row_number is None:
        return f"inputs.{fact} (column {column!r})"
    return f"inputs.{fact} (column {column!r}, row {row_number})"


def _suffix(row_number: int | None) -> str:
    return "" if row_number is None else f" (row {row_number})"


# -- account-shaped documents: light checks derived from the pydantic models ----------------------


@dataclass(frozen=True, slots=True)
class _ItemField:
    name: str
    check: Converter
    required: bool
    default: Any


def _value_check(annotation: Any, metadata: list[Any]) -> Converter:
    """A plain-Python check for one model field, mirroring what its schema accepts."""
    if get_origin(annotation) is Literal:
        choices = tuple(get_args(annotation))
        listed = ", ".join(repr(c) for c in choices)

        def literal(value: Any) -> Any:
            if value in choices and isinstance(value, str):
                return value
            raise CellError(f"expected one of {listed}, got {value!r}")

        return literal
    ge = next((m.ge for m in metadata if hasattr(m, "ge")), None)
    le = next((m.le for m in metadata if hasattr(m, "le")), None)
    pattern_text = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
    pattern = re.compile(pattern_text) if pattern_text else None
    min_length = next((m.min_length for m in metadata if hasattr(m, "min_length")), None)

    def bounded(value: Any) -> Any:
        if ge is not None and value < ge:
            raise CellError(f"must be at least {ge}, got {value!r}")
        if le is not None and value > le:
            raise CellError(f"must be at most {le}, got {value!r}")
        return value

    if annotation is float:

        def number(value: Any) -> Any:
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if numeric and math.isfinite(value):
                return bounded(float(value))
            raise CellError(f"expected a number, got {value!r}")

        return number
    if annotation is int:

        def integer(value: Any) -> Any:
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if numeric and math.isfinite(value) and value == int(value):
                return bounded(int(value))
            raise CellError(f"expected a whole number, got {value!r}")

        return integer
    if annotation is bool:

        def boolean(value: Any) -> Any:
            if isinstance(value, bool):
                return value
            raise CellError(f"expected true or false, got {value!r}")

        return boolean
    if annotation is dt.date:

        def date(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            if isinstance(value, str):
                return parse_date(value)
            raise CellError(f"expected a date, got {value!r}")

        return date
    if annotation is str:

        def text(value: Any) -> Any:
            if not isinstance(value, str):
                raise CellError(f"expected text, got {value!r}")
            if min_length is not None and len(value) < min_length:
                raise CellError("must not be empty")
            if pattern is not None and not pattern.search(value):
                raise CellError(f"{value!r} does not match the pattern {pattern.pattern!r}")
            return value

        return text
    raise TypeError(f"no light check for fields of type {annotation!r}")  # caught by the tests


def _item_fields(model: type[BaseModel]) -> tuple[_ItemField, ...]:
    fields = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        nullable = False
        if get_origin(annotation) in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            nullable = len(members) == 1
            annotation = members[0]
        check = _value_check(annotation, list(info.metadata))
        if nullable:
            check = _or_none(check)
        required = info.is_required()
        default = None if required else info.get_default(call_default_factory=True)
        fields.append(_ItemField(name, check, required, default))
    return tuple(fields)


def _or_none(check: Converter) -> Converter:
    return lambda value: None if value is None else check(value)


_STREAM_FIELDS: Final = {name: _item_fields(model) for name, model in STREAM_MODELS.items()}
_OWNER_FIELDS: Final = _item_fields(Owner)


def _read_items(
    account_id: str, field: str, items: Any, spec: tuple[_ItemField, ...], row_number: int | None
) -> list[dict[str, Any]]:
    """A stream as a list of plain dicts: every model field present, dates as ``date``."""
    if items is None:
        return []
    if not isinstance(items, list | tuple):
        raise AccountError(
            account_id, f"inputs.{field}{_suffix(row_number)}", f"expected a list, got {items!r}"
        )
    known = {f.name for f in spec}
    out: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        path = f"inputs.{field}[{i}]"
        if not isinstance(item, Mapping):
            raise AccountError(
                account_id, path + _suffix(row_number), f"expected an object, got {item!r}"
            )
        for key in item:
            if key not in known:
                raise AccountError(
                    account_id,
                    path + _suffix(row_number),
                    f"unknown field {key!r} (known: {', '.join(f.name for f in spec)})",
                )
        record: dict[str, Any] = {}
        for f in spec:
            value = item.get(f.name, _ABSENT)
            try:
                if value is _ABSENT:
                    if f.required:
                        raise CellError("a value is required")
                    record[f.name] = f.default
                else:
                    record[f.name] = f.check(value)
            except CellError as exc:
                where = f"{path}.{f.name}{_suffix(row_number)}"
                raise AccountError(account_id, where, exc.reason) from None
        out.append(record)
    return out


def _mapping(account_id: str, doc: Mapping[str, Any], key: str, row_number: int | None) -> Any:
    value = doc.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AccountError(
            account_id, f"inputs.{key}{_suffix(row_number)}", f"expected an object, got {value!r}"
        )
    return value


# -- the reader -----------------------------------------------------------------------------------


class InputReader:
    """Reads rows into ``(account_id, values)``: the namespace the policy's expressions see.

    Built once per compiled policy: every converter is prepared here, so reading a row is a
    loop over precompiled columns.

    :param facts: the policy's ``[inputs]``, by fact name. An input named ``id`` says which
        column holds the account id (otherwise ``id``, then ``account_id``).
    :param known_facts: facts registered by plugins, by name, with their types; a column of that
        name is read with that type, and a non-optional one is required.
    """

    def __init__(self, facts: Mapping[str, FactInput], known_facts: Mapping[str, Type]) -> None:
        self._inputs = tuple(
            _column(
                name,
                fi.column,
                fi.type,
                fi.required,
                fi.default,
                fi.declared,
                fmt=fi.format,
                allowed=fi.allowed,
                currency=fi.currency,
            )
            for name, fi in facts.items()
        )
        id_input = facts.get("id")
        self._id_columns = (id_input.column,) if id_input else ("id", "account_id")
        # master data is converted only when the policy reads it, like any other fact
        master = {
            name: Type("string", optional=True) for name in MASTER_FIELDS if name in known_facts
        }
        known = {**master, **known_facts}
        self._known = tuple(
            _column(name, name, t, not t.optional, "customer" if name == "kind" else None)
            for name, t in known.items()
            if name not in facts
        )
        self._flat_template: dict[str, Any] = dict.fromkeys(LIST_FIELDS)

    def read(
        self,
        row: Mapping[str, Any] | Account,
        row_number: int | None = None,
        notes: list[str] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Read one row (flat or account-shaped; an :class:`Account` instance is accepted too).

        :param row_number: the 1-based row in the input file, quoted in errors.
        :param notes: when a list, one plain-language note is appended per ``[inputs]`` default
            used for an empty or absent cell (the pipeline passes the evaluation's warnings), so
            a verdict built on a default says so. ``None`` skips the notes at no cost.
        :returns: the account id and the values by fact name; a missing optional value is
            ``None``.
        :raises AccountError: naming the fact, the column and the row, with the reason
            (``cannot read '12,34' as a number``).
        """
        if isinstance(row, ShortRow):  # a CSV line cut short: reject it, never pad it
            raise AccountError(row.account_id(self._id_columns), "inputs", row.reason)
        if isinstance(row, Account):
            row = row.model_dump()
        if not any(isinstance(row.get(k), Mapping | list) for k in _ACCOUNT_KEYS.intersection(row)):
            # a CSV column named `contacts` or `usage` holds text: still a flat row
            return self._read_flat(row, row_number, notes)
        return self._read_account(row, row_number, notes)

    # -- flat rows

    def _read_flat(
        self, row: Mapping[str, Any], row_number: int | None, notes: list[str] | None
    ) -> tuple[str, dict[str, Any]]:
        account_id = ""
        for column in self._id_columns:
            raw = row.get(column)
            if is_missing(raw):
                continue
            if isinstance(raw, str):
                account_id = raw.strip()
            elif isinstance(raw, int) and not isinstance(raw, bool):
                account_id = str(raw)  # a numeric id typed by JSON
            else:
                raise AccountError(None, "inputs.id", f"the account id must be text, got {raw!r}")
            break
        if not account_id:
            raise AccountError(None, "inputs.id", "the row has no account id")
        values = dict(self._flat_template)
        for col in self._inputs:
            values[col.name] = _read_cell(account_id, col, row, col.column, None, row_number, notes)
            if notes is not None and col.declared and col.default is None and col.column not in row:
                # an optional column may be absent; but a row with a near-miss column most
                # likely has a renamed header, and a verdict resting on it must say so
                note = _absent_column_note(col, tuple(row))
                if note:
                    notes.append(note)
        # Plugin facts and master data get no notes: their only default is `kind = "customer"`,
        # the account model's own, and noting it would warn on every row without a kind column.
        for col in self._known:
            values[col.name] = _read_cell(account_id, col, row, col.name, None, row_number, None)
        return account_id, values

    # -- account-shaped documents

    def _read_account(
        self, doc: Mapping[str, Any], row_number: int | None, notes: list[str] | None
    ) -> tuple[str, dict[str, Any]]:
        raw_id = doc.get("id")
        if is_missing(raw_id):
            raise AccountError(None, "inputs.id", "the row has no account id")
        if not isinstance(raw_id, str):
            raise AccountError(None, "inputs.id", f"the account id must be text, got {raw_id!r}")
        account_id = raw_id.strip()
        suffix = _suffix(row_number)
        for key in doc:
            if key not in _ACCOUNT_FIELDS:
                raise AccountError(
                    account_id,
                    f"inputs{suffix}",
                    f"unknown field {key!r} in the account (see schemas/account.schema.json)",
                )
        flat, origin = self._flatten(account_id, doc, row_number)
        values: dict[str, Any] = {}
        for col in self._inputs:
            key = col.name if col.name in flat else col.column
            values[col.name] = _read_cell(
                account_id, col, flat, key, origin.get(key, col.column), row_number, notes
            )
        for col in self._known:  # no notes, as for flat rows
            values[col.name] = _read_cell(
                account_id, col, flat, col.name, origin.get(col.name), row_number, None
            )
        for name in LIST_FIELDS:  # the streams and the team, as plain lists (like flat rows)
            if name not in values:
                values[name] = flat.get(name)
        # other facts nobody declares are not read: no checked expression or metric names them
        return account_id, values

    def _flatten(
        self, account_id: str, doc: Mapping[str, Any], row_number: int | None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Master data, ``facts`` and ``attributes`` as one name -> value map, plus where each
        came from (for error messages), and the streams as plain lists."""
        suffix = _suffix(row_number)
        flat: dict[str, Any] = {}
        origin: dict[str, str] = {}
        for name in MASTER_FIELDS:
            value = doc.get(name)
            if value is not None and not isinstance(value, str):
                raise AccountError(
                    account_id, f"inputs.{name}{suffix}", f"expected text, got {value!r}"
                )
            flat[name] = value
            origin[name] = name
        kind = flat["kind"]
        if kind is not None and kind not in _KINDS:
            choices = ", ".join(repr(k) for k in sorted(_KINDS))
            raise AccountError(
                account_id, f"inputs.kind{suffix}", f"expected one of {choices}, got {kind!r}"
            )
        currency = flat["currency"]
        if currency is not None and not CURRENCY_CODE.fullmatch(currency):
            raise AccountError(
                account_id,
                f"inputs.currency{suffix}",
                f"{currency!r} is not a 3-letter ISO 4217 currency code",
            )
        for name, value in _mapping(account_id, doc, "facts", row_number).items():
            flat[name] = value
            origin[name] = f"facts.{name}"
        for namespace, attrs in _mapping(account_id, doc, "attributes", row_number).items():
            if not isinstance(attrs, Mapping):
                raise AccountError(
                    account_id,
                    f"inputs.attributes.{namespace}{suffix}",
                    f"expected an object of attributes, got {attrs!r}",
                )
            for key, value in attrs.items():
                flat[f"{namespace}.{key}"] = value
                origin[f"{namespace}.{key}"] = f"attributes.{namespace}.{key}"
        _mapping(account_id, doc, "external_ids", row_number)  # checked, not a fact
        flat["owners"] = _read_items(
            account_id, "owners", doc.get("owners"), _OWNER_FIELDS, row_number
        )
        team = doc.get("team") or []
        if not isinstance(team, list | tuple) or not all(isinstance(t, str) for t in team):
            raise AccountError(
                account_id, f"inputs.team{suffix}", f"expected a list of names, got {team!r}"
            )
        flat["team"] = list(team)
        for field, spec in _STREAM_FIELDS.items():
            flat[field] = _read_items(account_id, field, doc.get(field), spec, row_number)
        flat["id"] = account_id  # for an `[inputs.id]`; the document's id is authoritative
        origin["id"] = "id"
        return flat, origin


def _read_cell(
    account_id: str,
    col: _Column,
    row: Mapping[str, Any],
    key: str,
    shown_column: str | None,
    row_number: int | None,
    notes: list[str] | None,
) -> Any:
    """The typed value of ``row[key]`` for ``col``; ``None`` for an optional empty cell.

    A default used for an empty or absent cell is told in ``notes`` (when given): a verdict
    resting on a value nobody entered should say so.
    """
    raw = row.get(key, _ABSENT)
    if raw is _ABSENT or is_missing(raw, text=col.kind == "string"):
        if col.default is not None:
            if notes is not None:
                state = "was not in the row" if raw is _ABSENT else "was empty"
                notes.append(
                    f"input `{col.name}` (column {shown_column or key!r}) {state}; "
                    f"used the default {col.shown_default}"
                )
            return col.default
        if col.required:
            reason = (
                f"the row has no column {key!r}"
                if raw is _ABSENT
                else "a value is required but the cell is empty"
            )
            raise AccountError(
                account_id, _where(col.name, shown_column or key, row_number), reason
            )
        return None
    try:
        return col.convert(raw)
    except CellError as exc:
        where = _where(col.name, shown_column or key, row_number)
        raise AccountError(account_id, where, exc.reason) from None


@functools.lru_cache(maxsize=256)
def _absent_column_note(col: _Column, columns: tuple[str, ...]) -> str:
    """The note for a declared column missing from a row that has a near-miss, else ``""``."""
    close = difflib.get_close_matches(col.column, columns, n=1, cutoff=0.6)
    if not close:
        return ""
    return f"input `{col.name}`: the row has no column {col.column!r}; did you mean {close[0]!r}?"


# -- input digest ---------------------------------------------------------------------------------


def _digest_default(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot digest a {type(value).__name__} in an input row: {value!r}")


def input_digest(row: Mapping[str, Any] | Account) -> str:
    """``sha256:<hex>`` of the raw row's canonical JSON (sorted keys, ISO dates, UTF-8).

    Stamped on every evaluation so a past verdict can be tied to exactly the input it came from:
    a changed cell changes the digest, a reordered column does not.
    """
    data = row.model_dump(mode="json") if isinstance(row, Account) else row
    text = json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_digest_default
    )
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
