"""Shared fixtures: repository paths, the shared data folder, a small account generator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kamcore.sample import generate_accounts

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
SHARED = ROOT.parent / "shared"


def make_accounts(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Generated flat account rows (see :mod:`kamcore.sample`)."""
    return generate_accounts(n, seed)


@pytest.fixture
def accounts() -> list[dict[str, Any]]:
    """300 generated flat account rows."""
    return make_accounts(300)
