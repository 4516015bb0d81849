"""Files shipped with kamcore: the JSON Schemas and the packaged policies.

In the repository they live at the top level (``schemas/``, ``policies/``); the wheel carries them
under ``kamcore/_data/`` (see ``[tool.hatch.build.targets.wheel.force-include]``). Both layouts are
found through :mod:`importlib.resources`; the source-checkout fallback exists because an editable
install imports ``kamcore`` from the repository, where ``kamcore/_data`` does not exist.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.abc import Traversable  # importlib.resources.abc only exists from 3.11

__all__ = ["data_root", "policies_root", "read_schema", "schema_names", "schemas_root"]


@cache
def data_root(kind: str) -> Traversable:
    """The directory holding ``kind`` (``"schemas"`` or ``"policies"``)."""
    packaged = resources.files("kamcore").joinpath("_data").joinpath(kind)
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / kind
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"kamcore's {kind}/ directory is missing from this installation")


def schemas_root() -> Traversable:
    """Where ``policy.schema.json``, ``account.schema.json``, ... are."""
    return data_root("schemas")


def policies_root() -> Traversable:
    """Where the packaged policies are (``base/``, ``examples/``, one folder per pack)."""
    return data_root("policies")


def schema_names() -> list[str]:
    """Names of the shipped schemas: ``["account", "evaluation", "policy"]``."""
    return sorted(
        p.name.removesuffix(".schema.json")
        for p in schemas_root().iterdir()
        if p.name.endswith(".schema.json")
    )


@cache
def read_schema(name: str) -> dict[str, Any]:
    """Load a shipped JSON Schema by name (``"policy"``).

    :raises KeyError: for an unknown name, listing the known ones.
    """
    path = schemas_root().joinpath(f"{name}.schema.json")
    if not path.is_file():
        raise KeyError(f"no schema {name!r}; known: {', '.join(schema_names())}")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
