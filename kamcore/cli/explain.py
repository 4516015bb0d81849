"""``kam explain POLICY INPUT --account ID``: why one account got its verdict, in plain words.

The whole portfolio is evaluated (a percentile, a cap or an ABC class of one account depends
on the others), then the one account is explained from its fired-rule records: the table row
and the values that decided the tier, caps and hysteresis, the score breakdown by measure, the
stage transition, alerts, risk and tactics.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from . import source as input_source
from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    CliError,
    add_command,
    as_of_date,
    did_you_mean,
    existing_file,
    load_engine,
    print_json,
    text_encoding,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from ..engine import Engine

__all__ = ["add_parser", "run"]

_EXAMPLE = """
kam explain policies/examples/acme-industrial.toml samples/acme-industrial.csv \\
    --account A00042 --as-of 2026-06-30
kam explain policy.toml export.csv --account C-1001 --format json
"""


def add_parser(subparsers: Any) -> None:
    """Declare ``kam explain``."""
    parser = add_command(
        subparsers,
        "explain",
        "explain one account's verdict",
        "Evaluate INPUT with POLICY and explain one account: tier and the rule and values that "
        "decided it, the score breakdown by measure, stage and transition, alerts, risk and "
        "tactics.",
        _EXAMPLE,
    )
    parser.add_argument("policy", metavar="POLICY", help="policy file (.toml)")
    parser.add_argument("input", metavar="INPUT", help="accounts: .csv, .jsonl, .json, .parquet")
    parser.add_argument("--account", required=True, metavar="ID", help="the account id")
    parser.add_argument(
        "--as-of", type=as_of_date, metavar="DATE", help="evaluation date (default: today)"
    )
    parser.add_argument("--previous", metavar="EVALUATIONS", help="earlier evaluations (.jsonl)")
    parser.add_argument(
        "--encoding",
        type=text_encoding,
        metavar="ENC",
        help="CSV text encoding (default: detected)",
    )
    parser.add_argument(
        "--format-in", choices=("csv", "jsonl", "json", "parquet"), help="input format"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    input_source.add_arguments(parser)
    parser.set_defaults(run=run)


def _facts(engine: Engine, source: Callable[[], Iterable[Any]], account_id: str) -> dict[str, Any]:
    """The typed input values of the account's row (the first row with that id)."""
    from ..errors import KamcoreError

    reader = engine.policy.reader
    for number, row in enumerate(source(), start=1):
        try:
            found, values = reader.read(row, number, None)
        except KamcoreError:
            continue
        if found == account_id:
            return values
    return {}


def run(args: argparse.Namespace) -> int:
    """Evaluate the portfolio, find the account, print its explanation.

    An id that appears twice is evaluated at its first row and rejected at the others (the
    engine's rule); the explanation is of that evaluation, with a note on the rejected rows,
    whichever order the engine reports them in.
    """
    from ..errors import KamcoreError
    from .explain_text import render
    from .explanation import build_explanation
    from .previous import read_previous

    input_path = existing_file(args.input, "input")
    as_of: date = args.as_of or date.today()
    previous = read_previous(args.previous) if args.previous else None
    engine = load_engine(args.policy)
    if previous is not None:
        previous.check(as_of, engine.id)
    source = input_source.open_source(args, engine, input_path)
    wanted = str(args.account)
    evaluation: dict[str, Any] | None = None
    rejected: list[dict[str, Any]] = []
    ids: list[str] = []
    try:
        stream = engine.evaluate_stream(
            source,
            as_of=as_of,
            previous=previous.records if previous is not None else None,
            explain="full",
        )
        for outcome, record in stream:
            account_id = str((outcome or record or {}).get("account_id"))
            if account_id != wanted:
                if len(ids) < 1_000_000:  # enough to suggest from, bounded for huge books
                    ids.append(account_id)
            elif outcome is not None and evaluation is None:
                evaluation = outcome
            elif record is not None:
                rejected.append(record)
        facts = _facts(engine, source, wanted) if evaluation is not None else {}
    except KamcoreError as exc:
        raise CliError(str(exc), EXIT_FINDINGS) from None
    if evaluation is None and rejected:
        first = rejected[0]
        raise CliError(
            f"account {wanted} (row {first.get('row')}) was rejected: "
            f"{first.get('where')}: {first.get('reason')}",
            EXIT_FINDINGS,
        )
    if evaluation is None:
        raise CliError(f"no account {wanted!r} in {args.input}{did_you_mean(wanted, ids)}")
    for record in rejected:
        print(
            f"kam: note: account {wanted} appears again at row {record.get('row')}, which was "
            f"rejected ({record.get('where')}: {record.get('reason')}); explaining the "
            "evaluated row",
            file=sys.stderr,
        )
    explanation = build_explanation(engine, evaluation, facts)
    if args.format == "json":
        print_json(explanation)
    else:
        print(render(explanation))
    return EXIT_OK
