"""The examples of docs/policy.md are valid TOML and, where complete, valid policies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kamcore.policy import load_policy_text, validate_document
from kamcore.policy._toml import tomllib

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy.md"
BLOCKS = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
HEADER = '[policy]\nid = "doc-example"\nversion = "1"\n\n'


def test_the_reference_has_examples() -> None:
    assert len(BLOCKS) >= 12


@pytest.mark.parametrize("block", BLOCKS)
def test_every_example_parses(block: str) -> None:
    tomllib.loads(block)


@pytest.mark.parametrize("block", [b for b in BLOCKS if "[policy]" not in b])
def test_section_examples_validate(block: str) -> None:
    doc = load_policy_text(HEADER + block)
    assert validate_document(doc, {}, []) == []
