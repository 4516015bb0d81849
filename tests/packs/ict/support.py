"""Shared paths and helpers for the kamcore_ict tests.

Engines are built the way a third party's tests build them: with :func:`kamcore.testing.
build_engine`, isolated from stray plugins, loading the pack through its installed entry point
(``installed=["kamcore_ict"]``) rather than handing the module over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kamcore import Engine
from kamcore.testing import Evaluator, build_engine

ROOT = Path(__file__).resolve().parents[3]
POLICY_DIR = ROOT / "policies" / "ict"
BASE = POLICY_DIR / "base.toml"
EXAMPLE = POLICY_DIR / "example-south-china.toml"
SAMPLE = POLICY_DIR / "sample.csv"
DOC = ROOT / "docs" / "packs" / "ict.md"
#: The pack's entry-point name.
PLUGIN = "kamcore_ict"


def ict_engine(policy: str | Path, *, name: str = "<policy>") -> Engine:
    """An engine for a policy file or policy text (``extends`` resolved in policies/ict/), with
    the pack loaded through its entry point and no other plugin visible."""
    return build_engine(policy, installed=[PLUGIN], base_dir=POLICY_DIR, name=name)


def overlay(extends: str, body: str) -> Engine:
    """An engine for a small policy extending a shipped one (``kamcore:ict/...``), with the
    shipped [[tests]] kept: these tests evaluate accounts directly."""
    text = f'[policy]\nid = "ict-test-overlay"\nversion = "1"\nextends = ["{extends}"]\n\n' + body
    return ict_engine(text, name="overlay.toml")


def by_id(
    engine: Engine,
    accounts: Sequence[Mapping[str, Any]],
    as_of: str,
    previous: Mapping[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Evaluate the accounts as one portfolio, by account id; fails the test on a rejected
    account and on an evaluation JSON cannot carry (:class:`kamcore.testing.Evaluator`)."""
    return Evaluator().portfolio(engine, accounts, as_of=as_of, previous=previous)


def ids(items: list[dict[str, Any]]) -> list[str]:
    """The ids of an evaluation's alerts or tactics, in order."""
    return [item["id"] for item in items]
