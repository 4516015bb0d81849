"""Opening the input of ``kam evaluate`` and ``kam explain``, and checking it fits the policy.

The engine reads a missing cell as a missing value, which is right for one empty cell and
wrong for a whole column: a header that says ``Margin`` where the policy maps ``Gross margin``
would leave every account without a margin, every verdict built on defaults, and the run would
still exit 0. So before anything is evaluated, the columns the policy maps in ``[inputs]``
(and the account id column) are looked up in the file's header; a missing one stops the run
with a did-you-mean against the header, unless ``--allow-missing-columns`` says it is meant.
Only files that declare their columns (CSV, Parquet) are checked: a JSON row may leave out
what it does not know.

``kam evaluate``'s first stderr line says how the input is read (format, encoding, and whether
the encoding was detected), since a GBK export read as something else is the likeliest surprise
of all.

A parallel ``kam evaluate`` has the input cut into chunks for its workers (:func:`cutter`):
byte ranges that end at a line end, so the main process never parses a row. A CSV record may
span lines inside quotes, so a CSV range ends only where the quotes before it pair up; that
count is wrong only after a quote inside an unquoted cell (``5" screen``), and then the worker
finds its range ending inside a quoted cell and the file is cut again from there by parsing it
(:meth:`CsvCutter.recut`), exactly but in the main process.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

from .common import EXIT_FINDINGS, CliError, did_you_mean

if TYPE_CHECKING:
    from ..engine import Engine
    from ..io import RowSource
    from ..runtime.parallel import Chunk

__all__ = [
    "Column",
    "CsvCutter",
    "JsonLinesCutter",
    "add_arguments",
    "cutter",
    "describe",
    "missing_columns",
    "open_source",
    "policy_columns",
]

_FORMAT_NAMES = {"csv": "CSV", "jsonl": "JSON Lines", "json": "JSON", "parquet": "Parquet"}
#: The account id columns looked for when the policy has no ``[inputs.id]``.
_DEFAULT_ID_COLUMNS = ("id", "account_id")


@dataclass(frozen=True)
class Column:
    """A column the policy reads: any one of ``names`` will do (the account id may be ``id``
    or ``account_id``); ``what`` says which input reads it."""

    names: tuple[str, ...]
    what: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The input options ``kam evaluate`` and ``kam explain`` share beyond the file itself."""
    parser.add_argument(
        "--allow-missing-columns",
        action="store_true",
        help="evaluate even when a column the policy maps is not in the file's header (its "
        "values are then missing); default: an error",
    )


def policy_columns(engine: Engine) -> list[Column]:
    """The columns without which the policy's verdicts are wrong: the account id, every
    ``[inputs.<fact>]`` column without a ``default``, and every ``required`` one."""
    inputs = engine.document.data.get("inputs")
    inputs = inputs if isinstance(inputs, Mapping) else {}
    id_spec = inputs.get("id")
    if isinstance(id_spec, Mapping):
        wanted = [Column((str(id_spec.get("column", "id")),), "[inputs.id], the account id")]
    else:
        wanted = [Column(_DEFAULT_ID_COLUMNS, "the account id")]
    for name, spec in inputs.items():
        if name == "id" or not isinstance(spec, Mapping):
            continue
        if spec.get("default") is None or spec.get("required"):
            wanted.append(Column((str(spec.get("column", name)),), f"[inputs.{name}]"))
    return wanted


def missing_columns(wanted: Sequence[Column], header: Sequence[str]) -> list[str]:
    """One description per wanted column that ``header`` lacks, with a did-you-mean."""
    present = set(header)
    missing = []
    for column in wanted:
        if present.intersection(column.names):
            continue
        names = " or ".join(f"`{n}`" for n in column.names)
        hint = "".join(did_you_mean(n, header) for n in column.names[:1])
        missing.append(f"{names} ({column.what}){hint}")
    return missing


def describe(source: RowSource) -> str:
    """``CSV, gb18030 (detected)``: how the input is read."""
    text = _FORMAT_NAMES.get(source.format, source.format)
    if source.encoding is not None:
        text += f", {source.encoding}" + (" (detected)" if source.encoding_detected else "")
    return text


def open_source(
    args: argparse.Namespace, engine: Engine, input_path: Path, *, announce: bool = False
) -> RowSource:
    """Open ``args.input`` as ``args.format_in``/``args.encoding`` say, check its header
    against the columns the policy reads and, with ``announce``, say on stderr how it is read.

    :raises CliError: status 1 for a file that cannot be read as asked or lacks a column the
        policy maps (unless ``args.allow_missing_columns``).
    """
    from ..errors import KamcoreError
    from ..io import open_rows

    try:
        source = open_rows(input_path, format=args.format_in, encoding=args.encoding)
    except KamcoreError as exc:
        raise CliError(str(exc), EXIT_FINDINGS) from None
    if announce:
        print(f"input: {describe(source)}", file=sys.stderr)
    if source.columns is None:
        return source
    missing = missing_columns(policy_columns(engine), source.columns)
    if not missing:
        return source
    n = len(missing)
    listed = "\n  ".join(missing)
    head = f"{args.input} lacks {n} column{'s' if n != 1 else ''} the policy reads"
    if getattr(args, "allow_missing_columns", False):
        print(
            f"kam: warning: {head} (their values are missing for every account):\n  {listed}",
            file=sys.stderr,
        )
        return source
    raise CliError(
        f"{head}:\n  {listed}\nfix the header or the policy's [inputs] column names, or pass "
        "--allow-missing-columns to evaluate with these values missing",
        EXIT_FINDINGS,
    )


# -- chunks for parallel workers ---------------------------------------------------------------

#: Encodings in which the bytes of a line end and of a double quote stand for nothing else
#: (no multi-byte character contains them), so a file can be cut at those bytes.
_CUTTABLE: Final = frozenset(
    {"utf-8", "utf-8-sig", "ascii", "gb18030", "gbk", "gb2312", "big5", "shift_jis", "cp932"}
)
#: A CSV chunk that found no place to end after this many chunk sizes is cut by parsing.
_MAX_CARRY: Final = 8


def _cuttable(encoding: str | None) -> bool:
    if encoding is None:
        return False
    name = codecs.lookup(encoding).name
    return name in _CUTTABLE or name.startswith(("iso8859", "cp125", "latin"))


#: Bytes of the file's head read to learn how long its lines are.
_SAMPLE: Final = 1 << 16


def chunk_size(path: Path, rows: int) -> int:
    """Bytes that hold about ``rows`` lines of ``path``, judged by the lines of its head."""
    with path.open("rb") as f:
        head = f.read(_SAMPLE)
    per_line = len(head) / max(1, head.count(b"\n"))
    return max(1, int(rows * per_line))


def cutter(source: RowSource, rows: int) -> JsonLinesCutter | CsvCutter | None:
    """Chunks of ``source`` of about ``rows`` rows for parallel workers, or ``None`` when it
    cannot be cut (JSON and Parquet, UTF-16 text) or is too small to be worth more than one
    process (one chunk)."""
    if source.format not in ("jsonl", "csv") or not _cuttable(source.encoding):
        return None
    chunk_bytes = chunk_size(source.path, rows)
    if source.size <= chunk_bytes:
        return None
    if source.format == "jsonl":
        return JsonLinesCutter(source, chunk_bytes)
    if source.format == "csv":
        return CsvCutter(source, chunk_bytes, rows)
    return None


def _bom_length(path: Path, encoding: str | None) -> int:
    """The bytes of a UTF-8 byte order mark the text reader skips at the start of ``path``."""
    if encoding != "utf-8-sig":
        return 0
    with path.open("rb") as f:
        return len(codecs.BOM_UTF8) if f.read(3) == codecs.BOM_UTF8 else 0


class _Cutter:
    """Cuts a file into byte-range chunks ending at a line end, guessing one row a line.

    The guesses (row numbers, lines) live on the object, not in the generator, so that
    :meth:`correct` shifts the numbers of chunks not yet cut.
    """

    kind = ""

    def __init__(self, source: RowSource, chunk_bytes: int) -> None:
        self.path = source.path
        self.chunk_bytes = chunk_bytes
        self.offset = _bom_length(source.path, source.encoding)
        self.first_line = 1
        self.row = 1
        self.line = 1

    def correct(self, rows: int, lines: int) -> None:
        """A settled chunk held ``rows`` more rows and ``lines`` more lines than guessed."""
        self.row += rows
        self.line += lines

    def recut(self, chunk: Chunk, row: int, line: int) -> None:
        """Cut again from ``chunk`` (JSON Lines chunks are always cut right)."""
        raise AssertionError(f"a {self.kind} chunk is never cut again")

    def __iter__(self) -> Iterator[Chunk]:
        return self._ranges()

    def _end(self, buf: bytes, final: bool) -> int:
        """Where in ``buf`` (starting at a record start) the chunk may end; 0: nowhere."""
        return len(buf) if final else buf.rfind(b"\n") + 1

    def _too_long(self, carry: bytes) -> bool:
        return False

    def _ranges(self) -> Iterator[Chunk]:
        from ..runtime.parallel import Chunk

        with self.path.open("rb") as f:
            f.seek(self.offset)
            carry = b""
            while True:
                block = f.read(self.chunk_bytes)
                buf = carry + block if carry else block
                if not buf:
                    return
                end = self._end(buf, final=not block)
                if end == 0:
                    carry = buf
                    if self._too_long(carry):
                        return
                    continue
                lines = buf.count(b"\n", 0, end) + (buf[end - 1 : end] != b"\n")
                yield Chunk(
                    self.kind,
                    self.row,
                    self.line,
                    offset=self.offset,
                    length=end,
                    expect_rows=lines,
                    expect_lines=lines,
                    exact=not block,
                )
                self.offset += end
                self.row += lines
                self.line += lines
                carry = buf[end:]


class JsonLinesCutter(_Cutter):
    """JSON Lines in byte ranges of whole lines (a JSON text holds no raw line end)."""

    kind = "jsonl"


class CsvCutter(_Cutter):
    """CSV in byte ranges of whole records: after the header, ending at a line end after
    an even number of double quotes; from a :meth:`recut` on, in records parsed here.

    :param rows: rows a chunk takes when parsing here.
    """

    kind = "csv"

    def __init__(self, source: RowSource, chunk_bytes: int, rows: int) -> None:
        super().__init__(source, chunk_bytes)
        self.encoding = source.encoding or "utf-8"
        self.delimiter = source.delimiter or ","
        self.text_rows = max(1, rows)
        self._parse = False  # cut by parsing from self.offset on
        self._header = True  # the header is still ahead of self.offset
        header_end, header_lines = self._header_end()
        self.first_line = self.row = self.line = header_lines + 1
        if header_end:
            self.offset += header_end
            self._header = False
        else:  # a header with quotes: parse it
            self._parse = True

    def _header_end(self) -> tuple[int, int]:
        """Bytes and lines of the header; bytes 0 when its line holds quotes or a bare CR."""
        with self.path.open("rb") as f:
            f.seek(self.offset)
            first = f.readline(1 << 20)
        if first.endswith(b"\n") and b'"' not in first and b"\r" not in first[:-2]:
            return len(first), 1
        with self._text(self.offset) as text:
            reader = csv.reader(text, delimiter=self.delimiter, strict=True)
            next(reader, None)
            return 0, reader.line_num

    def _text(self, offset: int) -> IO[str]:
        raw = self.path.open("rb")
        raw.seek(offset)
        encoding = "utf-8" if self.encoding == "utf-8-sig" else self.encoding
        return io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")

    def _end(self, buf: bytes, final: bool) -> int:
        if final:
            return len(buf)
        end = buf.rfind(b"\n") + 1
        quotes = buf.count(b'"', 0, end)
        while end and quotes % 2:  # inside a quoted cell: an earlier line end
            before = buf.rfind(b"\n", 0, end - 1) + 1
            quotes -= buf.count(b'"', before, end)
            end = before
        return end

    def _too_long(self, carry: bytes) -> bool:
        if len(carry) <= _MAX_CARRY * self.chunk_bytes:
            return False
        self._parse = True
        return True

    def recut(self, chunk: Chunk, row: int, line: int) -> None:
        """Cut again from ``chunk`` on (whose first row is ``row``, on ``line``) by parsing."""
        self.offset = chunk.offset
        self.row, self.line = row, line
        self._parse = True

    def __iter__(self) -> Iterator[Chunk]:
        if not self._parse:
            yield from self._ranges()
        if self._parse:
            yield from self._records()

    def _records(self) -> Iterator[Chunk]:
        """Chunks of ``text_rows`` records each, cut where :mod:`csv` ends a record.

        :raises BrokenInput: the file cannot be parsed here (undecodable bytes, broken
            quoting): the caller reads it once more to raise the error naming the place.
        """
        from ..runtime.parallel import BrokenInput, Chunk

        with self._text(self.offset) as text:
            taken: list[str] = []

            def lines() -> Iterator[str]:
                for line in text:
                    taken.append(line)
                    yield line

            reader = csv.reader(lines(), delimiter=self.delimiter, strict=True)
            if self._header:
                next(reader, None)
                taken.clear()
            rows = 0
            done = reader.line_num  # lines read into chunks already
            while True:
                try:
                    cells = next(reader, None)
                except (csv.Error, UnicodeDecodeError):
                    raise BrokenInput("read") from None
                if cells:
                    rows += 1
                if rows < self.text_rows and cells is not None:
                    continue
                if rows or taken:
                    lines_taken = reader.line_num - done
                    yield Chunk(
                        "csv",
                        self.row,
                        self.line,
                        text="".join(taken),
                        expect_rows=rows,
                        expect_lines=lines_taken,
                    )
                    self.row += rows
                    self.line += lines_taken
                    done = reader.line_num
                    taken.clear()
                    rows = 0
                if cells is None:
                    return
