"""Speed of kamcore against the hand-written reference decision and other rules engines.

    python benchmarks/run.py [--n 100000] [--variants ...] [--repeat 3] [--json OUT]
    python benchmarks/run.py --all            # also the other scripts of this folder

Every variant runs in its own fresh subprocess (no shared caches, warm-up or heap between them,
and each one's peak RSS is its own), one after the other in one invocation, so the ratios come
from one run on one machine. Each child generates the shared bench accounts (not timed), warms
up on a small slice, keeps the best wall time of ``--repeat`` evaluations of all n accounts, then
checks its verdicts equal reference.decide()'s exactly. Any mismatch or failed child makes the
command exit non-zero; a peer that is not installed is reported, not failed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script: make ``benchmarks.peers`` importable
    sys.path.insert(0, str(HERE.parent))

from benchmarks.peers import common  # noqa: E402
from benchmarks.peers.common import Unavailable, Variant, Verdict  # noqa: E402

VARIANTS = ("reference", "kamcore-none", "kamcore-summary", "zen-batch", "cel")
#: Scripts other benchmarks live in; each runs as ``python benchmarks/<name>.py``.
SUITES = ("e2e", "table_sweep", "compile_times", "portfolio_scaling")
ENGINES = "engines"  # the in-process comparison above, as a --suite name
POLICY = common.REPO_ROOT / "policies" / "examples" / "bench-reference.toml"
AS_OF = "2026-06-30"
WARMUP = 1_000
MARKER = "BENCH-RESULT "  # prefixes the child's one JSON line on stdout
SHOWN_MISMATCHES = 3


def _reference() -> Variant:
    return Variant(common.decide_all, lambda out: out, note="reference.decide() in a loop")


def _kamcore(explain: str) -> Variant:
    from kamcore import Engine
    from kamcore.errors import KamcoreError

    engine = Engine.from_policy(POLICY)
    try:  # an explain level this kamcore does not know is skipped, not failed
        engine.evaluate_portfolio(common.generate(1), as_of=AS_OF, explain=explain)
    except KamcoreError as exc:
        raise Unavailable(f"explain={explain!r} not available: {exc}") from exc

    def run(accounts: Sequence[common.Account]) -> Any:
        return engine.evaluate_portfolio(accounts, as_of=AS_OF, explain=explain)

    def verdicts(result: Any) -> list[Verdict]:
        if result.errors:
            raise RuntimeError(f"{len(result.errors)} accounts failed: {result.errors[0]}")
        return [
            {
                "id": e["account_id"],
                "tier": e["tier"],
                "value_score": e["scores"]["value"]["value"],
                "churn_score": e["risk"]["score"],
                "risk": e["risk"]["band"],
                "tactics": [t["id"] for t in e["tactics"]],
            }
            for e in result.evaluations
        ]

    return Variant(run, verdicts, note=f"Engine.evaluate_portfolio(explain={explain!r})")


def build(name: str) -> Variant:
    """The variant called ``name``; raises :class:`Unavailable` when it cannot run here."""
    if name == "reference":
        return _reference()
    if name.startswith("kamcore-"):
        return _kamcore(name.removeprefix("kamcore-"))
    if name == "zen-batch":
        from benchmarks.peers import zen_peer

        return zen_peer.build()
    if name == "cel":
        from benchmarks.peers import cel_peer

        return cel_peer.build()
    raise ValueError(f"unknown variant {name!r}; choose from {', '.join(VARIANTS)}")


def _best_of(run: Callable[[], Any], repeat: int) -> tuple[Any, float, float]:
    """The last result, the best wall time and that run's CPU time over ``repeat`` runs."""
    best, cpu, result = float("inf"), 0.0, None
    for _ in range(repeat):
        result = None  # let the previous run's output go before the next one
        gc.collect()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        result = run()
        wall, used = time.perf_counter() - wall0, time.process_time() - cpu0
        if wall < best:
            best, cpu = wall, used
    return result, best, cpu


def measure(name: str, n: int, repeat: int = 3) -> dict[str, Any]:
    """Time one variant in this process and check its verdicts; a JSON-ready record."""
    record: dict[str, Any] = {"variant": name, "n": n, "repeat": repeat}
    try:
        variant = build(name)
    except Unavailable as exc:
        return {**record, "status": "unavailable", "note": str(exc)}
    accounts = common.generate(n)
    variant.run(accounts[:WARMUP])
    record["rss_base_mb"] = common.peak_rss_mb()
    output, wall, cpu = _best_of(lambda: variant.run(accounts), repeat)
    record.update(
        status="ok",
        note=variant.note,
        seconds=wall,
        accounts_per_s=n / wall,
        cpu_per_wall=cpu / wall,
        peak_rss_mb=common.peak_rss_mb(),  # before the check adds the oracle's verdicts
    )
    mismatches = common.compare(common.decide_all(accounts), variant.verdicts(output))
    record["mismatches"] = len(mismatches)
    record["first_mismatches"] = [
        {"index": i, "expected": e, "actual": a} for i, e, a in mismatches[:SHOWN_MISMATCHES]
    ]
    return record


def _child(name: str, n: int, repeat: int) -> int:
    print(MARKER + json.dumps(measure(name, n, repeat), default=str), flush=True)
    return 0


def spawn(name: str, n: int, repeat: int) -> dict[str, Any]:
    """Measure one variant in a fresh interpreter (the same Python as this one)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name]
    cmd += ["--n", str(n), "--repeat", str(repeat)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            return dict(json.loads(line.removeprefix(MARKER)))
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
    return {
        "variant": name,
        "status": "failed",
        "note": f"exit {proc.returncode}: " + " | ".join(tail),
    }


def failed(record: dict[str, Any]) -> bool:
    """A child that crashed or whose verdicts differ from the reference's."""
    return record["status"] == "failed" or bool(record.get("mismatches"))


def table(records: Sequence[dict[str, Any]]) -> str:
    """The Markdown table, ratios against the ``reference`` variant of the same run."""
    ref = next((r for r in records if r["variant"] == "reference" and r["status"] == "ok"), None)
    lines = [
        "| variant | accounts/s | ratio to reference | peak RSS MB | outputs equal | CPU/wall "
        "| accounts/CPU-s |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for r in records:
        if r["status"] != "ok":
            lines.append(f"| {r['variant']} | {r['note']} | | | | | |")
            continue
        ratio = f"{r['accounts_per_s'] / ref['accounts_per_s']:.2f}" if ref else "n/a"
        equal = "yes" if r["mismatches"] == 0 else f"no ({r['mismatches']:,} differ)"
        lines.append(
            f"| {r['variant']} | {r['accounts_per_s']:,.0f} | {ratio} | "
            f"{r['peak_rss_mb']:,.0f} | {equal} | {r['cpu_per_wall']:.2f} | "
            f"{r['accounts_per_s'] / max(r['cpu_per_wall'], 1e-9):,.0f} |"
        )
    return "\n".join(lines)


def run_suite(name: str) -> int:
    """Run ``benchmarks/<name>.py`` with this Python, its output going straight through."""
    script = HERE / f"{name}.py"
    print(f"\n## {name}\n", flush=True)
    if not script.is_file():
        print(f"skipped: {script.relative_to(common.REPO_ROOT)} does not exist (yet)")
        return 0
    return subprocess.run([sys.executable, str(script)], check=False).returncode


def _versions() -> dict[str, str]:
    found = {}
    for dist in ("kamcore", "zen-engine", "cel-expr-python", "numpy"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "not installed"
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="accounts (default 100,000)")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--repeat", type=int, default=3, help="timed runs, best kept")
    parser.add_argument("--json", type=Path, help="also write the records here")
    parser.add_argument(
        "--suite",
        action="append",
        choices=(ENGINES, *SUITES),
        help=f"what to run (repeatable; default {ENGINES}, the variants above)",
    )
    parser.add_argument("--all", action="store_true", help="every suite")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.n, args.repeat)

    suites = [ENGINES, *SUITES] if args.all else (args.suite or [ENGINES])
    status = 0
    if ENGINES in suites:
        print(
            f"# kamcore vs reference and peers: n={args.n:,}, best of {args.repeat}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}\n",
            flush=True,
        )
        records = []
        for name in args.variants:
            records.append(spawn(name, args.n, args.repeat))
            print(f"  {name}: {records[-1]['status']}", file=sys.stderr, flush=True)
        print(table(records))
        for r in records:
            if r["status"] == "failed":
                print(f"\n{r['variant']} failed: {r['note']}")
            for m in r.get("first_mismatches", []):
                print(f"\n{r['variant']} account #{m['index']}:\n  expected {m['expected']}")
                print(f"  actual   {m['actual']}")
        if any(failed(r) for r in records):
            status = 1
        if args.json:
            meta = {"n": args.n, "repeat": args.repeat, "cpus": os.cpu_count()}
            meta |= {"python": platform.python_version(), "versions": _versions()}
            args.json.write_text(json.dumps({"meta": meta, "records": records}, indent=2))
    for name in (s for s in suites if s != ENGINES):
        if run_suite(name) != 0:
            print(f"{name} exited non-zero")
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
