"""``kam plugins [--all]``: the installed plugins, their versions, and what each registers.

Each plugin is imported and asked to register in an engine of its own, so one plugin that fails
to import (or raises in a hook) is listed with its error while the others are still shown; a
broken deployment is diagnosed here rather than by the first policy that needs the plugin.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from .common import EXIT_FINDINGS, EXIT_OK, add_command, print_json

__all__ = ["add_parser", "describe_plugins", "run"]

_EXAMPLE = """
kam plugins
kam plugins --all --format json
"""

_KINDS = (
    ("facts", "facts"),
    ("metrics", "metrics"),
    ("functions", "functions"),
    ("classifiers", "classifiers"),
    ("tactics", "tactics"),
    ("stage_models", "stage models"),
    ("config_schema", "config schema"),
)


def add_parser(subparsers: Any) -> None:
    """Declare ``kam plugins``."""
    parser = add_command(
        subparsers,
        "plugins",
        "list installed plugins and what they register",
        "List the plugins installed in the `kamcore` entry-point group (with --all, kamcore's "
        "built-ins too), their versions and what each registers. Exit status 1 if a plugin "
        "fails to load.",
        _EXAMPLE,
    )
    parser.add_argument("--all", action="store_true", help="include kamcore's built-in plugins")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def describe_plugins(include_builtin: bool) -> list[dict[str, Any]]:
    """One record per plugin: name, built-in or not, version, entry point, registrations, the
    built-in registrations it replaces, and the error if it could not be loaded."""
    from .._version import __version__
    from ..errors import KamcoreError
    from ..plugins import PluginHost, installed_plugins

    records: list[dict[str, Any]] = []
    if include_builtin:
        host = PluginHost()
        registered = host.build_registry({}).by_plugin()
        for name in host.builtin:
            records.append(
                {
                    "name": name,
                    "builtin": True,
                    "version": __version__,
                    "distribution": "kamcore",
                    "entry_point": None,
                    "registers": registered.get(name, {}),
                    "replaces": [],
                    "error": None,
                }
            )
    for name, found in installed_plugins().items():
        record: dict[str, Any] = {
            "name": name,
            "builtin": False,
            "version": found.version,
            "distribution": found.distribution,
            "entry_point": found.value,
            "registers": {},
            "replaces": [],
            "error": None,
        }
        try:
            host = PluginHost()
            host.activate([name])
            registry = host.build_registry({})
            record["registers"] = registry.by_plugin().get(name, {})
            # a built-in registration this plugin replaces (a better `growth`, say)
            record["replaces"] = [f"{k} {key}" for k, key, p in registry.overrides if p == name]
        except KamcoreError as exc:
            record["error"] = str(exc)
        except Exception as exc:  # KAMCORE_RAISE_PLUGIN_ERRORS lets the original through
            record["error"] = f"{type(exc).__name__}: {exc}"
        records.append(record)
    return records


def _render(record: dict[str, Any]) -> list[str]:
    version = record["version"] or "unknown version"
    if record["builtin"]:
        head = f"{record['name']} {version} (built-in)"
    else:
        head = (
            f"{record['name']} {version} (distribution {record['distribution']}, "
            f"entry point {record['entry_point']})"
        )
    lines = [head]
    if record["error"]:
        lines.extend(
            textwrap.wrap(
                "error: " + record["error"], 98, initial_indent="  ", subsequent_indent="    "
            )
        )
        return lines
    registers = record["registers"]
    if not registers:
        lines.append("  registers nothing")
    for kind, label in _KINDS:
        names = registers.get(kind)
        if not names:
            continue
        if kind == "config_schema":
            lines.append("  config schema: yes ([config." + record["name"] + "] is checked)")
            continue
        text = f"{label} ({len(names)}): " + ", ".join(sorted(names))
        lines.extend(textwrap.wrap(text, 98, initial_indent="  ", subsequent_indent="      "))
    if record["replaces"]:
        text = "replaces built-in: " + ", ".join(record["replaces"])
        lines.extend(textwrap.wrap(text, 98, initial_indent="  ", subsequent_indent="      "))
    return lines


def run(args: argparse.Namespace) -> int:
    """List the plugins; exit 1 if one could not be loaded."""
    records = describe_plugins(args.all)
    if args.format == "json":
        print_json(records)
    else:
        if not records:
            print("no plugins installed (kam plugins --all shows kamcore's built-ins)")
        for record in records:
            print("\n".join(_render(record)))
    return EXIT_FINDINGS if any(r["error"] for r in records) else EXIT_OK
