"""``kam schema [NAME]``: the JSON Schemas kamcore ships (policy, account, evaluation).

The policy schema is what editors use to complete and check policy files: a policy whose first
line is ``#:schema <path-or-url>`` is understood by Taplo and the Even Better TOML extension.
The account and evaluation schemas describe kamcore's input and output for other systems.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from .common import EXIT_OK, CliError, add_command, did_you_mean

__all__ = ["add_parser", "run"]

_EXAMPLE = """
kam schema
kam schema policy > policy.schema.json
"""


def add_parser(subparsers: Any) -> None:
    """Declare ``kam schema``."""
    parser = add_command(
        subparsers,
        "schema",
        "list or print the JSON Schemas (policy, account, evaluation)",
        "Without NAME, list the shipped schemas and where they are; with NAME, print it.",
        _EXAMPLE,
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help="policy, account or evaluation")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """List the schema names, or print one schema."""
    from ..resources import read_schema, schema_names, schemas_root

    names = schema_names()
    if args.name is None:
        root = schemas_root()
        for name in names:
            title = read_schema(name).get("title", "")
            print(f"{name:<12} {title}".rstrip())
            print(f"{'':<12} {root.joinpath(f'{name}.schema.json')}")
        return EXIT_OK
    if args.name not in names:
        raise CliError(
            f"no schema {args.name!r}; known: {', '.join(names)}{did_you_mean(args.name, names)}"
        )
    print(json.dumps(read_schema(args.name), indent=2, ensure_ascii=False))
    return EXIT_OK
