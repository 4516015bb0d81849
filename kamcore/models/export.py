"""Generate ``schemas/account.schema.json`` and ``schemas/evaluation.schema.json`` from the models.

The schemas are the language-neutral contract for tools that never import kamcore, so they are
committed and shipped; generating them (instead of writing them by hand) keeps them equal to what
the models accept. ``--check`` is for CI: it fails when a model changed and the files were not
regenerated.

Usage::

    python -m kamcore.models.export            # rewrite the files
    python -m kamcore.models.export --check    # exit 1 if they are out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .account import Account
from .evaluation import Evaluation

__all__ = ["MODELS", "SCHEMA_DIALECT", "generate", "main", "render", "schema_path"]

#: The JSON Schema dialect the files declare (the one pydantic v2 generates).
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: The generated schemas by name; the file is ``<name>.schema.json``.
MODELS: dict[str, type[BaseModel]] = {"account": Account, "evaluation": Evaluation}

_ID = "https://kamcore.dev/schemas/{name}.schema.json"


def generate(name: str) -> dict[str, Any]:
    """The JSON Schema of the model ``name``, with ``$schema`` and ``$id`` added."""
    schema = MODELS[name].model_json_schema()
    return {"$schema": SCHEMA_DIALECT, "$id": _ID.format(name=name), **schema}


def render(name: str) -> str:
    """The file text: sorted keys, 2-space indent, UTF-8, trailing newline (stable diffs)."""
    return json.dumps(generate(name), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_path(name: str, directory: Path) -> Path:
    """Where the schema ``name`` lives in ``directory``."""
    return directory / f"{name}.schema.json"


def _default_directory() -> Path | None:
    # Only a source checkout has schemas/ next to the kamcore package; an installed kamcore
    # carries read-only copies under kamcore/_data/ that must not be rewritten.
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "schemas").is_dir():
        return root / "schemas"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m kamcore.models.export",
        description="Generate the account and evaluation JSON Schemas from the models.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is out of date"
    )
    parser.add_argument(
        "--out-dir", type=Path, default=None, help="the schemas directory (default: the checkout's)"
    )
    args = parser.parse_args(argv)
    directory: Path | None = args.out_dir or _default_directory()
    if directory is None:
        parser.error("no schemas/ directory found next to kamcore; pass --out-dir")
    stale: list[Path] = []
    for name in sorted(MODELS):
        path = schema_path(name, directory)
        text = render(name)
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path}")
    if args.check and stale:
        names = ", ".join(str(p) for p in stale)
        print(
            f"out of date: {names}; regenerate with: python -m kamcore.models.export",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
