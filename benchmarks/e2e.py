"""End to end: ``kam evaluate`` on generated accounts, JSON Lines or CSV in, JSON Lines out.

    .venv/bin/python benchmarks/e2e.py                          # 100k and 1M rows, both formats
    .venv/bin/python benchmarks/e2e.py --rows 100000 --workers 1 2 --explain none full
    .venv/bin/python benchmarks/e2e.py --plumbing               # everything but the evaluation
    .venv/bin/python benchmarks/e2e.py --seen                   # the duplicate-id store alone
    .venv/bin/python benchmarks/e2e.py --json out/e2e.json      # also dump the results

Accounts come from ``../shared/bench/gen.py`` (imported by path, never copied; set
``KAMCORE_BENCH_DIR`` for another copy), seed 7, written once as ``accounts-N.jsonl`` and
``accounts-N.csv`` under ``--cache`` and reused. Each run is
``kam evaluate policies/examples/bench-reference.toml IN -o OUT.jsonl --as-of 2026-06-30
--workers W [--explain E]`` as a subprocess, timed from start to exit.

Memory: the process tree (``kam`` and its forked workers) is polled every 20 ms through
/proc; "RSS" is the peak of the summed resident sets, which counts the pages the workers share
with the main process (copy-on-write after the fork) once per process, so it overstates;
"PSS" is the peak of the summed proportional sets (``/proc/PID/smaps_rollup``), which splits
shared pages between their sharers: the memory the run really holds. "CPU s" is user + system
time of the tree (workers included); CPU s / wall above 1 means more than one core worked, and
on a busy machine ``rows / CPU s`` is the steadier figure.

``--plumbing`` runs the same commands with the per-row evaluation replaced by a copy of one
real evaluation (with the row's id), or with ``--plumbing tiny`` by just the id: reading,
cutting, parsing, serializing, the duplicate check, the summary and writing are all still
there, so it shows what the plumbing can carry whatever the engine's speed (``real``: with
the cost of writing a real evaluation's JSON; ``tiny``: without it). ``--seen`` times
:class:`kamcore.runtime.seen.SeenIds` alone.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "examples" / "bench-reference.toml"
AS_OF = "2026-06-30"
KAM = [sys.executable, "-m", "kamcore.cli"]
_BLOCK = 100_000


def _gen() -> ModuleType:
    folder = Path(os.environ.get("KAMCORE_BENCH_DIR") or ROOT.parent / "shared" / "bench")
    spec = importlib.util.spec_from_file_location("_kam_bench_gen", folder / "gen.py")
    if spec is None or spec.loader is None or not (folder / "gen.py").is_file():
        raise SystemExit(f"{folder / 'gen.py'} not found: set KAMCORE_BENCH_DIR")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def accounts(cache: Path, n: int, fmt: str) -> Path:
    """``accounts-N.FMT`` in ``cache``, written on first use: gen.py's accounts, seed 7 (the
    JSON Lines file is what ``gen.py --jsonl`` writes; CSV has the same values as text)."""
    path = cache / f"accounts-{n}.{fmt}"
    if path.exists():
        return path
    gen = _gen()
    columns = gen.generate_columns(n, 7)
    fields = list(gen.FIELDS)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        if fmt == "csv":
            writer.writerow(fields)
        for start in range(0, n, _BLOCK):
            block = {k: columns[k][start : start + _BLOCK].tolist() for k in fields}
            for i in range(len(block["id"])):
                row = {k: block[k][i] for k in fields}
                if fmt == "jsonl":
                    out.write(json.dumps(row) + "\n")
                else:
                    writer.writerow(
                        [str(v).lower() if v is True or v is False else v for v in row.values()]
                    )
    tmp.replace(path)
    return path


# -- measuring a process tree ------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(_children(p))
    return found


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; zeros once it is gone."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    values = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:"):
            values[parts[0]] = int(parts[1])
    return values.get("Rss:", 0), values.get("Pss:", 0)


def _cpu(pid: int) -> float:
    """User + system seconds of one process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(command: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``command``; its wall time, the tree's CPU time and the main process's (as last
    polled), peak summed RSS and PSS (MB)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT
    )
    peak_rss = peak_pss = 0
    main_cpu = 0.0
    while True:
        done, status, usage = os.wait4(process.pid, os.WNOHANG)
        if done:
            break
        main_cpu = _cpu(process.pid) or main_cpu
        rss = pss = 0
        for pid in _tree(process.pid):
            r, p = _memory(pid)
            rss, pss = rss + r, pss + p
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.02)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1) or "accounts evaluated" not in out:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{out}\n{err}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "main_cpu_s": main_cpu,
        "peak_rss_mb": peak_rss / 1024,
        "peak_pss_mb": peak_pss / 1024,
        "status": process.returncode,
        "summary": out.splitlines()[1] if len(out.splitlines()) > 1 else out,
    }


# -- the plumbing alone ------------------------------------------------------------------------


def _child_plumbing(kind: str, argv: list[str]) -> int:
    """``kam ARGV`` with every row "evaluated" as a copy of one real evaluation (``real``) or
    as ``{"account_id": ...}`` (``tiny``)."""
    from datetime import date

    from kamcore import Engine
    from kamcore.cli import main
    from kamcore.runtime import parallel, pipeline

    real = pipeline.row_evaluator
    explain = argv[argv.index("--explain") + 1] if "--explain" in argv else "full"
    engine = Engine.from_policy(POLICY)
    as_of = date.fromisoformat(AS_OF)
    template = engine.evaluate_portfolio(_gen().generate(1, 7), as_of=as_of, explain=explain)
    template = template.evaluations[0]

    def trivial(*args: Any, **kwargs: Any) -> pipeline.RowEvaluator:
        real(*args, **kwargs)  # what a run sets up, left in

        def run(row: Any, number: int) -> tuple[str | None, pipeline.Outcome]:
            account_id = str(row["id"])
            if kind == "tiny":
                return account_id, ({"account_id": account_id}, None)
            return account_id, ({**template, "account_id": account_id}, None)

        return run

    pipeline.row_evaluator = trivial  # type: ignore[assignment]
    parallel.row_evaluator = trivial  # type: ignore[assignment]
    return main(argv)


# -- the duplicate-id store alone --------------------------------------------------------------


def seen_costs(n: int, batch: int = 3000) -> list[dict[str, Any]]:
    """µs per row of SeenIds (batches and row by row) and of a dict, ids in order and shuffled."""
    from kamcore.runtime.seen import SeenIds

    results = []
    for order in ("in order", "shuffled"):
        ids: list[str | None] = [f"A{i:07d}" for i in range(1, n + 1)]
        if order == "shuffled":
            random.Random(7).shuffle(ids)
        for how in ("dict", "SeenIds.repeats", "SeenIds.setdefault"):
            start = time.perf_counter()
            if how == "dict":
                first: dict[str, int] = {}
                for number, key in enumerate(ids, start=1):
                    first.setdefault(key, number)  # type: ignore[arg-type]
            elif how == "SeenIds.repeats":
                with SeenIds() as seen:
                    for at in range(0, n, batch):
                        seen.repeats(ids[at : at + batch], at + 1)
            else:
                with SeenIds() as seen:
                    for number, key in enumerate(ids, start=1):
                        seen.setdefault(key, number)  # type: ignore[arg-type]
            elapsed = time.perf_counter() - start
            results.append({"ids": order, "store": how, "us_per_row": elapsed / n * 1e6})
    return results


# -- the table ---------------------------------------------------------------------------------


def _table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| rows | input | workers | explain | wall s | rows/s | CPU s (main) | peak RSS MB "
        "| peak PSS MB |",
        "|---:|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['rows']:,} | {r['input']} | {r['workers']} | {r['explain']} "
            f"| {r['wall_s']:.2f} | {r['rows'] / r['wall_s']:,.0f} "
            f"| {r['cpu_s']:.1f} ({r['main_cpu_s']:.1f}) "
            f"| {r['peak_rss_mb']:.0f} | {r['peak_pss_mb']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", choices=("jsonl", "csv"), default=["jsonl", "csv"])
    parser.add_argument("--workers", type=int, nargs="+", default=[os.cpu_count() or 1])
    parser.add_argument("--explain", nargs="+", default=["none", "default"])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "kamcore-e2e")
    parser.add_argument(
        "--plumbing",
        nargs="?",
        const="real",
        choices=("real", "tiny"),
        help="no evaluation: each row becomes a copy of one real evaluation (real, the "
        "default) or just its id (tiny)",
    )
    parser.add_argument("--seen", action="store_true", help="time the duplicate-id store only")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the results as JSON")
    parser.add_argument("--child-plumbing", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_plumbing is not None:
        return _child_plumbing(args.child_plumbing[0], args.child_plumbing[1:])
    if args.seen:
        results = [dict(r, rows=n) for n in args.rows for r in seen_costs(n)]
        print("| rows | ids | store | µs/row |\n|---:|---|---|---:|")
        for r in results:
            print(f"| {r['rows']:,} | {r['ids']} | {r['store']} | {r['us_per_row']:.2f} |")
    else:
        args.cache.mkdir(parents=True, exist_ok=True)
        results = []
        for n in args.rows:
            for fmt in args.formats:
                source = accounts(args.cache, n, fmt)
                for workers in args.workers:
                    for explain in args.explain:
                        out = args.cache / f"out-{n}-{fmt}-{workers}-{explain}.jsonl"
                        kam_args = ["evaluate", str(POLICY), str(source), "-o", str(out)]
                        kam_args += ["--as-of", AS_OF, "--workers", str(workers)]
                        if explain != "default":
                            kam_args += ["--explain", explain]
                        command = KAM + kam_args
                        if args.plumbing:
                            command = [sys.executable, __file__, "--child-plumbing"]
                            command += [args.plumbing, *kam_args]
                        record = measure(command)
                        record.update(rows=n, input=fmt, workers=workers, explain=explain)
                        record["plumbing"] = args.plumbing
                        results.append(record)
                        print(_table([record]).splitlines()[-1], flush=True)
                        out.unlink(missing_ok=True)
                        out.with_suffix(".rejects.csv").unlink(missing_ok=True)
        title = f"plumbing only ({args.plumbing} evaluations)" if args.plumbing else ""
        print(f"\n{title}\n{_table(results)}" if title else "\n" + _table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
