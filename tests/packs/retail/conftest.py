"""Shared fixtures of the retail pack's tests: the two shipped policies, built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamcore import Engine

ROOT = Path(__file__).resolve().parents[3]
RETAIL = ROOT / "policies" / "retail"
BASE = RETAIL / "base.toml"
CLIENT = RETAIL / "example-jade-spring.toml"
SAMPLE = RETAIL / "sample.csv"
DOC = ROOT / "docs" / "packs" / "retail.md"


@pytest.fixture(scope="package")
def base() -> Engine:
    """The retail base policy."""
    return Engine.from_policy(BASE)


@pytest.fixture(scope="package")
def client() -> Engine:
    """Jade Spring Beverages' policy (extends the base; has portfolio rules)."""
    return Engine.from_policy(CLIENT)
