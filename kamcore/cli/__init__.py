"""The ``kam`` command line: validate, evaluate, explain and test policies from a terminal or CI.

Every command lives in its own module with two functions: ``add_parser(subparsers)`` declares
its arguments (standard library only, so building the parser stays cheap) and ``run(args)``
does the work, importing the engine, pydantic and friends only then. That keeps ``kam --version``
and ``kam --help`` fast: they never load the compiler. ``kam --version`` does not even build the
parser (nor import the command modules): it is answered before anything else.

Exit status, for every command: 0 all good; 1 findings or failures (policy problems, failing
test cases, rejected rows); 2 usage errors (bad arguments, a missing file); 130 interrupted
(Ctrl-C) and 143 terminated (SIGTERM), with no partial output file left behind.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from importlib import import_module

from .._version import __version__

#: ``typing.TYPE_CHECKING`` without importing :mod:`typing` (``kam --version`` needs none of it).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType

__all__ = ["build_parser", "main"]

#: Exit status after SIGTERM, the shell's convention (128 + signal number).
EXIT_TERMINATED = 128 + signal.SIGTERM

#: The command modules (under ``kamcore.cli``), in the order ``kam --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "validate",
    "evaluate",
    "explain",
    "test",
    "policy",
    "init",
    "plugins",
    "schema",
    "sample",
)
#: What ``kam --version`` prints (argparse's ``version`` action prints the same).
VERSION = f"kam (kamcore) {__version__}"


def commands() -> tuple[ModuleType, ...]:
    """The command modules, imported (standard library only at their top)."""
    return tuple(import_module(f"{__name__}.{name}") for name in COMMAND_MODULES)


_EPILOG = """\
examples:
  kam validate policies/examples/acme-industrial.toml
  kam evaluate policies/examples/acme-industrial.toml samples/acme-industrial.csv \\
      -o out/evaluations.jsonl
  kam explain policies/examples/acme-industrial.toml samples/acme-industrial.csv --account A00042
  kam test policies/

Run `kam COMMAND --help` for each command's options and an example.
exit status: 0 ok, 1 findings or failures, 2 usage error or missing file,
  130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
"""


class _Parser(argparse.ArgumentParser):
    """argparse exits with status 2 on a usage error, which is our convention too; this only
    makes the message follow the ``kam: error:`` style of the other errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from .common import EXIT_USAGE

        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``kam`` parser with every subcommand."""
    parser = _Parser(
        prog="kam",
        description="kamcore: key-account rules from TOML policies you can validate, test and "
        "explain.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=VERSION)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in commands():
        module.add_parser(subparsers)
    return parser


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so ``with`` blocks unwind (atomic writers remove
    their temporary files) exactly as they do for Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kam`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        # What argparse's version action does (print, exit 0), without building the parser.
        print(VERSION)
        sys.exit(0)
    from .common import EXIT_USAGE

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    previous = signal.getsignal(signal.SIGTERM)
    if previous is signal.SIG_DFL:  # an ignored SIGTERM stays ignored
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _run(args)
    finally:
        if previous is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    from ..errors import KamcoreError
    from .common import EXIT_FINDINGS, EXIT_INTERRUPTED, CliError, error

    try:
        status: int = args.run(args)
    except CliError as exc:
        error(str(exc))
        return exc.status
    except KamcoreError as exc:  # a located problem in a file: the message says where
        error(str(exc))
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        # The atomic writers have already removed their temporary files on the way up.
        print("kam: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _Terminated:
        print("kam: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except BrokenPipeError:
        # `kam ... | head`: the reader left; not an error worth a traceback. Point stdout at
        # /dev/null so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return status
