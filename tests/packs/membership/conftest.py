"""Paths and small helpers shared by the membership pack's tests."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
POLICIES = ROOT / "policies" / "membership"
BASE = POLICIES / "base.toml"
EXAMPLE = POLICIES / "example-huayang-beauty.toml"
SAMPLE = POLICIES / "sample.csv"
DOCS = ROOT / "docs" / "packs" / "membership.md"
CDNOW_SAMPLE = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"


def read_sample() -> list[dict[str, Any]]:
    """The shipped sample as CSV rows (every cell a string, as a CSV export gives them)."""
    with SAMPLE.open(encoding="utf-8", newline="") as lines:
        return list(csv.DictReader(lines))


@pytest.fixture(scope="session")
def cdnow_path() -> Path:
    """The CDNOW 1/10 sample, or a skip saying where it was looked for."""
    if not CDNOW_SAMPLE.is_file():
        pytest.skip(
            f"the CDNOW data are not here ({CDNOW_SAMPLE}); they live in ../shared/data/cdnow/ "
            "next to the repository and are not copied into it"
        )
    return CDNOW_SAMPLE
