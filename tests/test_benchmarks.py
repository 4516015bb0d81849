"""The speed benchmark (benchmarks/run.py) must fail on wrong outputs and pass on right ones.

Small n keeps these quick; the peers are checked only where their package is installed (CI
installs ``.[dev]`` alone, so they are skipped there).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import run
from benchmarks.peers import common, zen_peer
from benchmarks.peers.common import Variant

N = 2_000
needs_bench = pytest.mark.skipif(
    not (common.bench_dir() / "reference.py").exists() or not common.installed("numpy"),
    reason="needs ../shared/bench beside this checkout and numpy",
)


def _verdict(**changes: Any) -> dict[str, Any]:
    verdict = {
        "id": "A0000001",
        "tier": "KA",
        "value_score": 81.25,
        "churn_score": 55,
        "risk": "high",
        "tactics": ["executive_sponsor_visit", "retention_offer"],
    }
    return verdict | changes


@pytest.mark.parametrize(
    "wrong",
    [
        _verdict(tactics=["retention_offer", "executive_sponsor_visit"]),  # order matters
        _verdict(tactics=["executive_sponsor_visit"]),
        _verdict(value_score=81.26),
        _verdict(tier="NA"),
    ],
)
def test_compare_reports_a_wrong_verdict(wrong: dict[str, Any]) -> None:
    right = _verdict()
    assert common.compare([right, right], [right, wrong]) == [(1, right, wrong)]
    assert common.compare([right], [right]) == []


def test_compare_reports_missing_and_extra_verdicts() -> None:
    right = _verdict()
    assert common.compare([right, right], [right]) == [(1, right, None)]
    assert common.compare([right], [right, right]) == [(1, None, right)]


@needs_bench
def test_runner_fails_a_variant_with_wrong_tactics(monkeypatch: pytest.MonkeyPatch) -> None:
    def drop_last_tactic(out: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [v | {"tactics": v["tactics"][:-1]} for v in out]

    wrong = Variant(common.decide_all, drop_last_tactic)
    monkeypatch.setattr(run, "build", lambda name: wrong)
    record = run.measure("reference", 500, repeat=1)
    assert record["mismatches"] > 0
    assert record["first_mismatches"][0]["expected"] != record["first_mismatches"][0]["actual"]
    assert run.failed(record)
    assert "| no (" in run.table([record])


@needs_bench
@pytest.mark.parametrize("variant", ["kamcore-none", "kamcore-summary"])
def test_kamcore_reproduces_reference(variant: str) -> None:
    record = run.measure(variant, N, repeat=1)
    if record["status"] == "unavailable":
        pytest.skip(record["note"])
    assert record["status"] == "ok"
    assert record["mismatches"] == 0, record["first_mismatches"]
    assert not run.failed(record)


@needs_bench
@pytest.mark.parametrize(("variant", "package"), [("zen-batch", "zen"), ("cel", "cel_expr_python")])
def test_peer_reproduces_reference(variant: str, package: str) -> None:
    pytest.importorskip(package)
    record = run.measure(variant, N, repeat=1)
    assert record["status"] == "ok", record
    assert record["mismatches"] == 0, record["first_mismatches"]


def test_missing_peer_is_reported_not_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zen_peer, "PACKAGE", "no_such_package_for_kamcore_tests")
    record = run.measure("zen-batch", 10, repeat=1)
    assert record["status"] == "unavailable"
    assert "not installed (pip install -e .[bench])" in run.table([record])
    assert not run.failed(record)


def test_missing_suite_script_is_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.run_suite("no_such_benchmark") == 0
    assert "skipped" in capsys.readouterr().out


@needs_bench
def test_command_line_runs_each_variant_in_a_child(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    cmd = [sys.executable, str(run.HERE / "run.py"), "--n", "300", "--repeat", "1"]
    cmd += ["--variants", "reference", "kamcore-none", "--json", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "| reference | " in proc.stdout
    assert "| kamcore-none | " in proc.stdout
    records = json.loads(out.read_text())["records"]
    assert [r["mismatches"] for r in records] == [0, 0]
    assert all(r["peak_rss_mb"] > 0 for r in records)


def test_every_benchmark_named_in_the_performance_docs_runs() -> None:
    """docs/performance.md's commands name scripts that exist and start (``--help``): the
    full runs take minutes and live outside the suite, their figures in the page."""
    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "performance.md").read_text(encoding="utf-8")
    scripts = sorted(set(re.findall(r"benchmarks/(\w+)\.py", text)))
    assert {"run", "e2e", "table_sweep", "compile_times", "portfolio_scaling"} <= set(scripts)
    for name in scripts:
        done = subprocess.run(
            [sys.executable, str(root / "benchmarks" / f"{name}.py"), "--help"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"benchmarks/{name}.py --help: {done.stderr}"
