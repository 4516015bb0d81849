"""``kam evaluate POLICY INPUT``: the main job, from a CRM export to evaluations and a summary.

Rows stream from the input through the engine into the output, so memory stays flat however
large the file (a policy with portfolio rules reads the input again instead of holding it).
Both output files are written atomically: after a crash or Ctrl-C there is either the old file
or the complete new one, never half of one. Every row the engine rejects goes to the rejects
file with its row number, file line, account id and reason, and the summary counts it; nothing
is dropped silently, and a run with rejected rows exits with status 1.

Everything that can be checked before the first row is read is checked first, as a usage error
(exit 2): output suffixes, encodings, a ``--previous`` file that is not an earlier run. A run
that would go wrong quietly (a mapped column missing from the header) stops with exit 1.

With ``--workers`` above 1 (the default: one per CPU) a JSON Lines or CSV input bigger than one
chunk, written to JSON Lines, for a policy without portfolio rules, is evaluated by forked
workers (:mod:`kamcore.runtime.parallel`): the input is cut into byte ranges
(:func:`.source.cutter`), each worker parses, evaluates and serializes its ranges, and this
process checks the ids, writes the bytes and merges the summary in input order. The files and
the summary are byte for byte those of ``--workers 1``. Anything else (other formats, portfolio
rules, no ``fork``) runs in this process. Either way the duplicate-id check keeps its ids in
:class:`~kamcore.runtime.seen.SeenIds`, so memory does not grow with the input.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from . import source as input_source
from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    CliError,
    add_command,
    as_of_date,
    existing_file,
    load_engine,
    text_encoding,
)

if TYPE_CHECKING:
    from ..engine import Engine
    from ..io import EvaluationWriter, RejectsWriter, RowSource
    from ..runtime.parallel import Chunk
    from .previous import Previous
    from .progress import Progress
    from .source import CsvCutter, JsonLinesCutter
    from .summary import PortfolioSummary

__all__ = ["add_parser", "default_output", "run"]

_EXAMPLE = """
kam evaluate policies/examples/acme-industrial.toml samples/acme-industrial.csv \\
    -o out/evaluations.jsonl --as-of 2026-06-30
kam evaluate policy.toml export.csv --encoding gb18030 -o out/q3.parquet \\
    --previous out/q2.evaluations.jsonl
kam evaluate policy.toml export.csv -o out/q3.csv --encoding-out utf-8-sig   # for Excel
kam evaluate policy.toml accounts.jsonl -o out/all.jsonl --workers 2 --explain summary
"""

_SUFFIX = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}
#: Rows per chunk of a parallel run (cut as the bytes that hold about as many lines): few
#: enough for flat memory with a few chunks in flight (a few MB of evaluations each), enough
#: that handing one out costs nothing next to evaluating it. Tests lower it for many chunks.
CHUNK_ROWS = 2000


def _workers(text: str) -> int:
    """argparse type for ``--workers``: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def add_parser(subparsers: Any) -> None:
    """Declare ``kam evaluate``."""
    parser = add_command(
        subparsers,
        "evaluate",
        "evaluate a portfolio file with a policy",
        "Evaluate every account of INPUT (CSV in UTF-8, UTF-8 with BOM or GB18030/GBK; JSON "
        "Lines; JSON; Parquet) with POLICY, write the evaluations (JSON Lines, CSV or Parquet) "
        "and the rejected rows, and print a portfolio summary. Exit status 1 if any row was "
        "rejected.",
        _EXAMPLE,
    )
    parser.add_argument("policy", metavar="POLICY", help="policy file (.toml)")
    parser.add_argument("input", metavar="INPUT", help="accounts: .csv, .jsonl, .json, .parquet")
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUTPUT",
        help="evaluations file; the format follows the suffix "
        "(default: INPUT's name with .evaluations.jsonl, next to it)",
    )
    parser.add_argument(
        "--format-out", choices=("jsonl", "csv", "parquet"), help="output format (default: suffix)"
    )
    parser.add_argument(
        "--format-in", choices=("csv", "jsonl", "json", "parquet"), help="input format"
    )
    parser.add_argument(
        "--encoding",
        type=text_encoding,
        metavar="ENC",
        help="CSV text encoding (default: detected: BOM, UTF-8, else GB18030)",
    )
    parser.add_argument(
        "--encoding-out",
        type=text_encoding,
        metavar="ENC",
        help="text encoding of a CSV output and CSV rejects file (default utf-8; utf-8-sig "
        "or gb18030 for Excel)",
    )
    parser.add_argument(
        "--as-of", type=as_of_date, metavar="DATE", help="evaluation date (default: today)"
    )
    parser.add_argument(
        "--previous",
        metavar="EVALUATIONS",
        help="an earlier run's JSON Lines output, for tier hysteresis and stage history",
    )
    input_source.add_arguments(parser)
    parser.add_argument(
        "--explain",
        choices=("none", "summary", "full"),
        default="full",
        help="how much of the why to record: full (default) the rules that fired with the "
        "values they read and the input digest; summary the rules only; none the verdicts "
        "only (fastest)",
    )
    parser.add_argument(
        "--rejects",
        metavar="FILE",
        help="rejected rows (.csv or .jsonl; default: OUTPUT with .rejects.csv); always written",
    )
    parser.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="processes evaluating a JSON Lines or CSV input into JSON Lines (default: one per "
        "CPU); 1 evaluates in this process. The output is the same either way",
    )
    parser.set_defaults(run=run)


def default_output(input_path: Path, output_format: str | None) -> Path:
    """``<input stem>.evaluations.<suffix>`` next to the input."""
    suffix = _SUFFIX[output_format or "jsonl"]
    return input_path.with_name(f"{input_path.stem}.evaluations{suffix}")


def _rejects_path(output: Path) -> Path:
    return output.with_suffix(".rejects.csv")


def _passes(engine: Engine) -> int:
    policy = engine.policy
    if not policy.uses_portfolio:
        return 1
    return 3 if policy.tier is not None and policy.tier.caps else 2


def _formats(args: argparse.Namespace, output: Path, rejects: Path) -> tuple[str, str]:
    """The output and rejects formats, checked before anything is read: a wrong suffix is a
    usage error (exit 2), not something to find out after evaluating a million rows."""
    from ..errors import KamcoreError
    from ..io.formats import OUTPUT_FORMATS, REJECTS_FORMATS, format_of

    try:
        return (
            format_of(output, args.format_out, OUTPUT_FORMATS, "output"),
            format_of(rejects, None, REJECTS_FORMATS, "rejects"),
        )
    except KamcoreError as exc:
        raise CliError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    """Evaluate INPUT with POLICY into OUTPUT and the rejects file; print the summary."""
    from ..errors import KamcoreError
    from ..io import open_evaluation_writer, open_rejects_writer
    from .previous import read_previous
    from .progress import Progress
    from .summary import PortfolioSummary

    input_path = existing_file(args.input, "input")
    output = Path(args.output) if args.output else default_output(input_path, args.format_out)
    rejects = Path(args.rejects) if args.rejects else _rejects_path(output)
    for path, what in ((output, "output"), (rejects, "rejects file")):
        if path.resolve() == input_path.resolve():
            raise CliError(f"the {what} would overwrite the input {args.input}")
    if output.resolve() == rejects.resolve():
        raise CliError("the output and the rejects file are the same file")
    output_format, rejects_format = _formats(args, output, rejects)
    if args.encoding_out and "csv" not in (output_format, rejects_format):
        raise CliError(
            "--encoding-out applies to CSV files, and neither the output nor the rejects file "
            "is CSV (JSON Lines and Parquet are always UTF-8)"
        )
    as_of: date = args.as_of or date.today()
    previous = read_previous(args.previous) if args.previous else None
    engine = load_engine(args.policy)
    if previous is not None:
        previous.check(as_of, engine.id)
    source = input_source.open_source(args, engine, input_path, announce=True)
    for path in (output, rejects):
        path.parent.mkdir(parents=True, exist_ok=True)
    progress = Progress(passes=_passes(engine))
    progress.total = source.total_rows  # JSON and Parquet know it up front
    summary = PortfolioSummary.for_policy(engine.policy)
    if previous is not None:
        summary.expect_previous(previous.records, len(previous.records))
    out_encoding = args.encoding_out if output_format == "csv" else None
    rejects_encoding = args.encoding_out if rejects_format == "csv" else None
    work = _Work(engine, source, summary, progress, as_of, previous, args.explain)
    cutter = _cutter(args, engine, source, output_format)
    try:
        if cutter is None:
            _evaluate_here(
                work,
                lambda: open_evaluation_writer(output, format=output_format, encoding=out_encoding),
                lambda: open_rejects_writer(
                    rejects, format=rejects_format, encoding=rejects_encoding
                ),
            )
        else:
            _evaluate_in_workers(
                work,
                args.workers or _default_workers(),
                cutter,
                lambda: _jsonl_file(output),
                lambda: open_rejects_writer(
                    rejects, format=rejects_format, encoding=rejects_encoding
                ),
            )
    except KamcoreError as exc:
        raise CliError(str(exc), EXIT_FINDINGS) from None
    finally:
        progress.close()
    stamp = engine.policy.stamp()
    head = f"policy {stamp['id']} {stamp['version']} ({stamp['hash'][:19]}...)"
    print(f"{head}, as of {as_of.isoformat()}")
    print(summary.render(str(rejects)))
    print(f"evaluations written to {output}")
    print(f"rejected rows written to {rejects}")
    return EXIT_FINDINGS if summary.rejected else EXIT_OK


@dataclass
class _Work:
    """One ``kam evaluate`` run, as both ways of evaluating it need it."""

    engine: Engine
    source: RowSource
    summary: PortfolioSummary
    progress: Progress
    as_of: date
    previous: Previous | None
    explain: str

    @property
    def previous_records(self) -> dict[str, dict[str, Any]] | None:
        return self.previous.records if self.previous is not None else None


def _default_workers() -> int:
    from ..runtime.parallel import default_workers

    return default_workers()


def _cutter(
    args: argparse.Namespace, engine: Engine, source: RowSource, output_format: str
) -> JsonLinesCutter | CsvCutter | None:
    """How to cut the input for workers, or ``None`` to evaluate in this process: one worker
    asked for, portfolio rules (evaluated in passes over the whole input), an output other
    than JSON Lines, an input that cannot be cut or fits in one chunk, no ``fork``."""
    from ..runtime.parallel import fork_available

    workers = args.workers or _default_workers()
    if workers < 2 or engine.policy.uses_portfolio or output_format != "jsonl":
        return None
    if not fork_available():
        return None
    return input_source.cutter(source, CHUNK_ROWS)


def _evaluate_here(
    work: _Work,
    open_writer: Callable[[], EvaluationWriter],
    open_rejects: Callable[[], RejectsWriter],
) -> None:
    """Evaluate in this process: rows stream through the engine into the writers."""
    from ..runtime.pipeline import evaluate_stream
    from ..runtime.seen import SeenIds

    summary, source = work.summary, work.source
    with SeenIds() as seen, open_writer() as writer, open_rejects() as rejected:
        stream = evaluate_stream(
            work.engine.policy,
            work.progress.wrap(source),
            as_of=work.as_of,
            previous=work.previous_records,
            explain=work.explain,
            seen=seen,
        )
        for evaluation, record in stream:
            if evaluation is not None:
                writer.write(evaluation)
                summary.add(evaluation)
                continue
            assert record is not None
            row = record.get("row")
            rejected.write(record, line=source.line_of(row) if row is not None else None)
            summary.reject(record)


def _evaluate_in_workers(
    work: _Work,
    workers: int,
    cutter: JsonLinesCutter | CsvCutter,
    open_writer: Callable[[], contextlib.AbstractContextManager[IO[bytes]]],
    open_rejects: Callable[[], RejectsWriter],
) -> None:
    """Evaluate in forked workers, chunk by chunk; write and count in input order here.

    A broken input (invalid JSON, a CSV line with too many cells, undecodable bytes) is read
    again in this process, so the run stops with the very error a one-process run gives.
    """
    from ..models import evaluation_json
    from ..runtime.parallel import BrokenInput, Job, Sequencer, WorkerPool
    from ..runtime.seen import SeenIds

    source, summary, progress = work.source, work.summary, work.progress
    job = Job(
        work.engine.policy,
        work.as_of,
        work.previous_records,
        work.explain,
        serialize=evaluation_json,
        sink=summary.part,
        path=str(source.path),
        encoding=source.encoding or "utf-8",
        columns=source.columns or (),
        delimiter=source.delimiter or ",",
    )
    try:
        with (
            WorkerPool(job, workers, spool=True) as pool,  # first: fork before files open
            SeenIds() as seen,
            open_writer() as out,
            open_rejects() as rejected,
        ):
            sequencer = Sequencer(job, seen, first_line=cutter.first_line, cutter=cutter)

            def cut_again(chunk: Chunk) -> None:
                cutter.recut(chunk, sequencer.row, sequencer.line)

            progress.current = 1
            for chunk, result in pool.ordered(cutter, on_cut=cut_again):
                settled = sequencer.settle(chunk, result)
                settled.write_to(out)
                summary.merge(settled.sink, settled.drop)
                for _, record, line in settled.rejects:
                    rejected.write(record, line=line)
                    summary.reject(record)
                progress.rows += settled.rows
                progress.draw()
    except BrokenInput:
        raise _read_error(source) from None


def _read_error(source: RowSource) -> Exception:
    """The error a one-process read of the input stops with."""
    from ..errors import KamcoreError

    try:
        for _ in source():
            pass
    except KamcoreError as exc:
        return exc
    return KamcoreError(f"{source.path}: the input changed while it was being read")


@contextlib.contextmanager
def _jsonl_file(path: Path) -> Iterator[IO[bytes]]:
    """An atomic JSON Lines output taking bytes (workers hand over UTF-8 text): what the
    JSON Lines evaluation writer does, without the text passing through it once more."""
    from ..io import AtomicFile

    target = AtomicFile(path)
    try:
        with open(target.tmp, "wb", buffering=0) as out:  # spooled chunks: see Settled
            yield out
    except BaseException:
        target.abort()
        raise
    target.commit()
