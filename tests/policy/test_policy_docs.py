"""Every example in docs/policy.md is run: valid TOML, valid against the schema and, unless it is
marked ``<!-- schema-only: reason -->`` (it names files or plugins outside this repository),
compiled into an engine together with a minimal header."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kamcore import Engine
from kamcore.policy import load_policy_text, validate_document
from kamcore.policy._toml import tomllib

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "policy.md"
_EXAMPLE = re.compile(r"(<!-- schema-only: (?P<why>.*?) -->\n)?```toml\n(?P<body>.*?)```", re.S)
EXAMPLES = [(m["body"], m["why"]) for m in _EXAMPLE.finditer(DOC.read_text(encoding="utf-8"))]
HEADER = '[policy]\nid = "doc-example"\nversion = "1"\n\n'


def _full(block: str) -> str:
    return block if "[policy]" in block else HEADER + block


def test_the_reference_has_examples() -> None:
    assert len(EXAMPLES) >= 12


@pytest.mark.parametrize(("block", "why"), EXAMPLES)
def test_every_example_parses_and_validates(block: str, why: str | None) -> None:
    tomllib.loads(block)
    if "[policy]" not in block:
        doc = load_policy_text(HEADER + block)
        assert validate_document(doc, {}, []) == []


@pytest.mark.parametrize("block", [b for b, why in EXAMPLES if why is None])
def test_every_complete_example_compiles(block: str) -> None:
    engine = Engine.from_text(_full(block), name="docs/policy.md", base_dir=ROOT / "docs")
    assert engine.id
