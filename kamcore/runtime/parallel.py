"""Evaluating rows in worker processes, chunk by chunk, with the outcomes in input order.

A policy without portfolio rules evaluates each row on its own (:func:`row_evaluator`), so rows
can be shared out; what cannot is the duplicate-id check, which needs every earlier row. So
the main process cuts the input into :class:`Chunk` s, forked workers evaluate them, and the
main process takes the results back in input order (at most ``ahead`` chunks in flight, so
memory stays flat) and settles each one (:class:`Sequencer`): duplicate ids, row numbers,
rejects.

The work is split so that the main process does as little per row as possible:

* a chunk of a JSON Lines or CSV file is a byte range, cut at a line end (and, for CSV,
  outside quotes) by :mod:`kamcore.cli.source`; the worker reads it, parses it, evaluates it
  and, when the job says so, serializes the evaluations into JSON Lines bytes itself;
* the worker returns those bytes, each row's account id, the rejected rows and a share of the
  portfolio summary (:attr:`Job.sink`): per row the main process only checks an id.

Workers are forked, so they inherit the compiled policy instead of compiling it again; where
``fork`` does not exist (Windows, macOS's default), :func:`fork_available` is false and callers
stay in one process.

Row numbers. A worker must number its rows before the chunks ahead of it are parsed, so the
cutter guesses (one row a line: exact unless the chunk has blank lines, multi-line CSV cells or
bare ``\\r`` line ends) and the main process, which learns the true counts in order, checks the
guess. An evaluation does not depend on its row number, only an error record does (its
``row`` and its reason quote it), so a wrong guess costs only evaluating the chunk's rejected
rows once more, in the main process, under their true numbers.

Input errors that stop a run (invalid JSON, a CSV line with too many cells, undecodable bytes)
are only flagged by the worker; the caller reads the file again with the one-process reader to
raise the same error, word for word, that a one-process run raises.
"""

from __future__ import annotations

import bisect
import csv
import gc
import io
import itertools
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import TracebackType
from typing import IO, Any, Final, Protocol

from ..errors import KamcoreError
from ..io.jsonfast import loads as fast_loads
from .compile import CompiledPolicy
from .pipeline import Outcome, RowEvaluator, checked_outcome, evaluate_stream, row_evaluator
from .seen import FirstRows, SeenIds

__all__ = [
    "ROWS_PER_CHUNK",
    "BrokenInput",
    "Chunk",
    "ChunkResult",
    "Cutter",
    "Job",
    "RowError",
    "Sequencer",
    "Settled",
    "Sink",
    "WorkerPool",
    "csv_row",
    "default_workers",
    "evaluate_parallel",
    "fork_available",
]

#: Rows per chunk when rows (not a file) are shared out.
ROWS_PER_CHUNK: Final = 2000


class Sink(Protocol):
    """What a worker feeds each evaluation it writes, and returns with the chunk (pickled)."""

    def add(self, evaluation: dict[str, Any]) -> None: ...


@dataclass
class Job:
    """What every chunk of a run is evaluated with; forked workers inherit it.

    :param serialize: when given (``evaluation_json``), workers return the evaluations as
        JSON Lines bytes, one line each, instead of the evaluations.
    :param sink: makes an empty :class:`Sink` per chunk (a summary share).
    :param path: the file byte-range chunks are read from; ``encoding`` decodes them.
    :param columns: a CSV file's header; ``delimiter`` its cell delimiter.

    With a spool folder (:class:`WorkerPool` ``spool=True``) workers leave their JSON Lines in
    a file of it instead of sending the bytes back through a pipe, and the main process has
    the kernel copy them into the output (``os.copy_file_range``): the evaluations never pass
    through its memory (nor through pickle).
    """

    policy: CompiledPolicy
    as_of: date
    previous: Mapping[str, Mapping[str, Any]] | None = None
    explain: str = "full"
    serialize: Callable[[Mapping[str, Any]], str] | None = None
    sink: Callable[[], Sink] | None = None
    path: str | None = None
    encoding: str = "utf-8"
    columns: tuple[str, ...] = ()
    delimiter: str = ","
    evaluate: RowEvaluator = field(init=False, repr=False)
    spool: str | None = field(default=None, init=False)  # set by WorkerPool(spool=True)

    def __post_init__(self) -> None:
        # made before the fork, so the workers inherit the policy's generated function
        self.evaluate = row_evaluator(
            self.policy, as_of=self.as_of, previous=self.previous, explain=self.explain
        )


@dataclass(frozen=True)
class Chunk:
    """Consecutive rows to evaluate: a byte range of :attr:`Job.path`, decoded text, or rows.

    :param kind: ``"jsonl"`` or ``"csv"`` (a file's lines), or ``"rows"`` (row mappings).
    :param start_row: the number of its first row, as guessed when it was cut.
    :param start_line: the file line it starts on, as guessed.
    :param expect_rows: how many rows it was guessed to hold; ``expect_lines`` lines.
    :param exact: it certainly ends where a CSV record ends; a CSV chunk cut by counting
        quotes is not, and a CSV error in it means "cut elsewhere" (see
        :class:`ChunkResult`).
    """

    kind: str
    start_row: int
    start_line: int = 1
    offset: int = 0
    length: int = 0
    text: str | None = None
    rows: Sequence[Mapping[str, Any]] | None = None
    expect_rows: int = 0
    expect_lines: int = 0
    exact: bool = True


@dataclass
class RowError:
    """A row of a chunk that did not become a written evaluation.

    :param index: its position among the chunk's rows, from 0.
    :param record: the engine's error record; ``None`` when the row was evaluated but its
        evaluation cannot be written (``message`` says why).
    :param raw: what rebuilds the row: its JSON line, its CSV cells, or the row itself.
    :param line: the line it starts on, counted from the chunk's first line (0).
    """

    index: int
    record: dict[str, Any] | None
    raw: Any
    line: int | None
    message: str | None = None


@dataclass
class ChunkResult:
    """What a worker returns for a chunk.

    :param rows: the rows read; ``lines`` the lines they span (with blank ones).
    :param ids: each row's account id (``None``: the row could not be read).
    :param data: the written evaluations as JSON Lines (with :attr:`Job.serialize`), or
        ``spooled``: the spool file holding them and its size.
    :param evaluations: the evaluations otherwise.
    :param broken: ``"read"``: the input is broken after the rows read (a one-process read
        names it); ``"cut"``: a CSV chunk cut inside a quoted cell, to cut again exactly.
    :param starts: the line (from the chunk's first, 0) each row starts on; ``None`` when
        row ``i`` is on line ``i`` (no blank lines, no multi-line cells), as is usual.
    """

    rows: int = 0
    lines: int = 0
    ids: list[str | None] = field(default_factory=list)
    data: bytes = b""
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    sink: Any = None
    broken: str | None = None
    starts: list[int | None] | None = None
    spooled: tuple[str, int] | None = None


class BrokenInput(Exception):
    """The input is broken in a way that stops the run (not one row's fault): read it again
    with the one-process reader to get the error that names the place."""


class _Broken(Exception):
    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


# -- the worker side ------------------------------------------------------------------------

_JOB: Job | None = None
_FILES: dict[str, IO[bytes]] = {}


def fork_available() -> bool:
    """Whether workers can be forked (and so inherit the compiled policy)."""
    return "fork" in multiprocessing.get_all_start_methods()


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _init_worker() -> None:
    # Ctrl-C reaches the whole process group: the main process stops the workers itself.
    # SIGTERM must kill a worker outright, not raise the main process's handler in it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _read(job: Job, chunk: Chunk) -> str:
    """The chunk's text: given, or its byte range of the file decoded."""
    if chunk.text is not None:
        return chunk.text
    assert job.path is not None
    handle = _FILES.get(job.path)
    if handle is None:
        handle = _FILES[job.path] = open(job.path, "rb")  # noqa: SIM115 - kept per worker
    data = os.pread(handle.fileno(), chunk.length, chunk.offset)
    # the cutter starts past a byte order mark, so a chunk is plain UTF-8
    encoding = "utf-8" if job.encoding == "utf-8-sig" else job.encoding
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _Broken("read") from None


def csv_row(columns: tuple[str, ...], cells: list[str], number: int, line: int) -> dict[str, str]:
    """The row :class:`~kamcore.io.CsvSource` yields for ``cells``: a dict, or a
    :class:`~kamcore.io.ShortRow` when cells are missing (its reason quotes row and line)."""
    if len(cells) < len(columns):
        from ..io import ShortRow

        return ShortRow(columns, cells, number=number, line=line)
    return dict(zip(columns, cells, strict=True))


class _Read:
    """How far a reader got: the lines it has gone through."""

    __slots__ = ("lines",)

    def __init__(self) -> None:
        self.lines = 0


def _jsonl_lines(text: str) -> list[str]:
    """The lines of JSON Lines text, as a text file with universal line ends gives them."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _jsonl_rows(
    job: Job, chunk: Chunk, state: _Read
) -> Iterator[tuple[Any, Mapping[str, Any], int]]:
    """Rows of a JSON Lines chunk, read as :class:`~kamcore.io.JsonLinesSource` reads them
    (universal line ends, blank lines skipped); raises :class:`_Broken` where it raises."""
    lines = _jsonl_lines(_read(job, chunk))
    state.lines = len(lines)
    loads = fast_loads
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            value = loads(line)
        except json.JSONDecodeError:
            raise _Broken("read") from None
        if not isinstance(value, dict):
            raise _Broken("read")
        yield line, value, i


def _csv_rows(job: Job, chunk: Chunk, state: _Read) -> Iterator[tuple[Any, Mapping[str, Any], int]]:
    """Rows of a CSV chunk, read as :class:`~kamcore.io.CsvSource` reads them."""
    text = _read(job, chunk)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=job.delimiter, strict=True)
    columns = job.columns
    width = len(columns)
    number = chunk.start_row
    while True:
        begin = reader.line_num
        try:
            cells = next(reader, None)
        except csv.Error:
            # in a chunk cut by counting quotes, most likely the cut was inside a quoted
            # cell (a quote inside an unquoted cell throws the count off): cut again exactly
            raise _Broken("read" if chunk.exact else "cut") from None
        finally:
            state.lines = reader.line_num
        if cells is None:
            return
        if not cells:  # a blank line
            continue
        if len(cells) > width:
            raise _Broken("read")
        yield cells, csv_row(columns, cells, number, chunk.start_line + begin), begin
        number += 1


def _given_rows(
    job: Job, chunk: Chunk, state: _Read
) -> Iterator[tuple[Any, Mapping[str, Any], None]]:
    assert chunk.rows is not None
    for row in chunk.rows:
        yield row, row, None


_Reader = Callable[[Job, Chunk, _Read], Iterator[tuple[Any, Mapping[str, Any], int | None]]]
_READERS: Final[dict[str, _Reader]] = {"jsonl": _jsonl_rows, "csv": _csv_rows, "rows": _given_rows}


def evaluate_chunk(chunk: Chunk, job: Job | None = None, slot: int | None = None) -> ChunkResult:
    """Evaluate one chunk (in a worker: with the inherited job).

    Rows are numbered from :attr:`Chunk.start_row` on; duplicate ids are the caller's to
    find. An evaluation that cannot be written as JSON becomes a :class:`RowError` with a
    message, raised by the caller unless the row turns out to be a duplicate. With a spool,
    the JSON Lines go to its file number ``slot``.
    """
    job = job if job is not None else _JOB
    assert job is not None, "evaluate_chunk runs in a worker of a WorkerPool"
    evaluate, serialize = job.evaluate, job.serialize
    result = ChunkResult(sink=job.sink() if job.sink is not None else None)
    ids, errors, evaluations, sink = result.ids, result.errors, result.evaluations, result.sink
    texts: list[str] = []
    starts: list[int | None] = []
    number = chunk.start_row
    state = _Read()
    # A chunk's rows are kept until it is written: the collector would rescan them every few
    # hundred allocations (a tenth of a worker's time). It runs between chunks instead, so
    # memory stays bounded by one chunk even if a plugin leaves cycles behind.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for index, (raw, row, line) in enumerate(_READERS[chunk.kind](job, chunk, state)):
            account_id, (evaluation, error) = evaluate(row, number + index)
            ids.append(account_id)
            starts.append(line)
            if evaluation is None:
                errors.append(RowError(index, error, raw, line))
                continue
            if serialize is not None:
                try:
                    texts.append(serialize(evaluation))
                except (TypeError, ValueError) as exc:
                    errors.append(RowError(index, None, raw, line, str(exc)))
                    continue
            else:
                evaluations.append(evaluation)
            if sink is not None:
                sink.add(evaluation)
    except _Broken as exc:
        result.broken = exc.kind
    finally:
        if collecting:
            gc.enable()
    result.rows = len(ids)
    result.lines = state.lines
    if chunk.kind != "rows" and starts != list(range(len(starts))):
        result.starts = starts
    if texts:
        texts.append("")
        data = "\n".join(texts).encode("utf-8")
        if job.spool is not None and slot is not None:
            path = os.path.join(job.spool, str(slot))
            with open(path, "wb") as spool:
                spool.write(data)
            result.spooled = (path, len(data))
        else:
            result.data = data
    return result


# -- the main side ---------------------------------------------------------------------------


class Cutter(Protocol):
    """Where chunks come from: an iterable of chunks that can be told its guesses were off,
    and, for CSV, to cut again exactly from a chunk on."""

    def __iter__(self) -> Iterator[Chunk]: ...

    def correct(self, rows: int, lines: int) -> None:
        """The chunk just settled had ``rows`` more rows and ``lines`` more lines than
        guessed: shift the numbers of the chunks still to cut."""

    def recut(self, chunk: Chunk, row: int, line: int) -> None:
        """Cut again from ``chunk`` on, exactly, its first row being ``row`` at ``line``."""


class WorkerPool:
    """Forked worker processes evaluating the chunks of one job.

    The job is left in a module global for the fork to copy, so the compiled policy, the
    previous evaluations and the plugins come along without pickling. Use it as a context
    manager: leaving the block by an exception (Ctrl-C included) terminates the workers.
    """

    def __init__(self, job: Job, workers: int, *, spool: bool = False) -> None:
        global _JOB
        if not fork_available():
            raise KamcoreError("parallel evaluation needs the fork start method")
        self._spool = tempfile.mkdtemp(prefix="kam-spool-") if spool else None
        job.spool = self._spool
        _JOB = job
        # a forked worker flushes the stdio buffers it inherited when it exits: empty them
        sys.stdout.flush()
        sys.stderr.flush()
        self.workers = workers
        self._pool = multiprocessing.get_context("fork").Pool(workers, initializer=_init_worker)

    def ordered(
        self,
        chunks: Iterable[Chunk],
        *,
        ahead: int | None = None,
        on_cut: Callable[[Chunk], None] | None = None,
    ) -> Iterator[tuple[Chunk, ChunkResult]]:
        """Each chunk with its result, in the order of ``chunks``, keeping ``ahead`` chunks
        (default: twice the workers) in flight.

        A ``"cut"`` result is not yielded: the chunks after it started where it wrongly
        ended, so they are dropped, ``on_cut(chunk)`` is called (to cut again from that
        chunk, exactly) and ``chunks`` is iterated anew.
        """
        ahead = ahead or 2 * self.workers
        source = iter(chunks)
        pending: deque[tuple[Chunk, Any]] = deque()
        # spool files: one per chunk in flight, and one for the chunk being written out
        slots = itertools.cycle(range(ahead + 1))

        def fill() -> None:
            while len(pending) < ahead:
                chunk = next(source, None)
                if chunk is None:
                    return
                task = (chunk, None, next(slots))
                pending.append((chunk, self._pool.apply_async(evaluate_chunk, task)))

        fill()
        while pending:
            chunk, handle = pending.popleft()
            result: ChunkResult = handle.get()
            if result.broken == "cut" and on_cut is not None:
                for _, dropped in pending:  # done writing to their spool files
                    dropped.wait()
                pending.clear()
                on_cut(chunk)
                source = iter(chunks)
                fill()
                continue
            fill()
            yield chunk, result

    def close(self) -> None:
        """Let the workers finish and exit."""
        self._pool.close()
        self._pool.join()
        self._cleanup()

    def terminate(self) -> None:
        """Stop the workers now."""
        self._pool.terminate()
        self._pool.join()
        self._cleanup()

    def _cleanup(self) -> None:
        global _JOB
        _JOB = None
        if self._spool is not None:
            shutil.rmtree(self._spool, ignore_errors=True)

    def __enter__(self) -> WorkerPool:
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
            self.terminate()


@dataclass
class Settled:
    """A chunk's outcomes, in final form.

    :param data: the written evaluations' JSON Lines (duplicates removed), unless they are
        in a spool file (``spooled``): :meth:`write_to` writes them either way.
    :param evaluations: the evaluations, without :attr:`Job.serialize`.
    :param drop: positions among the chunk's evaluations refused after all (duplicate ids),
        for the summary share (:attr:`sink`).
    :param rejects: ``(row index in chunk, error record, file line)`` in row order.
    """

    start: int
    rows: int
    data: bytes
    evaluations: list[dict[str, Any]]
    sink: Any
    drop: set[int]
    rejects: list[tuple[int, dict[str, Any], int | None]]
    spooled: tuple[str, int] | None = None

    def write_to(self, out: IO[bytes]) -> None:
        """Append the JSON Lines to ``out`` (unbuffered, so the kernel's copy from a spool
        file lands where ``out`` stands)."""
        if self.spooled is None:
            _write_all(out, self.data)
            return
        path, size = self.spooled
        with open(path, "rb") as spool:
            done = 0
            if hasattr(os, "copy_file_range"):
                try:
                    while done < size:
                        copied = os.copy_file_range(spool.fileno(), out.fileno(), size - done, done)
                        if not copied:
                            break
                        done += copied
                except OSError:  # another file system, an old kernel: copy it here
                    pass
            while done < size:
                data = os.pread(spool.fileno(), min(size - done, 1 << 24), done)
                if not data:
                    raise KamcoreError(f"{path}: the spool file is shorter than written")
                _write_all(out, data)
                done += len(data)

    def outcomes(self) -> Iterator[Outcome]:
        """Every row's outcome in row order (the evaluations form only)."""
        evaluations = iter(self.evaluations)
        rejects = iter(self.rejects)
        pending = next(rejects, None)
        for index in range(self.rows):
            if pending is not None and pending[0] == index:
                yield None, pending[1]
                pending = next(rejects, None)
            else:
                yield next(evaluations), None


class Sequencer:
    """Settles chunk results in input order: true row numbers, duplicate ids, rejects.

    :param seen: the ids met so far (a :class:`~kamcore.runtime.seen.SeenIds` for flat
        memory, or a dict).
    :param first_line: the file line of the first row (2 after a one-line CSV header).
    :param cutter: told when a chunk held other counts than it guessed.
    :ivar row: the true number of the next chunk's first row; :ivar line: its file line.
    """

    def __init__(
        self,
        job: Job,
        seen: SeenIds | FirstRows,
        *,
        first_row: int = 1,
        first_line: int = 1,
        cutter: Cutter | None = None,
    ) -> None:
        self.job = job
        self.seen = seen
        self.row = first_row
        self.line = first_line
        self.cutter = cutter

    def settle(self, chunk: Chunk, result: ChunkResult) -> Settled:
        """The chunk's final outcomes.

        :raises KamcoreError: an evaluation that cannot be written as JSON (its message).
        :raises BrokenInput: the input is broken in this chunk (after its settled rows).
        """
        start, line0 = self.row, self.line
        self.row += result.rows
        self.line += result.lines
        extra_rows, extra_lines = result.rows - chunk.expect_rows, result.lines - chunk.expect_lines
        if self.cutter is not None and (extra_rows or extra_lines):
            self.cutter.correct(extra_rows, extra_lines)
        errors = result.errors
        if errors and (chunk.start_row != start or chunk.start_line != line0):
            errors = [self._again(chunk, error, start + error.index, line0) for error in errors]
        ids = result.ids
        repeats = _repeats(self.seen, ids, start)
        data, evaluations, spooled = result.data, result.evaluations, result.spooled
        drop: set[int] = set()
        rejects: dict[int, tuple[dict[str, Any] | None, str | None, int | None]] = {
            e.index: (e.record, e.message, e.line) for e in errors
        }
        if repeats:
            failed = sorted(rejects)
            for index, first in repeats:
                account_id = ids[index]
                assert account_id is not None
                number = start + index
                _, record = checked_outcome(
                    self.job.policy, {account_id: first}, account_id, (None, None), number
                )
                assert record is not None
                if index in rejects:
                    line = rejects[index][2]
                else:  # written so far: drop it
                    drop.add(index - bisect.bisect_left(failed, index))
                    line = index if result.starts is None else result.starts[index]
                    line = None if chunk.kind == "rows" else line
                rejects[index] = (record, None, line)
            if drop:
                if spooled is not None:  # rare: read it back to take rows out
                    with open(spooled[0], "rb") as spool:
                        data, spooled = spool.read(), None
                data, evaluations = _without(data, evaluations, drop)
        settled: list[tuple[int, dict[str, Any], int | None]] = []
        for index in sorted(rejects):
            record, message, line = rejects[index]
            if record is None:
                raise KamcoreError(message or "an evaluation could not be written")
            settled.append((index, record, None if line is None else line0 + line))
        if result.broken is not None:
            raise BrokenInput(result.broken)
        return Settled(start, result.rows, data, evaluations, result.sink, drop, settled, spooled)

    def _again(self, chunk: Chunk, error: RowError, number: int, line0: int) -> RowError:
        """``error`` under its true row number: evaluated again from its raw row."""
        if error.record is None:  # not written for its content: the number is not in it
            return error
        job = self.job
        raw: Any = error.raw
        if chunk.kind == "jsonl":
            row = json.loads(raw)
        elif chunk.kind == "csv":
            assert error.line is not None
            row = csv_row(job.columns, raw, number, line0 + error.line)
        else:
            row = raw
        _, (_, record) = job.evaluate(row, number)
        if record is None:
            raise AssertionError(f"row {number} was refused under another row number only")
        return RowError(error.index, record, raw, error.line)


def _write_all(out: IO[bytes], data: bytes) -> None:
    """``out.write`` until all of ``data`` is written (an unbuffered write may take less)."""
    view = memoryview(data)
    while view:
        view = view[out.write(view) :]


def _repeats(
    seen: SeenIds | FirstRows, ids: Sequence[str | None], start: int
) -> list[tuple[int, int]]:
    if isinstance(seen, SeenIds):
        return seen.repeats(ids, start)
    found = []
    for index, account_id in enumerate(ids):
        if account_id is not None:
            first = seen.setdefault(account_id, start + index)
            if first != start + index:
                found.append((index, first))
    return found


def _without(
    data: bytes, evaluations: list[dict[str, Any]], drop: set[int]
) -> tuple[bytes, list[dict[str, Any]]]:
    """The written evaluations but those at the positions in ``drop``."""
    if data:
        lines = data.split(b"\n")[:-1]
        data = b"".join(line + b"\n" for i, line in enumerate(lines) if i not in drop)
    if evaluations:
        evaluations = [e for i, e in enumerate(evaluations) if i not in drop]
    return data, evaluations


def evaluate_parallel(
    policy: CompiledPolicy,
    rows: Iterable[Mapping[str, Any]],
    *,
    as_of: date,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
    explain: str = "full",
    workers: int | None = None,
    chunk_rows: int = ROWS_PER_CHUNK,
) -> Iterator[Outcome]:
    """:func:`~kamcore.runtime.pipeline.evaluate_stream` in worker processes: the same
    outcomes in the same order, for a policy without portfolio rules.

    Rows are sent to the workers in chunks of ``chunk_rows`` (they must pickle) and the
    evaluations come back, so this pays for shipping both; ``kam evaluate`` ships byte ranges
    of its input and JSON text instead. With one worker, without ``fork``, or for a policy
    with portfolio rules (evaluated in passes over the whole input), it is evaluate_stream.
    """
    workers = workers or default_workers()
    if workers < 2 or policy.uses_portfolio or not fork_available():
        rows = list(rows) if policy.uses_portfolio else rows
        return evaluate_stream(
            policy, lambda: rows, as_of=as_of, previous=previous, explain=explain
        )
    return _evaluate_parallel(policy, rows, as_of, previous, explain, workers, chunk_rows)


def _evaluate_parallel(
    policy: CompiledPolicy,
    rows: Iterable[Mapping[str, Any]],
    as_of: date,
    previous: Mapping[str, Mapping[str, Any]] | None,
    explain: str,
    workers: int,
    chunk_rows: int,
) -> Iterator[Outcome]:
    job = Job(policy, as_of, previous, explain)

    def chunks() -> Iterator[Chunk]:
        batch: list[Mapping[str, Any]] = []
        start = 1
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk_rows:
                yield Chunk("rows", start, rows=batch, expect_rows=len(batch))
                start += len(batch)
                batch = []
        if batch:
            yield Chunk("rows", start, rows=batch, expect_rows=len(batch))

    with WorkerPool(job, workers) as pool:
        sequencer = Sequencer(job, {})
        for chunk, result in pool.ordered(chunks()):
            yield from sequencer.settle(chunk, result).outcomes()
