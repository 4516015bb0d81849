"""What every benchmark variant shares: the shared bench folder, the output check, peak RSS.

The generator and the oracle stay in ``../shared/bench`` (they are the contract every peer is
measured against), so they are imported from there by path, never copied into this repository.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

#: Points at another copy of ``shared/bench`` (the folder with gen.py and reference.py).
BENCH_DIR_ENV = "KAMCORE_BENCH_DIR"
REPO_ROOT = Path(__file__).resolve().parents[2]

Account = dict[str, Any]
Verdict = dict[str, Any]


@dataclass(frozen=True)
class Variant:
    """One way of making the decision.

    ``run`` is the timed part: everything an application would have to do to get the decisions
    of a list of accounts out of the engine. ``verdicts`` turns ``run``'s result into
    reference.decide()'s shape for the check; it is not timed (it is our glue, not the engine).
    """

    run: Callable[[Sequence[Account]], Any]
    verdicts: Callable[[Any], list[Verdict]]
    note: str = ""


class Unavailable(Exception):
    """A variant that cannot run here (a peer package that is not installed, an explain level
    this kamcore does not have): reported in the table, not a failure."""


def bench_dir() -> Path:
    """``$KAMCORE_BENCH_DIR`` or ``shared/bench`` beside the repository checkout."""
    override = os.environ.get(BENCH_DIR_ENV)
    return Path(override) if override else REPO_ROOT.parent / "shared" / "bench"


@cache
def load_bench(name: str) -> ModuleType:
    """Import ``gen`` or ``reference`` from the bench folder by path (it is not a package)."""
    path = bench_dir() / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: set {BENCH_DIR_ENV} to the bench folder")
    spec = importlib.util.spec_from_file_location(f"_kam_bench_{name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def generate(n: int, seed: int = 7) -> list[Account]:
    """The shared generator's accounts (full-precision floats, as the peers' exactness needs)."""
    accounts: list[Account] = load_bench("gen").generate(n, seed=seed)
    return accounts


def decide_all(accounts: Sequence[Account]) -> list[Verdict]:
    """The oracle: reference.decide() on every account."""
    decide = load_bench("reference").decide
    return [decide(a) for a in accounts]


def installed(package: str) -> bool:
    """Whether an import name resolves, without importing it."""
    return importlib.util.find_spec(package) is not None


Mismatch = tuple[int, Verdict | None, Verdict | None]


def compare(expected: Sequence[Verdict], actual: Sequence[Verdict]) -> list[Mismatch]:
    """Every position where the outputs differ: ``(index, expected, actual)``.

    Plain ``==`` on the whole verdict: tier, value_score, churn_score, risk and the tactic list
    (order included). A missing or extra verdict counts as a mismatch (``None`` on one side).
    """
    mismatches: list[Mismatch] = [
        (i, e, a) for i, (e, a) in enumerate(zip(expected, actual, strict=False)) if e != a
    ]
    shorter = min(len(expected), len(actual))
    for i in range(shorter, max(len(expected), len(actual))):
        mismatches.append(
            (
                i,
                expected[i] if i < len(expected) else None,
                actual[i] if i < len(actual) else None,
            )
        )
    return mismatches


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (ru_maxrss is KiB on Linux)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":  # bytes there
        kib //= 1024
    return kib / 1024
