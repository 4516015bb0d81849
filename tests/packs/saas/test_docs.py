"""docs/packs/saas.md: every TOML example builds an engine, and every name the pack registers
and every configuration key is documented there."""

from __future__ import annotations

import re

import pytest
from kamcore_saas.config import CONFIG_SCHEMA

from kamcore.registry import Registry
from kamcore.testing import build_engine

from .conftest import BARE, DOC, PLUGIN, saas_engine

TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```toml\n(.*?)```", TEXT, re.S)


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("block", EXAMPLES)
def test_every_example_compiles(block: str) -> None:
    engine = build_engine(block, installed=[PLUGIN], base_dir=DOC.parent, name=str(DOC))
    assert PLUGIN in engine.plugins()


def _registry() -> Registry:
    return saas_engine(BARE).registry


def test_every_registered_name_is_documented() -> None:
    mine = _registry().by_plugin()[PLUGIN]
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
    model = _registry().stage_models["saas.customer_journey"]
    assert [t["id"] for t in model.transitions if f"`{t['id']}`" not in TEXT] == []
