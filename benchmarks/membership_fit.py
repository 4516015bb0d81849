"""Benchmark: fitting BG/NBD and Gamma-Gamma on the CDNOW sample (2,357 customers).

The membership pack fits both models on the whole membership in the portfolio phase of every
evaluation run, so the fit must stay fast: the target is under 2 seconds for the 2,357
customers of the CDNOW sample. This script prints the timings (it asserts nothing: timings
depend on the machine) and the estimates next to the published ones.

    .venv/bin/python benchmarks/membership_fit.py [path/to/CDNOW_sample.txt]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kamcore_membership import fit_bgnbd, fit_gamma_gamma
from kamcore_membership.cdnow import read_transactions, summarise
from kamcore_membership.portfolio import clear_fit_cache

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"
RUNS = 5


def _timed(fn: Callable[[], Any], runs: int = RUNS) -> tuple[Any, float, float]:
    """The result, the median and the worst wall time of ``runs`` calls."""
    times: list[float] = []
    result: Any = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times), max(times)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    if not path.is_file():
        print(f"CDNOW sample not found at {path}; pass its path as the first argument")
        return 2

    start = time.perf_counter()
    # the first import of scipy, kept out of the fit timings
    import scipy.optimize  # type: ignore[import-untyped,unused-ignore]
    import scipy.special  # type: ignore[import-untyped,unused-ignore]  # noqa: F401

    print(f"import numpy + scipy: {time.perf_counter() - start:.3f} s (once per process)")

    start = time.perf_counter()
    summaries = list(summarise(read_transactions(path)).values())
    print(f"read + summarise {len(summaries):,} customers: {time.perf_counter() - start:.3f} s")

    x = [s.frequency for s in summaries]
    t_x = [s.recency for s in summaries]
    age = [s.age for s in summaries]
    repeat = [(s.frequency, s.monetary_value) for s in summaries if s.monetary_value]
    bg, bg_median, bg_worst = _timed(lambda: fit_bgnbd(x, t_x, age))
    gg, gg_median, gg_worst = _timed(
        lambda: fit_gamma_gamma([x for x, _ in repeat], [m for _, m in repeat])
    )
    p, q = bg.params, gg.params
    print(
        f"BG/NBD fit, {bg.customers:,} customers: median {bg_median:.3f} s, worst "
        f"{bg_worst:.3f} s; r={p.r:.3f} alpha={p.alpha:.3f} a={p.a:.3f} b={p.b:.3f} "
        f"LL={bg.log_likelihood:.1f} (published 0.243 4.414 0.793 2.426, -9582.4)"
    )
    print(
        f"Gamma-Gamma fit, {gg.customers:,} repeat buyers: median {gg_median:.3f} s, worst "
        f"{gg_worst:.3f} s; p={q.p:.2f} q={q.q:.2f} gamma={q.gamma:.2f} "
        "(published 6.25 3.74 15.44)"
    )
    total = bg_worst + gg_worst
    verdict = "OK" if total < 2.0 else "TOO SLOW"
    print(f"both fits, worst case: {total:.3f} s (target < 2 s): {verdict}")

    # The same through the engine: the base policy over the 2,357 summaries as members.
    from kamcore import Engine
    from kamcore.resources import policies_root

    engine = Engine.from_policy(Path(str(policies_root())) / "membership" / "base.toml")
    rows = [
        {
            "id": f"C{i:04d}",
            "membership.repeat_purchases": s.frequency,
            "membership.recency_weeks": s.recency,
            "membership.age_weeks": s.age,
            "membership.avg_repeat_value": s.monetary_value,
            "days_since_last_order": round((s.age - s.recency) * 7),
        }
        for i, s in enumerate(summaries, start=1)
    ]

    def evaluate() -> Any:
        clear_fit_cache()
        return engine.evaluate_portfolio(rows, as_of="1997-09-30", explain="none")

    result, median, worst = _timed(evaluate, runs=3)
    print(
        f"engine, base policy over {len(result):,} members (fits included): median "
        f"{median:.3f} s, worst {worst:.3f} s; {len(result.errors)} rejected"
    )
    return 0 if total < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
