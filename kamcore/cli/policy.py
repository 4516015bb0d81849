"""``kam policy show POLICY [--effective]``: the policy as the engine sees it, after ``extends``.

Layering is what makes policies reusable and what makes them hard to read: a value may come
from the client file, an industry base or kamcore's generic base. ``show`` prints the merged
result as TOML; ``--effective`` prints every value with the ``file:line:col`` that set it.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from .common import EXIT_FINDINGS, EXIT_OK, CliError, add_command, print_problems

__all__ = ["add_parser", "run", "to_toml"]

_EXAMPLE = """
kam policy show policies/examples/acme-industrial.toml
kam policy show policies/examples/acme-industrial.toml --effective
"""


def add_parser(subparsers: Any) -> None:
    """Declare ``kam policy`` and its ``show`` subcommand."""
    parser = add_command(
        subparsers,
        "policy",
        "inspect a policy: the merged result of its layers",
        "Inspect policies. `kam policy show POLICY` prints the merged policy.",
        _EXAMPLE,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = add_command(
        actions,
        "show",
        "print the merged policy (with --effective: where each value was set)",
        "Print the policy after merging its `extends` layers, as TOML. With --effective, one "
        "line per value with the file:line:col of the layer that set it.",
        _EXAMPLE,
    )
    show.add_argument("policy", metavar="POLICY", help="policy file (.toml) or kamcore:...")
    show.add_argument(
        "--effective", action="store_true", help="every value with the layer file:line that set it"
    )
    show.set_defaults(run=run)


def _key(key: str) -> str:
    from ..policy.paths import format_key

    return format_key(key)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def to_toml(data: Mapping[str, Any]) -> str:
    """``data`` written as TOML: plain values first, then ``[tables]`` and ``[[arrays]]``.

    Comments and the authors' layout are gone (the document is the merged result). Inside an
    ``[[array]]`` item nested values are written inline, as policies usually write them.
    """
    from ..policy.values import toml_literal

    lines: list[str] = []

    def nested(v: Any) -> bool:
        return isinstance(v, Mapping) or _is_table_array(v)

    def table(value: Mapping[str, Any], path: list[str], header: str | None, item: bool) -> None:
        # inside an [[array]] item everything nested is written inline, as authors do
        plain = [(k, v) for k, v in value.items() if item or not nested(v)]
        if header is not None and (plain or item or not any(nested(v) for v in value.values())):
            if lines:
                lines.append("")
            lines.append(header)
        for k, v in plain:
            lines.append(f"{_key(k)} = {toml_literal(v)}")
        if item:
            return
        for k, v in value.items():
            if not nested(v):
                continue
            child = [*path, _key(k)]
            if isinstance(v, Mapping):
                table(v, child, f"[{'.'.join(child)}]", False)
            else:
                for entry in v:
                    table(entry, child, f"[[{'.'.join(child)}]]", True)

    table(data, [], None, False)
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Print the merged policy, or its values with their provenance."""
    from ..errors import PolicyError
    from ..policy import format_effective, load_policy
    from .common import existing_file, resolve_policy

    path = resolve_policy(args.policy)
    existing_file(path, "policy")
    try:
        doc = load_policy(path)
    except PolicyError as exc:
        print_problems(exc.problems)
        raise CliError(f"{args.policy} could not be loaded", EXIT_FINDINGS) from None
    print("# layers, base first: " + ", ".join(doc.layers))
    print(f"# content hash: {doc.content_hash}")
    print(format_effective(doc) if args.effective else to_toml(doc.data), end="")
    return EXIT_OK
