"""Evaluation and rejects files, written as streams and atomically.

Writers take one evaluation at a time and hold at most one Parquet batch, so a run's memory does
not grow with the portfolio. Each writes to a temporary file that replaces the destination only
when the writer is closed after success (:mod:`kamcore.io.atomic`): leaving the ``with`` block by
an exception, ``KeyboardInterrupt`` included, removes the temporary file and leaves any existing
destination untouched.

Formats:

* JSON Lines: :func:`~kamcore.models.evaluation_json` per line, the canonical form (equal
  evaluations give byte-identical files, so ``diff`` answers "what changed?"). Nothing is lost.
* CSV: :func:`~kamcore.io.flatten.flatten` rows, ``\\r\\n`` line ends (RFC 4180), UTF-8
  without BOM unless ``encoding`` says otherwise: Excel opens UTF-8 correctly only with a BOM
  (``utf-8-sig``), and some Chinese tools only read GB18030, so the reader of the file decides.
  The columns are fixed by the first evaluation (evaluations of one policy share their keys);
  no evaluation, no header: the file is empty. A value the chosen encoding cannot hold is an
  error, never a ``?``.
* Parquet: the same flat rows, in batches of :data:`PARQUET_BATCH_ROWS`, typed from the first
  batch: numbers as float64 (a metric may be an integer for one account and fractional for the
  next; float64 holds both; integers beyond 2**53 lose precision), booleans as bool, text as
  string; a column empty throughout the first batch, or of mixed kinds, is stored as text.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from types import TracebackType
from typing import IO, Any, Final

from ..errors import KamcoreError
from ..models import evaluation_json
from ._arrow import pyarrow
from .atomic import AtomicFile
from .encoding import codec_name
from .flatten import Scalar, flatten, text
from .formats import OUTPUT_FORMATS, REJECTS_FORMATS, format_of

__all__ = [
    "PARQUET_BATCH_ROWS",
    "REJECT_COLUMNS",
    "CsvEvaluationWriter",
    "EvaluationWriter",
    "JsonLinesEvaluationWriter",
    "ParquetEvaluationWriter",
    "RejectsWriter",
    "open_evaluation_writer",
    "open_rejects_writer",
]

#: Flat rows per Parquet row group/batch: bounded memory, reasonably sized row groups.
PARQUET_BATCH_ROWS: Final = 10_000
#: The columns of a rejects file, in order.
REJECT_COLUMNS: Final = ("row", "line", "account_id", "where", "reason")

_BUFFER = 1 << 20


def _open_text(target: AtomicFile, encoding: str = "utf-8") -> IO[str]:
    # newline="": the writers choose their line ends; no platform translation.
    return open(target.tmp, "w", encoding=encoding, newline="", buffering=_BUFFER)


def _output_encoding(path: str | os.PathLike[str], kind: str, encoding: str | None) -> str:
    """The codec a text output is written in: UTF-8 unless a CSV file asks for another.

    JSON Lines is UTF-8 by definition (RFC 8259; a BOM breaks JSON parsers) and Parquet stores
    text as UTF-8 whatever is asked, so an encoding other than UTF-8 for them is a mistake in
    the call, refused rather than ignored.

    :raises KamcoreError: an unknown codec, or a non-UTF-8 one for JSON Lines or Parquet.
    """
    if encoding is None:
        return "utf-8"
    try:
        name = codec_name(encoding)
    except KamcoreError as exc:
        raise KamcoreError(f"{path}: {exc}") from None
    if kind != "csv" and name != "utf-8":
        what = "JSON Lines" if kind == "jsonl" else "Parquet"
        raise KamcoreError(
            f"{path}: encoding {encoding!r} applies to CSV output only; {what} is always "
            "written as UTF-8 (write CSV to choose the encoding)"
        )
    return name


def _unencodable(
    path: os.PathLike[str], encoding: str, exc: UnicodeEncodeError, what: str
) -> KamcoreError:
    """A value the output encoding cannot hold, named with the row it came from."""
    bad = exc.object[exc.start : exc.end]
    return KamcoreError(
        f"{path}: cannot write {bad!r} ({what}) in {encoding}; choose an encoding that holds "
        "it (utf-8-sig opens in Excel and holds every character; gb18030 too)"
    )


class _AtomicWriter(ABC):
    """Shared lifecycle: a temporary file, committed by :meth:`close`, dropped by :meth:`abort`
    and by leaving the ``with`` block with an exception."""

    format: str = ""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._target = AtomicFile(path)
        self.path = self._target.path
        self.count = 0
        self.closed = False
        #: the text encoding of the file (``None`` for Parquet, which is binary)
        self.encoding: str | None = "utf-8"

    @abstractmethod
    def _finish(self) -> None:
        """Write what is buffered and close the temporary file."""

    @abstractmethod
    def _discard(self) -> None:
        """Close the temporary file without caring about its content."""

    def close(self) -> None:
        """Finish the file and move it into place. Idempotent."""
        if self.closed:
            return
        try:
            self._finish()
        except BaseException:
            self.abort()
            raise
        self.closed = True
        self._target.commit()

    def abort(self) -> None:
        """Drop the temporary file; the destination stays as it was. Idempotent."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):
            self._discard()
        self._target.abort()

    def __enter__(self) -> _AtomicWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.format} {str(self.path)!r} count={self.count}>"


class EvaluationWriter(_AtomicWriter):
    """Writes evaluations (plain dicts) one at a time; :attr:`count` says how many."""

    def write(self, evaluation: Mapping[str, Any]) -> None:
        """Append one evaluation."""
        if self.closed:
            raise KamcoreError(f"{self.path}: the writer is closed")
        self._write(evaluation)
        self.count += 1

    @abstractmethod
    def _write(self, evaluation: Mapping[str, Any]) -> None: ...

    def __enter__(self) -> EvaluationWriter:
        return self


class JsonLinesEvaluationWriter(EvaluationWriter):
    """One canonical JSON line per evaluation."""

    format = "jsonl"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path)
        self._file = _open_text(self._target)

    def _write(self, evaluation: Mapping[str, Any]) -> None:
        try:
            line = evaluation_json(evaluation)
        except (TypeError, ValueError) as exc:
            raise KamcoreError(str(exc)) from exc
        self._file.write(line)
        self._file.write("\n")

    def _finish(self) -> None:
        self._file.close()

    def _discard(self) -> None:
        self._file.close()


class _Columns:
    """The flat columns of a run, fixed by its first evaluation."""

    def __init__(self, path: os.PathLike[str]) -> None:
        self.path = path
        self.names: tuple[str, ...] = ()
        self._set: frozenset[str] = frozenset()
        self._first = ""

    def fix(self, row: Mapping[str, Scalar]) -> None:
        self.names = tuple(row)
        self._set = frozenset(self.names)
        self._first = str(row.get("account_id"))

    def check(self, row: Mapping[str, Scalar]) -> None:
        """Refuse a row with a column the first row did not have (missing ones stay empty)."""
        if row.keys() <= self._set:
            return
        unknown = ", ".join(sorted(set(row) - self._set))
        raise KamcoreError(
            f"{self.path}: the evaluation of account {row.get('account_id')!r} has column(s) "
            f"{unknown} that the first evaluation (account {self._first!r}) did not have; "
            "evaluations written to one file must come from one policy"
        )


class CsvEvaluationWriter(EvaluationWriter):
    """Flattened evaluations as CSV, header from the first evaluation.

    :param encoding: the file's codec (``utf-8-sig`` for Excel, ``gb18030``...); default UTF-8.
    """

    format = "csv"

    def __init__(self, path: str | os.PathLike[str], *, encoding: str | None = None) -> None:
        name = _output_encoding(path, "csv", encoding)  # before creating the temporary file
        super().__init__(path)
        self.encoding = name
        self._file = _open_text(self._target, name)
        self._csv = csv.writer(self._file)
        self._columns = _Columns(self.path)

    @property
    def columns(self) -> tuple[str, ...]:
        """The column names (empty until the first evaluation)."""
        return self._columns.names

    def _write(self, evaluation: Mapping[str, Any]) -> None:
        row = flatten(evaluation)
        try:
            if not self._columns.names:
                self._columns.fix(row)
                self._csv.writerow(self._columns.names)
            else:
                self._columns.check(row)
            self._csv.writerow([text(row.get(name)) for name in self._columns.names])
        except UnicodeEncodeError as exc:
            account = f"the evaluation of account {row.get('account_id')!r}"
            raise _unencodable(self.path, self.encoding or "", exc, account) from None

    def _finish(self) -> None:
        self._file.close()

    def _discard(self) -> None:
        self._file.close()


def _kind(value: Scalar) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "text"


class ParquetEvaluationWriter(EvaluationWriter):
    """Flattened evaluations as Parquet through a :class:`pyarrow.parquet.ParquetWriter`,
    :data:`PARQUET_BATCH_ROWS` rows at a time."""

    format = "parquet"

    def __init__(
        self, path: str | os.PathLike[str], *, batch_rows: int = PARQUET_BATCH_ROWS
    ) -> None:
        self._pa, self._pq = pyarrow("writing")  # before creating the temporary file
        super().__init__(path)
        self.encoding = None
        self._batch_rows = batch_rows
        self._rows: list[dict[str, Scalar]] = []
        self._columns = _Columns(self.path)
        self._kinds: dict[str, str] = {}
        self._writer: Any = None
        self._arrow_schema: Any = None

    @property
    def columns(self) -> tuple[str, ...]:
        """The column names (empty until the first evaluation)."""
        return self._columns.names

    def _write(self, evaluation: Mapping[str, Any]) -> None:
        row = flatten(evaluation)
        if not self._columns.names:
            self._columns.fix(row)
        else:
            self._columns.check(row)
        self._rows.append(row)
        if len(self._rows) >= self._batch_rows:
            self._flush()

    def _schema(self) -> Any:
        """Column types from the first batch (see the module docstring)."""
        pa = self._pa
        types = {"bool": pa.bool_(), "number": pa.float64(), "text": pa.string()}
        fields = []
        for name in self._columns.names:
            kinds = {_kind(row.get(name)) for row in self._rows if row.get(name) is not None}
            self._kinds[name] = kinds.pop() if len(kinds) == 1 else "text"
            fields.append(pa.field(name, types[self._kinds[name]]))
        return pa.schema(fields)

    def _column(self, name: str) -> list[Any]:
        kind = self._kinds[name]
        values: list[Any] = []
        for row in self._rows:
            value = row.get(name)
            if value is None:
                values.append(None)
            elif kind == "text":
                values.append(text(value))
            elif _kind(value) == kind:
                values.append(float(value) if kind == "number" else value)
            else:
                raise KamcoreError(
                    f"{self.path}: column {name!r} holds {kind} values but account "
                    f"{row.get('account_id')!r} has {value!r}; write CSV or JSON Lines instead"
                )
        return values

    def _flush(self) -> None:
        if not self._rows:
            return
        if self._writer is None:
            self._arrow_schema = self._schema()
            self._writer = self._pq.ParquetWriter(str(self._target.tmp), self._arrow_schema)
        schema = self._arrow_schema
        arrays = [
            self._pa.array(self._column(name), type=schema.field(name).type)
            for name in self._columns.names
        ]
        self._writer.write_table(self._pa.Table.from_arrays(arrays, schema=schema))
        self._rows = []

    def _finish(self) -> None:
        self._flush()
        if self._writer is None:  # no evaluation at all: a valid file with no columns
            self._pq.write_table(self._pa.table({}), str(self._target.tmp))
        else:
            self._writer.close()

    def _discard(self) -> None:
        self._rows = []
        if self._writer is not None:
            self._writer.close()


def open_evaluation_writer(
    path: str | os.PathLike[str], *, format: str | None = None, encoding: str | None = None
) -> EvaluationWriter:
    """An atomic writer of evaluations to ``path``; use it as a context manager.

    :param format: ``"jsonl"``, ``"csv"`` or ``"parquet"``; default: from the suffix
        (``.jsonl``/``.ndjson``, ``.csv``, ``.parquet``).
    :param encoding: CSV only: the text encoding, e.g. ``"utf-8-sig"`` (Excel opens it without
        garbling non-ASCII text) or ``"gb18030"``; default: UTF-8 without BOM.
    :raises KamcoreError: an unknown format or encoding, an encoding for JSON Lines or Parquet
        (always UTF-8), an unwritable destination, no pyarrow for Parquet.
    """
    kind = format_of(path, format, OUTPUT_FORMATS, "output")
    name = _output_encoding(path, kind, encoding)
    if kind == "jsonl":
        return JsonLinesEvaluationWriter(path)
    if kind == "csv":
        return CsvEvaluationWriter(path, encoding=name)
    return ParquetEvaluationWriter(path)


class RejectsWriter(_AtomicWriter):
    """The rows that could not be evaluated: row number, file line, account id, where, why.

    The file is written even when nothing is rejected (a CSV then holds just its header), so a
    run asked for a rejects file always leaves one and an empty one means "none".
    """

    def __init__(
        self, path: str | os.PathLike[str], format: str, *, encoding: str | None = None
    ) -> None:
        name = _output_encoding(path, format, encoding)  # before creating the temporary file
        super().__init__(path)
        self.format = format
        self.encoding = name
        self._file = _open_text(self._target, name)
        self._csv = csv.writer(self._file) if format == "csv" else None
        if self._csv is not None:
            self._csv.writerow(REJECT_COLUMNS)

    def write(self, record: Mapping[str, Any], line: int | None = None) -> None:
        """Append one error record from the engine (``account_id``, ``where``, ``reason``,
        ``row``); ``line`` is the input file's line for the row, when known."""
        if self.closed:
            raise KamcoreError(f"{self.path}: the writer is closed")
        values = {
            "row": record.get("row"),
            "line": line,
            "account_id": record.get("account_id"),
            "where": record.get("where"),
            "reason": record.get("reason"),
        }
        if self._csv is not None:
            try:
                self._csv.writerow([text(v) for v in values.values()])
            except UnicodeEncodeError as exc:
                row = f"the reject of row {values['row']}"
                raise _unencodable(self.path, self.encoding or "", exc, row) from None
        else:
            self._file.write(json.dumps(values, ensure_ascii=False, default=str) + "\n")
        self.count += 1

    def _finish(self) -> None:
        self._file.close()

    def _discard(self) -> None:
        self._file.close()

    def __enter__(self) -> RejectsWriter:
        return self


def open_rejects_writer(
    path: str | os.PathLike[str], *, format: str | None = None, encoding: str | None = None
) -> RejectsWriter:
    """An atomic rejects file at ``path``: CSV (``.csv``) or JSON Lines (``.jsonl``/``.ndjson``),
    by suffix unless ``format`` says.

    :param encoding: CSV only, as for :func:`open_evaluation_writer`; default: UTF-8.
    :raises KamcoreError: an unknown format or encoding, an encoding for JSON Lines, an
        unwritable destination.
    """
    kind = format_of(path, format, REJECTS_FORMATS, "rejects")
    return RejectsWriter(path, kind, encoding=encoding)
