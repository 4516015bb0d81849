"""Shared paths and helpers for the kamcore_ict tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kamcore import Engine

ROOT = Path(__file__).resolve().parents[3]
POLICY_DIR = ROOT / "policies" / "ict"
BASE = POLICY_DIR / "base.toml"
EXAMPLE = POLICY_DIR / "example-south-china.toml"
SAMPLE = POLICY_DIR / "sample.csv"
DOC = ROOT / "docs" / "packs" / "ict.md"


def overlay(extends: str, body: str) -> Engine:
    """An engine for a small policy extending a shipped one (``kamcore:ict/...``), with the
    shipped [[tests]] kept: these tests evaluate accounts directly."""
    text = f'[policy]\nid = "ict-test-overlay"\nversion = "1"\nextends = ["{extends}"]\n\n' + body
    return Engine.from_text(text, name="overlay.toml", base_dir=POLICY_DIR)


def by_id(
    engine: Engine, accounts: Sequence[Mapping[str, Any]], as_of: str, **kw: Any
) -> dict[str, dict[str, Any]]:
    """Evaluate the accounts as one portfolio; fail on any rejected account."""
    result = engine.evaluate_portfolio(accounts, as_of=as_of, **kw)
    assert result.errors == []
    return result.by_id()


def ids(items: list[dict[str, Any]]) -> list[str]:
    """The ids of an evaluation's alerts or tactics, in order."""
    return [item["id"] for item in items]
