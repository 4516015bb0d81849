"""What every ``kam`` command shares: exit codes, error output, aligned tables, argument types.

Only the standard library is imported here: the parser of every command is built from these
helpers on each run, including ``kam --version``, which must stay fast.
"""

from __future__ import annotations

import argparse
import codecs
import difflib
import io
import json
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..engine import Engine
    from ..errors import Problem

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CliError",
    "add_command",
    "as_of_date",
    "columns",
    "did_you_mean",
    "error",
    "existing_file",
    "is_package_spec",
    "load_engine",
    "print_json",
    "print_problems",
    "resolve_policy",
    "text_encoding",
]

_NUMBER = re.compile(r"^-?[\d,]*\.?\d+(e[+-]?\d+)?%?$")

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A failure to report as ``kam: error: ...`` (no traceback) with an exit status.

    :param status: :data:`EXIT_USAGE` for what the user typed, :data:`EXIT_FINDINGS` for what
        the files contain.
    """

    def __init__(self, message: str, status: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.status = status


def error(message: str) -> None:
    """Print ``kam: error: message`` to stderr."""
    print(f"kam: error: {message}", file=sys.stderr)


def add_command(
    subparsers: Any, name: str, summary: str, description: str, example: str
) -> argparse.ArgumentParser:
    """A subcommand parser whose ``--help`` ends with a usage example (kept verbatim)."""
    return subparsers.add_parser(  # type: ignore[no-any-return]
        name,
        help=summary,
        description=description,
        epilog="example:\n" + "\n".join(f"  {line}" for line in example.strip().splitlines()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def as_of_date(text: str) -> date:
    """argparse type for ``--as-of``: an ISO date, refused with a usage error otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def text_encoding(name: str) -> str:
    """argparse type for ``--encoding`` and ``--encoding-out``: a text codec Python knows,
    normalised (``GBK`` -> ``gbk``); anything else is a usage error before any file is read."""
    try:
        codec = codecs.lookup(name).name
        io.TextIOWrapper(io.BytesIO(), encoding=codec)  # refuses bytes-to-bytes codecs (base64)
    except LookupError:
        raise argparse.ArgumentTypeError(
            f"unknown encoding {name!r}; use a Python codec name such as utf-8, utf-8-sig, "
            "gb18030, gbk, big5, shift_jis, latin-1"
        ) from None
    return codec


def existing_file(path: str, what: str = "file") -> Path:
    """``path`` as a :class:`Path` if it is a readable file, else a usage error."""
    p = Path(path)
    if not p.exists():
        raise CliError(f"{what} not found: {path}")
    if p.is_dir():
        raise CliError(f"{what} is a directory, not a file: {path}")
    return p


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``; did you mean `X`?`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(f"`{c}`" for c in close) + "?"


def columns(rows: Sequence[Sequence[Any]], *, indent: str = "  ", gap: str = "  ") -> list[str]:
    """Rows of cells as aligned text lines: numbers right-aligned, everything else left."""
    text = [["" if cell is None else str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in text if i < len(row)) for i in range(max(map(len, text)))]
    lines = []
    for raw, row in zip(rows, text, strict=True):
        cells = []
        for i, cell in enumerate(row):
            numeric = (isinstance(raw[i], int | float) and not isinstance(raw[i], bool)) or bool(
                _NUMBER.match(cell)
            )
            cells.append(cell.rjust(widths[i]) if numeric else cell.ljust(widths[i]))
        lines.append((indent + gap.join(cells)).rstrip())
    return lines


def print_problems(problems: Iterable[Problem], stream: IO[str] | None = None) -> int:
    """Every problem compiler style (``file:line:col: [key] message`` and detail lines)."""
    out = sys.stdout if stream is None else stream
    count = 0
    for problem in problems:
        print(problem.format(), file=out)
        count += 1
    return count


def print_json(value: Any) -> None:
    """``value`` as indented JSON on stdout (non-ASCII kept: Chinese labels stay readable)."""
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def load_engine(path: str) -> Engine:
    """Build the engine for ``path`` (a file, or ``kamcore:examples/...``), or report why not
    (every problem, on stderr) and exit 1.

    Commands other than ``kam validate`` only need to know that the policy is broken; the
    problems are still printed in full, so the author does not need a second command.
    """
    from ..engine import Engine
    from ..errors import KamcoreError, PolicyError

    path = resolve_policy(path)
    existing_file(path, "policy")
    try:
        return Engine.from_policy(path)
    except PolicyError as exc:
        print_problems(exc.problems, sys.stderr)
        n = len(exc.problems)
        raise CliError(
            f"{path}: {n} problem{'s' if n != 1 else ''}; nothing evaluated",
            EXIT_FINDINGS,
        ) from None
    except KamcoreError as exc:
        raise CliError(f"{path}: {exc}", EXIT_FINDINGS) from None


_PACKAGE_SPEC = re.compile(r"^(?P<pkg>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<rel>[^\\/].*)$")


def is_package_spec(spec: str) -> bool:
    """Whether ``spec`` names a policy inside a package (``kamcore:base/generic.toml``)."""
    match = _PACKAGE_SPEC.match(spec)
    return match is not None and len(match["pkg"]) > 1  # `C:...` is a Windows drive


def resolve_policy(spec: str, folder: str | Path = ".") -> str:
    """The file a policy reference names: ``kamcore:base/generic.toml`` (a policy shipped in a
    package, as ``extends`` writes it) or a path, relative to ``folder``."""
    match = _PACKAGE_SPEC.match(spec)
    if match is None or not is_package_spec(spec):
        return str(Path(folder) / spec)
    from importlib import resources

    from ..resources import policies_root

    package = match["pkg"]
    try:
        target = policies_root() if package == "kamcore" else resources.files(package)
    except (ImportError, TypeError, ValueError):
        return spec  # loading it reports the file as not found
    for part in match["rel"].split("/"):
        target = target.joinpath(part)
    return str(target)
