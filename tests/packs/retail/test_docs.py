"""docs/packs/retail.md: every ```toml example compiles with the pack, and every name the pack
registers (facts, metrics, classifier, stages, tactics, config keys) is documented."""

from __future__ import annotations

import re

import kamcore_retail
import pytest

from kamcore.testing import RegistryFactory, build_engine

from .conftest import DOC, PLUGIN, ROOT

TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```toml\n(.*?)```", TEXT, re.S)
HEADER = '[policy]\nid = "retail-doc-example"\nversion = "1"\nplugins = ["kamcore_retail"]\n\n'


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("block", EXAMPLES)
def test_every_toml_example_compiles(block: str) -> None:
    text = block if "[policy]" in block else HEADER + block
    engine = build_engine(
        text, installed=[PLUGIN], name="docs/packs/retail.md", base_dir=ROOT / "docs"
    )
    assert PLUGIN in engine.plugins()


def _config_keys(schema: dict[str, object], prefix: str = "") -> list[str]:
    keys: list[str] = []
    properties = schema.get("properties", {})
    assert isinstance(properties, dict)
    for name, sub in properties.items():
        if isinstance(sub, dict) and sub.get("type") == "object":
            keys += _config_keys(sub, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


@pytest.mark.kamcore_installed(PLUGIN)
def test_every_registered_name_is_documented(kamcore_registry: RegistryFactory) -> None:
    registry = kamcore_registry()
    owned = registry.by_plugin()[PLUGIN]
    names = [
        *owned["facts"],
        *owned["metrics"],
        *owned["classifiers"],
        *owned["tactics"],
        *owned["stage_models"],
        *registry.stage_models["retail_listing"].stages,
        *(t["id"] for t in registry.stage_models["retail_listing"].transitions),
        *_config_keys(kamcore_retail.CONFIG_SCHEMA),
    ]
    missing = [name for name in names if f"`{name}`" not in TEXT]
    assert missing == []
