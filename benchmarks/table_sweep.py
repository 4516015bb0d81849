"""Decision-table speed against row count: indexed evaluation versus a plain scan.

    .venv/bin/python benchmarks/table_sweep.py [--accounts 20000] [--rows 10 100 1000]
        [--repeat 3] [--json OUT]

For each size, two policies are built: a FIRST table (equality on ``region``, bands of
``revenue_12m`` and ``nps``; its last row a catch-all, so every account matches) and a UNIQUE
table of non-overlapping rows over the same columns (accounts outside every row take the
default). Each is compiled twice, with the row index and with ``INDEXING`` off, and evaluates
the same generated accounts with ``explain="none"``; both runs must give the same outputs. The
first line (``0`` rows) is a policy with no table at all: the per-account cost of the rest of
the pipeline, which every other line includes.

Accounts come from the shared reference generator (``/work/shared/bench/gen.py``, numpy).
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kamcore import Engine
from kamcore.runtime import tables

AS_OF = "2026-06-30"
GEN = Path("/work/shared/bench/gen.py")
REGIONS = ["cn-east", "cn-south", "cn-north", "emea", "na", "apac"]
HEADER = '[policy]\nid = "table-sweep"\nversion = "1"\n'


def load_generator(path: Path) -> Callable[[int], list[dict[str, Any]]]:
    """``generate(n)`` from the shared generator, imported from its file (not copied)."""
    spec = importlib.util.spec_from_file_location("kam_bench_gen", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import the account generator at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generate: Callable[[int], list[dict[str, Any]]] = module.generate
    return generate


# -- policies ---------------------------------------------------------------------------------


def revenue_bands(count: int) -> list[str]:
    """``count`` adjacent bands covering revenue from 0 up, cut at log-spaced points."""
    if count == 1:
        return ["[0..)"]
    lo, hi = math.log(2_000), math.log(20_000_000)
    cuts = [round(math.exp(lo + (hi - lo) * i / max(count - 2, 1))) for i in range(count - 1)]
    cuts = sorted(set(cuts))
    bands = [f"[0..{cuts[0]})"]
    bands += [f"[{a}..{b})" for a, b in itertools.pairwise(cuts)]
    bands.append(f"[{cuts[-1]}..)")
    return bands


def nps_bands(count: int) -> list[str]:
    """``count`` adjacent bands over NPS 0..10 (integers)."""
    edges = [round(10 * i / count) for i in range(count + 1)]
    bands = [f"[{a}..{b})" for a, b in itertools.pairwise(edges[:-1])]
    return [*bands, f"[{edges[-2]}..10]"]


def banded_cells(rows: int) -> list[tuple[str, str, str]]:
    """``rows`` cell triples (region, revenue band, NPS band), pairwise disjoint.

    The grid is regions x NPS bands x revenue bands, with as many revenue bands as needed to
    reach ``rows``; rows are taken revenue band by revenue band, so a cut table still spans
    every region and NPS band.
    """
    per_band = len(REGIONS) * (1 if rows <= 12 else 3 if rows <= 120 else 5)
    nps = nps_bands(per_band // len(REGIONS))
    revenue = revenue_bands(max(1, math.ceil(rows / per_band)))
    grid = [(f'"{region}"', rev, score) for rev in revenue for score in nps for region in REGIONS]
    return grid[:rows]


def table_policy(hit: str, rows: int) -> str:
    """A policy with one table ``band`` of ``rows`` rows (FIRST: the last one catches all)."""
    cells = banded_cells(rows - 1 if hit == "FIRST" else rows)
    if hit == "FIRST":
        cells.append(("-", "-", "-"))
    lines = [
        HEADER,
        "[tables.band]",
        f'hit = "{hit}"',
        'inputs = ["region", "revenue_12m", "nps"]',
        'outputs = ["band"]',
        'default = { band = "none" }',
        "rules = [",
    ]
    for i, (region, revenue, score) in enumerate(cells):
        when = f"['{region}', '{revenue}', '{score}']"
        lines.append(f'  {{ id = "r{i}", when = {when}, then = ["b{i}"] }},')
    lines.append("]")
    return "\n".join(lines) + "\n"


# -- measuring --------------------------------------------------------------------------------


@contextmanager
def indexing(on: bool) -> Iterator[None]:
    saved = tables.INDEXING
    tables.INDEXING = on
    try:
        yield
    finally:
        tables.INDEXING = saved


def build(policy: str, indexed: bool) -> tuple[Engine, float]:
    """The engine, and how long compiling took (a UNIQUE table's overlap check included)."""
    start = time.perf_counter()
    with indexing(indexed):
        engine = Engine.from_text(policy)
    return engine, time.perf_counter() - start


def measure(engine: Engine, accounts: list[dict[str, Any]], repeat: int) -> tuple[float, list[Any]]:
    """The best wall time of ``repeat`` portfolio evaluations, and the outputs of the last."""
    engine.evaluate_portfolio(accounts[:200], as_of=AS_OF, explain="none")  # warm-up
    best = math.inf
    outputs: list[Any] = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = engine.evaluate_portfolio(accounts, as_of=AS_OF, explain="none")
        best = min(best, time.perf_counter() - start)
        if result.errors:
            raise SystemExit(f"unexpected errors: {result.errors[:3]}")
        outputs = [e["outputs"] for e in result.evaluations]
    return best, outputs


def sweep_one(hit: str, rows: int, accounts: list[dict[str, Any]], repeat: int) -> dict[str, Any]:
    policy = HEADER if rows == 0 else table_policy(hit, rows)
    timings: dict[str, float] = {}
    compile_s: dict[str, float] = {}
    outputs: dict[str, list[Any]] = {}
    for mode, on in (("indexed", True), ("scan", False)):
        engine, compile_s[mode] = build(policy, on)
        if rows and on != engine.policy.tables[0].indexed:
            raise SystemExit(f"{hit} table of {rows} rows: indexed is {not on}, expected {on}")
        timings[mode], outputs[mode] = measure(engine, accounts, repeat)
    if outputs["indexed"] != outputs["scan"]:
        raise SystemExit(f"{hit} table of {rows} rows: indexed and scan outputs differ")
    n = len(accounts)
    return {
        "rows": rows,
        "hit": hit if rows else "-",
        "accounts": n,
        "indexed_per_s": n / timings["indexed"],
        "scan_per_s": n / timings["scan"],
        "indexed_us": 1e6 * timings["indexed"] / n,
        "scan_us": 1e6 * timings["scan"] / n,
        "compile_s": compile_s["indexed"],
    }


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| rows | hit | accounts/s indexed | accounts/s scan | µs/account indexed | "
        "µs/account scan | speed-up | compile s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['rows']:,} | {r['hit']} | {r['indexed_per_s']:,.0f} | {r['scan_per_s']:,.0f} "
            f"| {r['indexed_us']:.1f} | {r['scan_us']:.1f} "
            f"| {r['scan_us'] / r['indexed_us']:.1f}x | {r['compile_s']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--rows", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--hits", nargs="+", default=["FIRST", "UNIQUE"])
    parser.add_argument("--repeat", type=int, default=3, help="best of N timed runs")
    parser.add_argument("--gen", type=Path, default=GEN, help="the shared gen.py")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the results here")
    args = parser.parse_args(argv)
    accounts = load_generator(args.gen)(args.accounts)
    results = [sweep_one("-", 0, accounts, args.repeat)]
    for rows in args.rows:
        for hit in args.hits:
            results.append(sweep_one(hit, rows, accounts, args.repeat))
            print(markdown(results[-1:]).splitlines()[-1], flush=True)
    print()
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
