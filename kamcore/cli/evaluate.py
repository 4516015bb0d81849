"""``kam evaluate POLICY INPUT``: the main job, from a CRM export to evaluations and a summary.

Rows stream from the input through the engine into the output, so memory stays flat however
large the file (a policy with portfolio rules reads the input again instead of holding it).
Both output files are written atomically: after a crash or Ctrl-C there is either the old file
or the complete new one, never half of one. Every row the engine rejects goes to the rejects
file with its row number, file line, account id and reason, and the summary counts it; nothing
is dropped silently, and a run with rejected rows exits with status 1.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    CliError,
    add_command,
    as_of_date,
    existing_file,
    load_engine,
)

if TYPE_CHECKING:
    from ..engine import Engine

__all__ = ["add_parser", "default_output", "read_previous", "run"]

_EXAMPLE = """
kam evaluate policies/examples/acme-industrial.toml samples/acme-industrial.csv \\
    -o out/evaluations.jsonl --as-of 2026-06-30
kam evaluate policy.toml export.csv --encoding gb18030 -o out/q3.parquet \\
    --previous out/q2.evaluations.jsonl
"""

_SUFFIX = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}


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
        metavar="ENC",
        help="CSV text encoding (default: detected: BOM, UTF-8, else GB18030)",
    )
    parser.add_argument(
        "--as-of", type=as_of_date, metavar="DATE", help="evaluation date (default: today)"
    )
    parser.add_argument(
        "--previous",
        metavar="EVALUATIONS",
        help="earlier evaluations (.jsonl) for tier hysteresis and stage history",
    )
    parser.add_argument(
        "--explain",
        choices=("none", "full"),
        default="full",
        help="record the rules that fired with their inputs (default full; none is faster)",
    )
    parser.add_argument(
        "--rejects",
        metavar="FILE",
        help="rejected rows (.csv or .jsonl; default: OUTPUT with .rejects.csv); always written",
    )
    parser.set_defaults(run=run)


def default_output(input_path: Path, output_format: str | None) -> Path:
    """``<input stem>.evaluations.<suffix>`` next to the input."""
    suffix = _SUFFIX[output_format or "jsonl"]
    return input_path.with_name(f"{input_path.stem}.evaluations{suffix}")


def _rejects_path(output: Path) -> Path:
    return output.with_suffix(".rejects.csv")


def read_previous(path: str) -> dict[str, dict[str, Any]]:
    """Earlier evaluations by account id, from a JSON Lines file ``kam evaluate`` wrote.

    Only what the engine carries forward is kept (tier, stage, state and the identity); the
    fired-rule records are dropped so a large book's history does not fill memory.
    """
    existing_file(path, "previous evaluations")
    previous: dict[str, dict[str, Any]] = {}
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CliError(
                    f"{path}:{number}:{exc.colno}: not a JSON line: {exc.msg}", EXIT_FINDINGS
                ) from None
            if not isinstance(record, dict) or "account_id" not in record:
                raise CliError(
                    f"{path}:{number}: expected an evaluation with an `account_id`", EXIT_FINDINGS
                )
            record.pop("fired", None)
            previous[str(record["account_id"])] = record
    return previous


def _passes(engine: Engine) -> int:
    policy = engine.policy
    if not policy.uses_portfolio:
        return 1
    return 3 if policy.tier is not None and policy.tier.caps else 2


def run(args: argparse.Namespace) -> int:
    """Evaluate INPUT with POLICY into OUTPUT and the rejects file; print the summary."""
    from ..errors import KamcoreError
    from ..io import open_evaluation_writer, open_rejects_writer, open_rows
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
    previous = read_previous(args.previous) if args.previous else None
    engine = load_engine(args.policy)
    try:
        source = open_rows(input_path, format=args.format_in, encoding=args.encoding)
    except KamcoreError as exc:
        raise CliError(str(exc), EXIT_FINDINGS) from None
    as_of: date = args.as_of or date.today()
    for path in (output, rejects):
        path.parent.mkdir(parents=True, exist_ok=True)
    progress = Progress(passes=_passes(engine))
    progress.total = getattr(source, "total_rows", None)  # JSON and Parquet know it up front
    summary = PortfolioSummary.for_policy(engine.policy)
    line_of = getattr(source, "line_of", None)
    try:
        stream = engine.evaluate_stream(
            progress.wrap(source), as_of=as_of, previous=previous, explain=args.explain
        )
        with (
            open_evaluation_writer(output, format=args.format_out) as writer,
            open_rejects_writer(rejects) as rejected,
        ):
            for evaluation, record in stream:
                if evaluation is not None:
                    writer.write(evaluation)
                    summary.add(evaluation)
                    continue
                assert record is not None
                row = record.get("row")
                line = line_of(row) if line_of is not None and row is not None else None
                rejected.write(record, line=line)
                summary.reject(record)
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
