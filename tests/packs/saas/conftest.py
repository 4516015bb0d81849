"""Shared paths and fixtures of the kamcore_saas tests, built the way a third-party plugin's
tests build them: with :mod:`kamcore.testing`'s plain functions, isolated so that only this
pack is visible (it is loaded through its ``kamcore`` entry point, as any installed plugin).

The plain functions rather than ``pytest_plugins = ["kamcore.testing"]``: pytest refuses
``pytest_plugins`` in a conftest below the rootdir as soon as the whole suite is collected
(``pytest`` from the repository root), so declaring it here would break every other test run.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kamcore import Engine
from kamcore.testing import Evaluator, build_engine

ROOT = Path(__file__).resolve().parents[3]
POLICIES = ROOT / "policies" / "saas"
BASE = POLICIES / "base.toml"
NORTHWIND = POLICIES / "example-northwind.toml"
SHIPPED = (BASE, NORTHWIND)
SAMPLE = POLICIES / "sample.csv"
DOC = ROOT / "docs" / "packs" / "saas.md"
PLUGIN = "kamcore_saas"

#: A policy that activates the pack and nothing else; add a ``[config.kamcore_saas]`` table.
BARE = """[policy]
id = "bare"
version = "1"
plugins = ["kamcore_saas"]
"""


def saas_engine(policy: str | Path, *, name: str = "<policy>") -> Engine:
    """An engine for policy text or a policy file, with only this pack loadable."""
    return build_engine(policy, installed=[PLUGIN], base_dir=ROOT, name=name)


def read_sample() -> list[dict[str, str]]:
    """The shipped sample as CSV rows (every cell a string, as a CSV export gives them)."""
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="package")
def base() -> Engine:
    """The base policy ``kamcore:saas/base.toml``."""
    return saas_engine(BASE)


@pytest.fixture(scope="package")
def northwind() -> Engine:
    """Northwind Cloud's policy (extends the base; has a portfolio rule)."""
    return saas_engine(NORTHWIND)


@pytest.fixture
def evaluate() -> Evaluator:
    """Evaluate on 2026-06-30 (:data:`kamcore.testing.AS_OF`, the date of every hand-worked
    case here), checking that each evaluation can be written as JSON."""
    return Evaluator()
