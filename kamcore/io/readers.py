"""Input rows for the engine from CSV, JSON Lines, JSON and Parquet files.

A :class:`RowSource` is what :meth:`Engine.evaluate_stream <kamcore.Engine.evaluate_stream>`
wants: a function returning a *fresh* iterator over the same rows on every call, because a
policy with portfolio rules reads its input in several passes (statistics first, verdicts after)
instead of holding the portfolio in memory. Each call reopens the file and streams it; only plain
JSON, which cannot be parsed piecewise, is loaded once and kept (use JSON Lines for large inputs).

Readers do no cell parsing: a CSV row is a dict of strings exactly as written (nothing stripped),
and the engine's input reader converts cells with errors naming the row and column. What the
readers do check is the *file*: its encoding, its header, its JSON syntax; those are problems with
the whole input, so they raise :class:`~kamcore.KamcoreError` naming ``file:line`` instead of
becoming per-row rejects.

One problem sits between the two: a CSV line with *fewer* cells than the header (the last line of
a truncated copy, a line whose trailing cells were lost in an edit). Padding it with empty cells
would evaluate it as if complete, with defaults standing in for the lost values (an alert that
depended on them silently disappears); raising would stop the whole run for one line. So the
reader yields it as a :class:`ShortRow`, a dict marked with the reason, and the engine rejects
that row alone, the reason naming the file line.

CSV delimiters are sniffed from the header line, because spreadsheets export "CSV" with the
delimiter of the user's locale (Excel in much of continental Europe writes ``;``) and Excel's
"Unicode text" export is UTF-16 with tabs; read with the wrong delimiter, every line is one cell
or a split at each comma of a company name. The default is a comma, a tab for UTF-16 files; a
semicolon or a tab wins when the header holds more of it (outside quotes) than of the default.
:attr:`RowSource.delimiter` says which was used; ``open_rows(..., delimiter=...)`` overrides.

Rows are numbered from 1 in the order they are yielded, exactly as the engine numbers them in its
error records; :meth:`RowSource.line_of` maps a row number to the line of the file it started on
(CSV, JSON Lines), so a rejects file can point into the input.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final, Protocol

from ..errors import KamcoreError
from ._arrow import pyarrow
from .encoding import CHUNK_SIZE, first_invalid_byte, resolve_encoding
from .formats import INPUT_FORMATS, format_of
from .jsonfast import loads as fast_loads

__all__ = [
    "CsvSource",
    "JsonLinesSource",
    "JsonSource",
    "ParquetSource",
    "RowSource",
    "ShortRow",
    "open_rows",
]

#: Rows per Parquet record batch: bounded memory, few Python-level round trips.
PARQUET_BATCH_ROWS: Final = 10_000
#: CSV delimiters told apart by sniffing, and their names in messages.
_DELIMITERS: Final = {",": "comma", ";": "semicolon", "\t": "tab"}
#: Characters of the first line looked at to sniff the delimiter (a header is far shorter).
_SNIFF_CHARS: Final = 1 << 16
#: Missing column names listed in a short row's reason before "and N more".
_MISSING_SHOWN = 5


class ShortRow(dict[str, str]):
    """A CSV row with fewer cells than the header names: yielded, but not to be evaluated.

    It maps the first columns of the header to the cells the line *does* have, and no more: a
    consumer unaware of the marker sees absent columns, not invented empty cells. The engine's
    input reader rejects it with :attr:`reason` (``where`` = ``"inputs"``), so the rest of the
    file is still evaluated and the rejects file says which line to fix.

    :ivar reason: ``row 274 (line 276) has 13 cells but the header names 16 columns ...``,
        naming the missing columns.
    :ivar line: the file line the row starts on.
    :ivar cells: how many cells the line has.
    :ivar expected: how many the header names.
    """

    __slots__ = ("cells", "expected", "line", "reason")

    def __init__(
        self, columns: tuple[str, ...], cells: list[str], *, number: int, line: int
    ) -> None:
        super().__init__(zip(columns, cells, strict=False))
        self.line = line
        self.cells = len(cells)
        self.expected = len(columns)
        missing = columns[len(cells) :]
        shown = ", ".join(missing[:_MISSING_SHOWN])
        if len(missing) > _MISSING_SHOWN:
            shown += f" and {len(missing) - _MISSING_SHOWN} more"
        self.reason = (
            f"row {number} (line {line}) has {self.cells} "
            f"{'cell' if self.cells == 1 else 'cells'} but the header names {self.expected} "
            f"columns (no cell for {shown}); a line cut short (a truncated file, cells lost in "
            "an edit) is not evaluated"
        )

    def account_id(self, id_columns: Iterable[str] = ("id", "account_id")) -> str | None:
        """The account id for the reject record: the first of ``id_columns`` the row has a
        non-blank cell for, stripped (as the engine reads ids); ``None`` if none."""
        for column in id_columns:
            value = self.get(column, "").strip()
            if value:
                return value
        return None


class _Tellable(Protocol):
    """The binary file under a text reader: how far it has read."""

    @property
    def closed(self) -> bool: ...

    def tell(self) -> int: ...


class _LineIndex:
    """Row number -> first file line of the row, in memory independent of the row count.

    The line is the row number plus an offset that only changes where a quoted cell spans lines
    or blank lines are skipped, so only the rows where the offset changes are stored.
    """

    __slots__ = ("_offsets", "_rows", "known")

    def __init__(self) -> None:
        self._rows: list[int] = []  # rows where a new offset starts, ascending
        self._offsets: list[int] = []
        self.known = 0  # rows recorded so far

    def record(self, row: int, line: int) -> None:
        if row <= self.known:  # a later pass over the same file: already known
            return
        offset = line - row
        if not self._offsets or self._offsets[-1] != offset:
            self._rows.append(row)
            self._offsets.append(offset)
        self.known = row

    def line_of(self, row: int) -> int | None:
        if row < 1 or row > self.known:
            return None
        return row + self._offsets[bisect.bisect_right(self._rows, row) - 1]


class RowSource(ABC):
    """Rows of one input file; call it for a fresh iterator of row dicts.

    :ivar path: the file.
    :ivar format: ``"csv"``, ``"jsonl"``, ``"json"`` or ``"parquet"``.
    :ivar encoding: the text encoding used (detected or given); ``None`` for Parquet.
    :ivar encoding_detected: the encoding was detected rather than given.
    :ivar columns: the column names when the file declares them (CSV header, Parquet schema);
        ``None`` for JSON and JSON Lines, whose rows each name their own keys.
    :ivar delimiter: the CSV cell delimiter used (sniffed or given); ``None`` for other formats.
    :ivar size: the file's size in bytes, for progress reporting.
    :ivar total_rows: the row count when known without reading the rows (JSON, Parquet).
    """

    format: str = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.encoding: str | None = None
        self.encoding_detected = False
        self.columns: tuple[str, ...] | None = None
        self.delimiter: str | None = None
        self.size = path.stat().st_size
        self.total_rows: int | None = None
        self._lines = _LineIndex()
        self._live: _Tellable | None = None  # the binary file the latest iterator reads
        self._done_bytes = 0

    @abstractmethod
    def __call__(self) -> Iterator[dict[str, Any]]:
        """A fresh iterator over the rows, from the start of the file."""

    def line_of(self, row: int) -> int | None:
        """The file line row ``row`` (1-based, as the engine numbers rows) starts on.

        Known for CSV and JSON Lines once a read has reached the row; ``None`` otherwise and
        for JSON and Parquet, which have no meaningful line.
        """
        return self._lines.line_of(row)

    @property
    def bytes_read(self) -> int:
        """How far the latest iterator has read into the file, in bytes (approximate: text
        is decoded in buffers). Meant for a progress bar next to :attr:`size`."""
        live = self._live
        if live is None or live.closed:
            return self._done_bytes
        try:
            return live.tell()
        except (OSError, ValueError):
            return self._done_bytes

    def _text_error(self, exc: UnicodeDecodeError) -> KamcoreError:
        """A decoding failure half-way through a read, located exactly.

        The text layer decodes in buffers, so neither its position nor the csv line count
        says where the bad byte is; the file is decoded again (slow path only) to find the
        byte offset, and its newlines counted for the line.
        """
        invalid = first_invalid_byte(self.path, self.encoding or "utf-8")
        if invalid is None:  # the file changed since; report what the text layer saw
            return KamcoreError(f"{self.path}: cannot decode as {self.encoding}: {exc.reason}")
        offset, reason = invalid
        return KamcoreError(
            f"{self.path}:{_line_at(self.path, offset)}: cannot decode the file as "
            f"{self.encoding} (byte offset {offset}: {reason}); name the file's encoding "
            "with --encoding"
        )

    def _open_text(self, newline: str | None) -> io.TextIOWrapper:
        """The file as text in :attr:`encoding`, strict, tracking the binary position.

        ``newline=""`` for CSV: the csv module handles line ends itself, since quoted cells
        may hold newlines.
        """
        raw = self.path.open("rb")
        self._live = raw
        return io.TextIOWrapper(raw, encoding=self.encoding, errors="strict", newline=newline)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.format} {str(self.path)!r}>"


class CsvSource(RowSource):
    """A CSV file with a header line, read with :mod:`csv` as dicts of strings.

    Rows are built with :func:`csv.reader` rather than :class:`csv.DictReader`, so the first
    line of every row is known exactly and a row whose cell count differs from the header's is
    never silently reshaped. Blank lines are skipped. A row with *more* cells is an error: that
    almost always means an unquoted delimiter in a value (``1,234,567``) has shifted every cell
    after it, so the rest of the file is suspect too. A row with *fewer* cells is a
    :class:`ShortRow`, rejected by the engine on its own. The reader is strict for the same
    reason: a quote left open at the end of the file, or text after a closing quote, is an
    error naming the line rather than a guessed cell.

    :param delimiter: one character; default: sniffed from the header line (module docstring).
    """

    format = "csv"

    def __init__(self, path: Path, encoding: str | None, delimiter: str | None = None) -> None:
        super().__init__(path)
        self.encoding, self.encoding_detected = resolve_encoding(path, encoding)
        if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
            raise KamcoreError(
                f"{path}: the CSV delimiter must be one character other than a quote or a line "
                f"end, got {delimiter!r}"
            )
        with self._open_text(newline="") as f:
            try:
                first = f.readline(_SNIFF_CHARS)
            except UnicodeDecodeError as exc:
                raise self._text_error(exc) from None
        self.delimiter = delimiter or _sniff_delimiter(first, self.encoding)
        with self._open_text(newline="") as f:
            reader = csv.reader(f, delimiter=self.delimiter, strict=True)
            try:
                header = next(reader, None)
            except csv.Error as exc:
                raise KamcoreError(f"{path}:{reader.line_num}: malformed CSV: {exc}") from None
            except UnicodeDecodeError as exc:
                raise self._text_error(exc) from None
        self.columns = self._check_header(header)

    def _check_header(self, header: list[str] | None) -> tuple[str, ...]:
        if header is None:
            raise KamcoreError(f"{self.path}:1: empty file: expected a header line naming columns")
        if not any(header):
            raise KamcoreError(
                f"{self.path}:1: empty header line: the first line must name the columns"
            )
        problems: list[str] = []
        unnamed = [str(i) for i, name in enumerate(header, start=1) if not name.strip()]
        if unnamed:
            problems.append(f"column {', '.join(unnamed)} has no name")
        first: dict[str, int] = {}
        for i, name in enumerate(header, start=1):
            if name.strip() and name in first:
                problems.append(f"duplicate column name {name!r} (columns {first[name]} and {i})")
            first.setdefault(name, i)
        if problems:
            raise KamcoreError(f"{self.path}:1: bad header: {'; '.join(problems)}")
        return tuple(header)

    def __call__(self) -> Iterator[dict[str, str]]:
        return self._rows()

    def _rows(self) -> Iterator[dict[str, str]]:
        assert self.columns is not None
        assert self.delimiter is not None
        columns = self.columns
        width = len(columns)
        with self._open_text(newline="") as f:
            reader = csv.reader(f, delimiter=self.delimiter, strict=True)
            number = 0
            start = 1
            try:
                if tuple(next(reader, ())) != columns:
                    raise KamcoreError(f"{self.path}:1: the header changed while being read")
                while True:
                    start = reader.line_num + 1
                    cells = next(reader, None)
                    if cells is None:
                        break
                    if not cells:  # a blank line
                        continue
                    number += 1
                    if len(cells) > width:
                        raise KamcoreError(
                            f"{self.path}:{start}: row {number} has {len(cells)} cells but the "
                            f"header names {width} columns ({self._split_hint()})"
                        )
                    self._lines.record(number, start)
                    if len(cells) < width:
                        yield ShortRow(columns, cells, number=number, line=start)
                    else:
                        yield dict(zip(columns, cells, strict=True))
            except csv.Error as exc:
                raise KamcoreError(f"{self.path}:{start}: malformed CSV: {exc}") from None
            except UnicodeDecodeError as exc:
                raise self._text_error(exc) from None
            finally:
                self._done_bytes = self.size

    def _split_hint(self) -> str:
        """Why a row may have more cells than the header, for this file's delimiter."""
        name = _DELIMITERS.get(self.delimiter or ",", f"{self.delimiter!r}")
        hint = f"an unquoted {name} inside a value splits it into two cells"
        if self.delimiter == ",":
            hint += " (such as a thousands separator: 1,234,567)"
        return hint


def _sniff_delimiter(header_line: str, encoding: str | None = None) -> str:
    """The delimiter of a CSV file from its header line (see the module docstring).

    Counts the candidates outside double quotes; the most frequent wins, a tie keeps the
    default: a comma, or a tab for UTF-16 (Excel's "Unicode text" export is tab-separated).
    Counting rather than "comma if any" keeps a semicolon file whose header has a column like
    ``Umsatz (EUR, 12 Monate)`` on semicolons.
    """
    default = "\t" if (encoding or "").startswith("utf-16") else ","
    unquoted = "".join(header_line.split('"')[::2])
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    best = max(counts.values())
    if best == 0 or counts[default] == best:
        return default
    return next(d for d in _DELIMITERS if counts[d] == best)


class JsonLinesSource(RowSource):
    """JSON Lines: one JSON object (one account) per line, streamed line by line.

    Blank lines are skipped; a line that is not valid JSON, or not an object, stops the read
    with ``file:line:col``: a broken line means a broken export, not one bad account.
    """

    format = "jsonl"

    def __init__(self, path: Path, encoding: str | None) -> None:
        super().__init__(path)
        # JSON text is UTF-8 (RFC 8259); utf-8-sig also accepts a leading BOM.
        self.encoding, _ = resolve_encoding(path, encoding or "utf-8-sig")

    def __call__(self) -> Iterator[dict[str, Any]]:
        return self._rows()

    def _rows(self) -> Iterator[dict[str, Any]]:
        number = 0
        with self._open_text(newline=None) as f:
            try:
                for line_number, line in enumerate(f, start=1):
                    if not line.strip():
                        continue
                    try:
                        # without the line end: an error at the end of the line is then at its
                        # last column, not at column 1 of a line that does not exist
                        value = fast_loads(line.rstrip("\n"))
                    except json.JSONDecodeError as exc:
                        raise KamcoreError(
                            f"{self.path}:{line_number}:{exc.colno}: invalid JSON: {exc.msg}"
                        ) from None
                    if not isinstance(value, dict):
                        raise KamcoreError(
                            f"{self.path}:{line_number}: expected a JSON object (one account "
                            f"per line), got {_json_kind(value)}"
                        )
                    number += 1
                    self._lines.record(number, line_number)
                    yield value
            except UnicodeDecodeError as exc:
                raise self._text_error(exc) from None
            finally:
                self._done_bytes = self.size


class JsonSource(RowSource):
    """A JSON document: an array of account objects, or an object with an ``"accounts"`` array.

    JSON cannot be parsed piecewise with the standard library, so the document is loaded once,
    when the source is opened, and kept; every call yields shallow copies of the same rows. For
    inputs too large for memory use JSON Lines, which streams.
    """

    format = "json"

    def __init__(self, path: Path, encoding: str | None) -> None:
        super().__init__(path)
        self.encoding, _ = resolve_encoding(path, encoding or "utf-8-sig")
        try:
            with open(self.path, encoding=self.encoding, errors="strict") as f:
                document = json.load(f)
        except json.JSONDecodeError as exc:
            raise KamcoreError(
                f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"
            ) from None
        except UnicodeDecodeError as exc:
            raise self._text_error(exc) from None
        where = "the top-level array"
        if isinstance(document, dict) and "accounts" in document:
            document = document["accounts"]
            where = 'the "accounts" array'
            if not isinstance(document, list):
                raise KamcoreError(
                    f'{path}: "accounts" must be an array of account objects, got '
                    f"{_json_kind(document)}"
                )
        if not isinstance(document, list):
            raise KamcoreError(
                f"{path}: expected an array of account objects or an object with an "
                f'"accounts" array, got {_json_kind(document)}'
            )
        for i, row in enumerate(document):
            if not isinstance(row, dict):
                raise KamcoreError(
                    f"{path}: item {i} of {where} (row {i + 1}) is {_json_kind(row)}, "
                    "not an account object"
                )
        self._rows: list[dict[str, Any]] = document
        self.total_rows = len(document)
        self._done_bytes = self.size

    def __call__(self) -> Iterator[dict[str, Any]]:
        return (dict(row) for row in self._rows)


class ParquetSource(RowSource):
    """A Parquet file, streamed record batch by record batch through pyarrow.

    Values arrive typed (numbers, booleans, dates, decimals, ``None`` for nulls); the engine's
    input reader accepts typed values as it accepts JSON's.
    """

    format = "parquet"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        _, pq = pyarrow("reading")
        try:
            with pq.ParquetFile(str(path)) as pf:
                self.columns = tuple(str(name) for name in pf.schema_arrow.names)
                self.total_rows = int(pf.metadata.num_rows)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise KamcoreError(f"{path}: not a readable Parquet file: {exc}") from None

    def __call__(self) -> Iterator[dict[str, Any]]:
        return self._rows()

    def _rows(self) -> Iterator[dict[str, Any]]:
        _, pq = pyarrow("reading")
        done = 0
        try:
            with pq.ParquetFile(str(self.path)) as pf:
                for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                    rows: list[dict[str, Any]] = batch.to_pylist()
                    done += len(rows)
                    yield from rows
                    if self.total_rows:
                        self._done_bytes = self.size * done // self.total_rows
        except (OSError, ValueError) as exc:
            raise KamcoreError(f"{self.path}: cannot read Parquet: {exc}") from None


def _line_at(path: Path, offset: int) -> int:
    """The 1-based line of the byte at ``offset`` (counting newline bytes, chunk by chunk)."""
    newlines = 0
    with path.open("rb") as f:
        remaining = offset
        while remaining > 0:
            chunk = f.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            newlines += chunk.count(b"\n")
            remaining -= len(chunk)
    return newlines + 1


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def open_rows(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> RowSource:
    """Open an input file of account rows for :meth:`Engine.evaluate_stream`.

    The file is checked now (it exists, its format, CSV encoding and header, JSON syntax for
    plain JSON, the Parquet footer), so a bad input fails before any evaluation starts.

    :param format: ``"csv"``, ``"jsonl"``, ``"json"`` or ``"parquet"``; default: from the
        suffix (``.csv``, ``.jsonl``/``.ndjson``, ``.json``, ``.parquet``).
    :param encoding: the text encoding of a CSV file (``gbk``, ``gb18030``, ``cp1252``...);
        default: detected (BOM, then strict UTF-8, then GB18030 if the text is Chinese). JSON
        inputs are UTF-8.
    :param delimiter: the cell delimiter of a CSV file; default: sniffed from the header (comma,
        semicolon or tab; tab for UTF-16).
    :raises KamcoreError: a missing file, an unknown format, an undecodable file, a bad header,
        a delimiter given for a format that has none.
    """
    p = Path(path)
    kind = format_of(p, format, INPUT_FORMATS, "input")
    if not p.exists():
        raise KamcoreError(f"{p}: no such file")
    if p.is_dir():
        raise KamcoreError(f"{p}: is a directory, not an input file")
    if kind == "csv":
        return CsvSource(p, encoding, delimiter)
    if delimiter is not None:
        raise KamcoreError(f"{p}: a delimiter applies to CSV input only, not {kind}")
    if kind == "jsonl":
        return JsonLinesSource(p, encoding)
    if kind == "json":
        return JsonSource(p, encoding)
    return ParquetSource(p)
