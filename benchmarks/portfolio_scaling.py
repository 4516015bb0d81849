"""Benchmark: portfolio-relative rules must cost one pass over the metrics, not a scan per account.

Percentiles, ranks, cumulative shares, ``top_n`` and tier caps need the whole portfolio. The
portfolio phase reads one column per value, runs each portfolio function once over it (one sort,
O(n log n)) and writes the results back; a cap ranks the members of its tier once. So the cost
per account must stay about flat from 10,000 to 100,000 accounts: a per-account scan of the
portfolio (O(n²)) would make it grow tenfold.

This script evaluates ``evaluate_portfolio(explain="none")`` over accounts from the shared
reference generator (``/work/shared/bench/gen.py``, imported from there) with two policies:

* ``acme``: ``policies/examples/acme-industrial.toml``, a complete client policy (percentile in a
  scorecard, ``cumulative_share``, ``top_n``, ``abc_class``, a roll-up, a KA cap);
* ``portfolio``: a small policy that is mostly portfolio rules (``percentile``, ``rank``,
  ``cumulative_share``, ``top_n``, two tier caps), so that their share of the time is large.

It prints µs per account for the whole evaluation and, separately, the time of the portfolio
phase alone (the portfolio functions and roll-ups, plus the caps) with its µs per account. It
asserts nothing: timings depend on the machine.

    .venv/bin/python benchmarks/portfolio_scaling.py [--sizes 10000,50000,100000] [--runs 3]
        [--policy acme|portfolio|both] [--json OUT]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = Path("/work/shared/bench/gen.py")
ACME = ROOT / "policies" / "examples" / "acme-industrial.toml"
AS_OF = "2026-06-30"

PORTFOLIO_POLICY = """
[policy]
id = "portfolio-scaling"
version = "1.0"

[metrics]
growth = "pct_change(revenue_prev_12m, revenue_12m) if coalesce(revenue_prev_12m, 0) > 0 else 0.0"

[tables.tier]
hit = "FIRST"
inputs = ["percentile(revenue_12m)", "rank(gross_margin)"]
outputs = ["tier"]
output_values = { tier = ["KA", "NA", "growth", "standard"] }
default = { tier = "standard" }
rules = [
  { id = "ka", when = [">= 0.9", "-"], then = ["KA"] },
  { id = "na", when = [">= 0.7", "<= 5000"], then = ["NA"] },
  { id = "growth", when = [">= 0.4", "-"], then = ["growth"] },
]

[tier]
values = ["KA", "NA", "growth", "standard"]
table = "tier"

[[tier.caps]]
value = "KA"
max = 500
order_by = "revenue_12m"

[[tier.caps]]
value = "NA"
max = 2000
order_by = "gross_margin"

[[segments.rules]]
id = "pareto-a"
when = "cumulative_share(revenue_12m) <= 0.8"

[[segments.rules]]
id = "top-100"
when = "top_n(revenue_12m, 100)"

[[segments.rules]]
id = "loyal-top-decile"
when = "percentile(years_as_customer) > 0.9"

[[alerts]]
id = "falling-behind"
when = "rank(growth) > 1000 and percentile(revenue_12m) > 0.5"
severity = "warning"
points = 10
"""


def load_generator() -> ModuleType:
    """The shared account generator, imported from where it lives (never copied)."""
    spec = importlib.util.spec_from_file_location("kam_bench_gen", GENERATOR)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import the account generator at {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class PhaseTimer:
    """Wall time spent in the pipeline's portfolio phase and caps, by wrapping them where the
    pipeline looks them up (nothing is changed in the pipeline itself)."""

    NAMES = ("run_portfolio_phase", "apply_caps")

    def __init__(self) -> None:
        self.seconds = 0.0

    @contextmanager
    def installed(self) -> Iterator[None]:
        from kamcore.runtime import pipeline

        originals = {name: getattr(pipeline, name) for name in self.NAMES}
        for name, fn in originals.items():
            setattr(pipeline, name, self._timed(fn))
        try:
            yield
        finally:
            for name, fn in originals.items():
                setattr(pipeline, name, fn)

    def _timed(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed


def measure(engine: Any, accounts: list[dict[str, Any]], runs: int) -> dict[str, float]:
    """Best of ``runs``: the whole evaluation and the portfolio phase, in seconds."""
    best_total = best_phase = float("inf")
    for _ in range(runs):
        timer = PhaseTimer()
        with timer.installed():
            start = time.perf_counter()
            result = engine.evaluate_portfolio(accounts, as_of=AS_OF, explain="none")
            total = time.perf_counter() - start
        if result.errors:
            raise SystemExit(f"{len(result.errors)} accounts failed, e.g. {result.errors[0]}")
        best_total = min(best_total, total)
        best_phase = min(best_phase, timer.seconds)
    return {"total_s": best_total, "portfolio_phase_s": best_phase}


def engines(which: str) -> dict[str, Any]:
    from kamcore import Engine

    built: dict[str, Any] = {}
    if which in ("acme", "both"):
        built["acme"] = Engine.from_policy(ACME)
    if which in ("portfolio", "both"):
        built["portfolio"] = Engine.from_text(PORTFOLIO_POLICY, name="portfolio-scaling.toml")
    return built


def run(sizes: list[int], runs: int, which: str) -> dict[str, Any]:
    gen = load_generator()
    built = engines(which)
    rows: dict[str, dict[str, dict[str, float]]] = {name: {} for name in built}
    for n in sizes:
        accounts = gen.generate(n, seed=7)
        for name, engine in built.items():
            found = measure(engine, accounts, runs)
            found["us_per_account"] = found["total_s"] / n * 1e6
            found["portfolio_us_per_account"] = found["portfolio_phase_s"] / n * 1e6
            rows[name][str(n)] = found
            print(
                f"{name:>9} {n:>7,} accounts: {found['us_per_account']:6.1f} µs/account, "
                f"portfolio phase {found['portfolio_phase_s'] * 1000:7.1f} ms "
                f"({found['portfolio_us_per_account']:.2f} µs/account)",
                file=sys.stderr,
            )
    return {"runs": runs, "results": rows}


def report(result: dict[str, Any]) -> str:
    lines = [f'Best of {result["runs"]}; evaluate_portfolio(explain="none"), as_of {AS_OF}.', ""]
    lines.append(
        "| policy | accounts | total (s) | µs/account | portfolio phase (ms) | phase µs/account |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|")
    for name, sizes in result["results"].items():
        for n, r in sizes.items():
            lines.append(
                f"| {name} | {int(n):,} | {r['total_s']:.2f} | {r['us_per_account']:.1f} | "
                f"{r['portfolio_phase_s'] * 1000:.1f} | {r['portfolio_us_per_account']:.2f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--policy", choices=("acme", "portfolio", "both"), default="both")
    parser.add_argument("--json", metavar="OUT", help="also write the measurements as JSON")
    args = parser.parse_args(argv)
    result = run([int(s) for s in args.sizes.split(",")], args.runs, args.policy)
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
