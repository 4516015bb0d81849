"""Paths and small helpers shared by the membership pack's tests.

The tests take the path a third-party plugin's tests take: engines come from
:func:`kamcore.testing.build_engine` with only ``kamcore_membership`` visible (loaded through its
``kamcore`` entry point, as any installed plugin), so another plugin installed in the
environment, or a developer's ``KAMCORE_*`` switches, cannot change a verdict here. The plain
functions rather than ``pytest_plugins = ["kamcore.testing"]``: pytest refuses
``pytest_plugins`` in a conftest below the rootdir once the whole suite is collected.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from kamcore import Engine
from kamcore.testing import build_engine

ROOT = Path(__file__).resolve().parents[3]
POLICIES = ROOT / "policies" / "membership"
BASE = POLICIES / "base.toml"
EXAMPLE = POLICIES / "example-huayang-beauty.toml"
SAMPLE = POLICIES / "sample.csv"
DOCS = ROOT / "docs" / "packs" / "membership.md"
CDNOW_SAMPLE = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"

#: The entry-point name of the pack: the one installed plugin these tests let engines load.
PLUGIN = "kamcore_membership"

#: A policy that activates the pack and nothing else; append a ``[config.kamcore_membership]``.
BARE = """[policy]
id = "bare"
version = "1"
plugins = ["kamcore_membership"]
"""


def membership_engine(policy: str | Path, *, name: str = "<policy>") -> Engine:
    """An engine for policy text or a policy file, with only this pack loadable; ``extends``
    of policy text resolve against the repository."""
    return build_engine(policy, installed=[PLUGIN], base_dir=ROOT, name=name)


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
