"""Helpers for the end-to-end tests: they drive the installed ``kam`` executable, as a user
would, with subprocess, on the bundled sample data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import ROOT

SAMPLES = ROOT / "samples"
ACME = ROOT / "policies" / "examples" / "acme-industrial.toml"
AS_OF = "2026-06-30"


def kam_executable() -> str:
    """The ``kam`` console script of the running environment (``.venv/bin/kam``)."""
    beside = Path(sys.executable).parent / ("kam.exe" if os.name == "nt" else "kam")
    if beside.exists():
        return str(beside)
    found = shutil.which("kam")
    if found is None:
        pytest.fail("the `kam` executable is not installed: pip install -e '.[dev]'")
    return found


KAM = kam_executable()


@dataclass
class Result:
    """A finished ``kam`` run."""

    status: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


def kam(*args: str | Path, cwd: Path | None = None, timeout: float = 60) -> Result:
    """Run ``kam ARGS`` and return its exit status and output (UTF-8)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [KAM, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env=env,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def expect(result: Result, status: int = 0) -> Result:
    """``result``, after checking its exit status (showing the output when it is wrong)."""
    assert result.status == status, f"exit {result.status}\n{result.out}\n{result.err}"
    return result


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A scratch folder holding a copy of samples/ and a link to policies/, as a checkout."""
    shutil.copytree(SAMPLES, tmp_path / "samples")
    (tmp_path / "policies").symlink_to(ROOT / "policies", target_is_directory=True)
    return tmp_path


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    """A small CSV file (UTF-8) for input tests."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path
