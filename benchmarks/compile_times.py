"""Benchmark: how long a policy takes to compile, and how long ``kam`` takes to start.

The speed targets (a 500-rule policy compiles in 200 ms or less; ``kam --version`` returns in
200 ms or less) are checked here, with numbers printed, rather than in timed tests: timings
depend on the machine and its load, so they belong in a report, not in a pass/fail suite.

It generates policies of 50, 500 and 2,000 rules (a realistic mix: 36 % alerts, 36 % tactic
rules, 20 % decision-table rows, 4 % segments, 4 % metrics, every condition distinct and over
declared inputs) and times, best of ``--runs``:

* ``Engine.from_text`` end to end, in a warm process (the first build, which also pays for
  importing the compiler, pydantic and the plugins, is reported separately as "cold");
* its phases: TOML load (with locations and ``extends``), schema validation, plugin manager
  build (pluggy, entry points, registry), policy compile;
* ``kam --version``, ``kam --help`` and ``kam validate <500-rule policy>`` as subprocesses;
* the top offenders of ``python -X importtime`` for ``import kamcore`` and for what building an
  engine imports (``kamcore.engine`` and the compiler): the cold cost.

    .venv/bin/python benchmarks/compile_times.py [--runs 5] [--sizes 50,500,2000] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: the declared numeric inputs every generated condition reads
INPUTS = 20
TACTICS = (
    "relationship_check_in",
    "detractor_follow_up",
    "retention_offer",
    "service_recovery",
    "executive_sponsor_visit",
)
SEVERITIES = ("info", "warning", "critical")


def _split(rules: int) -> dict[str, int]:
    """How ``rules`` divide between the sections (500: 180 + 180 + 100 + 20 + 20)."""
    tables = rules // 5
    metrics = max(1, rules // 25)
    segments = max(1, rules // 25)
    alerts = (rules - tables - metrics - segments) // 2
    return {
        "alerts": alerts,
        "tactics": rules - tables - metrics - segments - alerts,
        "table_rows": tables,
        "segments": segments,
        "metrics": metrics,
    }


def _x(i: int) -> str:
    return f"x{i % INPUTS:02d}"


def _header(rules: int) -> list[str]:
    lines = [
        "[policy]",
        f'id = "bench-{rules}"',
        'version = "1.0"',
        f'description = "Generated {rules}-rule policy for benchmarks/compile_times.py"',
        "",
    ]
    for i in range(INPUTS):
        lines += [f"[inputs.x{i:02d}]", 'type = "number"', f'label = "Input {i}"', ""]
    return lines


def _metrics(count: int) -> list[str]:
    lines = ["[metrics]"]
    for i in range(count):
        lines.append(f'm{i:03d} = "coalesce({_x(i)}, 0) * {i + 1} + coalesce({_x(i + 7)}, 0)"')
    return [*lines, ""]


def _alerts(count: int) -> list[str]:
    lines: list[str] = []
    for i in range(count):
        lines += [
            "[[alerts]]",
            f'id = "alert-{i:04d}"',
            f'when = "coalesce({_x(i)}, 0) > {i} and coalesce({_x(i * 7 + 3)}, 0) < {1000 + i}"',
            f'severity = "{SEVERITIES[i % 3]}"',
            f"points = {i % 40 + 1}",
            f'reason = "{_x(i)} is {{{_x(i)}}}"',
            "",
        ]
    return lines


def _tactics(count: int, alerts: int, metrics: int) -> list[str]:
    lines = ["[tactics]", "max_per_account = 3", ""]
    for i in range(count):
        lines += [
            "[[tactics.rules]]",
            f'id = "tactic-{i:04d}"',
            f"when = \"'alert-{i % alerts:04d}' in alerts or coalesce(m{i % metrics:03d}, 0) "
            f'> {10 * i + 5}"',
            f'tactic = "{TACTICS[i % len(TACTICS)]}"',
            f"priority = {i % 10}",
            "",
        ]
    return lines


def _tables(rows: int) -> list[str]:
    """Half the rows decide the tier (FIRST), half collect segment labels (COLLECT)."""
    tier_rows, segment_rows = rows - rows // 2, rows // 2
    lines = [
        "[tables.tier]",
        'hit = "FIRST"',
        'inputs = ["x00", "x01", "coalesce(x02, 0) + coalesce(x03, 0)"]',
        'outputs = ["tier"]',
        'output_values = { tier = ["KA", "NA", "standard"] }',
        'default = { tier = "standard" }',
        "",
    ]
    for i in range(tier_rows):
        lines += [
            "[[tables.tier.rules]]",
            f'id = "tier-{i:04d}"',
            f'when = [">= {1000 * i}", "[{i}..{i + 500})", "-"]',
            f'then = ["{("KA", "NA")[i % 2]}"]',
            "",
        ]
    lines += [
        "[tables.bench_segments]",
        'hit = "COLLECT"',
        'inputs = ["x04", "x05"]',
        'outputs = ["segment"]',
        "",
    ]
    for i in range(segment_rows):
        lines += [
            "[[tables.bench_segments.rules]]",
            f'id = "seg-row-{i:04d}"',
            f'when = ["> {i * 3}", "< {i * 5 + 1}"]',
            f'then = ["band-{i:04d}"]',
            "",
        ]
    lines += ["[tier]", 'values = ["KA", "NA", "standard"]', 'table = "tier"', ""]
    return lines


def _segments(count: int) -> list[str]:
    lines = ["[segments]", 'tables = ["bench_segments"]', ""]
    for i in range(count):
        lines += [
            "[[segments.rules]]",
            f'id = "segment-{i:04d}"',
            f"when = \"coalesce({_x(i + 11)}, 0) > {i * 10} and tier != 'standard'\"",
            "",
        ]
    return lines


def generate_policy(rules: int) -> str:
    """A policy of ``rules`` rules (alerts, tactic rules, table rows, segments, metrics)."""
    split = _split(rules)
    lines = _header(rules)
    lines += _metrics(split["metrics"])
    lines += _tables(split["table_rows"])
    lines += _segments(split["segments"])
    lines += _alerts(split["alerts"])
    lines += _tactics(split["tactics"], split["alerts"], split["metrics"])
    return "\n".join(lines)


# -- timing ---------------------------------------------------------------------------------


def best_of(fn: Callable[[], Any], runs: int) -> float:
    """The best wall time of ``runs`` calls, in milliseconds: the least disturbed by the
    other work of a shared machine."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def time_phases(text: str, runs: int) -> dict[str, float]:
    """``Engine.from_text`` end to end, and the phases it is made of, in ms."""
    from kamcore import Engine
    from kamcore.plugins import PluginHost
    from kamcore.policy import load_policy_text, validate_document
    from kamcore.runtime.compile import compile_policy

    doc = load_policy_text(text)
    host = PluginHost({}, None)
    schemas = host.collect_config_schemas()
    active = [*host.builtin, *host.external]
    registry = host.build_registry({}, schemas)

    def plugins() -> None:
        h = PluginHost({}, None)
        h.build_registry({}, h.collect_config_schemas())

    return {
        "engine_from_text": best_of(lambda: Engine.from_text(text), runs),
        "toml_load": best_of(lambda: load_policy_text(text), runs),
        "schema_validation": best_of(lambda: validate_document(doc, schemas, active), runs),
        "plugin_manager": best_of(plugins, runs),
        "compile": best_of(lambda: compile_policy(doc, registry), runs),
    }


def time_cold(text: str) -> float:
    """``Engine.from_text`` in a fresh interpreter (imports included), in ms."""
    code = (
        "import sys, time; t = time.perf_counter(); from kamcore import Engine; "
        "Engine.from_text(sys.stdin.read()); print((time.perf_counter() - t) * 1000)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=text, capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def time_command(argv: list[str], runs: int) -> float:
    """A command's wall time as a subprocess, best of ``runs``, in ms."""

    def run() -> None:
        subprocess.run(argv, capture_output=True, check=False)

    return best_of(run, runs)


#: What ``python -X importtime`` is run on: importing the package, and what an engine needs.
IMPORTS = {
    "import kamcore": "import kamcore",
    "building an engine": "import kamcore.engine, kamcore.policy, kamcore.runtime.compile",
}


def import_offenders(code: str, top: int = 12) -> list[tuple[str, int]]:
    """The modules with the largest cumulative import time when running ``code`` (µs)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[tuple[str, int]] = []
    for line in out.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        rows.append((parts[2].rstrip(), int(parts[1])))
    return sorted(rows, key=lambda r: -r[1])[:top]


# -- report ---------------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _kam(*args: str) -> list[str]:
    kam = BIN / "kam"
    return [str(kam), *args] if kam.exists() else [sys.executable, "-m", "kamcore.cli", *args]


def run(sizes: list[int], runs: int) -> dict[str, Any]:
    """Every measurement, as one JSON-ready dict."""
    texts = {n: generate_policy(n) for n in sizes}
    middle = 500 if 500 in texts else sizes[0]
    cold = time_cold(texts[middle])
    compile_rows = {str(n): time_phases(texts[n], runs) for n in sizes}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bench-{middle}.toml"
        path.write_text(texts[middle], encoding="utf-8")
        commands = {
            "kam --version": time_command(_kam("--version"), runs),
            "kam --help": time_command(_kam("--help"), runs),
            f"kam validate <{middle}-rule policy>": time_command(_kam("validate", str(path)), runs),
        }
    return {
        "runs": runs,
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "compile_ms": compile_rows,
        "cold_engine_from_text_ms": {str(middle): cold},
        "commands_ms": commands,
        "import_us": {what: dict(import_offenders(code)) for what, code in IMPORTS.items()},
    }


def report(result: Mapping[str, Any]) -> str:
    """The measurements as Markdown tables."""
    phases = ["engine_from_text", "toml_load", "schema_validation", "plugin_manager", "compile"]
    rows = [
        [f"{int(n):,}", *(f"{t[p]:.1f}" for p in phases)] for n, t in result["compile_ms"].items()
    ]
    out = [
        f"Best of {result['runs']}, Python {result['python']}, {result['cores']} cores.",
        "",
        "## Policy compile (warm process, ms)",
        "",
        _table(["rules", "Engine.from_text", "TOML load", "schema", "plugins", "compile"], rows),
        "",
    ]
    out += [
        f"Cold (fresh interpreter, imports included), {n} rules: {ms:.0f} ms"
        for n, ms in result["cold_engine_from_text_ms"].items()
    ]
    out += ["", "## Commands (subprocess wall time, ms)", ""]
    out.append(
        _table(["command", "ms"], [[c, f"{ms:.0f}"] for c, ms in result["commands_ms"].items()])
    )
    for what, offenders in result["import_us"].items():
        out += ["", f"## `python -X importtime`, {what}: top cumulative (µs)", ""]
        rows = [[m.strip(), f"{us:,}"] for m, us in offenders.items()]
        out.append(_table(["module", "µs"], rows))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="50,500,2000", help="rule counts, comma-separated")
    parser.add_argument("--json", metavar="OUT", help="also write the measurements as JSON")
    parser.add_argument("--print-policy", type=int, metavar="N", help="print an N-rule policy")
    args = parser.parse_args(argv)
    if args.print_policy:
        print(generate_policy(args.print_policy))
        return 0
    result = run([int(s) for s in args.sizes.split(",")], args.runs)
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
