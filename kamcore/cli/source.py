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
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .common import EXIT_FINDINGS, CliError, did_you_mean

if TYPE_CHECKING:
    from ..engine import Engine
    from ..io import RowSource

__all__ = [
    "Column",
    "add_arguments",
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
