"""``kam validate POLICY...``: every problem of every policy, compiler style, before deployment.

A policy is checked exactly as an engine would build it (load with ``extends``, plugins,
JSON Schema, compile: expressions, table coverage and overlaps, unknown keys), so "validate
passes" means "the engine will build". All problems are reported, not the first, in the
``file:line:col: [key] message`` form editors and CI annotate; ``--format json`` serves tools.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    add_command,
    error,
    print_json,
    print_problems,
)

if TYPE_CHECKING:
    from ..errors import Problem
    from ..policy import PolicyDocument

__all__ = ["add_parser", "check_policy", "run"]

_EXAMPLE = """
kam validate policies/examples/acme-industrial.toml
kam validate --format json clients/*.toml
"""


def add_parser(subparsers: Any) -> None:
    """Declare ``kam validate``."""
    parser = add_command(
        subparsers,
        "validate",
        "check policies: schema, expressions, tables, plugins",
        "Load, validate and compile each policy the way an engine would, and print every "
        "problem as file:line:col: [key.path] message. Exit status 1 if any policy has a "
        "problem, 2 if a policy file does not exist.",
        _EXAMPLE,
    )
    parser.add_argument("policies", nargs="+", metavar="POLICY", help="policy files (.toml)")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )
    parser.set_defaults(run=run)


def _without_plugin(doc: PolicyDocument, plugin: str) -> PolicyDocument:
    """``doc`` with ``plugin`` taken out of ``policy.plugins`` (the data copied, the original
    untouched), so the rest of the policy can be checked without it."""
    header = dict(doc.data.get("policy", {}))
    header["plugins"] = [p for p in header.get("plugins", []) if p != plugin]
    return replace(doc, data={**doc.data, "policy": header})


def check_policy(path: str) -> tuple[list[Problem], str]:
    """The problems of the policy at ``path`` and, when it has none, a one-line description.

    A plugin failure is not a located problem of the engine's; it is placed on the policy's
    ``plugins`` entry that asked for the plugin, so it reads like every other problem. It does
    not end the check: the policy is compiled again without that plugin and everything else
    the compiler finds is reported too (including what only the missing plugin would have
    provided, which the author can tell apart by the plugin problem listed first), so one
    uninstalled plugin does not hide a dozen typos until it is installed.
    """
    from ..engine import Engine
    from ..errors import KamcoreError, Location, PluginError, PolicyError, Problem
    from ..policy import load_policy
    from .common import resolve_policy

    try:
        doc = load_policy(resolve_policy(path))
    except PolicyError as exc:
        return exc.problems, ""
    except OSError as exc:
        return [Problem(f"cannot read the policy: {exc.strerror or exc}", Location(path))], ""
    wanted = doc.data.get("policy", {}).get("plugins", [])
    wanted = list(wanted) if isinstance(wanted, list) else []
    plugin_problems: list[Problem] = []
    checked = doc
    while True:
        try:
            engine = Engine.from_document(checked)
        except PolicyError as exc:
            return plugin_problems + exc.problems, ""
        except PluginError as exc:
            key = "policy.plugins"
            if exc.plugin in wanted:
                key = f"policy.plugins[{wanted.index(exc.plugin)}]"
            plugin_problems.append(Problem(str(exc), doc.locate(key)))
            remaining = checked.data.get("policy", {}).get("plugins", [])
            if exc.config_key is not None or exc.plugin not in remaining:
                return plugin_problems, ""  # not a plugin the policy asked for: cannot go on
            checked = _without_plugin(checked, exc.plugin)
        except KamcoreError as exc:
            return [*plugin_problems, Problem(str(exc), Location(path))], ""
        else:
            break
    if plugin_problems:
        return plugin_problems, ""
    layers, cases = len(doc.layers), len(engine.policy.tests)
    return [], (
        f"{engine.id} {engine.version}, {layers} layer{'s' if layers != 1 else ''}, "
        f"{cases} test case{'s' if cases != 1 else ''}"
    )


def run(args: argparse.Namespace) -> int:
    """Validate each policy; exit 1 if any has a problem, 2 if a policy file does not exist
    (the others are still validated)."""
    from .common import resolve_policy

    all_problems: list[Problem] = []
    missing = False
    for path in args.policies:
        if not Path(resolve_policy(path)).exists():
            error(f"policy not found: {path}")
            missing = True
            continue
        problems, description = check_policy(path)
        all_problems.extend(problems)
        if args.format == "text":
            if problems:
                print_problems(problems)
            else:
                print(f"{path}: ok ({description})")
    if args.format == "json":
        print_json([p.to_dict() for p in all_problems])
    elif all_problems:
        n = len(all_problems)
        print(f"{n} problem{'s' if n != 1 else ''} found", file=sys.stderr)
    if missing:
        return EXIT_USAGE
    return EXIT_FINDINGS if all_problems else EXIT_OK
