"""docs/packs/saas.md: every TOML example builds an engine, and every name the pack registers
and every configuration key is documented there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kamcore_saas.config import CONFIG_SCHEMA

from kamcore import Engine
from kamcore.plugins import PluginHost

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "packs" / "saas.md"
TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```toml\n(.*?)```", TEXT, re.S)


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("block", EXAMPLES)
def test_every_example_compiles(block: str) -> None:
    engine = Engine.from_text(block, name="docs/packs/saas.md", base_dir=DOC.parent)
    assert "kamcore_saas" in engine.plugins()


def test_every_registered_name_is_documented() -> None:
    host = PluginHost()
    host.activate(["kamcore_saas"])
    mine = host.build_registry({}).by_plugin()["kamcore_saas"]
    names = [
        n
        for kind in ("facts", "metrics", "classifiers", "tactics", "stage_models")
        for n in mine[kind]
    ]
    missing = [name for name in names if f"`{name}" not in TEXT]
    assert missing == []


def test_every_config_key_is_documented() -> None:
    keys = list(CONFIG_SCHEMA["properties"])
    for key, spec in CONFIG_SCHEMA["properties"].items():
        keys += [f"{key}.{sub}" for sub in spec.get("properties", {})]
    top = [key for key in keys if "." not in key]
    assert [key for key in top if f"`{key}" not in TEXT] == []
    nested = [key.split(".")[1] for key in keys if "." in key]
    assert [sub for sub in nested if sub not in TEXT] == []


def test_every_stage_transition_is_documented() -> None:
    host = PluginHost()
    host.activate(["kamcore_saas"])
    model = host.build_registry({}).stage_models["saas.customer_journey"]
    assert [t["id"] for t in model.transitions if f"`{t['id']}`" not in TEXT] == []
